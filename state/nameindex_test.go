package state_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/internal/race"
	"github.com/novastub/novastub/state"
)

// The index by name answers ^name$ as a scan would, through adds,
// renames, moves between projects and removals, with names shared by
// many servers: every list by exact name equals the servers a scan of
// Servers() finds, newest first (v.m, a regular expression once quoted,
// takes the scan, and agrees too).
func TestNameIndexMatchesScan(t *testing.T) {
	st := state.New()
	projects := []string{mustProject(t, st, "a"), mustProject(t, st, "b")}
	require.NoError(t, st.AddHost(state.Host{Name: "h"}))
	names := []string{"vm", "vm-1", "vm-10", "web", "", "v.m", "日本"}
	rng := rand.New(rand.NewPCG(1, 2))
	var ids []string
	check := func(step int) {
		t.Helper()
		all := st.Servers()
		for _, name := range names {
			for _, project := range append(projects, "") {
				var want []string
				for i := len(all) - 1; i >= 0; i-- {
					if all[i].Name == name && (project == "" || all[i].ProjectID == project) {
						want = append(want, all[i].ID)
					}
				}
				got, err := st.ListServers(state.ServerFilter{ProjectID: project, Name: "^" + regexp.QuoteMeta(name) + "$"})
				require.NoError(t, err)
				var gotIDs []string
				for _, srv := range got {
					gotIDs = append(gotIDs, srv.ID)
				}
				require.Equal(t, want, gotIDs, "step %d: ^%s$ in project %q", step, name, project)
			}
		}
	}
	for step := 0; step < 600; step++ {
		switch op := rng.IntN(10); {
		case op < 5 || len(ids) == 0:
			srv, err := st.AddServer(state.Server{Name: names[rng.IntN(len(names))],
				ProjectID: projects[rng.IntN(2)], Host: "h"})
			require.NoError(t, err)
			ids = append(ids, srv.ID)
		case op < 7:
			id := ids[rng.IntN(len(ids))]
			name, project := names[rng.IntN(len(names))], projects[rng.IntN(2)]
			_, err := st.UpdateServer(id, func(srv *state.Server) { srv.Name, srv.ProjectID = name, project })
			require.NoError(t, err)
		default:
			i := rng.IntN(len(ids))
			require.NoError(t, st.RemoveServer(ids[i]))
			ids = slices.Delete(ids, i, i+1)
		}
		if step%20 == 0 {
			check(step)
		}
	}
	check(600)
	for _, id := range ids {
		require.NoError(t, st.RemoveServer(id))
	}
	check(601)
}

// A regular expression scans the names, but allocates nothing for a
// server it does not match: as many allocations at 200 servers as at 50,
// and at 5,000 as at 500 (from 256 servers, a literal is searched in the
// index of substrings, which allocates otherwise than the scan, but as
// little for a server it does not find).
func TestNameScanAllocatesPerMatchOnly(t *testing.T) {
	if race.Enabled {
		t.Skip("under the race detector, sync.Pool drops regexp's machines at random: allocations vary")
	}
	allocs := func(n int) map[string]float64 {
		st := state.New()
		p := mustProject(t, st, "p")
		require.NoError(t, st.AddHost(state.Host{Name: "h"}))
		for i := 0; i < n; i++ {
			_, err := st.AddServer(state.Server{Name: fmt.Sprintf("vm-%06d", i), ProjectID: p, Host: "h"})
			require.NoError(t, err)
		}
		out := map[string]float64{}
		for _, pattern := range []string{"^vm-00001[0-9]$", "vm-00001", "^vm-00001", "00001[0-9]$", "^vm-000010$", "vm-0000(1|2)0"} {
			out[pattern] = testing.AllocsPerRun(20, func() {
				got, err := st.ListServers(state.ServerFilter{ProjectID: p, Name: pattern})
				if err != nil || len(got) == 0 {
					panic(fmt.Sprint(pattern, len(got), err))
				}
			})
		}
		return out
	}
	for _, sizes := range [][2]int{{50, 200}, {500, 5000}} {
		small, large := allocs(sizes[0]), allocs(sizes[1])
		for pattern, n := range small {
			assert.Equal(t, n, large[pattern], "allocations of %s at %d and %d servers", pattern, sizes[0], sizes[1])
		}
	}
}

func mustProject(t *testing.T, st *state.Store, name string) string {
	t.Helper()
	p, err := st.AddProject(state.Project{Name: name})
	require.NoError(t, err)
	return p.ID
}
