package fakenova

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// controlGuard keeps the control plane safe (ControlPlane's doc says how):
// the token, the Host header, loopback connections when there is no
// token, and JSON for the calls that change the fake.
type controlGuard struct {
	digest   [sha256.Size]byte // of the token, when there is one
	hasToken bool
	hosts    map[string]bool // allowed Host names beside loopback ones, lowercased
}

func newControlGuard(token, externalURL string, allowed []string) controlGuard {
	g := controlGuard{hosts: map[string]bool{}}
	if token != "" {
		g.digest, g.hasToken = sha256.Sum256([]byte(token)), true
	}
	if u, err := url.Parse(externalURL); err == nil && u.Hostname() != "" {
		g.hosts[strings.ToLower(u.Hostname())] = true
	}
	for _, h := range allowed {
		g.hosts[strings.ToLower(strings.Trim(h, "[]"))] = true
	}
	return g
}

// The control plane's refusals.
const (
	msgControlHost      = "the control plane answers only to a loopback host, the external URL's host or an allowed host, not %q (a web page rebinding its name to this address gets this)"
	msgControlLoopback  = "the control plane has no token, so it answers only on loopback connections: give it a token"
	msgControlToken     = "the control plane needs its token"
	msgControlMediaType = "control calls that change the fake need Content-Type: application/json"
)

// check answers a request the control plane must refuse whatever its
// call (a Host it does not answer to, a connection beyond loopback
// without a token, a POST or PUT that is not JSON) and reports whether it
// may go on.
func (g *controlGuard) check(w http.ResponseWriter, r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if !isLoopbackHost(host) && !g.hosts[host] {
		controlError(w, http.StatusForbidden, "Host", fmt.Sprintf(msgControlHost, shorten(r.Host)))
		return false
	}
	if !g.hasToken && !loopbackConnection(r) {
		controlError(w, http.StatusForbidden, "token", msgControlLoopback)
		return false
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			controlError(w, http.StatusUnsupportedMediaType, "Content-Type", msgControlMediaType)
			return false
		}
	}
	return true
}

// tokenGiven checks the token of a control call that needs it, when there
// is one, answering 401 when it is not given.
func (g *controlGuard) tokenGiven(w http.ResponseWriter, r *http.Request) bool {
	if !g.hasToken {
		return true
	}
	given := r.Header.Get("X-Novastub-Token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		given = bearer
	}
	// Digests of equal length: the comparison takes the same time whatever
	// the token's length and the given one's.
	sum := sha256.Sum256([]byte(given))
	if subtle.ConstantTimeCompare(sum[:], g.digest[:]) != 1 {
		controlError(w, http.StatusUnauthorized, "token", msgControlToken)
		return false
	}
	return true
}

// loopbackConnection reports whether the request came on a connection to
// a loopback address of this machine; true when that is unknown (a
// handler called directly, not by an http.Server).
func loopbackConnection(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true
	}
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || tcp.IP.IsLoopback()
}

// shorten is at most 100 bytes of s, for a message.
func shorten(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}

// NoControlToken is the -control-token value that turns the control
// plane's token off, which ControlToken allows on loopback only.
const NoControlToken = "none"

// ErrControlTokenNeeded is ControlToken's error for NoControlToken on an
// address beyond loopback.
var ErrControlTokenNeeded = errors.New("the control plane needs a token when listening beyond loopback")

// ControlToken applies the stub binary's rules for the control plane's
// token: a value given is the token; none given makes a random one
// (generated reports it, so that it is printed); NoControlToken ("none")
// means no token, allowed only when listen binds loopback only.
func ControlToken(given, listen string) (token string, generated bool, err error) {
	switch given {
	case "":
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", false, err
		}
		return hex.EncodeToString(b[:]), true, nil
	case NoControlToken:
		if !IsLoopbackListen(listen) {
			return "", false, ErrControlTokenNeeded
		}
		return "", false, nil
	}
	return given, false, nil
}
