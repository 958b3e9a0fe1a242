package fakenova_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/novastub/novastub/fakenova"
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
