package pyjson

import (
	"math/big"
	"strings"
	"unicode"
)

// ParseInt is Python's int() of a str: surrounding whitespace (Unicode's,
// not the separators U+001C to U+001F), a sign, then decimal digits of any
// script (Unicode category Nd) with single underscores between them. ok is
// false where int() raises ValueError.
func ParseInt(s string) (n *big.Int, ok bool) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if s != "" && strings.Trim(s, "0123456789") == "" { // the common case
		n, ok = new(big.Int).SetString(s, 10)
		if ok && neg {
			n.Neg(n)
		}
		return n, ok
	}
	digits := make([]byte, 0, len(s))
	underscore := true // no leading underscore
	for _, r := range s {
		if r == '_' {
			if underscore {
				return nil, false
			}
			underscore = true
			continue
		}
		d, isDigit := decimalDigit(r)
		if !isDigit {
			return nil, false
		}
		digits = append(digits, '0'+d)
		underscore = false
	}
	if underscore { // empty, or a trailing underscore
		return nil, false
	}
	n, ok = new(big.Int).SetString(string(digits), 10)
	if ok && neg {
		n.Neg(n)
	}
	return n, ok
}

// decimalDigit is the value of a decimal digit (Unicode category Nd), as
// Python's int() reads it: Nd characters come in runs of ten from zero.
func decimalDigit(r rune) (byte, bool) {
	if '0' <= r && r <= '9' {
		return byte(r - '0'), true
	}
	if r < 0x80 {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	return 0, false
}
