package pyjson

import "unicode/utf8"

// AppendString appends s to dst as a JSON string quoted the way Python's
// json.dumps does by default (ensure_ascii=True): printable ASCII as is,
// the short escapes for \" \\ \b \f \n \r \t, and \uXXXX (surrogate pairs
// above the BMP) for everything else, DEL and non-ASCII included.
func AppendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < 0x80 {
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:]) // invalid bytes: U+FFFD
		units := [2]rune{r}
		n := 1
		if r > 0xffff {
			r -= 0x10000
			units[0], units[1], n = 0xd800+(r>>10), 0xdc00+(r&0x3ff), 2
		}
		for _, u := range units[:n] {
			dst = append(dst, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
