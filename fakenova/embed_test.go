package fakenova_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// The tests of fakenova.Middleware (issue 6): which requests it owns, what
// the handler behind it gets of the others, body limits, authentication,
// server sources and mounting under a prefix. They run in process: the
// reverse-proxy example (examples/proxy) runs the same over loopback.

// novaActionNames are the body keys of Nova's POST /servers/{id}/action
// (the wsgi.action names of nova/api/openstack/compute/*.py), copied from
// actions.go so that the test does not take the package's word for it.
var novaActionNames = []string{
	"addFixedIp", "addFloatingIp", "addSecurityGroup", "changePassword",
	"confirmResize", "createBackup", "createImage", "evacuate", "forceDelete",
	"injectNetworkInfo", "lock", "migrate", "os-getConsoleOutput",
	"os-getRDPConsole", "os-getSPICEConsole", "os-getSerialConsole",
	"os-getVNCConsole", "os-migrateLive", "os-resetState", "os-start", "os-stop",
	"pause", "reboot", "rebuild", "removeFixedIp", "removeFloatingIp",
	"removeSecurityGroup", "rescue", "resetNetwork", "resize", "restore",
	"resume", "revertResize", "shelve", "shelveOffload", "suspend",
	"trigger_crash_dump", "unlock", "unpause", "unrescue", "unshelve",
}

// consoleActionBodies are the actions the middleware owns, each with a
// body Nova accepts, and the status the fake answers it with (2.1: the
// legacy actions' microversions; RDP's handler, gone since Caracal, only
// ever answers webob's 400).
var consoleActionBodies = map[string]struct {
	body   string
	status int
}{
	"os-getVNCConsole":    {`{"os-getVNCConsole": {"type": "novnc"}}`, http.StatusOK},
	"os-getSPICEConsole":  {`{"os-getSPICEConsole": {"type": "spice-html5"}}`, http.StatusOK},
	"os-getSerialConsole": {`{"os-getSerialConsole": {"type": "serial"}}`, http.StatusOK},
	"os-getRDPConsole":    {`{"os-getRDPConsole": {"type": "rdp-html5"}}`, http.StatusBadRequest},
}

// nextGot is what the handler behind the middleware got of one request.
type nextGot struct {
	method, uri   string
	path          string // r.URL.Path
	header        http.Header
	body          []byte
	readErr       error
	again         int   // bytes a second read of the body gave
	contentLength int64 // r.ContentLength
	identity      *middleware.Identity
}

// recordingNext stands for the handler a team already has: it reads the
// body, records the request and answers 418 with X-Next, so that its
// answers are told from the fake's.
type recordingNext struct {
	mu  sync.Mutex
	got []nextGot
}

func (n *recordingNext) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g := nextGot{method: r.Method, uri: r.RequestURI, path: r.URL.Path, header: r.Header.Clone(), contentLength: r.ContentLength}
	g.body, g.readErr = io.ReadAll(r.Body)
	var one [1]byte
	g.again, _ = r.Body.Read(one[:])
	g.identity, _ = middleware.IdentityFrom(r.Context())
	n.mu.Lock()
	n.got = append(n.got, g)
	n.mu.Unlock()
	w.Header().Set("X-Next", "yes")
	w.WriteHeader(http.StatusTeapot)
}

// take returns what next got since the last take.
func (n *recordingNext) take() []nextGot {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.got
	n.got = nil
	return out
}

// embedFixture is the middleware in front of a recording next, over a
// store with a project, a member and an admin of it, a server on a host
// with every console, and another project's server.
type embedFixture struct {
	store           *state.Store
	project         string
	server, foreign state.Server
	member, admin   *middleware.Identity
	next            *recordingNext
	handler         http.Handler // fakenova.Middleware(opts...)(next)
}

func newEmbedFixture(t *testing.T, opts ...fakenova.Option) *embedFixture {
	t.Helper()
	st := state.New(state.WithProtocols(allProtocols...))
	p, err := st.AddProject(state.Project{Name: "demo"})
	require.NoError(t, err)
	other, err := st.AddProject(state.Project{Name: "other"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "compute-1"}))
	srv, err := st.AddServer(state.Server{Name: "vm1", ProjectID: p.ID, Host: "compute-1", VMState: state.VMActive})
	require.NoError(t, err)
	foreign, err := st.AddServer(state.Server{Name: "theirs", ProjectID: other.ID, Host: "compute-1", VMState: state.VMActive})
	require.NoError(t, err)
	f := &embedFixture{
		store: st, project: p.ID, server: srv, foreign: foreign, next: &recordingNext{},
		member: &middleware.Identity{UserID: "u1", ProjectID: p.ID, Roles: []string{"member", "reader"}},
		admin:  &middleware.Identity{UserID: "u2", ProjectID: p.ID, Roles: []string{"admin", "member", "reader"}},
	}
	f.handler = fakenova.Middleware(append([]fakenova.Option{fakenova.WithState(st)}, opts...)...)(f.next)
	return f
}

// asIdentity is a project's own authentication in small: it puts id (when
// not nil) in the request context, where the middleware reads it.
func asIdentity(id *middleware.Identity, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id != nil {
			r = r.WithContext(middleware.ContextWithIdentity(r.Context(), id))
		}
		h.ServeHTTP(w, r)
	})
}

// embedRequest builds a request with exactly the given headers and body;
// its ContentLength is the body's length, or -1 when chunked.
func embedRequest(method, target string, header http.Header, body []byte, chunked bool) *http.Request {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	if chunked {
		r.ContentLength = -1
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body)))
	}
	for k, v := range header {
		r.Header[k] = append([]string(nil), v...)
	}
	return r
}

// serve sends one request through the middleware as id.
func (f *embedFixture) serve(id *middleware.Identity, method, target string, header http.Header, body []byte, chunked bool) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	asIdentity(id, f.handler).ServeHTTP(w, embedRequest(method, target, header, body, chunked))
	return w
}

// jsonHeader is a JSON request's headers, at a microversion ("" for none).
func jsonHeader(version string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	if version != "" {
		h.Set("OpenStack-API-Version", "compute "+version)
	}
	return h
}

// assertAnswered checks that the fake answered (its request ids, next not
// called) with status.
func (f *embedFixture) assertAnswered(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	assert.Equal(t, status, w.Code, w.Body.String())
	assert.Empty(t, w.Header().Get("X-Next"))
	assertRequestIDs(t, w.Header())
	assert.Empty(t, f.next.take(), "next must not see what the fake answers")
}

// assertPassed checks that the request reached next, once, exactly as
// sent: method, URI, every header and nothing added, the body whole, its
// length, re-readable to EOF, the identity it carried; and that the
// answer is next's, with nothing of the fake's.
func (f *embedFixture) assertPassed(t *testing.T, w *httptest.ResponseRecorder, method, target string, header http.Header, body []byte, contentLength int64, id *middleware.Identity) {
	t.Helper()
	assert.Equal(t, http.StatusTeapot, w.Code, w.Body.String())
	assert.Equal(t, http.Header{"X-Next": {"yes"}}, w.Header(), "no request id or version headers on a pass-through")
	got := f.next.take()
	require.Len(t, got, 1)
	g := got[0]
	assert.Equal(t, method, g.method)
	assert.Equal(t, target, g.uri)
	if header == nil {
		header = http.Header{}
	}
	assert.Equal(t, header, g.header)
	if body == nil {
		body = []byte{}
	}
	assert.Equal(t, string(body), string(g.body))
	assert.NoError(t, g.readErr)
	assert.Zero(t, g.again, "read again after EOF")
	assert.Equal(t, contentLength, g.contentLength)
	assert.Same(t, id, g.identity)
}

func TestMiddlewareOwnsExactlyTheConsoleActions(t *testing.T) {
	require.Len(t, novaActionNames, 41)
	for _, name := range novaActionNames {
		for _, prefix := range []string{"/v2.1", "/v2.1/{p}", "/v2/{p}", "/v2"} {
			t.Run(name+" "+prefix, func(t *testing.T) {
				f := newEmbedFixture(t)
				target := strings.Replace(prefix, "{p}", f.project, 1) + "/servers/" + f.server.ID + "/action"
				if console, owned := consoleActionBodies[name]; owned {
					w := f.serve(f.member, http.MethodPost, target, jsonHeader(""), []byte(console.body), false)
					f.assertAnswered(t, w, console.status)
					if console.status == http.StatusOK {
						var out map[string]map[string]string
						require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
						assert.NotEmpty(t, out["console"]["url"])
					}
					return
				}
				for _, body := range []string{`{"` + name + `": null}`, `{"` + name + `": {"type": "novnc"}}`} {
					w := f.serve(f.member, http.MethodPost, target, jsonHeader(""), []byte(body), false)
					f.assertPassed(t, w, http.MethodPost, target, jsonHeader(""), []byte(body), int64(len(body)), f.member)
				}
			})
		}
	}
}

func TestMiddlewareBodiesItOwns(t *testing.T) {
	// Bodies Nova's action_peek reads as a console action, spelt unusually:
	// the fake answers them as Nova does.
	rows := []struct {
		name, body string
		status     int
	}{
		{"whitespace", " \n\t{\"os-getVNCConsole\" :\n{\"type\":\"novnc\"}}\r\n", http.StatusOK},
		{"escaped key", `{"os-get\u0056NCConsole": {"type": "novnc"}}`, http.StatusOK},
		// json.loads keeps the last of duplicate keys: one key, the action.
		{"duplicate key", `{"os-getVNCConsole": {"type": "x"}, "os-getVNCConsole": {"type": "novnc"}}`, http.StatusOK},
		// The action is Nova's to refuse: schema and version errors.
		{"bad arguments", `{"os-getVNCConsole": null}`, http.StatusBadRequest},
		{"bad type", `{"os-getVNCConsole": {"type": "spice-html5"}}`, http.StatusBadRequest},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			f := newEmbedFixture(t)
			w := f.serve(f.member, http.MethodPost, "/v2.1/servers/"+f.server.ID+"/action", jsonHeader(""), []byte(row.body), false)
			f.assertAnswered(t, w, row.status)
		})
	}
	t.Run("removed at 2.6", func(t *testing.T) {
		f := newEmbedFixture(t)
		w := f.serve(f.member, http.MethodPost, "/v2.1/servers/"+f.server.ID+"/action", jsonHeader("2.6"),
			[]byte(`{"os-getVNCConsole": {"type": "novnc"}}`), false)
		f.assertAnswered(t, w, http.StatusNotFound)
	})
}

// Malformed action bodies are passed to next untouched, where Nova would
// answer them 400 ("Malformed request body") or 404 (a body Python cannot
// take the keys of). Passing them is right because the middleware owns
// only the console actions, and a body that is not one is not its to
// judge: next is Nova, or speaks for it (a proxy to Nova, a team's mock of
// the other actions), and answers a malformed action as it answers any
// action, as Nova does. Answering them here would also hide from next the
// requests it is there to see (a proxy's upstream, a mock's recorder).
func TestMiddlewarePassesMalformedBodies(t *testing.T) {
	bodies := map[string]string{
		"not JSON":                   `not json`,
		"truncated":                  `{"os-getVNCConsole": {"type": "novnc"}`,
		"trailing data":              `{"os-getVNCConsole": {"type": "novnc"}} x`,
		"empty":                      ``,
		"empty object":               `{}`,
		"two keys":                   `{"os-stop": null, "reboot": {"type": "SOFT"}}`,
		"a list":                     `[{"os-getVNCConsole": {"type": "novnc"}}]`,
		"a number":                   `42`,
		"null":                       `null`,
		"a string":                   `"os-getVNCConsole"`,
		"console key and another":    `{"os-getVNCConsole": {"type": "novnc"}, "x": 1}`,
		"another key and console":    `{"x": 1, "os-getVNCConsole": {"type": "novnc"}}`,
		"console nested":             `{"x": {"os-getVNCConsole": {"type": "novnc"}}}`,
		"console in a list in a key": `{"x": [{"os-getVNCConsole": {"type": "novnc"}}]}`,
		"invalid UTF-8":              "{\"os-getVNCConsole\xff\": {\"type\": \"novnc\"}}",
		"unknown action":             `{"frobnicate": {}}`,
		"console name, other case":   `{"os-getvncconsole": {"type": "novnc"}}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			f := newEmbedFixture(t)
			target := "/v2.1/" + f.project + "/servers/" + f.server.ID + "/action"
			for _, id := range []*middleware.Identity{f.member, nil} {
				w := f.serve(id, http.MethodPost, target, jsonHeader(""), []byte(body), false)
				f.assertPassed(t, w, http.MethodPost, target, jsonHeader(""), []byte(body), int64(len(body)), id)
				w = f.serve(id, http.MethodPost, target, jsonHeader(""), []byte(body), true)
				f.assertPassed(t, w, http.MethodPost, target, jsonHeader(""), []byte(body), -1, id)
			}
		})
	}
	t.Run("no body at all", func(t *testing.T) {
		f := newEmbedFixture(t)
		target := "/v2.1/servers/" + f.server.ID + "/action"
		r := httptest.NewRequest(http.MethodPost, target, nil)
		require.Equal(t, http.NoBody, r.Body)
		w := httptest.NewRecorder()
		asIdentity(f.member, f.handler).ServeHTTP(w, r)
		f.assertPassed(t, w, http.MethodPost, target, nil, nil, 0, f.member)
	})
}

// webob413 is the 413 of oslo's sizelimit (a Content-Length over the
// limit) with Accept: application/json.
func webob413(limit int64) string {
	return fmt.Sprintf(`{"message": "Request is too large. Larger than max_request_body_size (%d).<br /><br />\n\n\n", `+
		`"code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}`, limit)
}

// padded returns an action body of exactly n bytes: the action, then
// spaces, which JSON ignores.
func padded(action string, n int) []byte {
	b := []byte(action)
	return append(b, bytes.Repeat([]byte(" "), n-len(b))...)
}

func TestMiddlewareBodyLimit(t *testing.T) {
	const limit = middleware.DefaultMaxBodyBytes
	require.EqualValues(t, 114688, limit)
	stop := `{"os-stop": null}`
	vncBody := `{"os-getVNCConsole": {"type": "novnc"}}`

	t.Run("at the limit a non-console action passes whole", func(t *testing.T) {
		f := newEmbedFixture(t)
		target := "/v2.1/servers/" + f.server.ID + "/action"
		// Not spaces only: the bytes must arrive in order.
		body := []byte(`{"os-stop": null, "pad": "`)
		for i := 0; len(body) < limit-2; i++ {
			body = append(body, byte('a'+i%26))
		}
		body = append(body, `"}`...)
		require.Len(t, body, limit)
		w := f.serve(f.member, http.MethodPost, target, jsonHeader(""), body, false)
		f.assertPassed(t, w, http.MethodPost, target, jsonHeader(""), body, limit, f.member)
		w = f.serve(f.member, http.MethodPost, target, jsonHeader(""), body, true)
		f.assertPassed(t, w, http.MethodPost, target, jsonHeader(""), body, -1, f.member)
	})
	t.Run("at the limit a console action is answered", func(t *testing.T) {
		f := newEmbedFixture(t)
		w := f.serve(f.member, http.MethodPost, "/v2.1/servers/"+f.server.ID+"/action", jsonHeader(""), padded(vncBody, limit), false)
		f.assertAnswered(t, w, http.StatusOK)
	})
	for _, body := range []string{stop, vncBody} {
		t.Run("one byte over: 413 "+body, func(t *testing.T) {
			f := newEmbedFixture(t)
			// Nova's sizelimit stands before authtoken: no identity needed.
			for _, id := range []*middleware.Identity{f.member, nil} {
				w := f.serve(id, http.MethodPost, "/v2.1/servers/"+f.server.ID+"/action", jsonHeader(""), padded(body, limit+1), false)
				f.assertAnswered(t, w, http.StatusRequestEntityTooLarge)
				assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
				assert.Equal(t, webob413(limit), w.Body.String())
			}
		})
		t.Run("chunked over the limit: 413 "+body, func(t *testing.T) {
			f := newEmbedFixture(t)
			w := f.serve(f.member, http.MethodPost, "/v2.1/servers/"+f.server.ID+"/action", jsonHeader(""), padded(body, 2*limit), true)
			f.assertAnswered(t, w, http.StatusRequestEntityTooLarge)
			assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			// oslo's LimitingReader, raised while the body is read.
			assert.JSONEq(t, `{"message": "Request is too large. Larger than 114688.<br /><br />\n\n\n",
				"code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}`, w.Body.String())
		})
	}
	t.Run("chunked over the limit without identity: Keystone's 401 first", func(t *testing.T) {
		// Nova reads a chunked body after authtoken, so the 401 comes first.
		f := newEmbedFixture(t)
		w := f.serve(nil, http.MethodPost, "/v2.1/servers/"+f.server.ID+"/action", jsonHeader(""), padded(stop, limit+1), true)
		f.assertAnswered(t, w, http.StatusUnauthorized)
	})
	t.Run("other routes are next's to limit", func(t *testing.T) {
		f := newEmbedFixture(t)
		body := padded(`{"server": {}}`, 2*limit)
		w := f.serve(f.member, http.MethodPost, "/v2.1/servers", jsonHeader(""), body, false)
		f.assertPassed(t, w, http.MethodPost, "/v2.1/servers", jsonHeader(""), body, int64(len(body)), f.member)
	})
	t.Run("remote-consoles over the limit", func(t *testing.T) {
		f := newEmbedFixture(t)
		w := f.serve(f.member, http.MethodPost, "/v2.1/servers/"+f.server.ID+"/remote-consoles", jsonHeader("2.6"),
			padded(`{"remote_console": {"protocol": "vnc", "type": "novnc"}}`, limit+1), false)
		f.assertAnswered(t, w, http.StatusRequestEntityTooLarge)
		assert.Equal(t, webob413(limit), w.Body.String())
	})
	t.Run("WithMaxBodyBytes", func(t *testing.T) {
		f := newEmbedFixture(t, fakenova.WithMaxBodyBytes(64))
		target := "/v2.1/servers/" + f.server.ID + "/action"
		w := f.serve(f.member, http.MethodPost, target, jsonHeader(""), padded(stop, 64), false)
		f.assertPassed(t, w, http.MethodPost, target, jsonHeader(""), padded(stop, 64), 64, f.member)
		w = f.serve(f.member, http.MethodPost, target, jsonHeader(""), padded(stop, 64), true)
		f.assertPassed(t, w, http.MethodPost, target, jsonHeader(""), padded(stop, 64), -1, f.member)
		w = f.serve(f.member, http.MethodPost, target, jsonHeader(""), padded(vncBody, 64), false)
		f.assertAnswered(t, w, http.StatusOK)
		for _, body := range []string{stop, vncBody} {
			w = f.serve(f.member, http.MethodPost, target, jsonHeader(""), padded(body, 65), false)
			f.assertAnswered(t, w, http.StatusRequestEntityTooLarge)
			assert.Equal(t, webob413(64), w.Body.String())
			w = f.serve(f.member, http.MethodPost, target, jsonHeader(""), padded(body, 65), true)
			f.assertAnswered(t, w, http.StatusRequestEntityTooLarge)
		}
	})
}

func TestMiddlewareRoutes(t *testing.T) {
	f := newEmbedFixture(t)
	rcBody := []byte(`{"remote_console": {"protocol": "vnc", "type": "novnc"}}`)
	srv := f.server.ID

	// Owned: remote-consoles and os-console-auth-tokens, with and without a
	// project, under /v2 and /v2.1. /v2 is 2.1 whatever the headers say,
	// where both answer as Nova does there: 404 and 400.
	tok, err := f.store.IssueConsole(f.server, state.ConsoleRequest{Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	owned := []struct {
		method, target string
		body           []byte
		status         int
	}{
		{http.MethodPost, "/v2.1/servers/" + srv + "/remote-consoles", rcBody, http.StatusOK},
		{http.MethodPost, "/v2.1/" + f.project + "/servers/" + srv + "/remote-consoles", rcBody, http.StatusOK},
		{http.MethodPost, "/v2/" + f.project + "/servers/" + srv + "/remote-consoles", rcBody, http.StatusNotFound},
		{http.MethodPost, "/v2/servers/" + srv + "/remote-consoles", rcBody, http.StatusNotFound},
		{http.MethodGet, "/v2.1/os-console-auth-tokens/" + tok.Token, nil, http.StatusOK},
		{http.MethodGet, "/v2.1/" + f.project + "/os-console-auth-tokens/" + tok.Token, nil, http.StatusOK},
		{http.MethodGet, "/v2.1/os-console-auth-tokens/" + state.NewProjectID(), nil, http.StatusNotFound},
		{http.MethodGet, "/v2/" + f.project + "/os-console-auth-tokens/" + tok.Token, nil, http.StatusBadRequest},
		{http.MethodGet, "/v2/os-console-auth-tokens/" + tok.Token, nil, http.StatusBadRequest},
	}
	for _, row := range owned {
		w := f.serve(f.admin, row.method, row.target, jsonHeader("2.31"), row.body, false)
		f.assertAnswered(t, w, row.status)
	}

	// Not owned: the console paths with other methods, near misses, other
	// APIs, the version documents (which the middleware leaves to next:
	// Nova's, or whatever next serves there).
	passed := []struct{ method, target string }{
		{http.MethodGet, "/v2.1/servers/" + srv + "/action"},
		{http.MethodPut, "/v2.1/servers/" + srv + "/action"},
		{http.MethodDelete, "/v2.1/servers/" + srv + "/action"},
		{http.MethodPatch, "/v2.1/servers/" + srv + "/action"},
		{http.MethodGet, "/v2.1/servers/" + srv + "/remote-consoles"},
		{http.MethodPut, "/v2.1/" + f.project + "/servers/" + srv + "/remote-consoles"},
		{http.MethodPost, "/v2.1/os-console-auth-tokens/" + tok.Token},
		{http.MethodDelete, "/v2.1/os-console-auth-tokens/" + tok.Token},
		{http.MethodHead, "/v2.1/os-console-auth-tokens/" + tok.Token},
		{http.MethodPost, "/v2.1/servers/" + srv + "/action/"},
		{http.MethodPost, "/v2.1/servers/" + srv + "/action/x"},
		{http.MethodPost, "/v2.1/servers/" + srv + "/remote-consoles/"},
		{http.MethodPost, "/v2.1/servers//action"},
		{http.MethodPost, "/v2.1/servers/action"},
		{http.MethodGet, "/v2.1/os-console-auth-tokens/"},
		{http.MethodGet, "/v2.1/os-console-auth-tokens/" + tok.Token + "/x"},
		{http.MethodPost, "/v2.1/" + f.project + "/x/servers/" + srv + "/action"},
		{http.MethodPost, "/v3/servers/" + srv + "/action"},
		{http.MethodPost, "/compute/v2.1/servers/" + srv + "/action"},
		{http.MethodPost, "/v2.1/servers/" + srv + "/os-interface"},
		{http.MethodGet, "/v2.1/servers/detail"},
		{http.MethodGet, "/v2.1/" + f.project + "/servers/" + srv},
		{http.MethodGet, "/v2.1/os-simple-tenant-usage"},
		{http.MethodGet, "/"},
		{http.MethodGet, "/v2"},
		{http.MethodGet, "/v2/"},
		{http.MethodGet, "/v2.1"},
		{http.MethodGet, "/v2.1/"},
		{http.MethodGet, "/v2.1/" + f.project},
		{http.MethodGet, "/v2.1/" + f.project + "/"},
		{http.MethodGet, "/_novastub/journal"},
	}
	body := []byte(`{"os-getVNCConsole": {"type": "novnc"}}`)
	for _, row := range passed {
		for _, id := range []*middleware.Identity{f.admin, nil} {
			w := f.serve(id, row.method, row.target, jsonHeader("2.31"), body, false)
			f.assertPassed(t, w, row.method, row.target, jsonHeader("2.31"), body, int64(len(body)), id)
		}
	}
}

func TestMiddlewareAuthentication(t *testing.T) {
	vncBody := []byte(`{"os-getVNCConsole": {"type": "novnc"}}`)
	keystone401 := `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`

	t.Run("identity from the project's middleware", func(t *testing.T) {
		f := newEmbedFixture(t)
		target := "/v2.1/servers/" + f.server.ID + "/action"
		// The project's middleware as this package ships it: Authenticate
		// puts the token's identity in the context.
		h := middleware.Authenticate(middleware.StaticTokens(map[string]middleware.Identity{"t-member": *f.member}))(f.handler)
		w := httptest.NewRecorder()
		r := embedRequest(http.MethodPost, target, jsonHeader(""), vncBody, false)
		r.Header.Set("X-Auth-Token", "t-member")
		h.ServeHTTP(w, r)
		f.assertAnswered(t, w, http.StatusOK)

		// Without one: Keystone's 401 from the fake, naming the fake's
		// identity endpoint, for an owned call...
		w = f.serve(nil, http.MethodPost, target, jsonHeader(""), vncBody, false)
		f.assertAnswered(t, w, http.StatusUnauthorized)
		assert.Equal(t, `Keystone uri="http://example.com/identity"`, w.Header().Get("WWW-Authenticate"))
		assert.Equal(t, keystone401, w.Body.String())
		// ...whatever the token says: the context decides.
		h2 := jsonHeader("")
		h2.Set("X-Auth-Token", "t-member")
		w = f.serve(nil, http.MethodPost, target, h2, vncBody, false)
		f.assertAnswered(t, w, http.StatusUnauthorized)
		w = f.serve(nil, http.MethodPost, "/v2.1/servers/"+f.server.ID+"/remote-consoles", jsonHeader("2.6"),
			[]byte(`{"remote_console": {"protocol": "vnc", "type": "novnc"}}`), false)
		f.assertAnswered(t, w, http.StatusUnauthorized)
		w = f.serve(nil, http.MethodGet, "/v2.1/os-console-auth-tokens/x", jsonHeader("2.31"), nil, false)
		f.assertAnswered(t, w, http.StatusUnauthorized)
		// ...while a call the fake does not own still reaches next.
		stop := []byte(`{"os-stop": null}`)
		w = f.serve(nil, http.MethodPost, target, jsonHeader(""), stop, false)
		f.assertPassed(t, w, http.MethodPost, target, jsonHeader(""), stop, int64(len(stop)), nil)
	})

	t.Run("WithAuthenticator checks X-Auth-Token itself", func(t *testing.T) {
		f := newEmbedFixture(t)
		f.handler = fakenova.Middleware(fakenova.WithState(f.store),
			fakenova.WithAuthenticator(middleware.StaticTokens(map[string]middleware.Identity{"t-member": *f.member})))(f.next)
		target := "/v2.1/" + f.project + "/servers/" + f.server.ID + "/action"
		withToken := func(tok string) http.Header {
			h := jsonHeader("")
			if tok != "" {
				h.Set("X-Auth-Token", tok)
			}
			return h
		}
		w := f.serve(nil, http.MethodPost, target, withToken("t-member"), vncBody, false)
		f.assertAnswered(t, w, http.StatusOK)
		for _, tok := range []string{"", "t-wrong"} {
			w = f.serve(nil, http.MethodPost, target, withToken(tok), vncBody, false)
			f.assertAnswered(t, w, http.StatusUnauthorized)
			assert.Equal(t, keystone401, w.Body.String())
			assert.Equal(t, `Keystone uri="http://example.com/identity"`, w.Header().Get("WWW-Authenticate"))
		}
		// The authenticator replaces the context: an identity there without
		// the token does not do.
		w = f.serve(f.admin, http.MethodPost, target, withToken(""), vncBody, false)
		f.assertAnswered(t, w, http.StatusUnauthorized)
		// Not owned: next, token or not, checked or not.
		stop := []byte(`{"os-stop": null}`)
		for _, tok := range []string{"", "t-wrong", "t-member"} {
			w = f.serve(nil, http.MethodPost, target, withToken(tok), stop, false)
			f.assertPassed(t, w, http.MethodPost, target, withToken(tok), stop, int64(len(stop)), nil)
		}
	})

	t.Run("the identity's project must be the URL's", func(t *testing.T) {
		f := newEmbedFixture(t)
		other := state.NewProjectID()
		w := f.serve(f.member, http.MethodPost, "/v2.1/"+other+"/servers/"+f.server.ID+"/action", jsonHeader(""), vncBody, false)
		f.assertAnswered(t, w, http.StatusBadRequest)
		assert.Contains(t, w.Body.String(), "Malformed request URL: URL's project_id '"+other+"' doesn't match Context's project_id '"+f.project+"'")
	})
}

func TestMiddlewareServerSource(t *testing.T) {
	vncBody := []byte(`{"os-getVNCConsole": {"type": "novnc"}}`)
	rcBody := []byte(`{"remote_console": {"protocol": "vnc", "type": "novnc"}}`)
	external := state.Server{ID: "6f1d4c2e-8a3b-4c5d-9e7f-0a1b2c3d4e5f", Host: "their-host", VMState: state.VMActive}
	failing := "0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e"
	wrapped := "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"

	f := newEmbedFixture(t)
	other := f.foreign.ProjectID
	external.ProjectID = f.project
	theirs := state.Server{ID: "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", ProjectID: other, Host: "their-host", VMState: state.VMActive}

	var mu sync.Mutex
	var asked []string
	var askedAs []*middleware.Identity
	source := fakenova.ServerSourceFunc(func(ctx context.Context, id string) (state.Server, error) {
		who, _ := middleware.IdentityFrom(ctx)
		mu.Lock()
		asked, askedAs = append(asked, id), append(askedAs, who)
		mu.Unlock()
		switch id {
		case external.ID:
			return external, nil
		case theirs.ID:
			return theirs, nil
		case failing:
			return state.Server{}, errors.New("database is down")
		case wrapped:
			return state.Server{}, fmt.Errorf("their lookup: %w", state.ErrNotFound)
		}
		return state.Server{}, state.ErrNotFound
	})
	var logs bytes.Buffer
	f.handler = fakenova.Middleware(fakenova.WithState(f.store), fakenova.WithServerSource(source),
		fakenova.WithLogger(slogTo(&logs)))(f.next)
	takeAsked := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := asked
		asked, askedAs = nil, nil
		return out
	}

	// The fake asks the source, with the request's context, and issues the
	// console from what it says: a server the store has never heard of.
	action := func(id string) string { return "/v2.1/servers/" + id + "/action" }
	w := f.serve(f.member, http.MethodPost, action(external.ID), jsonHeader(""), vncBody, false)
	f.assertAnswered(t, w, http.StatusOK)
	mu.Lock()
	assert.Equal(t, []*middleware.Identity{f.member}, askedAs)
	mu.Unlock()
	assert.Equal(t, []string{external.ID}, takeAsked())
	_, err := f.store.Server(external.ID)
	assert.ErrorIs(t, err, state.ErrNotFound, "the source's server stays the source's")
	var out map[string]map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
	tok, err := f.store.ConsoleToken(tokenOf(t, out["console"]["url"], novncPrefix))
	require.NoError(t, err, "console tokens stay in the fake")
	assert.Equal(t, external.ID, tok.ServerID)
	assert.Equal(t, "their-host", tok.Host)

	w = f.serve(f.member, http.MethodPost, "/v2.1/servers/"+external.ID+"/remote-consoles", jsonHeader("2.6"), rcBody, false)
	f.assertAnswered(t, w, http.StatusOK)
	assert.Equal(t, []string{external.ID}, takeAsked())

	// The store's own servers are not consulted: the source is the truth.
	w = f.serve(f.member, http.MethodPost, action(f.server.ID), jsonHeader(""), vncBody, false)
	f.assertAnswered(t, w, http.StatusNotFound)
	assert.Equal(t, []string{f.server.ID}, takeAsked())

	rows := []struct {
		name   string
		id     string
		who    *middleware.Identity
		status int
		msg    string
	}{
		{"state.ErrNotFound", "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918", f.member, http.StatusNotFound, ""},
		{"a wrapped state.ErrNotFound", wrapped, f.member, http.StatusNotFound, ""},
		{"another error", failing, f.member, http.StatusInternalServerError, webobServerError},
		{"another project's server", theirs.ID, f.member, http.StatusNotFound, ""},
		{"another project's server, to an admin", theirs.ID, f.admin, http.StatusOK, ""},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			w := f.serve(row.who, http.MethodPost, action(row.id), jsonHeader(""), vncBody, false)
			f.assertAnswered(t, w, row.status)
			assert.Equal(t, []string{row.id}, takeAsked())
			if row.status == http.StatusOK {
				return
			}
			msg := row.msg
			if msg == "" {
				msg = "Instance " + row.id + " could not be found."
			}
			assert.Equal(t, map[string]map[string]any{fakenova.FaultName(row.status): {"code": float64(row.status), "message": msg}},
				decodeFault(t, w.Body.Bytes()))
		})
	}
	assert.Contains(t, logs.String(), "server source failed")
	assert.Contains(t, logs.String(), "database is down")

	// os-console-auth-tokens reads the fake's tokens, and asks the source
	// whether the token's server is still there (issue 14).
	w = f.serve(f.admin, http.MethodGet, "/v2.1/os-console-auth-tokens/"+tok.Token, jsonHeader("2.31"), nil, false)
	f.assertAnswered(t, w, http.StatusOK)
	assert.Equal(t, []string{tok.ServerID}, takeAsked())
	// Nor do calls the fake does not own.
	w = f.serve(f.member, http.MethodPost, action(external.ID), jsonHeader(""), []byte(`{"os-stop": null}`), false)
	assert.Equal(t, http.StatusTeapot, w.Code)
	f.next.take()
	assert.Empty(t, takeAsked())
}

// slogTo is a logger that writes text records to w.
func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

const webobServerError = "The server has either erred or is incapable of performing the requested operation."

func decodeFault(t *testing.T, body []byte) map[string]map[string]any {
	t.Helper()
	var out map[string]map[string]any
	require.NoError(t, json.Unmarshal(body, &out), string(body))
	return out
}

func TestMiddlewareUnderAPrefix(t *testing.T) {
	const external = "https://cloud.example/compute"
	vncBody := []byte(`{"os-getVNCConsole": {"type": "novnc"}}`)
	forwarded := http.Header{
		"X-Forwarded-Proto":  {"https"},
		"X-Forwarded-Host":   {"cloud.example, proxy.internal"}, // proxies append: the first is the client's
		"X-Forwarded-Prefix": {"/compute/"},
	}
	configs := []struct {
		name   string
		opts   []fakenova.Option
		header http.Header
	}{
		{"WithExternalURL", []fakenova.Option{fakenova.WithExternalURL(external + "/")}, nil},
		{"WithTrustForwardedHeaders", []fakenova.Option{fakenova.WithTrustForwardedHeaders(true)}, forwarded},
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			f := newEmbedFixture(t, cfg.opts...)
			mux := http.NewServeMux()
			mux.Handle("/compute/", http.StripPrefix("/compute", f.handler))
			send := func(id *middleware.Identity, method, target string, header http.Header, body []byte) *httptest.ResponseRecorder {
				h := header.Clone()
				for k, v := range cfg.header {
					h[k] = v
				}
				w := httptest.NewRecorder()
				asIdentity(id, mux).ServeHTTP(w, embedRequest(method, target, h, body, false))
				return w
			}

			// The console calls are answered under the prefix...
			target := "/compute/v2.1/" + f.project + "/servers/" + f.server.ID + "/action"
			w := send(f.member, http.MethodPost, target, jsonHeader(""), vncBody)
			f.assertAnswered(t, w, http.StatusOK)
			// ...and a 401 names the identity endpoint under the external base.
			w = send(nil, http.MethodPost, target, jsonHeader(""), vncBody)
			f.assertAnswered(t, w, http.StatusUnauthorized)
			assert.Equal(t, `Keystone uri="`+external+`/identity"`, w.Header().Get("WWW-Authenticate"))

			// What the fake does not own reaches next with the prefix
			// stripped, as StripPrefix hands it on.
			w = send(f.member, http.MethodGet, "/compute/v2.1/servers/detail", jsonHeader(""), nil)
			assert.Equal(t, http.StatusTeapot, w.Code)
			got := f.next.take()
			require.Len(t, got, 1)
			assert.Equal(t, "/v2.1/servers/detail", got[0].path)
			assert.Equal(t, "/compute/v2.1/servers/detail", got[0].uri, "RequestURI is left alone")
		})
	}

	// Without trust, the forwarded headers are ignored.
	t.Run("forwarded headers untrusted", func(t *testing.T) {
		f := newEmbedFixture(t)
		h := jsonHeader("")
		for k, v := range forwarded {
			h[k] = v
		}
		w := httptest.NewRecorder()
		http.StripPrefix("/compute", f.handler).ServeHTTP(w,
			embedRequest(http.MethodPost, "/compute/v2.1/servers/"+f.server.ID+"/action", h, vncBody, false))
		f.assertAnswered(t, w, http.StatusUnauthorized)
		assert.Equal(t, `Keystone uri="http://example.com/identity"`, w.Header().Get("WWW-Authenticate"))
	})

	// The version documents are next's under the middleware (it passes
	// them on, see TestMiddlewareRoutes), so their links are checked on
	// fakenova.New, which shares the options and the base URL.
	for _, cfg := range configs {
		t.Run("version documents "+cfg.name, func(t *testing.T) {
			nova := httptest.NewServer(http.StripPrefix("/compute", fakenova.New(cfg.opts...)))
			t.Cleanup(nova.Close)
			max := fakenova.DefaultMaxMicroversion.String()
			for path, want := range map[string]string{
				"/compute/":      versionsDocument(external, max),
				"/compute/v2.1/": v21Document(external, max),
				"/compute/v2.1":  v21Document(external, max),
				"/compute/v2/":   v20Document(external),
			} {
				ex := send(t, nova.URL, http.MethodGet, path, cfg.header, "")
				require.Equal(t, http.StatusOK, ex.status, path)
				assert.JSONEq(t, want, ex.body, path)
			}
			ex := send(t, nova.URL, http.MethodGet, "/compute/v2.1/servers", cfg.header, "")
			assert.Equal(t, http.StatusUnauthorized, ex.status)
			assert.Equal(t, `Keystone uri="`+external+`/identity"`, ex.header.Get("WWW-Authenticate"))
		})
	}
}

// A RoundTripper may read a request body after RoundTrip returned, from
// its own goroutine (net/http's RoundTripper documentation), so the body
// a handler hands on may be read after the handler returned; net/http's
// server makes that safe (a read after the handler returned fails) and
// httputil.ReverseProxy relies on it ("in practice it's safe to read after
// closing it"). The body the middleware hands next must be as safe: read
// late, it gives its own request's bytes or an error, never the bytes of
// a later request.
func TestMiddlewarePassedBodyReadLate(t *testing.T) {
	late := make(chan io.ReadCloser, 1)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var head [16]byte
		_, err := io.ReadFull(r.Body, head[:]) // the transport's first write
		if err != nil {
			panic(err)
		}
		late <- r.Body // its goroutine outlives the handler
		w.WriteHeader(http.StatusAccepted)
	})
	h := fakenova.Middleware()(next)
	bodyOf := func(c byte) []byte {
		return []byte(`{"os-stop": null, "pad": "` + strings.Repeat(string(c), 2000) + `"}`)
	}
	for i := 0; i < 50; i++ {
		a := bodyOf('a')
		h.ServeHTTP(httptest.NewRecorder(), embedRequest(http.MethodPost, "/v2.1/servers/x/action", nil, a, false))
		aBody := <-late
		// Another request through the middleware meanwhile.
		h.ServeHTTP(httptest.NewRecorder(), embedRequest(http.MethodPost, "/v2.1/servers/x/action", nil, bodyOf('b'), false))
		<-late
		rest, err := io.ReadAll(aBody)
		require.False(t, bytes.Contains(rest, []byte("b")), "a late read gave another request's body: %.40q...", rest)
		if err == nil {
			require.Equal(t, string(a[16:]), string(rest))
		}
	}
}

// A failed read of the body (the client went away) fails next's read too,
// after what was read: next must not take a cut body for a whole one.
func TestMiddlewarePassesReadErrors(t *testing.T) {
	f := newEmbedFixture(t)
	target := "/v2.1/servers/" + f.server.ID + "/action"
	for _, contentLength := range []int64{100, -1} {
		r := embedRequest(http.MethodPost, target, jsonHeader(""), nil, false)
		r.ContentLength = contentLength
		r.Body = io.NopCloser(&cutBody{data: []byte(`{"os-stop": nu`)})
		w := httptest.NewRecorder()
		asIdentity(f.member, f.handler).ServeHTTP(w, r)
		assert.Equal(t, http.StatusTeapot, w.Code)
		got := f.next.take()
		require.Len(t, got, 1)
		assert.Equal(t, `{"os-stop": nu`, string(got[0].body))
		assert.ErrorIs(t, got[0].readErr, io.ErrUnexpectedEOF)
	}
}

// cutBody is a body whose client went away, as net/http's server body
// reports it: the bytes that came, io.ErrUnexpectedEOF once, then io.EOF.
type cutBody struct {
	data   []byte
	failed bool
}

func (b *cutBody) Read(p []byte) (int, error) {
	if len(b.data) > 0 {
		n := copy(p, b.data)
		b.data = b.data[n:]
		return n, nil
	}
	if !b.failed {
		b.failed = true
		return 0, io.ErrUnexpectedEOF
	}
	return 0, io.EOF
}
