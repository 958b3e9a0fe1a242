package state

import (
	"time"

	"github.com/google/uuid"
)

// consoleTokens keeps the console tokens a store issued: a ring of their
// entries in issue order, which is expiry order (every token lives the
// store's TTL), so that expired tokens are dropped from its head as new
// ones come, and an index from token to its place in the ring for O(1)
// lookups (tokenIndex: 8-byte slots, not entries, which is what keeps
// issuing quick with 200,000 tokens held). A token lives its TTL unless the
// store holds max live tokens when another is issued: then the oldest is
// evicted early, and counted.
//
// Tokens are random uuid4s throughout (nothing in them is derived from a
// counter or a slot). Neither the index nor the ring holds pointers, so
// the garbage collector does not scan them however many tokens they hold;
// a token costs about 120 bytes (measured by TestConsoleTokenMemory).
type consoleTokens struct {
	index tokenIndex
	// ring[head:] are the tokens issued, oldest first, live or revoked
	// (gone from the index) or expired and not yet swept; ring[i] has
	// issue number base+i.
	ring []issuedToken
	head int
	base uint64
	max  int
}

type issuedToken struct {
	key   uuid.UUID
	entry consoleEntry
}

// maxConsoleTokens bounds the max of a store, so that the ring's places
// fit the index's 32 bits.
const maxConsoleTokens = 1 << 30

func newConsoleTokens(n int) consoleTokens {
	return consoleTokens{max: min(maxConsoleTokens, max(n, 1))}
}

// held is how many tokens the store holds.
func (t *consoleTokens) held() int { return t.index.count }

// put stores e under key (a random token; another is drawn should it be
// taken), after dropping the tokens expired by now (Unix nanoseconds) and,
// when the store is full, the oldest live one; evicted is how many live
// tokens had to go (0 or 1).
func (t *consoleTokens) put(key uuid.UUID, e consoleEntry, now int64) (_ uuid.UUID, evicted int) {
	for t.head < len(t.ring) && t.ring[t.head].entry.expires <= now {
		t.dropHead()
	}
	for t.index.count >= t.max && t.head < len(t.ring) {
		if t.dropHead() { // not revoked already
			evicted++
		}
	}
	if t.head > len(t.ring)/2 && t.head > 64 {
		// Compact: the ring never holds more than twice what is live.
		n := copy(t.ring, t.ring[t.head:])
		clear(t.ring[n:])
		t.ring, t.base, t.head = t.ring[:n], t.base+uint64(t.head), 0
	}
	for {
		if _, taken := t.index.find(key, t.ring, t.base); !taken {
			break
		}
		key = newUUID4()
	}
	t.index.insert(key, t.base+uint64(len(t.ring)))
	t.ring = append(t.ring, issuedToken{key: key, entry: e})
	return key, evicted
}

// dropHead drops the oldest token of the ring and reports whether it was
// live (not revoked).
func (t *consoleTokens) dropHead() bool {
	key := t.ring[t.head].key
	slot, live := t.index.find(key, t.ring, t.base)
	live = live && t.index.seqAt(slot, t.base) == t.base+uint64(t.head)
	t.head++
	if live {
		t.index.remove(slot)
	}
	return live
}

// removeIf drops the tokens whose entries match and returns how many; their
// places in the ring go when the ring's head reaches them, or at once
// when the ring holds more revoked tokens than live ones (and more than
// 64), so that revocations cannot grow it past twice what is held.
func (t *consoleTokens) removeIf(match func(consoleEntry) bool) int {
	var gone []uuid.UUID
	t.index.each(func(slot int) {
		if it := t.ring[t.index.seqAt(slot, t.base)-t.base]; match(it.entry) {
			gone = append(gone, it.key)
		}
	})
	for _, key := range gone {
		if slot, ok := t.index.find(key, t.ring, t.base); ok {
			t.index.remove(slot)
		}
	}
	if dead := len(t.ring) - t.head - t.index.count; dead > t.index.count && dead > 64 {
		t.dropRevoked()
	}
	return len(gone)
}

// dropRevoked rebuilds the ring of the live tokens only, in their order,
// numbered after the old ones, and the index of their new places.
func (t *consoleTokens) dropRevoked() {
	live := make([]issuedToken, 0, t.index.count)
	t.eachLive(func(key uuid.UUID, e consoleEntry) { live = append(live, issuedToken{key, e}) })
	clear(t.index.slots)
	t.index.count = 0
	t.base += uint64(len(t.ring))
	t.ring, t.head = live, 0
	for i, it := range live {
		t.index.insert(it.key, t.base+uint64(i))
	}
}

// eachLive calls f with every token held (not revoked), oldest first.
func (t *consoleTokens) eachLive(f func(key uuid.UUID, e consoleEntry)) {
	for i := t.head; i < len(t.ring); i++ {
		it := &t.ring[i]
		if slot, ok := t.index.find(it.key, t.ring, t.base); ok && t.index.seqAt(slot, t.base) == t.base+uint64(i) {
			f(it.key, it.entry)
		}
	}
}

// get finds the entry of a token.
func (t *consoleTokens) get(key uuid.UUID) (consoleEntry, bool) {
	slot, ok := t.index.find(key, t.ring, t.base)
	if !ok {
		return consoleEntry{}, false
	}
	return t.ring[t.index.seqAt(slot, t.base)-t.base].entry, true
}

// ConsoleTokenStats tells how the store's console tokens fare: how many it
// holds, its bound (WithMaxConsoleTokens) and how many live tokens it had
// to drop before their expiry to stay within the bound.
type ConsoleTokenStats struct {
	Held    int    // tokens held, live or expired but not yet dropped
	Max     int    // the bound
	Evicted uint64 // live tokens dropped early since the store was made
}

// ConsoleTokenStats returns the console tokens' figures.
func (s *Store) ConsoleTokenStats() ConsoleTokenStats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.consoleMu.Lock()
	defer s.consoleMu.Unlock()
	return ConsoleTokenStats{Held: s.consoles.held(), Max: s.consoles.max, Evicted: s.consoleEvicted.Load()}
}

// consoleEvictionLogEvery is how often, at most, the store logs that it
// evicts live console tokens.
const consoleEvictionLogEvery = time.Minute

// countEvictions counts live console tokens evicted early and logs it, at
// most once every consoleEvictionLogEvery of wall time, with the total.
// A store at its bound evicts a token for every one it issues, so after
// the first log the wall clock is read every 64th eviction only.
// s.consoleMu is held.
func (s *Store) countEvictions(n int) {
	if n == 0 {
		return
	}
	total := s.consoleEvicted.Add(uint64(n))
	if !s.evictionLogged.IsZero() && total%64 >= uint64(n) {
		return
	}
	now := time.Now()
	if !s.evictionLogged.IsZero() && now.Sub(s.evictionLogged) < consoleEvictionLogEvery {
		return
	}
	s.evictionLogged = now
	s.logger.Warn("console tokens evicted before their expiry: the store holds its maximum; raise it (-max-console-tokens, state.WithMaxConsoleTokens)",
		"max", s.consoles.max, "evicted_total", total)
}
