package state

import (
	"encoding/binary"

	"github.com/google/uuid"
)

// tokenIndex finds console tokens by value: an open-addressing hash table
// (linear probing, deletion by backward shift, so no tombstones) of 8-byte
// slots, each a token's 31-bit tag and the low 32 bits of its issue
// number, its place in the ring of consoleTokens. A token is a random
// uuid4, so its own bits are its hash; the tag is the hash's low 32 bits
// with the top one set (an empty slot is 0), and the home slot of an entry
// is its tag masked, so that the table rehashes and shifts entries without
// reading the ring. A lookup reads one run of slots, mostly one cache line,
// and the ring's entry only where a tag matches. Holding at most half of
// its slots, it takes 16 to 32 bytes a token.
type tokenIndex struct {
	slots []uint64
	count int
}

// minIndexSlots is the size of a new table.
const minIndexSlots = 64

// tokenTag is the tag of a token: the low bits of its first random bytes
// (the version nibble is in byte 6), with the top bit set.
func tokenTag(key uuid.UUID) uint32 { return binary.LittleEndian.Uint32(key[:4]) | 1<<31 }

func slotTag(s uint64) uint32 { return uint32(s >> 32) }

// find returns the slot of the token key among the ring's tokens (ring[i]
// has issue number base+i), or ok false.
func (x *tokenIndex) find(key uuid.UUID, ring []issuedToken, base uint64) (slot int, ok bool) {
	if x.count == 0 {
		return 0, false
	}
	mask := len(x.slots) - 1
	tag := tokenTag(key)
	for i := int(tag) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0, false
		}
		if slotTag(s) == tag {
			if r := uint32(s) - uint32(base); int(r) < len(ring) && ring[r].key == key {
				return i, true
			}
		}
	}
}

// seqAt returns the issue number of the token in slot, given the ring's
// base (the table keeps its low 32 bits; the ring holds fewer tokens than
// that).
func (x *tokenIndex) seqAt(slot int, base uint64) uint64 {
	return base + uint64(uint32(x.slots[slot])-uint32(base))
}

// insert adds the token key with issue number seq, which must not be in
// the table.
func (x *tokenIndex) insert(key uuid.UUID, seq uint64) {
	if 2*(x.count+1) > len(x.slots) {
		x.grow()
	}
	mask := len(x.slots) - 1
	tag := tokenTag(key)
	i := int(tag) & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = uint64(tag)<<32 | uint64(uint32(seq))
	x.count++
}

// grow doubles the table, placing each entry at its home by its tag.
func (x *tokenIndex) grow() {
	old := x.slots
	x.slots = make([]uint64, max(2*len(old), minIndexSlots))
	mask := len(x.slots) - 1
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := int(slotTag(s)) & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = s
	}
}

// remove empties slot, moving back the entries after it that would no
// longer be found (Knuth's algorithm R for linear probing).
func (x *tokenIndex) remove(slot int) {
	mask := len(x.slots) - 1
	hole := slot
	for i := (hole + 1) & mask; x.slots[i] != 0; i = (i + 1) & mask {
		home := int(slotTag(x.slots[i])) & mask
		// The entry at i stays unless the hole lies on its path from home.
		if (i-home)&mask >= (i-hole)&mask {
			x.slots[hole] = x.slots[i]
			hole = i
		}
	}
	x.slots[hole] = 0
	x.count--
}

// each calls f with every slot in use; f may not change the table.
func (x *tokenIndex) each(f func(slot int)) {
	for i, s := range x.slots {
		if s != 0 {
			f(i)
		}
	}
}
