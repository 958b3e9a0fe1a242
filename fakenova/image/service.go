package image

import (
	"net/http"
	"strings"

	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// Service is a fake Glance v2 image service, an http.Handler answering from
// a state.Store's images. It is safe for concurrent use.
type Service struct {
	cfg   config
	store *state.Store
	api   http.Handler // /v2/...: authentication, then the routes
}

// New returns an image service answering from store (a nil store means a
// new, empty one), configured by opts.
func New(store *state.Store, opts ...Option) *Service {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if store == nil {
		store = state.New()
	}
	s := &Service{cfg: cfg, store: store}
	// Glance's keystone pipeline: versionnegotiation (before authtoken),
	// authtoken, context (which sets the request id), the v2 router.
	s.api = cfg.Authenticated(store, http.HandlerFunc(s.route))
	return s
}

// State returns the store the service answers from.
func (s *Service) State() *state.Store { return s.store }

// allowedVersions are the URL prefixes Glance's version negotiation takes
// for v2 with [DEFAULT] image_cache_dir set and no enabled_backends
// (devstack's configuration): version_negotiation.py _get_allowed_versions.
var allowedVersions = map[string]struct{}{
	"v2": {}, "v2.0": {}, "v2.1": {}, "v2.2": {}, "v2.3": {}, "v2.4": {}, "v2.5": {}, "v2.6": {},
	"v2.7": {}, "v2.9": {}, "v2.14": {}, "v2.15": {}, "v2.16": {}, "v2.17": {}, "v2.18": {},
}

// vndMediaType is the Accept header prefix that selects a version.
const vndMediaType = "application/vnd.openstack.images-"

// ServeHTTP answers as Glance's version negotiation middleware routes: a
// path starting with /versions gets the version document (200), a path
// whose first segment is a known version (or an Accept header naming one)
// goes to the v2 API as /v2/..., and anything else gets the version
// document with 300 Multiple Choices, whatever the method.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	first, rest := splitFirst(path)
	if first == "versions" {
		s.serveVersions(w, r, http.StatusOK)
		return
	}
	version := first
	if accept := r.Header.Get("Accept"); strings.HasPrefix(accept, vndMediaType) {
		version, rest = accept[len(vndMediaType):], path
	}
	if _, ok := allowedVersions[version]; !ok {
		s.serveVersions(w, r, http.StatusMultipleChoices)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/v2" + rest
	r2.URL.RawPath = ""
	s.api.ServeHTTP(w, r2)
}

// splitFirst pops the first segment of path as webob's path_info_pop does
// after Glance strips the leading slashes: ("v2", "/images") for
// "/v2/images".
func splitFirst(path string) (string, string) {
	path = strings.TrimLeft(path, "/")
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[:i], path[i:]
	}
	return path, ""
}

// route dispatches an authenticated /v2 request as Glance's v2 router
// does, after setting the request id as its context middleware does.
func (s *Service) route(w http.ResponseWriter, r *http.Request) {
	w.Header()[middleware.HeaderOpenstackRequestID] = []string{middleware.NewRequestID()}
	p := strings.TrimPrefix(r.URL.Path, "/v2")
	if p == "/images" {
		if r.Method == http.MethodGet {
			s.serveList(w, r)
			return
		}
		s.notServed(w, r, "GET, POST")
		return
	}
	if id, ok := strings.CutPrefix(p, "/images/"); ok && id != "" && !strings.Contains(id, "/") {
		if r.Method == http.MethodGet {
			s.serveShow(w, r, id)
			return
		}
		s.notServed(w, r, "GET, PATCH, DELETE")
		return
	}
	if allow := glanceRoute(p); allow != "" {
		s.notServed(w, r, allow)
		return
	}
	writeError(w, r, http.StatusNotFound, "The resource could not be found.")
}

// notServed answers a route Glance has but the fake does not serve: 405
// with Glance's Allow for a method Glance refuses there, else 501.
func (s *Service) notServed(w http.ResponseWriter, r *http.Request, allow string) {
	for _, m := range strings.Split(allow, ", ") {
		if m == r.Method {
			writeError(w, r, http.StatusNotImplemented, msgNotServed)
			return
		}
	}
	w.Header().Set("Allow", allow)
	writeError(w, r, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed for this resource.")
}

// glanceRoute returns the methods Glance's v2 router (glance/api/v2/
// router.py) allows on p, one of its routes the fake does not serve, or ""
// when p is none of them.
func glanceRoute(p string) string {
	seg := strings.Split(strings.TrimPrefix(p, "/"), "/")
	switch {
	case len(seg) == 2 && seg[0] == "schemas":
		switch seg[1] {
		case "image", "images", "member", "members", "task", "tasks":
			return "GET"
		}
	case len(seg) == 3 && seg[0] == "schemas" && seg[1] == "metadefs":
		return "GET"
	case len(seg) == 1 && seg[0] == "tasks":
		return "GET, POST"
	case len(seg) == 2 && seg[0] == "tasks":
		return "GET, DELETE"
	case len(seg) == 2 && seg[0] == "info" && (seg[1] == "import" || seg[1] == "stores" || seg[1] == "usage"):
		return "GET"
	case len(seg) == 3 && seg[0] == "info" && seg[1] == "stores" && seg[2] == "detail":
		return "GET"
	case len(seg) == 3 && seg[0] == "images":
		switch seg[2] {
		case "file":
			return "GET, PUT"
		case "members":
			return "GET, POST"
		case "import":
			return "POST"
		case "stage":
			return "PUT"
		case "tasks", "locations":
			return "GET"
		}
	case len(seg) == 4 && seg[0] == "images":
		switch seg[2] {
		case "members":
			return "GET, PUT, DELETE"
		case "tags":
			return "PUT, DELETE"
		case "actions":
			if seg[3] == "deactivate" || seg[3] == "reactivate" {
				return "POST"
			}
		}
	}
	return ""
}
