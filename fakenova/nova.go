package fakenova

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/novastub/novastub/fakenova/console"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// Nova is a fake of OpenStack Nova's compute API, an http.Handler. It
// serves the API under /v2/{project_id}/ (Nova's legacy v2 endpoint),
// /v2.1/{project_id}/ and /v2.1/, answering from a state.Store. It is safe
// for concurrent use; mount it anywhere (under a prefix with
// http.StripPrefix).
type Nova struct {
	cfg            config
	store          *state.Store
	versionHeaders *versionHeaders
	faults         *Faults
	journal        *Journal
	control        *controlPlane  // nil unless WithControlPlane
	consoles       *console.Proxy // the console proxy and pages the console URLs open
	calls          sync.Pool
	rendered       renderedViews // the server views written, kept until their server changes
	// projects is how the router takes a URL's project segment: any
	// (the spec's 400 for a malformed one) standalone, Nova's pattern in
	// front of a handler.
	projects projectSegment
	// more are the services beside Nova (NewCloud's), for the control
	// plane's index.
	more []ServiceInfo
	// withCORS is the API behind the CORS filter (WithCORS); nil without.
	withCORS http.Handler
	// consolePages and consoleSessions are the console proxy behind the
	// request log, for its pages and its WebSockets.
	consolePages, consoleSessions http.Handler
}

// services are what the fake serves, for the control plane's index.
func (n *Nova) services() []ServiceInfo {
	return append(append([]ServiceInfo(nil), novaServices...), n.more...)
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
		versionHeaders: versionHeadersUpTo(cfg.maxVersion),
		faults:         cfg.faults,
		journal:        cfg.journal,
	}
	if cfg.next != nil {
		n.projects = novaProjectPattern
		if !cfg.loggerSet {
			n.cfg.logger = slog.Default()
		}
	}
	n.calls.New = func() any { return &call{nova: n} }
	if n.faults == nil {
		n.faults = &Faults{}
	}
	if n.journal == nil {
		n.journal = NewJournal(cfg.journalSize, cfg.store.Clock())
	}
	if cfg.control != nil {
		n.control = newControlPlane(n, *cfg.control)
	}
	if len(cfg.corsOrigins) > 0 && cfg.next == nil {
		n.withCORS = cors(http.HandlerFunc(n.serve), cfg.corsOrigins, novaCORS)
	}
	consoleOpts := []console.Option{console.WithServerSource(cfg.servers), console.WithLogger(n.cfg.logger)}
	if cfg.externalURL != "" {
		consoleOpts = append(consoleOpts, console.WithExternalURL(cfg.externalURL))
	}
	n.consoles = console.New(cfg.store, append(consoleOpts, cfg.consoleOpts...)...)
	n.consolePages, n.consoleSessions = n.logged("consolePage", n.consoles), n.logged("consoleSession", n.consoles)
	return n
}

// Consoles returns the console proxy (package console) the fake serves
// beside its API: the live consoles and the pages its console URLs open
// with WithConsolesServedHere. Mount it elsewhere when WithConsoleURL
// points elsewhere.
func (n *Nova) Consoles() *console.Proxy { return n.consoles }

// Close ends the open consoles (close code 1001) and stops their guests;
// the API goes on answering. Call it after the server that serves the fake
// has shut down (http.Server.Shutdown does not wait for WebSockets).
func (n *Nova) Close() error { return n.consoles.Close() }

// State returns the store the fake answers from, to seed and inspect.
func (n *Nova) State() *state.Store { return n.store }

// Faults returns the fake's fault rules, to make it fail where a test wants.
func (n *Nova) Faults() *Faults { return n.faults }

// Journal returns what the fake received.
func (n *Nova) Journal() *Journal { return n.journal }

// ServeHTTP routes a request as Nova's urlmap does: /v2/... and /v2.1/...
// to the API, /v2, /v2/, /v2.1 and /v2.1/ to their version documents, and
// everything else to the root versions application. In front of a handler
// (Middleware), only the console calls are answered; the rest goes on.
func (n *Nova) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if n.control != nil && isControlPath(p) {
		n.control.handler.ServeHTTP(w, r)
		return
	}
	if n.withCORS != nil {
		n.withCORS.ServeHTTP(w, r)
		return
	}
	n.serve(w, r)
}

// serve is ServeHTTP past the control plane and the CORS filter.
func (n *Nova) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if n.cfg.next != nil {
		owned, release := n.claim(r)
		defer release()
		if !owned {
			n.cfg.next.ServeHTTP(w, r)
			return
		}
	}
	rest, legacy, api := splitAPIRoot(p)
	switch {
	case p == "/v2" || p == "/v2/" || p == "/v2.1" || p == "/v2.1/":
		n.serveVersionDocument(w, r)
	case api:
		n.serveAPI(w, r, rest, legacy)
	case n.cfg.next == nil && console.IsWebSocket(r):
		// What the console URLs open: Nova's API has no WebSocket and
		// no page outside its roots.
		n.consoleSessions.ServeHTTP(w, r)
	case n.cfg.next == nil && console.IsPage(r):
		n.consolePages.ServeHTTP(w, r)
	default:
		n.serveRoot(w, r)
	}
}

// serveAPI is Nova's paste pipeline for /v2.1/ and /v2/: compute_req_id,
// faultwrap, sizelimit, authtoken, then the router and the Resource.
func (n *Nova) serveAPI(w http.ResponseWriter, r *http.Request, rest string, legacy bool) {
	c := n.startCall(w, r)
	defer n.endCall(c)
	c.requestID = middleware.SetRequestID(w.Header())
	defer c.recoverPanic()
	if !middleware.LimitBody(c.w, r, n.cfg.maxBody) {
		return
	}
	c.identity = middleware.CheckToken(r.Context(), n.cfg.auth, r.Header, n.cfg.logger, c.requestID)
	if c.identity == nil {
		middleware.WriteUnauthorized(c.w, n.identityURI(r))
		return
	}
	if n.cfg.roleMapping != nil {
		mapped := *c.identity
		mapped.Roles = n.cfg.roleMapping(c.identity)
		c.identity = &mapped
	}
	if !routes.matchAPI(r.Method, rest, legacy, n.projects, &c.apiMatch) {
		c.fail(errNoRoute)
		return
	}
	if n.projects == anyProject {
		if err := checkURLProject(c.urlProject); err != nil {
			c.fail(err)
			return
		}
	}
	if err := n.resource(c); err != nil {
		c.fail(err)
	}
}

// serveVersionDocument answers GET /v2, /v2/, /v2.1 and /v2.1/, the
// version documents Nova serves without a token (its urlmap sends these
// paths to the versions applications, which have request ids). The v2.1
// document is a Resource's answer, with the microversion checks and
// headers; the legacy v2 one has none.
func (n *Nova) serveVersionDocument(w http.ResponseWriter, r *http.Request) {
	c := n.startCall(w, r)
	defer n.endCall(c)
	c.requestID = middleware.SetRequestID(w.Header())
	defer c.recoverPanic()
	c.op, c.identity = "showVersion", &anonymous
	c.legacy = r.URL.Path == "/v2" || r.URL.Path == "/v2/"
	serve := func() error {
		if !c.legacy {
			if err := n.parseVersion(c); err != nil {
				return err
			}
		}
		return n.writeVersionDocument(c)
	}
	if rule := n.faults.take(c.op, "", ""); rule != nil {
		n.inject(c, rule, serve)
		return
	}
	if err := serve(); err != nil {
		c.fail(err)
	}
}

// serveRoot is Nova's root versions application: GET / and any path
// outside the APIs, with no token, request id or microversion headers.
func (n *Nova) serveRoot(w http.ResponseWriter, r *http.Request) {
	c := n.startCall(w, r)
	defer n.endCall(c)
	c.op, c.identity = "listVersions", &anonymous
	serve := func() error { n.serveVersions(c.w, r); return nil }
	if rule := n.faults.take(c.op, "", ""); rule != nil {
		n.inject(c, rule, serve)
		return
	}
	_ = serve()
}

// anonymous is the caller of a call that needs no token.
var anonymous middleware.Identity

// startCall takes a call from the pool for a request, with its answer
// going through the status recorder when the journal or the request log
// is on.
func (n *Nova) startCall(w http.ResponseWriter, r *http.Request) *call {
	c := n.calls.Get().(*call)
	c.w, c.r = w, r
	if n.journal.on() || n.cfg.requestLog != nil {
		c.start = time.Now()
		c.status.ResponseWriter, c.status.code = w, 0
		c.w = &c.status
	}
	return c
}

// endCall journals and logs the call and returns it to the pool.
func (n *Nova) endCall(c *call) {
	if n.journal.on() {
		n.journal.addCall(c)
	}
	if n.cfg.requestLog != nil {
		n.logCall(c)
	}
	if c.raw.Cap() > 1<<16 || cap(c.out) > 1<<16 || c.arena.Size() > 1<<12 {
		return // let a call that grew large go
	}
	c.reset()
	n.calls.Put(c)
}

// recoverPanic is Nova's FaultWrapper: a panic becomes its 500, logged.
// http.ErrAbortHandler goes on, so that net/http aborts the answer.
func (c *call) recoverPanic() {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	middleware.RecoverWrite(c.w, c.r, c.nova.cfg.logger, c.requestID, v)
}

// inject applies a fault rule to a call: serve gives the real answer when
// the rule lets the call through; injected answers are Nova faults.
func (n *Nova) inject(c *call, rule *FaultRule, serve func() error) {
	real := c.w
	rule.apply(real, c.r, func(w http.ResponseWriter) {
		c.w = w
		if err := serve(); err != nil {
			c.fail(err)
		}
		c.w = real
	}, func(w http.ResponseWriter, _ *http.Request, code int, msg string) {
		if msg == "" {
			msg = DefaultFaultMessage(code)
		}
		c.w = w
		c.fault(code, msg)
		c.w = real
	})
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

// sourceContext is the context a ServerSource other than the store gets:
// the request's, with the request itself (RequestFrom), the caller's
// identity and the request id.
func (c *call) sourceContext() context.Context {
	ctx := context.WithValue(c.r.Context(), requestKey{}, c.r)
	ctx = middleware.ContextWithIdentity(ctx, c.identity)
	return middleware.ContextWithRequestID(ctx, c.requestID)
}
