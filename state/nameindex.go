package state

import "hash/maphash"

// nameSeed seeds the hash of server names, once per process.
var nameSeed = maphash.MakeSeed()

// nameHash is the hash of a server name: the home of its slot in a
// nameIndex, and the key of projectServers.sameName.
func nameHash(name string) uint64 { return maphash.String(nameSeed, name) }

// nameIndex finds a project's servers by name, for a filter that asks for
// one name exactly (^name$): an open-addressing hash table (linear
// probing, deletion by backward shift) of 4-byte slots, each 1 + the place
// of a server in the project's lists (0 is an empty slot), homed by the
// hash of its name: a probeTable. It holds one server of each name; the
// others of the same name are in projectServers.sameName. Half full at most, it takes 8
// to 16 bytes a server, where a map from name hash to entry took about 26
// (a million servers: 8.4 against 26).
//
// The table keeps no names or hashes: the project's names slice has them,
// and the few operations that move entries (a removal's shift, growth)
// hash them again.
type nameIndex struct {
	probeTable[uint32]
}

// find returns the slot of the server named name, whose hash is h, or ok
// false.
func (x *nameIndex) find(name string, h uint64, names []string) (slot int, ok bool) {
	if x.count == 0 {
		return 0, false
	}
	mask := len(x.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0, false
		}
		if names[s-1] == name {
			return i, true
		}
	}
}

// findPos returns the slot that holds place pos, of a server named name
// with hash h, or ok false (the server is not the one its name has here).
func (x *nameIndex) findPos(pos int, h uint64) (slot int, ok bool) {
	if x.count == 0 {
		return 0, false
	}
	mask := len(x.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		switch s := x.slots[i]; {
		case s == 0:
			return 0, false
		case int(s-1) == pos:
			return i, true
		}
	}
}

// insert adds place pos, of a server whose name, with hash h, the table
// does not have.
func (x *nameIndex) insert(pos int, h uint64, names []string) {
	x.add(uint32(pos+1), h, homeByName(names))
}

// remove empties slot, moving back the entries after it that would no
// longer be found.
func (x *nameIndex) remove(slot int, names []string) {
	x.removeSlot(slot, homeByName(names))
}

// homeByName is the hash of the name of the server whose place, plus 1,
// is in a slot.
func homeByName(names []string) func(uint32) uint64 {
	return func(s uint32) uint64 { return nameHash(names[s-1]) }
}
