package fakenova_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// BenchmarkListServersDetailByName is GET /servers/detail?name=... finding
// one server among 10, 10k and 1M of the project's.
func BenchmarkListServersDetailByName(b *testing.B) {
	for _, count := range []int{10, 10_000, 1_000_000} {
		b.Run(fmt.Sprintf("servers=%d", count), func(b *testing.B) {
			ts := fakenova.Start(b)
			for i := 0; i < count; i++ {
				if _, err := ts.State.AddServer(state.Server{Name: fmt.Sprintf("vm-%d", i), ProjectID: ts.ProjectID,
					Host: fakenova.TestHost}); err != nil {
					b.Fatal(err)
				}
			}
			target := fmt.Sprintf("^vm-%d$", count/2)
			req := httptest.NewRequest(http.MethodGet, "/v2.1/servers/detail?name="+target, nil)
			req.Header.Set("X-Auth-Token", ts.Token)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for k := range w.h {
					delete(w.h, k)
				}
				w.code = 0
				ts.Nova.ServeHTTP(w, req)
				if w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
			}
		})
	}
}
