package state

import "github.com/google/uuid"

// consoleRing keeps console tokens in issue order, in at most max slots:
// the next token takes the oldest slot. The token says which slot it is
// in: its first four bytes are the slot number through a bijection keyed
// per store (multiply by a random odd number, XOR a random mask), the rest
// random, so a lookup is one comparison, with no map to hash, grow or
// delete from, and tokens still look and guess like random uuid4s.
type consoleRing struct {
	slots          []consoleSlot
	next           uint32
	max            uint32
	mul, inv, mask uint32
}

type consoleSlot struct {
	key  uuid.UUID
	used bool
	consoleEntry
}

func newConsoleRing(max int) consoleRing {
	if max < 1 {
		max = 1
	}
	if max > 1<<31 {
		max = 1 << 31
	}
	mul := randomUint32() | 1
	inv := mul // Newton's iteration for the inverse modulo 2^32
	for i := 0; i < 5; i++ {
		inv *= 2 - mul*inv
	}
	return consoleRing{max: uint32(max), mul: mul, inv: inv, mask: randomUint32()}
}

// put stores e in the next slot and returns its token.
func (r *consoleRing) put(e consoleEntry) uuid.UUID {
	i := r.next
	r.next = (r.next + 1) % r.max
	key := newUUID4()
	v := i*r.mul ^ r.mask
	key[0], key[1], key[2], key[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	slot := consoleSlot{key: key, used: true, consoleEntry: e}
	if int(i) < len(r.slots) {
		r.slots[i] = slot
	} else {
		r.slots = append(r.slots, slot)
	}
	return key
}

// get finds the entry of a token.
func (r *consoleRing) get(key uuid.UUID) (consoleEntry, bool) {
	v := uint32(key[0])<<24 | uint32(key[1])<<16 | uint32(key[2])<<8 | uint32(key[3])
	i := (v ^ r.mask) * r.inv
	if int(i) >= len(r.slots) || !r.slots[i].used || r.slots[i].key != key {
		return consoleEntry{}, false
	}
	return r.slots[i].consoleEntry, true
}

// removeIf frees the slots whose entries match and returns how many.
func (r *consoleRing) removeIf(match func(consoleEntry) bool) int {
	n := 0
	for i := range r.slots {
		if r.slots[i].used && match(r.slots[i].consoleEntry) {
			r.slots[i] = consoleSlot{}
			n++
		}
	}
	return n
}
