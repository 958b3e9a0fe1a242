package state

import (
	"encoding/binary"
	"math/bits"
	"sync/atomic"

	"github.com/google/uuid"
)

// tokenIndex finds console tokens by value: an open-addressing hash table
// (linear probing) of 8-byte slots, each a token's 31-bit tag and the low
// 32 bits of its issue number, its place in the ring of consoleTokens. A
// token is a random uuid4, so its own bits are its hash; the tag is the
// hash's low 32 bits with the top one set (an empty slot is 0), and the
// home slot of an entry is its tag masked, so that the table rehashes and
// shifts entries without reading the ring. A lookup reads one run of
// slots, mostly one cache line, and the ring's entry only where a tag
// matches.
//
// Tokens that leave the ring's window (expired or evicted at its head)
// are not looked up to be removed: their slots are dead, which the window
// alone tells, and an insert takes the first dead slot on its path. Dead
// slots that pile up go in a sweep when half the table is in use, after
// which it holds at most a quarter live: a sweep reads the table in order
// once every quarter of its size issued, where a removal would cost a
// cache miss for every token that leaves. Revoked tokens are removed at
// once (deletion by backward shift, so no tombstones). The table takes 32
// to 64 bytes a live token.
//
// Only touch reads the table without the store's lock: it brings the slot
// an insert will start at into the cache before the lock is taken, so that
// the cache miss of a table of megabytes is not paid by whoever waits for
// the lock. For that, the table in use is published in shared, and its
// slots are written with atomic stores (a new table is filled before it is
// published).
type tokenIndex struct {
	slots  []uint64
	used   int // slots not empty: live or dead
	shared atomic.Pointer[[]uint64]
}

// touch reads the home slot of key, without the lock (see tokenIndex).
func (x *tokenIndex) touch(key uuid.UUID) {
	if p := x.shared.Load(); p != nil && len(*p) > 0 {
		slots := *p
		atomic.LoadUint64(&slots[int(tokenTag(key))&(len(slots)-1)])
	}
}

// setSlots makes slots, filled, the table in use.
func (x *tokenIndex) setSlots(slots []uint64) {
	x.slots = slots
	x.shared.Store(&slots)
}

// tokenWindow is what the index needs of the ring: the tokens numbered
// first to next (excluded) are in it, the token numbered n at ring[n &
// (len(ring)-1)].
type tokenWindow struct {
	ring        []issuedToken
	first, next uint64
}

// holds reports whether the entry of slot value s is in the window, and
// the token's issue number.
func (w *tokenWindow) holds(s uint64) (uint64, bool) {
	r := uint32(s) - uint32(w.first)
	return w.first + uint64(r), uint64(r) < w.next-w.first
}

// minIndexSlots is the size of a new table.
const minIndexSlots = 64

// tokenTag is the tag of a token: the low bits of its first random bytes
// (the version nibble is in byte 6), with the top bit set.
func tokenTag(key uuid.UUID) uint32 { return binary.LittleEndian.Uint32(key[:4]) | 1<<31 }

func slotTag(s uint64) uint32 { return uint32(s >> 32) }

// find returns the slot and issue number of the token key among the
// window's, or ok false.
func (x *tokenIndex) find(key uuid.UUID, w *tokenWindow) (slot int, seq uint64, ok bool) {
	if len(x.slots) == 0 {
		return 0, 0, false
	}
	mask := len(x.slots) - 1
	ringMask := uint64(len(w.ring) - 1)
	tag := tokenTag(key)
	for i := int(tag) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0, 0, false
		}
		if slotTag(s) == tag {
			if n, in := w.holds(s); in && w.ring[n&ringMask].key == key {
				return i, n, true
			}
		}
	}
}

// insert adds the token key with issue number w.next (the next the ring
// will hold), unless a token of the window has the same value: then it
// reports false.
func (x *tokenIndex) insert(key uuid.UUID, w *tokenWindow, live int) bool {
	if 2*(x.used+1) > len(x.slots) {
		x.sweep(w, live)
	}
	mask := len(x.slots) - 1
	ringMask := uint64(len(w.ring) - 1)
	tag := tokenTag(key)
	dead := -1
	i := int(tag) & mask
	for ; x.slots[i] != 0; i = (i + 1) & mask {
		s := x.slots[i]
		n, in := w.holds(s)
		switch {
		case !in:
			if dead < 0 {
				dead = i
			}
		case slotTag(s) == tag && w.ring[n&ringMask].key == key:
			return false
		}
	}
	if dead >= 0 {
		i = dead
	} else {
		x.used++
	}
	atomic.StoreUint64(&x.slots[i], uint64(tag)<<32|uint64(uint32(w.next)))
	return true
}

// sweep makes room for an insert: the table is resized to four times the
// live tokens (and the one to come), rounded up to a power of two, when it
// is smaller than that or more than four times larger; otherwise its dead
// slots are removed in place.
func (x *tokenIndex) sweep(w *tokenWindow, live int) {
	want := 1 << bits.Len(uint(max(minIndexSlots, 4*(live+1))-1))
	if len(x.slots) < want || len(x.slots) > 4*want {
		x.resize(want, w)
		return
	}
	// Go round once from an empty slot, so that no run of slots is cut;
	// a removal shifts later entries back into i, which is read again.
	mask := len(x.slots) - 1
	start := 0
	for x.slots[start] != 0 {
		start++
	}
	for n, i := 1, (start+1)&mask; n < len(x.slots); {
		if s := x.slots[i]; s != 0 {
			if _, in := w.holds(s); !in {
				x.remove(i)
				continue
			}
		}
		i = (i + 1) & mask
		n++
	}
}

// resize makes the table n slots and places the window's entries in it
// by their tags; dead slots are left out.
func (x *tokenIndex) resize(n int, w *tokenWindow) {
	old := x.slots
	x.slots, x.used = make([]uint64, n), 0
	for _, s := range old {
		if _, in := w.holds(s); s != 0 && in {
			x.place(s)
		}
	}
	x.setSlots(x.slots)
}

// place puts slot value s at the first empty slot from its home, in a
// table not yet published.
func (x *tokenIndex) place(s uint64) {
	mask := len(x.slots) - 1
	i := int(slotTag(s)) & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
	x.used++
}

// reset empties the table and sizes it for live tokens.
func (x *tokenIndex) reset(live int) {
	x.slots = make([]uint64, 1<<bits.Len(uint(max(minIndexSlots, 4*live)-1)))
	x.used = 0
}

// publish makes the table filled since reset the one in use.
func (x *tokenIndex) publish() { x.setSlots(x.slots) }

// remove empties slot, moving back the entries after it that would no
// longer be found (Knuth's algorithm R for linear probing).
func (x *tokenIndex) remove(slot int) {
	mask := len(x.slots) - 1
	hole := slot
	for i := (hole + 1) & mask; x.slots[i] != 0; i = (i + 1) & mask {
		home := int(slotTag(x.slots[i])) & mask
		// The entry at i stays unless the hole lies on its path from home.
		if (i-home)&mask >= (i-hole)&mask {
			atomic.StoreUint64(&x.slots[hole], x.slots[i])
			hole = i
		}
	}
	atomic.StoreUint64(&x.slots[hole], 0)
	x.used--
}
