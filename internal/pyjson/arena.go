package pyjson

import "unicode/utf8"

// Arena holds the members and items of the documents parsed through it,
// for a caller that parses many, one at a time, and is done with each
// before the next (a pooled request): once the arena has grown to its
// documents' size, parsing allocates only the strings. Reset it between
// documents; a Value parsed through it is valid until then. The zero Arena
// is ready to use; it is not safe for concurrent use.
type Arena struct {
	members, memberStack []Member
	items, itemStack     []Value
}

// ParseText is the package's ParseText, keeping the document's members
// and items in a.
func (a *Arena) ParseText(data []byte) (Value, error) {
	if !utf8.Valid(data) {
		return Value{}, &SyntaxError{0, "invalid UTF-8"}
	}
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		return Value{}, &SyntaxError{0, "unexpected UTF-8 BOM"}
	}
	return parse(data, a)
}

// Reset makes a's room free for the next document: the Values parsed
// through a before are no longer valid.
func (a *Arena) Reset() {
	clear(a.members) // let the strings go
	clear(a.items)
	a.members, a.items = a.members[:0], a.items[:0]
	a.memberStack, a.itemStack = a.memberStack[:0], a.itemStack[:0]
}

// Size is how many members and items a holds room for: a pool drops an
// arena that one large document made large.
func (a *Arena) Size() int { return cap(a.members) + cap(a.items) }

// keep copies src to the end of *room and returns the copy, capped so
// that appending to it cannot reach what follows; when *room lacks the
// space, a larger one takes its place (what was kept stays where it was).
func keep[T any](room *[]T, src []T) []T {
	if cap(*room)-len(*room) < len(src) {
		*room = make([]T, 0, max(2*cap(*room), len(src), 8))
	}
	n := len(*room)
	*room = append(*room, src...)
	return (*room)[n:len(*room):len(*room)]
}
