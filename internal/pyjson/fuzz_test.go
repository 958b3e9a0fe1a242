package pyjson

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

var utf8BOM = []byte("\xef\xbb\xbf")

// fuzzSeeds are inputs for the corpora of all the fuzzers.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	for _, cs := range [][]pyCase{pyParseCases, pyDocumentedDiffCases, pyUndocumentedDiffCases} {
		for _, c := range cs {
			seeds = append(seeds, []byte(c.in))
		}
	}
	for _, s := range []string{
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
		strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
		strings.Repeat(`{"a":`, MaxDepth) + "1" + strings.Repeat("}", MaxDepth),
		strings.Repeat("1", maxIntDigits),
		"-" + strings.Repeat("1", maxIntDigits+1),
		`"\ud800\udc00\udbff\udfff\ud800"`,
		`"\ud800\ud800\udc00"`,
		`"\u00e9\u0000\u001f\u007f\u2028"`,
		`{"a":1,"a":2,"b":{"a":[]}}`,
		"\xef\xbb\xbf[1, 2.5e-3, -0, \"x\"]",
		"[1e309, -1e309, 5e-324, 1e-400, 0.1, 1e16, 1e15]",
		"[Infinity, -Infinity, NaN]",
		" \t\r\n[ \t\r\n] \t\r\n",
		`"\/\b\f\n\r\t\"\\"`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// maxNesting is the deepest nesting of arrays and objects in data, counted
// outside strings; exact for valid JSON.
func maxNesting(data []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// longestDigitRun is the length of the longest run of ASCII digits.
func longestDigitRun(data []byte) int {
	run, longest := 0, 0
	for _, c := range data {
		if isDigit(c) {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// stdlibForm is v as encoding/json decodes it into an interface{} with
// UseNumber.
func stdlibForm(v Value) any {
	switch v.Kind {
	case Bool:
		return v.Bool
	case Int, Float:
		return json.Number(v.Text)
	case String:
		return v.Text
	case Array:
		items := make([]any, len(v.Items))
		for i, it := range v.Items {
			items[i] = stdlibForm(it)
		}
		return items
	case Object:
		m := make(map[string]any, len(v.Members))
		for _, mb := range v.Members {
			m[mb.Key] = stdlibForm(mb.Value)
		}
		return m
	}
	return nil
}

// requireSameAsStdlib checks that encoding/json reads in, valid JSON
// without NaN or Infinity, as Parse read it into v: the same values,
// strings included (both turn a lone surrogate escape into U+FFFD), the
// same last value of a repeated key.
func requireSameAsStdlib(t *testing.T, in []byte, v Value) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	var want any
	require.NoError(t, dec.Decode(&want))
	require.Equal(t, want, stdlibForm(v))
}

// FuzzParse checks Parse against encoding/json.Valid, which implements the
// same grammar (RFC 8259) as json.loads minus the NaN and Infinity
// extensions: on valid UTF-8 without those tokens, Parse must accept
// exactly what Valid accepts, except where Parse's own limits (MaxDepth,
// Python's 4300 digits) apply. A leading UTF-8 BOM, which json.loads of
// bytes skips and Valid does not, is removed before asking Valid. Accepted
// input must decode to what encoding/json decodes. Parse must never panic
// and always fail with a *SyntaxError. Invalid UTF-8 is refused, but for
// encoded surrogates, which Python lets through.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			require.ErrorIs(t, err, ErrSyntax)
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			require.True(t, se.Offset >= 0 && se.Offset <= len(data), "offset %d", se.Offset)
		}
		if !utf8.Valid(data) {
			if !utf8.Valid(replaceEncodedSurrogates(data)) {
				require.Error(t, err, "invalid UTF-8 is refused")
			}
			return
		}
		if bytes.Contains(data, []byte("NaN")) || bytes.Contains(data, []byte("Infinity")) {
			return
		}
		body := bytes.TrimPrefix(data, utf8BOM)
		if maxNesting(body) > MaxDepth || longestDigitRun(body) > maxIntDigits {
			return
		}
		valid := json.Valid(body)
		require.Equal(t, valid, err == nil, "json.Valid says %v, Parse says %v", valid, err)
		if err == nil {
			requireSameAsStdlib(t, body, v)
		}
	})
}

// addStringSeeds adds the string cases, the documents and strings not
// UTF-8 to a fuzz target's corpus.
func addStringSeeds(f *testing.F) {
	for _, c := range pyStringCases {
		f.Add(c.s)
	}
	for _, s := range fuzzSeeds() {
		f.Add(string(s))
	}
	f.Add("\xed\xa0\x80\xff\xc3")
	f.Add("\U0010ffff\U00010000\uffff\u0080\u007f\u0000")
}

// FuzzAppendString checks that encoding/json reads AppendString's output
// back as the string (each invalid UTF-8 byte as U+FFFD, as ranging over
// the string gives it) and that the output is pure printable ASCII, as
// json.dumps's is with ensure_ascii.
func FuzzAppendString(f *testing.F) {
	addStringSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendString([]byte("prefix"), s)
		require.True(t, bytes.HasPrefix(out, []byte("prefix")))
		out = out[len("prefix"):]
		for i, c := range out {
			require.True(t, c >= 0x20 && c < 0x7f, "byte %d of %q is %#x", i, out, c)
		}
		var back string
		require.NoError(t, json.Unmarshal(out, &back), "%s", out)
		require.Equal(t, string([]rune(s)), back)
		if utf8.ValidString(s) {
			require.Equal(t, s, back)
		}
	})
}

// FuzzAppendStringUnicode checks that encoding/json reads
// AppendStringUnicode's output back as the string (each invalid UTF-8 byte
// as U+FFFD), that the output is valid UTF-8 with no control character
// below U+0020 (json.dumps escapes those even with ensure_ascii=False), and
// that encoding/json reads the same string from AppendString's output.
func FuzzAppendStringUnicode(f *testing.F) {
	addStringSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendStringUnicode([]byte("prefix"), s)
		require.True(t, bytes.HasPrefix(out, []byte("prefix")))
		out = out[len("prefix"):]
		require.True(t, utf8.Valid(out), "%q", out)
		for i, c := range out {
			require.True(t, c >= 0x20, "byte %d of %q is %#x", i, out, c)
		}
		var back string
		require.NoError(t, json.Unmarshal(out, &back), "%s", out)
		require.Equal(t, string([]rune(s)), back)
		if utf8.ValidString(s) {
			require.Equal(t, s, back)
		}
		var fromASCII string
		require.NoError(t, json.Unmarshal(AppendString(nil, s), &fromASCII))
		require.Equal(t, fromASCII, back, "both forms say the same string")
	})
}

// FuzzRepr checks that Repr and Str never panic on parsed values and give
// valid UTF-8 in which strings are quoted with every unprintable character
// escaped, ints as written (but -0), floats that read back.
func FuzzRepr(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			return
		}
		r, s := v.Repr(), v.Str()
		require.True(t, utf8.ValidString(r))
		require.True(t, utf8.ValidString(s))
		if v.Kind != String {
			require.Equal(t, r, s)
		}
		checkRepr(t, v)
	})
}

func checkRepr(t *testing.T, v Value) {
	r := v.Repr()
	switch v.Kind {
	case Int:
		want := v.Text
		if want == "-0" {
			want = "0"
		}
		require.Equal(t, want, r)
	case Float:
		f := parseFloat(v.Text)
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			back, err := strconv.ParseFloat(r, 64)
			require.NoError(t, err, r)
			require.Equal(t, math.Float64bits(f), math.Float64bits(back), "%s reads back", r)
		}
	case String:
		n, ok := v.Len()
		require.True(t, ok)
		require.Equal(t, utf8.RuneCountInString(v.Text), n)
		require.True(t, len(r) >= 2 && (r[0] == '\'' || r[0] == '"') && r[len(r)-1] == r[0], r)
		for _, c := range r {
			require.True(t, c >= 0x20 && c < 0x7f || printable(c), "%q in %s", c, r)
		}
	case Array:
		for _, it := range v.Items {
			checkRepr(t, it)
		}
	case Object:
		seen := map[string]bool{}
		for _, m := range v.Members {
			require.False(t, seen[m.Key], "key %q twice", m.Key)
			seen[m.Key] = true
			got, ok := v.Get(m.Key)
			require.True(t, ok)
			require.Equal(t, m.Value, got)
			checkRepr(t, Value{Kind: String, Text: m.Key})
			checkRepr(t, m.Value)
		}
	}
}

var consoleAction = []byte(`{"os-getVNCConsole": {"type": "novnc"}}`)

var benchSink any

func BenchmarkParseConsoleAction(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(consoleAction)))
	for i := 0; i < b.N; i++ {
		v, err := Parse(consoleAction)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = v
	}
}

func BenchmarkStdlibUnmarshalConsoleAction(b *testing.B) {
	type consoleRequest struct {
		Action *struct {
			Type string `json:"type"`
		} `json:"os-getVNCConsole"`
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(consoleAction)))
	for i := 0; i < b.N; i++ {
		var req consoleRequest
		if err := json.Unmarshal(consoleAction, &req); err != nil {
			b.Fatal(err)
		}
		benchSink = req
	}
}
