package fakenova

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/novastub/novastub/internal/pyjson"
)

// Query strings as Nova reads them: webob's parse_qsl_text, and the query
// schemas of nova/api/validation (query_schema, multi_params).

// msgQueryNotUTF8 is Nova's query_schema answer to a query string webob
// cannot decode.
const msgQueryNotUTF8 = "Query string is not UTF-8 encoded"

// queryPair is one name=value of a query string.
type queryPair struct{ name, value string }

// queryParams is a query string as webob parses it (parse_qsl_text): pairs
// split at "&" and ";", empty ones dropped, "+" a space, %XX decoded (a
// malformed escape kept as written), a pair without "=" a name with an
// empty value; ok is false when a name or value is not UTF-8.
func queryParams(raw string) (pairs []queryPair, ok bool) {
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' }) {
		name, value, _ := strings.Cut(part, "=")
		name, value = webobUnquote(name), webobUnquote(value)
		if !utf8.ValidString(name) || !utf8.ValidString(value) {
			return nil, false
		}
		pairs = append(pairs, queryPair{name, value})
	}
	return pairs, true
}

// webobUnquote is webob's unquote after "+" became a space.
func webobUnquote(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && ishex(s, i+1) && ishex(s, i+2):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func ishex(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// last is webob's MultiDict.get: the last value of name.
func last(pairs []queryPair, name string) (string, bool) {
	for i := len(pairs) - 1; i >= 0; i-- {
		if pairs[i].name == name {
			return pairs[i].value, true
		}
	}
	return "", false
}

// querySchema is a query schema of Nova's: each parameter multi_params of
// an item schema (any number of values, each checked), in the schema's
// order; additional parameters allowed (and stripped) or not.
type querySchema struct {
	params       []property
	noAdditional bool
}

// validate checks the query as Nova's query_schema does: the first bad
// value of the first parameter in the schema's order, then the
// additional parameters (not on the legacy /v2 endpoint, which strips
// them). It returns the parameters the handler sees: those of the schema
// only, when additional ones are allowed.
func (q *querySchema) validate(pairs []queryPair, legacy bool) ([]queryPair, error) {
	for _, p := range q.params {
		for _, qp := range pairs {
			if qp.name != p.name {
				continue
			}
			if verr := p.schema.check(pyjson.Str(qp.value), false); verr != nil {
				if !verr.nested {
					verr.key, verr.nested = p.name, true
				}
				return nil, fault(http.StatusBadRequest, verr.queryMessage())
			}
		}
	}
	var extras []string
	known := pairs[:0:0]
	for _, qp := range pairs {
		if q.has(qp.name) {
			known = append(known, qp)
		} else if !containsString(extras, qp.name) {
			extras = append(extras, qp.name)
		}
	}
	if len(extras) == 0 {
		return pairs, nil
	}
	if q.noAdditional && !legacy {
		return nil, fault(http.StatusBadRequest, msgAdditionalProperties(extras))
	}
	return known, nil
}

func (q *querySchema) has(name string) bool {
	for _, p := range q.params {
		if p.name == name {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// nextQuery is the query of Nova's "next" link (common.ViewBuilder
// _get_next_link): the request's parameters sorted by name and value,
// each name once with its last value in that order, and marker set to
// the last item's id; urlencoded as Python's urlencode (quote_plus).
func nextQuery(pairs []queryPair, marker string) string {
	sorted := append([]queryPair(nil), pairs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].name != sorted[j].name {
			return sorted[i].name < sorted[j].name
		}
		return sorted[i].value < sorted[j].value
	})
	var names []string
	values := map[string]string{}
	for _, p := range sorted {
		if _, seen := values[p.name]; !seen {
			names = append(names, p.name)
		}
		values[p.name] = p.value
	}
	if _, seen := values["marker"]; !seen {
		names = append(names, "marker")
	}
	values["marker"] = marker
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(values[name]))
	}
	return b.String()
}

// nonNegativeInteger is parameter_types.non_negative_integer.
var nonNegativeInteger = &schema{types: []string{"integer", "string"}, pattern: newPattern("^[0-9]*$"),
	minimum: 0, hasMinimum: true, minLength: 1}
