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

// The router splits a path once and tries the routes of its method and
// length: with and without a project segment, the API root with or
// without its slash, a parameter never empty, static segments before
// parameters, and nothing for paths longer than any route or methods no
// route has.
func TestRouterMatchAPI(t *testing.T) {
	const project = "1ab83fbf1b594600bfa618dc33694dd6"
	tests := []struct {
		method, rest string
		op           string // "" when no route takes it
		urlProject   string
		params       string
	}{
		{"GET", "/", "showVersion", "", ""},
		{"GET", "/" + project, "showVersion", project, ""},
		{"GET", "/" + project + "/", "showVersion", project, ""},
		{"GET", "/not-a-project", "", "", ""},
		{"GET", "/servers", "listServers", "", ""},
		{"GET", "/" + project + "/servers/detail", "listServersDetailed", project, ""},
		{"GET", "/" + project + "/servers/vm-1", "showServer", project, "server_id=vm-1"},
		{"GET", "/" + project + "/servers/", "", "", ""},
		{"GET", "/servers//", "", "", ""},
		{"POST", "/" + project + "/servers/vm-1/remote-consoles", "createConsole", project, "server_id=vm-1"},
		{"POST", "/servers/vm-1/action", "", "", "server_id=vm-1"},
		{"GET", "/" + project + "/flavors/1/os-extra_specs/hw:cpu", "showFlavorExtraSpec", project, "flavor_id=1 key=hw:cpu"},
		{"GET", "/" + project + "/flavors/1/os-extra_specs/hw:cpu/x", "", "", ""},
		{"GET", "/a/b/c/d/e/f/g", "", "", ""},
		{"PATCH", "/servers", "", "", ""},
		{"BREW", "/servers", "", "", ""},
	}
	for _, tt := range tests {
		var m apiMatch
		ok := routes.matchAPI(tt.method, tt.rest, false, anyProject, &m)
		if tt.op == "" && tt.params == "" {
			assert.False(t, ok, "%s %s", tt.method, tt.rest)
			continue
		}
		require.True(t, ok, "%s %s", tt.method, tt.rest)
		assert.Equal(t, tt.op, m.route.op, "%s %s", tt.method, tt.rest)
		assert.Equal(t, tt.urlProject, m.urlProject, "%s %s", tt.method, tt.rest)
		var params []string
		for _, p := range m.params[:m.nparams] {
			params = append(params, p.name+"="+p.value)
		}
		assert.Equal(t, tt.params, strings.Join(params, " "), "%s %s", tt.method, tt.rest)
	}
}
