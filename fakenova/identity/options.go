package identity

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Defaults of the options.
const (
	// DefaultRegion is the region of the catalog's endpoints, devstack's.
	DefaultRegion = "RegionOne"
	// DefaultTokenTTL is how long a token lives: Keystone's [token]
	// expiration.
	DefaultTokenTTL = 3600 * time.Second
	// DefaultPrefix is the path the service is mounted under, where the
	// stub binary (and devstack) serve Keystone.
	DefaultPrefix = "/identity"
	// DefaultMaxTokens bounds the issued tokens kept at once (about 1.2
	// KB each): 20,000 logins an hour last their whole TTL.
	DefaultMaxTokens = 20000
)

// Option configures a Service. Each option documents its default.
type Option func(*config)

type config struct {
	region      string
	ttl         time.Duration
	computeURL  func(r *http.Request, projectID string) string
	externalURL string
	prefix      string
	logger      *slog.Logger
	maxTokens   int
}

func defaultConfig() config {
	return config{
		region:     DefaultRegion,
		ttl:        DefaultTokenTTL,
		computeURL: DefaultComputeURL,
		prefix:     DefaultPrefix,
		logger:     slog.New(discardHandler{}),
		maxTokens:  DefaultMaxTokens,
	}
}

// WithRegion sets the region of the catalog's endpoints (their "region" and
// "region_id"), the one clients select with EndpointOpts.Region or
// OS_REGION_NAME. Default: DefaultRegion, "RegionOne".
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithTokenTTL sets how long an issued token stays valid, on the store's
// clock. Default: DefaultTokenTTL, 3600 s (Keystone's default).
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithMaxTokens bounds how many issued tokens the service keeps (about
// 1.2 KB each); expired ones are dropped as new ones come. When it holds n
// live tokens, the next login evicts the oldest before its expiry (it then
// gets Keystone's 404 "Failed to validate token", and 401 from the
// compute API), counted and logged: Keystone's Fernet tokens need no
// storage, a fake's do. Default: DefaultMaxTokens; n < 1 means 1.
func WithMaxTokens(n int) Option {
	return func(c *config) { c.maxTokens = max(n, 1) }
}

// WithComputeURL sets how the catalog's compute endpoint (public, internal
// and admin alike) is built for a project-scoped token, from the request
// that asked for the token. Default: DefaultComputeURL, a fake Nova
// mounted at the root of the same host.
func WithComputeURL(f func(r *http.Request, projectID string) string) Option {
	return func(c *config) { c.computeURL = f }
}

// WithExternalURL sets the URL clients reach the service at, such as
// https://cloud.example/identity behind a proxy; the discovery documents
// link to it + "/v3/" and 401s name it + "/v3". Default: none, the
// request's scheme and host followed by the prefix (WithPrefix).
func WithExternalURL(u string) Option {
	return func(c *config) { c.externalURL = strings.TrimRight(u, "/") }
}

// WithPrefix sets the path the service is mounted under (with
// http.StripPrefix), which its links include when there is no external
// URL. Default: DefaultPrefix, "/identity"; "" for a service at the root.
func WithPrefix(p string) Option {
	return func(c *config) {
		c.prefix = strings.TrimRight(p, "/")
		if c.prefix != "" && !strings.HasPrefix(c.prefix, "/") {
			c.prefix = "/" + c.prefix
		}
	}
}

// WithLogger sets where the service logs refused authentications (with the
// user name and the reason, never a password or a token). Default:
// nowhere.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// DefaultComputeURL is the default compute endpoint of a project: the
// request's scheme and host, then /v2.1/<project_id>.
func DefaultComputeURL(r *http.Request, projectID string) string {
	return origin(r) + "/v2.1/" + projectID
}

// origin is the scheme and host the request reached.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// discardHandler is a slog.Handler that drops every record.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
