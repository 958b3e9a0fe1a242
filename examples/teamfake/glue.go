// Package teamfake shows fakenova.Middleware in front of a team's own fake
// Nova (Upstream: integer ids, no roles, /v2 and /v2.1): the glue below is
// all it takes to give it Nova's console calls.
package teamfake

import (
	"context"
	"net/http"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// WithConsoles wraps up with novastub's console calls; st keeps the console
// tokens. Everything else reaches up unchanged.
func WithConsoles(up *Upstream, st *state.Store) http.Handler {
	servers := fakenova.ServerSourceFunc(func(_ context.Context, id string) (state.Server, error) {
		s, ok := up.Lookup(id)
		if !ok {
			return state.Server{}, &state.NotFoundError{Kind: "server", ID: id} // Nova's 404, tokens end
		}
		return state.Server{ID: id, Name: s.Name, ProjectID: s.Tenant, Host: s.Host}.WithStatus(s.Status)
	})
	consoles := fakenova.Middleware(
		fakenova.WithState(st),
		fakenova.WithServerSource(servers),
		// The team's callers carry no roles: give them Nova's member and
		// reader (tenant "0" is the team's operator: admin).
		fakenova.WithRoleMapping(func(id *middleware.Identity) []string {
			if id.ProjectID == "0" {
				return []string{"admin", "member", "reader"}
			}
			return []string{"member", "reader"}
		}),
		fakenova.WithVersionDocuments(true), // the upstream has none
	)
	return up.Authenticate(consoles(up))
}
