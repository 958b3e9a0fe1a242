package state

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// nameModel drives a project's lists and index by name beside a plain
// model of them (a list of servers) and checks that they agree.
type nameModel struct {
	t     testing.TB
	s     *Store
	model []*serverEntry
	names []string
	made  int
}

func newNameModel(t testing.TB) *nameModel {
	names := []string{"", "ÿ", "a/b"}
	for i := range 200 { // as many as the fuzz's ops tell apart: the table grows to 512
		names = append(names, fmt.Sprintf("vm-%d", i))
	}
	return &nameModel{t: t, s: &Store{byProject: map[string]*projectServers{}}, names: names}
}

// add adds a server named names[i % len(names)].
func (m *nameModel) add(i int) {
	m.made++
	e := &serverEntry{Server: Server{ID: fmt.Sprintf("id-%d", m.made), ProjectID: "p", Name: m.names[i%len(m.names)]}}
	m.s.insertServer(e)
	m.model = append(m.model, e)
}

// remove removes the model's i-th server (modulo), the last moving into its
// place in the lists.
func (m *nameModel) remove(i int) {
	i %= len(m.model)
	m.s.removeServer(m.model[i])
	m.model = slices.Delete(m.model, i, i+1)
}

// check: the lists hold each server at its place; the table holds one
// server of each name, half full at most; named finds exactly the servers
// of a name.
func (m *nameModel) check() {
	t := m.t
	ps := m.s.byProject["p"]
	if len(m.model) == 0 {
		require.Nil(t, ps)
		return
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
	want := map[string][]string{}
	for _, e := range m.model {
		want[e.Name] = append(want[e.Name], e.ID)
	}
	for _, name := range append(m.names, "vm-999") {
		var got []string
		for _, e := range ps.named(name, nil) {
			got = append(got, e.ID)
		}
		require.ElementsMatch(t, want[name], got, "servers named %q", name)
	}
}

// A project's index by name behaves as the plain model through adds and
// removals, with many servers sharing names and the last server moving
// into each removed one's place.
func TestNameIndexModel(t *testing.T) {
	m := newNameModel(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for step := range 20000 {
		if len(m.model) > 0 && rng.IntN(3) == 0 {
			m.remove(rng.IntN(len(m.model)))
		} else {
			m.add(rng.IntN(len(m.names)))
		}
		if step%97 == 0 {
			m.check()
		}
	}
	m.check()
}

// FuzzNameIndex drives the index and the model with the ops a fuzzer
// draws: a byte below 0xc0 adds a server of the name it picks, another
// removes the server the next byte picks. Inputs are kept to 300 ops,
// enough names for the table to grow five times, so that each is checked
// after every op in milliseconds.
func FuzzNameIndex(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0xc0, 0, 2, 2, 0xc0, 1})
	f.Add([]byte{5, 5, 5, 5, 0xff, 3, 0xff, 0, 0xff, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 300 {
			return
		}
		m := newNameModel(t)
		for i := 0; i < len(ops); i++ {
			if ops[i] >= 0xc0 && len(m.model) > 0 && i+1 < len(ops) {
				i++
				m.remove(int(ops[i]))
			} else {
				m.add(int(ops[i]))
			}
			m.check()
		}
	})
}
