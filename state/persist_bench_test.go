package state_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/novastub/novastub/state"
)

// BenchmarkPersistMutations measures the store's changes with a state file
// against the floor, the same store in memory (New): a mix of server
// creates with a port, stop and start actions, console tokens, steps of
// transitions as the clock moves, and removals, about a record each.
//
//	go test ./state -run '^$' -bench PersistMutations -benchtime 20000x
func BenchmarkPersistMutations(b *testing.B) {
	for _, bc := range []struct {
		name string
		sync *state.SyncPolicy // nil: in memory (the floor)
	}{
		{"floor-memory", nil},
		{"state-sync-never", ptr(state.SyncNever())},
		{"state-sync-1s", ptr(state.SyncEvery(time.Second))},
		{"state-sync-always", ptr(state.SyncAlways())},
	} {
		b.Run(bc.name, func(b *testing.B) {
			seed := persistSeed(b)
			seed.Hosts = seed.Hosts[:1] // compute-1: every console type
			clock := state.NewManualClock(t0)
			var st *state.Store
			if bc.sync == nil {
				st = state.New(state.WithClock(clock))
				if err := st.Load(seed); err != nil {
					b.Fatal(err)
				}
			} else {
				var err error
				st, err = state.Open(filepath.Join(b.TempDir(), "bench.state"), seed,
					state.WithClock(clock), state.WithSync(*bc.sync))
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
			}
			mutate(b, st, clock)
		})
	}
}

// mutate runs b.N changes on st: a ring of 64 servers, created and
// removed, each stopped and started and given consoles in between.
func mutate(b *testing.B, st *state.Store, clock *state.ManualClock) {
	const ring = 64
	var servers []string
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		switch {
		case len(servers) < ring || i%8 == 0:
			var srv state.Server
			srv, err = st.CreateServer(state.ServerRequest{Name: "bench", ProjectID: projA,
				Networks: []state.NetworkRequest{{NetworkID: netID}}})
			servers = append(servers, srv.ID)
		case i%8 == 1:
			err = st.RemoveServer(servers[0])
			servers = servers[1:]
		case i%8 == 2 || i%8 == 5:
			_, err = st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: servers[i%len(servers)], Type: state.ConsoleNoVNC})
		case i%8 == 7:
			clock.Advance(3 * time.Second) // the transitions' steps apply with the next call
		default:
			id := servers[i%len(servers)]
			if _, err = st.StartAction(id, state.ActionStop); err != nil {
				_, err = st.StartAction(id, state.ActionStart)
			}
		}
		if err != nil && !isState(err) {
			b.Fatal(err)
		}
	}
}

// isState reports whether err is the model refusing a change (a server
// not ready, in a state that forbids it), which the mix runs into.
func isState(err error) bool {
	return err != nil && (errors.Is(err, state.ErrInvalidState) || errors.Is(err, state.ErrNotReady))
}
