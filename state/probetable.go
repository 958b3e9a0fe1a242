package state

// probeTable is the mechanism of the store's open-addressing hash tables
// (nameIndex, serverIDs): a power-of-two table of slots of type S, the
// zero S an empty slot, linear probing, deletion by backward shift, at
// most half full. It keeps no keys or hashes: its users find by their own
// key, and give home, the hash of the entry in a slot, to the few
// operations that move entries (growth, a removal's shift).
type probeTable[S comparable] struct {
	slots []S
	count int
}

// minProbeSlots is the size of a new table.
const minProbeSlots = 16

// add puts s, whose hash is h, in the table, growing it first when it
// would be more than half full.
func (x *probeTable[S]) add(s S, h uint64, home func(S) uint64) {
	if 2*(x.count+1) > len(x.slots) {
		x.grow(home)
	}
	x.place(s, h)
	x.count++
}

// place puts s at the first empty slot from home h.
func (x *probeTable[S]) place(s S, h uint64) {
	var empty S
	mask := len(x.slots) - 1
	i := int(h) & mask
	for x.slots[i] != empty {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

// grow doubles the table, placing each entry at its home.
func (x *probeTable[S]) grow(home func(S) uint64) {
	var empty S
	old := x.slots
	x.slots = make([]S, max(2*len(old), minProbeSlots))
	for _, s := range old {
		if s != empty {
			x.place(s, home(s))
		}
	}
}

// removeSlot empties slot, moving back the entries after it that would
// no longer be found (Knuth's algorithm R for linear probing).
func (x *probeTable[S]) removeSlot(slot int, home func(S) uint64) {
	var empty S
	mask := len(x.slots) - 1
	hole := slot
	for i := (hole + 1) & mask; x.slots[i] != empty; i = (i + 1) & mask {
		h := int(home(x.slots[i])) & mask
		// The entry at i stays unless the hole lies on its path from home.
		if (i-h)&mask >= (i-hole)&mask {
			x.slots[hole] = x.slots[i]
			hole = i
		}
	}
	x.slots[hole] = empty
	x.count--
}
