package identity

import (
	"net/http"

	"github.com/novastub/novastub/internal/pyjson"
)

// serveUser answers GET /v3/users/{id} (keystone/api/users.py,
// UserResource.get): identity:get_user lets an admin see anyone, a user
// themselves (else 403, whether the user exists or not); the user as the
// SQL backend's User.to_dict and filter_user give it (id, name, domain_id,
// enabled, password_expires_at, options; no password, no
// default_project_id when it is null), and its link.
func (s *Service) serveUser(w http.ResponseWriter, r *http.Request, c *caller, id string) {
	if c == nil {
		s.writeError(w, r, unauthorized("no valid X-Auth-Token"))
		return
	}
	if !c.isAdmin() && c.userID != id {
		s.writeError(w, r, forbiddenAction(actionGetUser))
		return
	}
	p, ok := s.principalByID(id)
	if !ok {
		s.writeError(w, r, notFound(msgUserNotFound(id)))
		return
	}
	writeDocument(w, http.StatusOK, pyjson.Obj(pyjson.M("user", pyjson.Obj(
		pyjson.M("id", pyjson.Str(p.id)),
		pyjson.M("name", pyjson.Str(p.name)),
		pyjson.M("domain_id", pyjson.Str(p.domainID())),
		pyjson.M("enabled", pyjson.BoolValue(true)),
		pyjson.M("password_expires_at", pyjson.NullValue),
		pyjson.M("options", pyjson.Obj()),
		pyjson.M("links", pyjson.Obj(pyjson.M("self", pyjson.Str(s.v3URL(r, "users/"+p.id))))),
	))))
}
