package image

import (
	"log/slog"
	"net/http"

	"github.com/novastub/novastub/fakenova/internal/apiservice"
	"github.com/novastub/novastub/middleware"
)

// DefaultPrefix is the path the stub binary (and devstack) serve the image
// service under.
const DefaultPrefix = "/image"

// Option configures a Service. Each option documents its default.
type Option func(*config)

// config is the configuration every API service of the fake cloud has.
type config struct{ apiservice.Config }

func defaultConfig() config { return config{apiservice.New(DefaultPrefix)} }

// WithPrefix sets the path the service is mounted under (with
// http.StripPrefix), which its version document's links include when there
// is no external URL. Default: DefaultPrefix, "/image"; "" for a service
// at the root.
func WithPrefix(p string) Option { return func(c *config) { c.SetPrefix(p) } }

// WithExternalURL sets the URL clients reach the service at, such as
// https://cloud.example/image behind a proxy: Glance's public_endpoint,
// which the version document links to. Default: none, the request's scheme
// and host followed by the prefix (WithPrefix).
func WithExternalURL(u string) Option { return func(c *config) { c.SetExternalURL(u) } }

// WithLogger sets where the service logs what it refuses (never a token).
// Default: nowhere.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.SetLogger(l) } }

// WithAuthenticator sets how X-Auth-Token is checked. Default: the store's
// tokens (static ones and those the fake identity service issued), as
// every service of the fake cloud checks them.
func WithAuthenticator(a middleware.Authenticator) Option {
	return func(c *config) { c.Authenticator = a }
}

// WithAuthURI sets the identity URI a 401 names in its WWW-Authenticate
// header, per request. Default: middleware.DefaultAuthURI.
func WithAuthURI(uri func(*http.Request) string) Option {
	return func(c *config) { c.AuthURI = uri }
}
