package identity_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

var tokenForm = regexp.MustCompile(`^gAAAAA[A-Za-z0-9_-]{49}$`)

func TestPasswordAuthScoped(t *testing.T) {
	e := newEnv(t)
	userByName := `"user": {"name": "admin", "domain": {"name": "Default"}, "password": "secret"}`
	for name, row := range map[string]struct {
		identity, scope string
		project         string // id
		user            string // id
		roles           []string
	}{
		"user and project by name, domains by name": {userByName, projectScope("demo"), demoID, adminID, []string{"admin", "member", "reader"}},
		"domains by id": {`"user": {"name": "admin", "domain": {"id": "default"}, "password": "secret"}`,
			`{"project": {"name": "demo", "domain": {"id": "default"}}}`, demoID, adminID, []string{"admin", "member", "reader"}},
		"user by id":    {`"user": {"id": "` + adminID + `", "password": "secret"}`, projectScope("demo"), demoID, adminID, []string{"admin", "member", "reader"}},
		"project by id": {userByName, `{"project": {"id": "` + demoID + `"}}`, demoID, adminID, []string{"admin", "member", "reader"}},
		"another domain": {`"user": {"name": "alice", "domain": {"name": "Users"}, "password": "wonder"}`,
			`{"project": {"name": "users-project", "domain": {"id": "Users"}}}`, usersID, aliceID, []string{"member"}},
		"another domain's user in the default domain's project": {`"user": {"id": "` + aliceID + `", "password": "wonder"}`,
			projectScope("demo"), demoID, aliceID, []string{"member"}},
	} {
		t.Run(name, func(t *testing.T) {
			tok, r := e.issue(`{"auth": {"identity": {"methods": ["password"], "password": {` + row.identity + `}}, "scope": ` + row.scope + `}}`)
			assert.Regexp(t, tokenForm, tok)
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			b := decodeToken(t, r.body)
			assert.Equal(t, []string{"password"}, b.Token.Methods)
			assert.Equal(t, row.user, b.Token.User.ID)
			require.NotNil(t, b.Token.Project)
			assert.Equal(t, row.project, b.Token.Project.ID)
			assert.Equal(t, row.roles, b.roleNames())
			require.NotNil(t, b.Token.IsDomain)
			assert.False(t, *b.Token.IsDomain)
			assert.Equal(t, "2026-11-27T14:00:00.000000Z", b.Token.ExpiresAt)
			assert.Equal(t, "2026-11-27T13:00:00.000000Z", b.Token.IssuedAt)
			require.Len(t, b.Token.AuditIDs, 1)
			assert.Len(t, b.Token.AuditIDs[0], 22)

			require.Len(t, b.Token.Catalog, 4)
			for i, want := range []struct{ typ, name, url string }{
				{"identity", "keystone", e.base},
				{"compute", "nova", e.srv.URL + "/v2.1/" + row.project},
				{"image", "glance", e.srv.URL + "/image"},
				{"network", "neutron", e.srv.URL + "/networking"},
			} {
				svc := b.Token.Catalog[i]
				assert.Equal(t, want.typ, svc.Type)
				assert.Equal(t, want.name, svc.Name)
				assert.Len(t, svc.ID, 32)
				var ifaces []string
				for _, ep := range svc.Endpoints {
					ifaces = append(ifaces, ep.Interface)
					assert.Equal(t, want.url, ep.URL)
					assert.Equal(t, "RegionOne", ep.Region)
					assert.Equal(t, "RegionOne", ep.RegionID)
					assert.Len(t, ep.ID, 32)
				}
				assert.Equal(t, []string{"public", "internal", "admin"}, ifaces)
			}

			// The token is in the store, as the fake Nova needs it.
			st, err := e.store.Token(tok)
			require.NoError(t, err)
			assert.Equal(t, row.project, st.ProjectID)
			assert.Equal(t, row.roles, st.Roles)
			assert.Equal(t, state.MethodPassword, st.Methods)
			assert.Equal(t, t0.Add(time.Hour), st.ExpiresAt)
		})
	}
	// Nova accepts a token with a role on the server's project.
	tok, _ := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	assert.Equal(t, http.StatusOK, e.console(tok))
}

// The whole answer, byte for byte: Keystone's render_token_response_from_model
// through json.dumps.
func TestTokenBodyBytes(t *testing.T) {
	e := newEnv(t)
	tok, r := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	st, err := e.store.Token(tok)
	require.NoError(t, err)
	catalogID := func(typ, name string) string { // the fixed ids the service gives
		svc := decodeToken(t, r.body).service(t, typ)
		if name == "service" {
			return svc.ID
		}
		for _, ep := range svc.Endpoints {
			if ep.Interface == name {
				return ep.ID
			}
		}
		return ""
	}
	roleID := func(name string) string {
		for _, role := range decodeToken(t, r.body).Token.Roles {
			if role.Name == name {
				return role.ID
			}
		}
		return ""
	}
	service := func(typ, name, url string) string {
		endpoint := func(iface string) string {
			return `{"id": "` + catalogID(typ, iface) + `", "interface": "` + iface + `", "region_id": "RegionOne", "url": "` +
				url + `", "region": "RegionOne"}`
		}
		return `{"endpoints": [` + endpoint("public") + `, ` + endpoint("internal") + `, ` + endpoint("admin") + `], ` +
			`"id": "` + catalogID(typ, "service") + `", "type": "` + typ + `", "name": "` + name + `"}`
	}
	want := `{"token": {"methods": ["password"], ` +
		`"user": {"domain": {"id": "default", "name": "Default"}, "id": "` + adminID + `", "name": "admin", "password_expires_at": null}, ` +
		`"audit_ids": ["` + st.AuditID + `"], "expires_at": "2026-11-27T14:00:00.000000Z", "issued_at": "2026-11-27T13:00:00.000000Z", ` +
		`"project": {"domain": {"id": "default", "name": "Default"}, "id": "` + demoID + `", "name": "demo"}, "is_domain": false, ` +
		`"roles": [{"id": "` + roleID("admin") + `", "name": "admin"}, {"id": "` + roleID("member") + `", "name": "member"}, ` +
		`{"id": "` + roleID("reader") + `", "name": "reader"}], ` +
		`"catalog": [` + service("identity", "keystone", e.base) + `, ` +
		service("compute", "nova", e.srv.URL+"/v2.1/"+demoID) + `, ` +
		service("image", "glance", e.srv.URL+"/image") + `, ` +
		service("network", "neutron", e.srv.URL+"/networking") + `]}}`
	assert.Equal(t, want, string(r.body))
	assert.NotEqual(t, roleID("admin"), roleID("member"))

	// The ids are fixed: another request gets the same catalog and roles.
	_, r2 := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	assert.Equal(t, decodeToken(t, r.body).Token.Catalog, decodeToken(t, r2.body).Token.Catalog)
	assert.Equal(t, decodeToken(t, r.body).Token.Roles, decodeToken(t, r2.body).Token.Roles)

	// ?nocatalog leaves the catalog out.
	r3 := e.do(http.MethodPost, e.base+"/v3/auth/tokens?nocatalog", passwordBody("admin", "secret", "Default", projectScope("demo")))
	require.Equal(t, http.StatusCreated, r3.StatusCode)
	assert.Nil(t, decodeToken(t, r3.body).Token.Catalog)
	assert.NotNil(t, decodeToken(t, r3.body).Token.Project)
}

func TestOptionsShapeTheToken(t *testing.T) {
	e := newEnv(t,
		identity.WithRegion("Region2"),
		identity.WithTokenTTL(5*time.Minute),
		identity.WithComputeURL(func(r *http.Request, project string) string {
			return "https://compute.example/v2.1/" + project
		}))
	_, r := e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	b := decodeToken(t, r.body)
	assert.Equal(t, "2026-11-27T13:05:00.000000Z", b.Token.ExpiresAt)
	for _, ep := range b.service(t, "compute").Endpoints {
		assert.Equal(t, "Region2", ep.Region)
		assert.Equal(t, "Region2", ep.RegionID)
		assert.Equal(t, "https://compute.example/v2.1/"+demoID, ep.URL)
	}
}

func TestUnscopedThenRescopedWithTheTokenMethod(t *testing.T) {
	e := newEnv(t)
	for name, scope := range map[string]string{
		"no scope":         "",
		`"unscoped"`:       `"unscoped"`,
		`{"unscoped": {}}`: `{"unscoped": {}}`,
		"a string with it": `"please, unscoped"`,
	} {
		t.Run(name, func(t *testing.T) {
			_, r := e.issue(passwordBody("admin", "secret", "Default", scope))
			assert.NotContains(t, string(r.body), `"catalog"`)
			assert.NotContains(t, string(r.body), `"project"`)
			assert.NotContains(t, string(r.body), `"roles"`)
			assert.NotContains(t, string(r.body), `"is_domain"`)
			assert.Equal(t, []string{"password"}, decodeToken(t, r.body).Token.Methods)
		})
	}

	// Bob has no role anywhere, but may have an unscoped token.
	_, r := e.issue(passwordBody("bob", "builder", "Default", ""))
	assert.Equal(t, bobID, decodeToken(t, r.body).Token.User.ID)

	unscoped, r := e.issue(passwordBody("alice", "wonder", "Users", ""))
	first := decodeToken(t, r.body)
	assert.Equal(t, "Users", first.Token.User.Domain.ID)
	assert.Equal(t, "Users", first.Token.User.Domain.Name)
	st, err := e.store.Token(unscoped)
	require.NoError(t, err)
	assert.Empty(t, st.ProjectID)
	assert.Empty(t, st.Roles)

	e.clock.Advance(10 * time.Minute)
	scoped, r := e.issue(`{"auth": {"identity": {"methods": ["token"], "token": {"id": "` + unscoped + `"}}, "scope": ` + projectScope("demo") + `}}`)
	b := decodeToken(t, r.body)
	assert.Equal(t, []string{"token", "password"}, b.Token.Methods, "Keystone's order: the method bits, highest first")
	assert.Equal(t, aliceID, b.Token.User.ID)
	assert.Equal(t, demoID, b.Token.Project.ID)
	assert.Equal(t, []string{"member"}, b.roleNames())
	assert.Equal(t, first.Token.ExpiresAt, b.Token.ExpiresAt, "a re-scoped token keeps the expiry")
	assert.Equal(t, "2026-11-27T13:10:00.000000Z", b.Token.IssuedAt)
	require.Len(t, b.Token.AuditIDs, 2)
	assert.Equal(t, first.Token.AuditIDs[0], b.Token.AuditIDs[1], "the audit chain")
	assert.Len(t, b.Token.Catalog, 4)
	assert.Equal(t, http.StatusOK, e.console(scoped))

	// Re-scoping the scoped token again keeps the first audit id as parent.
	_, r = e.issue(`{"auth": {"identity": {"methods": ["token"], "token": {"id": "` + scoped + `"}}, "scope": {"project": {"id": "` + usersID + `"}}}}`)
	again := decodeToken(t, r.body)
	assert.Equal(t, usersID, again.Token.Project.ID)
	assert.Equal(t, first.Token.AuditIDs[0], again.Token.AuditIDs[1])

	// Without a scope, the token method gives an unscoped token.
	_, r = e.issue(`{"auth": {"identity": {"methods": ["token"], "token": {"id": "` + scoped + `"}}}}`)
	assert.Nil(t, decodeToken(t, r.body).Token.Project)

	// Password and token together, for the same user.
	_, r = e.issue(`{"auth": {"identity": {"methods": ["password", "token"], "token": {"id": "` + scoped + `"}, ` +
		`"password": {"user": {"id": "` + aliceID + `", "password": "wonder"}}}}}`)
	assert.Equal(t, []string{"token", "password"}, decodeToken(t, r.body).Token.Methods)

	// A static token re-scopes too.
	_, r = e.issue(`{"auth": {"identity": {"methods": ["token"], "token": {"id": "` + staticToken + `"}}, "scope": ` + projectScope("demo") + `}}`)
	assert.Equal(t, adminID, decodeToken(t, r.body).Token.User.ID)
}

func TestAuthenticationFailures(t *testing.T) {
	e := newEnv(t)
	o := loadOracle(t)
	adminToken, _ := e.issue(passwordBody("admin", "secret", "Default", ""))
	for name, body := range map[string]string{
		"bad password":           passwordBody("admin", "wrong", "Default", projectScope("demo")),
		"empty password":         passwordBody("admin", "", "Default", ""),
		"no password":            `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "` + adminID + `"}}}}}`,
		"unknown user":           passwordBody("mallory", "secret", "Default", ""),
		"user in another domain": passwordBody("alice", "wonder", "Default", ""),
		"unknown user domain":    passwordBody("admin", "secret", "Nowhere", ""),
		"unknown user id":        `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "nope", "password": "secret"}}}}}`,
		"user by empty id and a name that is empty too": `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "x", "name": "", "password": "secret"}}}}}`,
		"unknown project":                        passwordBody("admin", "secret", "Default", projectScope("nope")),
		"unknown project id":                     passwordBody("admin", "secret", "Default", `{"project": {"id": "ffffffffffffffffffffffffffffffff"}}`),
		"empty project id":                       passwordBody("admin", "secret", "Default", `{"project": {"id": ""}}`),
		"project in another domain":              passwordBody("alice", "wonder", "Users", projectScope("users-project")),
		"project domain by empty id":             passwordBody("admin", "secret", "Default", `{"project": {"name": "demo", "domain": {"id": ""}}}`),
		"no role on the project":                 passwordBody("bob", "builder", "Default", projectScope("demo")),
		"a role on another project only":         passwordBody("admin", "secret", "Default", projectScope("other")),
		"domain scope":                           passwordBody("admin", "secret", "Default", `{"domain": {"name": "Default"}}`),
		"unknown domain scope":                   passwordBody("admin", "secret", "Default", `{"domain": {"id": "nope"}}`),
		"system scope":                           passwordBody("admin", "secret", "Default", `{"system": {"all": true}}`),
		"trust scope":                            passwordBody("admin", "secret", "Default", `{"OS-TRUST:trust": {"id": "t1"}}`),
		"a method Keystone has and the fake not": `{"auth": {"identity": {"methods": ["external"], "external": {}}}}`,
		"no method":                              `{"auth": {"identity": {"methods": []}}}`,
		"methods of two users": `{"auth": {"identity": {"methods": ["password", "token"], "token": {"id": "` + adminToken + `"}, ` +
			`"password": {"user": {"id": "` + aliceID + `", "password": "wonder"}}}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := e.auth(body)
			assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
			assert.Equal(t, o.Unauthorized, string(r.body))
			assert.Equal(t, `Keystone uri="`+e.base+`/v3"`, r.Header.Get("WWW-Authenticate"))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.Empty(t, r.Header.Get("X-Subject-Token"))
		})
	}
	t.Run("a method Keystone does not know", func(t *testing.T) {
		r := e.auth(`{"auth": {"identity": {"methods": ["totp"], "totp": {}}}}`)
		assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
		assert.Equal(t, o.UnsupportedMethod, string(r.body))
		assert.Equal(t, `Keystone uri="`+e.base+`/v3"`, r.Header.Get("WWW-Authenticate"))
	})
}

func TestMalformedRequests(t *testing.T) {
	e := newEnv(t)
	o := loadOracle(t)
	t.Run("schema errors, as jsonschema words them", func(t *testing.T) {
		for _, c := range o.SchemaErrors {
			r := e.auth(c.Body)
			assert.Equal(t, http.StatusBadRequest, r.StatusCode, c.Body)
			assert.Equal(t, c.Response, string(r.body), c.Body)
		}
	})
	bad := func(message string) string { return flaskError(400, "Bad Request", message) }
	expecting := func(attribute, target string) string {
		return bad("Expecting to find " + attribute + " in " + target + ". The server could not comply with the request " +
			"since it is either malformed or otherwise incorrect. The client is assumed to be in error.")
	}
	pw := func(user string) string {
		return `{"auth": {"identity": {"methods": ["password"], "password": {"user": ` + user + `}}}}`
	}
	for name, row := range map[string]struct{ body, contentType, want string }{
		"not JSON":            {`{"auth": `, "application/json", expecting("valid JSON", "request body")},
		"a JSON array":        {`[]`, "application/json", expecting("valid JSON", "request body")},
		"JSON without a type": {`"auth"`, "", expecting("valid JSON", "request body")},
		"not JSON's type":     {`{"auth": {}}`, "text/plain", expecting("application/json", "Content-Type header")},
		"no body":             {``, "application/json", expecting("auth", "request body")},
		"no auth":             {`{}`, "application/json", expecting("auth", "request body")},
		"auth null":           {`{"auth": null}`, "application/vnd.openstack+json; charset=utf-8", expecting("auth", "request body")},
		"method without its object": {`{"auth": {"identity": {"methods": ["password", "token"], "password": {}}}}`, "application/json",
			expecting("token", "identity")},
		"password without a user": {`{"auth": {"identity": {"methods": ["password"], "password": {}}}}`, "application/json",
			expecting("user", "None")},
		"user without id or name":     {pw(`{"password": "x"}`), "application/json", bad("Invalid input for field identity/password/user: id or name must be present.")},
		"user domain without either":  {pw(`{"name": "admin", "domain": {}}`), "application/json", bad("Invalid input for field identity/password/user/domain: id or name must be present.")},
		"user with empty id and name": {pw(`{"id": "", "name": "", "password": "x"}`), "application/json", expecting("id or name", "user")},
		"user by name without domain": {pw(`{"name": "admin", "password": "secret"}`), "application/json", expecting("domain", "user")},
		"user domain both empty":      {pw(`{"name": "admin", "domain": {"id": "", "name": ""}, "password": "secret"}`), "application/json", expecting("id or name", "domain")},
		"project without id or name": {passwordBody("admin", "secret", "Default", `{"project": {}}`), "application/json",
			bad("Invalid input for field scope/project: id or name must be present.")},
		"project domain without either": {passwordBody("admin", "secret", "Default", `{"project": {"name": "demo", "domain": {}}}`), "application/json",
			bad("Invalid input for field scope/project/domain: id or name must be present.")},
		"domain scope without either": {passwordBody("admin", "secret", "Default", `{"domain": {}}`), "application/json",
			bad("Invalid input for field scope/domain: id or name must be present.")},
		"project by name without domain": {passwordBody("admin", "secret", "Default", `{"project": {"name": "demo"}}`), "application/json",
			expecting("domain", "project")},
		"two scopes": {passwordBody("admin", "secret", "Default", `{"project": {"id": "x"}, "unscoped": {}}`), "application/json",
			expecting("system, project, domain, OS-TRUST:trust or unscoped", "scope")},
		"an empty scope": {passwordBody("admin", "secret", "Default", `{}`), "application/json",
			expecting("system, project, domain, OS-TRUST:trust or unscoped", "scope")},
		"a string scope of nothing": {passwordBody("admin", "secret", "Default", `"all"`), "application/json",
			expecting("system, project, domain, OS-TRUST:trust or unscoped", "scope")},
		"a string scope of a project": {passwordBody("admin", "secret", "Default", `"project"`), "application/json",
			bad("string indices must be integers, not 'str'")},
		"trust without id": {passwordBody("admin", "secret", "Default", `{"OS-TRUST:trust": {}}`), "application/json",
			expecting("trust_id", "trust")},
	} {
		t.Run(name, func(t *testing.T) {
			headers := []string{}
			if row.contentType != "" {
				headers = append(headers, "Content-Type", row.contentType)
			}
			r := e.do(http.MethodPost, e.base+"/v3/auth/tokens", row.body, headers...)
			assert.Equal(t, http.StatusBadRequest, r.StatusCode)
			assert.Equal(t, row.want, string(r.body))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.Empty(t, r.Header.Get("WWW-Authenticate"))
		})
	}
	t.Run("order: a bad project before a missing user", func(t *testing.T) {
		r := e.auth(`{"auth": {"identity": {"methods": ["password"], "password": {}}, "scope": ` + projectScope("nope") + `}}`)
		assert.Equal(t, http.StatusUnauthorized, r.StatusCode, "Keystone looks the scope up before it authenticates")
	})
	t.Run("too large", func(t *testing.T) {
		r := e.auth(`{"auth": "` + strings.Repeat("x", 120000) + `"}`)
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
	})
}

func TestDomainScopeIsLookedUpBeforeTheMethods(t *testing.T) {
	e := newEnv(t)
	noUser := `{"auth": {"identity": {"methods": ["password"], "password": {}}, "scope": {"domain": {"name": "%s"}}}}`
	r := e.auth(strings.Replace(noUser, "%s", "Users", 1))
	assert.Equal(t, http.StatusBadRequest, r.StatusCode, "a known domain: the password method's 400 comes next")
	r = e.auth(strings.Replace(noUser, "%s", "Nowhere", 1))
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode, "an unknown domain: 401 at once")
	r = e.auth(passwordBody("alice", "wonder", "Users", `{"domain": {"id": "Users"}}`))
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode, "no role on a domain")
}

func TestTheLogSaysWhyNotTheSecrets(t *testing.T) {
	var log bytes.Buffer
	e := newEnv(t, identity.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	tok, _ := e.issue(passwordBody("admin", "secret", "Default", ""))
	r := e.auth(passwordBody("admin", "hunter2", "Default", ""))
	require.Equal(t, http.StatusUnauthorized, r.StatusCode)
	r = e.do(http.MethodGet, e.base+"/v3/auth/tokens", "", "X-Auth-Token", "not-"+tok, "X-Subject-Token", tok)
	require.Equal(t, http.StatusUnauthorized, r.StatusCode)
	out := log.String()
	assert.Contains(t, out, "authorization failed")
	assert.Contains(t, out, "invalid password for user admin")
	assert.Contains(t, out, "X-Auth-Token missing, unknown or expired")
	assert.NotContains(t, out, "hunter2")
	assert.NotContains(t, out, "secret")
	assert.NotContains(t, out, tok)
}
