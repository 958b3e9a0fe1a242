package state

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// idsModel drives a serverIDs beside a plain map from id to entry and
// checks that they agree.
type idsModel struct {
	t     testing.TB
	x     serverIDs
	model map[string]*serverEntry
	ids   []string
	// maxSlots is the most slots the table may have: it must not grow
	// past the size its pool of ids was chosen for.
	maxSlots int
	// wrapped counts the entries seen (at a check) in a slot before
	// their home: their cluster ran past the table's end.
	wrapped int
}

// newIDsModel returns a model over n ids: the table grows to 512 slots
// for the 200 that the fuzz's ops tell apart.
func newIDsModel(t testing.TB, n int) *idsModel {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-000000000000", i)
	}
	return &idsModel{t: t, model: map[string]*serverEntry{}, ids: ids, maxSlots: 1 << 30}
}

// newWrapModel returns a model over 8 ids homed, two each, in the last 4
// slots of a table of minProbeSlots: the table never grows (8 servers
// fill it half), and every cluster runs past its end, so that removals
// shift entries back across it. Which id has which home is the same
// whatever the process's seed.
func newWrapModel(t testing.TB) *idsModel {
	mask := uint64(minProbeSlots - 1)
	var ids []string
	for home := mask - 3; home <= mask; home++ {
		for n, found := 0, 0; found < 2; n++ {
			id := fmt.Sprintf("wrap-%d-%d", home, n)
			if idHash(id)&mask == home {
				ids = append(ids, id)
				found++
			}
		}
	}
	return &idsModel{t: t, model: map[string]*serverEntry{}, ids: ids, maxSlots: minProbeSlots}
}

// put puts a new entry for ids[i % len(ids)], adding it or replacing the
// one the table has.
func (m *idsModel) put(i int) {
	e := &serverEntry{Server: Server{ID: m.ids[i%len(m.ids)]}}
	m.x.put(e)
	m.model[e.ID] = e
}

// remove removes ids[i % len(ids)], which the table may not have.
func (m *idsModel) remove(i int) {
	id := m.ids[i%len(m.ids)]
	m.x.remove(id)
	delete(m.model, id)
}

// check: get finds each id's entry, or nothing, as the model does; len
// and each agree with the model; the table is a power of two, half full
// at most, with count entries, each reached from its home without an
// empty slot.
func (m *idsModel) check() {
	t := m.t
	for _, id := range append(m.ids, "absent") {
		got, ok := m.x.get(id)
		want, has := m.model[id]
		if ok != has || got != want {
			require.Failf(t, "get", "id %q: got %p, %v; the model has %p, %v", id, got, ok, want, has)
		}
	}
	require.Equal(t, len(m.model), m.x.len())
	seen := map[*serverEntry]int{}
	m.x.each(func(e *serverEntry) { seen[e]++ })
	require.Len(t, seen, len(m.model))
	for _, e := range m.model {
		if seen[e] != 1 {
			require.Failf(t, "each", "each yields %s %d times", e.ID, seen[e])
		}
	}
	if len(m.x.slots) == 0 {
		require.Zero(t, m.x.count)
		return
	}
	size := len(m.x.slots)
	require.Zero(t, size&(size-1), "a power of two")
	require.LessOrEqual(t, size, m.maxSlots)
	require.LessOrEqual(t, 2*m.x.count, size)
	used := 0
	for i, e := range m.x.slots {
		if e == nil {
			continue
		}
		used++
		home := int(idHash(e.ID)) & (size - 1)
		for j := home; j != i; j = (j + 1) & (size - 1) {
			if m.x.slots[j] == nil {
				require.Failf(t, "probe", "%s at %d, homed at %d: slot %d is empty", e.ID, i, home, j)
			}
		}
		if i < home {
			m.wrapped++
		}
	}
	require.Equal(t, m.x.count, used)
}

// The table behaves as a map through puts, replacements and removals:
// growing from its zero value to 512 slots and emptying again, and, in a
// table of 16 slots whose every cluster runs past the end, removals that
// shift entries back across it.
func TestServerIDsModel(t *testing.T) {
	t.Run("grow", func(t *testing.T) {
		m := newIDsModel(t, 300)
		rng := rand.New(rand.NewPCG(7, 8))
		m.check()
		for step := range 6000 {
			removes := 1 // in 4 ops: the table grows, then thins out
			if step >= 3000 {
				removes = 3
			}
			if rng.IntN(4) < removes {
				m.remove(rng.IntN(len(m.ids)))
			} else {
				m.put(rng.IntN(len(m.ids)))
			}
			m.check()
		}
		require.Greater(t, len(m.x.slots), 256, "the table grew")
		for _, i := range rng.Perm(len(m.ids)) {
			m.remove(i)
			m.check()
		}
		require.Zero(t, m.x.len())
	})
	t.Run("wrap", func(t *testing.T) {
		m := newWrapModel(t)
		rng := rand.New(rand.NewPCG(9, 10))
		for range 20000 {
			if rng.IntN(2) == 0 {
				m.remove(rng.IntN(len(m.ids)))
			} else {
				m.put(rng.IntN(len(m.ids)))
			}
			m.check()
		}
		require.Len(t, m.x.slots, minProbeSlots)
		require.Positive(t, m.wrapped, "clusters ran past the table's end")
	})
}

// An id the table does not have is not found, and removing it changes
// nothing, in the zero value as in a table that has others.
func TestServerIDsAbsent(t *testing.T) {
	var x serverIDs
	got, ok := x.get("x")
	require.False(t, ok)
	require.Nil(t, got)
	x.remove("x")
	require.Zero(t, x.len())
	x.each(func(*serverEntry) { t.Fatal("each of an empty table") })

	e := &serverEntry{Server: Server{ID: "a"}}
	x.put(e)
	x.remove("x")
	require.Equal(t, 1, x.len())
	got, ok = x.get("a")
	require.True(t, ok)
	require.Same(t, e, got)
}

// FuzzServerIDs drives the table and the model with the ops a fuzzer
// draws: a byte below 0xc0 puts the id it picks (adds it or replaces its
// entry), another removes the id the next byte picks. small picks the 8
// ids that wrap a table of 16 slots, else 200 ids grow it to 512. Inputs
// are kept to 300 ops, so that each is checked after every op in
// milliseconds.
func FuzzServerIDs(f *testing.F) {
	f.Add(true, []byte{0, 1, 2, 3, 0xc0, 1, 4, 0xc0, 0, 5, 0xc0, 2})
	f.Add(false, []byte{0, 0, 1, 0xc0, 0, 2, 2, 0xc0, 1})
	f.Add(false, []byte{5, 5, 5, 5, 0xff, 5, 0xff, 0, 0xff, 1})
	f.Fuzz(func(t *testing.T, small bool, ops []byte) {
		if len(ops) > 300 {
			return
		}
		m := newIDsModel(t, 200)
		if small {
			m = newWrapModel(t)
		}
		for i := 0; i < len(ops); i++ {
			if ops[i] >= 0xc0 && i+1 < len(ops) {
				i++
				m.remove(int(ops[i]))
			} else {
				m.put(int(ops[i]))
			}
			m.check()
		}
	})
}
