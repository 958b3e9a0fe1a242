package fakenova

import (
	"net/http"
	"strings"

	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/fakenova/image"
	"github.com/novastub/novastub/fakenova/network"
	"github.com/novastub/novastub/state"
)

// Where a Cloud serves the services beside the compute API, as devstack
// serves them on one host.
const (
	IdentityPrefix = "/identity"           // Keystone
	ImagePrefix    = image.DefaultPrefix   // Glance, "/image"
	NetworkPrefix  = network.DefaultPrefix // Neutron, "/networking"
)

// Cloud is the whole fake cloud behind one handler, as the stub binary
// serves it on one port: the compute API (Nova, with the control plane
// when WithControlPlane is given) at the root, the identity service
// (package identity, a fake Keystone) under /identity, the image service
// (package image, Glance) under /image, the network service (package
// network, Neutron) under /networking, and the pages the console URLs
// open. The services share one store, journal and set of fault rules, so a
// password login at /identity/v3 gives a token every service accepts, the
// catalog names them all, and a test sees every call in one journal.
//
// NewCloud is what examples/novastub runs, and what Start runs for a test.
type Cloud struct {
	nova     *Nova
	identity *identity.Service
	image    *image.Service
	network  *network.Service
	mounts   []mount      // the services beside Nova, by path prefix
	handler  http.Handler // the cloud within Nova's limits on a request's head
}

// NewCloud returns a fake cloud configured by opts: Nova's options, and
// WithIdentityOptions for the identity service. When WithExternalURL is
// given, every service's links and the catalog name it. Requests over
// Nova's limits on their head get its server's answers (RequestLimits).
func NewCloud(opts ...Option) *Cloud {
	n := New(opts...)
	ext := n.cfg.externalURL
	idOpts := []identity.Option{identity.WithLogger(n.cfg.logger)}
	imOpts := []image.Option{image.WithLogger(n.cfg.logger)}
	netOpts := []network.Option{network.WithLogger(n.cfg.logger)}
	if ext != "" {
		idOpts = append(idOpts, identity.WithExternalURL(ext+IdentityPrefix), identity.WithCatalogBaseURL(ext))
		imOpts = append(imOpts, image.WithExternalURL(ext+ImagePrefix))
		netOpts = append(netOpts, network.WithExternalURL(ext+NetworkPrefix))
	}
	c := &Cloud{
		nova:     n,
		identity: identity.New(n.store, append(idOpts, n.cfg.identityOpts...)...),
		image:    image.New(n.store, imOpts...),
		network:  network.New(n.store, netOpts...),
	}
	n.more = append(n.more,
		ServiceInfo{Name: "identity", Path: IdentityPrefix + "/v3", About: "a fake Keystone v3: password and token logins, projects, the catalog"},
		ServiceInfo{Name: "image", Path: ImagePrefix + "/v2/images", About: "a fake Glance v2: images"},
		ServiceInfo{Name: "network", Path: NetworkPrefix + "/v2.0/networks", About: "a fake Neutron v2.0: networks, subnets, ports"},
		ServiceInfo{Name: "console", Path: "/vnc_auto.html", About: "the consoles console URLs open (?token=): pages and WebSockets"})
	for _, s := range []struct {
		prefix string
		svc    Service
		cors   *corsPolicy
	}{{IdentityPrefix, c.identity, keystoneCORS}, {ImagePrefix, c.image, glanceCORS}, {NetworkPrefix, c.network, neutronCORS}} {
		c.mounts = append(c.mounts, mount{s.prefix, http.StripPrefix(s.prefix, cors(n.Wrap(s.svc), n.cfg.corsOrigins, s.cors))})
	}
	c.handler = RequestLimits(http.HandlerFunc(c.route))
	return c
}

// mount is a service of the cloud at a path prefix.
type mount struct {
	prefix string
	h      http.Handler
}

// route sends a request to the service whose prefix its path is, or has
// after it a /: /identity and /identity/v3 are Keystone's (version
// discovery asks for the first), /identityx is not; every other path is
// Nova's, with the consoles' pages and WebSockets. Paths are taken as they
// come, with no cleaning nor redirect: each service answers its own.
func (c *Cloud) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	for _, m := range c.mounts {
		if strings.HasPrefix(path, m.prefix) && (len(path) == len(m.prefix) || path[len(m.prefix)] == '/') {
			m.h.ServeHTTP(w, r)
			return
		}
	}
	c.nova.ServeHTTP(w, r)
}

// ServeHTTP serves the cloud.
func (c *Cloud) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// Nova returns the compute API, with the fault rules, journal and clock
// every service of the cloud shares.
func (c *Cloud) Nova() *Nova { return c.nova }

// Identity returns the identity service.
func (c *Cloud) Identity() *identity.Service { return c.identity }

// Image returns the image service.
func (c *Cloud) Image() *image.Service { return c.image }

// Network returns the network service.
func (c *Cloud) Network() *network.Service { return c.network }

// State returns the store every service answers from.
func (c *Cloud) State() *state.Store { return c.nova.store }

// WithIdentityOptions configures the identity service of a Cloud (NewCloud,
// Start). Default: none beyond what NewCloud derives (the logger, and the
// external URL).
func WithIdentityOptions(opts ...identity.Option) Option {
	return func(c *config) { c.identityOpts = append(c.identityOpts, opts...) }
}

// Close ends the cloud's open consoles; see Nova.Close.
func (c *Cloud) Close() error { return c.nova.Close() }

// WithConsolesServedHere makes the console URLs lead to the consoles the
// fake serves itself, at its own base URL (the external URL, or the
// request's host): /vnc_auto.html (novnc) and /console (xvpvnc) open a
// live console in a browser, serial is a WebSocket at / (ws:// or wss://),
// /spice_auto.html and /mks.html are stand-in pages. The stub binary does
// this. Default: Nova's proxies' URLs (WithConsoleURL).
func WithConsolesServedHere() Option {
	return func(c *config) {
		for t, page := range consolesServedHere {
			c.consoles[t] = ConsoleURL{Base: page, Form: TokenQuery}
		}
	}
}

// consolesServedHere are the paths of WithConsolesServedHere's URLs.
var consolesServedHere = map[state.ConsoleType]string{
	state.ConsoleNoVNC:      "/vnc_auto.html",
	state.ConsoleXVPVNC:     "/console",
	state.ConsoleSPICEHTML5: "/spice_auto.html",
	state.ConsoleSerial:     "/",
	state.ConsoleWebMKS:     "/mks.html",
}

// consoleURLBase is the base of a console URL of type t: a base that is a
// path (starting with "/") is relative to the fake's own base URL, with
// the WebSocket scheme for a serial console.
func (n *Nova) consoleURLBase(c *call, t state.ConsoleType, u ConsoleURL) ConsoleURL {
	if strings.HasPrefix(u.Base, "/") {
		base := n.baseURL(c.r)
		if t == state.ConsoleSerial {
			base = "ws" + strings.TrimPrefix(base, "http")
		}
		u.Base = base + u.Base
	}
	return u
}
