package state_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// TestConsoleTokenMemory measures what a held console token costs: the
// store's documented figure (about 150 bytes) must hold, so that
// WithMaxConsoleTokens bounds memory as it says.
func TestConsoleTokenMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("issues 200,000 tokens")
	}
	const n = 200000
	st := state.New(state.WithClock(state.NewManualClock(time.Unix(1e9, 0))), state.WithMaxConsoleTokens(n))
	p, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "h"}))
	srv, err := st.AddServer(state.Server{ProjectID: p.ID, Host: "h"})
	require.NoError(t, err)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		_, err := st.CreateConsole(state.ConsoleRequest{ProjectID: p.ID, ServerID: srv.ID, Type: state.ConsoleNoVNC})
		require.NoError(t, err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perToken := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.0f bytes a console token (%d held)", perToken, st.ConsoleTokenStats().Held)
	assert.Less(t, perToken, 160.0)
	runtime.KeepAlive(st)
}
