package state

import (
	"math/bits"
	"time"

	"github.com/google/uuid"
)

// consoleTokens keeps the console tokens a store issued: a ring of their
// entries in issue order, which is expiry order (every token lives the
// store's TTL), so that expired tokens are dropped from its head as new
// ones come, and an index from token to its place in the ring for O(1)
// lookups (tokenIndex: 8-byte slots, not entries, whose tokens gone from
// the head are swept in bulk, which is what keeps issuing quick with
// 200,000 tokens held). A token lives its TTL unless the store holds max
// live tokens when another is issued: then the oldest is evicted early,
// and counted.
//
// Tokens are random uuid4s throughout (nothing in them is derived from a
// counter or a slot). Neither the index nor the ring holds pointers, so
// the garbage collector does not scan them however many tokens they hold;
// a token costs about 150 bytes (146 measured by TestConsoleTokenMemory).
type consoleTokens struct {
	index tokenIndex
	// ring holds the tokens numbered first to next (excluded), oldest
	// first: live, revoked (entry.revoked, gone from the index) or expired
	// and not yet swept. The token numbered n is ring[n&(len(ring)-1)]:
	// the ring's length is a power of two, or 0.
	ring        []issuedToken
	first, next uint64
	live        int // tokens held: in the ring, not revoked
	max         int
}

type issuedToken struct {
	key   uuid.UUID
	entry consoleEntry
}

// maxConsoleTokens bounds the max of a store, so that the ring's numbers
// of the tokens it holds fit the index's 32 bits.
const maxConsoleTokens = 1 << 30

// minRing is the smallest ring.
const minRing = 64

func newConsoleTokens(n int) consoleTokens {
	return consoleTokens{max: min(maxConsoleTokens, max(n, 1))}
}

// held is how many tokens the store holds.
func (t *consoleTokens) held() int { return t.live }

// window is the index's view of the ring.
func (t *consoleTokens) window() tokenWindow {
	return tokenWindow{ring: t.ring, first: t.first, next: t.next}
}

// at is the ring's place of the token numbered n.
func (t *consoleTokens) at(n uint64) *issuedToken { return &t.ring[n&uint64(len(t.ring)-1)] }

// put stores e under key (a random token; another is drawn should it be
// taken), after dropping the tokens expired by now (Unix nanoseconds) and,
// when the store is full, the oldest live one; evicted is how many live
// tokens had to go (0 or 1).
func (t *consoleTokens) put(key uuid.UUID, e consoleEntry, now int64) (_ uuid.UUID, evicted int) {
	for t.first < t.next && t.at(t.first).entry.expires <= now {
		t.dropHead()
	}
	for t.live >= t.max && t.first < t.next {
		if t.dropHead() { // not revoked already
			evicted++
		}
	}
	switch span := int(t.next - t.first); {
	case span == len(t.ring):
		t.resizeRing(max(minRing, 2*span))
	case len(t.ring) > minRing && 4*span < len(t.ring):
		t.resizeRing(len(t.ring) / 2)
	}
	w := t.window()
	for !t.index.insert(key, &w, t.live) {
		key = newUUID4()
	}
	*t.at(t.next) = issuedToken{key: key, entry: e}
	t.next++
	t.live++
	return key, evicted
}

// resizeRing moves the ring's tokens to a ring of n places.
func (t *consoleTokens) resizeRing(n int) {
	ring := make([]issuedToken, n)
	for k := t.first; k < t.next; k++ {
		ring[k&uint64(n-1)] = *t.at(k)
	}
	t.ring = ring
}

// dropHead drops the oldest token of the ring and reports whether it was
// live (not revoked). Its slot in the index is left dead, for a sweep.
func (t *consoleTokens) dropHead() bool {
	live := !t.at(t.first).entry.revoked
	t.first++
	if live {
		t.live--
	}
	return live
}

// removeIf drops the tokens whose entries match and returns how many; their
// places in the ring go when the ring's head reaches them, or at once
// when the ring holds more revoked tokens than live ones (and more than
// 64), so that revocations cannot grow it past twice what is held.
func (t *consoleTokens) removeIf(match func(consoleEntry) bool) int {
	gone := 0
	w := t.window()
	for k := t.first; k < t.next; k++ {
		it := t.at(k)
		if it.entry.revoked || !match(it.entry) {
			continue
		}
		if slot, _, ok := t.index.find(it.key, &w); ok {
			t.index.remove(slot)
		}
		it.entry.revoked = true
		t.live--
		gone++
	}
	if dead := int(t.next-t.first) - t.live; dead > t.live && dead > 64 {
		t.dropRevoked()
	}
	return gone
}

// dropRevoked rebuilds the ring of the live tokens only, in their order,
// numbered after the old ones, and the index of their new places.
func (t *consoleTokens) dropRevoked() {
	live := make([]issuedToken, 0, t.live)
	t.eachLive(func(key uuid.UUID, e consoleEntry) { live = append(live, issuedToken{key, e}) })
	t.first = t.next
	t.ring = make([]issuedToken, 1<<bits.Len(uint(max(minRing, 2*len(live))-1)))
	t.index.reset(len(live))
	for _, it := range live {
		*t.at(t.next) = it
		t.index.place(uint64(tokenTag(it.key))<<32 | uint64(uint32(t.next)))
		t.next++
	}
	t.index.publish()
}

// eachLive calls f with every token held (not revoked), oldest first.
func (t *consoleTokens) eachLive(f func(key uuid.UUID, e consoleEntry)) {
	for k := t.first; k < t.next; k++ {
		if it := t.at(k); !it.entry.revoked {
			f(it.key, it.entry)
		}
	}
}

// get finds the entry of a token.
func (t *consoleTokens) get(key uuid.UUID) (consoleEntry, bool) {
	w := t.window()
	_, n, ok := t.index.find(key, &w)
	if !ok {
		return consoleEntry{}, false
	}
	return t.at(n).entry, true
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
