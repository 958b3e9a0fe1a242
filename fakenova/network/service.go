package network

import (
	"net/http"
	"strings"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// Service is a fake Neutron v2.0 network service, an http.Handler answering
// from a state.Store's networks, subnets and ports. It is safe for
// concurrent use.
type Service struct {
	cfg   config
	store *state.Store
	api   http.Handler // /v2.0/...: request id, authentication, routes
}

// New returns a network service answering from store (a nil store means a
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
	// Neutron's /v2.0 pipeline: cors http_proxy_to_wsgi request_id
	// catch_errors osprofiler authtoken keystonecontext extensions.
	s.api = setRequestID(cfg.Authenticated(store, http.HandlerFunc(s.route)))
	return s
}

// setRequestID is oslo.middleware's RequestId: X-Openstack-Request-Id on
// every answer.
func setRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()[middleware.HeaderOpenstackRequestID] = []string{middleware.NewRequestID()}
		next.ServeHTTP(w, r)
	})
}

// State returns the store the service answers from.
func (s *Service) State() *state.Store { return s.store }

// ServeHTTP answers as Neutron's urlmap routes: / to the versions
// application (no token), /v2.0 and below to the API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/v2.0" || strings.HasPrefix(p, "/v2.0/"):
		s.api.ServeHTTP(w, r)
	case p == "/" || p == "":
		if r.Method != http.MethodGet {
			writeError(w, errMethodNotAllowed)
			return
		}
		s.serveVersions(w, r)
	default:
		writeError(w, errResourceNotFound)
	}
}

// serveVersions answers GET /: RootController.index, rendered by pecan's
// JSON encoder (", " and ": ").
func (s *Service) serveVersions(w http.ResponseWriter, r *http.Request) {
	b := append([]byte(nil), `{"versions": [{"id": "v2.0", "status": "CURRENT", "links": [{"rel": "self", "href": `...)
	b = pyjson.AppendString(b, s.cfg.BaseURL(r)+"/v2.0/")
	b = append(b, "}]}]}"...)
	wire.WriteJSON(w, http.StatusOK, b)
}

// emptyCollections are collections a deployment has that the fake does
// not model: their lists are empty, as in a cloud without any.
var emptyCollections = map[string]bool{"security-groups": true, "security-group-rules": true,
	"floatingips": true, "routers": true, "subnetpools": true, "address-scopes": true, "trunks": true}

// route answers an authenticated /v2.0 request.
func (s *Service) route(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/v2.0")
	if rest == "/" {
		if r.Method != http.MethodGet {
			writeError(w, errMethodNotAllowed)
			return
		}
		s.serveResources(w, r)
		return
	}
	if rest == "" {
		writeError(w, errResourceNotFound)
		return
	}
	seg := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	last := len(seg) - 1
	seg[last] = strings.TrimSuffix(seg[last], ".json")
	collection := seg[0]
	var res *resource
	switch collection {
	case "networks":
		res = networks
	case "subnets":
		res = subnets
	case "ports":
		res = ports
	case "extensions":
		if len(seg) > 2 || r.Method != http.MethodGet {
			s.refuse(w, r, len(seg) <= 2)
			return
		}
		if len(seg) == 1 {
			s.serveExtensions(w)
		} else {
			s.serveExtension(w, seg[1])
		}
		return
	default:
		if !emptyCollections[collection] || len(seg) > 2 {
			writeError(w, errResourceNotFound)
			return
		}
	}
	if len(seg) > 2 {
		writeError(w, errResourceNotFound)
		return
	}
	if r.Method != http.MethodGet {
		s.refuse(w, r, true)
		return
	}
	q := parseQuery(r)
	if res == nil {
		if len(seg) == 2 {
			writeError(w, notFoundOf(collection, seg[1]))
			return
		}
		if _, _, err := pageOf(q); err != nil {
			writeError(w, err)
			return
		}
		wire.WriteJSON(w, http.StatusOK, []byte(`{"`+collectionKey(collection)+`":[]}`))
		return
	}
	if len(seg) == 2 {
		s.serveShow(w, r, res, seg[1], q)
		return
	}
	s.serveList(w, r, res, q)
}

// collectionKey is a collection's key in its list body (Neutron's
// collection names use "_" where the URL has "-").
func collectionKey(collection string) string { return strings.ReplaceAll(collection, "-", "_") }

// refuse answers a method the fake does not serve: 501 for what Neutron
// serves there (creating, changing or deleting), 405 for the others.
func (s *Service) refuse(w http.ResponseWriter, r *http.Request, neutronServes bool) {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodDelete:
		if neutronServes {
			writeError(w, errNotServed)
			return
		}
	}
	writeError(w, errMethodNotAllowed)
}

// serveResources answers GET /v2.0/: V2Controller.index, the core
// resources linking to their collections.
func (s *Service) serveResources(w http.ResponseWriter, r *http.Request) {
	base := s.cfg.BaseURL(r) + "/v2.0/"
	b := append([]byte(nil), `{"resources": [`...)
	for i, c := range [][2]string{{"network", "networks"}, {"subnet", "subnets"}, {"subnetpool", "subnetpools"}, {"port", "ports"}} {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, `{"name": "`+c[0]+`", "collection": "`+c[1]+`", "links": [{"rel": "self", "href": `...)
		b = pyjson.AppendString(b, base+c[1])
		b = append(b, "}]}"...)
	}
	b = append(b, "]}"...)
	wire.WriteJSON(w, http.StatusOK, b)
}
