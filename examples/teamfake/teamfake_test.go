package teamfake

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/remoteconsoles"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

var tokens = map[string]string{"t1": "1", "t2": "2", "op": "0"}

// fixture runs the team's fake behind the console glue, and the same fake
// alone, to compare pass-through answers with.
type fixture struct {
	wrapped  *httptest.Server
	plain    *httptest.Server
	store    *state.Store
	tenant1  *gophercloud.ServiceClient
	tenant2  *gophercloud.ServiceClient
	operator *gophercloud.ServiceClient
}

func newFixture(t *testing.T) *fixture {
	up := NewUpstream(tokens)
	st := state.New(state.WithProtocols(state.ProtocolVNC, state.ProtocolSerial))
	reference := NewUpstream(tokens) // fed the same calls, for pass-through comparisons
	f := &fixture{store: st,
		wrapped: httptest.NewServer(WithConsoles(up, st)),
		plain:   httptest.NewServer(reference.Authenticate(reference))}
	t.Cleanup(f.wrapped.Close)
	t.Cleanup(f.plain.Close)
	client := func(token, tenant, root string) *gophercloud.ServiceClient {
		return &gophercloud.ServiceClient{
			ProviderClient: &gophercloud.ProviderClient{TokenID: token, HTTPClient: *http.DefaultClient},
			Endpoint:       f.wrapped.URL + root + "/" + tenant + "/", Type: "compute",
		}
	}
	f.tenant1, f.tenant2, f.operator = client("t1", "1", "/v2.1"), client("t2", "2", "/v2.1"), client("op", "0", "/v2.1")
	return f
}

func TestConsolesForTheTeamsFake(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	// Create on the upstream, through the middleware (it passes through).
	created, err := servers.Create(ctx, f.tenant1, servers.CreateOpts{Name: "web-1", FlavorRef: "1"}, nil).Extract()
	require.NoError(t, err)
	require.Equal(t, "1", created.ID, "the upstream's integer id")

	// A console at 2.6 (remote-consoles) ...
	f.tenant1.Microversion = "2.6"
	rc, err := remoteconsoles.Create(ctx, f.tenant1, created.ID, remoteconsoles.CreateOpts{Protocol: "vnc", Type: "novnc"}).Extract()
	require.NoError(t, err)
	require.NotNil(t, rc)
	assert.Equal(t, "vnc", rc.Protocol)
	token := tokenOf(t, rc.URL)
	tok, err := f.store.ConsoleToken(token)
	require.NoError(t, err)
	assert.Equal(t, "1", tok.ServerID, "the token records the upstream's id")
	assert.Equal(t, "compute-1", tok.Host)

	// ... and through the legacy action, on /v2 as well as /v2.1.
	f.tenant1.Microversion = ""
	for _, root := range []string{"/v2.1", "/v2"} {
		var out struct{ Console struct{ Type, URL string } }
		_, err = f.tenant1.Post(ctx, f.wrapped.URL+root+"/1/servers/1/action",
			map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, &out,
			&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
		require.NoError(t, err, root)
		assert.Equal(t, "novnc", out.Console.Type)
	}
	// remote-consoles does not exist on the legacy /v2 endpoint (version 2.1).
	_, err = f.tenant1.Post(ctx, f.wrapped.URL+"/v2/1/servers/1/remote-consoles",
		map[string]any{"remote_console": map[string]string{"protocol": "vnc", "type": "novnc"}}, nil,
		&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)

	// The operator (mapped to admin) reads the token's connection info.
	f.operator.Microversion = "2.31"
	var info struct {
		Console struct {
			InstanceUUID string `json:"instance_uuid"`
			Host         string `json:"host"`
		} `json:"console"`
	}
	_, err = f.operator.Get(ctx, f.operator.ServiceURL("os-console-auth-tokens", token), &info, nil)
	require.NoError(t, err)
	assert.Equal(t, "1", info.Console.InstanceUUID)

	// Another tenant does not find the server: 404 (and 400 on the first
	// tenant's URL, Nova's project mismatch).
	f.tenant2.Microversion = "2.6"
	_, err = remoteconsoles.Create(ctx, f.tenant2, created.ID, remoteconsoles.CreateOpts{Protocol: "vnc", Type: "novnc"}).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)
	resp := do(t, f.wrapped.URL, http.MethodPost, "/v2.1/1/servers/1/remote-consoles", "t2", "2.6",
		`{"remote_console": {"protocol": "vnc", "type": "novnc"}}`)
	assert.Equal(t, http.StatusBadRequest, resp.code)
	assert.JSONEq(t, `{"badRequest": {"code": 400, "message": "Malformed request URL: URL's project_id '1' doesn't match Context's project_id '2'"}}`, resp.body)

	// Deleted on the upstream: the console call and the token are 404.
	require.NoError(t, servers.Delete(ctx, f.tenant1, created.ID).ExtractErr())
	f.tenant1.Microversion = "2.6"
	_, err = remoteconsoles.Create(ctx, f.tenant1, created.ID, remoteconsoles.CreateOpts{Protocol: "vnc", Type: "novnc"}).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)
	resp = do(t, f.wrapped.URL, http.MethodGet, "/v2.1/0/os-console-auth-tokens/"+token, "op", "2.31", "")
	assert.Equal(t, http.StatusNotFound, resp.code)
	assert.JSONEq(t, `{"itemNotFound": {"code": 404, "message": "Token not found"}}`, resp.body)
	_, err = f.store.ConsoleToken(token)
	assert.ErrorIs(t, err, state.ErrNotFound, "the store revoked the server's tokens")

	// The version documents come from the middleware, with its range.
	resp = do(t, f.wrapped.URL, http.MethodGet, "/v2.1/", "t1", "", "") // the team asks a token for everything
	assert.Equal(t, http.StatusOK, resp.code)
	assert.Contains(t, resp.body, `"min_version": "2.1"`)
}

// Everything that is not a console call reaches the team's fake byte for
// byte: the same answers with and without the middleware.
func TestPassThroughByteForByte(t *testing.T) {
	f := newFixture(t)
	calls := []struct{ method, path, token, body string }{
		{http.MethodPost, "/v2.1/1/servers", "t1", `{"server": {"name": "a"}}`},
		{http.MethodPost, "/v2/1/servers", "t1", `{"server": {"name": "b"}}`},
		{http.MethodGet, "/v2.1/1/servers", "t1", ""},
		{http.MethodGet, "/v2.1/1/servers/1", "t1", ""},
		{http.MethodPost, "/v2.1/1/servers/1/action", "t1", `{"os-stop": null}`},
		{http.MethodPost, "/v2.1/1/servers/1/action", "t1", `{"nonsense": {}}`},
		{http.MethodPost, "/v2.1/1/servers/1/action", "t1", `not json`},
		{http.MethodGet, "/v2.1/1/servers/99", "t1", ""},
		{http.MethodDelete, "/v2.1/1/servers/2", "t1", ""},
		{http.MethodGet, "/v2.1/1/servers", "nobody", ""},
	}
	// The upstream's state moves with each call: the plain fake of the
	// fixture, fed the same calls, is the reference.
	for _, c := range calls {
		got := do(t, f.wrapped.URL, c.method, c.path, c.token, "", c.body)
		want := do(t, f.plain.URL, c.method, c.path, c.token, "", c.body)
		assert.Equal(t, want.code, got.code, "%s %s", c.method, c.path)
		assert.Equal(t, want.body, got.body, "%s %s", c.method, c.path)
		assert.Equal(t, want.header.Get("Content-Type"), got.header.Get("Content-Type"), "%s %s", c.method, c.path)
	}
}

type response struct {
	code   int
	header http.Header
	body   string
}

func do(t *testing.T, base, method, path, token, version, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, base+path, bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	if version != "" {
		req.Header.Set("OpenStack-API-Version", "compute "+version)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, string(b)}
}

func tokenOf(t *testing.T, url string) string {
	t.Helper()
	_, token, ok := strings.Cut(url, "token=")
	require.True(t, ok, url)
	return token
}
