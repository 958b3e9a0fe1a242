package state

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
)

// The identity side of the model: what the fake Keystone needs beside the
// users and API tokens of store.go.
//
// Domains have no objects of their own: a domain is known by its name, and
// its id is the name too, except for Keystone's default domain, whose id
// is "default" and name "Default". A user's domain is User.Domain (a
// name), a project's is Project.DomainID (an id).

// Keystone's default domain.
const (
	DefaultDomainID   = "default"
	DefaultDomainName = "Default"
)

// DomainIDForName returns the id of the domain named name: "default" for
// "Default" (and for "", which means it), the name itself for any other.
func DomainIDForName(name string) string {
	if name == "" || name == DefaultDomainName {
		return DefaultDomainID
	}
	return name
}

// DomainNameForID returns the name of the domain with the given id:
// "Default" for "default" (and for ""), the id itself for any other.
func DomainNameForID(id string) string {
	if id == "" || id == DefaultDomainID {
		return DefaultDomainName
	}
	return id
}

// AuthMethods is a set of Keystone authentication methods, kept as
// Keystone's Fernet tokens keep it: one bit per method, in the order of
// Keystone's default [auth] methods option (external, password, token,
// oauth1, mapped, application_credential).
type AuthMethods uint8

// The authentication methods Keystone knows by default.
const (
	MethodExternal AuthMethods = 1 << iota
	MethodPassword
	MethodToken
	MethodOAuth1
	MethodMapped
	MethodApplicationCredential
)

var methodNames = [...]string{"external", "password", "token", "oauth1", "mapped", "application_credential"}

// ParseAuthMethod returns the method with the given Keystone name.
func ParseAuthMethod(name string) (AuthMethods, bool) {
	for i, n := range methodNames {
		if n == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// Names returns the methods' Keystone names in the order Keystone lists
// them when it reads a token back (keystone.auth.plugins.core's
// convert_integer_to_method_list): the last of the option's order first,
// so password and token are ["token", "password"].
func (m AuthMethods) Names() []string {
	names := make([]string, 0, bits.OnesCount8(uint8(m)))
	for i := len(methodNames) - 1; i >= 0; i-- {
		if m&(1<<i) != 0 {
			names = append(names, methodNames[i])
		}
	}
	return names
}

// MarshalJSON writes the methods as a list of names.
func (m AuthMethods) MarshalJSON() ([]byte, error) { return json.Marshal(m.Names()) }

// UnmarshalJSON reads a list of method names.
func (m *AuthMethods) UnmarshalJSON(data []byte) error {
	var names []string
	if err := json.Unmarshal(data, &names); err != nil {
		return err
	}
	var out AuthMethods
	for _, n := range names {
		bit, ok := ParseAuthMethod(n)
		if !ok {
			return &InvalidError{Field: "methods", Reason: fmt.Sprintf("%q is not a Keystone authentication method", n)}
		}
		out |= bit
	}
	*m = out
	return nil
}

// PasswordMatches reports whether password is the user's, comparing in
// constant time.
func (u User) PasswordMatches(password string) bool {
	a := sha256.Sum256([]byte(u.Password))
	b := sha256.Sum256([]byte(password))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// UserByID returns the user with the given id. It looks at every user:
// users are few, and Keystone clients name them by name far more often.
func (s *Store) UserByID(id string) (User, error) {
	if id != "" {
		s.mu.RLock()
		for _, u := range s.users {
			if u.ID == id {
				s.mu.RUnlock()
				u.Roles = cloneRoles(u.Roles)
				return u, nil
			}
		}
		s.mu.RUnlock()
	}
	return User{}, &NotFoundError{Kind: "user", ID: id}
}

// ProjectByName returns the project with the given name in the domain with
// the given id ("" means "default"); of several, the first added. It looks
// at every project.
func (s *Store) ProjectByName(domainID, name string) (Project, error) {
	if domainID == "" {
		domainID = DefaultDomainID
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range s.projOrder {
		p := s.projects[id]
		pd := p.DomainID
		if pd == "" {
			pd = DefaultDomainID
		}
		if p.Name == name && pd == domainID {
			return p, nil
		}
	}
	return Project{}, &NotFoundError{Kind: "project", ID: name}
}

// TokenIncludingExpired returns the API token with the given value even if
// it has expired (compare its ExpiresAt, or call Expired): Keystone tells
// an expired token from an unknown one. The comparison runs in constant
// time.
func (s *Store) TokenIncludingExpired(token string) (AuthToken, error) {
	sum := sha256.Sum256([]byte(token))
	s.mu.RLock()
	t, ok := s.tokens[sum]
	s.mu.RUnlock()
	if !ok || subtle.ConstantTimeCompare([]byte(t.Token), []byte(token)) != 1 {
		return AuthToken{}, &NotFoundError{Kind: "token", ID: "(redacted)"}
	}
	t.Roles = slices.Clone(t.Roles)
	return t, nil
}
