package state

import (
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenModel drives a consoleTokens beside a plain model of it (a queue in
// issue order) and checks that they agree.
type tokenModel struct {
	t      testing.TB
	tokens consoleTokens
	queue  []modelToken // issue order, the dropped ones gone
	max    int
	ttl    int64
	now    int64
	port   int32 // the next token's port, which tells the tokens apart
}

type modelToken struct {
	key     uuid.UUID
	entry   consoleEntry
	revoked bool
}

func newTokenModel(t testing.TB, maxHeld int, ttl int64) *tokenModel {
	return &tokenModel{t: t, tokens: newConsoleTokens(maxHeld), max: maxHeld, ttl: ttl}
}

// revoke revokes the model's i-th token (again, maybe).
func (m *tokenModel) revoke(i int) {
	port := m.queue[i].entry.port
	n := m.tokens.removeIf(func(e consoleEntry) bool { return e.port == port })
	if m.queue[i].revoked {
		require.Zero(m.t, n)
	} else {
		require.Equal(m.t, 1, n)
	}
	m.queue[i].revoked = true
}

// issue issues a token advance after the last: the model sweeps the
// expired and evicts the oldest while full, and counts the evictions.
func (m *tokenModel) issue(advance int64) {
	m.now += advance
	m.port++
	e := consoleEntry{issued: m.now, expires: m.now + m.ttl, port: m.port}
	for len(m.queue) > 0 && m.queue[0].entry.expires <= m.now {
		m.queue = m.queue[1:]
	}
	wantEvicted := 0
	for m.held() >= m.max {
		if !m.queue[0].revoked {
			wantEvicted++
		}
		m.queue = m.queue[1:]
	}
	key, evicted := m.tokens.put(newUUID4(), e, m.now)
	require.Equal(m.t, wantEvicted, evicted, "evictions")
	m.queue = append(m.queue, modelToken{key: key, entry: e})
}

// held is how many of the model's tokens are not revoked.
func (m *tokenModel) held() int {
	n := 0
	for _, q := range m.queue {
		if !q.revoked {
			n++
		}
	}
	return n
}

// check finds every token the model holds, with its entry, and none it
// revoked or a forged one; the ring holds the model's queue at most,
// shrinks, and does not pile up revoked tokens; the index is sound.
func (m *tokenModel) check() {
	t := m.t
	for _, q := range m.queue {
		got, ok := m.tokens.get(q.key)
		if q.revoked {
			require.False(t, ok, "a revoked token is not found")
			continue
		}
		require.True(t, ok, "a held token is found")
		require.Equal(t, q.entry, got)
		forged := q.key
		forged[15] ^= 1
		_, ok = m.tokens.get(forged)
		require.False(t, ok, "a token that differs in its last bits only is not found")
	}
	held := m.held()
	require.Equal(t, held, m.tokens.held())
	span := int(m.tokens.next - m.tokens.first)
	require.LessOrEqual(t, span, len(m.queue), "the ring holds the model's queue at most")
	require.LessOrEqual(t, len(m.tokens.ring), max(minRing, 4*span), "the ring shrinks")
	require.LessOrEqual(t, span, 2*held+64, "revoked tokens do not pile up")
	checkTokenIndex(t, &m.tokens)
}

// The ring of console tokens behaves as the plain model: expired tokens
// are swept from the head as tokens come, the oldest live token is
// evicted when max are held (and counted, a revoked one not), revoked
// tokens are not found, every other token is, with its entry, as the ring
// goes round and is resized.
func TestConsoleTokenRing(t *testing.T) {
	m := newTokenModel(t, 50, 1000)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		if rng.IntN(5) == 0 && len(m.queue) > 0 {
			m.revoke(rng.IntN(len(m.queue)))
		} else {
			m.issue(int64(rng.IntN(40)))
		}
		m.check()
	}
	assert.Greater(t, m.tokens.first, uint64(4*len(m.tokens.ring)), "the ring went round")
}

// FuzzConsoleTokens drives the ring and the model with the ops a fuzzer
// draws: a byte's low bits pick issue (its high bits the time that
// passes, now and then past the TTL) or revoke (of the token the next byte
// picks); the first byte is the bound.
func FuzzConsoleTokens(f *testing.F) {
	f.Add([]byte{3, 0, 0, 0, 0, 1, 0, 0x80, 0x81, 2})
	f.Add([]byte{64, 0xfc, 0xfc, 0, 0, 0, 0, 0, 1, 1, 1, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 || len(ops) > 1024 {
			return
		}
		m := newTokenModel(t, 1+int(ops[0])%100, 500)
		for i := 1; i < len(ops); i++ {
			op := ops[i]
			switch {
			case op&3 == 1 && len(m.queue) > 0 && i+1 < len(ops):
				i++
				m.revoke(int(ops[i]) % len(m.queue))
			default:
				m.issue(int64(op>>2) * 10)
			}
			m.check()
		}
	})
}

// checkTokenIndex checks the index of tokens: it finds every live token
// at its number, holds no entry of the window but those, has at most half
// its slots in use and counts them right.
func checkTokenIndex(t testing.TB, tokens *consoleTokens) {
	t.Helper()
	w := tokens.window()
	used, inWindow := 0, 0
	for _, s := range tokens.index.slots {
		if s == 0 {
			continue
		}
		used++
		if n, in := w.holds(s); in {
			inWindow++
			require.False(t, tokens.at(n).entry.revoked, "a revoked token's slot is gone")
			require.Equal(t, tokenTag(tokens.at(n).key), slotTag(s))
		}
	}
	require.Equal(t, used, tokens.index.used)
	require.LessOrEqual(t, 2*used, len(tokens.index.slots))
	require.Equal(t, tokens.held(), inWindow)
	tokens.eachLive(func(key uuid.UUID, _ consoleEntry) {
		_, n, ok := tokens.index.find(key, &w)
		require.True(t, ok)
		require.Equal(t, key, tokens.at(n).key)
	})
}

// Issuing many more tokens than the store holds sweeps the index's dead
// slots in bulk: it stays within four times what is held (rounded up to a
// power of two), every held token is found, and no token that left is.
func TestConsoleTokenIndexSweeps(t *testing.T) {
	const maxHeld = 1000
	tokens := newConsoleTokens(maxHeld)
	var keys []uuid.UUID
	evicted := 0
	for i := range 50 * maxHeld {
		key, n := tokens.put(newUUID4(), consoleEntry{issued: int64(i), expires: 1 << 62, port: int32(i)}, int64(i))
		keys = append(keys, key)
		evicted += n
		if i%997 == 0 {
			checkTokenIndex(t, &tokens)
		}
	}
	assert.Equal(t, 49*maxHeld, evicted)
	assert.Equal(t, maxHeld, tokens.held())
	assert.LessOrEqual(t, len(tokens.index.slots), 4096)
	for i, key := range keys {
		e, ok := tokens.get(key)
		require.Equal(t, i >= 49*maxHeld, ok, "token %d", i)
		if ok {
			require.Equal(t, int32(i), e.port)
		}
	}
	checkTokenIndex(t, &tokens)
	// All expire: the next put sweeps them, and the ring and index shrink
	// as tokens come.
	for i := range 100 {
		tokens.put(newUUID4(), consoleEntry{issued: 1 << 62, expires: 1<<62 + 1}, 1<<62)
		if i == 0 {
			assert.Equal(t, 1, tokens.held())
		}
	}
	assert.Equal(t, 100, tokens.held())
	assert.LessOrEqual(t, len(tokens.ring), 512)
	checkTokenIndex(t, &tokens)
}

// Revoking most tokens (a source's servers going, one by one) shrinks the
// ring to what is held, long before the revoked tokens would expire; the
// tokens left are found, in their order.
func TestConsoleTokenRingRevocations(t *testing.T) {
	tokens := newConsoleTokens(100000)
	var keys []uuid.UUID
	for i := range 1000 {
		key, _ := tokens.put(newUUID4(), consoleEntry{issued: int64(i), expires: 1 << 40, port: int32(i)}, int64(i))
		keys = append(keys, key)
	}
	for i := range 990 {
		require.Equal(t, 1, tokens.removeIf(func(e consoleEntry) bool { return e.port == int32(i) }))
	}
	assert.Equal(t, 10, tokens.held())
	assert.LessOrEqual(t, int(tokens.next-tokens.first), 2*10+64)
	checkTokenIndex(t, &tokens)
	var order []int32
	tokens.eachLive(func(_ uuid.UUID, e consoleEntry) { order = append(order, e.port) })
	assert.Equal(t, []int32{990, 991, 992, 993, 994, 995, 996, 997, 998, 999}, order)
	for i, key := range keys {
		e, ok := tokens.get(key)
		require.Equal(t, i >= 990, ok, "token %d", i)
		if ok {
			assert.Equal(t, int32(i), e.port)
		}
	}
}
