package network_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/novastub/novastub/fakenova/network"
	"github.com/novastub/novastub/state"
)

// benchStore has 100 networks of projA.
func benchStore(b *testing.B) *state.Store {
	st := newStore(b)
	for i := 0; i < 97; i++ {
		if _, err := st.AddNetwork(state.Network{Name: fmt.Sprintf("net-%03d", i), ProjectID: projA}); err != nil {
			b.Fatal(err)
		}
	}
	return st
}

// BenchmarkListNetworks is GET /v2.0/networks (100 networks) through the
// handler; compare with BenchmarkListNetworksFloor.
func BenchmarkListNetworks(b *testing.B) {
	svc := network.New(benchStore(b))
	req := httptest.NewRequest("GET", "/v2.0/networks", nil)
	req.Header.Set("X-Auth-Token", tokenA)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkListNetworksFloor is the least a handler answering that request
// does: copy the networks out of the store and write a body of the same
// size.
func BenchmarkListNetworksFloor(b *testing.B) {
	st := benchStore(b)
	body := make([]byte, 100*560)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = st.ListNetworks(state.Viewer{ProjectID: projA})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	req := httptest.NewRequest("GET", "/v2.0/networks", nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}
