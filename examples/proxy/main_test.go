package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

const (
	project      = "1ab83fbf1b594600bfa618dc33694dd6"
	otherProject = "9c4e0f7b1d2a4e5f8a6b3c2d1e0f9a8b"
	serviceToken = "service-token"
	vm1          = "365313c5-5d0c-4c43-af05-16f765c0f2bc" // ACTIVE on compute-7, the project's
	hidden       = "4f7b8a1c-2d3e-4f50-8a6b-7c8d9e0f1a2b" // ACTIVE, host only as hostId
	building     = "8d2c6f1e-0b3a-4c5d-9e8f-7a6b5c4d3e2f" // BUILD, no host yet
	theirs       = "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e" // another project's
	broken       = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" // the upstream fails on it
	missing      = "f0e1d2c3-b4a5-4968-8776-655443322110" // not in the upstream
	novncPrefix  = "http://127.0.0.1:6080/vnc_auto.html?token="
)

// got is one request the upstream received.
type got struct {
	Method, URI      string
	Header           http.Header
	Body             []byte
	ContentLength    int64
	TransferEncoding []string
}

// upstream is a stand-in for Nova: it answers os-stop and GET
// /servers/{id}, lists no servers, serves a version document, and records
// every request it gets. Every answer it gives says X-Upstream: nova.
type upstream struct {
	*httptest.Server
	mu  sync.Mutex
	got []got
}

func startUpstream(t *testing.T) *upstream {
	t.Helper()
	servers := map[string]map[string]any{
		vm1: {"id": vm1, "tenant_id": project, "status": "ACTIVE", "OS-EXT-STS:vm_state": "active",
			"OS-EXT-STS:task_state": nil, "OS-EXT-SRV-ATTR:host": "compute-7", "hostId": "e1f0"},
		hidden: {"id": hidden, "tenant_id": project, "status": "ACTIVE", "OS-EXT-STS:task_state": nil,
			"hostId": "5bd1e5e3c5b8e4a3bd0a7b5d5bd2f6f1c0c0f1b1fa1c8cf2d6c7a7e2"},
		building: {"id": building, "tenant_id": project, "status": "BUILD", "OS-EXT-STS:task_state": "scheduling",
			"OS-EXT-SRV-ATTR:host": nil, "hostId": ""},
		theirs: {"id": theirs, "tenant_id": otherProject, "status": "ACTIVE", "OS-EXT-STS:task_state": nil,
			"OS-EXT-SRV-ATTR:host": "compute-7", "hostId": "77aa"},
	}
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		u.mu.Lock()
		u.got = append(u.got, got{Method: r.Method, URI: r.RequestURI, Header: r.Header.Clone(), Body: body,
			ContentLength: r.ContentLength, TransferEncoding: r.TransferEncoding})
		u.mu.Unlock()
		w.Header().Set("X-Upstream", "nova")
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v2.1/"), "/")
		switch {
		case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "servers" && parts[2] == "action":
			if string(body) == `{"os-stop": null}` {
				w.WriteHeader(http.StatusAccepted)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"badRequest": {"code": 400, "message": "upstream says no"}}`)
		case r.Method == http.MethodGet && r.URL.Path == "/v2.1/servers/detail":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"servers": []}`)
		case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "servers":
			if parts[1] == broken {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			srv, ok := servers[parts[1]]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"server": srv})
		case r.Method == http.MethodGet && (r.URL.Path == "/" || r.URL.Path == "/v2.1/" || r.URL.Path == "/v2"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"version": {"id": "upstream"}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(u.Close)
	return u
}

// take returns what the upstream got since the last take.
func (u *upstream) take() []got {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := u.got
	u.got = nil
	return out
}

// fixture is the proxy in front of the upstream, and the same proxy
// without the console middleware, to compare what reaches the upstream.
type fixture struct {
	up          *upstream
	proxy, bare *httptest.Server
	store       *state.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	up := startUpstream(t)
	target, err := url.Parse(up.URL)
	require.NoError(t, err)
	st := state.New(state.WithProtocols(state.ProtocolVNC, state.ProtocolSPICE, state.ProtocolSerial))
	f := &fixture{up: up, store: st, proxy: httptest.NewServer(newProxy(target, serviceToken, demoTokens, st))}
	t.Cleanup(f.proxy.Close)
	// The bare proxy: what the upstream gets when nothing is in between.
	f.bare = httptest.NewServer(authenticate(demoTokens)(reverseProxy(target)))
	t.Cleanup(f.bare.Close)
	return f
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request through base with exactly the given headers; a nil
// body sends none, chunked sends it without a Content-Length.
func do(t *testing.T, base, method, path string, header http.Header, body []byte, chunked bool) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
		if chunked {
			rd = io.MultiReader(rd) // hides the length
		}
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = append([]string(nil), v...)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: raw}
}

func headers(token, version string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	if token != "" {
		h.Set("X-Auth-Token", token)
	}
	if version != "" {
		h.Set("OpenStack-API-Version", "compute "+version)
	}
	return h
}

// lookups are the server source's GETs of the given servers, the only
// requests a console call sends to the upstream.
func assertLookups(t *testing.T, gots []got, ids ...string) {
	t.Helper()
	require.Len(t, gots, len(ids), "%+v", gots)
	for i, id := range ids {
		g := gots[i]
		assert.Equal(t, http.MethodGet, g.Method)
		assert.Equal(t, "/v2.1/servers/"+id, g.URI)
		assert.Equal(t, serviceToken, g.Header.Get("X-Auth-Token"))
		assert.Empty(t, g.Body)
	}
}

func TestConsoleCallsAnsweredByNovastub(t *testing.T) {
	f := newFixture(t)
	vnc := []byte(`{"os-getVNCConsole": {"type": "novnc"}}`)

	// Legacy action, without and with the project in the URL.
	for _, path := range []string{"/v2.1/servers/" + vm1 + "/action", "/v2.1/" + project + "/servers/" + vm1 + "/action"} {
		a := do(t, f.proxy.URL, http.MethodPost, path, headers("member-token", ""), vnc, false)
		require.Equal(t, http.StatusOK, a.status, string(a.body))
		assert.Empty(t, a.header.Get("X-Upstream"))
		assert.Regexp(t, `^req-[0-9a-f-]{36}$`, a.header.Get("X-Compute-Request-Id"))
		var out struct{ Console struct{ Type, URL string } }
		require.NoError(t, json.Unmarshal(a.body, &out))
		assert.Equal(t, "novnc", out.Console.Type)
		assert.True(t, strings.HasPrefix(out.Console.URL, novncPrefix), out.Console.URL)
		assertLookups(t, f.up.take(), vm1)
	}

	// remote-consoles at 2.6.
	a := do(t, f.proxy.URL, http.MethodPost, "/v2.1/servers/"+vm1+"/remote-consoles", headers("member-token", "2.6"),
		[]byte(`{"remote_console": {"protocol": "vnc", "type": "novnc"}}`), false)
	require.Equal(t, http.StatusOK, a.status, string(a.body))
	assert.Equal(t, "compute 2.6", a.header.Get("OpenStack-API-Version"))
	var rc struct {
		RemoteConsole struct{ Protocol, Type, URL string } `json:"remote_console"`
	}
	require.NoError(t, json.Unmarshal(a.body, &rc))
	assert.Equal(t, "vnc", rc.RemoteConsole.Protocol)
	assert.Equal(t, "novnc", rc.RemoteConsole.Type)
	require.True(t, strings.HasPrefix(rc.RemoteConsole.URL, novncPrefix), rc.RemoteConsole.URL)
	assertLookups(t, f.up.take(), vm1)

	// os-console-auth-tokens at 2.31, as admin: from novastub's store, with
	// the host the upstream named; the upstream is asked whether the
	// server is still there (a token ends with its server).
	token := strings.TrimPrefix(rc.RemoteConsole.URL, novncPrefix)
	a = do(t, f.proxy.URL, http.MethodGet, "/v2.1/os-console-auth-tokens/"+token, headers("admin-token", "2.31"), nil, false)
	require.Equal(t, http.StatusOK, a.status, string(a.body))
	assert.Empty(t, a.header.Get("X-Upstream"))
	var info map[string]map[string]any
	require.NoError(t, json.Unmarshal(a.body, &info))
	assert.Equal(t, vm1, info["console"]["instance_uuid"])
	assert.Equal(t, "compute-7", info["console"]["host"])
	assert.Equal(t, float64(5900), info["console"]["port"])
	assertLookups(t, f.up.take(), vm1)

	// Below 2.31 and as a member: Nova's 400 and 403, still from novastub.
	a = do(t, f.proxy.URL, http.MethodGet, "/v2.1/"+project+"/os-console-auth-tokens/"+token, headers("member-token", "2.31"), nil, false)
	assert.Equal(t, http.StatusForbidden, a.status, string(a.body))
	a = do(t, f.proxy.URL, http.MethodGet, "/v2.1/os-console-auth-tokens/"+token, headers("admin-token", ""), nil, false)
	assert.Equal(t, http.StatusBadRequest, a.status, string(a.body))
	assert.Empty(t, f.up.take())
}

func TestConsoleServersFromUpstream(t *testing.T) {
	f := newFixture(t)
	vnc := []byte(`{"os-getVNCConsole": {"type": "novnc"}}`)
	action := func(id string) string { return "/v2.1/servers/" + id + "/action" }
	fault := func(a answer) map[string]map[string]any {
		var out map[string]map[string]any
		require.NoError(t, json.Unmarshal(a.body, &out), string(a.body))
		return out
	}

	// Host hidden from the service token: the hostId stands in.
	a := do(t, f.proxy.URL, http.MethodPost, "/v2.1/servers/"+hidden+"/remote-consoles", headers("member-token", "2.6"),
		[]byte(`{"remote_console": {"protocol": "vnc", "type": "novnc"}}`), false)
	require.Equal(t, http.StatusOK, a.status, string(a.body))
	assertLookups(t, f.up.take(), hidden)
	var rc map[string]map[string]string
	require.NoError(t, json.Unmarshal(a.body, &rc))
	tok, err := f.store.ConsoleToken(strings.TrimPrefix(rc["remote_console"]["url"], novncPrefix))
	require.NoError(t, err)
	assert.Equal(t, "5bd1e5e3c5b8e4a3bd0a7b5d5bd2f6f1c0c0f1b1fa1c8cf2d6c7a7e2", tok.Host)

	rows := []struct {
		id      string
		status  int
		message string
	}{
		{building, http.StatusConflict, "Instance " + building + " is not ready"},
		{theirs, http.StatusNotFound, "Instance " + theirs + " could not be found."},
		{missing, http.StatusNotFound, "Instance " + missing + " could not be found."},
		{broken, http.StatusInternalServerError, "The server has either erred or is incapable of performing the requested operation."},
	}
	for _, row := range rows {
		a := do(t, f.proxy.URL, http.MethodPost, action(row.id), headers("member-token", ""), vnc, false)
		require.Equal(t, row.status, a.status, string(a.body))
		key := map[int]string{409: "conflictingRequest", 404: "itemNotFound", 500: "computeFault"}[row.status]
		assert.Equal(t, map[string]map[string]any{key: {"code": float64(row.status), "message": row.message}}, fault(a))
		assertLookups(t, f.up.take(), row.id)
	}
}

func TestConsoleCallWithoutToken(t *testing.T) {
	f := newFixture(t)
	a := do(t, f.proxy.URL, http.MethodPost, "/v2.1/servers/"+vm1+"/action", headers("", ""),
		[]byte(`{"os-getVNCConsole": {"type": "novnc"}}`), false)
	assert.Equal(t, http.StatusUnauthorized, a.status)
	assert.Equal(t, `Keystone uri="`+f.proxy.URL+`/identity"`, a.header.Get("WWW-Authenticate"))
	assert.Equal(t, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`, string(a.body))
	assert.Empty(t, f.up.take(), "the fake refuses before any lookup")

	// A token the project's middleware does not know: its own 401, for
	// anything.
	a = do(t, f.proxy.URL, http.MethodPost, "/v2.1/servers/"+vm1+"/action", headers("nope", ""), []byte(`{"os-stop": null}`), false)
	assert.Equal(t, http.StatusUnauthorized, a.status)
	assert.Empty(t, f.up.take())
}

// passThrough sends the same request through the proxy and through the
// bare reverse proxy and checks that the upstream got the same, byte for
// byte, and that the answer is the upstream's.
func passThrough(t *testing.T, f *fixture, method, path string, header http.Header, body []byte, chunked bool) got {
	t.Helper()
	a := do(t, f.proxy.URL, method, path, header, body, chunked)
	assert.Equal(t, "nova", a.header.Get("X-Upstream"), "answered by the upstream: %d %s", a.status, a.body)
	assert.Empty(t, a.header.Values("X-Compute-Request-Id"), "no request id added on the pass-through")
	assert.Empty(t, a.header.Values("X-Openstack-Request-Id"))
	assert.Empty(t, a.header.Values("OpenStack-API-Version"))
	viaMiddleware := f.up.take()
	require.Len(t, viaMiddleware, 1, "%+v", viaMiddleware)
	g := viaMiddleware[0]

	b := do(t, f.bare.URL, method, path, header, body, chunked)
	assert.Equal(t, b.status, a.status)
	assert.Equal(t, b.body, a.body)
	viaBare := f.up.take()
	require.Len(t, viaBare, 1)
	want := viaBare[0]
	// The bare proxy listens on another port: X-Forwarded-Host differs.
	for _, h := range []http.Header{g.Header, want.Header} {
		h.Del("X-Forwarded-Host")
	}
	assert.Equal(t, want, g, "the upstream gets what it gets without the middleware")

	// And what the client sent, exactly.
	assert.Equal(t, method, g.Method)
	assert.Equal(t, path, g.URI)
	if body == nil {
		body = []byte{}
	}
	assert.Equal(t, body, g.Body)
	if chunked {
		assert.Equal(t, int64(-1), g.ContentLength)
		assert.Equal(t, []string{"chunked"}, g.TransferEncoding)
	} else {
		assert.Equal(t, int64(len(body)), g.ContentLength)
		if len(body) > 0 {
			assert.Equal(t, strconv.Itoa(len(body)), g.Header.Get("Content-Length"))
		}
	}
	for k, v := range header {
		assert.Equal(t, v, g.Header[k], k)
	}
	assert.Empty(t, g.Header.Values("X-Compute-Request-Id"))
	assert.Equal(t, header.Values("X-Openstack-Request-Id"), g.Header.Values("X-Openstack-Request-Id"))
	return g
}

func TestOtherActionsReachUpstreamByteForByte(t *testing.T) {
	f := newFixture(t)
	h := headers("member-token", "2.6")
	h.Set("X-Openstack-Request-Id", "req-11111111-2222-4333-8444-555555555555") // a client's global id
	h.Set("User-Agent", "proxy-test")

	g := passThrough(t, f, http.MethodPost, "/v2.1/servers/"+vm1+"/action", h, []byte(`{"os-stop": null}`), false)
	assert.Equal(t, "member-token", g.Header.Get("X-Auth-Token"))
	a := do(t, f.proxy.URL, http.MethodPost, "/v2.1/servers/"+vm1+"/action", h, []byte(`{"os-stop": null}`), false)
	assert.Equal(t, http.StatusAccepted, a.status)
	f.up.take()

	bodies := []string{
		`{"os-stop": null}`,
		"{\"reboot\" :\t{\"type\": \"HARD\"}}\n",
		`{"os-start": null}`,
		`{"createImage": {"name": "snap \u00e9\u0301", "metadata": {"k": "v"}}}`,
		`{"os-getConsoleOutput": {"length": 50}}`, // a console in name only: Nova's, not novastub's
		`{"os-resetState": {"state": "error"}}`,
		`{"frobnicate": {}}`, // unknown: the upstream says so
		// Malformed: the upstream answers them as Nova does.
		`not json`,
		`{"os-getVNCConsole": {"type": "novnc"}, "os-stop": null}`,
		`[{"os-getVNCConsole": {"type": "novnc"}}]`,
		`{"x": {"os-getVNCConsole": {"type": "novnc"}}}`,
		`42`,
		`{}`,
	}
	for _, body := range bodies {
		t.Run(body, func(t *testing.T) {
			passThrough(t, f, http.MethodPost, "/v2.1/servers/"+vm1+"/action", h, []byte(body), false)
			passThrough(t, f, http.MethodPost, "/v2.1/"+project+"/servers/"+vm1+"/action", h, []byte(body), false)
			passThrough(t, f, http.MethodPost, "/v2.1/servers/"+vm1+"/action", h, []byte(body), true)
		})
	}
	t.Run("empty", func(t *testing.T) {
		passThrough(t, f, http.MethodPost, "/v2.1/servers/"+vm1+"/action", h, nil, false)
	})
	t.Run("large", func(t *testing.T) {
		// Just under Nova's limit, whole.
		body := []byte(`{"os-stop": null, "pad": "` + strings.Repeat("x", middleware.DefaultMaxBodyBytes-28) + `"}`)
		require.Len(t, body, middleware.DefaultMaxBodyBytes)
		passThrough(t, f, http.MethodPost, "/v2.1/servers/"+vm1+"/action", h, body, false)
		passThrough(t, f, http.MethodPost, "/v2.1/servers/"+vm1+"/action", h, body, true)
	})
}

func TestOtherRoutesReachUpstream(t *testing.T) {
	f := newFixture(t)
	passThrough(t, f, http.MethodGet, "/v2.1/servers/detail", headers("member-token", "2.6"), nil, false)
	passThrough(t, f, http.MethodGet, "/v2.1/"+project+"/servers/detail?name=vm", headers("member-token", ""), nil, false)
	passThrough(t, f, http.MethodGet, "/v2.1/servers/"+vm1, headers("member-token", ""), nil, false)
	// The console routes with other methods are not console calls.
	passThrough(t, f, http.MethodGet, "/v2.1/servers/"+vm1+"/action", headers("member-token", ""), nil, false)
	passThrough(t, f, http.MethodGet, "/v2.1/servers/"+vm1+"/remote-consoles", headers("member-token", "2.6"), nil, false)
	passThrough(t, f, http.MethodDelete, "/v2.1/os-console-auth-tokens/abc", headers("admin-token", "2.31"), nil, false)
	// Version documents, with and without a token: Nova's own.
	for _, p := range []string{"/", "/v2.1/", "/v2"} {
		passThrough(t, f, http.MethodGet, p, headers("", ""), nil, false)
		passThrough(t, f, http.MethodGet, p, headers("member-token", ""), nil, false)
	}
}
