package image

import (
	"net/url"
	"strings"
)

// params is a query string as webob's MultiDict holds it: every pair, in
// order. Glance reads it with MultiDict's rules, which this type keeps:
// pop takes the first value of a key, get the last.
type params []param

type param struct{ key, value string }

// maxParams bounds how many pairs of a query string are read.
const maxParams = 1000

// parseQuery splits a raw query as Python's parse_qsl(keep_blank_values=
// True) does: pairs separated by "&", a pair without "=" has an empty
// value, "+" is a space, and a bad %-escape is kept as written.
func parseQuery(raw string) params {
	var ps params
	for raw != "" && len(ps) < maxParams {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		ps = append(ps, param{unquote(k), unquote(v)})
	}
	return ps
}

func unquote(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return strings.ReplaceAll(s, "+", " ")
}

func (ps params) has(key string) bool {
	for _, p := range ps {
		if p.key == key {
			return true
		}
	}
	return false
}

// get returns the last value of key (MultiDict.__getitem__).
func (ps params) get(key string) (string, bool) {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].key == key {
			return ps[i].value, true
		}
	}
	return "", false
}

// pop removes and returns the first value of key (MultiDict.pop).
func (ps *params) pop(key string) (string, bool) {
	for i, p := range *ps {
		if p.key == key {
			*ps = append((*ps)[:i:i], (*ps)[i+1:]...)
			return p.value, true
		}
	}
	return "", false
}

// set replaces every value of key with v, at the place of its first
// (MultiDict.__setitem__ appends after removing them all).
func (ps *params) set(key, v string) {
	for ps.has(key) {
		ps.pop(key)
	}
	*ps = append(*ps, param{key, v})
}

// dict is dict(multidict): each key once, at its first place, with its
// last value.
func (ps params) dict() params {
	var out params
	for _, p := range ps {
		if out.has(p.key) {
			continue
		}
		v, _ := ps.get(p.key)
		out = append(out, param{p.key, v})
	}
	return out
}

// encode is Python's urllib.parse.urlencode of the pairs (quote_plus,
// which escapes as url.QueryEscape does).
func (ps params) encode() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.value))
	}
	return b.String()
}
