package fakenova_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// A web page that rebinds its own name to 127.0.0.1 sends its own Host:
// the control plane refuses every call but healthz for a Host that is not
// loopback, the external URL's or an allowed one.
func TestControlPlaneChecksHost(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithControlPlane(fakenova.ControlPlane{AllowedHosts: []string{"stub.lan"}}),
		fakenova.WithExternalURL("https://cloud.example:8443/compute"))
	get := func(host, path string) exchange {
		req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var ex exchange
		ex.status, ex.header = resp.StatusCode, resp.Header
		_ = json.NewDecoder(resp.Body).Decode(&ex.decoded) // an error body is {"error": {...}}
		return ex
	}
	for _, host := range []string{"localhost", "localhost:8774", "127.0.0.1", "127.1.2.3:80", "[::1]:8774",
		"cloud.example", "CLOUD.example:1", "stub.lan:8774"} {
		assertControlOK(t, get(host, "/_novastub/state"), http.StatusOK)
	}
	for _, host := range []string{"evil.example", "evil.example:8774", "127.0.0.1.evil.example", "localhost.evil", "10.0.0.1"} {
		for _, path := range []string{"/_novastub/state", "/_novastub/", "/_novastub/nothing"} {
			assertControlError(t, get(host, path), http.StatusForbidden, "Host",
				`the control plane answers only to a loopback host, the external URL's host or an allowed host, not "`+host+
					`" (a web page rebinding its name to this address gets this)`)
		}
	}
	assertControlOK(t, get("evil.example", "/_novastub/healthz"), http.StatusOK)
}

// POST and PUT need JSON: a cross-origin form or text/plain request, which
// a browser sends without a preflight, changes nothing.
func TestControlPlaneNeedsJSONToChange(t *testing.T) {
	ts, srv := controlFixture(t, fakenova.ControlPlane{})
	before := ts.Clock.Now()
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"} {
		for _, call := range []struct{ method, path, body string }{
			{http.MethodPost, "faults", `{"operation": "showServer", "status": 503}`},
			{http.MethodPost, "reset", ""},
			{http.MethodPost, "clock/advance", `{"seconds": 600}`},
			{http.MethodPut, "servers/" + srv.ID, `{"status": "SHUTOFF"}`},
			{http.MethodPut, "state", `{}`},
		} {
			h := http.Header{}
			if ct != "" {
				h.Set("Content-Type", ct)
			}
			ex := send(t, ts.URL, call.method, "/_novastub/"+call.path, h, call.body)
			assertControlError(t, ex, http.StatusUnsupportedMediaType, "Content-Type",
				"control calls that change the fake need Content-Type: application/json")
		}
	}
	assert.Empty(t, ts.Faults().List())
	assert.Equal(t, before, ts.Clock.Now())
	got, err := ts.State.Server(srv.ID)
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", got.Status())
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	assertControlOK(t, send(t, ts.URL, http.MethodPost, "/_novastub/clock/advance", h, `{"seconds": 1}`), http.StatusOK)
}

// Without a token, the control plane answers only on loopback
// connections; with one, anywhere (with the token).
func TestControlPlaneWithoutTokenLoopbackOnly(t *testing.T) {
	serve := func(cp fakenova.ControlPlane, local net.Addr, header ...string) *httptest.ResponseRecorder {
		cloud := fakenova.NewCloud(fakenova.WithControlPlane(cp))
		req := httptest.NewRequest(http.MethodGet, "http://localhost/_novastub/clock", nil)
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, local))
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		cloud.ServeHTTP(w, req)
		return w
	}
	lan := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 8774} // TEST-NET-1: no traffic, an address in a context
	w := serve(fakenova.ControlPlane{}, lan)
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.JSONEq(t, `{"error": {"field": "token", "message": "the control plane has no token, so it answers only on loopback connections: give it a token"}}`, w.Body.String())
	assert.Equal(t, http.StatusOK, serve(fakenova.ControlPlane{}, &net.TCPAddr{IP: net.IPv6loopback, Port: 8774}).Code)
	assert.Equal(t, http.StatusUnauthorized, serve(fakenova.ControlPlane{Token: "t"}, lan).Code)
	assert.Equal(t, http.StatusOK, serve(fakenova.ControlPlane{Token: "t"}, lan, "Authorization", "Bearer t").Code)
	// A token that is a prefix, or longer, is no token.
	assert.Equal(t, http.StatusUnauthorized, serve(fakenova.ControlPlane{Token: "token"}, lan, "Authorization", "Bearer tok").Code)
	assert.Equal(t, http.StatusUnauthorized, serve(fakenova.ControlPlane{Token: "token"}, lan, "Authorization", "Bearer token2").Code)
}

// The index lists the services and every control call, as JSON or, for a
// browser, HTML; it and healthz need no token.
func TestControlPlaneIndexAndHealthz(t *testing.T) {
	ts, _ := controlFixture(t, fakenova.ControlPlane{Token: "s3cr3t"})
	for _, path := range []string{"/_novastub/", "/_novastub"} {
		ex := send(t, ts.URL, http.MethodGet, path, http.Header{"Accept": {"application/json"}}, "")
		assertControlOK(t, ex, http.StatusOK)
		var doc struct {
			Name          string `json:"name"`
			Version       string `json:"version"`
			BaseURL       string `json:"base_url"`
			TokenRequired bool   `json:"token_required"`
			Services      []struct{ Name, Path, URL string }
			Control       []struct {
				Method, Path, About string
				Token               bool
			}
		}
		require.NoError(t, json.Unmarshal([]byte(ex.body), &doc))
		assert.Equal(t, "novastub", doc.Name)
		assert.NotEmpty(t, doc.Version)
		assert.Equal(t, ts.URL, doc.BaseURL)
		assert.True(t, doc.TokenRequired)
		var services []string
		for _, s := range doc.Services {
			services = append(services, s.Name+" "+s.URL)
		}
		assert.Equal(t, []string{"compute " + ts.URL + "/v2.1/", "identity " + ts.URL + "/identity/v3",
			"image " + ts.URL + "/image/v2/images", "network " + ts.URL + "/networking/v2.0/networks",
			"console " + ts.URL + "/vnc_auto.html"}, services)
		calls := map[string]bool{}
		for _, c := range doc.Control {
			calls[c.Method+" "+c.Path] = c.Token
		}
		assert.Equal(t, map[string]bool{
			"GET /_novastub/": false, "GET /_novastub/healthz": false,
			"POST /_novastub/faults": true, "GET /_novastub/faults": true, "DELETE /_novastub/faults": true,
			"DELETE /_novastub/faults/{id}": true, "GET /_novastub/journal": true, "DELETE /_novastub/journal": true,
			"GET /_novastub/clock": true, "POST /_novastub/clock/advance": true, "PUT /_novastub/servers/{id}": true,
			"GET /_novastub/state": true, "PUT /_novastub/state": true, "POST /_novastub/reset": true,
		}, calls)
	}
	page := send(t, ts.URL, http.MethodGet, "/_novastub/", http.Header{"Accept": {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}}, "")
	require.Equal(t, http.StatusOK, page.status)
	assert.Equal(t, "text/html; charset=utf-8", page.header.Get("Content-Type"))
	assert.Contains(t, page.body, "<code>/_novastub/journal</code>")
	assert.Contains(t, page.body, `<a href="`+ts.URL+`/identity/v3">`)
	assert.NotContains(t, page.body, "s3cr3t")
	curl := send(t, ts.URL, http.MethodGet, "/_novastub/", http.Header{"Accept": {"*/*"}}, "")
	assert.Equal(t, "application/json", curl.header.Get("Content-Type"))

	assertControlOK(t, send(t, ts.URL, http.MethodGet, "/_novastub/healthz", nil, ""), http.StatusOK)
	assert.Equal(t, `{"status": "ok"}`, compactJSONSpaces(send(t, ts.URL, http.MethodGet, "/_novastub/healthz", nil, "").body))
}

// compactJSONSpaces is a small JSON document on one line, as Python writes it.
func compactJSONSpaces(doc string) string {
	var v any
	if json.Unmarshal([]byte(doc), &v) != nil {
		return doc
	}
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(strings.ReplaceAll(string(b), ":", ": "), ",", ", ")
}

func TestControlTokenRules(t *testing.T) {
	tok, generated, err := fakenova.ControlToken("", "127.0.0.1:8774")
	require.NoError(t, err)
	assert.True(t, generated)
	assert.Regexp(t, `^[0-9a-f]{32}$`, tok)
	other, _, _ := fakenova.ControlToken("", "127.0.0.1:8774")
	assert.NotEqual(t, tok, other)

	tok, generated, err = fakenova.ControlToken("s3cr3t", "0.0.0.0:8774")
	require.NoError(t, err)
	assert.Equal(t, "s3cr3t", tok)
	assert.False(t, generated)

	for _, loopback := range []string{"127.0.0.1:0", "localhost:8774", "[::1]:8774", "127.0.0.2:1"} {
		tok, _, err = fakenova.ControlToken("none", loopback)
		require.NoError(t, err, loopback)
		assert.Empty(t, tok)
	}
	for _, public := range []string{":8774", "0.0.0.0:8774", "[::]:8774", "192.0.2.1:8774", "example.com:80"} {
		_, _, err = fakenova.ControlToken("none", public)
		assert.ErrorIs(t, err, fakenova.ErrControlTokenNeeded, public)
	}
}

func TestListenWarning(t *testing.T) {
	for _, loopback := range []string{"127.0.0.1:8774", "localhost:0", "[::1]:1"} {
		assert.Empty(t, fakenova.ListenWarning(loopback))
	}
	for _, public := range []string{":8774", "0.0.0.0:8774", "[::]:0", "192.0.2.7:8774"} {
		assert.Contains(t, fakenova.ListenWarning(public), "listening beyond loopback: anyone who can reach "+public)
	}
}
