package state

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// A project's index by name behaves as a plain model (a list of servers)
// through adds and removals, with many servers sharing names and the last
// server moving into each removed one's place: named finds exactly the
// servers of a name, and the table holds one server of each name, at its
// place, half full at most.
func TestNameIndexModel(t *testing.T) {
	s := &Store{byProject: map[string]*projectServers{}, servers: map[string]*serverEntry{}}
	rng := rand.New(rand.NewPCG(5, 6))
	var model []*serverEntry
	names := func() []string {
		var out []string
		for i := range 40 {
			out = append(out, fmt.Sprintf("vm-%d", i))
		}
		return append(out, "", "ÿ", "a/b")
	}()
	for step := range 20000 {
		if len(model) > 0 && rng.IntN(3) == 0 {
			i := rng.IntN(len(model))
			s.removeServer(model[i])
			model = slices.Delete(model, i, i+1)
		} else {
			e := &serverEntry{Server: Server{ID: fmt.Sprintf("id-%d", step), ProjectID: "p", Name: names[rng.IntN(len(names))]}}
			s.insertServer(e)
			model = append(model, e)
		}
		if step%97 != 0 {
			continue
		}
		ps := s.byProject["p"]
		if len(model) == 0 {
			require.Nil(t, ps)
			continue
		}
		distinct := map[string]bool{}
		for i, e := range ps.entries {
			require.Equal(t, i, e.pos)
			require.Equal(t, e.Name, ps.names[i])
			distinct[e.Name] = true
		}
		require.Equal(t, len(distinct), ps.byName.count)
		require.LessOrEqual(t, 2*ps.byName.count, len(ps.byName.slots))
		used := 0
		for _, slot := range ps.byName.slots {
			if slot != 0 {
				used++
				require.Less(t, int(slot-1), len(ps.entries))
			}
		}
		require.Equal(t, ps.byName.count, used)
		for _, name := range append(names, "vm-999") {
			var want []string
			for _, e := range model {
				if e.Name == name {
					want = append(want, e.ID)
				}
			}
			var got []string
			for _, e := range ps.named(name, nil) {
				got = append(got, e.ID)
			}
			require.ElementsMatch(t, want, got, "step %d: servers named %q", step, name)
		}
	}
}
