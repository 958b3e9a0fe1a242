package multidict

import (
	"strings"
	"unicode/utf8"
)

// ParseWebob splits a raw query string as webob's Request.GET reads it
// (webob 1.8's parse_qsl_text), which Nova, Glance and Neutron use: pairs
// separated by "&" or ";", empty ones skipped, a pair without "=" a key
// with an empty value, "+" a space, and each "%" followed by what
// Python's int(x, 16) reads in its next two bytes (one or two hex
// digits, ASCII whitespace around them, "-0"; "%a" and "% a" are "\n")
// replaced by that byte, any other "%" kept as written. ok is false when
// a key or value is not UTF-8, where webob raises UnicodeDecodeError (the
// pairs are then as read).
func ParseWebob(raw string) (ps Params, ok bool) {
	ps = split(raw, "&;", webobUnquote)
	for _, p := range ps {
		if !utf8.ValidString(p.Key) || !utf8.ValidString(p.Value) {
			return ps, false
		}
	}
	return ps, true
}

// webobUnquote is webob's unquote of a key or value after "+" became a
// space.
func webobUnquote(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b.WriteByte(' ')
		case c == '%':
			next := s[i+1 : min(i+3, len(s))] // item[:2] of webob's split at "%"
			if j := strings.IndexByte(next, '%'); j >= 0 {
				next = next[:j]
			}
			if n, ok := pyHexByte(strings.ReplaceAll(next, "+", " ")); ok {
				b.WriteByte(n)
				i += len(next)
			} else {
				b.WriteByte('%')
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pyHexByte is bytes([int(t, 16)]) of the (at most two) bytes t that
// follow a "%": ok is false where Python raises ValueError.
func pyHexByte(t string) (byte, bool) {
	t = strings.Trim(t, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg, t = t[0] == '-', t[1:]
	}
	if t == "" {
		return 0, false
	}
	var n byte
	for i := 0; i < len(t); i++ {
		d, ok := hexDigit(t[i])
		if !ok {
			return 0, false
		}
		n = n<<4 | d
	}
	if neg && n != 0 {
		return 0, false // bytes([-n])
	}
	return n, true
}

// hexDigit is the value of the hex digit c.
func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
