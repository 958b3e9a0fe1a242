package apiservice_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/internal/apiservice"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

func TestCleanPrefix(t *testing.T) {
	for in, want := range map[string]string{"": "", "/": "", "image": "/image", "/image/": "/image", "/a/b//": "/a/b"} {
		assert.Equal(t, want, apiservice.CleanPrefix(in), "%q", in)
	}
}

func TestConfigDefaultsAndSetters(t *testing.T) {
	c := apiservice.New("/image")
	assert.Equal(t, "/image", c.Prefix)
	require.NotNil(t, c.Logger)
	c.SetLogger(nil)
	assert.Same(t, apiservice.Discard, c.Logger, "a nil logger keeps the one there is")
	c.SetPrefix("net/")
	assert.Equal(t, "/net", c.Prefix)
	c.SetExternalURL("https://cloud.example/net/")
	assert.Equal(t, "https://cloud.example/net", c.ExternalURL)
}

func TestBaseURL(t *testing.T) {
	c := apiservice.New("/networking")
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:9696/v2.0/networks", nil)
	assert.Equal(t, "http://127.0.0.1:9696/networking", c.BaseURL(r))
	r.Header.Set("X-Forwarded-Proto", "https")
	assert.Equal(t, "http://127.0.0.1:9696/networking", c.BaseURL(r), "forwarded headers are not trusted")
	r.TLS = &tls.ConnectionState{}
	assert.Equal(t, "https://127.0.0.1:9696/networking", c.BaseURL(r))
	c.SetExternalURL("https://cloud.example/networking/")
	assert.Equal(t, "https://cloud.example/networking", c.BaseURL(r))
}

func TestAuthenticatedChecksTheStoresTokensAndSetsTheViewer(t *testing.T) {
	st := state.New()
	require.NoError(t, st.AddToken(state.AuthToken{Token: "tok", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Roles: []string{"admin"}}))
	c := apiservice.New("")
	var seen state.Viewer
	h := c.Authenticated(st, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = apiservice.Viewer(r)
		w.WriteHeader(http.StatusNoContent)
	}))

	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/v2/images", nil)
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Keystone uri="`+middleware.DefaultAuthURI+`"`, w.Header().Get("WWW-Authenticate"))

	w = httptest.NewRecorder()
	r.Header.Set("X-Auth-Token", "tok")
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, state.Viewer{ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Admin: true}, seen)
}

func TestAuthenticatedUsesTheConfiguredAuthenticatorAndAuthURI(t *testing.T) {
	c := apiservice.New("")
	c.Authenticator = middleware.StaticTokens(map[string]middleware.Identity{"static": {ProjectID: "p2"}})
	c.AuthURI = func(*http.Request) string { return "http://keystone.example/v3" }
	var seen state.Viewer
	h := c.Authenticated(state.New(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = apiservice.Viewer(r)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Keystone uri="http://keystone.example/v3"`, w.Header().Get("WWW-Authenticate"))

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Auth-Token", "static")
	h.ServeHTTP(httptest.NewRecorder(), r)
	assert.Equal(t, state.Viewer{ProjectID: "p2"}, seen)
}

func TestViewerWithoutIdentity(t *testing.T) {
	assert.Equal(t, state.Viewer{}, apiservice.Viewer(httptest.NewRequest(http.MethodGet, "/", nil)))
}
