package fakenova_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// CORS as oslo.middleware's filter with Nova's and Keystone's defaults.
func TestCORS(t *testing.T) {
	const app = "https://app.example"
	ts := fakenova.Start(t, fakenova.WithCORS(app), fakenova.WithControlPlane(fakenova.ControlPlane{}))
	srv := ts.AddServer("vm1")
	preflight := func(path, origin, method, headers string) exchange {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		if method != "" {
			h.Set("Access-Control-Request-Method", method)
		}
		if headers != "" {
			h.Set("Access-Control-Request-Headers", headers)
		}
		return send(t, ts.URL, http.MethodOptions, path, h, "")
	}
	corsHeaders := func(h http.Header) map[string][]string {
		out := map[string][]string{}
		for k, v := range h {
			if k == "Vary" || len(k) > 15 && k[:15] == "Access-Control-" {
				out[k] = v
			}
		}
		return out
	}

	t.Run("preflight", func(t *testing.T) {
		ex := preflight("/v2.1/servers/"+srv.ID+"/action", app, "POST", "x-auth-token, Content-Type,OpenStack-API-Version")
		require.Equal(t, http.StatusOK, ex.status)
		assert.Empty(t, ex.body)
		assert.Empty(t, ex.header.Get("Content-Type"))
		assert.Equal(t, "0", ex.header.Get("Content-Length"))
		assert.Empty(t, ex.header.Get("X-Openstack-Request-Id"), "the filter's own answer")
		assert.Equal(t, map[string][]string{
			"Vary":                             {"Origin"},
			"Access-Control-Allow-Origin":      {app},
			"Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Max-Age":           {"3600"},
			"Access-Control-Allow-Methods":     {"POST"},
			"Access-Control-Allow-Headers":     {"x-auth-token,Content-Type,OpenStack-API-Version"},
		}, corsHeaders(ex.header))

		ex = preflight("/identity/v3/auth/tokens", app, "POST", "X-Subject-Token")
		assert.Equal(t, []string{"X-Subject-Token"}, ex.header["Access-Control-Allow-Headers"], "Keystone's defaults")

		for name, refused := range map[string]exchange{
			"another origin":            preflight("/v2.1/servers", "https://evil.example", "GET", ""),
			"no origin":                 preflight("/v2.1/servers", "", "GET", ""),
			"no method":                 preflight("/v2.1/servers", app, "", ""),
			"a method not allowed":      preflight("/v2.1/servers", app, "TRACE", ""),
			"a header not allowed":      preflight("/v2.1/servers", app, "GET", "X-Custom"),
			"Nova's header at Keystone": preflight("/identity/v3/auth/tokens", app, "GET", "X-OpenStack-Nova-API-Version"),
			"the control plane":         preflight("/_novastub/state", app, "GET", ""),
		} {
			assert.Empty(t, corsHeaders(refused.header), name)
		}
		assert.Equal(t, http.StatusOK, preflight("/v2.1/servers", "https://evil.example", "GET", "").status,
			"Nova's answer to any OPTIONS, CORS or not")
	})

	t.Run("actual requests", func(t *testing.T) {
		h := apiHeader(ts.Token, "2.6")
		h.Set("Origin", app)
		ex := send(t, ts.URL, http.MethodGet, "/v2.1/servers/"+srv.ID, h, "")
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		assert.Equal(t, map[string][]string{
			"Vary":                             {"X-OpenStack-Nova-API-Version,Origin"}, // webob's += on the last Vary line
			"Access-Control-Allow-Origin":      {app},
			"Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Expose-Headers": {"X-Auth-Token,X-Openstack-Request-Id,X-Subject-Token,X-Service-Token," +
				"X-OpenStack-Nova-API-Version,OpenStack-API-Version"},
		}, corsHeaders(ex.header))

		h.Set("Origin", "https://evil.example")
		ex = send(t, ts.URL, http.MethodGet, "/v2.1/servers/"+srv.ID, h, "")
		assert.Equal(t, map[string][]string{"Vary": {"OpenStack-API-Version", "X-OpenStack-Nova-API-Version"}}, corsHeaders(ex.header))

		ex = send(t, ts.URL, http.MethodGet, "/identity/v3", http.Header{"Origin": {app}}, "")
		assert.Equal(t, "X-Auth-Token,X-Openstack-Request-Id,X-Subject-Token,Openstack-Auth-Receipt",
			ex.header.Get("Access-Control-Expose-Headers"))
		ex = send(t, ts.URL, http.MethodGet, "/_novastub/clock", http.Header{"Origin": {app}}, "")
		assert.Empty(t, corsHeaders(ex.header), "never the control plane")
	})

	t.Run("any origin", func(t *testing.T) {
		anyOrigin := fakenova.Start(t, fakenova.WithCORS("*"))
		ex := send(t, anyOrigin.URL, http.MethodGet, "/", http.Header{"Origin": {"https://whoever.example"}}, "")
		assert.Equal(t, "*", ex.header.Get("Access-Control-Allow-Origin"))
	})

	t.Run("off by default", func(t *testing.T) {
		plain := fakenova.Start(t)
		ex := send(t, plain.URL, http.MethodGet, "/", http.Header{"Origin": {app}}, "")
		assert.Empty(t, ex.header.Get("Access-Control-Allow-Origin"))
	})
}
