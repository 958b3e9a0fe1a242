package multidict

import (
	"strings"
	"unicode/utf8"
)

// ParseWerkzeug splits a raw query string as werkzeug's request.args
// reads it (urllib.parse.parse_qsl with keep_blank_values and werkzeug's
// error handler), which Keystone uses: pairs separated by "&", empty ones
// skipped, a pair without "=" a key with the value "", "+" a space, %XX
// escapes (two hex digits) decoded and any other "%" kept, then the bytes
// read as UTF-8, a byte that is not UTF-8 escaped again as %XX.
func ParseWerkzeug(raw string) Params {
	return split(raw, "&", werkzeugUnquote)
}

// werkzeugUnquote is urllib.parse.unquote of s with "+" read as a space,
// with errors="werkzeug.url_quote".
func werkzeugUnquote(s string) string {
	if !strings.ContainsAny(s, "+%") && utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' {
			b = append(b, ' ')
			continue
		}
		if c == '%' && i+2 < len(s) {
			hi, ok1 := hexDigit(s[i+1])
			lo, ok2 := hexDigit(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, c)
	}
	if utf8.Valid(b) {
		return string(b)
	}
	var out strings.Builder
	out.Grow(len(b) + 8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			const hex = "0123456789ABCDEF"
			out.Write([]byte{'%', hex[b[0]>>4], hex[b[0]&0xf]})
		} else {
			out.Write(b[:size])
		}
		b = b[size:]
	}
	return out.String()
}
