package identity

import (
	"net/http"
	"slices"
	"strings"

	"github.com/novastub/novastub/state"
)

// Who a request comes from (the X-Auth-Token), and the users the service
// knows: the store's, and those its static tokens stand for.

// caller is what a request's X-Auth-Token stands for: Keystone's auth
// context, which its policies check.
type caller struct {
	token  state.AuthToken
	userID string // the token's user: tokenUserID
}

// isAdmin is Keystone's rule admin_required (role:admin), on the roles the
// token carries. Tokens are project-scoped or unscoped in the fake, so an
// admin role on any project makes an admin of the whole cloud, as it does
// in Keystone with its default policies.
func (c *caller) isAdmin() bool { return c.token.HasRole("admin") }

// authenticate is Keystone's AuthContextMiddleware
// (keystone/server/flask/request_processing/middleware/auth_context.py)
// in front of every route: X-Auth-Token (or X-Storage-Token) is validated.
// An unknown, expired or revoked token is no token at all (the route then
// answers 401 where it needs one, a POST /v3/auth/tokens goes on); but a
// token whose project or user is gone makes validate_token raise a
// NotFound that keystonemiddleware does not catch, which the middleware
// renders itself (writeMiddlewareError), whatever the route.
func (s *Service) authenticate(r *http.Request) (*caller, *apiError) {
	token := r.Header.Get("X-Auth-Token")
	if _, ok := r.Header["X-Auth-Token"]; !ok {
		token = r.Header.Get("X-Storage-Token")
	}
	if token == "" {
		return nil, nil
	}
	t, _, e := s.lookupToken(token)
	if e != nil {
		if e.invalidToken {
			return nil, nil
		}
		return nil, e
	}
	id := tokenUserID(t)
	if _, ok := s.principalByID(id); !ok {
		return nil, notFound(msgUserNotFound(id))
	}
	return &caller{token: t, userID: id}, nil
}

// principal is a user of the identity service: one of the store's users,
// or the user a static token stands for.
//
// Every Keystone token has a user, and clients need one (keystoneauth reads
// the user id; a token's own user may validate it). A static token of the
// store (the seed file's tokens[], which the stub prints) names its user
// with user_id, or names none; the principal of a static token is:
//
//   - the store's user with its user_id, when there is one: that user's
//     name, domain and role assignments;
//   - otherwise a user of its own, in the default domain, whose id is the
//     token's user_id or, when it has none, an id derived from the token
//     (tokenUserID), whose name is the token's user_name or that id, and
//     whose only role assignments are the roles of the static tokens that
//     stand for it, on their projects.
type principal struct {
	id, name string
	domain   string      // the domain's name; "" means Default
	user     *state.User // a store user, whose roles are by project name
	// tokenRoles are a token user's roles by project id.
	tokenRoles map[string][]string
}

// domainID is the id of the principal's domain.
func (p *principal) domainID() string { return state.DomainIDForName(p.domain) }

// rolesOn returns the principal's roles on a project.
func (p *principal) rolesOn(project state.Project) []string {
	if p.user != nil {
		return p.user.Roles[project.Name]
	}
	return p.tokenRoles[project.ID]
}

// isStatic reports whether a token is one of the store's static tokens
// rather than one the service issued (which always records its methods).
func isStatic(t state.AuthToken) bool { return t.Methods == 0 }

// tokenUserID is the id of a token's user: its user id, or for a static
// token without one an id derived from the token (a hash: the id does not
// reveal the token).
func tokenUserID(t state.AuthToken) string {
	if t.UserID != "" {
		return t.UserID
	}
	return stableID("static token user " + t.Token)
}

// principalOfUser is the principal of a store user.
func principalOfUser(u state.User) *principal {
	return &principal{id: u.ID, name: u.Name, domain: u.Domain, user: &u}
}

// principalByID finds a user by id: the store's, or the user that static
// tokens stand for (found by looking at every token: rare, and only for ids
// that are not the store's users).
func (s *Service) principalByID(id string) (*principal, bool) {
	if id == "" {
		return nil, false
	}
	if u, err := s.store.UserByID(id); err == nil {
		return principalOfUser(u), true
	}
	var p *principal
	for _, t := range s.store.Tokens() {
		if !isStatic(t) || tokenUserID(t) != id {
			continue
		}
		if p == nil {
			p = &principal{id: id, name: id, tokenRoles: map[string][]string{}}
		}
		if t.UserName != "" && p.name == id {
			p.name = t.UserName
		}
		roles := p.tokenRoles[t.ProjectID]
		for _, role := range t.Roles {
			if !slices.Contains(roles, role) {
				roles = append(roles, role)
			}
		}
		if len(roles) > 0 {
			p.tokenRoles[t.ProjectID] = roles
		}
	}
	return p, p != nil
}

// projectsOf returns the projects a principal has a role on, by id (Keystone's
// list_projects_for_user: effective role assignments, disabled projects
// included; the SQL backend answers them in primary key order).
func (s *Service) projectsOf(p *principal) []state.Project {
	var out []state.Project
	for _, project := range s.store.Projects() {
		if len(p.rolesOn(project)) > 0 {
			out = append(out, project)
		}
	}
	slices.SortFunc(out, func(a, b state.Project) int { return strings.Compare(a.ID, b.ID) })
	return out
}
