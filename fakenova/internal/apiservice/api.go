package apiservice

import (
	"net/http"

	"github.com/novastub/novastub/fakenova/internal/storeauth"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// Authenticated puts keystonemiddleware's authtoken in front of a
// service's API handler h, inside middleware.Recover: a request whose
// X-Auth-Token the Authenticator (by default the store's tokens) does not
// accept gets the 401 naming AuthURI; the others reach h with their
// identity in the context (Viewer).
func (c *Config) Authenticated(store *state.Store, h http.Handler) http.Handler {
	a := c.Authenticator
	if a == nil {
		a = storeauth.New(store)
	}
	opts := []middleware.AuthOption{middleware.WithAuthLogger(c.Logger)}
	if c.AuthURI != nil {
		opts = append(opts, middleware.WithAuthURI(c.AuthURI))
	}
	return middleware.Recover(c.Logger)(middleware.Authenticate(a, opts...)(h))
}

// Viewer is who an authenticated request acts as: its token's project,
// and whether the token has the admin role.
func Viewer(r *http.Request) state.Viewer {
	id, _ := middleware.IdentityFrom(r.Context())
	if id == nil {
		return state.Viewer{}
	}
	return state.Viewer{ProjectID: id.ProjectID, Admin: id.HasRole("admin")}
}
