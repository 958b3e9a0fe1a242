package fakenova_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// The fake keeps the identity of each token it checked, but never past a
// change of the store's tokens or the token's expiry.
func TestTokenChecksFollowTheStore(t *testing.T) {
	f := newConsoleFixture(t)
	get := func(token string) int {
		t.Helper()
		return f.do(t, http.MethodGet, "/v2.1/servers/"+f.active.ID, map[string]string{"X-Auth-Token": token}, "").status
	}
	require.Equal(t, http.StatusOK, get(f.Token))
	require.Equal(t, http.StatusOK, get(f.Token), "from the cache")

	// Revoked: refused at once.
	require.NoError(t, f.State.RemoveToken(f.Token))
	assert.Equal(t, http.StatusUnauthorized, get(f.Token))

	// Roles changed by adding the token again: the new roles count.
	require.NoError(t, f.State.AddToken(state.AuthToken{Token: f.Token, ProjectID: f.ProjectID, Roles: []string{}}))
	assert.Equal(t, http.StatusForbidden, get(f.Token), "no reader role any more")

	// Expired on the clock, though nothing else changed.
	exp := "expiring-token"
	require.NoError(t, f.State.AddToken(state.AuthToken{Token: exp, ProjectID: f.ProjectID, Roles: []string{"reader"},
		ExpiresAt: f.Clock.Now().Add(time.Minute)}))
	require.Equal(t, http.StatusOK, get(exp))
	f.Advance(time.Minute)
	assert.Equal(t, http.StatusUnauthorized, get(exp))

	// Reset: every token is gone.
	f.State.Reset()
	assert.Equal(t, http.StatusUnauthorized, get(f.readerToken))
}
