package state

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// substringModel drives a store's servers of one project, big enough for
// its searches to use the index of substrings, beside a plain model (each
// server's name), and checks every search against a scan of the model.
type substringModel struct {
	t       testing.TB
	s       *Store
	project string
	ids     []string          // the servers, in the order they were added
	name    map[string]string // each server's name
	pool    []string          // the names servers get
}

// substringPool is the names the model's servers get: short strings over
// a small alphabet, so that many hold others, and a few odd ones (empty,
// non-ASCII, holding the separator byte).
func substringPool() []string {
	pool := []string{"", "ÿ", "a\xffb", "\xff", "vm1", "vm10", "my-vm1", "ééé"}
	const alphabet = "ab-1"
	for i := range 300 {
		var b strings.Builder
		for n := i + 1; n > 0; n /= len(alphabet) {
			b.WriteByte(alphabet[n%len(alphabet)])
		}
		pool = append(pool, b.String())
	}
	return pool
}

// newSubstringModel is a store whose project has n servers, named from
// the pool in turn.
func newSubstringModel(t testing.TB, n int) *substringModel {
	s := New()
	p, err := s.AddProject(Project{Name: "p"})
	require.NoError(t, err)
	m := &substringModel{t: t, s: s, project: p.ID, name: map[string]string{}, pool: substringPool()}
	for i := range n {
		m.add(i)
	}
	return m
}

// add adds a server named pool[i] (modulo).
func (m *substringModel) add(i int) {
	srv, err := m.s.AddServer(Server{ProjectID: m.project, Name: m.pool[i%len(m.pool)]})
	require.NoError(m.t, err)
	m.ids = append(m.ids, srv.ID)
	m.name[srv.ID] = srv.Name
}

// remove removes the i-th server (modulo).
func (m *substringModel) remove(i int) {
	if len(m.ids) == 0 {
		return
	}
	i %= len(m.ids)
	require.NoError(m.t, m.s.RemoveServer(m.ids[i]))
	delete(m.name, m.ids[i])
	m.ids = slices.Delete(m.ids, i, i+1)
}

// rename renames the i-th server (modulo) to pool[j] (modulo).
func (m *substringModel) rename(i, j int) {
	if len(m.ids) == 0 {
		return
	}
	id := m.ids[i%len(m.ids)]
	name := m.pool[j%len(m.pool)]
	_, err := m.s.UpdateServer(id, func(srv *Server) { srv.Name = name })
	require.NoError(m.t, err)
	m.name[id] = name
}

// search lists the servers whose name holds part of pool[i] (modulo):
// cut picks the part, anchor whether it is plain (0), at the start (1)
// or at the end (2). It checks the list against a scan of the model.
func (m *substringModel) search(i, cut, anchor int) {
	name := m.pool[i%len(m.pool)]
	from, to := 0, len(name)
	if len(name) > 0 {
		from = cut % len(name)
		to = from + 1 + (cut/len(name))%(len(name)-from)
	}
	lit := name[from:to]
	pattern := []string{lit, "^" + lit, lit + "$"}[anchor%3]
	var want []string
	for id, n := range m.name {
		if []bool{strings.Contains(n, lit), strings.HasPrefix(n, lit), strings.HasSuffix(n, lit)}[anchor%3] {
			want = append(want, id)
		}
	}
	got, err := m.s.ListServers(ServerFilter{ProjectID: m.project, Name: pattern})
	require.NoError(m.t, err)
	gotIDs := make([]string, len(got))
	for k, srv := range got {
		gotIDs[k] = srv.ID
	}
	require.ElementsMatch(m.t, want, gotIDs, "name=%q", pattern)
}

// run applies ops read from a byte string: each op is a kind and two
// arguments.
func (m *substringModel) run(ops []byte) {
	for k := 0; k+2 < len(ops); k += 3 {
		a, b := int(ops[k+1]), int(ops[k+2])
		switch ops[k] % 8 {
		case 0, 1:
			m.add(a<<8 | b)
		case 2:
			m.remove(a<<8 | b)
		case 3:
			m.rename(a, b)
		default:
			m.search(a, b, int(ops[k]))
		}
	}
}

// Searches by a literal, plain or anchored, find what a scan finds, as
// servers are added, removed and renamed between them: through the first
// build of the index, the tail, small and its rebuilds, big's rebuild
// once small is past its bound, and the drop after many changes.
func TestSubstringIndexModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	t.Run("churn", func(t *testing.T) {
		m := newSubstringModel(t, 300)
		ops := make([]byte, 3*4000)
		for k := range ops {
			ops[k] = byte(rng.Uint32())
		}
		m.run(ops)
	})
	t.Run("growth", func(t *testing.T) {
		// 2,000 names, then 1,200 more with a search every 8: small
		// passes smallMax (1,024) before the changes pass big's size.
		m := newSubstringModel(t, 0)
		for i := range 2000 {
			m.pool = append(m.pool, fmt.Sprintf("vm-%d", i))
			m.add(len(m.pool) - 1)
		}
		x := &m.s.byProject[m.project].substrings
		m.search(5, 7, 0)
		require.NotNil(t, x.big)
		bigs := map[*nameSuffixes]bool{x.big: true}
		for i := range 1200 {
			m.pool = append(m.pool, fmt.Sprintf("new-%d", i))
			m.add(len(m.pool) - 1)
			if i%8 == 0 {
				m.search(rng.IntN(len(m.pool)), rng.IntN(64), rng.IntN(3))
				bigs[x.big] = true
			}
		}
		require.Len(t, bigs, 2, "big is built again once small is past smallMax")
	})
	t.Run("drop", func(t *testing.T) {
		m := newSubstringModel(t, 300)
		m.search(4, 0, 0)
		x := &m.s.byProject[m.project].substrings
		require.NotNil(t, x.big)
		for range 400 {
			m.remove(0)
			m.add(rng.IntN(len(m.pool)))
		}
		require.Nil(t, x.big, "dropped after more changes than big holds")
		for i := range len(m.pool) {
			m.search(i, i*7, i)
		}
	})
}

// FuzzSubstringIndex drives searches, adds, removes and renames drawn by
// the fuzzer over a project of 300 servers, each search checked against a
// scan. Inputs are kept to 300 ops.
func FuzzSubstringIndex(f *testing.F) {
	f.Add([]byte{4, 4, 1, 0, 1, 2, 5, 5, 0, 2, 0, 3, 6, 7, 9})
	f.Add([]byte{3, 0, 1, 3, 1, 2, 7, 2, 9, 4, 1, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 900 {
			return
		}
		newSubstringModel(t, 300).run(ops)
	})
}
