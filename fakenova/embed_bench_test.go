package fakenova_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/novastub/novastub/fakenova"
)

// The pass-through benchmarks measure what fakenova.Middleware costs a
// request it does not own: a non-console action, whose body it reads to
// decide and hands on, and a GET it lets by on its path alone. Each runs
// beside the same request sent straight to next, in the same harness, so
// the difference of their ns/op is the middleware's overhead.
//
//	go test -run '^$' -bench 'MiddlewarePassThrough|NextDirect' -benchmem ./fakenova/

const passThroughBody = `{"os-stop": null}`

// passThroughNext is a trivial handler behind the middleware: it reads the
// body and answers 202, as Nova does to os-stop.
var passThroughNext = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.WriteHeader(http.StatusAccepted)
})

// passThroughHarness replays one request without allocating per
// iteration: the middleware swaps r.Body for its copy, so every iteration
// puts the original back.
type passThroughHarness struct {
	req  *http.Request
	orig io.ReadCloser
	body *bytes.Reader
	w    *discardWriter
}

func newPassThroughHarness(method, path, body string) *passThroughHarness {
	h := &passThroughHarness{w: &discardWriter{h: http.Header{}}}
	h.req = httptest.NewRequest(method, path, nil)
	if body != "" {
		h.body = bytes.NewReader([]byte(body))
		h.orig = readCloser{h.body}
		h.req.ContentLength = int64(len(body))
		h.req.Header.Set("Content-Type", "application/json")
	} else {
		h.orig = http.NoBody
	}
	h.req.Body = h.orig
	h.req.Header.Set("X-Auth-Token", "0123456789abcdef0123456789abcdef")
	return h
}

func (h *passThroughHarness) run(b *testing.B, handler http.Handler) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if h.body != nil {
			h.body.Seek(0, io.SeekStart)
		}
		h.req.Body = h.orig
		for k := range h.w.h {
			delete(h.w.h, k)
		}
		h.w.code = 0
		handler.ServeHTTP(h.w, h.req)
		if h.w.code != http.StatusAccepted {
			b.Fatalf("status %d", h.w.code)
		}
	}
}

const passThroughAction = "/v2.1/1ab83fbf1b594600bfa618dc33694dd6/servers/365313c5-5d0c-4c43-af05-16f765c0f2bc/action"

// BenchmarkMiddlewarePassThrough is os-stop through the middleware to
// next: the route check, one read of the body into a pooled buffer, the
// JSON peek, and the buffered copy next reads.
func BenchmarkMiddlewarePassThrough(b *testing.B) {
	h := newPassThroughHarness(http.MethodPost, passThroughAction, passThroughBody)
	h.run(b, fakenova.Middleware()(passThroughNext))
}

// BenchmarkNextDirect is the same request straight to next.
func BenchmarkNextDirect(b *testing.B) {
	h := newPassThroughHarness(http.MethodPost, passThroughAction, passThroughBody)
	h.run(b, passThroughNext)
}

// BenchmarkMiddlewarePassThroughGET is GET /v2.1/servers/detail through the
// middleware: decided on the path, the body untouched.
func BenchmarkMiddlewarePassThroughGET(b *testing.B) {
	h := newPassThroughHarness(http.MethodGet, "/v2.1/servers/detail", "")
	h.run(b, fakenova.Middleware()(passThroughNext))
}

// BenchmarkNextDirectGET is the same GET straight to next.
func BenchmarkNextDirectGET(b *testing.B) {
	h := newPassThroughHarness(http.MethodGet, "/v2.1/servers/detail", "")
	h.run(b, passThroughNext)
}
