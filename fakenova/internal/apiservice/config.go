// Package apiservice is what the Python API services of the fake cloud
// (the image and network services; the identity service for its
// configuration) share, written once: their configuration with its
// defaults (prefix, external URL, logger, token check), the URL a service
// is reached at, the token check in front of its API, and who a request
// acts as. Each service keeps its own documented Option functions, which
// set these fields.
package apiservice

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/novastub/novastub/middleware"
)

// Config is a service's configuration.
type Config struct {
	// Prefix is the path the service is mounted under (with
	// http.StripPrefix): "" or a path starting with "/" and not ending
	// with one.
	Prefix string
	// ExternalURL is the URL clients reach the service at, without a
	// trailing "/"; "" for the request's scheme and host and the prefix.
	ExternalURL string
	// Logger is where the service logs; never nil.
	Logger *slog.Logger
	// Authenticator checks X-Auth-Token; nil for the store's tokens.
	Authenticator middleware.Authenticator
	// AuthURI is the identity URI a 401 names, per request; nil for
	// middleware.DefaultAuthURI.
	AuthURI func(*http.Request) string
}

// New returns the default configuration of a service mounted under
// prefix: no external URL, logging nowhere, the store's tokens.
func New(prefix string) Config { return Config{Prefix: prefix, Logger: Discard} }

// SetPrefix sets Prefix to CleanPrefix(p).
func (c *Config) SetPrefix(p string) { c.Prefix = CleanPrefix(p) }

// CleanPrefix is p as a mount path: "" for the root, else with a leading
// "/" and no trailing one ("image/" is "/image").
func CleanPrefix(p string) string {
	p = strings.TrimRight(p, "/")
	if p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// SetExternalURL sets ExternalURL to u without its trailing "/".
func (c *Config) SetExternalURL(u string) { c.ExternalURL = strings.TrimRight(u, "/") }

// SetLogger sets Logger to l; a nil l keeps the logger there is.
func (c *Config) SetLogger(l *slog.Logger) {
	if l != nil {
		c.Logger = l
	}
}

// BaseURL is where the service is reached: the external URL, or the
// request's scheme and host followed by the prefix (webob's
// application_url; forwarded headers are not trusted, as oslo's
// http_proxy_to_wsgi does not trust them by default).
func (c *Config) BaseURL(r *http.Request) string {
	if c.ExternalURL != "" {
		return c.ExternalURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + c.Prefix
}
