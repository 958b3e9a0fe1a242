package fakenova_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

// FuzzCreateServer sends any server body at any microversion to POST
// /servers: never a panic or a 500, every error a Nova fault.
func FuzzCreateServer(f *testing.F) {
	for _, seed := range []struct{ server, version string }{
		{`{"name": "a", "imageRef": "` + fakenova.TestImageID + `", "flavorRef": "1"}`, ""},
		{`{"name": "a", "imageRef": "` + fakenova.TestImageID + `", "flavorRef": 1, "networks": "auto"}`, "2.37"},
		{`{"name": "a", "imageRef": "", "flavorRef": "1", "networks": [{"port": null, "uuid": "x"}]}`, "2.36"},
		{`{"name": "a", "imageRef": "` + fakenova.TestImageID + `", "flavorRef": "1", "networks": [{"uuid": "` +
			fakenova.TestNetworkID + `", "fixed_ip": "10.0.0.9", "tag": "t"}], "min_count": "1", "max_count": 1.0}`, "2.42"},
		{`{"name": "a", "flavorRef": "1", "block_device_mapping_v2": [{}], "security_groups": [{"name": "x"}]}`, "2.90"},
		{`{"name": "\u0000", "imageRef": null, "flavorRef": [], "networks": {}}`, "latest"},
	} {
		f.Add(seed.server, seed.version)
	}
	ts := fakenova.Start(f)
	f.Fuzz(func(t *testing.T, server, version string) {
		req := httptest.NewRequest(http.MethodPost, "/v2.1/servers", strings.NewReader(`{"server": `+server+`}`))
		req.Header.Set("X-Auth-Token", ts.Token)
		req.Header.Set("Content-Type", "application/json")
		if version != "" {
			req.Header.Set("OpenStack-API-Version", "compute "+version)
		}
		rec := httptest.NewRecorder()
		ts.Nova.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("status %d for %q at %q: %s", rec.Code, server, version, rec.Body)
		}
		if rec.Code >= 400 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("a %d that is not JSON: %q", rec.Code, rec.Body)
		}
	})
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
