package state_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/novastub/novastub/state"
)

// ExampleOpen keeps a store in a state file: a second Open of the file,
// as after a restart, finds the server the first one created, in the
// transition it was in, and the clock where it was.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "novastub")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cloud.state")
	seed := &state.Seed{
		Projects: []state.Project{{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"}},
		Hosts:    []state.SeedHost{{Name: "compute-1"}},
	}

	clock := state.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st, err := state.Open(path, seed, state.WithClock(clock)) // no file yet: the seed
	if err != nil {
		panic(err)
	}
	srv, _ := st.CreateServer(state.ServerRequest{Name: "vm1", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6"})
	clock.Advance(2 * time.Second) // scheduled, spawning
	_ = st.Close()

	restarted := state.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	again, err := state.Open(path, seed, state.WithClock(restarted)) // the file: the seed is not loaded
	if err != nil {
		panic(err)
	}
	defer again.Close()
	got, _ := again.Server(srv.ID)
	fmt.Println(got.Name, got.Status(), got.TaskState, got.Host, restarted.Now().Format(time.TimeOnly))
	restarted.Advance(time.Minute)
	got, _ = again.Server(srv.ID)
	fmt.Println(got.Name, got.Status())
	// Output:
	// vm1 BUILD spawning compute-1 00:00:02
	// vm1 ACTIVE
}
