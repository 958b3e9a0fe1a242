package state

import (
	"bytes"
	"index/suffixarray"
	"math"
	"slices"
	"strings"
	"sync"
)

// substringIndex finds the names of a project that contain a literal: the
// plain name clients send to look a server up (openstack server list
// --name vm1, openstacksdk's and novaclient's find), which Nova searches
// as a regular expression, so that vm1 also finds vm10 and my-vm1. A scan
// of a million names takes milliseconds; the index answers in the time of
// a few binary searches and the servers it finds, however many servers the
// project has.
//
// It holds each distinct name of the project once, in two levels, each a
// suffix array (index/suffixarray) over the names joined by a separator:
// big, every name when it was built, and small, the names added since,
// rebuilt from small and the tail once the tail is longer than tailLen. The
// tail, the names added since small was built, is scanned. A removed name
// stays in the levels until big is rebuilt: what a level finds is only a
// name, whose servers now are looked up in the index by name, so a name no
// server has any more finds nothing. The same name may be found twice (in
// two levels, or in the tail twice): the caller drops the repeats.
//
// Nothing is built until the first search, and the index is dropped, to be
// built again by the next search, when more names were added or removed
// since big was built than it holds: a store that is never searched so
// holds nothing, and one that is holds about 5 bytes a byte of its
// distinct names, separators counted: a copy of them joined, and a
// suffix array of 4-byte places.
//
// Writers (the store's write lock held) call added and removed; searches,
// which hold only the store's read lock, build and rebuild under mu.
type substringIndex struct {
	mu      sync.Mutex
	big     *nameSuffixes // nil until the first search, or since a drop
	small   *nameSuffixes // names added since big was built
	tail    []string      // names added since small was built
	odd     []string      // names holding nameSeparator, which no level can hold
	changes int           // names added or removed since big was built
}

// nameSeparator ends each name in a level's text. It is never part of a
// UTF-8 string; a name that holds it anyway (the store takes any bytes)
// is kept in substringIndex.odd and scanned.
const nameSeparator = 0xff

// tailLen is the longest tail a search scans before it indexes the tail.
const tailLen = 32

// indexSubstringsFrom is the fewest names for which a project's searches
// use the index: below it a scan is as fast.
const indexSubstringsFrom = 256

// nameSuffixes is one level: names joined, each followed by
// nameSeparator, and the suffix array of the whole.
type nameSuffixes struct {
	text  []byte
	sa    *suffixarray.Index
	names int
}

// newNameSuffixes indexes names; the ones holding nameSeparator are
// returned in odd instead.
func newNameSuffixes(names []string) (level *nameSuffixes, odd []string) {
	size := 0
	for _, name := range names {
		size += len(name) + 1
	}
	text := make([]byte, 0, size)
	n := 0
	for _, name := range names {
		if strings.IndexByte(name, nameSeparator) >= 0 {
			odd = append(odd, name)
			continue
		}
		text = append(append(text, name...), nameSeparator)
		n++
	}
	return &nameSuffixes{text: text, sa: suffixarray.New(text), names: n}, odd
}

// each calls fn with each name of the level.
func (l *nameSuffixes) each(fn func(name string)) {
	for rest := l.text; len(rest) > 0; {
		end := bytes.IndexByte(rest, nameSeparator)
		fn(string(rest[:end]))
		rest = rest[end+1:]
	}
}

// find appends to starts the start of each name of the level that holds
// lit (at its start, when atStart; at its end, when atEnd), once.
func (l *nameSuffixes) find(lit []byte, atStart, atEnd bool, starts []int) []int {
	first := len(starts)
	for _, at := range l.sa.Lookup(lit, -1) {
		start := bytes.LastIndexByte(l.text[:at], nameSeparator) + 1
		end := at + bytes.IndexByte(l.text[at:], nameSeparator)
		if at+len(lit) > end || atStart && at != start || atEnd && at+len(lit) != end {
			continue // across a separator, or not where it is anchored
		}
		starts = append(starts, start)
	}
	slices.Sort(starts[first:])
	return slices.Compact(starts)
}

// nameAt is the name starting at start.
func (l *nameSuffixes) nameAt(start int) string {
	return string(l.text[start : start+bytes.IndexByte(l.text[start:], nameSeparator)])
}

// added notes that the project now has a server named name, which it had
// none of.
func (x *substringIndex) added(name string) {
	if x.big == nil {
		return
	}
	x.tail = append(x.tail, name)
	x.changed()
}

// removed notes that the project has no server named name any more.
func (x *substringIndex) removed() {
	if x.big != nil {
		x.changed()
	}
}

// changed counts a name added or removed, and drops the index when more
// have been than big holds: the next search builds it from the names
// there are then.
func (x *substringIndex) changed() {
	x.changes++
	if x.changes > max(x.big.names, tailLen) {
		x.drop()
	}
}

// drop forgets everything but mu.
func (x *substringIndex) drop() {
	x.big, x.small, x.tail, x.odd, x.changes = nil, nil, nil, nil, 0
}

// settle builds what the next search needs: big from every name of ps
// when there is none; small from itself and the tail once the tail is
// longer than tailLen; big again once small is past smallMax.
func (x *substringIndex) settle(ps *projectServers) {
	if x.big == nil {
		x.big, x.odd = newNameSuffixes(ps.distinctNames())
		x.small, x.tail, x.changes = nil, nil, 0
		return
	}
	if len(x.tail) <= tailLen {
		return
	}
	names := x.tail
	if x.small != nil {
		names = make([]string, 0, x.small.names+len(x.tail))
		x.small.each(func(name string) { names = append(names, name) })
		names = append(names, x.tail...)
	}
	if len(names) > smallMax(x.big.names) {
		x.drop()
		x.settle(ps)
		return
	}
	var odd []string
	x.small, odd = newNameSuffixes(names)
	x.odd = append(x.odd, odd...)
	x.tail = nil
}

// smallMax is the most names small holds beside a big of n: eight times
// the square root of n, at least 1,024. A name added costs a rebuild of
// small, shared by the tailLen names added with it, and a rebuild of big,
// shared by the smallMax names added before it: this balances the two.
func smallMax(n int) int {
	return max(1024, 8*int(math.Sqrt(float64(n))))
}

// search appends to out the servers of ps whose name holds lit (at its
// start or end when anchored so), in no order and possibly more than
// once.
func (x *substringIndex) search(ps *projectServers, lit string, atStart, atEnd bool, out []*serverEntry) []*serverEntry {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.settle(ps)
	q := []byte(lit)
	var starts []int
	for _, level := range [...]*nameSuffixes{x.big, x.small} {
		if level == nil {
			continue
		}
		starts = level.find(q, atStart, atEnd, starts[:0])
		for _, start := range starts {
			out = ps.named(level.nameAt(start), out)
		}
	}
	for _, names := range [...][]string{x.tail, x.odd} {
		for _, name := range names {
			if literalMatches(name, lit, atStart, atEnd) {
				out = ps.named(name, out)
			}
		}
	}
	return out
}

// literalMatches reports whether name holds lit, at its start or end when
// anchored so.
func literalMatches(name, lit string, atStart, atEnd bool) bool {
	switch {
	case atStart && atEnd:
		return name == lit
	case atStart:
		return strings.HasPrefix(name, lit)
	case atEnd:
		return strings.HasSuffix(name, lit)
	}
	return strings.Contains(name, lit)
}
