package identity_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

// BenchmarkPasswordAuth measures POST /v3/auth/tokens with a password and a
// project scope by name, in process (no network): parsing, the schema,
// the lookups, issuing and storing the token and writing its body with the
// catalog. The clock moves a second per token, so the store holds about
// an hour of tokens, as a stub under steady load does.
func BenchmarkPasswordAuth(b *testing.B) {
	clock := state.NewManualClock(time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC))
	store := state.New(state.WithClock(clock))
	if _, err := store.AddProject(state.Project{ID: demoID, Name: "demo"}); err != nil {
		b.Fatal(err)
	}
	if _, err := store.AddUser(state.User{Name: "admin", Password: "secret",
		Roles: map[string][]string{"demo": {"admin", "member", "reader"}}}); err != nil {
		b.Fatal(err)
	}
	svc := identity.New(store)
	body := []byte(passwordBody("admin", "secret", "Default", projectScope("demo")))
	rd := bytes.NewReader(body)
	req := httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", nil)
	req.Header.Set("Content-Type", "application/json")
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd.Reset(body)
		req.Body = io.NopCloser(rd)
		req.ContentLength = int64(len(body))
		clear(w.h)
		svc.ServeHTTP(w, req)
		if w.code != http.StatusCreated {
			b.Fatalf("status %d", w.code)
		}
		clock.Advance(time.Second)
	}
}

type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
