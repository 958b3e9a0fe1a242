package state

import "time"

// AuthToken is an API token and the identity it stands for: a static token
// seeded by a test, or one the fake identity service issued.
type AuthToken struct {
	// Token is the secret a client sends as X-Auth-Token.
	Token    string `json:"token"`
	UserID   string `json:"user_id,omitempty"`   // the user the token stands for
	UserName string `json:"user_name,omitempty"` // that user's name
	// ProjectID is the project the token is scoped to. It may name a
	// project the store does not have: that models a project deleted after
	// the token was issued. Empty means an unscoped token.
	ProjectID string   `json:"project_id"`
	Roles     []string `json:"roles,omitempty"` // the roles on ProjectID
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time `json:"expires_at,omitempty"`

	// The fields below are what Keystone tells about a token beside its
	// scope and roles. The fake identity service sets them on the tokens it
	// issues; a static token leaves them zero.

	// UserDomain is the name of the user's domain; empty means "Default".
	UserDomain string `json:"user_domain,omitempty"`
	// IssuedAt is when the token was issued; zero when unknown.
	IssuedAt time.Time `json:"issued_at,omitempty"`
	// Methods are the authentication methods that obtained the token.
	Methods AuthMethods `json:"methods,omitempty"`
	// AuditID is the token's own audit id (the first of Keystone's
	// audit_ids); ParentAuditID is the audit id of the token it was
	// re-scoped from (the second), empty when it was not re-scoped.
	AuditID       string `json:"audit_id,omitempty"`
	ParentAuditID string `json:"parent_audit_id,omitempty"` // the audit id of the token it was re-scoped from, if any
}

// HasRole reports whether the token carries role.
func (t AuthToken) HasRole(role string) bool {
	for _, r := range t.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Expired reports whether the token has expired at now: it has an expiry
// and now is not before it (Store.Token refuses such a token).
func (t AuthToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// User is a user of the fake identity service.
type User struct {
	ID       string `json:"id,omitempty"` // generated when empty
	Name     string `json:"name"`         // the login name
	Password string `json:"password"`     // the password, in clear: this is a fake
	// Domain is the name of the user's domain, "Default" when empty.
	Domain string `json:"domain,omitempty"`
	// Roles maps a project name to the roles the user has on it.
	Roles map[string][]string `json:"roles,omitempty"`
}
