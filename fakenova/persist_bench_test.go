package fakenova_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// BenchmarkStateFileActions measures a change through the whole cloud in
// process, as the stub binary serves it (a server's os-stop or os-start,
// 202, and the steps of the transitions as the clock moves), with the
// store in a state file (-state, each sync policy) against the floor: the
// same store in memory.
//
//	go test ./fakenova -run '^$' -bench StateFileActions -benchtime 20000x
func BenchmarkStateFileActions(b *testing.B) {
	const (
		project = "1ab83fbf1b594600bfa618dc33694dd6"
		token   = "50c17af54c154f528d135e7f74098cfd"
		servers = 16
	)
	seed := &state.Seed{
		Projects: []state.Project{{ID: project, Name: "demo"}},
		Hosts:    []state.SeedHost{{Name: "compute-1"}},
		Tokens:   []state.SeedToken{{Token: token, ProjectID: project, Roles: []string{"member"}}},
	}
	for i := range servers {
		seed.Servers = append(seed.Servers, state.SeedServer{ID: fmt.Sprintf("365313c5-5d0c-4c43-af05-16f765c0f2%02x", i),
			Name: fmt.Sprintf("vm%d", i), ProjectID: project})
	}
	for _, bc := range []struct {
		name string
		sync string // "": in memory (the floor)
	}{{"floor-memory", ""}, {"state-sync-never", "never"}, {"state-sync-1s", "1s"}, {"state-sync-always", "always"}} {
		b.Run(bc.name, func(b *testing.B) {
			clock := state.NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			store := state.New(state.WithClock(clock))
			if bc.sync == "" {
				if err := store.Load(seed); err != nil {
					b.Fatal(err)
				}
			} else {
				policy, err := state.ParseSyncPolicy(bc.sync)
				if err != nil {
					b.Fatal(err)
				}
				store, err = state.Open(filepath.Join(b.TempDir(), "bench.state"), seed, state.WithClock(clock), state.WithSync(policy))
				if err != nil {
					b.Fatal(err)
				}
				defer store.Close()
			}
			cloud := fakenova.NewCloud(fakenova.WithState(store))
			stopped := make([]bool, servers)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := i % servers
				action := `{"os-stop": null}`
				if stopped[n] {
					action = `{"os-start": null}`
				}
				req := httptest.NewRequest(http.MethodPost, "/v2.1/"+project+"/servers/"+seed.Servers[n].ID+"/action", strings.NewReader(action))
				req.Header.Set("X-Auth-Token", token)
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				cloud.ServeHTTP(w, req)
				if w.Code != http.StatusAccepted {
					b.Fatalf("%s: %d %s", action, w.Code, w.Body)
				}
				stopped[n] = !stopped[n]
				clock.Advance(time.Second) // the server is done by its next turn
			}
		})
	}
}
