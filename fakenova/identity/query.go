package identity

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/novastub/novastub/fakenova/internal/multidict"
	"github.com/novastub/novastub/internal/pyjson"
)

// Query strings as Keystone reads them: werkzeug's request.args
// (multidict.ParseWerkzeug), Python's int() of a limit, urllib's urlencode
// of a next link (multidict.Params.Encode), the query schema of
// GET /v3/projects.

// pyInt is Python's int() of a str (pyjson.ParseInt), saturated to
// ±math.MaxInt64.
func pyInt(s string) (n int64, ok bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true // [+-]?[0-9]+ within int64: int() reads the same
	}
	i, ok := pyjson.ParseInt(s)
	switch {
	case !ok:
		return 0, false
	case i.IsInt64():
		return i.Int64(), true
	case i.Sign() > 0:
		return math.MaxInt64, true
	}
	return -math.MaxInt64, true
}

// pyBool is oslo's strutils.bool_from_string(value, default=True), which
// Keystone's attr_as_boolean applies to a boolean filter: "false", "0",
// "no", ... are false, anything else true.
func pyBool(s string) bool {
	switch strings.ToLower(strings.TrimFunc(s, isPySpace)) {
	case "0", "f", "false", "off", "n", "no":
		return false
	}
	return true
}

// likeMatch is SQL's LIKE, as MySQL runs SQLAlchemy's ilike (lower() on
// both sides): "%" any run of characters, "_" any one, a backslash makes
// the next character literal.
func likeMatch(s, pattern string) bool {
	s, pattern = strings.ToLower(s), strings.ToLower(pattern)
	// Iterative matching with one backtrack point for the last "%".
	var si, pi, starP, starS = 0, 0, -1, 0
	for si < len(s) {
		if pi < len(pattern) {
			switch pattern[pi] {
			case '%':
				starP, starS = pi, si
				pi++
				continue
			case '_':
				_, size := utf8.DecodeRuneInString(s[si:])
				si += size
				pi++
				continue
			case '\\':
				if pi+1 < len(pattern) {
					pr, psize := utf8.DecodeRuneInString(pattern[pi+1:])
					sr, ssize := utf8.DecodeRuneInString(s[si:])
					if pr == sr {
						si += ssize
						pi += 1 + psize
						continue
					}
					break
				}
				fallthrough
			default:
				pr, psize := utf8.DecodeRuneInString(pattern[pi:])
				sr, ssize := utf8.DecodeRuneInString(s[si:])
				if pr == sr {
					si += ssize
					pi += psize
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, size := utf8.DecodeRuneInString(s[starS:])
		starS += size
		si, pi = starS, starP+1
	}
	for pi < len(pattern) && pattern[pi] == '%' {
		pi++
	}
	return pi == len(pattern)
}

// The query schema of GET /v3/projects (keystone/resource/schema.py,
// project_index_request_query), which Keystone checks with jsonschema
// before anything else: the properties that can fail, in the schema's
// order, and their keywords in theirs. The others (tags, marker, limit)
// are strings or integers, which every query value passes.

// enumBoolean is parameter_types.boolean's enum, as Python prints it.
const enumBoolean = "[True, 'True', 'TRUE', 'true', False, 'False', 'FALSE', 'false', '', '1', '0', 'y', 'Y', " +
	"'n', 'N', 'on', 'ON', 'off', 'OFF', 'yes', 'no']"

var booleanStrings = map[string]bool{
	"True": true, "TRUE": true, "true": true, "False": true, "FALSE": true, "false": true, "": true,
	"1": true, "0": true, "y": true, "Y": true, "n": true, "N": true, "on": true, "ON": true,
	"off": true, "OFF": true, "yes": true, "no": true,
}

// validateProjectsQuery returns the 400 of the first schema error of a
// GET /v3/projects query, or nil.
func validateProjectsQuery(args multidict.Params) *apiError {
	check := func(name string, rule func(v string) string) *apiError {
		v, ok := args.First(name)
		if !ok {
			return nil
		}
		if msg := rule(v); msg != "" {
			return badRequest(msgQueryField(name, v, msg))
		}
		return nil
	}
	boolean := func(v string) string {
		if !booleanStrings[v] {
			return pyjson.StringRepr(v) + " is not one of " + enumBoolean
		}
		return ""
	}
	for _, e := range []*apiError{
		// parameter_types.domain_id: minLength 1, maxLength 64, pattern.
		check("domain_id", func(v string) string {
			return lengthAndPattern(v, 64, `^[a-zA-Z0-9-]+$`, isDomainID(v))
		}),
		check("enabled", boolean),
		// resource schema's _name_properties: minLength 1, maxLength 64,
		// pattern [\S]+ (searched: one non-space character is enough).
		check("name", func(v string) string {
			return lengthAndPattern(v, 64, `[\S]+`, strings.IndexFunc(v, func(r rune) bool { return !isPySpace(r) }) >= 0)
		}),
		// parameter_types.parent_id: format uuid, Keystone's checker
		// (oslo's uuidutils.is_uuid_like).
		check("parent_id", func(v string) string {
			if !isUUIDLike(v) {
				return pyjson.StringRepr(v) + " is not a 'uuid'"
			}
			return ""
		}),
		check("is_domain", boolean),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}

// lengthAndPattern is jsonschema's minLength 1, maxLength and pattern, in
// that order, with their messages.
func lengthAndPattern(v string, maxLength int, pattern string, matches bool) string {
	switch n := utf8.RuneCountInString(v); {
	case n < 1:
		return pyjson.StringRepr(v) + " should be non-empty"
	case n > maxLength:
		return pyjson.StringRepr(v) + " is too long"
	case !matches:
		return pyjson.StringRepr(v) + " does not match " + pyjson.StringRepr(pattern)
	}
	return ""
}

// isDomainID is re.search('^[a-zA-Z0-9-]+$', v): Python's "$" also
// matches before a final newline.
func isDomainID(v string) bool {
	v = strings.TrimSuffix(v, "\n")
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isUUIDLike is oslo_utils.uuidutils.is_uuid_like: what is left after
// removing "urn:" and "uuid:", the braces at the ends and the dashes is 32
// hexadecimal digits.
func isUUIDLike(v string) bool {
	v = strings.ReplaceAll(strings.ReplaceAll(v, "urn:", ""), "uuid:", "")
	v = strings.ReplaceAll(strings.Trim(v, "{}"), "-", "")
	if len(v) != 32 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
