package middleware

import "context"

// Identity is who a request acts as: what keystonemiddleware puts in the
// request environment for the service behind it.
type Identity struct {
	UserID    string   // the user's id
	UserName  string   // the user's name
	ProjectID string   // the project the token is scoped to
	Roles     []string // the roles on that project, such as reader, member, admin
}

// HasRole reports whether the identity carries role.
func (id Identity) HasRole(role string) bool {
	for _, r := range id.Roles {
		if r == role {
			return true
		}
	}
	return false
}

type identityKey struct{}

// ContextWithIdentity returns a copy of ctx that carries id. Authenticate calls it;
// a project's own auth middleware may call it too, so that handlers behind
// it read the identity with IdentityFrom.
func ContextWithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity Authenticate stored in ctx. It is shared
// by every request of the same token: read it, do not modify it.
func IdentityFrom(ctx context.Context) (*Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(*Identity)
	return id, ok && id != nil
}
