package network

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/novastub/novastub/middleware"
)

// DefaultPrefix is the path the stub binary (and devstack) serve the network
// service under.
const DefaultPrefix = "/networking"

// Option configures a Service. Each option documents its default.
type Option func(*config)

type config struct {
	prefix        string
	externalURL   string
	logger        *slog.Logger
	authenticator middleware.Authenticator
	authURI       func(*http.Request) string
}

func defaultConfig() config {
	return config{prefix: DefaultPrefix, logger: slog.New(discardHandler{})}
}

// WithPrefix sets the path the service is mounted under (with
// http.StripPrefix), which its links include when there
// is no external URL. Default: DefaultPrefix, "/networking"; "" for a service
// at the root.
func WithPrefix(p string) Option {
	return func(c *config) {
		c.prefix = strings.TrimRight(p, "/")
		if c.prefix != "" && !strings.HasPrefix(c.prefix, "/") {
			c.prefix = "/" + c.prefix
		}
	}
}

// WithExternalURL sets the URL clients reach the service at, such as
// https://cloud.example/networking behind a proxy, Neutron's
// network_link_prefix, which its links use. Default: none, the request's scheme
// and host followed by the prefix (WithPrefix).
func WithExternalURL(u string) Option {
	return func(c *config) { c.externalURL = strings.TrimRight(u, "/") }
}

// WithLogger sets where the service logs what it refuses (never a token).
// Default: nowhere.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithAuthenticator sets how X-Auth-Token is checked. Default: the store's
// tokens (static ones and those the fake identity service issued), as
// every service of the fake cloud checks them.
func WithAuthenticator(a middleware.Authenticator) Option {
	return func(c *config) { c.authenticator = a }
}

// WithAuthURI sets the identity URI a 401 names in its WWW-Authenticate
// header, per request. Default: middleware.DefaultAuthURI.
func WithAuthURI(uri func(*http.Request) string) Option {
	return func(c *config) { c.authURI = uri }
}

// discardHandler is a slog.Handler that drops every record.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
