package state

import (
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The ring of console tokens behaves as a plain model of it (a queue in
// issue order): expired tokens are swept from the head as tokens come, the
// oldest live token is evicted when max are held (and counted, a revoked
// one not), revoked tokens are not found, every other token is, with its
// entry, through compactions; and the ring never holds more than twice
// what is held, beyond its first 64.
func TestConsoleTokenRing(t *testing.T) {
	const maxHeld, ttl = 50, 1000
	tokens := newConsoleTokens(maxHeld)
	type modelToken struct {
		key     uuid.UUID
		entry   consoleEntry
		revoked bool
	}
	var queue []modelToken // issue order, the dropped ones gone
	rng := rand.New(rand.NewPCG(3, 4))
	now := int64(0)
	for step := 0; step < 20000; step++ {
		if rng.IntN(5) == 0 && len(queue) > 0 { // revoke one
			i := rng.IntN(len(queue))
			port := queue[i].entry.port
			n := tokens.removeIf(func(e consoleEntry) bool { return e.port == port })
			if queue[i].revoked {
				require.Zero(t, n)
			} else {
				require.Equal(t, 1, n)
			}
			queue[i].revoked = true
			continue
		}
		now += int64(rng.IntN(40))
		e := consoleEntry{issued: now, expires: now + ttl, port: int32(step)}
		// The model: sweep the expired, evict the oldest while full.
		for len(queue) > 0 && queue[0].entry.expires <= now {
			queue = queue[1:]
		}
		wantEvicted := 0
		for {
			held := 0
			for _, m := range queue {
				if !m.revoked {
					held++
				}
			}
			if held < maxHeld {
				break
			}
			if !queue[0].revoked {
				wantEvicted++
			}
			queue = queue[1:]
		}
		key, evicted := tokens.put(newUUID4(), e, now)
		require.Equal(t, wantEvicted, evicted, "step %d", step)
		queue = append(queue, modelToken{key: key, entry: e})

		held := 0
		for _, m := range queue {
			got, ok := tokens.get(m.key)
			if m.revoked {
				require.False(t, ok, "a revoked token is not found")
				continue
			}
			held++
			require.True(t, ok, "step %d: a held token is found", step)
			require.Equal(t, m.entry, got)
			forged := m.key
			forged[15] ^= 1
			_, ok = tokens.get(forged)
			require.False(t, ok, "a token that differs in its last bits only is not found")
		}
		require.Equal(t, held, tokens.held())
		span := int(tokens.next - tokens.first)
		require.LessOrEqual(t, span, len(queue), "the ring holds the model's queue at most")
		require.LessOrEqual(t, len(tokens.ring), max(minRing, 4*span), "the ring shrinks")
		require.LessOrEqual(t, span, 2*held+64, "revoked tokens do not pile up")
		checkTokenIndex(t, &tokens)
	}
	assert.Greater(t, tokens.first, uint64(4*len(tokens.ring)), "the ring went round")
}

// checkTokenIndex checks the index of tokens: it finds every live token
// at its number, holds no entry of the window but those, has at most half
// its slots in use and counts them right.
func checkTokenIndex(t *testing.T, tokens *consoleTokens) {
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
