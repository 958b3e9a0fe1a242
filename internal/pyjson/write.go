package pyjson

import (
	"strconv"
	"unicode/utf8"
)

// AppendString appends s to dst as a JSON string quoted the way Python's
// json.dumps does by default (ensure_ascii=True), as Nova, Neutron and
// Keystone write their answers: printable ASCII as is, the short escapes
// for \" \\ \b \f \n \r \t, and \uXXXX (surrogate pairs above the BMP) for
// everything else, DEL and non-ASCII included. Each byte of s that is not
// UTF-8 is written as U+FFFD.
func AppendString[S ~string | ~[]byte](dst []byte, s S) []byte {
	return appendQuoted(dst, s, &asciiAsIs, true)
}

// AppendStringUnicode appends s to dst as a JSON string quoted the way
// Python's json.dumps(ensure_ascii=False) does, as Glance writes its
// answers: everything as it is (DEL and non-ASCII included, in UTF-8) but
// " and \, which are escaped, and the control characters below U+0020,
// which get the short escapes \b \f \n \r \t or \u00XX. Each byte of s
// that is not UTF-8 is written as U+FFFD.
func AppendStringUnicode[S ~string | ~[]byte](dst []byte, s S) []byte {
	return appendQuoted(dst, s, &unicodeAsIs, false)
}

// asciiAsIs and unicodeAsIs tell which ASCII bytes json.dumps writes as
// they are, with ensure_ascii and without it: the two differ in DEL.
var asciiAsIs, unicodeAsIs = asIs(0x7f), asIs(0x80)

// asIs marks the bytes from 0x20 up to (not including) end, but " and \.
func asIs(end int) (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < end; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}

// appendQuoted writes s quoted: the ASCII bytes marked in plain as they
// are, the other ASCII ones escaped, and the non-ASCII characters as \u
// escapes when ensureASCII, else as they are.
func appendQuoted[S ~string | ~[]byte](dst []byte, s S, plain *[utf8.RuneSelf]bool, ensureASCII bool) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
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
		r, size := utf8.DecodeRuneInString(string(s[i:])) // no copy
		invalid := r == utf8.RuneError && size == 1
		if !ensureASCII && !invalid {
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		if ensureASCII {
			units := [2]rune{r} // an invalid byte: U+FFFD
			n := 1
			if r > 0xffff {
				r -= 0x10000
				units[0], units[1], n = 0xd800+(r>>10), 0xdc00+(r&0x3ff), 2
			}
			for _, u := range units[:n] {
				dst = append(dst, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
			}
		} else {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendValue appends v to dst as Python's json.dumps writes it: members in
// order, ", " and ": " separators, strings as AppendString quotes them,
// numbers as Python prints them.
func AppendValue(dst []byte, v Value) []byte {
	switch v.Kind {
	case Null:
		return append(dst, "null"...)
	case Bool:
		if v.Bool {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Int:
		return append(dst, v.Repr()...)
	case Float:
		switch r := v.Repr(); r {
		case "nan":
			return append(dst, "NaN"...)
		case "inf":
			return append(dst, "Infinity"...)
		case "-inf":
			return append(dst, "-Infinity"...)
		default:
			return append(dst, r...)
		}
	case String:
		return AppendString(dst, v.Text)
	case Array:
		dst = append(dst, '[')
		for i, it := range v.Items {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendValue(dst, it)
		}
		return append(dst, ']')
	}
	dst = append(dst, '{')
	for i, m := range v.Members {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = AppendString(dst, m.Key)
		dst = append(dst, ": "...)
		dst = AppendValue(dst, m.Value)
	}
	return append(dst, '}')
}

// Constructors for building documents to write.

// Str is a String value.
func Str(s string) Value { return Value{Kind: String, Text: s} }

// IntValue is an Int value.
func IntValue(n int64) Value { return Value{Kind: Int, Text: strconv.FormatInt(n, 10)} }

// BoolValue is a Bool value.
func BoolValue(b bool) Value { return Value{Kind: Bool, Bool: b} }

// NullValue is None.
var NullValue = Value{Kind: Null}

// Obj is an Object of the given members, in order.
func Obj(members ...Member) Value { return Value{Kind: Object, Members: members} }

// Arr is an Array of the given items.
func Arr(items ...Value) Value { return Value{Kind: Array, Items: items} }

// M is a member.
func M(key string, v Value) Member { return Member{Key: key, Value: v} }
