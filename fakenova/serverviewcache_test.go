package fakenova_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// A fake keeps the server views it has written until the server or the
// catalog changes. These tests drive a fake through changes of every input
// of a view (the server's state, name and host, its ports, the flavors and
// images, the clock) and ask, after each, a few variants of one server's
// view that differ in one thing (microversion, admin or member, URL with a
// project or not, /v2, the host name in the URL, show or detail): each
// answer must be what a new fake on the same store, which has kept
// nothing, answers. Few variants at a time, so that the fake still has the
// views of the step before when the next step asks.
func TestServerViewsKeptMatchFresh(t *testing.T) {
	type variant struct {
		path    string // with {p} for the project, {s} for the server
		version string
		admin   bool
		host    string
	}
	show := func(version string, admin bool) variant { return variant{"/v2.1/servers/{s}", version, admin, ""} }
	groups := map[string][]variant{
		"caller at 2.1":   {show("2.1", false), show("2.1", true)},
		"caller at 2.16":  {show("2.16", false), show("2.16", true)},
		"caller at 2.47":  {show("2.47", false), show("2.47", true)},
		"caller, latest":  {show("latest", false), show("latest", true)},
		"microversions":   {show("", false), show("2.47", false), show("2.98", false), show("latest", false)},
		"URL project":     {show("2.73", true), {"/v2.1/{p}/servers/{s}", "2.73", true, ""}},
		"legacy root":     {{"/v2.1/{p}/servers/{s}", "", false, ""}, {"/v2/{p}/servers/{s}", "", false, ""}},
		"host in the URL": {show("latest", true), {"/v2.1/servers/{s}", "latest", true, "elsewhere.example:8774"}},
		"show or detail":  {show("2.73", true), {"/v2.1/servers/detail?name=vm", "2.73", true, ""}},
	}
	for name, group := range groups {
		t.Run(name, func(t *testing.T) {
			ts := fakenova.Start(t)
			admin := "0123456789abcdef0123456789abcdef"
			require.NoError(t, ts.State.AddToken(state.AuthToken{Token: admin, ProjectID: ts.ProjectID,
				Roles: []string{"admin", "member", "reader"}}))
			srv, err := ts.State.CreateServer(state.ServerRequest{Name: "vm", ProjectID: ts.ProjectID,
				ImageID: fakenova.TestImageID, FlavorID: fakenova.TestFlavorID})
			require.NoError(t, err)
			get := func(h http.Handler, v variant) (int, string) {
				req := httptest.NewRequest(http.MethodGet,
					strings.NewReplacer("{p}", ts.ProjectID, "{s}", srv.ID).Replace(v.path), nil)
				req.Header.Set("X-Auth-Token", ts.Token)
				if v.admin {
					req.Header.Set("X-Auth-Token", admin)
				}
				if v.version != "" {
					req.Header.Set("OpenStack-API-Version", "compute "+v.version)
				}
				if v.host != "" {
					req.Host = v.host
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				return w.Code, w.Body.String()
			}
			found := 0
			check := func(step string) {
				t.Helper()
				for _, v := range group {
					code, body := get(ts.Nova, v)
					wantCode, want := get(fakenova.New(fakenova.WithState(ts.State)), v)
					require.Equal(t, wantCode, code, "%s: %+v", step, v)
					require.Equal(t, want, body, "%s: %+v", step, v)
					if code == http.StatusOK && strings.Contains(body, `"id": "`+srv.ID+`"`) {
						found++
					}
				}
			}
			scenario(t, ts, srv.ID, check)
			assert.Equal(t, 13*len(group), found, "every answer had the server until it went")
		})
	}
}

// scenario changes every input of a server's view, one at a time, and
// calls check after each: 14 steps, the server gone in the last.
func scenario(t *testing.T, ts *fakenova.Test, id string, check func(step string)) {
	other := ts.AddServer("other")
	check("building")
	ts.Advance(time.Second)
	check("spawning on its host")
	ts.Advance(5 * time.Second)
	check("active")
	_, err := ts.State.AllocatePorts(id, state.Viewer{ProjectID: ts.ProjectID},
		[]state.NetworkRequest{{NetworkID: fakenova.TestNetworkID}})
	require.NoError(t, err)
	check("with a port")
	_, err = ts.State.UpdateServer(id, func(s *state.Server) { s.Name = "vm-renamed" })
	require.NoError(t, err)
	check("renamed")
	_, err = ts.State.UpdateServer(id, func(s *state.Server) { s.Name = "vm"; s.FlavorID = "42" })
	require.NoError(t, err)
	check("a flavor the fake does not have")
	_, err = ts.State.AddFlavor(state.Flavor{ID: "42", Name: "m1.answer", VCPUs: 4, RAM: 4096, Disk: 42,
		ExtraSpecs: map[string]string{"hw:cpu_policy": "dedicated"}})
	require.NoError(t, err)
	check("the flavor added")
	_, err = ts.State.UpdateServer(id, func(s *state.Server) { s.ImageID = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d" })
	require.NoError(t, err)
	check("an image the fake does not have")
	_, err = ts.State.AddImage(state.Image{ID: "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", Name: "debian",
		Properties: map[string]string{"hw_disk_bus": "scsi", "os_distro": "debian"}})
	require.NoError(t, err)
	check("the image added")
	_, err = ts.State.StartAction(id, state.ActionStop)
	require.NoError(t, err)
	check("stopping")
	ts.Advance(time.Minute)
	check("stopped")
	_, err = ts.State.StartAction(id, state.ActionShelve)
	require.NoError(t, err)
	ts.Advance(time.Minute)
	check("shelved offloaded: no host")
	require.NoError(t, ts.State.RemoveServer(other.ID))
	_, err = ts.State.StartAction(id, state.ActionDelete)
	require.NoError(t, err)
	check("deleting")
	ts.Advance(time.Minute)
	check("gone")
}
