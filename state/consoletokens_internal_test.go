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
	const max, ttl = 50, 1000
	tokens := newConsoleTokens(max)
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
			if held < max {
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
		require.LessOrEqual(t, len(tokens.ring)-tokens.head, len(queue), "the ring holds the model's queue at most")
		require.LessOrEqual(t, len(tokens.ring), 2*len(queue)+66, "compacted")
		require.LessOrEqual(t, len(tokens.ring)-tokens.head, 2*held+64, "revoked tokens do not pile up")
	}
	assert.Positive(t, tokens.base, "the ring was compacted")
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
	assert.LessOrEqual(t, len(tokens.ring)-tokens.head, 2*10+64)
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
