package identity_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

// versionJSON is Keystone's v3 entry (keystone/api/discovery.py), as
// json.dumps writes it, for a service whose base is base.
func versionJSON(base string) string {
	return `{"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z", ` +
		`"links": [{"rel": "self", "href": "` + base + `/v3/"}], ` +
		`"media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]}`
}

func TestDiscoveryDocuments(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"", "/", "//"} {
		t.Run("versions "+path, func(t *testing.T) {
			r := e.do(http.MethodGet, e.base+path, "")
			assert.Equal(t, http.StatusMultipleChoices, r.StatusCode, "Keystone answers / with 300 Multiple Choices")
			assert.Equal(t, `{"versions": {"values": [`+versionJSON(e.base)+`]}}`, string(r.body))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.Equal(t, e.base+"/v3/", r.Header.Get("Location"))
			assert.Equal(t, "X-Auth-Token", r.Header.Get("Vary"))
			assert.True(t, strings.HasPrefix(r.Header.Get("X-Openstack-Request-Id"), "req-"))
		})
	}
	for _, path := range []string{"/v3", "/v3/"} {
		t.Run("version "+path, func(t *testing.T) {
			r := e.do(http.MethodGet, e.base+path, "")
			assert.Equal(t, http.StatusOK, r.StatusCode)
			assert.Equal(t, `{"version": `+versionJSON(e.base)+`}`, string(r.body))
		})
	}
	t.Run("HEAD", func(t *testing.T) {
		r := e.do(http.MethodHead, e.base+"/v3", "")
		assert.Equal(t, http.StatusOK, r.StatusCode)
		assert.Empty(t, r.body)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	})
}

func TestDiscoveryLinksFollowTheMount(t *testing.T) {
	serve := func(svc http.Handler, target string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil)) // Host: example.com
		return w
	}
	store := state.New()
	for name, row := range map[string]struct {
		opts []identity.Option
		want string
	}{
		"default prefix":   {nil, "http://example.com/identity"},
		"another prefix":   {[]identity.Option{identity.WithPrefix("keystone/")}, "http://example.com/keystone"},
		"at the root":      {[]identity.Option{identity.WithPrefix("")}, "http://example.com"},
		"external URL":     {[]identity.Option{identity.WithExternalURL("https://cloud.example/id/")}, "https://cloud.example/id"},
		"external wins":    {[]identity.Option{identity.WithPrefix("/x"), identity.WithExternalURL("https://c.example/k")}, "https://c.example/k"},
		"external at root": {[]identity.Option{identity.WithExternalURL("https://c.example")}, "https://c.example"},
	} {
		t.Run(name, func(t *testing.T) {
			svc := identity.New(store, row.opts...)
			w := serve(svc, "/v3")
			assert.Equal(t, `{"version": `+versionJSON(row.want)+`}`, w.Body.String())
			w = serve(svc, "/")
			assert.Equal(t, row.want+"/v3/", w.Header().Get("Location"))
			w = serve(svc, "/v3/auth/tokens") // no token: 401 names the base
			assert.Equal(t, `Keystone uri="`+row.want+`/v3"`, w.Header().Get("WWW-Authenticate"))
		})
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	e := newEnv(t)
	r := e.do(http.MethodGet, e.base+"/v3/users", "")
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Contains(t, string(r.body), "<title>404 Not Found</title>")

	r = e.do(http.MethodPost, e.base+"/v3", "{}")
	assert.Equal(t, http.StatusMethodNotAllowed, r.StatusCode)
	assert.Contains(t, string(r.body), "<title>405 Method Not Allowed</title>")
	assert.Equal(t, "GET, HEAD, OPTIONS", r.Header.Get("Allow"))

	r = e.do(http.MethodPut, e.base+"/v3/auth/tokens", "{}")
	assert.Equal(t, http.StatusMethodNotAllowed, r.StatusCode)
	assert.Equal(t, `{"message": "The method is not allowed for the requested URL."}`+"\n", string(r.body))
	assert.Equal(t, "DELETE, GET, HEAD, OPTIONS, POST", r.Header.Get("Allow"))

	r = e.do(http.MethodOptions, e.base+"/v3/auth/tokens/", "")
	assert.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, "DELETE, GET, HEAD, OPTIONS, POST", r.Header.Get("Allow"))
	require.Empty(t, r.body)
}
