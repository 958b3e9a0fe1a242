package fakenova

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// CORS as Nova's and Keystone's [cors] sections offer it: oslo.middleware's
// CORS filter (oslo_middleware/cors.py), first in both services' paste
// pipelines, with the defaults each service sets (nova/middleware.py
// set_defaults; keystone/conf/__init__.py set_external_opts_defaults).

// corsPolicy is one service's [cors] options.
type corsPolicy struct {
	allowCredentials bool
	exposeHeaders    []string
	maxAge           int
	allowMethods     []string
	allowHeaders     []string // with oslo's simple headers, uppercased
}

// corsSimpleHeaders are oslo's CORS.simple_headers, always allowed.
var corsSimpleHeaders = []string{"Accept", "Accept-Language", "Content-Type", "Cache-Control",
	"Content-Language", "Expires", "Last-Modified", "Pragma"}

func newCORSPolicy(expose, methods, headers []string) *corsPolicy {
	p := &corsPolicy{allowCredentials: true, exposeHeaders: expose, maxAge: 3600, allowMethods: methods}
	for _, h := range append(append([]string(nil), headers...), corsSimpleHeaders...) {
		p.allowHeaders = append(p.allowHeaders, strings.ToUpper(h))
	}
	return p
}

// novaCORS is Nova's [cors] defaults.
var novaCORS = newCORSPolicy(
	[]string{"X-Auth-Token", "X-Openstack-Request-Id", "X-Subject-Token", "X-Service-Token",
		"X-OpenStack-Nova-API-Version", "OpenStack-API-Version"},
	[]string{"GET", "PUT", "POST", "DELETE", "PATCH"},
	[]string{"X-Auth-Token", "X-Openstack-Request-Id", "X-Identity-Status", "X-Roles", "X-Service-Catalog",
		"X-User-Id", "X-Tenant-Id", "X-OpenStack-Nova-API-Version", "OpenStack-API-Version"})

// keystoneCORS is Keystone's [cors] defaults.
var keystoneCORS = newCORSPolicy(
	[]string{"X-Auth-Token", "X-Openstack-Request-Id", "X-Subject-Token", "Openstack-Auth-Receipt"},
	[]string{"GET", "PUT", "POST", "DELETE", "PATCH"},
	[]string{"X-Auth-Token", "X-Openstack-Request-Id", "X-Subject-Token", "X-Project-Id", "X-Project-Name",
		"X-Project-Domain-Id", "X-Project-Domain-Name", "X-Domain-Id", "X-Domain-Name", "Openstack-Auth-Receipt"})

// glanceCORS is Glance's [cors] defaults (glance/common/config.py,
// set_config_defaults).
var glanceCORS = newCORSPolicy(
	[]string{"Content-MD5", "X-Image-Meta-Checksum", "X-Storage-Token", "Accept-Encoding", "X-Auth-Token",
		"X-Identity-Status", "X-Roles", "X-Service-Catalog", "X-User-Id", "X-Tenant-Id", "X-OpenStack-Request-ID"},
	[]string{"GET", "PUT", "POST", "DELETE", "PATCH"},
	[]string{"X-Image-Meta-Checksum", "X-Auth-Token", "X-Subject-Token", "X-Service-Token", "X-OpenStack-Request-ID"})

// neutronCORS is Neutron's [cors] defaults (neutron/common/config.py,
// set_config_defaults).
var neutronCORS = newCORSPolicy(
	[]string{"X-Auth-Token", "X-Identity-Status", "X-Roles", "X-Service-Catalog", "X-User-Id", "X-Tenant-Id",
		"X-OpenStack-Request-ID"},
	[]string{"GET", "PUT", "POST", "DELETE", "PATCH"},
	[]string{"X-Auth-Token", "X-Subject-Token", "X-Service-Token", "X-OpenStack-Request-ID"})

// WithCORS answers cross-origin requests from the given origins
// ("https://app.example", or "*" for any) as Nova's and Keystone's [cors]
// allowed_origin does, with each service's default headers and methods:
// a preflight (OPTIONS) gets an empty 200 with Access-Control-Allow-*
// headers when its origin, method and headers are allowed; an allowed
// origin's other requests get Access-Control-Allow-Origin,
// -Allow-Credentials and -Expose-Headers (X-Openstack-Request-Id and the
// microversion headers among them). The control plane and the console
// pages never answer cross-origin. Default: none, and OPTIONS is served
// as any other method.
func WithCORS(origins ...string) Option {
	return func(c *config) { c.corsOrigins = append(c.corsOrigins, origins...) }
}

// cors is oslo's CORS filter around h with policy p, for the origins.
func cors(h http.Handler, origins []string, p *corsPolicy) http.Handler {
	if len(origins) == 0 {
		return h
	}
	allowed := func(origin string) (string, bool) {
		switch {
		case slices.Contains(origins, origin):
			return origin, true
		case slices.Contains(origins, "*"):
			return "*", true
		}
		return "", false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			// Nova and Keystone answer OPTIONS with an error (401 or
			// 404), which the filter replaces with an empty 200 without a
			// Content-Type: the answer is the filter's alone.
			hdr := w.Header()
			hdr.Set("Content-Length", "0")
			p.preflight(hdr, r, allowed)
			w.WriteHeader(http.StatusOK)
			return
		}
		origin, ok := "", false
		if values, sent := r.Header["Origin"]; sent {
			origin, ok = allowed(values[0])
		}
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(&corsWriter{ResponseWriter: w, origin: origin, p: p}, r)
	})
}

// preflight sets the preflight headers (oslo's
// _apply_cors_preflight_headers) when the request's origin, method and
// headers are allowed.
func (p *corsPolicy) preflight(hdr http.Header, r *http.Request, allowed func(string) (string, bool)) {
	values, sent := r.Header["Origin"]
	if !sent {
		return
	}
	origin, ok := allowed(values[0])
	if !ok {
		return
	}
	methods, sent := r.Header["Access-Control-Request-Method"]
	if !sent || !slices.Contains(p.allowMethods, methods[0]) {
		return
	}
	var requested []string
	if v, sent := r.Header["Access-Control-Request-Headers"]; sent {
		for _, h := range strings.Split(v[0], ",") {
			if h = strings.TrimSpace(h); h != "" {
				requested = append(requested, h)
			}
		}
	}
	for _, h := range requested {
		if !slices.Contains(p.allowHeaders, strings.ToUpper(h)) {
			return
		}
	}
	hdr.Set("Vary", "Origin")
	hdr.Set("Access-Control-Allow-Origin", origin)
	if p.allowCredentials {
		hdr.Set("Access-Control-Allow-Credentials", "true")
	}
	if p.maxAge != 0 {
		hdr.Set("Access-Control-Max-Age", strconv.Itoa(p.maxAge))
	}
	hdr.Set("Access-Control-Allow-Methods", methods[0])
	if len(requested) > 0 {
		hdr.Set("Access-Control-Allow-Headers", strings.Join(requested, ","))
	}
}

// corsWriter adds the simple-request headers (oslo's
// _apply_cors_request_headers) to an answer as its head is written.
type corsWriter struct {
	http.ResponseWriter
	origin  string
	p       *corsPolicy
	written bool
}

func (c *corsWriter) apply() {
	if c.written {
		return
	}
	c.written = true
	hdr := c.ResponseWriter.Header()
	if hdr.Get("Access-Control-Allow-Origin") != "" {
		return
	}
	// webob's headers['Vary'] += ',Origin' reads the last Vary line and
	// replaces every Vary line with it: Nova's two become one.
	if vary := hdr["Vary"]; len(vary) > 0 {
		hdr["Vary"] = []string{vary[len(vary)-1] + ",Origin"}
	} else {
		hdr.Set("Vary", "Origin")
	}
	hdr.Set("Access-Control-Allow-Origin", c.origin)
	if c.p.allowCredentials {
		hdr.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.p.exposeHeaders) > 0 {
		hdr.Set("Access-Control-Expose-Headers", strings.Join(c.p.exposeHeaders, ","))
	}
}

func (c *corsWriter) WriteHeader(code int) {
	c.apply()
	c.ResponseWriter.WriteHeader(code)
}

func (c *corsWriter) Write(b []byte) (int, error) {
	c.apply()
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (c *corsWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
