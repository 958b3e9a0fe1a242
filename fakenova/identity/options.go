package identity

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/novastub/novastub/fakenova/internal/apiservice"
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
	catalog     []catalogService
	catalogBase string
	externalURL string
	prefix      string
	logger      *slog.Logger
	maxTokens   int
}

func defaultConfig() config {
	return config{
		region:    DefaultRegion,
		ttl:       DefaultTokenTTL,
		catalog:   defaultCatalog(),
		prefix:    DefaultPrefix,
		logger:    apiservice.Discard,
		maxTokens: DefaultMaxTokens,
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

// EndpointURL builds the URL of a catalog service's endpoints (public,
// internal and admin alike) from the request that asked for the catalog (a
// token request, a validation, GET /v3/auth/catalog) and the project the
// token is scoped to, as Keystone substitutes $(project_id)s in an
// endpoint's URL.
type EndpointURL func(r *http.Request, projectID string) string

// WithEndpoint puts a service in the catalog of project-scoped tokens: its
// type (what clients look it up by: "compute", "image", "network",
// "identity", ...), its name and the URL of its public, internal and admin
// endpoints in the region. A type already in the catalog is replaced where
// it stands; a new one goes at the end. A nil url takes the service out of
// the catalog.
//
// Default: four services, in this order, each with ids that never change:
//
//	identity  keystone  the service itself: the external URL (WithExternalURL), or the
//	                    request's scheme and host followed by the prefix (WithPrefix)
//	compute   nova      <origin>/v2.1/<project_id>  (DefaultComputeURL)
//	image     glance    <origin>/image              (DefaultImageURL)
//	network   neutron   <origin>/networking         (DefaultNetworkURL)
//
// where <origin> is the catalog base URL (WithCatalogBaseURL), by default
// the request's scheme and host: the stub binary serves all four on one
// port.
func WithEndpoint(serviceType, name string, url EndpointURL) Option {
	return func(c *config) {
		for i := range c.catalog {
			if c.catalog[i].serviceType == serviceType {
				if url == nil {
					c.catalog = append(c.catalog[:i:i], c.catalog[i+1:]...)
					return
				}
				c.catalog[i] = catalogService{serviceType: serviceType, name: name, url: url}
				return
			}
		}
		if url != nil {
			c.catalog = append(c.catalog, catalogService{serviceType: serviceType, name: name, url: url})
		}
	}
}

// WithComputeURL sets the URL of the catalog's compute endpoints, keeping
// the service's name ("nova"): a shorthand for WithEndpoint("compute",
// "nova", f). Default: DefaultComputeURL on the catalog base URL, a fake
// Nova at the root of the same host.
func WithComputeURL(f func(r *http.Request, projectID string) string) Option {
	return func(c *config) {
		name := "nova"
		for _, svc := range c.catalog {
			if svc.serviceType == "compute" {
				name = svc.name
			}
		}
		WithEndpoint("compute", name, f)(c)
	}
}

// WithCatalogBaseURL sets the URL that the catalog's default compute,
// image and network endpoints are built on, such as https://cloud.example
// behind a proxy (the identity endpoint follows WithExternalURL). Default:
// none, the scheme and host of each request.
func WithCatalogBaseURL(u string) Option {
	return func(c *config) { c.catalogBase = strings.TrimRight(u, "/") }
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
	return func(c *config) { c.prefix = apiservice.CleanPrefix(p) }
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
	return origin(r) + computePath(projectID)
}

// DefaultImageURL is the default image endpoint: the request's scheme and
// host, then /image, where the stub binary serves its Glance.
func DefaultImageURL(r *http.Request, _ string) string { return origin(r) + imagePath }

// DefaultNetworkURL is the default network endpoint: the request's scheme
// and host, then /networking, where the stub binary serves its Neutron.
func DefaultNetworkURL(r *http.Request, _ string) string { return origin(r) + networkPath }

// origin is the scheme and host the request reached.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
