package identity_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

// FuzzAuthBody sends any body and Content-Type to POST /v3/auth/tokens:
// never a panic nor a 5xx, and every answer but a 201's headers is JSON.
func FuzzAuthBody(f *testing.F) {
	for _, seed := range []struct{ body, ctype string }{
		{`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "domain": {"name": "Default"}, "password": "secret"}}}, "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}}`, "application/json"},
		{`{"auth": {"identity": {"methods": ["token"], "token": {"id": "x"}}}}`, "application/json"},
		{`{"auth": {"identity": {"methods": ["password", "password"], "password": {"user": {"id": 1}}}, "scope": "system"}}`, "application/json"},
		{`{"auth": {"identity": {"methods": []}, "scope": {"domain": {"name": "Default"}}}}`, "application/json; charset=utf-8"},
		{`{"auth": null}`, "text/plain"},
		{`[]`, ""},
		{"\xff", "application/json"},
	} {
		f.Add(seed.body, seed.ctype)
	}
	store := state.New(state.WithClock(state.NewManualClock(t0)))
	if _, err := store.AddProject(state.Project{ID: demoID, Name: "demo"}); err != nil {
		f.Fatal(err)
	}
	if _, err := store.AddUser(state.User{ID: adminID, Name: "admin", Password: "secret",
		Roles: map[string][]string{"demo": {"admin", "member"}}}); err != nil {
		f.Fatal(err)
	}
	svc := identity.New(store, identity.WithMaxTokens(100))
	f.Fuzz(func(t *testing.T, body, ctype string) {
		req := httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q (%q): %s", rec.Code, body, ctype, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("a %d that is not JSON for %q: %q", rec.Code, body, rec.Body)
		}
	})
}
