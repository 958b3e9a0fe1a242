package state_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

func TestDomainNamesAndIDs(t *testing.T) {
	for name, id := range map[string]string{"Default": "default", "": "default", "Users": "Users"} {
		assert.Equal(t, id, state.DomainIDForName(name), name)
	}
	for id, name := range map[string]string{"default": "Default", "": "Default", "Users": "Users"} {
		assert.Equal(t, name, state.DomainNameForID(id), id)
	}
}

func TestAuthMethods(t *testing.T) {
	m := state.MethodPassword | state.MethodToken
	assert.Equal(t, []string{"token", "password"}, m.Names(), "Keystone's order: the last method first")
	assert.Empty(t, state.AuthMethods(0).Names())
	assert.Equal(t, []string{"application_credential", "mapped", "oauth1", "token", "password", "external"},
		(state.MethodExternal | state.MethodPassword | state.MethodToken | state.MethodOAuth1 |
			state.MethodMapped | state.MethodApplicationCredential).Names())

	bit, ok := state.ParseAuthMethod("token")
	assert.True(t, ok)
	assert.Equal(t, state.MethodToken, bit)
	_, ok = state.ParseAuthMethod("totp")
	assert.False(t, ok)

	data, err := json.Marshal(state.AuthToken{Token: "t", Methods: m})
	require.NoError(t, err)
	assert.Contains(t, string(data), `"methods":["token","password"]`)
	var back state.AuthToken
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, m, back.Methods)
	err = json.Unmarshal([]byte(`{"methods": ["password", "totp"]}`), &back)
	assert.ErrorIs(t, err, state.ErrInvalid)
	assert.ErrorContains(t, err, `"totp" is not a Keystone authentication method`)
	assert.Error(t, json.Unmarshal([]byte(`{"methods": "password"}`), &back))
}

func TestPasswordMatches(t *testing.T) {
	u := state.User{Name: "admin", Password: "secret"}
	assert.True(t, u.PasswordMatches("secret"))
	assert.False(t, u.PasswordMatches("Secret"))
	assert.False(t, u.PasswordMatches(""))
	assert.False(t, u.PasswordMatches("secret\x00"))
	assert.True(t, state.User{}.PasswordMatches(""))
}

func TestUserByID(t *testing.T) {
	st, _ := newStore(t)
	admin, err := st.AddUser(state.User{ID: "u-admin", Name: "admin", Password: "p", Roles: map[string][]string{"demo": {"admin"}}})
	require.NoError(t, err)
	_, err = st.AddUser(state.User{Name: "alice", Domain: "Users"})
	require.NoError(t, err)

	got, err := st.UserByID("u-admin")
	require.NoError(t, err)
	assert.Equal(t, admin, got)
	got.Roles["demo"][0] = "changed"
	again, _ := st.UserByID("u-admin")
	assert.Equal(t, "admin", again.Roles["demo"][0], "a copy")

	for _, id := range []string{"nope", ""} {
		_, err = st.UserByID(id)
		assert.ErrorIs(t, err, state.ErrNotFound, id)
	}
}

func TestProjectByName(t *testing.T) {
	st, _ := newStore(t)
	// newStore has "demo" (projA) and "other" (projB) in Default.
	for _, p := range []state.Project{
		{ID: projDashed, Name: "demo", DomainID: "Users"},
		{ID: "0123456789abcdef0123456789abcdef", Name: "demo"}, // a second "demo" in Default: the first wins
	} {
		_, err := st.AddProject(p)
		require.NoError(t, err)
	}
	for domain, want := range map[string]string{"default": projA, "": projA, "Users": projDashed} {
		p, err := st.ProjectByName(domain, "demo")
		require.NoError(t, err, domain)
		assert.Equal(t, want, p.ID, domain)
	}
	_, err := st.ProjectByName("Users", "other")
	assert.ErrorIs(t, err, state.ErrNotFound)
	_, err = st.ProjectByName("Nowhere", "demo")
	assert.ErrorIs(t, err, state.ErrNotFound)
}

func TestTokenIncludingExpired(t *testing.T) {
	st, clock := newStore(t)
	tok := state.AuthToken{Token: secret, UserID: "u1", ProjectID: projA, Roles: []string{"member"},
		ExpiresAt: t0.Add(time.Hour), IssuedAt: t0, Methods: state.MethodPassword, AuditID: "a1", UserDomain: "Users"}
	require.NoError(t, st.AddToken(tok))

	got, err := st.TokenIncludingExpired(secret)
	require.NoError(t, err)
	assert.Equal(t, tok, got)
	assert.False(t, got.Expired(clock.Now()))

	clock.Advance(time.Hour)
	_, err = st.Token(secret)
	assert.ErrorIs(t, err, state.ErrNotFound, "Token refuses it at its expiry")
	got, err = st.TokenIncludingExpired(secret)
	require.NoError(t, err, "TokenIncludingExpired still finds it")
	assert.True(t, got.Expired(clock.Now()))
	got.Roles[0] = "changed"
	again, _ := st.TokenIncludingExpired(secret)
	assert.Equal(t, "member", again.Roles[0], "a copy")

	for _, other := range []string{"", secret[:31], secret + "0"} {
		_, err = st.TokenIncludingExpired(other)
		assert.ErrorIs(t, err, state.ErrNotFound, other)
	}
	assert.False(t, state.AuthToken{}.Expired(clock.Now()), "no expiry: never")
}
