package state_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// t0 is where every ManualClock of these tests starts.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	projA      = "1ab83fbf1b594600bfa618dc33694dd6"
	projB      = "2bc94a0a2c6a4711a0b729ed44705ee7"
	projDashed = "6f1c0a9e-2d3b-4c5d-8e7f-0a1b2c3d4e5f"
	srv1       = "365313c5-5d0c-4c43-af05-16f765c0f2bc"
	srv2       = "9b0e6f0a-6f3c-4f47-9d3c-0f6d6a3e2b11"
	srv3       = "0a5d4c1e-7b8f-4e2a-9c3d-5e6f7a8b9c0d"
)

// sentinels are every sentinel error of the package, by name.
var sentinels = map[string]error{
	"ErrNotFound":           state.ErrNotFound,
	"ErrNotReady":           state.ErrNotReady,
	"ErrInvalidState":       state.ErrInvalidState,
	"ErrConsoleUnavailable": state.ErrConsoleUnavailable,
	"ErrNotImplemented":     state.ErrNotImplemented,
	"ErrConflict":           state.ErrConflict,
	"ErrInvalid":            state.ErrInvalid,
	"ErrForbidden":          state.ErrForbidden,
	"ErrInUse":              state.ErrInUse,
	"ErrExhausted":          state.ErrExhausted,
}

// requireOnly checks that err matches want with errors.Is and no other
// sentinel, as errors.go promises.
func requireOnly(t *testing.T, err, want error) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, want)
	for name, s := range sentinels {
		if s != want {
			require.NotErrorIs(t, err, s, "error %q also matches %s", err, name)
		}
	}
}

// newStore returns a store on a ManualClock at t0 with two projects (projA
// "demo", projB "other") and three hosts: compute-1 (every console type),
// bm-1 (bare metal, none) and serial-1 (serial only). opts come after
// WithClock.
func newStore(t *testing.T, opts ...state.Option) (*state.Store, *state.ManualClock) {
	t.Helper()
	clock := state.NewManualClock(t0)
	st := state.New(append([]state.Option{state.WithClock(clock)}, opts...)...)
	_, err := st.AddProject(state.Project{ID: projA, Name: "demo"})
	require.NoError(t, err)
	_, err = st.AddProject(state.Project{ID: projB, Name: "other"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "compute-1"}))
	require.NoError(t, st.AddHost(state.Host{Name: "bm-1", ConsoleTypes: []state.ConsoleType{}}))
	require.NoError(t, st.AddHost(state.Host{Name: "serial-1", ConsoleTypes: []state.ConsoleType{state.ConsoleSerial}}))
	return st, clock
}

// addServer adds srv and fails the test if that fails.
func addServer(t *testing.T, st *state.Store, srv state.Server) state.Server {
	t.Helper()
	got, err := st.AddServer(srv)
	require.NoError(t, err)
	return got
}
