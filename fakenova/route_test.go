package fakenova

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// A route is added by one row of the table, and both the fake and the
// console Middleware serve it: the handler answers it, the Middleware owns
// it when the row says console, and passes it through when not. (Not
// parallel: it swaps the package's table for its length.)
func TestOneRowAddsARouteEverywhere(t *testing.T) {
	saved := routes
	t.Cleanup(func() { routes = saved })
	hello := func(_ *Nova, c *call) error {
		c.out = append(c.out, `{"hello": "`+c.param("server_id")+`"}`...)
		return c.reply(http.StatusOK)
	}
	routes = newRouter(append(append([]*route(nil), saved.all...),
		&route{op: "helloConsole", method: http.MethodGet, pattern: "/servers/{server_id}/os-hello",
			minVersion: Microversion{2, 10}, console: true, serve: hello},
		&route{op: "helloOther", method: http.MethodGet, pattern: "/servers/{server_id}/os-other", serve: hello}))

	st := state.New()
	project, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	require.NoError(t, st.AddToken(state.AuthToken{Token: "tok", ProjectID: project.ID, Roles: []string{"member"}}))
	get := func(h http.Handler, path, version string, who *middleware.Identity) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("X-Auth-Token", "tok")
		if version != "" {
			r.Header.Set("OpenStack-API-Version", "compute "+version)
		}
		if who != nil {
			r = r.WithContext(middleware.ContextWithIdentity(r.Context(), who))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	// The standalone fake serves both rows, with and without a project in
	// the URL, within the row's microversions.
	nova := New(WithState(st))
	for _, path := range []string{"/v2.1/servers/x/os-hello", "/v2.1/" + project.ID + "/servers/x/os-hello"} {
		w := get(nova, path, "2.10", nil)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, `{"hello": "x"}`, w.Body.String())
		assert.Equal(t, "compute 2.10", w.Header().Get("OpenStack-API-Version"))
	}
	w := get(nova, "/v2.1/servers/x/os-hello", "2.9", nil)
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.JSONEq(t, `{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}`, w.Body.String())
	assert.Equal(t, http.StatusOK, get(nova, "/v2.1/servers/x/os-other", "", nil).Code)
	assert.Contains(t, Operations, "listServers")

	// The Middleware owns the console row and passes the other through.
	var passed []string
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		passed = append(passed, r.URL.Path)
		_, _ = io.WriteString(w, "upstream")
	})
	mw := Middleware(WithState(st))(next)
	who := &middleware.Identity{ProjectID: "1", Roles: []string{"member"}}
	w = get(mw, "/v2.1/1/servers/7/os-hello", "2.10", who)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, `{"hello": "7"}`, w.Body.String())
	w = get(mw, "/v2.1/1/servers/7/os-other", "", who)
	assert.Equal(t, "upstream", w.Body.String())
	assert.Equal(t, []string{"/v2.1/1/servers/7/os-other"}, passed)
	assert.True(t, strings.HasPrefix(routes.all[len(routes.all)-1].op, "hello"))
}
