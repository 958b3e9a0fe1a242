package fakenova

import (
	"net/http"
	"strings"
	"sync"

	"github.com/julienschmidt/httprouter"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// Nova is a fake of OpenStack Nova's compute API, an http.Handler. It
// serves the API under /v2/{project_id}/ (Nova's legacy v2 endpoint),
// /v2.1/{project_id}/ and /v2.1/, answering from a state.Store. It is safe
// for concurrent use; mount it anywhere (under a prefix with
// http.StripPrefix).
type Nova struct {
	cfg             config
	store           *state.Store
	router          *httprouter.Router
	actions         map[string]*serverAction
	versionHeaders  *versionHeaders
	api             http.Handler // the authenticated API pipeline
	versionDocument http.Handler // the version documents' pipeline
	faults          *Faults
	journal         *Journal
	control         *controlPlane // nil unless WithControlPlane
	calls           sync.Pool
}

// New returns a fake Nova configured by opts.
func New(opts ...Option) *Nova {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.store == nil {
		cfg.store = state.New()
	}
	if cfg.auth == nil {
		cfg.auth = defaultAuthenticator(&cfg)
	}
	if cfg.servers == nil {
		cfg.servers = cfg.store
	}
	n := &Nova{
		cfg:            cfg,
		store:          cfg.store,
		router:         httprouter.New(),
		versionHeaders: newVersionHeaders(cfg.maxVersion),
	}
	n.calls.New = func() any { return &call{nova: n} }
	n.faults = cfg.faults
	if n.faults == nil {
		n.faults = &Faults{}
	}
	n.journal = cfg.journal
	if n.journal == nil {
		n.journal = NewJournal(cfg.journalSize, cfg.store.Clock())
	}
	n.registerRoutes()
	n.registerActions()
	// Nova's paste pipeline for /v2.1/+: compute_req_id, faultwrap,
	// sizelimit, authtoken, then the API router.
	n.api = middleware.RequestID(
		middleware.Recover(cfg.logger)(
			middleware.BodyLimit(cfg.maxBody)(
				middleware.Authenticate(cfg.auth,
					middleware.WithAuthURI(n.identityURI),
					middleware.WithAuthLogger(cfg.logger))(
					http.HandlerFunc(n.serveAPI)))))
	if cfg.control != nil {
		n.control = newControlPlane(n, *cfg.control)
	}
	// Nova's oscomputeversion pipelines: compute_req_id, faultwrap.
	n.versionDocument = middleware.RequestID(middleware.Recover(cfg.logger)(
		n.interceptOp(operationShowVersion, http.HandlerFunc(n.serveVersionDocument))))
	return n
}

// State returns the store the fake answers from, to seed and inspect.
func (n *Nova) State() *state.Store { return n.store }

// ServeHTTP routes a request as Nova's urlmap does: /v2/... and /v2.1/...
// to the API, /v2, /v2/, /v2.1 and /v2.1/ to their version documents, and
// everything else to the root versions application.
func (n *Nova) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if n.control != nil && strings.HasPrefix(r.URL.Path, ControlPlanePrefix) {
		n.control.ServeHTTP(w, r)
		return
	}
	if n.cfg.next != nil {
		owned, release := n.claim(r)
		defer release()
		if !owned {
			n.cfg.next.ServeHTTP(w, r)
			return
		}
	}
	switch p := r.URL.Path; {
	case p == "/v2" || p == "/v2/" || p == "/v2.1" || p == "/v2.1/":
		n.journal.record(w, r, operationShowVersion, n.versionDocument)
	case strings.HasPrefix(p, "/v2.1/") || strings.HasPrefix(p, "/v2/"):
		n.journal.recordBody(w, r, nil, n.api, false) // releaseCall hands over the body
	default:
		n.journal.record(w, r, operationListVersions, n.interceptOp(operationListVersions, http.HandlerFunc(n.serveVersions)))
	}
}

// identityURI is the identity endpoint a 401 names in WWW-Authenticate:
// WithIdentityURL's, or the fake's base URL under /identity, where the stub
// binary serves it.
func (n *Nova) identityURI(r *http.Request) string {
	if n.cfg.identityURL != "" {
		return n.cfg.identityURL
	}
	return n.baseURL(r) + "/identity"
}

// serveAPI finds the route of an authenticated API request. Nova registers
// every route twice, /{project_id}/<path> and /<path>; a first segment that
// starts a route of its own is project-less.
func (n *Nova) serveAPI(w http.ResponseWriter, r *http.Request) {
	c := n.calls.Get().(*call)
	defer n.releaseCall(c)
	c.ResponseWriter, c.r = w, r
	c.identity, _ = middleware.IdentityFrom(r.Context())
	if c.identity == nil {
		c.identity = &middleware.Identity{}
	}
	rest := r.URL.Path[len("/v2.1"):]
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		c.legacy = true
		rest = r.URL.Path[len("/v2"):]
	}
	if handle, params, _ := n.router.Lookup(r.Method, rest); handle != nil {
		handle(c, r, params)
		return
	}
	{
		// /{project_id} alone is the version document's route, "/".
		project, sub := rest[1:], "/"
		if slash := strings.IndexByte(project, '/'); slash >= 0 {
			project, sub = project[:slash], project[slash:]
		}
		// A lone segment that is no project id is an unknown collection
		// (/v2.1/flavors), not a malformed project of the version route.
		handle, params, _ := n.router.Lookup(r.Method, sub)
		if handle != nil && (sub != "/" || state.ValidProjectID(project)) {
			c.urlProject = project
			// The seed: 400 for an invalid project_id in the URL. Nova's
			// route, /{project_id:[0-9a-f-]+}/..., would not match it and
			// answer a bare 404.
			if !state.ValidProjectID(project) {
				c.fault(http.StatusBadRequest, msgMalformedProjectID(project))
				return
			}
			handle(c, r, params)
			return
		}
	}
	// An unknown route, or a known one with another method: Nova's router
	// answers webob's bare 404 (never 405).
	middleware.WriteWebObError(w, r, http.StatusNotFound, msgNotFound)
}

func (n *Nova) releaseCall(c *call) {
	if jw := journalOf(c.ResponseWriter); jw != nil {
		e := &jw.entry
		jw.body.Write(c.raw.Bytes())
		e.Operation, e.ProjectID, e.ServerID = c.op, c.identity.ProjectID, c.params.ByName("server_id")
		if c.versioned && c.version.Major == 2 && c.version.Minor < len(n.versionHeaders.legacyVersion) {
			e.Microversion = n.versionHeaders.legacyVersion[c.version.Minor][0]
		}
	}
	if c.raw.Cap() > 1<<16 || cap(c.out) > 1<<16 {
		return // let a call that grew large go
	}
	c.reset()
	n.calls.Put(c)
}
