package pyjson

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pyCase is what CPython 3.11's json.loads made of one input (see
// python311_data_test.go).
type pyCase struct {
	in   string // the bytes given to json.loads
	exc  string // the exception json.loads raised, "" if it accepted in
	kind Kind   // type(v) of v = json.loads(in)
	repr string // repr(v)
	str  string // str(v)
	len  int    // len(v), -1 where Python raises TypeError
}

// pyFloat is repr(f) of the float64 with the given bits.
type pyFloat struct {
	bits uint64
	repr string
}

// pyString is repr(s) and json.dumps(s) of s.
type pyIntCase struct {
	in, value string
	ok        bool
}

type pyString struct {
	s, repr, dumps, dumpsUnicode string
}

func requireSyntaxError(t *testing.T, in string, err error) {
	t.Helper()
	require.Error(t, err, "Parse(%q) must fail", in)
	require.ErrorIs(t, err, ErrSyntax)
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.GreaterOrEqual(t, se.Offset, 0)
	assert.LessOrEqual(t, se.Offset, len(in))
	assert.Contains(t, err.Error(), "at offset "+strconv.Itoa(se.Offset))
}

func checkPyCase(t *testing.T, c pyCase) {
	t.Helper()
	v, err := Parse([]byte(c.in))
	if c.exc != "" {
		requireSyntaxError(t, c.in, err)
		return
	}
	require.NoError(t, err, "json.loads accepts %q", c.in)
	assert.Equal(t, c.kind, v.Kind, "kind of %q", c.in)
	assert.Equal(t, c.repr, v.Repr(), "repr of %q", c.in)
	assert.Equal(t, c.str, v.Str(), "str of %q", c.in)
	n, ok := v.Len()
	if c.len < 0 {
		assert.False(t, ok, "len(%q) is a TypeError in Python", c.in)
	} else {
		assert.True(t, ok, "len of %q", c.in)
		assert.Equal(t, c.len, n, "len of %q", c.in)
	}
}

func TestParseMatchesPython(t *testing.T) {
	require.NotEmpty(t, pyParseCases)
	for i, c := range pyParseCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkPyCase(t, c) })
	}
}

// reprSurrogate is a lone surrogate in a Python repr.
var reprSurrogate = regexp.MustCompile(`\\ud[89a-f][0-9a-f]{2}`)

// replaceSurrogateUTF8 replaces the surrogates in the "surrogatepass" UTF-8
// of a Python str (ED A0..BF 80..BF) with U+FFFD.
func replaceSurrogateUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i+2 < len(s) && s[i] == 0xed && s[i+1] >= 0xa0 && s[i+1] <= 0xbf && s[i+2] >= 0x80 && s[i+2] <= 0xbf {
			b.WriteString("\uFFFD")
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Parse intentionally differs from json.loads, as its doc comments say, on
// two things: it refuses the UTF-16 and UTF-32 input Python detects, and it
// turns a lone surrogate escape, which Python keeps, into U+FFFD. This test
// derives Parse's documented answer from Python's.
func TestParseDocumentedDifferences(t *testing.T) {
	for i, c := range pyDocumentedDiffCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			require.Empty(t, c.exc, "json.loads accepts all of these")
			if !utf8.ValidString(c.in) || strings.ContainsRune(c.in, 0) {
				// UTF-16 or UTF-32: Python decodes it, Parse refuses it.
				_, err := Parse([]byte(c.in))
				requireSyntaxError(t, c.in, err)
				return
			}
			require.Regexp(t, reprSurrogate, c.repr, "a lone surrogate case")
			want := c
			want.repr = reprSurrogate.ReplaceAllLiteralString(c.repr, "\uFFFD") // U+FFFD is printable
			want.str = replaceSurrogateUTF8(c.str)
			if c.kind != String {
				want.str = want.repr
			}
			checkPyCase(t, want) // the same len: one code point for one
		})
	}
}

// json.loads decodes bytes with errors="surrogatepass", so it accepts UTF-8
// encoded surrogates (ED A0..BF xx) in strings and keeps them as lone
// surrogates. Parse accepts them too and, as for a lone surrogate escape,
// keeps U+FFFD in their place.
func TestParseReplacesEncodedSurrogates(t *testing.T) {
	for i, c := range pyUndocumentedDiffCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			require.Empty(t, c.exc, "json.loads accepts %q", c.in)
			want := c
			want.repr = reprSurrogate.ReplaceAllLiteralString(c.repr, "\uFFFD") // U+FFFD is printable
			want.str = replaceSurrogateUTF8(c.str)
			if c.kind != String {
				want.str = want.repr
			}
			checkPyCase(t, want)
		})
	}
}

// Python 3.11 raises RecursionError (from the C scanner's recursion guard)
// for nesting that is too deep: with the default recursion limit of 1000,
// json.loads(b"[" * n + b"]" * n) failed here from n = 995 on. Parse
// instead accepts exactly MaxDepth levels and refuses deeper input with
// ErrSyntax, as documented.
func TestParseMaxDepth(t *testing.T) {
	docs := map[string]func(n int) string{
		"arrays": func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) },
		"objects": func(n int) string {
			return strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1)
		},
		"mixed": func(n int) string {
			var b strings.Builder
			for i := 0; i < n-1; i++ {
				if i%2 == 0 {
					b.WriteString("[")
				} else {
					b.WriteString(`{"k":`)
				}
			}
			if (n-1)%2 == 0 {
				b.WriteString("[]")
			} else {
				b.WriteString("{}")
			}
			for i := n - 2; i >= 0; i-- {
				if i%2 == 0 {
					b.WriteString("]")
				} else {
					b.WriteString("}")
				}
			}
			return b.String()
		},
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			v, err := Parse([]byte(doc(MaxDepth)))
			require.NoError(t, err)
			depth := 1
			for {
				if v.Kind == Array && len(v.Items) == 1 {
					v = v.Items[0]
				} else if v.Kind == Object && len(v.Members) == 1 {
					v = v.Members[0].Value
				} else {
					break
				}
				depth++
			}
			assert.Equal(t, MaxDepth, depth)

			in := doc(MaxDepth + 1)
			_, err = Parse([]byte(in))
			requireSyntaxError(t, in, err)
			assert.Contains(t, err.Error(), "nested too deep")
		})
	}
	// Far deeper input fails fast, without exhausting the stack.
	in := strings.Repeat("[", 1<<20)
	_, err := Parse([]byte(in))
	requireSyntaxError(t, in, err)
}

// Python 3.11's int_max_str_digits (4300) applies to json.loads's int
// literals, not counting the sign: a longer one raises ValueError. Float
// literals have no such limit. Expected values from CPython 3.11.7.
func TestParseIntegerDigitLimit(t *testing.T) {
	d4300 := strings.Repeat("9", 4300)
	d4301 := strings.Repeat("1", 4301)
	accepted := []struct{ in, repr string }{
		{d4300, d4300},
		{"-" + d4300, "-" + d4300},
		{"[" + d4300 + "]", "[" + d4300 + "]"},
		{d4301 + ".5", "inf"},
		{d4301 + "e0", "inf"},
		{"-" + d4301 + ".0", "-inf"},
		{strings.Repeat("1", 5000) + ".0", "inf"},
		{"0." + strings.Repeat("0", 5000) + "1", "0.0"},
		{"0." + strings.Repeat("1", 5000), "0.1111111111111111"},
		{"1e" + strings.Repeat("0", 5000) + "1", "10.0"},
		{"1e" + strings.Repeat("9", 5000), "inf"},
		{"1e-" + strings.Repeat("9", 5000), "0.0"},
		{`"` + d4301 + `"`, `'` + d4301 + `'`},
	}
	for _, c := range accepted {
		v, err := Parse([]byte(c.in))
		require.NoError(t, err, "%.20s...", c.in)
		assert.Equal(t, c.repr, v.Repr(), "%.20s...", c.in)
	}
	for _, in := range []string{d4301, "-" + d4301, "[" + d4301 + "]", `{"a":-` + d4301 + "}", "[1, " + d4301 + ", 2]"} {
		_, err := Parse([]byte(in))
		requireSyntaxError(t, in, err)
	}
}

func TestFloatReprMatchesPython(t *testing.T) {
	require.NotEmpty(t, pyFloatCases)
	for _, c := range pyFloatCases {
		f := math.Float64frombits(c.bits)
		assert.Equal(t, c.repr, FloatRepr(f), "repr(float) of bits %#016x", c.bits)
	}
}

// FloatRepr must read back exactly (Python's repr is the shortest string
// that does) and have repr's shape: fixed notation with a fractional part
// for 1e-4 <= |f| < 1e16 (and zero), exponent notation with at least two
// exponent digits otherwise.
func TestFloatReprRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	fixed := regexp.MustCompile(`^-?(0|[1-9][0-9]*)\.[0-9]+$`)
	expo := regexp.MustCompile(`^-?[1-9](\.[0-9]*[1-9])?e[-+][0-9]{2,3}$`)
	for i := 0; i < 200000; i++ {
		var f float64
		if i%2 == 0 {
			f = math.Float64frombits(rng.Uint64())
		} else {
			f = rng.Float64() * math.Pow(10, float64(rng.Intn(50)-25))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		s := FloatRepr(f)
		back, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, s)
		require.Equal(t, math.Float64bits(f), math.Float64bits(back), "%s does not read back", s)
		a := math.Abs(f)
		if a == 0 || a >= 1e-4 && a < 1e16 {
			require.Regexp(t, fixed, s)
		} else {
			require.Regexp(t, expo, s)
		}
	}
}

func TestStringReprAndAppendStringMatchPython(t *testing.T) {
	require.NotEmpty(t, pyStringCases)
	for _, c := range pyStringCases {
		assert.Equal(t, c.repr, StringRepr(c.s), "repr(%q)", c.s)
		v := Value{Kind: String, Text: c.s}
		assert.Equal(t, c.repr, v.Repr(), "repr(%q)", c.s)
		assert.Equal(t, c.s, v.Str(), "str(%q)", c.s)
		assert.Equal(t, c.dumps, string(AppendString(nil, c.s)), "json.dumps(%q)", c.s)
		assert.Equal(t, "x: "+c.dumps, string(AppendString([]byte("x: "), c.s)), "appends to dst")
		assert.Equal(t, c.dumpsUnicode, string(AppendStringUnicode(nil, c.s)), "json.dumps(%q, ensure_ascii=False)", c.s)
		assert.Equal(t, "x: "+c.dumpsUnicode, string(AppendStringUnicode([]byte("x: "), []byte(c.s))), "appends to dst")
		n, ok := v.Len()
		assert.True(t, ok)
		assert.Equal(t, len([]rune(c.s)), n, "len(%q)", c.s)
	}
}

// allCodePoints calls fn with every code point but the surrogates, as a
// string, in order.
func allCodePoints(fn func(r rune, s string)) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		fn(r, string(r))
	}
}

// quotedAllSHA256 is the SHA-256 of quote of every code point but the
// surrogates, in order, joined by "\n".
func quotedAllSHA256(quote func(dst []byte, s string) []byte) string {
	h := sha256.New()
	var buf []byte
	allCodePoints(func(r rune, s string) {
		if r > 0 {
			h.Write([]byte{'\n'})
		}
		buf = quote(buf[:0], s)
		h.Write(buf)
	})
	return hex.EncodeToString(h.Sum(nil))
}

func TestAppendStringAllCodePoints(t *testing.T) {
	assert.Equal(t, pyDumpsAllSHA256, quotedAllSHA256(AppendString[string]),
		"json.dumps(chr(c)) for every code point")
}

func TestParseIntIsPythonsInt(t *testing.T) {
	require.NotEmpty(t, pyIntCases)
	for _, c := range pyIntCases {
		n, ok := ParseInt(c.in)
		require.Equal(t, c.ok, ok, "int(%q)", c.in)
		if ok {
			assert.Equal(t, c.value, n.String(), "int(%q)", c.in)
		}
	}
}

func TestDecimalDigitRunsOfTen(t *testing.T) {
	// Every Nd run starts at a zero: the value is the offset mod 10.
	for _, r16 := range unicode.Nd.R16 {
		assert.Equal(t, 0, int(r16.Hi-r16.Lo+1)%10, "%#x", r16.Lo)
	}
	for _, r32 := range unicode.Nd.R32 {
		assert.Equal(t, 0, int(r32.Hi-r32.Lo+1)%10, "%#x", r32.Lo)
	}
	d, ok := decimalDigit('٩')
	assert.True(t, ok)
	assert.Equal(t, byte(9), d)
}

func TestStringListReprIsTheListsRepr(t *testing.T) {
	assert.Equal(t, "[]", StringListRepr(nil))
	var items []string
	var values []Value
	for _, c := range pyStringCases {
		items = append(items, c.s)
		values = append(values, Str(c.s))
		assert.Equal(t, "["+c.repr+"]", StringListRepr([]string{c.s}))
	}
	assert.Equal(t, Arr(values...).Repr(), StringListRepr(items))
	assert.Equal(t, `['a', "it's"]`, StringListRepr([]string{"a", "it's"}))
}

func TestAppendStringUnicodeAllCodePoints(t *testing.T) {
	assert.Equal(t, pyDumpsUnicodeAllSHA256, quotedAllSHA256(AppendStringUnicode[string]),
		"json.dumps(chr(c), ensure_ascii=False) for every code point")
}

func TestAppendStringInvalidUTF8(t *testing.T) {
	// Python has no such str; each invalid byte is written as U+FFFD.
	assert.Equal(t, `"a\ufffd\ufffdb"`, string(AppendString(nil, "a\xff\xc3b")))
	assert.Equal(t, `"\ufffd\ufffd\ufffd"`, string(AppendString(nil, "\xed\xa0\x80")))
	assert.Equal(t, "\"a\ufffd\ufffdb\"", string(AppendStringUnicode(nil, "a\xff\xc3b")))
	assert.Equal(t, "\"\ufffd\ufffd\ufffd\"", string(AppendStringUnicode(nil, "\xed\xa0\x80")))
	assert.Equal(t, "\"é\ufffd\"", string(AppendStringUnicode(nil, "\xc3\xa9\xc3")), "a valid character before a cut one")
}

func py311Printable(r rune) bool {
	lo, hi := 0, len(pyPrintable)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case r < pyPrintable[m][0]:
			hi = m
		case r > pyPrintable[m][1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// py311Repr is repr(chr(r)) in Python 3.11, by the rules of
// unicode_repr with the printable table Python 3.11 was built with.
func py311Repr(r rune) string {
	switch {
	case r == '\'':
		return `"'"`
	case r == '\\':
		return `'\\'`
	case r == '\t':
		return `'\t'`
	case r == '\n':
		return `'\n'`
	case r == '\r':
		return `'\r'`
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`'\x%02x'`, r)
	case r < 0x7f || py311Printable(r):
		return "'" + string(r) + "'"
	case r < 0x100:
		return fmt.Sprintf(`'\x%02x'`, r)
	case r < 0x10000:
		return fmt.Sprintf(`'\u%04x'`, r)
	}
	return fmt.Sprintf(`'\U%08x'`, r)
}

// unicode15Printable are the printable code points that Unicode 15.0.0
// added: Go (unicode.Version 15.0.0) prints them as they are, Python 3.11
// (Unicode 14.0.0) escapes them. Computed by comparing Go's printable with
// CPython 3.11's str.isprintable for every code point.
var unicode15Printable = [][2]rune{
	{0xcf3, 0xcf3}, {0xece, 0xece}, {0x10efd, 0x10eff}, {0x1123f, 0x11241}, {0x11b00, 0x11b09},
	{0x11f00, 0x11f10}, {0x11f12, 0x11f3a}, {0x11f3e, 0x11f59}, {0x1342f, 0x1342f}, {0x13440, 0x13455},
	{0x1b132, 0x1b132}, {0x1b155, 0x1b155}, {0x1d2c0, 0x1d2d3}, {0x1df25, 0x1df2a}, {0x1e030, 0x1e06d},
	{0x1e08f, 0x1e08f}, {0x1e4d0, 0x1e4f9}, {0x1f6dc, 0x1f6dc}, {0x1f774, 0x1f776}, {0x1f77b, 0x1f77f},
	{0x1f7d9, 0x1f7d9}, {0x1fa75, 0x1fa77}, {0x1fa87, 0x1fa88}, {0x1faad, 0x1faaf}, {0x1fabb, 0x1fabd},
	{0x1fabf, 0x1fabf}, {0x1face, 0x1facf}, {0x1fada, 0x1fadb}, {0x1fae8, 0x1fae8}, {0x1faf7, 0x1faf8},
	{0x2b739, 0x2b739}, {0x31350, 0x323af},
}

// StringRepr against Python 3.11 for every code point. py311Repr is first
// proved against CPython's own output (a hash of all of it), then compared
// with StringRepr code point by code point. They differ where Go's unicode
// tables are newer than Python 3.11's: characters assigned since Unicode
// 14.0 are printed by Go and escaped by Python 3.11 (Python 3.12, on
// Unicode 15.0, agrees with Go 1.21 and later). This is a known, not
// documented, mismatch.
func TestStringReprAllCodePoints(t *testing.T) {
	h := sha256.New()
	allCodePoints(func(r rune, _ string) {
		if r > 0 {
			h.Write([]byte{'\n'})
		}
		h.Write([]byte(py311Repr(r)))
	})
	require.Equal(t, pyReprAllSHA256, hex.EncodeToString(h.Sum(nil)),
		"py311Repr is repr(chr(c)) of CPython 3.11 for every code point")

	var goOnly []rune
	allCodePoints(func(r rune, s string) {
		got, want := StringRepr(s), py311Repr(r)
		if got == want {
			return
		}
		// The only tolerated difference: Go prints a character that
		// Python 3.11 does not know.
		if assert.Equal(t, "'"+s+"'", got, "U+%04X", r) && assert.False(t, py311Printable(r)) {
			goOnly = append(goOnly, r)
		}
	})
	t.Logf("unicode.Version %s: %d code points printed by Go but escaped by Python 3.11", unicode.Version, len(goOnly))
	if unicode.Version == "15.0.0" {
		var want []rune
		for _, rg := range unicode15Printable {
			for r := rg[0]; r <= rg[1]; r++ {
				want = append(want, r)
			}
		}
		assert.Equal(t, want, goOnly, "exactly the Unicode 15.0 additions")
		assert.Len(t, goOnly, 4482)
	}
}

func TestValueGetAndLen(t *testing.T) {
	v, err := Parse([]byte(`{"os-getVNCConsole": {"type": "novnc"}, "b": [1, 2, 3], "é😀": "é😀x", "b": [4], "": null}`))
	require.NoError(t, err)
	require.Equal(t, `{'os-getVNCConsole': {'type': 'novnc'}, 'b': [4], 'é😀': 'é😀x', '': None}`, v.Repr())

	n, ok := v.Len()
	require.True(t, ok)
	assert.Equal(t, 4, n)

	act, ok := v.Get("os-getVNCConsole")
	require.True(t, ok)
	typ, ok := act.Get("type")
	require.True(t, ok)
	assert.Equal(t, Value{Kind: String, Text: "novnc"}, typ)
	n, ok = typ.Len()
	assert.True(t, ok)
	assert.Equal(t, 5, n)

	b, ok := v.Get("b")
	require.True(t, ok)
	assert.Equal(t, "[4]", b.Repr(), "the last value of a repeated key")
	n, ok = b.Len()
	assert.True(t, ok)
	assert.Equal(t, 1, n)

	s, ok := v.Get("é😀")
	require.True(t, ok)
	n, ok = s.Len()
	assert.True(t, ok)
	assert.Equal(t, 3, n, "len counts code points, not bytes (%d)", len(s.Text))

	null, ok := v.Get("")
	require.True(t, ok)
	assert.Equal(t, Null, null.Kind)

	for _, missing := range []string{"os-getvncconsole", "type", "e\u0301😀", " b"} {
		_, ok := v.Get(missing)
		assert.False(t, ok, missing)
	}
	// Get on what is not an object finds nothing.
	for _, in := range []string{`"b"`, `["b"]`, `null`, `1`} {
		x, err := Parse([]byte(in))
		require.NoError(t, err)
		_, ok := x.Get("b")
		assert.False(t, ok, in)
	}
	for _, in := range []string{`null`, `true`, `0`, `1.5`, `NaN`} {
		x, err := Parse([]byte(in))
		require.NoError(t, err)
		_, ok := x.Len()
		assert.False(t, ok, "len(%s) is a TypeError", in)
	}
}

func TestTypeName(t *testing.T) {
	for in, want := range map[string]string{
		`null`: "null", `false`: "boolean", `-0`: "integer", `1e5`: "number", `NaN`: "number",
		`""`: "string", `[]`: "array", `{}`: "object",
	} {
		v, err := Parse([]byte(in))
		require.NoError(t, err)
		assert.Equal(t, want, v.TypeName(), in)
	}
}

func TestSyntaxError(t *testing.T) {
	_, err := Parse([]byte(`{"a": 1,}`))
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 8, se.Offset)
	assert.Equal(t, "pyjson: expecting property name enclosed in double quotes at offset 8", err.Error())
	assert.True(t, errors.Is(err, ErrSyntax))
	assert.False(t, errors.Is(err, errors.New("pyjson: invalid JSON")))
	assert.True(t, errors.Is(fmt.Errorf("wrapped: %w", err), ErrSyntax))

	_, err = Parse([]byte(`["abc`))
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, se.Offset, "an unterminated string is reported where it starts")
}

// The strings Parse makes are valid UTF-8 and Repr is the same as the one
// of encoding/json's reading of the same text, where both accept.
func TestParseAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range pyParseCases {
		if c.exc != "" || strings.Contains(c.in, "NaN") || strings.Contains(c.in, "Infinity") {
			continue
		}
		in := strings.TrimPrefix(c.in, "\ufeff")
		require.True(t, json.Valid([]byte(in)), "%q", in)
		v, err := Parse([]byte(c.in))
		require.NoError(t, err)
		requireSameAsStdlib(t, []byte(in), v)
	}
}

// A large object (past the size where Parse indexes its members) keeps
// Python's dict semantics: a repeated key keeps its first position and
// takes the last value.
func TestParseLargeObjectRepeatedKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, `"k%d": %d, `, i, i)
	}
	b.WriteString(`"k3": "again", "k39": null, "new": true}`)
	v, err := Parse([]byte(b.String()))
	require.NoError(t, err)
	require.Len(t, v.Members, 41)
	assert.Equal(t, "k3", v.Members[3].Key)
	assert.Equal(t, Value{Kind: String, Text: "again"}, v.Members[3].Value)
	assert.Equal(t, Value{Kind: Null}, v.Members[39].Value)
	assert.Equal(t, "new", v.Members[40].Key)
}

func TestAppendValue(t *testing.T) {
	doc := Obj(
		M("s", Str("é\"")), M("i", IntValue(-3)), M("t", BoolValue(true)), M("f", BoolValue(false)),
		M("n", NullValue), M("a", Arr(Str("x"), IntValue(1), Arr(), Obj())),
		M("float", Value{Kind: Float, Text: "1e16"}), M("nan", Value{Kind: Float, Text: "NaN"}),
	)
	// json.dumps({"s": "é\"", "i": -3, "t": True, "f": False, "n": None,
	//   "a": ["x", 1, [], {}], "float": 1e16, "nan": float("nan")})
	assert.Equal(t, `{"s": "\u00e9\"", "i": -3, "t": true, "f": false, "n": null, "a": ["x", 1, [], {}], "float": 1e+16, "nan": NaN}`,
		string(AppendValue(nil, doc)))
	parsed, err := Parse([]byte(`{"b": [1.5, -0, "\ud83d\ude00"], "a": {}}`))
	require.NoError(t, err)
	assert.Equal(t, `{"b": [1.5, 0, "\ud83d\ude00"], "a": {}}`, string(AppendValue(nil, parsed)))
}

// ParseText is oslo's jsonutils.loads, Nova's reader: strict UTF-8 first,
// then json.loads of the text, which refuses a leading BOM.
func TestParseText(t *testing.T) {
	for _, in := range []string{"\ufeff{}", "\"\xed\xa0\x80\"", "{\"a\": \"\xff\"}"} {
		_, err := ParseText([]byte(in))
		requireSyntaxError(t, in, err)
	}
	v, err := ParseText([]byte(`{"a": "\ud800 \u00e9"}`))
	require.NoError(t, err)
	assert.Equal(t, "{'a': '\ufffd é'}", v.Repr())
	_, err = Parse([]byte("\ufeff{}"))
	assert.NoError(t, err, "json.loads of bytes skips the BOM")
}
