package fakenova_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// consoleFixture is a fake with one server in every situation the Get
// console table covers.
type consoleFixture struct {
	*fakenova.Test
	active, building, deleting, migrating, metal, foreign state.Server
	readerToken, adminToken, foreignToken, orphanToken    string
	foreignProject, orphanProject                         string
}

func newConsoleFixture(t *testing.T, opts ...fakenova.Option) *consoleFixture {
	t.Helper()
	f := &consoleFixture{Test: fakenova.Start(t, opts...)}
	st := f.State
	require.NoError(t, st.AddHost(state.Host{Name: "bm-1", ConsoleTypes: []state.ConsoleType{}}))
	add := func(srv state.Server) state.Server {
		t.Helper()
		if srv.ProjectID == "" {
			srv.ProjectID = f.ProjectID
		}
		out, err := st.AddServer(srv)
		require.NoError(t, err)
		return out
	}
	f.active = f.AddServer("vm1")
	f.building = add(state.Server{Name: "new", VMState: state.VMBuilding, TaskState: state.TaskScheduling})
	f.deleting = add(state.Server{Name: "going", Host: fakenova.TestHost, VMState: state.VMActive, TaskState: state.TaskDeleting})
	f.migrating = add(state.Server{Name: "moving", Host: fakenova.TestHost, VMState: state.VMActive, TaskState: state.TaskMigrating})
	f.metal = add(state.Server{Name: "metal", Host: "bm-1", VMState: state.VMActive})

	other, err := st.AddProject(state.Project{Name: "other"})
	require.NoError(t, err)
	f.foreignProject = other.ID
	f.foreign = add(state.Server{Name: "theirs", ProjectID: other.ID, Host: fakenova.TestHost})

	f.orphanProject = state.NewProjectID() // well formed, not in the store
	for tok, at := range map[*string]state.AuthToken{
		&f.readerToken:  {ProjectID: f.ProjectID, Roles: []string{"reader"}},
		&f.adminToken:   {ProjectID: f.ProjectID, Roles: []string{"admin", "member", "reader"}},
		&f.foreignToken: {ProjectID: other.ID, Roles: []string{"member"}},
		&f.orphanToken:  {ProjectID: f.orphanProject, Roles: []string{"member"}},
	} {
		at.Token = state.NewProjectID()
		require.NoError(t, st.AddToken(at))
		*tok = at.Token
	}
	return f
}

type exchange struct {
	status  int
	header  http.Header
	body    string
	decoded map[string]map[string]any
}

// do sends one request to the fake over loopback.
func (f *consoleFixture) do(t *testing.T, method, path string, header map[string]string, body string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, f.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	ex := exchange{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	_ = json.Unmarshal(raw, &ex.decoded)
	return ex
}

func vnc(typ string) string { return `{"os-getVNCConsole": {"type": "` + typ + `"}}` }

func TestGetVNCConsoleErrorMatrix(t *testing.T) {
	f := newConsoleFixture(t)
	p := f.ProjectID
	action := func(project, server string) string { return "/v2.1/" + project + "/servers/" + server + "/action" }
	json := map[string]string{"Content-Type": "application/json"}
	with := func(extra ...string) map[string]string {
		h := map[string]string{"Content-Type": "application/json", "X-Auth-Token": f.Token}
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i+1] == "" {
				delete(h, extra[i])
			} else {
				h[extra[i]] = extra[i+1]
			}
		}
		return h
	}

	rows := []struct {
		name    string
		path    string
		header  map[string]string
		body    string
		status  int
		fault   string // the fault body's key
		message string
	}{
		// 400: the seed's "invalid the project_id" and "invalid vnc_type", and Nova's body checks.
		{"malformed project id", action("not-a-project", f.active.ID), with(), vnc("novnc"), 400, "badRequest",
			"Malformed request URL: project_id 'not-a-project' is not a valid project id"},
		{"uppercase project id", action(strings.ToUpper(p), f.active.ID), with(), vnc("novnc"), 400, "badRequest",
			"Malformed request URL: project_id '" + strings.ToUpper(p) + "' is not a valid project id"},
		{"URL project differs from the token's", action(f.foreignProject, f.foreign.ID), with(), vnc("novnc"), 400, "badRequest",
			"Malformed request URL: URL's project_id '" + f.foreignProject + "' doesn't match Context's project_id '" + p + "'"},
		{"unknown vnc type", action(p, f.active.ID), with(), vnc("spice"), 400, "badRequest",
			"Invalid input for field/attribute type. Value: spice. 'spice' is not one of ['novnc', 'xvpvnc']"},
		{"type missing", action(p, f.active.ID), with(), `{"os-getVNCConsole": {}}`, 400, "badRequest",
			"Invalid input for field/attribute os-getVNCConsole. Value: {}. 'type' is a required property"},
		{"type not a string", action(p, f.active.ID), with(), `{"os-getVNCConsole": {"type": 5}}`, 400, "badRequest",
			"Invalid input for field/attribute type. Value: 5. 5 is not of type 'string'"},
		{"type null", action(p, f.active.ID), with(), `{"os-getVNCConsole": {"type": null}}`, 400, "badRequest",
			"Invalid input for field/attribute type. Value: None. None is not of type 'string'"},
		{"arguments not an object", action(p, f.active.ID), with(), `{"os-getVNCConsole": null}`, 400, "badRequest",
			"Invalid input for field/attribute os-getVNCConsole. Value: None. None is not of type 'object'"},
		{"unknown property on v2.1", action(p, f.active.ID), with(), `{"os-getVNCConsole": {"type": "novnc", "foo": 1}}`, 400, "badRequest",
			"Invalid input for field/attribute os-getVNCConsole. Value: {'type': 'novnc', 'foo': 1}. Additional properties are not allowed ('foo' was unexpected)"},
		{"two unknown properties", action(p, f.active.ID), with(), `{"os-getVNCConsole": {"type": "novnc", "z": 1, "a": true}}`, 400, "badRequest",
			"Invalid input for field/attribute os-getVNCConsole. Value: {'type': 'novnc', 'z': 1, 'a': True}. Additional properties are not allowed ('a', 'z' were unexpected)"},
		{"body not JSON", action(p, f.active.ID), with(), `{"os-getVNCConsole": `, 400, "badRequest", "Malformed request body"},
		{"empty body", action(p, f.active.ID), with(), ``, 400, "badRequest", "Malformed request body"},
		{"two actions", action(p, f.active.ID), with(), `{"os-getVNCConsole": {"type": "novnc"}, "os-stop": null}`, 400, "badRequest", "Malformed request body"},
		{"unknown action", action(p, f.active.ID), with(), `{"os-getVNCconsole": {"type": "novnc"}}`, 400, "badRequest", "There is no such action: os-getVNCconsole"},
		{"form-encoded body (the seed's error example)", action(p, f.active.ID), with("Content-Type", "application/x-www-form-urlencoded"), "type=novnc", 400, "badRequest", "There is no such action: None"},
		// Nova's action_peek cannot take the keys of these: 404.
		{"body is a one-item list", action(p, f.active.ID), with(), `["os-getVNCConsole"]`, 404, "itemNotFound", "The resource could not be found."},
		{"body is a number", action(p, f.active.ID), with(), `5`, 404, "itemNotFound", "The resource could not be found."},
		// 401
		{"no token", action(p, f.active.ID), json, vnc("novnc"), 401, "error", "The request you have made requires authentication."},
		{"unknown token", action(p, f.active.ID), with("X-Auth-Token", "nope"), vnc("novnc"), 401, "error", "The request you have made requires authentication."},
		// 403: Nova's default policy wants member (or admin).
		{"reader may not", action(p, f.active.ID), with("X-Auth-Token", f.readerToken), vnc("novnc"), 403, "forbidden",
			"Policy doesn't allow os_compute_api:os-remote-consoles to be performed."},
		// 404
		{"unknown server", action(p, "8f9e0b6c-2a44-4d7f-9c1e-5b3a2d1c0f99"), with(), vnc("novnc"), 404, "itemNotFound",
			"Instance 8f9e0b6c-2a44-4d7f-9c1e-5b3a2d1c0f99 could not be found."},
		{"server id not a uuid", action(p, "vm1"), with(), vnc("novnc"), 404, "itemNotFound", "Instance vm1 could not be found."},
		{"another project's server", action(p, f.foreign.ID), with(), vnc("novnc"), 404, "itemNotFound",
			"Instance " + f.foreign.ID + " could not be found."},
		{"legacy action at 2.6", action(p, f.active.ID), with("X-OpenStack-Nova-API-Version", "2.6"), vnc("novnc"), 404, "itemNotFound",
			"The resource could not be found."},
		// 406 and 400 of the microversion headers.
		{"microversion out of range", action(p, f.active.ID), with("OpenStack-API-Version", "compute 3.7"), vnc("novnc"), 406, "computeFault",
			"Version 3.7 is not supported by the API. Minimum is 2.1 and maximum is " + fakenova.DefaultMaxMicroversion.String() + "."},
		{"microversion malformed", action(p, f.active.ID), with("X-OpenStack-Nova-API-Version", "2.01"), vnc("novnc"), 400, "badRequest",
			"API Version String 2.01 is of invalid format. Must be of format MajorNum.MinorNum."},
		// 409: the seed's unknown project, Nova's InstanceNotReady and InstanceInvalidState.
		{"project not known to the cloud", action(f.orphanProject, f.active.ID), with("X-Auth-Token", f.orphanToken), vnc("novnc"), 409, "conflictingRequest",
			"Project " + f.orphanProject + " could not be found."},
		{"server without a host", action(p, f.building.ID), with(), vnc("novnc"), 409, "conflictingRequest",
			"Instance " + f.building.ID + " is not ready"},
		{"server being deleted", action(p, f.deleting.ID), with(), vnc("novnc"), 409, "conflictingRequest",
			"Cannot 'get_vnc_console' instance " + f.deleting.ID + " while it is in task_state deleting"},
		{"server migrating", action(p, f.migrating.ID), with(), vnc("novnc"), 409, "conflictingRequest",
			"Cannot 'get_vnc_console' instance " + f.migrating.ID + " while it is in task_state migrating"},
		// 415
		{"unsupported content type", action(p, f.active.ID), with("Content-Type", "text/xml"), vnc("novnc"), 415, "badMediaType", "Unsupported Content-Type"},
		// 501: the seed's "vnc console isn't implemented".
		{"bare-metal host", action(p, f.metal.ID), with(), vnc("novnc"), 501, "notImplemented", "The requested functionality is not supported."},
		{"an action the fake lacks", action(p, f.active.ID), with(), `{"lock": null}`, 501, "notImplemented", "novastub does not implement the server action lock."},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := f.do(t, http.MethodPost, row.path, row.header, row.body)
			require.Equal(t, row.status, ex.status, ex.body)
			assert.Regexp(t, requestIDPattern, ex.header.Get("X-Openstack-Request-Id"))
			require.Contains(t, ex.decoded, row.fault, ex.body)
			assert.Equal(t, row.message, ex.decoded[row.fault]["message"])
			assert.EqualValues(t, row.status, ex.decoded[row.fault]["code"])
			if row.status == 401 {
				assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
				assert.Equal(t, `Keystone uri="`+f.URL+`/identity"`, ex.header.Get("WWW-Authenticate"))
				return
			}
			assert.Equal(t, "application/json; charset=UTF-8", ex.header.Get("Content-Type"))
			assert.Len(t, ex.decoded, 1, "a fault body has one key")
			assert.Len(t, ex.decoded[row.fault], 2, "message and code")
			assert.True(t, strings.HasPrefix(ex.body, `{"`+row.fault+`": {"message": `), "the seed's key order: %s", ex.body)
		})
	}
}

func TestGetVNCConsoleSucceeds(t *testing.T) {
	f := newConsoleFixture(t)
	p := f.ProjectID
	auth := map[string]string{"Content-Type": "application/json", "X-Auth-Token": f.Token}
	rows := []struct {
		name, path, body string
		header           map[string]string
		typ, urlPrefix   string
		versioned        bool
	}{
		{"legacy v2 endpoint", "/v2/" + p + "/servers/" + f.active.ID + "/action", vnc("novnc"), auth,
			"novnc", "http://127.0.0.1:6080/vnc_auto.html?token=", false},
		{"v2.1 with project", "/v2.1/" + p + "/servers/" + f.active.ID + "/action", vnc("novnc"), auth,
			"novnc", "http://127.0.0.1:6080/vnc_auto.html?token=", true},
		{"v2.1 without project", "/v2.1/servers/" + f.active.ID + "/action", vnc("novnc"), auth,
			"novnc", "http://127.0.0.1:6080/vnc_auto.html?token=", true},
		{"xvpvnc, valid as the seed says", "/v2.1/servers/" + f.active.ID + "/action", vnc("xvpvnc"), auth,
			"xvpvnc", "http://127.0.0.1:6081/console?token=", true},
		{"unknown property relaxed on v2", "/v2/" + p + "/servers/" + f.active.ID + "/action",
			`{"os-getVNCConsole": {"type": "novnc", "foo": 1}}`, auth, "novnc", "http://127.0.0.1:6080/vnc_auto.html?token=", false},
		{"microversion 2.5", "/v2.1/servers/" + f.active.ID + "/action", vnc("novnc"),
			map[string]string{"X-Auth-Token": f.Token, "OpenStack-API-Version": "compute 2.5"}, "novnc", "http://127.0.0.1:6080/vnc_auto.html?token=", true},
		{"no content type is fine", "/v2.1/servers/" + f.active.ID + "/action", vnc("novnc"),
			map[string]string{"X-Auth-Token": f.Token}, "novnc", "http://127.0.0.1:6080/vnc_auto.html?token=", true},
		{"admin sees another project's server", "/v2.1/servers/" + f.foreign.ID + "/action", vnc("novnc"),
			map[string]string{"X-Auth-Token": f.adminToken}, "novnc", "http://127.0.0.1:6080/vnc_auto.html?token=", true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := f.do(t, http.MethodPost, row.path, row.header, row.body)
			require.Equal(t, http.StatusOK, ex.status, ex.body)
			assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
			assert.Regexp(t, requestIDPattern, ex.header.Get("X-Compute-Request-Id"))
			assert.Equal(t, ex.header.Get("X-Compute-Request-Id"), ex.header.Get("X-Openstack-Request-Id"))
			console := ex.decoded["console"]
			require.NotNil(t, console, ex.body)
			assert.Equal(t, row.typ, console["type"])
			url, _ := console["url"].(string)
			require.True(t, strings.HasPrefix(url, row.urlPrefix), url)
			tok, err := f.State.ConsoleToken(strings.TrimPrefix(url, row.urlPrefix))
			require.NoError(t, err, "the URL's token is stored")
			assert.Equal(t, state.ConsoleType(row.typ), tok.Type)
			if row.versioned {
				want := "2.1"
				if v := row.header["OpenStack-API-Version"]; v != "" {
					want = strings.TrimPrefix(v, "compute ")
				}
				assert.Equal(t, "compute "+want, ex.header.Get("OpenStack-API-Version"))
				assert.Equal(t, want, ex.header.Get("X-OpenStack-Nova-API-Version"))
				assert.Equal(t, []string{"OpenStack-API-Version", "X-OpenStack-Nova-API-Version"}, ex.header.Values("Vary"))
			} else {
				assert.Empty(t, ex.header.Values("OpenStack-API-Version"))
				assert.Empty(t, ex.header.Values("X-OpenStack-Nova-API-Version"))
				assert.Empty(t, ex.header.Values("Vary"))
			}
		})
	}
}

func TestGetVNCConsoleNovaURLForm(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithConsoleURL(state.ConsoleNoVNC, "http://proxy.example:6080/vnc_auto.html", fakenova.PathQuery))
	ex := f.do(t, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/action",
		map[string]string{"X-Auth-Token": f.Token}, vnc("novnc"))
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	url := ex.decoded["console"]["url"].(string)
	prefix := "http://proxy.example:6080/vnc_auto.html?path=%3Ftoken%3D"
	require.True(t, strings.HasPrefix(url, prefix), url)
	_, err := f.State.ConsoleToken(strings.TrimPrefix(url, prefix))
	assert.NoError(t, err)
}

func TestGetVNCConsoleVNCDisabled(t *testing.T) {
	st := state.New(state.WithProtocols(state.ProtocolSPICE))
	f := newConsoleFixture(t, fakenova.WithState(st))
	ex := f.do(t, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/action",
		map[string]string{"X-Auth-Token": f.Token}, vnc("novnc"))
	require.Equal(t, http.StatusBadRequest, ex.status, ex.body)
	assert.Equal(t, "Unavailable console type novnc.", ex.decoded["badRequest"]["message"])
}

func TestUnknownRoutesGetNovasBare404(t *testing.T) {
	f := newConsoleFixture(t)
	for _, row := range []struct {
		name, method, path string
	}{
		{"wrong method on action", http.MethodGet, "/v2.1/servers/" + f.active.ID + "/action"},
		{"unknown collection", http.MethodGet, "/v2.1/" + f.ProjectID + "/nothing-here"},
		{"unknown project-less collection", http.MethodGet, "/v2.1/os-keypairs"},
	} {
		t.Run(row.name, func(t *testing.T) {
			ex := f.do(t, row.method, row.path, map[string]string{"X-Auth-Token": f.Token, "Accept": "application/json"}, "")
			require.Equal(t, http.StatusNotFound, ex.status)
			assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
			assert.JSONEq(t, `{"message": "The resource could not be found.<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`, ex.body)
		})
	}
}

func TestBodyOverLimitGets413(t *testing.T) {
	f := newConsoleFixture(t)
	body := `{"os-getVNCConsole": {"type": "novnc", "pad": "` + strings.Repeat("x", 114688) + `"}}`
	ex := f.do(t, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/action",
		map[string]string{"X-Auth-Token": f.Token, "Accept": "application/json"}, body)
	require.Equal(t, http.StatusRequestEntityTooLarge, ex.status)
	assert.Regexp(t, requestIDPattern, ex.header.Get("X-Compute-Request-Id"))
	assert.JSONEq(t, `{"message": "Request is too large. Larger than max_request_body_size (114688).<br /><br />\n\n\n", "code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}`, ex.body)
}
