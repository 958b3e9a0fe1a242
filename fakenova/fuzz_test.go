package fakenova_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// FuzzServerAction sends any body, Content-Type and microversion to the
// server action endpoint: the fake must never panic nor answer 500, and
// every error must be a JSON body (a Nova fault, or webob's for 413).
func FuzzServerAction(f *testing.F) {
	for _, seed := range []struct{ body, ctype, version string }{
		{`{"os-getVNCConsole": {"type": "novnc"}}`, "application/json", ""},
		{`{"os-getVNCConsole": {"type": "xvpvnc", "x": [1, {"y": null}]}}`, "application/json", "2.1"},
		{`{"os-getSPICEConsole": {"type": "spice-html5"}}`, "", "2.5"},
		{`{"os-getSerialConsole": {}}`, "application/vnd.openstack.compute+json", "latest"},
		{`{"os-getRDPConsole": null}`, "text/plain", "2.6"},
		{`{"reboot": {"type": "HARD"}}`, "application/json", "2.99"},
		{`{"os-stop": null}`, "application/json", ""},
		{`[1, 2]`, "application/json", "compute"},
		{`"\ud800"`, "application/x-www-form-urlencoded", "2.0"},
		{"\xff\xfe", "application/json", "3.7"},
		{`{"os-getVNCConsole": {"type": 1e999}}`, "application/json", ""},
		{`{"os-getConsoleOutput": {"length": "-1"}}`, "application/json", ""},
		{`{"os-getConsoleOutput": {"length": 1e400}}`, "application/json", "2.1"},
		{`{"os-getConsoleOutput": {"length": -99999999999999999999999}}`, "application/json", ""},
	} {
		f.Add(seed.body, seed.ctype, seed.version)
	}
	ts := fakenova.Start(f)
	srv := ts.AddServer("vm1")
	f.Fuzz(func(t *testing.T, body, ctype, version string) {
		req := httptest.NewRequest(http.MethodPost, "/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/action", strings.NewReader(body))
		req.Header.Set("X-Auth-Token", ts.Token)
		req.Header.Set("Accept", "application/json") // webob's own pages (413) in JSON too
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if version != "" {
			req.Header.Set("X-OpenStack-Nova-API-Version", version)
		}
		rec := httptest.NewRecorder()
		ts.Nova.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("status %d for body %q, Content-Type %q, version %q: %s", rec.Code, body, ctype, version, rec.Body)
		}
		if rec.Code >= 400 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("a %d that is not JSON: %q", rec.Code, rec.Body)
		}
	})
}

// fuzzStart is a fake for a fuzz target: small bounds, so that millions
// of calls keep its memory flat.
func fuzzStart(f *testing.F, opts ...fakenova.Option) *fakenova.Test {
	st := state.New(state.WithMaxConsoleTokens(1000), state.WithProtocols(allProtocols...))
	return fakenova.Start(f, append([]fakenova.Option{fakenova.WithState(st), fakenova.WithJournalSize(100)}, opts...)...)
}

// checkAnswer fails on a 5xx (but Nova's 501) and on an error that is not JSON.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, what string) {
	t.Helper()
	if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
		t.Fatalf("status %d for %s: %s", rec.Code, what, rec.Body)
	}
	if rec.Code >= 400 && !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("a %d that is not JSON for %s: %q", rec.Code, what, rec.Body)
	}
}

// FuzzRemoteConsoles sends any body at any microversion to POST
// /servers/{id}/remote-consoles.
func FuzzRemoteConsoles(f *testing.F) {
	for _, seed := range []struct{ body, version string }{
		{`{"remote_console": {"protocol": "vnc", "type": "novnc"}}`, "2.6"},
		{`{"remote_console": {"protocol": "mks", "type": "webmks"}}`, "2.8"},
		{`{"remote_console": {"protocol": "serial", "type": "serial"}}`, "2.99"},
		{`{"remote_console": {"protocol": "spice", "type": "spice-direct"}}`, "latest"},
		{`{"remote_console": {"protocol": "rdp", "type": "rdp-html5", "x": 1}}`, "2.6"},
		{`{"remote_console": []}`, "2.5"},
		{`{"remote_console": {"protocol": "\u0000", "type": null}}`, "2.6"},
		{`{}`, ""},
	} {
		f.Add(seed.body, seed.version)
	}
	ts := fuzzStart(f)
	srv := ts.AddServer("vm1")
	f.Fuzz(func(t *testing.T, body, version string) {
		req := httptest.NewRequest(http.MethodPost, "/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/remote-consoles", strings.NewReader(body))
		req.Header.Set("X-Auth-Token", ts.Token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		if version != "" {
			req.Header.Set("OpenStack-API-Version", "compute "+version)
		}
		rec := httptest.NewRecorder()
		ts.Nova.ServeHTTP(rec, req)
		checkAnswer(t, rec, fmt.Sprintf("body %q at %q", body, version))
	})
}

// FuzzCreateServer sends any body at any microversion to POST /servers, on
// both endpoints; a server created is removed again.
func FuzzCreateServer(f *testing.F) {
	for _, seed := range []struct {
		body, version string
		legacy        bool
	}{
		{`{"server": {"name": "vm", "flavorRef": "1", "imageRef": "cirros"}}`, "2.1", false},
		{`{"server": {"name": " vm ", "flavorRef": 1, "networks": "auto"}}`, "2.37", true},
		{`{"server": {"name": "vm\u0007", "flavorRef": "1"}}`, "2.90", false},
		{`{"server": {"name": "", "flavorRef": ""}}`, "", false},
		{`{"server": {"name": "x", "flavorRef": "1", "hostname": "h", "tags": []}, "os:scheduler_hints": {}}`, "latest", false},
		{`{"server": null}`, "2.1", true},
		{`{"server": {"name": "a", "imageRef": "` + fakenova.TestImageID + `", "flavorRef": "1"}}`, "", false},
		{`{"server": {"name": "a", "imageRef": "` + fakenova.TestImageID + `", "flavorRef": 1, "networks": "auto"}}`, "2.37", false},
		{`{"server": {"name": "a", "imageRef": "", "flavorRef": "1", "networks": [{"port": null, "uuid": "x"}]}}`, "2.36", false},
		{`{"server": {"name": "a", "imageRef": "` + fakenova.TestImageID + `", "flavorRef": "1", "networks": [{"uuid": "` +
			fakenova.TestNetworkID + `", "fixed_ip": "10.0.0.9", "tag": "t"}], "min_count": "1", "max_count": 1.0}}`, "2.42", false},
		{`{"server": {"name": "a", "flavorRef": "1", "block_device_mapping_v2": [{}], "security_groups": [{"name": "x"}]}}`, "2.90", false},
		{`{"server": {"name": "\u0000", "imageRef": null, "flavorRef": [], "networks": {}}}`, "latest", false},
	} {
		f.Add(seed.body, seed.version, seed.legacy)
	}
	ts := fuzzStart(f)
	f.Fuzz(func(t *testing.T, body, version string, legacy bool) {
		root := "/v2.1/"
		if legacy {
			root = "/v2/"
		}
		req := httptest.NewRequest(http.MethodPost, root+ts.ProjectID+"/servers", strings.NewReader(body))
		req.Header.Set("X-Auth-Token", ts.Token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		if version != "" {
			req.Header.Set("OpenStack-API-Version", "compute "+version)
		}
		rec := httptest.NewRecorder()
		ts.Nova.ServeHTTP(rec, req)
		checkAnswer(t, rec, fmt.Sprintf("body %q at %q (legacy %v)", body, version, legacy))
		if loc := rec.Header().Get("Location"); rec.Code == http.StatusAccepted {
			if err := ts.State.RemoveServer(loc[strings.LastIndexByte(loc, '/')+1:]); err != nil {
				t.Fatalf("the created server %s: %v", loc, err)
			}
		}
	})
}

// FuzzMicroversionHeader sends any values of both microversion headers:
// an answer is never a 5xx, and a 200 names a version Nova has.
func FuzzMicroversionHeader(f *testing.F) {
	for _, seed := range []struct{ std, legacy string }{
		{"compute 2.1", ""}, {"compute 2.96", "2.5"}, {"", "2.3"}, {"compute latest", ""}, {"volume 3.0, compute 2.4", ""},
		{"compute 2.01", ""}, {"compute 3.0", "latest"}, {"COMPUTE 2.2", ""}, {"compute 2.99999999999999999999", ""},
		{"compute  2.6", ""}, {",,,", "\x00"},
	} {
		f.Add(seed.std, seed.legacy)
	}
	ts := fuzzStart(f)
	srv := ts.AddServer("vm1")
	versionHeader := regexp.MustCompile(`^compute 2\.[0-9]+$`)
	f.Fuzz(func(t *testing.T, std, legacy string) {
		req := httptest.NewRequest(http.MethodGet, "/v2.1/servers/"+srv.ID, nil)
		req.Header.Set("X-Auth-Token", ts.Token)
		if std != "" {
			req.Header["Openstack-Api-Version"] = []string{std}
		}
		if legacy != "" {
			req.Header["X-Openstack-Nova-Api-Version"] = []string{legacy}
		}
		rec := httptest.NewRecorder()
		ts.Nova.ServeHTTP(rec, req)
		checkAnswer(t, rec, fmt.Sprintf("OpenStack-API-Version %q, X-OpenStack-Nova-API-Version %q", std, legacy))
		if got := rec.Header().Get("OpenStack-API-Version"); rec.Code == http.StatusOK && !versionHeader.MatchString(got) {
			t.Fatalf("200 with OpenStack-API-Version %q for %q, %q", got, std, legacy)
		}
	})
}

// FuzzListServers sends any query string to GET /servers and
// /servers/detail: filters (name patterns among them), limits, markers.
func FuzzListServers(f *testing.F) {
	for _, q := range []string{"name=vm", "name=^vm-[0-9]+$&limit=2", "status=ACTIVE&all_tenants=1", "limit=-1",
		"marker=00000000-0000-4000-8000-000000000000", "name=(a{1000}){1000}", "name=%ff&name=%zz", "limit=99999999999999999999",
		"all_tenants=maybe", "status=&status=shutoff", "name=" + strings.Repeat(`\pL{1000}`, 50)} {
		f.Add(q, false)
	}
	ts := fuzzStart(f)
	for i := 0; i < 5; i++ {
		ts.AddServer(fmt.Sprintf("vm-%d", i))
	}
	f.Fuzz(func(t *testing.T, query string, detail bool) {
		path := "/v2.1/servers"
		if detail {
			path += "/detail"
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.URL.RawQuery = query
		req.Header.Set("X-Auth-Token", ts.Token)
		rec := httptest.NewRecorder()
		ts.Nova.ServeHTTP(rec, req)
		checkAnswer(t, rec, fmt.Sprintf("query %q", query))
	})
}

// FuzzControlPlane sends any body and query to the control plane's calls:
// never a 5xx, always JSON (or a 204), and the model stays loadable.
func FuzzControlPlane(f *testing.F) {
	calls := []struct{ method, path string }{
		{http.MethodPost, "faults"}, {http.MethodPost, "clock/advance"}, {http.MethodPut, "servers/%s"},
		{http.MethodPut, "state"}, {http.MethodGet, "journal"}, {http.MethodPost, "reset"}, {http.MethodDelete, "faults/%s"},
	}
	for _, seed := range []struct {
		call        uint8
		query, body string
	}{
		{0, "", `{"operation": "getVNCConsole", "status": 503, "times": 1}`},
		{0, "", `{"sequence": [{"operation": "showServer", "status": 500}, {"operation": "showServer", "delay_ms": -1}]}`},
		{0, "", `{"operation": "createServer", "status": 103}`},
		{1, "", `{"seconds": 1e300}`},
		{1, "", `{"seconds": -1}`},
		{2, "", `{"status": "SHUTOFF", "task_state": null, "host": ""}`},
		{2, "", `{"status": "BUILD", "task_state": 7}`},
		{3, "", `{"projects": [{"id": "1ab83fbf1b594600bfa618dc33694dd6", "name": "demo"}], "servers": []}`},
		{4, "limit=2&marker=1&operation=showServer&status=200", ""},
		{4, "limit=0&marker=-1&status=x", ""},
		{5, "", ""},
		{6, "", ""},
	} {
		f.Add(seed.call, seed.query, seed.body)
	}
	ts := fuzzStart(f, fakenova.WithControlPlane(fakenova.ControlPlane{}))
	srv := ts.AddServer("vm1")
	f.Fuzz(func(t *testing.T, call uint8, query, body string) {
		c := calls[int(call)%len(calls)]
		path := "/_novastub/" + c.path
		if strings.Contains(path, "%s") {
			path = fmt.Sprintf(path, srv.ID)
		}
		req := httptest.NewRequest(c.method, path, strings.NewReader(body))
		req.Host = "127.0.0.1" // the control plane answers loopback hosts only
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		ts.Nova.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code == http.StatusForbidden || rec.Code != http.StatusNoContent && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s?%s with %q: %d %q", c.method, path, query, body, rec.Code, rec.Body)
		}
		if _, err := ts.State.Server(srv.ID); err != nil { // PUT state may have replaced the model
			_ = ts.State.Load(controlSeed(srv.ID, ts.ProjectID))
		}
		ts.Faults().Clear()
	})
}

// controlSeed is a model with the fuzz target's server.
func controlSeed(serverID, projectID string) *state.Seed {
	return &state.Seed{Projects: []state.Project{{ID: projectID, Name: "test"}},
		Hosts:   []state.SeedHost{{Name: fakenova.TestHost}},
		Servers: []state.SeedServer{{ID: serverID, Name: "vm1", ProjectID: projectID}}}
}

// FuzzListFlavors sends any query string to GET /flavors/detail, as an
// admin, at any microversion: never a panic or a 500.
func FuzzListFlavors(f *testing.F) {
	for _, seed := range []struct{ query, version string }{
		{"is_public=None&limit=2&marker=1", ""},
		{"minRam=%2B1_0&minDisk=\u0663&sort_key=memory_mb&sort_dir=desc", "2.61"},
		{"name=%5B&limit=99999999999999999999", "2.102"},
		{"limit=;marker=%ff&foo", "2.75"},
	} {
		f.Add(seed.query, seed.version)
	}
	ts := fakenova.Start(f)
	admin := "fuzz-admin"
	if err := ts.State.AddToken(state.AuthToken{Token: admin, ProjectID: ts.ProjectID, Roles: []string{"admin"}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query, version string) {
		req := httptest.NewRequest(http.MethodGet, "/v2.1/flavors/detail", nil)
		req.URL.RawQuery = query
		req.Header.Set("X-Auth-Token", admin)
		if version != "" {
			req.Header.Set("OpenStack-API-Version", "compute "+version)
		}
		rec := httptest.NewRecorder()
		ts.Nova.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q at %q: %s", rec.Code, query, version, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("a %d that is not JSON: %q", rec.Code, rec.Body)
		}
	})
}
