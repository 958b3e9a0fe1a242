package console

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// checkOrigin checks the Origin header as nova's proxy does, after the
// token: a request without one (not a browser) passes; otherwise its host
// name must be the Host header's (or one of allowed), and its scheme (or
// X-Forwarded-Proto's, when that is sent) the scheme of the console's
// access URL, where ws stands for http and wss for https. It returns the
// message of the refusal, or "".
func checkOrigin(r *http.Request, allowed []string, accessScheme string) string {
	origin, ok := header(r, "Origin")
	if !ok {
		return ""
	}
	u, err := url.Parse(origin)
	if err != nil {
		return msgOriginInvalid
	}
	hostname, scheme := strings.ToLower(u.Hostname()), u.Scheme
	if fwd, ok := header(r, "X-Forwarded-Proto"); ok {
		scheme = fwd
	}
	if hostname == "" || scheme == "" {
		return msgOriginInvalid
	}
	if hostname != hostOnly(r.Host) && !contains(allowed, hostname) {
		return msgOriginHost
	}
	expected := []string{accessScheme}
	switch accessScheme {
	case "ws":
		expected = append(expected, "http")
	case "wss":
		expected = append(expected, "https")
	}
	if !contains(expected, scheme) {
		return msgOriginProtocol
	}
	return ""
}

// hostOnly is the Host header without its port, as nova splits it: the
// part inside brackets for an IPv6 address, else the part before a colon.
func hostOnly(host string) string {
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			return host[1:i]
		}
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	if i := strings.IndexByte(host, ':'); i >= 0 {
		return host[:i]
	}
	return host
}
