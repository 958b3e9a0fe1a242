package fakenova

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/novastub/novastub/fakenova/console"
	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// Option configures a Nova. Each option documents its default.
type Option func(*config)

type config struct {
	store      *state.Store
	auth       middleware.Authenticator
	logger     *slog.Logger
	maxBody    int64
	maxVersion Microversion
	consoles   map[state.ConsoleType]ConsoleURL

	externalURL    string
	trustForwarded bool
	servers        ServerSource
	next           http.Handler // the handler behind the Middleware form
	faults         *Faults
	journal        *Journal
	journalSize    int
	control        *ControlPlane
	identityURL    string
	identityOpts   []identity.Option // for a Cloud's identity service
	loggerSet      bool              // WithLogger was given
	versionDocs    bool              // the Middleware answers the version documents
	roleMapping    func(*middleware.Identity) []string
	consoleOpts    []console.Option
	requestLog     *slog.Logger // WithRequestLog's; nil for none
	corsOrigins    []string     // WithCORS's
}

func defaultConfig() config {
	return config{
		logger:      slog.New(discardHandler{}),
		maxBody:     middleware.DefaultMaxBodyBytes,
		maxVersion:  DefaultMaxMicroversion,
		journalSize: DefaultJournalSize,
		consoles: map[state.ConsoleType]ConsoleURL{
			state.ConsoleNoVNC:       {Base: "http://127.0.0.1:6080/vnc_auto.html", Form: TokenQuery},
			state.ConsoleXVPVNC:      {Base: "http://127.0.0.1:6081/console", Form: TokenQuery},
			state.ConsoleSPICEHTML5:  {Base: "http://127.0.0.1:6082/spice_auto.html", Form: TokenQuery},
			state.ConsoleSPICEDirect: {Base: "http://127.0.0.1:13002/nova", Form: TokenQuery},
			state.ConsoleSerial:      {Base: "ws://127.0.0.1:6083/", Form: TokenQuery},
			state.ConsoleWebMKS:      {Base: "http://127.0.0.1:6090/", Form: TokenQuery},
		},
	}
}

// WithState serves the given store, which the caller may keep seeding and
// changing while the fake runs. Default: a new, empty state.New() store
// on the system clock.
func WithState(s *state.Store) Option { return func(c *config) { c.store = s } }

// WithAuthenticator sets how X-Auth-Token is checked. Default: for New,
// the API tokens of the store (state.Store.AddToken, the seed file's
// "tokens"), each standing for its user, project and roles; for
// Middleware, the identity the request context carries
// (middleware.ContextIdentity).
func WithAuthenticator(a middleware.Authenticator) Option { return func(c *config) { c.auth = a } }

// WithLogger sets where the fake logs (panics, failures of a server
// source, failures to check a token), with each request's id; tokens are
// never logged. Default: nowhere for New; slog.Default() for Middleware,
// whose failures are otherwise invisible to the team behind it. A nil
// logger means nowhere.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			l = slog.New(discardHandler{})
		}
		c.logger, c.loggerSet = l, true
	}
}

// WithVersionDocuments makes the Middleware answer Nova's version
// documents (GET /, /v2, /v2.1 and /v2.1/{project_id}/) itself, with the
// microversion headers, for a handler behind it that has none: a client
// that negotiates microversions then reads the fake's range. Default:
// false, they pass through to the handler. New always answers them.
func WithVersionDocuments(answer bool) Option { return func(c *config) { c.versionDocs = answer } }

// WithConsoleOptions configures the console proxy the fake serves (package
// console: ping and poll intervals, allowed origins, screen size, ...).
// Default: the console package's defaults, with the fake's server source,
// logger and external URL.
func WithConsoleOptions(opts ...console.Option) Option {
	return func(c *config) { c.consoleOpts = append(c.consoleOpts, opts...) }
}

// WithRoleMapping sets the roles Nova's policies see for a caller: f gets
// the caller's identity (from the authenticator) and returns its roles.
// For a handler whose identities carry no roles, or roles of its own
// (owner, viewer), that Nova's default policies would refuse:
//
//	fakenova.WithRoleMapping(func(*middleware.Identity) []string { return []string{"member", "reader"} })
//
// Nova's policies want reader to look, member to open consoles and change
// servers, admin for other projects and os-console-auth-tokens. Default:
// none, the identity's own roles.
func WithRoleMapping(f func(*middleware.Identity) []string) Option {
	return func(c *config) { c.roleMapping = f }
}

// WithMaxBodyBytes sets the request body limit, Nova's
// [oslo_middleware] max_request_body_size. Default: 114688 bytes.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithMaxMicroversion sets the highest microversion the fake announces and
// accepts ("latest" means it). It must be a 2.x from 2.1 to 2.1000; another
// value is ignored. Default: DefaultMaxMicroversion.
func WithMaxMicroversion(v Microversion) Option {
	return func(c *config) {
		if v.Major == 2 && v.Minor >= 1 && v.Minor <= 1000 {
			c.maxVersion = v
		}
	}
}

// WithConsoleURL sets how console URLs of type t are built: from base, in
// the given form; a base that is a path ("/vnc_auto.html") is relative to
// the fake's own base URL (WithConsolesServedHere). Defaults: the spec's form for VNC, Nova's defaults
// ([vnc], [spice], [serial_console], [mks] options) for the others:
//
//	novnc         http://127.0.0.1:6080/vnc_auto.html?token=<token>
//	xvpvnc        http://127.0.0.1:6081/console?token=<token>
//	spice-html5   http://127.0.0.1:6082/spice_auto.html?token=<token>
//	spice-direct  http://127.0.0.1:13002/nova?token=<token>
//	serial        ws://127.0.0.1:6083/?token=<token>
//	webmks        http://127.0.0.1:6090/?token=<token>
func WithConsoleURL(t state.ConsoleType, base string, form URLForm) Option {
	return func(c *config) { c.consoles[t] = ConsoleURL{Base: base, Form: form} }
}

// WithIdentityURL sets the identity service a 401 names in its
// WWW-Authenticate header, such as the real Keystone in front of which the
// Middleware stands. Default: the fake's base URL + "/identity", where the
// stub binary serves its identity service.
func WithIdentityURL(u string) Option { return func(c *config) { c.identityURL = u } }

// WithServerSource sets where the console calls find servers. Default:
// the store (WithState). The servers API always uses the store.
func WithServerSource(src ServerSource) Option { return func(c *config) { c.servers = src } }

// WithFaults makes the fake use (and share) the given fault rules.
// Default: rules of its own, empty.
func WithFaults(f *Faults) Option { return func(c *config) { c.faults = f } }

// WithJournal makes the fake record into (and share) the given journal.
// Default: a journal of its own of DefaultJournalSize entries.
func WithJournal(j *Journal) Option { return func(c *config) { c.journal = j } }

// WithJournalSize sets how many requests the fake's own journal keeps; 0
// turns it off. Default: DefaultJournalSize.
func WithJournalSize(n int) Option { return func(c *config) { c.journalSize = n } }

// WithExternalURL sets the URL clients reach the fake at, such as
// https://cloud.example/compute when it is mounted under /compute behind a
// proxy: version documents link to it, and 401s name its /identity.
// Default: none, the request's own scheme and host.
func WithExternalURL(u string) Option {
	return func(c *config) { c.externalURL = strings.TrimRight(u, "/") }
}

// WithTrustForwardedHeaders makes the fake build its links from
// X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Prefix, as set by a
// proxy in front of it (oslo's http_proxy_to_wsgi does this for Nova).
// Trust them only behind a proxy that sets them. Default: false.
func WithTrustForwardedHeaders(trust bool) Option {
	return func(c *config) { c.trustForwarded = trust }
}

// discardHandler is a slog.Handler that drops every record.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
