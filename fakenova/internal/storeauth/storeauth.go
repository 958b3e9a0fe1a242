// Package storeauth checks API tokens against a state.Store for every
// service of the fake cloud (compute, image, network): the tokens the
// store holds, static ones and those the identity service issued.
package storeauth

import (
	"context"
	"crypto/subtle"
	"hash/maphash"
	"sync"
	"time"

	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// maxCachedIdentities bounds the identities an Authenticator keeps.
const maxCachedIdentities = 10000

// Authenticator checks tokens against the store's API tokens (static
// ones and those the identity service issued). It keeps the identity it
// built for each token until the store's tokens change
// (state.Store.TokenGeneration), so that a request costs a hash and a
// map lookup, not a copy of the token. The cache is keyed by a seeded
// hash of the token (not a digest: it never leaves the process), and a
// hit is compared with the token it was made for in constant time.
type Authenticator struct {
	store *state.Store
	seed  maphash.Seed
	mu    sync.RWMutex
	gen   uint64
	cache map[uint64]cachedIdentity
}

type cachedIdentity struct {
	token   string
	id      *middleware.Identity
	expires time.Time
}

// New returns an Authenticator of the store's tokens.
func New(st *state.Store) *Authenticator {
	return &Authenticator{store: st, seed: maphash.MakeSeed(), cache: map[uint64]cachedIdentity{}}
}

// Authenticate returns the identity of token, or
// middleware.ErrUnauthenticated for an unknown or expired one.
func (a *Authenticator) Authenticate(_ context.Context, token string) (*middleware.Identity, error) {
	if token == "" {
		return nil, middleware.ErrUnauthenticated
	}
	sum := maphash.String(a.seed, token)
	gen := a.store.TokenGeneration() // read first: a change after it makes the entry stale
	a.mu.RLock()
	c, ok := a.cache[sum]
	ok = ok && a.gen == gen
	a.mu.RUnlock()
	if ok && subtle.ConstantTimeCompare([]byte(c.token), []byte(token)) == 1 {
		if !c.expires.IsZero() && !a.store.Clock().Now().Before(c.expires) {
			return nil, middleware.ErrUnauthenticated
		}
		return c.id, nil
	}
	t, err := a.store.Token(token)
	if err != nil {
		return nil, middleware.ErrUnauthenticated
	}
	id := &middleware.Identity{UserID: t.UserID, UserName: t.UserName, ProjectID: t.ProjectID, Roles: t.Roles}
	a.mu.Lock()
	if a.gen != gen || len(a.cache) >= maxCachedIdentities {
		a.cache, a.gen = map[uint64]cachedIdentity{}, gen
	}
	a.cache[sum] = cachedIdentity{token: t.Token, id: id, expires: t.ExpiresAt}
	a.mu.Unlock()
	return id, nil
}
