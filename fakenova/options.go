package fakenova

import (
	"context"
	"log/slog"
	"net/http"

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
}

func defaultConfig() config {
	return config{
		logger:     slog.New(discardHandler{}),
		maxBody:    middleware.DefaultMaxBodyBytes,
		maxVersion: DefaultMaxMicroversion,
		consoles: map[state.ConsoleType]ConsoleURL{
			state.ConsoleNoVNC:  {Base: "http://127.0.0.1:6080/vnc_auto.html", Form: TokenQuery},
			state.ConsoleXVPVNC: {Base: "http://127.0.0.1:6081/console", Form: TokenQuery},
		},
	}
}

// WithState serves the given store, which the caller may keep seeding and
// changing while the fake runs. Default: a new, empty state.New() store
// on the system clock.
func WithState(s *state.Store) Option { return func(c *config) { c.store = s } }

// WithAuthenticator sets how X-Auth-Token is checked. Default: the API
// tokens of the store (state.Store.AddToken, the seed file's "tokens"),
// each standing for its user, project and roles.
func WithAuthenticator(a middleware.Authenticator) Option { return func(c *config) { c.auth = a } }

// WithLogger sets where the fake logs (panics, failures to check a token);
// tokens are never logged. Default: nowhere.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithMaxBodyBytes sets the request body limit, Nova's
// [oslo_middleware] max_request_body_size. Default: 114688 bytes.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithMaxMicroversion sets the highest microversion the fake announces and
// accepts ("latest" means it). Default: DefaultMaxMicroversion.
func WithMaxMicroversion(v Microversion) Option { return func(c *config) { c.maxVersion = v } }

// WithConsoleURL sets how console URLs of type t are built: from base, in
// the given form. Defaults, the seed's form for VNC:
//
//	novnc   http://127.0.0.1:6080/vnc_auto.html?token=<token>
//	xvpvnc  http://127.0.0.1:6081/console?token=<token>
func WithConsoleURL(t state.ConsoleType, base string, form URLForm) Option {
	return func(c *config) { c.consoles[t] = ConsoleURL{Base: base, Form: form} }
}

// storeAuthenticator checks tokens against the store's API tokens.
type storeAuthenticator struct{ store *state.Store }

func (a storeAuthenticator) Authenticate(_ context.Context, token string) (*middleware.Identity, error) {
	t, err := a.store.Token(token)
	if err != nil {
		return nil, middleware.ErrUnauthenticated
	}
	return &middleware.Identity{UserID: t.UserID, UserName: t.UserName, ProjectID: t.ProjectID, Roles: t.Roles}, nil
}

// discardHandler is a slog.Handler that drops every record.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }

// identityURI is the identity endpoint a 401 names in WWW-Authenticate:
// the fake's own host under /identity, where the stub binary serves it.
func identityURI(r *http.Request) string {
	return requestBase(r) + "/identity"
}

// requestBase is the scheme and host the request came to.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
