package state

import "time"

// AuthToken is an API token and the identity it stands for: a static token
// seeded by a test, or one the fake identity service issued.
type AuthToken struct {
	// Token is the secret a client sends as X-Auth-Token.
	Token    string `json:"token"`
	UserID   string `json:"user_id,omitempty"`
	UserName string `json:"user_name,omitempty"`
	// ProjectID is the project the token is scoped to. It may name a
	// project the store does not have: that models a project deleted after
	// the token was issued.
	ProjectID string   `json:"project_id"`
	Roles     []string `json:"roles,omitempty"`
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time `json:"expires_at,omitempty"`
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

// User is a user of the fake identity service.
type User struct {
	ID       string `json:"id,omitempty"`
	Name     string `json:"name"`
	Password string `json:"password"`
	// Domain is the name of the user's domain, "Default" when empty.
	Domain string `json:"domain,omitempty"`
	// Roles maps a project name to the roles the user has on it.
	Roles map[string][]string `json:"roles,omitempty"`
}
