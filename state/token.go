package state

import (
	"crypto/sha256"
	"crypto/subtle"
	"slices"
	"sort"
	"time"
)

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

// AddToken adds an API token. The store keeps it under its SHA-256, so
// lookups compare digests, not secrets.
func (s *Store) AddToken(t AuthToken) error {
	if t.Token == "" {
		return &InvalidError{Field: "token", Reason: "a token cannot be empty"}
	}
	if t.ProjectID != "" && !ValidProjectID(t.ProjectID) {
		return &InvalidError{Field: "project_id", Reason: quote(t.ProjectID) + " is not 32 lowercase hex digits or a dashed UUID"}
	}
	t.Roles = slices.Clone(t.Roles)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[sha256.Sum256([]byte(t.Token))] = t
	s.tokenGen.Add(1)
	return s.persistToken(t)
}

// Token returns the API token with the given value, unless it has expired.
// The comparison runs in constant time.
func (s *Store) Token(token string) (AuthToken, error) {
	sum := sha256.Sum256([]byte(token))
	s.mu.RLock()
	t, ok := s.tokens[sum]
	s.mu.RUnlock()
	if !ok || subtle.ConstantTimeCompare([]byte(t.Token), []byte(token)) != 1 ||
		!t.ExpiresAt.IsZero() && !s.clock.Now().Before(t.ExpiresAt) {
		return AuthToken{}, &NotFoundError{Kind: "token", ID: "(redacted)"}
	}
	t.Roles = slices.Clone(t.Roles)
	return t, nil
}

// TokenGeneration returns a number that changes whenever the API tokens
// do (added, removed, the store reset or loaded): what a cache of token
// lookups checks to stay true.
func (s *Store) TokenGeneration() uint64 { return s.tokenGen.Load() }

// Tokens returns every API token that has not expired.
func (s *Store) Tokens() []AuthToken {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]AuthToken, 0, len(s.tokens))
	for _, t := range s.tokens {
		if t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt) {
			t.Roles = slices.Clone(t.Roles)
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out
}

// RemoveToken revokes an API token.
func (s *Store) RemoveToken(token string) error {
	sum := sha256.Sum256([]byte(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[sum]; !ok {
		return &NotFoundError{Kind: "token", ID: "(redacted)"}
	}
	delete(s.tokens, sum)
	s.tokenGen.Add(1)
	return s.persistTokenRemoved(sum)
}

// AddUser adds a user of the fake identity service. An empty Domain means
// "Default"; an empty ID gets a generated one.
func (s *Store) AddUser(u User) (User, error) {
	if u.Name == "" {
		return User{}, &InvalidError{Field: "name", Reason: "a user needs a name"}
	}
	if u.Domain == "" {
		u.Domain = "Default"
	}
	if u.ID == "" {
		u.ID = NewProjectID()
	}
	key := u.Domain + "/" + u.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[key]; ok {
		return User{}, &ConflictError{Kind: "user", ID: key}
	}
	u.Roles = cloneRoles(u.Roles)
	s.users[key] = u
	u.Roles = cloneRoles(u.Roles)
	return u, s.persistUser(u)
}

// User returns the user with the given name in the given domain ("" means
// "Default").
func (s *Store) User(domain, name string) (User, error) {
	if domain == "" {
		domain = "Default"
	}
	s.mu.RLock()
	u, ok := s.users[domain+"/"+name]
	s.mu.RUnlock()
	if !ok {
		return User{}, &NotFoundError{Kind: "user", ID: name}
	}
	u.Roles = cloneRoles(u.Roles)
	return u, nil
}

// Users returns every user, sorted by domain and name.
func (s *Store) Users() []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		u.Roles = cloneRoles(u.Roles)
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Domain+"/"+out[i].Name < out[j].Domain+"/"+out[j].Name
	})
	return out
}

// cloneRoles returns a deep copy of a User's Roles.
func cloneRoles(roles map[string][]string) map[string][]string {
	if roles == nil {
		return nil
	}
	out := make(map[string][]string, len(roles))
	for project, r := range roles {
		out[project] = slices.Clone(r)
	}
	return out
}
