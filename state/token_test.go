package state_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

const secret = "50c17af54c154f528d135e7f74098cfd"

func TestAuthToken(t *testing.T) {
	st, _ := newStore(t)
	in := state.AuthToken{Token: secret, UserID: "u1", UserName: "alice", ProjectID: projA, Roles: []string{"member", "reader"}}
	require.NoError(t, st.AddToken(in))

	got, err := st.Token(secret)
	require.NoError(t, err)
	assert.Equal(t, in, got)
	assert.True(t, got.HasRole("member"))
	assert.False(t, got.HasRole("admin"))

	assert.Equal(t, []state.AuthToken{in}, st.Tokens())
}

func TestAuthTokenLookupMisses(t *testing.T) {
	st, _ := newStore(t)
	require.NoError(t, st.AddToken(state.AuthToken{Token: secret, ProjectID: projA}))
	flipLast := secret[:len(secret)-1] + "e"
	flipFirst := "6" + secret[1:]
	require.Len(t, flipLast, len(secret))
	require.NotEqual(t, secret, flipLast)
	for _, bad := range []string{flipLast, flipFirst, strings.ToUpper(secret), secret[:31], secret + "0", " " + secret, ""} {
		t.Run(bad, func(t *testing.T) {
			_, err := st.Token(bad)
			requireOnly(t, err, state.ErrNotFound)
			var nf *state.NotFoundError
			require.True(t, errors.As(err, &nf))
			assert.Equal(t, "token", nf.Kind)
			if bad != "" {
				assert.NotContains(t, err.Error(), bad, "the error does not echo the secret")
			}
		})
	}
}

func TestAuthTokenProjects(t *testing.T) {
	st, _ := newStore(t)
	tests := []struct {
		name    string
		project string
		want    error
	}{
		{"store's project", projA, nil},
		{"dashed project", projDashed, nil},
		{"deleted project", "3cd05b1b3d7b4822b1c83afe55816ff8", nil},
		{"unscoped", "", nil},
		{"uppercase", "3CD05B1B3D7B4822B1C83AFE55816FF8", state.ErrInvalid},
		{"short", "3cd05b1b3d7b4822b1c83afe55816ff", state.ErrInvalid},
		{"name", "demo", state.ErrInvalid},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := "token-" + string(rune('a'+i))
			err := st.AddToken(state.AuthToken{Token: tok, ProjectID: tt.project})
			if tt.want == nil {
				require.NoError(t, err)
				got, err := st.Token(tok)
				require.NoError(t, err)
				assert.Equal(t, tt.project, got.ProjectID)
				return
			}
			requireOnly(t, err, tt.want)
			var inv *state.InvalidError
			require.True(t, errors.As(err, &inv))
			assert.Equal(t, "project_id", inv.Field)
			_, err = st.Token(tok)
			requireOnly(t, err, state.ErrNotFound)
		})
	}

	err := st.AddToken(state.AuthToken{ProjectID: projA})
	requireOnly(t, err, state.ErrInvalid)
	var inv *state.InvalidError
	require.True(t, errors.As(err, &inv))
	assert.Equal(t, "token", inv.Field)
}

func TestAuthTokenExpiry(t *testing.T) {
	st, clock := newStore(t)
	require.NoError(t, st.AddToken(state.AuthToken{Token: "short", ProjectID: projA, ExpiresAt: t0.Add(time.Hour)}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: "forever", ProjectID: projA}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: "past", ProjectID: projA, ExpiresAt: t0.Add(-time.Second)}))

	names := func() []string {
		var out []string
		for _, tok := range st.Tokens() {
			out = append(out, tok.Token)
		}
		return out
	}
	assert.Equal(t, []string{"forever", "short"}, names(), "sorted, without the expired one")
	_, err := st.Token("past")
	requireOnly(t, err, state.ErrNotFound)

	clock.Set(t0.Add(time.Hour - time.Nanosecond))
	got, err := st.Token("short")
	require.NoError(t, err, "valid just before it expires")
	assert.Equal(t, t0.Add(time.Hour), got.ExpiresAt)

	clock.Set(t0.Add(time.Hour))
	_, err = st.Token("short")
	requireOnly(t, err, state.ErrNotFound)
	assert.Equal(t, []string{"forever"}, names())

	clock.Advance(10 * 365 * 24 * time.Hour)
	_, err = st.Token("forever")
	require.NoError(t, err, "a zero ExpiresAt never expires")

	// Moving the clock back makes the token valid again: expiry is read
	// from the clock at each lookup.
	clock.Set(t0)
	_, err = st.Token("short")
	require.NoError(t, err)
}

func TestRemoveToken(t *testing.T) {
	st, _ := newStore(t)
	require.NoError(t, st.AddToken(state.AuthToken{Token: "a", ProjectID: projA}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: "b", ProjectID: projB}))

	require.NoError(t, st.RemoveToken("a"))
	_, err := st.Token("a")
	requireOnly(t, err, state.ErrNotFound)
	got, err := st.Token("b")
	require.NoError(t, err)
	assert.Equal(t, projB, got.ProjectID)

	err = st.RemoveToken("a")
	requireOnly(t, err, state.ErrNotFound)
	err = st.RemoveToken("nope")
	requireOnly(t, err, state.ErrNotFound)
	require.Len(t, st.Tokens(), 1)
}

func TestUsers(t *testing.T) {
	st, _ := newStore(t)

	admin, err := st.AddUser(state.User{Name: "admin", Password: "secret", Roles: map[string][]string{"demo": {"admin", "member"}}})
	require.NoError(t, err)
	assert.Equal(t, "Default", admin.Domain)
	assert.Regexp(t, `^[0-9a-f]{32}$`, admin.ID)
	assert.Equal(t, "secret", admin.Password)
	assert.Equal(t, map[string][]string{"demo": {"admin", "member"}}, admin.Roles)

	other, err := st.AddUser(state.User{ID: "u-2", Name: "admin", Domain: "ldap", Password: "pw2"})
	require.NoError(t, err, "the same name in another domain is another user")
	assert.Equal(t, state.User{ID: "u-2", Name: "admin", Domain: "ldap", Password: "pw2"}, other)

	bob, err := st.AddUser(state.User{Name: "bob", Domain: "Default"})
	require.NoError(t, err)
	assert.NotEqual(t, admin.ID, bob.ID)

	got, err := st.User("", "admin")
	require.NoError(t, err)
	assert.Equal(t, admin, got)
	got, err = st.User("Default", "admin")
	require.NoError(t, err)
	assert.Equal(t, admin, got)
	got, err = st.User("ldap", "admin")
	require.NoError(t, err)
	assert.Equal(t, other, got)

	for _, miss := range [][2]string{{"", "carol"}, {"ldap", "bob"}, {"default", "admin"}, {"", "Admin"}} {
		_, err := st.User(miss[0], miss[1])
		requireOnly(t, err, state.ErrNotFound)
		var nf *state.NotFoundError
		require.True(t, errors.As(err, &nf))
		assert.Equal(t, state.NotFoundError{Kind: "user", ID: miss[1]}, *nf)
	}

	assert.Equal(t, []state.User{admin, bob, other}, st.Users(), "sorted by domain, then name")
}

func TestAddUserErrors(t *testing.T) {
	st, _ := newStore(t)
	_, err := st.AddUser(state.User{Name: "admin", Password: "first"})
	require.NoError(t, err)

	_, err = st.AddUser(state.User{Name: "admin", Domain: "Default", Password: "second"})
	requireOnly(t, err, state.ErrConflict)
	var ce *state.ConflictError
	require.True(t, errors.As(err, &ce))
	assert.Equal(t, "user", ce.Kind)
	assert.Contains(t, ce.ID, "admin")

	_, err = st.AddUser(state.User{Password: "pw"})
	requireOnly(t, err, state.ErrInvalid)
	var inv *state.InvalidError
	require.True(t, errors.As(err, &inv))
	assert.Equal(t, "name", inv.Field)

	users := st.Users()
	require.Len(t, users, 1)
	assert.Equal(t, "first", users[0].Password, "the duplicate did not replace the user")
}
