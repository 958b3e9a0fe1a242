package console

import (
	"net/http"
	"net/url"
	"strings"
)

// wsToken returns the token of a console connection as nova's proxy finds
// it (NovaProxyRequestHandler.new_websocket_client): the last "token"
// query parameter of the request's URL (parse_qs(...).get("token",
// [""]).pop(); an empty value does not count), else a "token" cookie
// (malformed cookies skipped). It does not look inside noVNC's "path"
// parameter: noVNC turns that into the WebSocket's URL.
func wsToken(r *http.Request) string {
	if vs := queryValues(r.URL.RawQuery)["token"]; len(vs) > 0 {
		if t := vs[len(vs)-1]; t != "" {
			return t
		}
	}
	return cookieToken(r)
}

// pageToken returns the token of a console page: the "token" query
// parameter (the seed's form, Nova's for every console type but novnc),
// else the one inside noVNC's "path" parameter (Nova's novnc form:
// path=%3Ftoken%3D<token>), else a "token" cookie.
func pageToken(r *http.Request) string {
	q := queryValues(r.URL.RawQuery)
	if vs := q["token"]; len(vs) > 0 && vs[len(vs)-1] != "" {
		return vs[len(vs)-1]
	}
	if vs := q["path"]; len(vs) > 0 {
		_, query, _ := strings.Cut(vs[len(vs)-1], "?")
		if ts := queryValues(query)["token"]; len(ts) > 0 && ts[len(ts)-1] != "" {
			return ts[len(ts)-1]
		}
	}
	return cookieToken(r)
}

// queryValues parses a query as Python's parse_qs does by default: blank
// values dropped, bad escapes kept as they are.
func queryValues(raw string) map[string][]string {
	out := map[string][]string{}
	for _, kv := range strings.Split(raw, "&") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" {
			continue
		}
		out[unescape(k)] = append(out[unescape(k)], unescape(v))
	}
	return out
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return strings.ReplaceAll(s, "+", " ")
}

// cookieToken returns the value of the last well-formed "token" cookie.
func cookieToken(r *http.Request) string {
	t := ""
	for _, c := range r.Cookies() {
		if c.Name == "token" {
			t = c.Value
		}
	}
	return t
}
