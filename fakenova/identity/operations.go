package identity

import (
	"net/http"
	"strings"
)

// The operations of the service, as the fake Nova's journal and fault rules
// name them.
const (
	OpDiscovery        = "identityDiscovery" // GET /, GET /v3
	OpCreateToken      = "createToken"       // POST /v3/auth/tokens
	OpValidateToken    = "validateToken"     // GET and HEAD /v3/auth/tokens
	OpRevokeToken      = "revokeToken"       // DELETE /v3/auth/tokens
	OpListProjects     = "listProjects"      // GET /v3/projects
	OpShowProject      = "showProject"       // GET /v3/projects/{id}
	OpListAuthProjects = "listAuthProjects"  // GET /v3/auth/projects
	OpShowAuthCatalog  = "showAuthCatalog"   // GET /v3/auth/catalog
	OpShowUser         = "showUser"          // GET /v3/users/{id}
	OpListUserProjects = "listUserProjects"  // GET /v3/users/{id}/projects
)

// Operations are the names of every operation of the service, the names
// Operation gives.
var Operations = []string{
	OpDiscovery, OpCreateToken, OpValidateToken, OpRevokeToken,
	OpListProjects, OpShowProject, OpListAuthProjects, OpShowAuthCatalog, OpShowUser, OpListUserProjects,
}

// Operation names the operation of a request to the service (one of
// Operations; a GET's name is its HEAD's too), or "" for a request that
// is none of them. It reads the end of the path, so it names requests
// before and after http.StripPrefix alike, for use with fakenova's
// Nova.Wrap:
//
//	mux.Handle("/identity/", nova.Wrap(identity.Operation, http.StripPrefix("/identity", svc)))
func Operation(r *http.Request) string {
	p := strings.TrimRight(r.URL.Path, "/")
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	// The API's path starts at a "/v3" segment, after whatever prefix.
	for i := strings.Index(p, "/v3"); i >= 0; {
		if rt, ok := parseRoute(p[i:]); ok && rt.kind != routeVersions {
			switch rt.kind {
			case routeVersion:
				if read {
					return OpDiscovery
				}
			case routeTokens:
				switch r.Method {
				case http.MethodPost:
					return OpCreateToken
				case http.MethodGet, http.MethodHead:
					return OpValidateToken
				case http.MethodDelete:
					return OpRevokeToken
				}
			default:
				if read {
					return readOperations[rt.kind]
				}
			}
			return ""
		}
		j := strings.Index(p[i+1:], "/v3")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	// The root, under at most a one-segment prefix: the versions.
	if read && !strings.Contains(strings.TrimPrefix(p, "/"), "/") {
		return OpDiscovery
	}
	return ""
}

var readOperations = map[routeKind]string{
	routeProjects:     OpListProjects,
	routeProject:      OpShowProject,
	routeAuthProjects: OpListAuthProjects,
	routeAuthCatalog:  OpShowAuthCatalog,
	routeUser:         OpShowUser,
	routeUserProjects: OpListUserProjects,
}

// routeKind is a resource of the service.
type routeKind uint8

const (
	routeVersions     routeKind = iota + 1 // /
	routeVersion                           // /v3
	routeTokens                            // /v3/auth/tokens
	routeProjects                          // /v3/projects
	routeProject                           // /v3/projects/{id}
	routeAuthProjects                      // /v3/auth/projects
	routeAuthCatalog                       // /v3/auth/catalog
	routeUser                              // /v3/users/{id}
	routeUserProjects                      // /v3/users/{id}/projects
)

// route is a resource and its id, if it has one.
type route struct {
	kind routeKind
	id   string
}

// parseRoute finds the resource of a path relative to the service (no
// trailing slash), as flask's URL map does: an id is one non-empty segment.
func parseRoute(path string) (route, bool) {
	switch path {
	case "/":
		return route{kind: routeVersions}, true
	case "/v3":
		return route{kind: routeVersion}, true
	case "/v3/auth/tokens":
		return route{kind: routeTokens}, true
	case "/v3/auth/projects":
		return route{kind: routeAuthProjects}, true
	case "/v3/auth/catalog":
		return route{kind: routeAuthCatalog}, true
	case "/v3/projects":
		return route{kind: routeProjects}, true
	}
	if id, ok := strings.CutPrefix(path, "/v3/projects/"); ok && id != "" && !strings.Contains(id, "/") {
		return route{kind: routeProject, id: id}, true
	}
	if rest, ok := strings.CutPrefix(path, "/v3/users/"); ok {
		id, tail, _ := strings.Cut(rest, "/")
		switch {
		case id == "":
		case tail == "" && !strings.HasSuffix(rest, "/"):
			return route{kind: routeUser, id: id}, true
		case tail == "projects":
			return route{kind: routeUserProjects, id: id}, true
		}
	}
	return route{}, false
}
