package fakenova

import (
	"net/url"
	"strings"
)

// URLForm is where a console URL carries its token.
type URLForm int

const (
	// TokenQuery puts the token in a token query parameter,
	// base?token=<token>: the spec's form, Nova's for every type but novnc,
	// and its novnc form before Train (20.0.0).
	TokenQuery URLForm = iota
	// PathQuery puts it in noVNC's path parameter,
	// base?path=%3Ftoken%3D<token>: Nova's novnc form since Ussuri (21.0.0).
	// A path already in the base's query is kept in front of the token, as
	// Nova does since Dalmatian (30.0.0).
	PathQuery
)

// ConsoleURL says how the console URLs of one console type are built.
type ConsoleURL struct {
	// Base is the console proxy's URL, such as Nova's
	// [vnc] novncproxy_base_url.
	Base string
	Form URLForm // where the URL carries the token
}

// For returns the URL that opens the console the token grants.
func (u ConsoleURL) For(token string) string { return string(u.AppendURL(nil, token)) }

// AppendURL appends the URL For returns to dst.
func (u ConsoleURL) AppendURL(dst []byte, token string) []byte {
	if u.Form != PathQuery {
		dst = append(dst, u.Base...)
		dst = append(dst, "?token="...)
		return append(dst, token...)
	}
	base, query, _ := strings.Cut(u.Base, "?")
	path := "?token=" + token
	var kept []string
	for _, kv := range strings.Split(query, "&") {
		if k, v, _ := strings.Cut(kv, "="); k == "path" {
			if old, err := url.QueryUnescape(v); err == nil {
				path = old + path
			}
		} else if kv != "" {
			kept = append(kept, kv)
		}
	}
	return append(dst, base+"?"+strings.Join(append(kept, "path="+url.QueryEscape(path)), "&")...)
}
