package identity_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// userlessToken is a static token without a user, as the stub's demo seed
// has: member and reader on demo.
const userlessToken = "70e39c176e376a74af357a9096210e1f"

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// tokenLogin is what keystoneauth's v3.Token sends: the token method,
// the scope, and the token as X-Auth-Token too.
func (e *env) tokenLogin(token, scope string) response {
	e.t.Helper()
	body := `{"auth": {"identity": {"methods": ["token"], "token": {"id": "` + token + `"}}`
	if scope != "" {
		body += `, "scope": ` + scope
	}
	return e.do(http.MethodPost, e.base+"/v3/auth/tokens", body+`}}`,
		"Content-Type", "application/json", "Accept", "application/json", "X-Auth-Token", token)
}

func TestAStaticTokenWithoutAUserRescopes(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.store.AddToken(state.AuthToken{Token: userlessToken, ProjectID: demoID, Roles: []string{"member", "reader"}}))

	var userID string
	for name, scope := range map[string]string{
		"project by id":   `{"project": {"id": "` + demoID + `"}}`,
		"project by name": projectScope("demo"),
	} {
		t.Run(name, func(t *testing.T) {
			r := e.tokenLogin(userlessToken, scope)
			require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
			tok := r.Header.Get("X-Subject-Token")
			assert.Regexp(t, tokenForm, tok)
			b := decodeToken(t, r.body)
			assert.Equal(t, []string{"token", "password"}, b.Token.Methods, "a static token shows the password method")
			assert.Regexp(t, hex32, b.Token.User.ID, "the user a static token stands for")
			assert.Equal(t, b.Token.User.ID, b.Token.User.Name)
			assert.Equal(t, "default", b.Token.User.Domain.ID)
			if userID == "" {
				userID = b.Token.User.ID
			}
			assert.Equal(t, userID, b.Token.User.ID, "the same user every time")
			require.NotNil(t, b.Token.Project)
			assert.Equal(t, demoID, b.Token.Project.ID)
			assert.Equal(t, []string{"member", "reader"}, b.roleNames(), "the static token's roles")
			assert.Equal(t, "2026-11-27T14:00:00.000000Z", b.Token.ExpiresAt, "a static token never expires: the TTL's")
			require.Len(t, b.Token.AuditIDs, 2)
			assert.Len(t, b.Token.Catalog, 4)
			assert.Equal(t, e.srv.URL+"/v2.1/"+demoID, b.service(t, "compute").Endpoints[0].URL)
			assert.Equal(t, http.StatusOK, e.console(tok), "Nova takes the new token")
		})
	}

	t.Run("unscoped", func(t *testing.T) {
		r := e.tokenLogin(userlessToken, "")
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
		b := decodeToken(t, r.body)
		assert.Equal(t, userID, b.Token.User.ID)
		assert.Nil(t, b.Token.Project)
		unscoped := r.Header.Get("X-Subject-Token")
		// ... which re-scopes to the static token's project, as its user.
		r = e.tokenLogin(unscoped, projectScope("demo"))
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
		assert.Equal(t, userID, decodeToken(t, r.body).Token.User.ID)
	})
	t.Run("another project: no role there", func(t *testing.T) {
		r := e.tokenLogin(userlessToken, projectScope("other"))
		assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	})
	t.Run("it validates itself, as gophercloud's token passthrough does", func(t *testing.T) {
		r := e.do(http.MethodGet, e.base+"/v3/auth/tokens", "", "X-Auth-Token", userlessToken, "X-Subject-Token", userlessToken)
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		b := decodeToken(t, r.body)
		assert.Equal(t, userID, b.Token.User.ID)
		assert.Equal(t, userID, b.Token.User.Name)
		assert.Equal(t, []string{"member", "reader"}, b.roleNames())
	})
}

func TestAStaticTokenOfAUserTheStoreHasNot(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.store.AddToken(state.AuthToken{Token: "ghost-token", UserID: "ghost", UserName: "Casper",
		ProjectID: demoID, Roles: []string{"member"}}))
	require.NoError(t, e.store.AddToken(state.AuthToken{Token: "roleless-token", ProjectID: demoID}))

	r := e.tokenLogin("ghost-token", projectScope("demo"))
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	b := decodeToken(t, r.body)
	assert.Equal(t, "ghost", b.Token.User.ID, "the token's user id")
	assert.Equal(t, "Casper", b.Token.User.Name, "and its name")
	assert.Equal(t, []string{"member"}, b.roleNames())

	r = e.tokenLogin("roleless-token", projectScope("demo"))
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode, "no role: no project scope")
	r = e.tokenLogin("roleless-token", "")
	assert.Equal(t, http.StatusCreated, r.StatusCode, "but an unscoped token")
}

func TestTheUserOfARemovedStaticTokenIsGone(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.store.AddToken(state.AuthToken{Token: userlessToken, ProjectID: demoID, Roles: []string{"member"}}))
	r := e.tokenLogin(userlessToken, projectScope("demo"))
	require.Equal(t, http.StatusCreated, r.StatusCode)
	rescoped := r.Header.Get("X-Subject-Token")
	userID := decodeToken(t, r.body).Token.User.ID
	require.NoError(t, e.store.RemoveToken(userlessToken))

	r = e.tokenLogin(rescoped, "")
	assert.Equal(t, http.StatusNotFound, r.StatusCode, "validate_token finds no user")
	// As X-Auth-Token, the auth middleware answers itself, whatever the
	// route: its own rendering, without the newline.
	want := `{"error": {"code": 404, "title": "Not Found", "message": "Could not find user: ` + userID + `."}}`
	r = e.do(http.MethodPost, e.base+"/v3/auth/tokens", passwordBody("admin", "secret", "Default", ""),
		"Content-Type", "application/json", "X-Auth-Token", rescoped)
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, want, string(r.body))
	r = e.do(http.MethodGet, e.base+"/v3/auth/projects", "", "X-Auth-Token", rescoped)
	assert.Equal(t, want, string(r.body))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Equal(t, "X-Auth-Token", r.Header.Get("Vary"))
	r = e.do(http.MethodGet, e.base+"/v3", "", "X-Auth-Token", orphanToken)
	assert.Equal(t, http.StatusNotFound, r.StatusCode, "a token of a deleted project, even for discovery")
	assert.Equal(t, `{"error": {"code": 404, "title": "Not Found", "message": "Could not find project: fedcba9876543210fedcba9876543210."}}`, string(r.body))
}
