package fakenova

import (
	"strings"
	"unicode"
)

// Nova's name formats (nova/api/validation/parameter_types.py and
// validators.py): a server's name is checked by the "name" format at
// v2.1 and by "name_with_leading_trailing_spaces" on the legacy v2
// endpoint (schemas/servers.py, create_v20). A name that fails gets
// exception.InvalidName's message as the whole 400 text.
const msgInvalidNamePrefix = "An invalid 'name' value was provided. The name must be: "

// The reasons of Nova's ValidationRegexes.
const (
	reasonName       = "printable characters. Can not start or end with whitespace."
	reasonNameSpaces = "printable characters with at least one non space character"
)

// Schema formats this fake checks.
const (
	formatName       = "name"
	formatNameSpaces = "name_with_leading_trailing_spaces"
)

// checkFormat returns InvalidName's message when s fails the format, ""
// when it passes (or the format is none of Nova's name formats).
func checkFormat(format, s string) string {
	switch {
	case format == formatName && !validName(s):
		return msgInvalidNamePrefix + reasonName
	case format == formatNameSpaces && !validNameWithSpaces(s):
		return msgInvalidNamePrefix + reasonNameSpaces
	}
	return ""
}

// validName is re.search of Nova's valid_name_regex,
// ^(?![ws])[printable]*(?<![ws])$ where ws is every character that is
// not printable or is a space (Zs): printable characters, not starting or
// ending with a space. Python's $ also matches before a final newline, so
// one trailing "\n" passes, as in Nova.
func validName(s string) bool {
	if s == "" {
		return true // minLength decides
	}
	first := []rune(s[:min(len(s), 4)])[0]
	if !printable(first) || unicode.Is(unicode.Zs, first) {
		return false
	}
	s = strings.TrimSuffix(s, "\n")
	var last rune
	for _, r := range s {
		if !printable(r) {
			return false
		}
		last = r
	}
	return !unicode.Is(unicode.Zs, last)
}

// validNameWithSpaces is re.search of Nova's
// valid_name_leading_trailing_spaces_regex: printable characters, at least
// one of them not a space; one trailing "\n" passes, as in Nova.
func validNameWithSpaces(s string) bool {
	s = strings.TrimSuffix(s, "\n")
	nonSpace := false
	for _, r := range s {
		if !printable(r) {
			return false
		}
		nonSpace = nonSpace || !unicode.Is(unicode.Zs, r)
	}
	return nonSpace
}

// printable is Nova's _is_printable over the characters its regexes
// list (U+0000 to U+FFFE): a category other than C* (control, format,
// surrogate, private use, unassigned) and Z* (but Zs, spaces). Characters
// beyond the Basic Multilingual Plane are in none of Nova's classes.
func printable(r rune) bool {
	if r >= 0xFFFF {
		return false
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs)
}
