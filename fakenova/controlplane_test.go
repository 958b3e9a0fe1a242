package fakenova_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// ctl sends a control-plane request, with a JSON body when body is set;
// header are name, value pairs.
func ctl(t *testing.T, base, method, path, body string, header ...string) exchange {
	t.Helper()
	h := http.Header{}
	if body != "" || method == http.MethodPost || method == http.MethodPut {
		h.Set("Content-Type", "application/json") // the control plane needs it on POST and PUT
	}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return send(t, base, method, "/_novastub/"+path, h, body)
}

// assertControlOK checks a control answer with a JSON body.
func assertControlOK(t *testing.T, ex exchange, status int) {
	t.Helper()
	require.Equal(t, status, ex.status, ex.body)
	assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
}

// assertNoContent checks a control answer of 204, without a body.
func assertNoContent(t *testing.T, ex exchange) {
	t.Helper()
	require.Equal(t, http.StatusNoContent, ex.status, ex.body)
	assert.Empty(t, ex.body)
}

// assertControlError checks the control plane's error:
// {"error": {"field": field, "message": message}}.
func assertControlError(t *testing.T, ex exchange, status int, field, message string) {
	t.Helper()
	require.Equal(t, status, ex.status, ex.body)
	assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
	assert.Equal(t, map[string]map[string]any{"error": {"field": field, "message": message}}, ex.decoded)
}

// controlFixture is a fake with the control plane on, and one server.
func controlFixture(t *testing.T, cp fakenova.ControlPlane) (*fakenova.Test, state.Server) {
	t.Helper()
	ts := fakenova.Start(t, fakenova.WithControlPlane(cp))
	return ts, ts.AddServer("web-1")
}

func TestControlPlaneFaults(t *testing.T) {
	ts, srv := controlFixture(t, fakenova.ControlPlane{})

	ex := ctl(t, ts.URL, http.MethodPost, "faults",
		`{"operation": "getVNCConsole", "server_id": "`+srv.ID+`", "status": 503, "times": 1, "delay_ms": 0}`)
	assertControlOK(t, ex, http.StatusCreated)
	assert.Equal(t, map[string]any{"id": "fault-1"}, decodeAny(t, ex))

	got := vncConsole(t, ts, srv.ID)
	assertNovaFault(t, got, 503, "serviceUnavailable", msgUnavailable, "2.1")
	assert.Equal(t, "fault-1", got.header.Get(fakenova.HeaderInjected))
	got = vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, got.status, got.body)

	ex = ctl(t, ts.URL, http.MethodPost, "faults", `{"sequence": [
		{"operation": "showServer", "status": 503, "times": 1},
		{"operation": "showServer", "status": 503, "message": "again", "times": 1},
		{"operation": "showServer", "times": 1}]}`)
	assertControlOK(t, ex, http.StatusCreated)
	assert.Equal(t, map[string]any{"ids": []any{"fault-2", "fault-3", "fault-4"}}, decodeAny(t, ex))

	ex = ctl(t, ts.URL, http.MethodPost, "faults", `{"operation": "createServer", "project_id": "`+ts.ProjectID+`",
		"status": 502, "body": "<h1>bad gateway</h1>", "content_type": "text/html", "delay_ms": 5, "after_change": true}`)
	assertControlOK(t, ex, http.StatusCreated)
	assert.Equal(t, map[string]any{"id": "fault-5"}, decodeAny(t, ex))

	ex = ctl(t, ts.URL, http.MethodGet, "faults", "")
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, map[string]any{"faults": []any{
		map[string]any{"id": "fault-2", "operation": "showServer", "status": float64(503), "times": float64(1), "remaining": float64(1)},
		map[string]any{"id": "fault-3", "operation": "showServer", "status": float64(503), "message": "again", "times": float64(1), "remaining": float64(1)},
		map[string]any{"id": "fault-4", "operation": "showServer", "times": float64(1), "remaining": float64(1)},
		map[string]any{"id": "fault-5", "operation": "createServer", "project_id": ts.ProjectID, "status": float64(502),
			"body": "<h1>bad gateway</h1>", "content_type": "text/html", "delay_ms": float64(5), "after_change": true, "remaining": float64(-1)},
	}}, decodeAny(t, ex))
	assert.Equal(t, time.Millisecond*5, ts.Faults().List()[3].Delay)

	got = getServer(t, ts, srv.ID)
	assertNovaFault(t, got, 503, "serviceUnavailable", msgUnavailable, "2.1")
	got = getServer(t, ts, srv.ID)
	assertNovaFault(t, got, 503, "serviceUnavailable", "again", "2.1")
	got = getServer(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, got.status)
	assert.Equal(t, "fault-4", got.header.Get(fakenova.HeaderInjected))

	ex = ctl(t, ts.URL, http.MethodGet, "faults", "")
	assert.Equal(t, []any{"fault-5"}, []any{decodeAny(t, ex)["faults"].([]any)[0].(map[string]any)["id"]})

	assertNoContent(t, ctl(t, ts.URL, http.MethodDelete, "faults/fault-5", ""))
	assertControlError(t, ctl(t, ts.URL, http.MethodDelete, "faults/fault-5", ""), http.StatusNotFound, "id",
		`fakenova: no such fault rule: "fault-5"`)
	assertControlError(t, ctl(t, ts.URL, http.MethodDelete, "faults/nope", ""), http.StatusNotFound, "id",
		`fakenova: no such fault rule: "nope"`)
	ex = ctl(t, ts.URL, http.MethodGet, "faults", "")
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, `{"faults": []}`, compactJSON(t, ex.body))

	ctl(t, ts.URL, http.MethodPost, "faults", `{"operation": "showServer", "status": 500}`)
	ctl(t, ts.URL, http.MethodPost, "faults", `{"operation": "listServers", "status": 500}`)
	require.Len(t, ts.Faults().List(), 2)
	assertNoContent(t, ctl(t, ts.URL, http.MethodDelete, "faults", ""))
	assert.Empty(t, ts.Faults().List())
	got = getServer(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, got.status)
}

func TestControlPlaneFaultErrors(t *testing.T) {
	ts, _ := controlFixture(t, fakenova.ControlPlane{})
	for _, row := range []struct {
		name, body, field, message string
	}{
		{"unknown operation", `{"operation": "nope", "status": 503}`, "operation",
			`operation: fakenova: unknown operation "nope" (see fakenova.Operations)`},
		{"no operation", `{"status": 503}`, "operation", `operation: fakenova: unknown operation "" (see fakenova.Operations)`},
		{"status", `{"operation": "showServer", "status": 700}`, "status", "status: must be a final HTTP status, 200 to 599"},
		{"times", `{"operation": "showServer", "status": 500, "times": -2}`, "times", "times: must not be negative"},
		{"delay", `{"operation": "showServer", "delay_ms": -1}`, "delay_ms", "must not be negative"},
		{"body without status", `{"operation": "showServer", "body": "x"}`, "body", "body: needs a status"},
		{"unknown field", `{"operation": "showServer", "stauts": 503}`, "stauts", "unknown field"},
		{"wrong type", `{"operation": "showServer", "status": "503"}`, "status", "expected a number, got string"},
		{"wrong type of a string", `{"operation": 7}`, "operation", "expected a string, got number"},
		{"malformed", `{"operation": `, "body", "malformed JSON: unexpected EOF"},
		{"sequence: a bad rule", `{"sequence": [{"operation": "showServer", "status": 503, "times": 1}, {"operation": "showServer", "status": 1000}]}`,
			"sequence[1].status", "status: must be a final HTTP status, 200 to 599"},
		{"sequence: unknown operation", `{"sequence": [{"operation": "showSever", "status": 503}]}`,
			"sequence[0].operation", `operation: fakenova: unknown operation "showSever" (see fakenova.Operations)`},
		{"sequence: delay", `{"sequence": [{"operation": "showServer"}, {"operation": "showServer", "delay_ms": -5}]}`,
			"sequence[1].delay_ms", "must not be negative"},
		{"sequence: unknown field", `{"sequence": [{"operation": "showServer", "tims": 1}]}`, "tims", "unknown field"},
	} {
		t.Run(row.name, func(t *testing.T) {
			ex := ctl(t, ts.URL, http.MethodPost, "faults", row.body)
			assertControlError(t, ex, http.StatusBadRequest, row.field, row.message)
			assert.Empty(t, ts.Faults().List(), "nothing was added")
		})
	}
}

func TestControlPlaneJournal(t *testing.T) {
	ts, srv := controlFixture(t, fakenova.ControlPlane{})
	other := ts.AddServer("web-2")
	ts.AddFault(fakenova.Fault{Operation: "showServer", ServerID: other.ID, Status: 503, Times: 1})
	getServer(t, ts, srv.ID)
	getServer(t, ts, other.ID)
	vncConsole(t, ts, srv.ID)
	getServer(t, ts, other.ID)

	requests := func(query string) []fakenova.Entry {
		t.Helper()
		ex := ctl(t, ts.URL, http.MethodGet, "journal"+query, "")
		assertControlOK(t, ex, http.StatusOK)
		return decodeInto[struct {
			Requests []fakenova.Entry `json:"requests"`
		}](t, ex.body).Requests
	}
	all := requests("")
	require.Len(t, all, 4)
	assert.Equal(t, ts.Journal().Entries(fakenova.Query{}), all, "the Go and the HTTP journal agree")
	assert.Equal(t, []string{"showServer", "showServer", "getVNCConsole", "showServer"}, operations(all))

	assert.Equal(t, []int{200, 503, 200}, statuses(requests("?operation=showServer")))
	assert.Equal(t, []string{"showServer", "getVNCConsole"}, operations(requests("?server_id="+srv.ID)))
	assert.Equal(t, []string{"/v2.1/servers/" + other.ID}, paths(requests("?status=503")))
	assert.Equal(t, []int{200}, statuses(requests("?operation=showServer&server_id="+other.ID+"&status=200")))
	assert.Empty(t, requests("?operation=deleteServer"))

	// The raw shape of an entry.
	ex := ctl(t, ts.URL, http.MethodGet, "journal?operation=getVNCConsole", "")
	raw := decodeAny(t, ex)["requests"].([]any)
	require.Len(t, raw, 1)
	entry := raw[0].(map[string]any)
	assert.Equal(t, []string{"body", "duration_ns", "method", "microversion", "operation", "path", "project_id", "request_id",
		"seq", "server_id", "status", "time"}, sortedKeys(entry))
	assert.Equal(t, ts.Clock.Now().Format(time.RFC3339Nano), entry["time"])
	assert.Equal(t, `{"os-getVNCConsole": {"type": "novnc"}}`, entry["body"])

	assertControlError(t, ctl(t, ts.URL, http.MethodGet, "journal?operation=getVncConsole", ""), http.StatusBadRequest,
		"operation", `fakenova: unknown operation "getVncConsole" (see fakenova.Operations)`)
	assertControlError(t, ctl(t, ts.URL, http.MethodGet, "journal?status=ok", ""), http.StatusBadRequest, "status", "must be a positive number")

	assertNoContent(t, ctl(t, ts.URL, http.MethodDelete, "journal", ""))
	ex = ctl(t, ts.URL, http.MethodGet, "journal", "")
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, `{"requests": []}`, compactJSON(t, ex.body))
	assert.Empty(t, ts.Journal().Entries(fakenova.Query{}), "the control plane's own requests are not journaled")
}

func TestControlPlaneClock(t *testing.T) {
	ts, _ := controlFixture(t, fakenova.ControlPlane{})
	start := ts.Clock.Now()

	ex := ctl(t, ts.URL, http.MethodGet, "clock", "")
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, map[string]any{"now": start.UTC().Format(time.RFC3339)}, decodeAny(t, ex))

	// A server created now builds in 6 s; a console token lives 600 s.
	created := send(t, ts.URL, http.MethodPost, "/v2.1/servers", apiHeader(ts.Token, ""), `{"server": {"name": "b", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1"}}`)
	require.Equal(t, http.StatusAccepted, created.status, created.body)
	building := created.decoded["server"]["id"].(string)

	ex = ctl(t, ts.URL, http.MethodPost, "clock/advance", `{"seconds": 6}`)
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, map[string]any{"now": start.Add(6 * time.Second).UTC().Format(time.RFC3339)}, decodeAny(t, ex))
	assert.Equal(t, "ACTIVE", getServer(t, ts, building).decoded["server"]["status"])

	console := vncConsole(t, ts, building)
	require.Equal(t, http.StatusOK, console.status, console.body)
	token := tokenOf(t, console.decoded["console"]["url"].(string), novncPrefix)

	ex = ctl(t, ts.URL, http.MethodPost, "clock/advance", `{"seconds": 600}`)
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, map[string]any{"now": start.Add(606 * time.Second).UTC().Format(time.RFC3339)}, decodeAny(t, ex))
	assert.Equal(t, start.Add(606*time.Second), ts.Clock.Now())
	_, err := ts.State.ConsoleToken(token)
	assert.ErrorIs(t, err, state.ErrNotFound, "the console token expired")

	ex = ctl(t, ts.URL, http.MethodPost, "clock/advance", `{"seconds": 0.25}`)
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, map[string]any{"now": start.Add(606*time.Second + 250*time.Millisecond).UTC().Format(time.RFC3339Nano)}, decodeAny(t, ex))
	ex = ctl(t, ts.URL, http.MethodGet, "clock", "")
	assert.Equal(t, map[string]any{"now": ts.Clock.Now().UTC().Format(time.RFC3339Nano)}, decodeAny(t, ex))

	for _, row := range []struct{ body, field, message string }{
		{`{}`, "seconds", "required, and not negative"},
		{`{"seconds": -1}`, "seconds", "required, and not negative"},
		{`{"seconds": null}`, "seconds", "required, and not negative"},
		{`{"seconds": "600"}`, "seconds", "expected a number, got string"},
		{`{"minutes": 10}`, "minutes", "unknown field"},
		{`[600]`, "", "expected an object, got array"},
	} {
		before := ts.Clock.Now()
		assertControlError(t, ctl(t, ts.URL, http.MethodPost, "clock/advance", row.body), http.StatusBadRequest, row.field, row.message)
		assert.Equal(t, before, ts.Clock.Now())
	}

	// A fake on the system clock cannot be advanced: 409.
	n := fakenova.New(fakenova.WithControlPlane(fakenova.ControlPlane{}))
	wall := httptest.NewServer(n)
	t.Cleanup(wall.Close)
	assertControlError(t, ctl(t, wall.URL, http.MethodPost, "clock/advance", `{"seconds": 600}`), http.StatusConflict, "clock",
		"fakenova: the store's clock cannot be advanced (it is a state.SystemClock)")
	ex = ctl(t, wall.URL, http.MethodGet, "clock", "")
	assertControlOK(t, ex, http.StatusOK)
	now, err := time.Parse(time.RFC3339Nano, decodeAny(t, ex)["now"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), now, time.Minute)
}

func TestControlPlaneUpdateServer(t *testing.T) {
	ts, srv := controlFixture(t, fakenova.ControlPlane{})
	put := func(id, body string) exchange {
		t.Helper()
		return ctl(t, ts.URL, http.MethodPut, "servers/"+id, body)
	}
	view := func(fields map[string]any) map[string]any {
		out := map[string]any{"id": srv.ID, "name": "web-1", "project_id": ts.ProjectID, "flavor_id": fakenova.TestFlavorID}
		for k, v := range fields {
			out[k] = v
		}
		return map[string]any{"server": out}
	}

	ex := put(srv.ID, `{"status": "SHUTOFF"}`)
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, view(map[string]any{"status": "SHUTOFF", "host": fakenova.TestHost}), decodeAny(t, ex))
	got, err := ts.State.Server(srv.ID)
	require.NoError(t, err)
	assert.Equal(t, state.VMStopped, got.VMState)
	assert.Equal(t, state.PowerShutdown, got.PowerState)
	assert.Equal(t, "SHUTOFF", getServer(t, ts, srv.ID).decoded["server"]["status"])

	ex = put(srv.ID, `{"status": "ACTIVE", "task_state": "deleting"}`)
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, view(map[string]any{"status": "ACTIVE", "task_state": "deleting", "host": fakenova.TestHost}), decodeAny(t, ex))
	shown := getServer(t, ts, srv.ID).decoded["server"]
	assert.Equal(t, "deleting", shown["OS-EXT-STS:task_state"])
	console := vncConsole(t, ts, srv.ID)
	assert.Equal(t, http.StatusConflict, console.status, "no console while deleting: %s", console.body)

	ex = put(srv.ID, `{"task_state": null}`)
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, view(map[string]any{"status": "ACTIVE", "host": fakenova.TestHost}), decodeAny(t, ex))
	got, err = ts.State.Server(srv.ID)
	require.NoError(t, err)
	assert.Equal(t, state.TaskNone, got.TaskState)
	console = vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, console.status, console.body)

	ex = put(srv.ID, `{"host": ""}`)
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, view(map[string]any{"status": "ACTIVE", "host": ""}), decodeAny(t, ex))
	got, err = ts.State.Server(srv.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Host)
	console = vncConsole(t, ts, srv.ID)
	assert.Equal(t, http.StatusConflict, console.status, "no console without a host: %s", console.body)

	ex = put(srv.ID, `{"host": "`+fakenova.TestHost+`"}`)
	assertControlOK(t, ex, http.StatusOK)
	ex = put(srv.ID, `{}`)
	assertControlOK(t, ex, http.StatusOK)
	assert.Equal(t, view(map[string]any{"status": "ACTIVE", "host": fakenova.TestHost}), decodeAny(t, ex))

	before, err := ts.State.Server(srv.ID)
	require.NoError(t, err)
	missing := "0e5f7c3a-9b1d-4e2f-8a6c-1d2e3f4a5b6c"
	for _, row := range []struct {
		name, id, body string
		status         int
		field, message string
	}{
		{"unknown status", srv.ID, `{"status": "RUNNING"}`, 400, "status", `unknown Nova status "RUNNING"`},
		{"unknown host", srv.ID, `{"host": "compute-9"}`, 400, "host", `host "compute-9" not found`},
		{"unknown host with a good status", srv.ID, `{"status": "PAUSED", "host": "compute-9"}`, 400, "host", `host "compute-9" not found`},
		{"unknown server", missing, `{"status": "SHUTOFF"}`, 404, "id", `server "` + missing + `" not found`},
		{"unknown field", srv.ID, `{"vm_state": "stopped"}`, 400, "vm_state", "unknown field"},
		{"status of a wrong type", srv.ID, `{"status": 4}`, 400, "status", "expected a string, got number"},
		{"host of a wrong type", srv.ID, `{"host": null, "status": ["ACTIVE"]}`, 400, "status", "expected a string, got array"},
		{"task_state of a wrong type", srv.ID, `{"task_state": 5}`, 400, "task_state", "must be a string or null"},
		{"malformed", srv.ID, `{"status": "ACTIVE"`, 400, "body", "malformed JSON: unexpected EOF"},
	} {
		t.Run(row.name, func(t *testing.T) {
			assertControlError(t, put(row.id, row.body), row.status, row.field, row.message)
			after, err := ts.State.Server(srv.ID)
			require.NoError(t, err)
			assert.Equal(t, before, after, "the server is untouched")
		})
	}
}

func TestControlPlaneState(t *testing.T) {
	ts, srv := controlFixture(t, fakenova.ControlPlane{})

	ex := ctl(t, ts.URL, http.MethodGet, "state", "")
	assertControlOK(t, ex, http.StatusOK)
	seed, err := state.ParseSeed([]byte(ex.body))
	require.NoError(t, err, ex.body)
	require.Len(t, seed.Projects, 1)
	assert.Equal(t, ts.ProjectID, seed.Projects[0].ID)
	assert.Equal(t, "test", seed.Projects[0].Name)
	assert.Equal(t, []state.SeedHost{{Name: fakenova.TestHost}}, seed.Hosts)
	require.Len(t, seed.Tokens, 1)
	assert.Equal(t, state.SeedToken{Token: ts.Token, ProjectID: ts.ProjectID, Roles: []string{"member", "reader"},
		UserID: "test-user", UserName: "test"}, seed.Tokens[0])
	host := fakenova.TestHost
	assert.Equal(t, []state.SeedServer{{ID: srv.ID, Name: "web-1", ProjectID: ts.ProjectID, Status: "ACTIVE", Host: &host,
		FlavorID: fakenova.TestFlavorID}}, seed.Servers)
	snapshot, err := json.Marshal(ts.State.Snapshot())
	require.NoError(t, err)
	assert.JSONEq(t, string(snapshot), ex.body)

	// Replace the model.
	const project = "5e0ba5cc4a0e4e9e8d6f5a1b2c3d4e5f"
	const server = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	next := `{"projects": [{"id": "` + project + `", "name": "other"}],
		"hosts": [{"name": "compute-9"}],
		"tokens": [{"token": "tok-2", "project_id": "` + project + `", "roles": ["member"]}],
		"servers": [{"id": "` + server + `", "name": "db", "project_id": "` + project + `", "status": "SHUTOFF"}]}`
	assertNoContent(t, ctl(t, ts.URL, http.MethodPut, "state", next))
	ex = ctl(t, ts.URL, http.MethodGet, "state", "")
	seed, err = state.ParseSeed([]byte(ex.body))
	require.NoError(t, err)
	host = "compute-9"
	assert.Equal(t, []state.SeedServer{{ID: server, Name: "db", ProjectID: project, Status: "SHUTOFF", Host: &host}}, seed.Servers)
	assert.Equal(t, http.StatusUnauthorized, getServer(t, ts, srv.ID).status, "the old token is gone")
	list := send(t, ts.URL, http.MethodGet, "/v2.1/servers", apiHeader("tok-2", ""), "")
	require.Equal(t, http.StatusOK, list.status, list.body)
	assert.Contains(t, list.body, `"id": "`+server+`"`)

	// A bad model is refused whole, naming the field; the model stays.
	for _, row := range []struct{ name, body, field, message string }{
		{"unknown project", `{"projects": [], "hosts": [{"name": "h"}], "servers": [{"id": "` + server + `", "name": "x", "project_id": "` + project + `"}]}`,
			"servers[0].project_id", `servers[0].project_id: no project "` + project + `" in this seed`},
		{"unknown field", `{"projects": [], "hsots": []}`, "hsots", "hsots: unknown field"},
		{"wrong type", `{"servers": [{"id": 5}]}`, "servers[0].id", "servers[0].id: expected a string, got number"},
		{"bad server id", `{"projects": [{"id": "` + project + `"}], "servers": [{"id": "vm-1", "project_id": "` + project + `", "host": ""}]}`,
			"servers[0].id", `servers[0].id: "vm-1" is not a lowercase dashed UUID`},
		{"malformed", `{"projects": [`, "body", "malformed JSON at line 1, column 15: unexpected end of input"},
	} {
		t.Run(row.name, func(t *testing.T) {
			assertControlError(t, ctl(t, ts.URL, http.MethodPut, "state", row.body), http.StatusBadRequest, row.field, row.message)
			after := ctl(t, ts.URL, http.MethodGet, "state", "")
			assert.JSONEq(t, ex.body, after.body, "the model is untouched")
		})
	}
}

func TestControlPlaneResetToTheGivenSeed(t *testing.T) {
	const project = "5e0ba5cc4a0e4e9e8d6f5a1b2c3d4e5f"
	seed, err := state.ParseSeed([]byte(`{"projects": [{"id": "` + project + `", "name": "demo"}],
		"hosts": [{"name": "compute-1"}],
		"tokens": [{"token": "demo-token", "project_id": "` + project + `", "roles": ["member"]}],
		"images": [{"id": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "name": "cirros", "visibility": "public", "created_at": "2026-01-01T00:00:00Z"}],
		"flavors": [{"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1}],
		"servers": [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "name": "vm1", "project_id": "` + project + `"}]}`))
	require.NoError(t, err)
	clock := state.NewManualClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	st := state.New(state.WithClock(clock))
	n := fakenova.New(fakenova.WithState(st), fakenova.WithControlPlane(fakenova.ControlPlane{Seed: seed}))
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)

	assert.Empty(t, st.Servers(), "the seed is what reset restores, not what New loads")
	assertNoContent(t, ctl(t, srv.URL, http.MethodPost, "reset", ""))
	want := ctl(t, srv.URL, http.MethodGet, "state", "").body

	// Change everything: the model, the faults, the journal, the clock.
	created := send(t, srv.URL, http.MethodPost, "/v2.1/servers", apiHeader("demo-token", ""), `{"server": {"name": "extra", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1"}}`)
	require.Equal(t, http.StatusAccepted, created.status, created.body)
	_, err = n.Faults().Add(fakenova.Fault{Operation: "listServers", Status: 503})
	require.NoError(t, err)
	clock.Advance(time.Hour)
	require.Len(t, st.Servers(), 2)
	require.NotEmpty(t, n.Journal().Entries(fakenova.Query{}))

	assertNoContent(t, ctl(t, srv.URL, http.MethodPost, "reset", ""))
	assert.JSONEq(t, want, ctl(t, srv.URL, http.MethodGet, "state", "").body)
	assert.Empty(t, n.Faults().List())
	assert.Empty(t, n.Journal().Entries(fakenova.Query{}))
	assert.Equal(t, time.Date(2026, 3, 4, 6, 6, 7, 0, time.UTC), clock.Now(), "reset does not move the clock")
	list := send(t, srv.URL, http.MethodGet, "/v2.1/servers", apiHeader("demo-token", ""), "")
	require.Equal(t, http.StatusOK, list.status, list.body)
	assert.Contains(t, list.body, "365313c5-5d0c-4c43-af05-16f765c0f2bc")
	assert.NotContains(t, list.body, created.decoded["server"]["id"].(string))
}

func TestControlPlaneResetToTheModelAtNew(t *testing.T) {
	st := state.New(state.WithClock(state.NewManualClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))))
	project, err := st.AddProject(state.Project{Name: "demo"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "compute-1"}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: "demo-token", ProjectID: project.ID, Roles: []string{"member"}}))
	vm, err := st.AddServer(state.Server{Name: "vm1", ProjectID: project.ID, Host: "compute-1"})
	require.NoError(t, err)
	n := fakenova.New(fakenova.WithState(st), fakenova.WithControlPlane(fakenova.ControlPlane{}))
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)
	want := ctl(t, srv.URL, http.MethodGet, "state", "").body

	_, err = st.AddServer(state.Server{Name: "vm2", ProjectID: project.ID, Host: "compute-1"})
	require.NoError(t, err)
	require.NoError(t, st.RemoveServer(vm.ID))

	assertNoContent(t, ctl(t, srv.URL, http.MethodPost, "reset", ""))
	assert.JSONEq(t, want, ctl(t, srv.URL, http.MethodGet, "state", "").body)
	servers := st.Servers()
	require.Len(t, servers, 1)
	assert.Equal(t, vm.ID, servers[0].ID)
}

// With Start, reset goes back to the model Start seeded: the test's
// project, host and token stay.
func TestControlPlaneResetWithStart(t *testing.T) {
	ts, srv := controlFixture(t, fakenova.ControlPlane{})
	ts.AddServer("web-2")
	ts.AddFault(fakenova.Fault{Operation: "listServers", Status: 503})
	assertNoContent(t, ctl(t, ts.URL, http.MethodPost, "reset", ""))

	list := send(t, ts.URL, http.MethodGet, "/v2.1/servers", apiHeader(ts.Token, ""), "")
	require.Equal(t, http.StatusOK, list.status, list.body)
	assert.Equal(t, `{"servers": []}`, list.body)
	assert.Empty(t, ts.Faults().List())
	assert.Equal(t, 1, ts.Journal().Count("listServers"), "the journal was cleared before this call")
	_, err := ts.State.Server(srv.ID)
	assert.ErrorIs(t, err, state.ErrNotFound)
	_, err = ts.State.Host(fakenova.TestHost)
	assert.NoError(t, err)
}

func TestControlPlaneToken(t *testing.T) {
	ts, srv := controlFixture(t, fakenova.ControlPlane{Token: "x"})

	for _, header := range [][]string{
		nil,
		{"X-Novastub-Token", "y"},
		{"Authorization", "Bearer y"},
		{"Authorization", "Basic x"},
		{"Authorization", "x"},
		{"X-Auth-Token", ts.Token},
	} {
		ex := ctl(t, ts.URL, http.MethodGet, "faults", "", header...)
		assertControlError(t, ex, http.StatusUnauthorized, "token", "the control plane needs its token")
		ex = ctl(t, ts.URL, http.MethodPost, "faults", `{"operation": "showServer", "status": 503}`, header...)
		assertControlError(t, ex, http.StatusUnauthorized, "token", "the control plane needs its token")
	}
	assert.Empty(t, ts.Faults().List())

	ex := ctl(t, ts.URL, http.MethodPost, "faults", `{"operation": "showServer", "status": 503, "times": 1}`, "Authorization", "Bearer x")
	assertControlOK(t, ex, http.StatusCreated)
	ex = ctl(t, ts.URL, http.MethodGet, "faults", "", "X-Novastub-Token", "x")
	assertControlOK(t, ex, http.StatusOK)
	assert.Len(t, decodeAny(t, ex)["faults"], 1)
	// Unknown endpoints are hidden behind the token too.
	assertControlError(t, ctl(t, ts.URL, http.MethodGet, "nothing", ""), http.StatusUnauthorized, "token", "the control plane needs its token")

	// The API does not need the control token.
	got := getServer(t, ts, srv.ID)
	assert.Equal(t, http.StatusServiceUnavailable, got.status)
}

// Without WithControlPlane, /_novastub/ is not served: it is a path like
// any other outside the API, Nova's 300 choices.
func TestControlPlaneOffByDefault(t *testing.T) {
	ts := fakenova.Start(t)
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		ex := ctl(t, ts.URL, method, "faults", "")
		require.Equal(t, http.StatusMultipleChoices, ex.status, ex.body)
		assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
		assert.JSONEq(t, `{"choices": [
			{"id": "v2.0", "status": "DEPRECATED", "links": [{"rel": "self", "href": "`+ts.URL+`/v2/_novastub/faults"}],
			 "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}]},
			{"id": "v2.1", "status": "CURRENT", "links": [{"rel": "self", "href": "`+ts.URL+`/v2.1/_novastub/faults"}],
			 "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]}]}`, ex.body)
	}
	assert.Empty(t, ts.Faults().List())
}

// The control plane's own requests are neither journaled nor faulted,
// even by rules on the operations of the paths around it.
func TestControlPlaneIsNotJournaledNorFaulted(t *testing.T) {
	ts, _ := controlFixture(t, fakenova.ControlPlane{})
	ts.AddFault(fakenova.Fault{Operation: "listVersions", Status: 503})
	ts.AddFault(fakenova.Fault{Operation: "showVersion", Status: 503})

	assertControlOK(t, ctl(t, ts.URL, http.MethodGet, "faults", ""), http.StatusOK)
	assertControlOK(t, ctl(t, ts.URL, http.MethodGet, "journal", ""), http.StatusOK)
	assertControlOK(t, ctl(t, ts.URL, http.MethodGet, "state", ""), http.StatusOK)
	assertControlOK(t, ctl(t, ts.URL, http.MethodGet, "clock", ""), http.StatusOK)
	assertControlError(t, ctl(t, ts.URL, http.MethodGet, "nothing", ""), http.StatusNotFound, "path", "no such control endpoint (GET /_novastub/ lists them)")
	assertControlError(t, ctl(t, ts.URL, http.MethodPatch, "faults", ""), http.StatusMethodNotAllowed, "method",
		"not allowed on this control endpoint")
	assertNoContent(t, ctl(t, ts.URL, http.MethodDelete, "journal", ""))
	assertControlOK(t, ctl(t, ts.URL, http.MethodPost, "clock/advance", `{"seconds": 1}`), http.StatusOK)
	assert.Empty(t, ts.Journal().Entries(fakenova.Query{}))

	// Outside the prefix, the rules fire and the journal records.
	ex := send(t, ts.URL, http.MethodGet, "/_novastubs", nil, "")
	assert.Equal(t, http.StatusServiceUnavailable, ex.status)
	ex = send(t, ts.URL, http.MethodGet, "/", nil, "")
	assert.Equal(t, http.StatusServiceUnavailable, ex.status)
	assert.Equal(t, []string{"/_novastubs", "/"}, paths(ts.Journal().Entries(fakenova.Query{})))
}

// compactJSON re-encodes a JSON document without spaces.
func compactJSON(t *testing.T, doc string) string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(doc), &v), doc)
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return strings.ReplaceAll(strings.ReplaceAll(string(out), ":", ": "), ",", ", ")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// A status set over the control plane follows the seed file's host rule:
// a BUILD server has no host, so its console is Nova's 409.
func TestControlPlaneStatusFollowsTheSeedRule(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithControlPlane(fakenova.ControlPlane{}))
	ex := f.do(t, http.MethodPut, "/_novastub/servers/"+f.active.ID, map[string]string{"Content-Type": "application/json"}, `{"status": "BUILD"}`)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	got, err := f.State.Server(f.active.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Host)
	ex = f.do(t, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/action", map[string]string{"X-Auth-Token": f.Token}, vnc("novnc"))
	require.Equal(t, http.StatusConflict, ex.status, ex.body)
	assert.Equal(t, "Instance "+f.active.ID+" is not ready", ex.decoded["conflictingRequest"]["message"])
}
