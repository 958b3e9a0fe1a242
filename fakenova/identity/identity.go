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
	"github.com/novastub/novastub/internal/wire"
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
//	GET    /, /v3                  the discovery documents
//	POST   /v3/auth/tokens         authenticate (password or token), issue a token
//	GET    /v3/auth/tokens         validate X-Subject-Token (HEAD: check it)
//	DELETE /v3/auth/tokens         revoke X-Subject-Token
//	GET    /v3/auth/catalog        the catalog of the token's project
//	GET    /v3/auth/projects       the projects the token's user has a role on
//	GET    /v3/projects            every project (admin): filters, limit and marker
//	GET    /v3/projects/{id}       a project (admin, or a token of the project)
//	GET    /v3/users/{id}          a user (admin, or the user)
//	GET    /v3/users/{id}/projects the projects a user has a role on (admin, or the user)
//
// Every GET answers HEAD too.
type Service struct {
	cfg     config
	store   *state.Store
	handler http.Handler

	// key makes this service's tokens recognizable: a token it issued
	// that is gone (expired and purged, or revoked) gets Keystone's
	// "Failed to validate token", an unknown one "Could not recognize
	// Fernet token".
	key [32]byte

	// catalogIDs are those of cfg.catalog's services, in order, made
	// when a catalog is first shown (a fake that never logs in does not
	// hash them).
	catalogIDs     []catalogIDs
	catalogIDsOnce sync.Once

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
	s.adoptIssued()
	// Keystone's WSGI pipeline limits bodies with oslo.middleware's
	// sizelimit, as Nova's does.
	s.handler = middleware.BodyLimit(middleware.DefaultMaxBodyBytes)(http.HandlerFunc(s.route))
	return s
}

// State returns the store the service answers from.
func (s *Service) State() *state.Store { return s.store }

// ServeHTTP answers a request to the identity API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

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
// request's scheme and host (without a port that is the scheme's default,
// as utils.remove_standard_port drops it) with the prefix.
func (s *Service) base(r *http.Request) string {
	if s.cfg.externalURL != "" {
		return s.cfg.externalURL
	}
	o := origin(r)
	if r.TLS != nil {
		o = strings.TrimSuffix(o, ":443")
	} else {
		o = strings.TrimSuffix(o, ":80")
	}
	return o + s.cfg.prefix
}

// v3URL is keystone/server/flask/common.py's base_url(path): the base,
// then /v3, then the path when there is one.
func (s *Service) v3URL(r *http.Request, path string) string {
	if path == "" {
		return s.base(r) + "/v3"
	}
	return s.base(r) + "/v3/" + path
}

// route dispatches as Keystone's flask application does, after its URL
// normalizer (keystone/server/flask/request_processing/middleware/
// url_normalize.py) has removed trailing slashes and its auth middleware
// has read X-Auth-Token (authenticate).
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
	c, e := s.authenticate(r)
	if e != nil {
		s.writeMiddlewareError(w, r, e)
		return
	}
	rt, ok := parseRoute(path)
	if !ok {
		wire.WriteBody(w, http.StatusNotFound, contentTypeHTML, []byte(pageNotFound))
		return
	}
	switch rt.kind {
	case routeVersions, routeVersion:
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			s.serveDiscovery(w, r, rt.kind == routeVersions)
		case http.MethodOptions:
			allow(w, "GET, HEAD, OPTIONS")
		default:
			h.Set("Allow", "GET, HEAD, OPTIONS")
			wire.WriteBody(w, http.StatusMethodNotAllowed, contentTypeHTML, []byte(pageMethodNotAllowed))
		}
	case routeTokens:
		switch r.Method {
		case http.MethodPost:
			s.serveIssue(w, r)
		case http.MethodGet, http.MethodHead:
			s.serveValidate(w, r, c)
		case http.MethodDelete:
			s.serveRevoke(w, r, c)
		case http.MethodOptions:
			allow(w, "DELETE, GET, HEAD, OPTIONS, POST")
		default:
			methodNotAllowed(w, "DELETE, GET, HEAD, OPTIONS, POST")
		}
	default:
		// The read-only resources: GET (and HEAD) only. Keystone's
		// resources also take the writes (POST, PATCH, DELETE) that
		// manage projects and users; the fake's are managed through its
		// store, and refuses them as a resource without them would.
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			s.serveRead(w, r, c, rt)
		case http.MethodOptions:
			allow(w, "GET, HEAD, OPTIONS")
		default:
			methodNotAllowed(w, "GET, HEAD, OPTIONS")
		}
	}
}

// serveRead answers a GET of a read-only resource.
func (s *Service) serveRead(w http.ResponseWriter, r *http.Request, c *caller, rt route) {
	switch rt.kind {
	case routeProjects:
		s.serveProjects(w, r, c)
	case routeProject:
		s.serveProject(w, r, c, rt.id)
	case routeAuthProjects:
		s.serveAuthProjects(w, r, c)
	case routeAuthCatalog:
		s.serveAuthCatalog(w, r, c)
	case routeUser:
		s.serveUser(w, r, c, rt.id)
	case routeUserProjects:
		s.serveUserProjects(w, r, c, rt.id)
	}
}

// methodNotAllowed is flask-restful's 405 for an API resource, written
// through Keystone's _output_json.
func methodNotAllowed(w http.ResponseWriter, methods string) {
	w.Header().Set("Allow", methods)
	wire.WriteJSON(w, http.StatusMethodNotAllowed, []byte(bodyMethodNotAllowed))
}

// allow answers OPTIONS as flask does: 200, the Allow header, no body.
func allow(w http.ResponseWriter, methods string) {
	w.Header().Set("Allow", methods)
	wire.WriteBody(w, http.StatusOK, contentTypeHTML, nil)
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
		wire.WriteJSON(w, http.StatusOK, pyjson.AppendValue(nil, pyjson.Obj(pyjson.M("version", version))))
		return
	}
	body := pyjson.Obj(pyjson.M("versions", pyjson.Obj(pyjson.M("values", pyjson.Arr(version)))))
	w.Header().Set("Location", self)
	wire.WriteJSON(w, http.StatusMultipleChoices, pyjson.AppendValue(nil, body))
}
