package identity_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// BenchmarkFloorFixedAnswer is the floor of the benchmarks here: a handler
// that reads the request body and writes a fixed answer of a token's size,
// in process. Any identity call costs at least this.
func BenchmarkFloorFixedAnswer(b *testing.B) {
	answer := bytes.Repeat([]byte("x"), 3000)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(answer)
	})
	body := []byte(passwordBody("admin", "secret", "Default", projectScope("demo")))
	rd := bytes.NewReader(body)
	req := httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd.Reset(body)
		req.Body = io.NopCloser(rd)
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// BenchmarkListProjects measures GET /v3/projects by an admin, with a
// filter and a limit, over 100 projects, in process.
func BenchmarkListProjects(b *testing.B) {
	store := state.New()
	if _, err := store.AddProject(state.Project{ID: demoID, Name: "demo"}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := store.AddProject(state.Project{Name: "project-" + strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
	}
	if err := store.AddToken(state.AuthToken{Token: "admin-token", ProjectID: demoID, Roles: []string{"admin"}}); err != nil {
		b.Fatal(err)
	}
	svc := identity.New(store)
	req := httptest.NewRequest(http.MethodGet, "/v3/projects?name__icontains=project-1&limit=5", nil)
	req.Header.Set("X-Auth-Token", "admin-token")
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		svc.ServeHTTP(w, req)
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}
