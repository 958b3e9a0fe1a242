package fakenova

import (
	"net/http"
	"strings"

	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

// IdentityPrefix is where a Cloud serves the identity service, as devstack
// serves Keystone.
const IdentityPrefix = "/identity"

// Cloud is the whole fake cloud behind one handler, as the stub binary
// serves it on one port: the compute API (Nova, with the control plane
// when WithControlPlane is given) at the root, the identity service
// (package identity, a fake Keystone) under /identity, and the pages the
// console URLs open. The services share one store, journal and set of
// fault rules, so a password login at /identity/v3 gives a token the
// compute API accepts, and a test sees every call in one journal.
//
// NewCloud is what examples/novastub runs, and what Start runs for a test.
type Cloud struct {
	nova     *Nova
	identity *identity.Service
	mux      *http.ServeMux
	handler  http.Handler // mux within Nova's limits on a request's head
}

// NewCloud returns a fake cloud configured by opts: Nova's options, and
// WithIdentityOptions for the identity service. When WithExternalURL is
// given, the identity service's links and catalog name it too. Requests
// over Nova's limits on their head get its server's answers
// (RequestLimits).
func NewCloud(opts ...Option) *Cloud {
	n := New(opts...)
	idOpts := []identity.Option{identity.WithLogger(n.cfg.logger)}
	if ext := n.cfg.externalURL; ext != "" {
		idOpts = append(idOpts, identity.WithExternalURL(ext+IdentityPrefix),
			identity.WithComputeURL(func(_ *http.Request, projectID string) string { return ext + "/v2.1/" + projectID }))
	}
	keystone := identity.New(n.store, append(idOpts, n.cfg.identityOpts...)...)
	c := &Cloud{nova: n, identity: keystone, mux: http.NewServeMux()}
	n.more = append(n.more, ServiceInfo{Name: "identity", Path: IdentityPrefix + "/v3", About: "a fake Keystone v3: password and token logins, the catalog"},
		ServiceInfo{Name: "console", Path: consolePagePaths[0], About: "the pages console URLs open (?token=)"})
	wrapped := cors(n.Wrap(keystone), n.cfg.corsOrigins, keystoneCORS)
	c.mux.Handle(IdentityPrefix, http.StripPrefix(IdentityPrefix, wrapped))
	c.mux.Handle(IdentityPrefix+"/", http.StripPrefix(IdentityPrefix, wrapped))
	page := n.logged("consolePage", ConsolePage(n.store))
	for _, p := range consolePagePaths {
		c.mux.Handle(p, page)
	}
	c.mux.Handle("/", n)
	c.handler = RequestLimits(c.mux)
	return c
}

// consolePagePaths are where a Cloud serves the console pages that
// WithConsolesServedHere's URLs open.
var consolePagePaths = []string{"/vnc_auto.html", "/console"}

// ServeHTTP serves the cloud.
func (c *Cloud) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// Nova returns the compute API, with the fault rules, journal and clock
// every service of the cloud shares.
func (c *Cloud) Nova() *Nova { return c.nova }

// Identity returns the identity service.
func (c *Cloud) Identity() *identity.Service { return c.identity }

// State returns the store every service answers from.
func (c *Cloud) State() *state.Store { return c.nova.store }

// WithIdentityOptions configures the identity service of a Cloud (NewCloud,
// Start). Default: none beyond what NewCloud derives (the logger, and the
// external URL).
func WithIdentityOptions(opts ...identity.Option) Option {
	return func(c *config) { c.identityOpts = append(c.identityOpts, opts...) }
}

// WithConsolesServedHere makes the console URLs lead to the console pages
// of the fake itself, at its own base URL (the external URL, or the
// request's host): /vnc_auto.html for novnc and /console for xvpvnc. The
// stub binary does this. Default: Nova's proxies' URLs (WithConsoleURL).
func WithConsolesServedHere() Option {
	return func(c *config) {
		c.consoles[state.ConsoleNoVNC] = ConsoleURL{Base: "/vnc_auto.html", Form: TokenQuery}
		c.consoles[state.ConsoleXVPVNC] = ConsoleURL{Base: "/console", Form: TokenQuery}
	}
}

// consoleURLBase is the base of a console URL: a base that is a path
// (starting with "/") is relative to the fake's own base URL.
func (n *Nova) consoleURLBase(c *call, u ConsoleURL) ConsoleURL {
	if strings.HasPrefix(u.Base, "/") {
		u.Base = n.baseURL(c.r) + u.Base
	}
	return u
}
