package identity

import (
	"math"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/novastub/novastub/internal/pyjson"
)

// Query strings as Keystone reads them: werkzeug's request.args, Python's
// int() of a limit, urllib's urlencode of a next link, the query schema of
// GET /v3/projects.

// queryArg is one name=value pair of a query string.
type queryArg struct{ name, value string }

// queryArgs are a query string's pairs in order, as werkzeug's MultiDict
// keeps them.
type queryArgs []queryArg

// maxQueryArgs bounds the pairs read from a query string (the server
// already bounds its length).
const maxQueryArgs = 1000

// parseQuery is werkzeug's request.args (urllib.parse.parse_qsl with
// keep_blank_values and werkzeug's error handler): pairs split at "&",
// empty ones skipped, a pair without "=" has the value "", "+" is a space,
// %XX escapes are decoded (a malformed one is kept as it is) and the bytes
// read as UTF-8, a byte that is not UTF-8 escaped again as %XX.
func parseQuery(raw string) queryArgs {
	var args queryArgs
	for raw != "" && len(args) < maxQueryArgs {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		args = append(args, queryArg{unquotePlus(name), unquotePlus(value)})
	}
	return args
}

// unquotePlus is urllib.parse.unquote of s with "+" read as a space, with
// errors="werkzeug.url_quote".
func unquotePlus(s string) string {
	if !strings.ContainsAny(s, "+%") && utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
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

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// multiItems is MultiDict.items(multi=True): the pairs grouped by name,
// names in the order they first appear.
func (a queryArgs) multiItems() queryArgs {
	out := make(queryArgs, 0, len(a))
	done := map[string]bool{}
	for i, arg := range a {
		if done[arg.name] {
			continue
		}
		done[arg.name] = true
		for _, later := range a[i:] {
			if later.name == arg.name {
				out = append(out, later)
			}
		}
	}
	return out
}

// get is MultiDict.get: the first value of name.
func (a queryArgs) get(name string) (string, bool) {
	for _, arg := range a {
		if arg.name == name {
			return arg.value, true
		}
	}
	return "", false
}

// urlencodeFirst is urllib.parse.urlencode of request.args.to_dict(): the
// first value of each name, in the order the names first appear, with
// set's values replacing (or, for a new name, following) theirs.
func (a queryArgs) urlencodeFirst(set ...queryArg) string {
	var names []string
	values := map[string]string{}
	add := func(name, value string, replace bool) {
		if _, ok := values[name]; !ok {
			names = append(names, name)
		} else if !replace {
			return
		}
		values[name] = value
	}
	for _, arg := range a {
		add(arg.name, arg.value, false)
	}
	for _, arg := range set {
		add(arg.name, arg.value, true)
	}
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		// quote_plus escapes what url.QueryEscape does.
		b.WriteString(url.QueryEscape(name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(values[name]))
	}
	return b.String()
}

// pyInt is Python's int() of a str: surrounding whitespace (Unicode's
// spaces, not the separators U+001C to U+001F), a sign, decimal digits of
// any script with single underscores between them. ok is false where int()
// raises ValueError. Values beyond int64 saturate.
func pyInt(s string) (n int64, ok bool) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var v uint64
	prevDigit := false
	for _, r := range s {
		if r == '_' {
			if !prevDigit {
				return 0, false
			}
			prevDigit = false
			continue
		}
		d, isDigit := digitValue(r)
		if !isDigit {
			return 0, false
		}
		prevDigit = true
		if v <= (math.MaxInt64-9)/10 {
			v = v*10 + uint64(d)
		} else {
			v = math.MaxInt64
		}
	}
	if !prevDigit {
		return 0, false
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

// digitValue is the value of a decimal digit (Unicode category Nd), as
// Python's int() reads it: the digits come in runs of ten from zero.
func digitValue(r rune) (int, bool) {
	if '0' <= r && r <= '9' {
		return int(r - '0'), true
	}
	if r < 0x80 || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	return 0, false
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
func validateProjectsQuery(args queryArgs) *apiError {
	check := func(name string, rule func(v string) string) *apiError {
		v, ok := args.get(name)
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
		if !isHex(v[i]) {
			return false
		}
	}
	return true
}
