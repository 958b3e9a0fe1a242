package identity_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

func TestValidateCheckRevoke(t *testing.T) {
	e := newEnv(t)
	o := loadOracle(t)
	admin, adminIssue := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	alice, aliceIssue := e.issue(passwordBody("alice", "wonder", "Users", projectScope("demo")))
	bob, _ := e.issue(passwordBody("bob", "builder", "Default", ""))
	nova, _ := e.issue(passwordBody("nova", "service", "Default", projectScope("other")))
	tokens := e.base + "/v3/auth/tokens"
	notFound := func(message string) string { return flaskError(404, "Not Found", message) }
	forbidden := func(action string) string {
		return flaskError(403, "Forbidden", "You are not authorized to perform the requested action: "+action+".")
	}

	t.Run("validate", func(t *testing.T) {
		for name, row := range map[string]struct{ caller, subject, issueBody string }{
			"an admin, another's token": {admin, alice, string(aliceIssue.body)},
			"the token's own user":      {alice, alice, string(aliceIssue.body)},
			"a service user":            {nova, admin, string(adminIssue.body)},
			"itself":                    {admin, admin, string(adminIssue.body)},
		} {
			t.Run(name, func(t *testing.T) {
				r := e.do(http.MethodGet, tokens, "", "X-Auth-Token", row.caller, "X-Subject-Token", row.subject)
				assert.Equal(t, http.StatusOK, r.StatusCode)
				assert.Equal(t, row.subject, r.Header.Get("X-Subject-Token"))
				assert.Equal(t, row.issueBody, string(r.body), "validation shows what issuing showed")
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			})
		}
	})
	t.Run("check (HEAD)", func(t *testing.T) {
		r := e.do(http.MethodHead, tokens, "", "X-Auth-Token", alice, "X-Subject-Token", alice)
		assert.Equal(t, http.StatusOK, r.StatusCode)
		assert.Empty(t, r.body)
		assert.Equal(t, alice, r.Header.Get("X-Subject-Token"))
		r = e.do(http.MethodHead, tokens, "", "X-Auth-Token", nova, "X-Subject-Token", admin)
		assert.Equal(t, http.StatusForbidden, r.StatusCode, "check_token is not open to the service role")
		assert.Empty(t, r.body)
	})
	t.Run("refusals", func(t *testing.T) {
		for name, row := range map[string]struct {
			method  string
			headers []string
			code    int
			body    string
		}{
			"no caller token":         {http.MethodGet, []string{"X-Subject-Token", alice}, 401, o.Unauthorized},
			"unknown caller token":    {http.MethodGet, []string{"X-Auth-Token", "nope", "X-Subject-Token", alice}, 401, o.Unauthorized},
			"unknown subject":         {http.MethodGet, []string{"X-Auth-Token", admin, "X-Subject-Token", "nope"}, 404, notFound("Could not recognize Fernet token")},
			"empty subject":           {http.MethodGet, []string{"X-Auth-Token", admin, "X-Subject-Token", ""}, 404, notFound("No token in the request")},
			"no subject, admin":       {http.MethodGet, []string{"X-Auth-Token", admin}, 404, notFound("No token in the request")},
			"no subject, non-admin":   {http.MethodGet, []string{"X-Auth-Token", alice}, 403, forbidden("identity:validate_token")},
			"another user's token":    {http.MethodGet, []string{"X-Auth-Token", alice, "X-Subject-Token", admin}, 403, forbidden("identity:validate_token")},
			"unscoped, another's":     {http.MethodGet, []string{"X-Auth-Token", bob, "X-Subject-Token", alice}, 403, forbidden("identity:validate_token")},
			"revoke another's":        {http.MethodDelete, []string{"X-Auth-Token", alice, "X-Subject-Token", admin}, 403, forbidden("identity:revoke_token")},
			"revoke, a service user":  {http.MethodDelete, []string{"X-Auth-Token", nova, "X-Subject-Token", admin}, 403, forbidden("identity:revoke_token")},
			"token of a gone project": {http.MethodGet, []string{"X-Auth-Token", admin, "X-Subject-Token", orphanToken}, 404, notFound("Could not find project: fedcba9876543210fedcba9876543210.")},
		} {
			t.Run(name, func(t *testing.T) {
				r := e.do(row.method, tokens, "", row.headers...)
				assert.Equal(t, row.code, r.StatusCode)
				assert.Equal(t, row.body, string(r.body))
				if row.code == http.StatusUnauthorized {
					assert.Equal(t, `Keystone uri="`+e.base+`/v3"`, r.Header.Get("WWW-Authenticate"))
				}
			})
		}
	})
	t.Run("revoke", func(t *testing.T) {
		require.Equal(t, http.StatusOK, e.console(alice))
		r := e.do(http.MethodDelete, tokens, "", "X-Auth-Token", alice, "X-Subject-Token", alice)
		assert.Equal(t, http.StatusNoContent, r.StatusCode)
		assert.Empty(t, r.Header.Get("Content-Type"))
		assert.Empty(t, r.body)

		assert.Equal(t, http.StatusUnauthorized, e.console(alice), "Nova refuses a revoked token")
		r = e.do(http.MethodGet, tokens, "", "X-Auth-Token", admin, "X-Subject-Token", alice)
		assert.Equal(t, http.StatusNotFound, r.StatusCode)
		assert.Equal(t, notFound("Failed to validate token"), string(r.body), "Keystone recognizes its revoked token")
		r = e.do(http.MethodDelete, tokens, "", "X-Auth-Token", admin, "X-Subject-Token", alice)
		assert.Equal(t, http.StatusNotFound, r.StatusCode)
		r = e.auth(`{"auth": {"identity": {"methods": ["token"], "token": {"id": "` + alice + `"}}}}`)
		assert.Equal(t, http.StatusNotFound, r.StatusCode, "re-scoping a revoked token")
		assert.Equal(t, notFound("Failed to validate token"), string(r.body))
	})
}

func TestStaticTokens(t *testing.T) {
	e := newEnv(t)
	admin, _ := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	tokens := e.base + "/v3/auth/tokens"

	// A seeded token is a token of the cloud: it validates, and calls the
	// token API.
	r := e.do(http.MethodGet, tokens, "", "X-Auth-Token", staticToken, "X-Subject-Token", staticToken)
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	b := decodeToken(t, r.body)
	assert.Equal(t, []string{"password"}, b.Token.Methods)
	assert.Equal(t, adminID, b.Token.User.ID)
	assert.Equal(t, "Default", b.Token.User.Domain.Name)
	assert.Equal(t, []string{"admin", "member"}, b.roleNames())
	assert.Equal(t, "2026-11-27T14:00:00.000000Z", b.Token.ExpiresAt, "no expiry shows as one TTL from now")
	assert.Equal(t, "2026-11-27T13:00:00.000000Z", b.Token.IssuedAt)
	require.Len(t, b.Token.AuditIDs, 1)
	again := decodeToken(t, e.do(http.MethodGet, tokens, "", "X-Auth-Token", admin, "X-Subject-Token", staticToken).body)
	assert.Equal(t, b.Token.AuditIDs, again.Token.AuditIDs, "a static token's audit id is stable")

	r = e.do(http.MethodDelete, tokens, "", "X-Auth-Token", admin, "X-Subject-Token", staticToken)
	assert.Equal(t, http.StatusNoContent, r.StatusCode)
	r = e.do(http.MethodGet, tokens, "", "X-Auth-Token", admin, "X-Subject-Token", staticToken)
	assert.Equal(t, flaskError(404, "Not Found", "Could not recognize Fernet token"), string(r.body),
		"a revoked static token was never this service's")
	assert.Equal(t, http.StatusUnauthorized, e.console(staticToken))
}

func TestTokensExpireOnTheClock(t *testing.T) {
	e := newEnv(t)
	tok, _ := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	staticAdmin := staticToken
	validate := func() response {
		return e.do(http.MethodGet, e.base+"/v3/auth/tokens", "", "X-Auth-Token", staticAdmin, "X-Subject-Token", tok)
	}

	e.clock.Advance(identity.DefaultTokenTTL - time.Nanosecond)
	assert.Equal(t, http.StatusOK, validate().StatusCode, "valid just before its TTL")
	assert.Equal(t, http.StatusOK, e.console(tok))

	e.clock.Advance(time.Nanosecond)
	r := validate()
	assert.Equal(t, http.StatusNotFound, r.StatusCode, "gone at its TTL")
	assert.Equal(t, flaskError(404, "Not Found", "Failed to validate token"), string(r.body))
	assert.Equal(t, http.StatusUnauthorized, e.console(tok), "Nova refuses it")
	r = e.auth(`{"auth": {"identity": {"methods": ["token"], "token": {"id": "` + tok + `"}}, "scope": ` + projectScope("demo") + `}}`)
	assert.Equal(t, http.StatusNotFound, r.StatusCode, "nor can it be re-scoped")

	// The next token issued purges the expired one from the store; Keystone's
	// answer stays the same.
	_, err := e.store.TokenIncludingExpired(tok)
	require.NoError(t, err)
	fresh, _ := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	_, err = e.store.TokenIncludingExpired(tok)
	assert.ErrorIs(t, err, state.ErrNotFound)
	assert.Equal(t, flaskError(404, "Not Found", "Failed to validate token"), string(validate().body))
	assert.Equal(t, http.StatusOK, e.console(fresh))
}

// The issued tokens are bounded: past WithMaxTokens live ones, the oldest
// is evicted (Keystone's "Failed to validate token", 401 from Nova),
// counted and logged, so that endless logins do not grow the store.
func TestIssuedTokensCapped(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, identity.WithMaxTokens(2), identity.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	login := func() string {
		tok, _ := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
		return tok
	}
	validate := func(tok string) response {
		return e.do(http.MethodGet, e.base+"/v3/auth/tokens", "", "X-Auth-Token", staticToken, "X-Subject-Token", tok)
	}
	first, second := login(), login()
	assert.Equal(t, identity.TokenStats{Held: 2, Max: 2}, e.svc.TokenStats())
	assert.Empty(t, logs.String())
	third := login()
	assert.Equal(t, identity.TokenStats{Held: 2, Max: 2, Evicted: 1}, e.svc.TokenStats())
	r := validate(first)
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, flaskError(404, "Not Found", "Failed to validate token"), string(r.body))
	assert.Equal(t, http.StatusUnauthorized, e.console(first))
	for _, tok := range []string{second, third} {
		assert.Equal(t, http.StatusOK, validate(tok).StatusCode)
	}
	assert.Contains(t, logs.String(), "identity tokens evicted before their expiry")
	assert.Contains(t, logs.String(), "evicted_total=1")

	// Expired tokens make room without evictions.
	e.clock.Advance(identity.DefaultTokenTTL)
	login()
	login()
	assert.Equal(t, identity.TokenStats{Held: 2, Max: 2, Evicted: 1}, e.svc.TokenStats())
}

// A service on a store that holds tokens an earlier service issued (a
// store opened from a state file after a restart) purges and caps them
// with its own: they count against WithMaxTokens and go first.
func TestIssuedTokensAdopted(t *testing.T) {
	e := newEnv(t, identity.WithMaxTokens(2))
	first, _ := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	e.clock.Advance(time.Second)
	second, _ := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))

	restarted := identity.New(e.store, identity.WithMaxTokens(2))
	assert.Equal(t, identity.TokenStats{Held: 2, Max: 2}, restarted.TokenStats(), "the static tokens are not the service's")
	w := httptest.NewRecorder()
	restarted.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v3/auth/tokens",
		strings.NewReader(passwordBody("admin", "secret", "Default", projectScope("demo")))))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Equal(t, identity.TokenStats{Held: 2, Max: 2, Evicted: 1}, restarted.TokenStats())
	_, err := e.store.Token(first)
	assert.ErrorIs(t, err, state.ErrNotFound, "the oldest went")
	_, err = e.store.Token(second)
	assert.NoError(t, err)
}
