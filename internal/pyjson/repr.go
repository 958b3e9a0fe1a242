package pyjson

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Str is Python's str() of the value: a string as is, anything else as
// Repr.
func (v Value) Str() string {
	if v.Kind == String {
		return v.Text
	}
	return v.Repr()
}

// Repr is Python's repr() of the value: None, True, 1, 1.5, 'text',
// ['a', 1], {'k': None}.
func (v Value) Repr() string {
	var b strings.Builder
	v.appendRepr(&b)
	return b.String()
}

func (v Value) appendRepr(b *strings.Builder) {
	switch v.Kind {
	case Null:
		b.WriteString("None")
	case Bool:
		if v.Bool {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case Int:
		if v.Text == "-0" {
			b.WriteString("0")
		} else {
			b.WriteString(v.Text)
		}
	case Float:
		b.WriteString(FloatRepr(parseFloat(v.Text)))
	case String:
		b.WriteString(StringRepr(v.Text))
	case Array:
		b.WriteByte('[')
		for i, it := range v.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			it.appendRepr(b)
		}
		b.WriteByte(']')
	case Object:
		b.WriteByte('{')
		for i, m := range v.Members {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(StringRepr(m.Key))
			b.WriteString(": ")
			m.Value.appendRepr(b)
		}
		b.WriteByte('}')
	}
}

// parseFloat is Python's float() of a JSON number literal: out of range
// literals become infinities, as in Python.
func parseFloat(text string) float64 {
	switch text {
	case "NaN":
		return math.NaN()
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	f, _ := strconv.ParseFloat(text, 64) // ±Inf on overflow, like Python
	return f
}

// FloatRepr is Python's repr() of a float: the shortest digits that read
// back the same, in fixed notation with at least one fractional digit
// when the decimal exponent is in (-4, 16], in exponent notation otherwise.
func FloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // [-]d[.ddd]e±XX
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, exp, _ := strings.Cut(e, "e")
	x, _ := strconv.Atoi(exp)
	decpt := x + 1 // value = 0.DIGITS × 10^decpt
	if decpt <= -4 || decpt > 16 {
		return sign + mant + "e" + exp
	}
	digits := strings.Replace(mant, ".", "", 1)
	switch {
	case decpt <= 0:
		return sign + "0." + strings.Repeat("0", -decpt) + digits
	case decpt >= len(digits):
		return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
	}
	return sign + digits[:decpt] + "." + digits[decpt:]
}

// StringRepr is Python's repr() of a str: single quotes unless the string
// holds a single quote and no double one; backslash escapes for the
// quote, backslash, \t \n \r, and \x, \u or \U for what is not printable.
func StringRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)+2)
	b = append(b, quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r < 0x20 || r == 0x7f:
			b = append(b, '\\', 'x', hex[r>>4], hex[r&0xf])
		case r < 0x7f || printable(r):
			b = append(b, string(r)...)
		case r < 0x100:
			b = append(b, '\\', 'x', hex[r>>4], hex[r&0xf])
		case r < 0x10000:
			b = append(b, '\\', 'u', hex[r>>12], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = append(b, '\\', 'U')
			for shift := 28; shift >= 0; shift -= 4 {
				b = append(b, hex[r>>uint(shift)&0xf])
			}
		}
	}
	return string(append(b, quote))
}

// StringListRepr is Python's repr() (and str()) of a list of strs:
// ['a', "it's"], each item as StringRepr writes it.
func StringListRepr(items []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(StringRepr(s))
	}
	b.WriteByte(']')
	return b.String()
}

// printable is Python's str.isprintable for one character: not a control,
// format, surrogate, private-use or unassigned character, and not a
// separator other than the ASCII space.
func printable(r rune) bool {
	return unicode.IsPrint(r) && !unicode.Is(unicode.Co, r)
}
