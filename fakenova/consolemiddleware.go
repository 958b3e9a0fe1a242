package fakenova

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/novastub/novastub/fakenova/internal/storeauth"
	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/middleware"
)

// Middleware returns the fake's console API as middleware in front of next,
// a handler that already speaks (part of) the Nova API: a team's own mock,
// a compatibility layer, an httputil.ReverseProxy to a real or a staging
// Nova. It answers the console calls it owns, as New's handler does:
//
//	POST .../servers/{id}/action with os-getVNCConsole, os-getSPICEConsole,
//	     os-getSerialConsole or os-getRDPConsole
//	POST .../servers/{id}/remote-consoles
//	GET  .../os-console-auth-tokens/{console_token}
//
// under /v2/{project_id}, /v2.1/{project_id} and /v2.1, and passes every
// other request to next unchanged: its headers untouched, its body intact
// and re-readable. To tell a console action from the others sharing
// /action, it reads the body once (within the body limit) and hands next
// a copy; a body that names no console action, malformed ones included, is
// not the middleware's, so next answers it as it answers any action. A
// body over the limit gets Nova's 413 here: Nova's size limit stands in
// front of every action.
//
// Authentication is the project's: by default the middleware reads the
// identity its owned requests carry in their context, set by the project's
// auth middleware with middleware.ContextWithIdentity (a request without one gets
// Keystone's 401); with WithAuthenticator it checks X-Auth-Token itself.
// Servers come from WithServerSource (default: the store of WithState);
// console tokens stay in the store. Mounted under a prefix, give
// WithExternalURL or WithTrustForwardedHeaders for correct links.
func Middleware(opts ...Option) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return New(append(opts[:len(opts):len(opts)], func(c *config) { c.next = next })...)
	}
}

// bodyBuffers hold the bodies the middleware read to decide.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// claim decides whether the middleware owns r, from the one route table: a
// console route is owned; POST .../action is owned when its body names a
// console action. To decide on an action it reads the body into a pooled
// buffer and puts a peekedBody of it in r.Body; release returns the buffer
// once r is done with.
func (n *Nova) claim(r *http.Request) (owned bool, release func()) {
	rest, legacy, ok := splitAPIRoot(r.URL.Path)
	if !ok {
		// The version documents: Nova's own, when asked.
		switch r.URL.Path {
		case "/", "/v2", "/v2.1":
			return n.cfg.versionDocs && r.Method == http.MethodGet, func() {}
		}
		return false, func() {}
	}
	var m apiMatch
	if !routes.matchAPI(r.Method, rest, legacy, n.projects, &m) {
		return false, func() {}
	}
	if !m.route.actions {
		return m.route.console || n.cfg.versionDocs && m.route.op == "showVersion", func() {}
	}
	if r.ContentLength > n.cfg.maxBody || r.Body == nil || r.Body == http.NoBody {
		return r.ContentLength > n.cfg.maxBody, func() {} // the pipeline answers 413
	}
	b := &peekedBody{buf: bodyBuffers.Get().(*bytes.Buffer), orig: r.Body}
	b.buf.Reset()
	b.limited = io.LimitedReader{R: r.Body, N: n.cfg.maxBody + 1}
	_, b.err = b.buf.ReadFrom(&b.limited)
	b.reader.Reset(b.buf.Bytes())
	r.Body = b
	if b.err != nil || int64(b.buf.Len()) > n.cfg.maxBody {
		return int64(b.buf.Len()) > n.cfg.maxBody, b.release // too large: the pipeline answers 413
	}
	arena := peekArenas.Get().(*pyjson.Arena)
	defer func() {
		if arena.Size() <= 1<<12 { // one that a large body grew goes
			arena.Reset()
			peekArenas.Put(arena)
		}
	}()
	body, err := arena.ParseText(b.buf.Bytes()) // as Nova reads it
	if err != nil || body.Kind != pyjson.Object || len(body.Members) != 1 {
		return false, b.release
	}
	act, known := actionTable[body.Members[0].Key]
	return known && act.console, b.release
}

// peekArenas hold the arenas claim parses bodies in: only the action's
// name is kept, and that is a string of its own.
var peekArenas = sync.Pool{New: func() any { return new(pyjson.Arena) }}

// peekedBody is a body the middleware read to decide: the bytes it read,
// then the error the read ended with, or, past the limit, the rest of the
// original. Once released (when the middleware returns) it fails every
// read, as net/http's server body does once the handler returned: a
// RoundTripper may read a request body after RoundTrip returned, so an
// httputil.ReverseProxy's transport may read it after the handler
// returned, and must then not get the bytes of the request that took the
// buffer from the pool since.
type peekedBody struct {
	mu      sync.Mutex
	buf     *bytes.Buffer // nil once released
	reader  bytes.Reader  // of buf
	limited io.LimitedReader
	err     error // of the read into buf
	orig    io.ReadCloser
}

func (b *peekedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.buf == nil:
		return 0, http.ErrBodyReadAfterClose
	case b.reader.Len() > 0:
		return b.reader.Read(p)
	case b.err != nil:
		return 0, b.err
	case b.limited.N == 0: // stopped at the limit: the rest is the original's
		return b.orig.Read(p)
	}
	return 0, io.EOF
}

// Close closes the original body.
func (b *peekedBody) Close() error { return b.orig.Close() }

// release returns the buffer to the pool; later reads fail.
func (b *peekedBody) release() {
	b.mu.Lock()
	buf := b.buf
	b.buf = nil
	b.reader.Reset(nil)
	b.mu.Unlock()
	if buf.Cap() <= 1<<16 {
		bodyBuffers.Put(buf)
	}
}

// defaultAuthenticator is the store's tokens for the whole fake, and the
// identity in the request context for the middleware.
func defaultAuthenticator(cfg *config) middleware.Authenticator {
	if cfg.next != nil {
		return middleware.ContextIdentity()
	}
	return storeauth.New(cfg.store)
}
