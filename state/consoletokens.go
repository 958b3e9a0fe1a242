package state

import (
	"time"

	"github.com/google/uuid"
)

// consoleTokens keeps the console tokens a store issued: a map from token
// to entry for O(1) lookups, and a queue in issue order, which is expiry
// order (every token lives the store's TTL), so that expired tokens are
// dropped from its head as new ones come. A token lives its TTL unless
// the store holds max live tokens when another is issued: then the
// oldest is evicted early, and counted.
//
// Tokens are random uuid4s throughout (nothing in them is derived from a
// counter or a slot). Neither the map nor the queue holds pointers, so the
// garbage collector does not scan them however many tokens they hold; a
// token costs about 140 bytes (measured by TestConsoleTokenMemory).
type consoleTokens struct {
	byKey map[uuid.UUID]consoleEntry
	queue []queuedToken // issue order; queue[head:] are live or not yet swept
	head  int
	max   int
}

type queuedToken struct {
	key     uuid.UUID
	expires int64
}

func newConsoleTokens(max int) consoleTokens {
	if max < 1 {
		max = 1
	}
	return consoleTokens{byKey: map[uuid.UUID]consoleEntry{}, max: max}
}

// put stores e under key (a random token; another is drawn should it be
// taken), after dropping the tokens expired by now (Unix nanoseconds) and,
// when the store is full, the oldest live one; evicted is how many live
// tokens had to go (0 or 1).
func (t *consoleTokens) put(key uuid.UUID, e consoleEntry, now int64) (_ uuid.UUID, evicted int) {
	for t.head < len(t.queue) && t.queue[t.head].expires <= now {
		delete(t.byKey, t.queue[t.head].key)
		t.head++
	}
	for len(t.byKey) >= t.max && t.head < len(t.queue) {
		if _, live := t.byKey[t.queue[t.head].key]; live { // not revoked already
			delete(t.byKey, t.queue[t.head].key)
			evicted++
		}
		t.head++
	}
	if t.head > len(t.queue)/2 && t.head > 64 {
		// Compact: the queue never holds more than twice what is live.
		n := copy(t.queue, t.queue[t.head:])
		t.queue = t.queue[:n]
		t.head = 0
	}
	for {
		if _, taken := t.byKey[key]; !taken {
			break
		}
		key = newUUID4()
	}
	t.byKey[key] = e
	t.queue = append(t.queue, queuedToken{key: key, expires: e.expires})
	return key, evicted
}

// removeIf drops the tokens whose entries match and returns how many; their
// places in the queue go when the queue's head reaches them.
func (t *consoleTokens) removeIf(match func(consoleEntry) bool) int {
	n := 0
	for key, e := range t.byKey {
		if match(e) {
			delete(t.byKey, key)
			n++
		}
	}
	return n
}

// get finds the entry of a token.
func (t *consoleTokens) get(key uuid.UUID) (consoleEntry, bool) {
	e, ok := t.byKey[key]
	return e, ok
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
	return ConsoleTokenStats{Held: len(s.consoles.byKey), Max: s.consoles.max, Evicted: s.consoleEvicted.Load()}
}

// consoleEvictionLogEvery is how often, at most, the store logs that it
// evicts live console tokens.
const consoleEvictionLogEvery = time.Minute

// countEvictions counts live console tokens evicted early and logs it, at
// most once every consoleEvictionLogEvery of wall time, with the total.
// s.consoleMu is held.
func (s *Store) countEvictions(n int) {
	if n == 0 {
		return
	}
	total := s.consoleEvicted.Add(uint64(n))
	now := time.Now()
	if !s.evictionLogged.IsZero() && now.Sub(s.evictionLogged) < consoleEvictionLogEvery {
		return
	}
	s.evictionLogged = now
	s.logger.Warn("console tokens evicted before their expiry: the store holds its maximum; raise it (-max-console-tokens, state.WithMaxConsoleTokens)",
		"max", s.consoles.max, "evicted_total", total)
}
