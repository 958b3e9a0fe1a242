package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// Service is a fake Keystone v3 identity service, an http.Handler backed by
// a state.Store: the store's users authenticate, and the tokens the service
// issues are the store's API tokens (state.AuthToken), so a fake Nova on
// the same store accepts exactly those still valid (and the static ones).
// It is safe for concurrent use.
//
// Its paths are relative: mount it under a prefix with http.StripPrefix,
// and tell it the prefix (WithPrefix, "/identity" by default) so that its
// links include it:
//
//	GET  /, /v3                the discovery documents
//	POST /v3/auth/tokens       authenticate (password or token), issue a token
//	GET  /v3/auth/tokens       validate X-Subject-Token (HEAD: check it)
//	DELETE /v3/auth/tokens     revoke X-Subject-Token
type Service struct {
	cfg     config
	store   *state.Store
	handler http.Handler

	// key makes this service's tokens recognizable: a token it issued
	// that is gone (expired and purged, or revoked) gets Keystone's
	// "Failed to validate token", an unknown one "Could not recognize
	// Fernet token".
	key [32]byte

	catalogServiceID  string
	catalogEndpointID [3]string // public, internal, admin

	mu     sync.Mutex
	issued []issuedToken // oldest first, for purging them once expired
	// evicted counts live tokens dropped to stay within the bound;
	// evictionLogged is when that was last logged (wall time).
	evicted        uint64
	evictionLogged time.Time
}

// issuedToken is a token of the service and its expiry.
type issuedToken struct {
	token   string
	expires time.Time
}

// New returns a fake Keystone answering from store (a nil store means a
// new, empty one), configured by opts.
func New(store *state.Store, opts ...Option) *Service {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if store == nil {
		store = state.New()
	}
	s := &Service{cfg: cfg, store: store}
	if _, err := rand.Read(s.key[:]); err != nil {
		panic("identity: crypto/rand: " + err.Error()) // it does not fail on the systems Go supports
	}
	s.catalogServiceID = stableID("service compute " + cfg.region)
	for i, iface := range endpointInterfaces {
		s.catalogEndpointID[i] = stableID("endpoint compute " + cfg.region + " " + iface)
	}
	// Keystone's WSGI pipeline limits bodies with oslo.middleware's
	// sizelimit, as Nova's does.
	s.handler = middleware.BodyLimit(middleware.DefaultMaxBodyBytes)(http.HandlerFunc(s.route))
	return s
}

// State returns the store the service answers from.
func (s *Service) State() *state.Store { return s.store }

// ServeHTTP answers a request to the identity API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

var endpointInterfaces = [3]string{"public", "internal", "admin"}

// stableID is a Keystone-looking id (32 hex digits) that stays the same for
// the same name, so that catalogs and roles have fixed ids.
func stableID(name string) string { return string(appendStableID(nil, "", name)) }

// appendStableID appends the stableID of kind + name.
func appendStableID(b []byte, kind, name string) []byte {
	var buf [128]byte
	in := append(append(append(buf[:0], "novastub identity "...), kind...), name...)
	sum := sha256.Sum256(in)
	return hex.AppendEncode(b, sum[:16])
}

// base is Keystone's base URL without /v3: the external URL, or the
// request's scheme and host with the prefix.
func (s *Service) base(r *http.Request) string {
	if s.cfg.externalURL != "" {
		return s.cfg.externalURL
	}
	return origin(r) + s.cfg.prefix
}

// route dispatches as Keystone's flask application does, after its URL
// normalizer (keystone/server/flask/request_processing/middleware/
// url_normalize.py) has removed trailing slashes.
func (s *Service) route(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Every answer varies by token (application.py's after_request) and
	// has oslo's request id.
	h["Vary"] = []string{"X-Auth-Token"}
	h[middleware.HeaderOpenstackRequestID] = []string{middleware.NewRequestID()}
	path := r.URL.Path
	if len(path) > 1 {
		path = strings.TrimRight(path, "/")
	}
	if path == "" {
		path = "/"
	}
	switch path {
	case "/", "/v3":
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			s.serveDiscovery(w, r, path == "/")
		case http.MethodOptions:
			allow(w, "GET, HEAD, OPTIONS")
		default:
			h.Set("Allow", "GET, HEAD, OPTIONS")
			writeBody(w, http.StatusMethodNotAllowed, "text/html; charset=utf-8", []byte(pageMethodNotAllowed))
		}
	case "/v3/auth/tokens":
		switch r.Method {
		case http.MethodPost:
			s.serveIssue(w, r)
		case http.MethodGet, http.MethodHead:
			s.serveValidate(w, r)
		case http.MethodDelete:
			s.serveRevoke(w, r)
		case http.MethodOptions:
			allow(w, "DELETE, GET, HEAD, OPTIONS, POST")
		default:
			h.Set("Allow", "DELETE, GET, HEAD, OPTIONS, POST")
			writeBody(w, http.StatusMethodNotAllowed, "application/json", []byte(bodyMethodNotAllowed))
		}
	default:
		writeBody(w, http.StatusNotFound, "text/html; charset=utf-8", []byte(pageNotFound))
	}
}

// allow answers OPTIONS as flask does: 200, the Allow header, no body.
func allow(w http.ResponseWriter, methods string) {
	w.Header().Set("Allow", methods)
	writeBody(w, http.StatusOK, "text/html; charset=utf-8", nil)
}

// serveDiscovery answers keystone/api/discovery.py's documents: GET / is a
// 300 with every version (one, v3) and a Location, GET /v3 a 200 with
// {"version": ...}. Both link to <base>/v3/. (Keystone's JSON-Home form, for
// Accept: application/json-home, is not served.)
func (s *Service) serveDiscovery(w http.ResponseWriter, r *http.Request, root bool) {
	self := s.base(r) + "/v3/"
	version := pyjson.Obj(
		pyjson.M("id", pyjson.Str(versionID)),
		pyjson.M("status", pyjson.Str(versionStatus)),
		pyjson.M("updated", pyjson.Str(versionUpdated)),
		pyjson.M("links", pyjson.Arr(pyjson.Obj(
			pyjson.M("rel", pyjson.Str("self")),
			pyjson.M("href", pyjson.Str(self))))),
		pyjson.M("media-types", pyjson.Arr(pyjson.Obj(
			pyjson.M("base", pyjson.Str("application/json")),
			pyjson.M("type", pyjson.Str(versionMediaType))))),
	)
	if !root {
		writeBody(w, http.StatusOK, "application/json", pyjson.AppendValue(nil, pyjson.Obj(pyjson.M("version", version))))
		return
	}
	body := pyjson.Obj(pyjson.M("versions", pyjson.Obj(pyjson.M("values", pyjson.Arr(version)))))
	w.Header().Set("Location", self)
	writeBody(w, http.StatusMultipleChoices, "application/json", pyjson.AppendValue(nil, body))
}
