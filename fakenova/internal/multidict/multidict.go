// Package multidict reads query strings as the Python services of the fake
// cloud hold them: webob's Request.GET (Nova, Glance, Neutron: ParseWebob)
// and werkzeug's request.args (Keystone, on Flask: ParseWerkzeug), each a
// MultiDict of every pair in order. The two parsers differ where their
// libraries do: webob splits at ";" as well as "&", reads a malformed
// %-escape as Python's int(..., 16) does, and fails on a query that is not
// UTF-8; werkzeug (urllib's parse_qsl) splits at "&" only, decodes exact
// %XX escapes only, and escapes again the bytes that are not UTF-8. Get is
// webob's MultiDict.get (the last value), First werkzeug's (the first);
// Encode is Python's urlencode.
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

// MaxPairs bounds how many pairs of a query string a parser reads: more
// than a request line of 8 KiB (Nova's, eventlet's limit) can hold, so
// that behind that limit no pair is dropped.
const MaxPairs = 4096

// split cuts raw into pairs at any byte of seps, skipping empty ones, each
// cut at its first "=" (none: an empty value) and both sides unquoted: the
// loop webob's parse_qsl_text and urllib's parse_qsl share.
func split(raw, seps string, unquote func(string) string) Params {
	var ps Params
	for raw != "" && len(ps) < MaxPairs {
		var pair string
		if i := strings.IndexAny(raw, seps); i >= 0 {
			pair, raw = raw[:i], raw[i+1:]
		} else {
			pair, raw = raw, ""
		}
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		ps = append(ps, Pair{unquote(k), unquote(v)})
	}
	return ps
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

// Get returns the last value of key (webob's MultiDict.get and
// __getitem__).
func (ps Params) Get(key string) (string, bool) {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Key == key {
			return ps[i].Value, true
		}
	}
	return "", false
}

// First returns the first value of key (werkzeug's MultiDict.get and
// __getitem__).
func (ps Params) First(key string) (string, bool) {
	for _, p := range ps {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// All returns every value of key, in order (MultiDict.getall, getlist).
func (ps Params) All(key string) []string {
	var out []string
	for _, p := range ps {
		if p.Key == key {
			out = append(out, p.Value)
		}
	}
	return out
}

// Pop removes and returns the first value of key (webob's MultiDict.pop).
func (ps *Params) Pop(key string) (string, bool) {
	for i, p := range *ps {
		if p.Key == key {
			*ps = append((*ps)[:i:i], (*ps)[i+1:]...)
			return p.Value, true
		}
	}
	return "", false
}

// Set replaces every value of key with v, at the end (webob's
// MultiDict.__setitem__).
func (ps *Params) Set(key, v string) {
	for ps.Has(key) {
		ps.Pop(key)
	}
	*ps = append(*ps, Pair{key, v})
}

// Assign gives key's first pair the value v where it stands, or appends
// the pair: Python's d[key] = v on a dict (each key once, as Dict and
// DictFirst make them).
func (ps *Params) Assign(key, v string) {
	for i := range *ps {
		if (*ps)[i].Key == key {
			(*ps)[i].Value = v
			return
		}
	}
	*ps = append(*ps, Pair{key, v})
}

// Dict is dict(multidict) of webob's MultiDict: each key once, at its
// first place, with its last value.
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

// DictFirst is werkzeug's MultiDict.to_dict(): each key once, at its
// first place, with its first value.
func (ps Params) DictFirst() Params {
	var out Params
	for _, p := range ps {
		if !out.Has(p.Key) {
			out = append(out, p)
		}
	}
	return out
}

// Grouped is werkzeug's MultiDict.items(multi=True): the pairs grouped by
// key, keys in the order they first appear, each key's values in order.
func (ps Params) Grouped() Params {
	out := make(Params, 0, len(ps))
	var small [32]bool
	var done []bool // which pairs are in out already
	if len(ps) <= len(small) {
		done = small[:len(ps)]
	} else {
		done = make([]bool, len(ps))
	}
	for i, p := range ps {
		if done[i] {
			continue
		}
		for j := i; j < len(ps); j++ {
			if !done[j] && ps[j].Key == p.Key {
				out = append(out, ps[j])
				done[j] = true
			}
		}
	}
	return out
}

// Keys returns each key once, in the order of its first occurrence.
func (ps Params) Keys() []string {
	var out []string
	seen := make(map[string]bool, len(ps))
	for _, p := range ps {
		if !seen[p.Key] {
			seen[p.Key] = true
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
