package pyjson

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deep arrays and objects may nest. Python's json.loads
// raises RecursionError (which Nova turns into a 500) somewhere near 1000
// levels, depending on the stack; Parse refuses past MaxDepth instead, so
// that bad input stays a 400.
const MaxDepth = 1000

// maxIntDigits is Python's default int_max_str_digits (3.11 and later):
// json.loads raises ValueError for a longer integer literal.
const maxIntDigits = 4300

// ErrSyntax is returned (wrapped in a *SyntaxError) for input json.loads
// rejects.
var ErrSyntax = errors.New("pyjson: invalid JSON")

// SyntaxError locates a parse failure.
type SyntaxError struct {
	Offset int    // the byte where the input stopped making sense
	Msg    string // what was wrong there
}

// Error describes the failure.
func (e *SyntaxError) Error() string {
	return "pyjson: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

// Is reports whether target is ErrSyntax.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

// Parse decodes data as Python's json.loads decodes bytes: UTF-8 with an
// optional byte-order mark, whitespace around one value of any type.
// Invalid UTF-8 is an error, as it is in Python, but for UTF-8 encoded
// surrogates, which Python keeps and Parse turns into U+FFFD. (Python would also detect
// UTF-16 and UTF-32 input; Parse refuses it.)
func Parse(data []byte) (Value, error) {
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		data = data[3:]
	}
	if !utf8.Valid(data) {
		// Python decodes with errors="surrogatepass": UTF-8 encoded
		// surrogates pass (as U+FFFD here, as lone surrogate escapes do);
		// any other invalid byte is an error.
		data = replaceEncodedSurrogates(data)
		if !utf8.Valid(data) {
			return Value{}, &SyntaxError{0, "invalid UTF-8"}
		}
	}
	return parse(data, nil)
}

// parse parses data, valid UTF-8, keeping members and items in arena (nil:
// in slices of their own).
func parse(data []byte, arena *Arena) (Value, error) {
	p := parser{data: data, arena: arena}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return Value{}, p.fail("extra data")
	}
	return v, nil
}

// replaceEncodedSurrogates returns data with each UTF-8 encoded surrogate
// (ED A0..BF 80..BF) replaced by U+FFFD, which has the same length.
func replaceEncodedSurrogates(data []byte) []byte {
	var out []byte
	for i := 0; i+2 < len(data); i++ {
		if data[i] == 0xed && data[i+1] >= 0xa0 && data[i+1] <= 0xbf && data[i+2] >= 0x80 && data[i+2] <= 0xbf {
			if out == nil {
				out = append([]byte(nil), data...)
			}
			copy(out[i:], "\uFFFD")
			i += 2
		}
	}
	if out == nil {
		return data
	}
	return out
}

// ParseText decodes data as oslo's jsonutils.loads does, which is how Nova
// reads request bodies: the bytes are first decoded as strict UTF-8 (so
// encoded surrogates, which Parse lets through, are errors), then parsed
// as text, where a leading byte-order mark is an error ("Unexpected UTF-8
// BOM").
func ParseText(data []byte) (Value, error) {
	if !utf8.Valid(data) {
		return Value{}, &SyntaxError{0, "invalid UTF-8"}
	}
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		return Value{}, &SyntaxError{0, "unexpected UTF-8 BOM"}
	}
	return Parse(data)
}

type parser struct {
	data  []byte
	pos   int
	arena *Arena // nil: each object and array gets slices of its own
}

func (p *parser) fail(msg string) error { return &SyntaxError{p.pos, msg} }

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) literal(word string) bool {
	if len(p.data)-p.pos >= len(word) && string(p.data[p.pos:p.pos+len(word)]) == word {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *parser) value(depth int) (Value, error) {
	if p.pos >= len(p.data) {
		return Value{}, p.fail("expecting value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		return Value{Kind: String, Text: s}, err
	case c == 'n' && p.literal("null"):
		return Value{Kind: Null}, nil
	case c == 't' && p.literal("true"):
		return Value{Kind: Bool, Bool: true}, nil
	case c == 'f' && p.literal("false"):
		return Value{Kind: Bool}, nil
	case c == 'N' && p.literal("NaN"):
		return Value{Kind: Float, Text: "NaN"}, nil
	case c == 'I' && p.literal("Infinity"):
		return Value{Kind: Float, Text: "Infinity"}, nil
	case c == '-' && p.literal("-Infinity"):
		return Value{Kind: Float, Text: "-Infinity"}, nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return Value{}, p.fail("expecting value")
}

func (p *parser) object(depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, p.fail("nested too deep")
	}
	p.pos++ // {
	v := Value{Kind: Object}
	var index map[string]int // of the members, once there are many
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	// The members go on the arena's stack (or v's own slice) as they come,
	// and into the arena when the object ends.
	members, start := &v.Members, 0
	if p.arena != nil {
		members, start = &p.arena.memberStack, len(p.arena.memberStack)
		defer func() { p.arena.memberStack = p.arena.memberStack[:start] }()
	}
	for {
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return Value{}, p.fail("expecting property name enclosed in double quotes")
		}
		key, err := p.str()
		if err != nil {
			return Value{}, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return Value{}, p.fail("expecting ':' delimiter")
		}
		p.pos++
		p.skipSpace()
		val, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		index = set(members, start, key, val, index)
		end, err := p.delimiter('}')
		if err != nil {
			return Value{}, err
		}
		if end {
			if p.arena != nil {
				v.Members = keep(&p.arena.members, (*members)[start:])
			}
			return v, nil
		}
	}
}

// delimiter reads what follows a member or an item: the container's
// closing byte (end), or a comma and the space after it.
func (p *parser) delimiter(closing byte) (end bool, err error) {
	p.skipSpace()
	if p.pos < len(p.data) {
		switch p.data[p.pos] {
		case closing:
			p.pos++
			return true, nil
		case ',':
			p.pos++
			p.skipSpace()
			return false, nil
		}
	}
	return false, p.fail("expecting ',' delimiter")
}

// set adds a member to (*members)[start:] as a Python dict does: a
// repeated key keeps its first position and takes the last value. Small
// objects are searched; past indexFrom members an index keeps large ones
// linear.
func set(members *[]Member, start int, key string, val Value, index map[string]int) map[string]int {
	const indexFrom = 16
	if index != nil {
		if i, ok := index[key]; ok {
			(*members)[start+i].Value = val
			return index
		}
		index[key] = len(*members) - start
		*members = append(*members, Member{key, val})
		return index
	}
	own := (*members)[start:]
	for i := range own {
		if own[i].Key == key {
			own[i].Value = val
			return nil
		}
	}
	*members = append(*members, Member{key, val})
	if own = (*members)[start:]; len(own) >= indexFrom {
		index = make(map[string]int, 2*indexFrom)
		for i, m := range own {
			index[m.Key] = i
		}
	}
	return index
}

func (p *parser) array(depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, p.fail("nested too deep")
	}
	p.pos++ // [
	v := Value{Kind: Array}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	items, start := &v.Items, 0
	if p.arena != nil {
		items, start = &p.arena.itemStack, len(p.arena.itemStack)
		defer func() { p.arena.itemStack = p.arena.itemStack[:start] }()
	}
	for {
		item, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		*items = append(*items, item)
		end, err := p.delimiter(']')
		if err != nil {
			return Value{}, err
		}
		if end {
			if p.arena != nil {
				v.Items = keep(&p.arena.items, (*items)[start:])
			}
			return v, nil
		}
	}
}

// number scans Python's NUMBER_RE, -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?,
// with ASCII digits only, as the C scanner does.
func (p *parser) number() (Value, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case digits() == 0:
		return Value{}, p.fail("expecting value")
	}
	kind := Int
	if p.pos+1 < len(p.data) && p.data[p.pos] == '.' && isDigit(p.data[p.pos+1]) {
		p.pos++
		digits()
		kind = Float
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		save := p.pos
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			p.pos = save // not an exponent: the number ends before the 'e'
		} else {
			kind = Float
		}
	}
	text := string(p.data[start:p.pos])
	if kind == Int {
		n := len(text)
		if text[0] == '-' {
			n--
		}
		if n > maxIntDigits {
			return Value{}, &SyntaxError{start, "integer literal longer than Python's 4300-digit limit"}
		}
	}
	return Value{Kind: kind, Text: text}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// str scans a string as Python's strict scanner does: no raw control
// characters, the JSON escapes, \u escapes with surrogate pairs joined (a
// lone surrogate, which Python keeps, becomes U+FFFD).
func (p *parser) str() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := intern(p.data[start:p.pos])
			p.pos++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.fail("invalid control character")
		}
		p.pos++
	}
	buf := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("invalid control character")
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(p.data) {
			break
		}
		e := p.data[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\uXXXX escape")
			}
			if utf16.IsSurrogate(r) && r < 0xdc00 && p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
				save := p.pos
				p.pos += 2
				r2, ok := p.hex4()
				if ok && r2 >= 0xdc00 && r2 <= 0xdfff {
					r = utf16.DecodeRune(r, r2)
				} else {
					p.pos = save
				}
			}
			buf = utf8.AppendRune(buf, r) // a lone surrogate is appended as U+FFFD
		default:
			p.pos--
			return "", p.fail("invalid \\escape")
		}
	}
	return "", &SyntaxError{start - 1, "unterminated string"}
}

// internedStrings are the keys and values of the bodies Nova's console and
// server actions get most, returned without allocating: an open-addressing
// table hashed on a string's length and three of its bytes, cheaper than a
// map's hash of the whole string, which is then compared once.
var internedStrings = func() (t [internSlots]string) {
	for _, s := range []string{
		"os-getVNCConsole", "os-getSPICEConsole", "os-getSerialConsole", "os-getRDPConsole",
		"remote_console", "protocol", "type", "novnc", "xvpvnc", "spice-html5", "spice-direct",
		"serial", "webmks", "rdp-html5", "vnc", "spice", "mks", "rdp",
		"os-start", "os-stop", "reboot", "pause", "unpause", "suspend", "resume", "shelve",
		"shelveOffload", "unshelve", "SOFT", "HARD", "server", "name", "imageRef", "flavorRef", "networks", "auto", "none",
	} {
		i := internHash(s)
		for t[i] != "" {
			i = (i + 1) & (internSlots - 1)
		}
		t[i] = s
	}
	return t
}()

// internSlots is the size of internedStrings: a power of two, several
// times the strings in it.
const internSlots = 256

// internHash is the home slot of a non-empty string in internedStrings.
func internHash[S ~string | ~[]byte](s S) uint {
	n := uint(len(s))
	return (n*37 + uint(s[0])*5 + uint(s[n-1])*11 + uint(s[n/2])) & (internSlots - 1)
}

// intern returns b as a string, without allocating for a common one.
func intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	for i := internHash(b); internedStrings[i] != ""; i = (i + 1) & (internSlots - 1) {
		if internedStrings[i] == string(b) { // the conversion does not allocate
			return internedStrings[i]
		}
	}
	return string(b)
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}
