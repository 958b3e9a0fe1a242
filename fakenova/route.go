package fakenova

import (
	"net/http"
	"strings"

	"github.com/novastub/novastub/state"
)

// route is one row of the API's one table: the method and path (under an
// API root: /v2/{project_id}, /v2.1/{project_id} or /v2.1), the operation
// it serves, the microversions it exists at, and whether the console
// middleware owns it. The handler, the Middleware and Operations all read
// this table; a route added here is served by both.
type route struct {
	op      string // the operation; "" for /action, whose body names it (actions)
	method  string
	pattern string // segments; {name} is a parameter, "/" the API root itself
	// minVersion and maxVersion bound the microversions the route exists
	// at; outside them Nova answers its 404 (VersionNotFoundForAPIMethod).
	// Zero means no bound.
	minVersion, maxVersion Microversion
	// console marks the calls the console Middleware answers; the other
	// routes pass through it.
	console bool
	// actions: POST /servers/{id}/action, where the body's key picks the
	// action (and the operation) from the action table.
	actions bool
	serve   func(*Nova, *call) error

	segments []string // pattern, split at "/"
	statics  int      // how many of them are not parameters
}

// routes is the table. Nova registers every route twice, with and without
// a project id in front (/v2.1/{project_id}/servers and /v2.1/servers);
// the router tries the project-less form first.
var routes = newRouter([]*route{
	{op: "showVersion", method: http.MethodGet, pattern: "/", serve: (*Nova).serveShowVersion},
	{op: "createServer", method: http.MethodPost, pattern: "/servers", serve: (*Nova).serveCreateServer},
	{op: "listServers", method: http.MethodGet, pattern: "/servers", serve: (*Nova).serveListServers},
	{op: "listServersDetailed", method: http.MethodGet, pattern: "/servers/detail", serve: (*Nova).serveListServersDetailed},
	{op: "showServer", method: http.MethodGet, pattern: "/servers/{server_id}", serve: (*Nova).serveShowServer},
	{op: "deleteServer", method: http.MethodDelete, pattern: "/servers/{server_id}", serve: (*Nova).serveDeleteServer},
	{method: http.MethodPost, pattern: "/servers/{server_id}/action", actions: true},
	{op: "listFlavors", method: http.MethodGet, pattern: "/flavors", serve: (*Nova).serveListFlavors},
	{op: "listFlavorsDetailed", method: http.MethodGet, pattern: "/flavors/detail", serve: (*Nova).serveListFlavorsDetailed},
	{op: "showFlavor", method: http.MethodGet, pattern: "/flavors/{flavor_id}", serve: (*Nova).serveShowFlavor},
	{op: "listFlavorExtraSpecs", method: http.MethodGet, pattern: "/flavors/{flavor_id}/os-extra_specs",
		serve: (*Nova).serveListFlavorExtraSpecs},
	{op: "showFlavorExtraSpec", method: http.MethodGet, pattern: "/flavors/{flavor_id}/os-extra_specs/{key}",
		serve: (*Nova).serveShowFlavorExtraSpec},
	{op: "listComputeNetworks", method: http.MethodGet, pattern: "/os-networks", maxVersion: maxProxyVersion,
		serve: (*Nova).serveListComputeNetworks},
	{op: "showComputeNetwork", method: http.MethodGet, pattern: "/os-networks/{network_id}", maxVersion: maxProxyVersion,
		serve: (*Nova).serveShowComputeNetwork},
	{op: "createConsole", method: http.MethodPost, pattern: "/servers/{server_id}/remote-consoles",
		minVersion: Microversion{2, 6}, console: true, serve: (*Nova).serveCreateConsole},
	{op: "showConsoleConnectionInfo", method: http.MethodGet, pattern: "/os-console-auth-tokens/{console_token}",
		console: true, serve: (*Nova).serveShowConsoleToken},
})

// maxParams is the most parameters a route has.
const maxParams = 2

// maxProxyVersion is Nova's MAX_PROXY_API_SUPPORT_VERSION: the proxy APIs
// (os-networks, ...) are gone from 2.36.
var maxProxyVersion = Microversion{2, 35}

// param is a parameter of the matched route.
type param struct{ name, value string }

// router finds the route of a path. It is the project's own rather than
// httprouter's: Nova's URLs put a static segment beside a parameter
// (/servers/detail beside /servers/{server_id}), which httprouter v1
// refuses, and a match must say which row of the table it found. Static
// segments win over parameters; a parameter never matches an empty
// segment. A path is split once; only the routes of its method and
// number of segments are tried.
type router struct {
	byShape [len(routeMethods)][maxSegments + 1][]*route // most static segments first
	all     []*route
}

// routeMethods are the methods routes have.
var routeMethods = [...]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}

// methodIndex is method's place in routeMethods, or -1.
func methodIndex(method string) int {
	switch method {
	case http.MethodGet:
		return 0
	case http.MethodPost:
		return 1
	case http.MethodPut:
		return 2
	case http.MethodDelete:
		return 3
	case http.MethodPatch:
		return 4
	}
	return -1
}

// maxSegments is the most segments a route's pattern has.
const maxSegments = 4

// segments is a path split at "/".
type segments struct {
	parts [maxSegments + 1]string // the project's segment and a route's
	n     int
}

// split cuts path (which starts with "/") into its segments; ok is false
// when it has more than a project's and a route's.
func (sg *segments) split(path string) bool {
	rest := path[1:]
	for sg.n = 0; sg.n < len(sg.parts); sg.n++ {
		slash := strings.IndexByte(rest, '/')
		if slash < 0 {
			sg.parts[sg.n] = rest
			sg.n++
			return true
		}
		sg.parts[sg.n], rest = rest[:slash], rest[slash+1:]
	}
	return false
}

func newRouter(table []*route) *router {
	rt := &router{all: table}
	for _, r := range table {
		if r.pattern != "/" {
			r.segments = strings.Split(r.pattern[1:], "/")
		} else {
			r.segments = []string{""}
		}
		for _, s := range r.segments {
			if !isParam(s) {
				r.statics++
			}
		}
		m := methodIndex(r.method)
		if m < 0 || len(r.segments) > maxSegments {
			panic("fakenova: route " + r.method + " " + r.pattern + " has a method or length the router does not take")
		}
		rs := rt.byShape[m][len(r.segments)]
		i := len(rs)
		for i > 0 && rs[i-1].statics < r.statics {
			i--
		}
		rt.byShape[m][len(r.segments)] = append(rs[:i], append([]*route{r}, rs[i:]...)...)
	}
	return rt
}

func isParam(segment string) bool {
	return len(segment) > 2 && segment[0] == '{' && segment[len(segment)-1] == '}'
}

// match finds the route of method and the path split into parts, filling
// params; ok is false when no route takes it.
func (rt *router) match(method int, parts []string, params *[maxParams]param) (r *route, n int, ok bool) {
	if len(parts) > maxSegments {
		return nil, 0, false
	}
	for _, r := range rt.byShape[method][len(parts)] {
		if n, ok := r.match(parts, params); ok {
			return r, n, true
		}
	}
	return nil, 0, false
}

// match matches a path's parts, as many as the route's segments.
func (r *route) match(parts []string, params *[maxParams]param) (int, bool) {
	n := 0
	for i, seg := range r.segments {
		part := parts[i]
		if isParam(seg) {
			if part == "" {
				return 0, false
			}
			params[n] = param{seg[1 : len(seg)-1], part}
			n++
		} else if part != seg {
			return 0, false
		}
	}
	return n, true
}

// apiMatch is where a request's path leads in the API.
type apiMatch struct {
	route      *route
	params     [maxParams]param
	nparams    int
	legacy     bool   // under /v2: Nova's legacy endpoint
	urlProject string // the project id in the URL; "" when project-less
}

// splitAPIRoot cuts /v2.1/... and /v2/... into the API root and the rest
// ("/..."); ok is false for a path under neither.
func splitAPIRoot(path string) (rest string, legacy, ok bool) {
	switch {
	case strings.HasPrefix(path, "/v2.1/"):
		return path[len("/v2.1"):], false, true
	case strings.HasPrefix(path, "/v2/"):
		return path[len("/v2"):], true, true
	}
	return "", false, false
}

// projectSegment is how a router takes the project segment of a URL.
type projectSegment uint8

const (
	// anyProject takes any segment as a project: a malformed one is then
	// the spec's 400 (the standalone fake).
	anyProject projectSegment = iota
	// novaProjectPattern takes only what Nova's route does,
	// [0-9a-f-]+ ("integers are a subset"): the Middleware, in front of a
	// handler that owns its projects.
	novaProjectPattern
)

// matchAPI finds the route of an API path (after the API root): the
// project-less form first, as Nova's router; then the first segment as a
// project id and the rest (the version document's "/" when nothing is
// left) as the route. A lone segment that is no well-formed project id is
// an unknown collection (/v2.1/flavors), not a malformed project.
func (rt *router) matchAPI(method, rest string, legacy bool, projects projectSegment, m *apiMatch) bool {
	m.legacy = legacy
	mi := methodIndex(method)
	var sg segments
	if mi < 0 || !sg.split(rest) {
		return false
	}
	if r, n, ok := rt.match(mi, sg.parts[:sg.n], &m.params); ok {
		m.route, m.nparams = r, n
		return true
	}
	project, sub := sg.parts[0], sg.parts[1:sg.n]
	if len(sub) == 0 {
		sub = sg.parts[1:2] // the API root, "/": one empty segment (split left it "")
	}
	if project == "" {
		return false
	}
	switch projects {
	case novaProjectPattern:
		if !novaProjectID(project) {
			return false
		}
	default:
		if len(sub) == 1 && sub[0] == "" && !state.ValidProjectID(project) {
			return false
		}
	}
	r, n, ok := rt.match(mi, sub, &m.params)
	if !ok {
		return false
	}
	m.route, m.nparams, m.urlProject = r, n, project
	return true
}

// novaProjectID reports whether s matches the project segment of Nova's
// routes (nova/api/openstack/compute/routes.py): [0-9a-f-]+.
func novaProjectID(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == '-') {
			return false
		}
	}
	return s != ""
}

// param returns the value of the named parameter of the matched route, or "".
func (m *apiMatch) param(name string) string {
	for _, p := range m.params[:m.nparams] {
		if p.name == name {
			return p.value
		}
	}
	return ""
}
