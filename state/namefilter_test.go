package state_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// A name filter's pattern is bounded: one whose program would be huge
// (counted repetitions of large classes) matches nothing at once instead of
// taking hundreds of MiB to compile; ordinary patterns work as before.
func TestNameFilterBounded(t *testing.T) {
	st, _ := newStore(t)
	addServer(t, st, state.Server{ID: srv1, Name: "web-01", ProjectID: projA, Host: "compute-1"})
	list := func(pattern string) []state.Server {
		out, err := st.ListServers(state.ServerFilter{ProjectID: projA, Name: pattern})
		require.NoError(t, err)
		return out
	}
	for _, ok := range []string{"web", "^web-0[0-9]$", `\pL{3}-\d{2}`, "(a|b|w)e{1,1000}b", strings.Repeat("w?", 1000) + "web"} {
		assert.Len(t, list(ok), 1, "pattern %.40q", ok)
	}
	for _, huge := range []string{
		strings.Repeat(`\pL{1000}`, 900),    // 8 KiB, ~230 MiB to compile
		strings.Repeat(`.{999}`, 1365),      // 8 KiB, ~345 MiB to compile
		strings.Repeat(`[^a]{1000}`, 819),   // 8 KiB, ~180 MiB to compile
		"((((a{10}){10}){10}){10})",         // nested: 10,000 copies
		strings.Repeat("web|", 600) + "web", // over MaxNameRegexpBytes
		strings.Repeat(`[\pC]`, 400),        // 2 KiB of the classes slowest to parse (18 ms), then too big
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		assert.Empty(t, list(huge), "pattern %.40q", huge)
		runtime.ReadMemStats(&after)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "pattern %.40q allocated", huge)
		t.Logf("%.20q: %v", huge, time.Since(start))
	}
}
