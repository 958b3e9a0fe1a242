// Package multidict reads a query string as webob's MultiDict holds it, for
// the services of the fake cloud that are Python WSGI applications (Glance,
// Neutron): every pair in order; Pop takes the first value of a key, Get
// the last; Encode is Python's urlencode.
package multidict

import (
	"net/url"
	"strings"
)

// Params are a query's pairs, in order.
type Params []Pair

// Pair is one key and value of a query.
type Pair struct {
	Key, Value string
}

// MaxPairs bounds how many pairs of a query string Parse reads.
const MaxPairs = 1000

// Parse splits a raw query as Python's parse_qsl(keep_blank_values=True)
// does: pairs separated by "&", a pair without "=" has an empty value, "+"
// is a space, and a bad %-escape is kept as written.
func Parse(raw string) Params {
	var ps Params
	for raw != "" && len(ps) < MaxPairs {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		ps = append(ps, Pair{unquote(k), unquote(v)})
	}
	return ps
}

func unquote(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return strings.ReplaceAll(s, "+", " ")
}

// Has reports whether key is present.
func (ps Params) Has(key string) bool {
	for _, p := range ps {
		if p.Key == key {
			return true
		}
	}
	return false
}

// Get returns the last value of key (MultiDict.__getitem__).
func (ps Params) Get(key string) (string, bool) {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Key == key {
			return ps[i].Value, true
		}
	}
	return "", false
}

// All returns every value of key, in order (MultiDict.getall).
func (ps Params) All(key string) []string {
	var out []string
	for _, p := range ps {
		if p.Key == key {
			out = append(out, p.Value)
		}
	}
	return out
}

// Pop removes and returns the first value of key (MultiDict.pop).
func (ps *Params) Pop(key string) (string, bool) {
	for i, p := range *ps {
		if p.Key == key {
			*ps = append((*ps)[:i:i], (*ps)[i+1:]...)
			return p.Value, true
		}
	}
	return "", false
}

// Set replaces every value of key with v, at the end (MultiDict's
// __setitem__).
func (ps *Params) Set(key, v string) {
	for ps.Has(key) {
		ps.Pop(key)
	}
	*ps = append(*ps, Pair{key, v})
}

// Dict is dict(multidict): each key once, at its first place, with its
// last value.
func (ps Params) Dict() Params {
	var out Params
	for _, p := range ps {
		if out.Has(p.Key) {
			continue
		}
		v, _ := ps.Get(p.Key)
		out = append(out, Pair{p.Key, v})
	}
	return out
}

// Keys returns each key once, in the order of its first occurrence.
func (ps Params) Keys() []string {
	var out []string
	for _, p := range ps {
		found := false
		for _, k := range out {
			if k == p.Key {
				found = true
				break
			}
		}
		if !found {
			out = append(out, p.Key)
		}
	}
	return out
}

// Encode is Python's urllib.parse.urlencode of the pairs (quote_plus,
// which escapes as url.QueryEscape does).
func (ps Params) Encode() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.Key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.Value))
	}
	return b.String()
}
