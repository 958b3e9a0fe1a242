package state

import (
	"cmp"
	"hash/maphash"
	"slices"
)

// idSeed seeds the hash of server ids, once per process.
var idSeed = maphash.MakeSeed()

// idHash is the hash of a server id: the home of its slot in a serverIDs.
func idHash(id string) uint64 { return maphash.String(idSeed, id) }

// serverIDs finds the store's servers by id: an open-addressing hash
// table (linear probing, deletion by backward shift) of pointers to the
// entries (nil is an empty slot), homed by the hash of the id: a
// probeTable. Half full
// at most, it takes 16 to 32 bytes a server, where a map from id to entry
// took about 55: a map's slot holds the id's string header beside the
// pointer, 24 bytes where this table's holds 8. At a million servers the
// table takes 16.8 bytes a server, and the heap a server costs fell from
// 483 bytes to 444.
//
// The table keeps no ids or hashes: the entries have the ids, and the few
// operations that move entries (a removal's shift, growth) hash them
// again. So a lookup reads each entry it passes, to compare ids: half
// full, 1.5 on average for an id the table has, the last of them the
// server found (at a million servers, a hit takes as long as with the
// map), and 1.3 for an id it does not have, where a map's hash bytes
// spare it most of them (a miss takes about 650 ns against 450).
//
// An entry's ID must not change while the table holds it. The zero value
// is an empty table.
type serverIDs struct {
	probeTable[*serverEntry]
}

// len returns the number of servers in the table.
func (x *serverIDs) len() int { return x.count }

// get returns the server with the given id, or ok false.
func (x *serverIDs) get(id string) (e *serverEntry, ok bool) {
	if x.count == 0 {
		return nil, false
	}
	i, ok := x.find(id, idHash(id))
	if !ok {
		return nil, false
	}
	return x.slots[i], true
}

// find returns the slot of the server with the given id, whose hash is
// h, or ok false. The table has slots.
func (x *serverIDs) find(id string, h uint64) (slot int, ok bool) {
	mask := len(x.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		e := x.slots[i]
		if e == nil {
			return 0, false
		}
		if e.ID == id {
			return i, true
		}
	}
}

// put adds e, or puts it in the place of the server with its id.
func (x *serverIDs) put(e *serverEntry) {
	h := idHash(e.ID)
	if x.count > 0 {
		if i, ok := x.find(e.ID, h); ok {
			x.slots[i] = e
			return
		}
	}
	x.add(e, h, homeByID)
}

// homeByID is the hash of the id of the server in a slot.
func homeByID(e *serverEntry) uint64 { return idHash(e.ID) }

// remove removes the server with the given id, if the table has it.
func (x *serverIDs) remove(id string) {
	if x.count == 0 {
		return
	}
	if slot, ok := x.find(id, idHash(id)); ok {
		x.removeSlot(slot, homeByID)
	}
}

// each calls f with every server in the table, in the order of their
// slots. f must not change the table.
func (x *serverIDs) each(f func(*serverEntry)) {
	for _, e := range x.slots {
		if e != nil {
			f(e)
		}
	}
}

// inOrder returns every server in the table, in the order they were
// added (their seq).
func (x *serverIDs) inOrder() []*serverEntry {
	entries := make([]*serverEntry, 0, x.count)
	x.each(func(e *serverEntry) { entries = append(entries, e) })
	slices.SortFunc(entries, func(a, b *serverEntry) int { return cmp.Compare(a.seq, b.seq) })
	return entries
}
