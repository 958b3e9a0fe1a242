package identity_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// projectJSON is a project as Keystone's json.dumps writes it.
func projectJSON(base, id, name, domainID string) string {
	return `{"id": "` + id + `", "name": "` + name + `", "domain_id": "` + domainID + `", "description": null, ` +
		`"enabled": true, "parent_id": "` + domainID + `", "is_domain": false, "tags": [], "options": {}, ` +
		`"links": {"self": "` + base + `/v3/projects/` + id + `"}}`
}

// domainJSON is a domain as a project.
func domainJSON(base, id, name, description string) string {
	return `{"id": "` + id + `", "name": "` + name + `", "domain_id": null, "description": ` + description + `, ` +
		`"enabled": true, "parent_id": null, "is_domain": true, "tags": [], "options": {}, ` +
		`"links": {"self": "` + base + `/v3/projects/` + id + `"}}`
}

// projectList is the decoded body of a list of projects.
type projectList struct {
	Projects []struct {
		ID       string  `json:"id"`
		Name     string  `json:"name"`
		DomainID *string `json:"domain_id"`
		IsDomain bool    `json:"is_domain"`
	} `json:"projects"`
	Links struct {
		Next     *string `json:"next"`
		Self     string  `json:"self"`
		Previous *string `json:"previous"`
	} `json:"links"`
	Truncated bool `json:"truncated"`
}

func decodeProjects(t *testing.T, r response) projectList {
	t.Helper()
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.NotEmpty(t, r.body)
	assert.Equal(t, byte('\n'), r.body[len(r.body)-1], "_output_json ends the body with a newline")
	var out projectList
	require.NoError(t, json.Unmarshal(r.body, &out), "%s", r.body)
	return out
}

func (l projectList) ids() []string {
	out := []string{}
	for _, p := range l.Projects {
		out = append(out, p.ID)
	}
	return out
}

// get sends a GET with a token ("" for none).
func (e *env) get(path, token string) response {
	e.t.Helper()
	if token == "" {
		return e.do(http.MethodGet, e.base+path, "")
	}
	return e.do(http.MethodGet, e.base+path, "", "X-Auth-Token", token)
}

// tokens logs in the env's users: admin (admin on demo), alice (member
// on demo), bob (unscoped, no role anywhere).
func (e *env) tokens() (admin, alice, bob string) {
	e.t.Helper()
	admin, _ = e.issue(passwordBody("admin", "secret", "Default", projectScope("demo")))
	alice, _ = e.issue(passwordBody("alice", "wonder", "Users", projectScope("demo")))
	bob, _ = e.issue(passwordBody("bob", "builder", "Default", ""))
	return admin, alice, bob
}

func TestListProjectsBytes(t *testing.T) {
	e := newEnv(t)
	admin, _, _ := e.tokens()
	r := e.get("/v3/projects", admin)
	want := `{"projects": [` + projectJSON(e.base, demoID, "demo", "default") + `, ` +
		projectJSON(e.base, otherID, "other", "default") + `, ` +
		projectJSON(e.base, usersID, "users-project", "Users") + `], ` +
		`"links": {"next": null, "self": "` + e.base + `/v3/projects", "previous": null}}` + "\n"
	assert.Equal(t, want, string(r.body))
	assert.Equal(t, "X-Auth-Token", r.Header.Get("Vary"))

	r = e.get("/v3/projects?is_domain=true", admin)
	want = `{"projects": [` + domainJSON(e.base, "Users", "Users", "null") + `, ` +
		domainJSON(e.base, "default", "Default", `"The default domain"`) + `], ` +
		`"links": {"next": null, "self": "` + e.base + `/v3/projects?is_domain=true", "previous": null}}` + "\n"
	assert.Equal(t, want, string(r.body), "domains are projects acting as domains, by id")
}

func TestListProjectsFilters(t *testing.T) {
	e := newEnv(t)
	admin, _, _ := e.tokens()
	for query, want := range map[string][]string{
		"name=demo":                         {demoID},
		"name=demo&name=other":              {},
		"name=DEMO":                         {},
		"domain_id=Users":                   {usersID},
		"domain_id=default&name=other":      {otherID},
		"enabled=false":                     {},
		"enabled=yes":                       {demoID, otherID, usersID},
		"enabled=":                          {demoID, otherID, usersID},
		"is_domain=0":                       {demoID, otherID, usersID},
		"is_domain=1":                       {"Users", "default"},
		"is_domain=":                        {"Users", "default"},
		"parent_id=" + demoID:               {},
		"name__icontains=EM":                {demoID},
		"name__istartswith=O":               {otherID},
		"name__iendswith=-PROJECT":          {usersID},
		"name__icontains=d_m":               {demoID},
		"name__icontains=%25":               {demoID, otherID, usersID},
		"name__contains=EM":                 {},
		"name__contains=em":                 {demoID},
		"name__startswith=use":              {usersID},
		"name__nosuch=x":                    {demoID, otherID, usersID},
		"domain_id__icontains=ers":          {usersID},
		"tags=a":                            {},
		"tags-any=a,b":                      {},
		"not-tags=a":                        {demoID, otherID, usersID},
		"tags=a&not-tags-any=b":             {demoID, otherID, usersID},
		"unknown=1&name=other":              {otherID},
		"name__icontains=UL&is_domain=true": {"default"},
	} {
		t.Run(query, func(t *testing.T) {
			l := decodeProjects(t, e.get("/v3/projects?"+query, admin))
			assert.Equal(t, want, l.ids())
			assert.Nil(t, l.Links.Next)
			assert.False(t, l.Truncated)
			assert.Equal(t, e.base+"/v3/projects?"+query, l.Links.Self, "self is the request's URL, its query as sent")
		})
	}
	t.Run("Python's errors on a boolean attribute", func(t *testing.T) {
		r := e.get("/v3/projects?enabled__contains=t", admin)
		assert.Equal(t, http.StatusBadRequest, r.StatusCode)
		assert.Equal(t, flaskError(400, "Bad Request", "argument of type 'bool' is not iterable"), string(r.body))
		r = e.get("/v3/projects?enabled__startswith=t", admin)
		assert.Equal(t, http.StatusInternalServerError, r.StatusCode)
	})
}

func TestListProjectsPages(t *testing.T) {
	e := newEnv(t)
	admin, _, _ := e.tokens()
	l := decodeProjects(t, e.get("/v3/projects?limit=2&name__icontains=", admin))
	assert.Equal(t, []string{demoID, otherID}, l.ids())
	assert.True(t, l.Truncated)
	require.NotNil(t, l.Links.Next)
	assert.Equal(t, e.base+"/v3/projects?limit=2&name__icontains=&marker="+otherID, *l.Links.Next)

	next, err := url.Parse(*l.Links.Next)
	require.NoError(t, err)
	l = decodeProjects(t, e.get("/v3/projects?"+next.RawQuery, admin))
	assert.Equal(t, []string{usersID}, l.ids())
	assert.False(t, l.Truncated, "a page that is not full is the last")
	assert.Nil(t, l.Links.Next)

	l = decodeProjects(t, e.get("/v3/projects?marker="+demoID+"&limit=1", admin))
	assert.Equal(t, []string{otherID}, l.ids())
	assert.Equal(t, e.base+"/v3/projects?marker="+otherID+"&limit=1", *l.Links.Next)

	l = decodeProjects(t, e.get("/v3/projects?limit=3", admin))
	assert.True(t, l.Truncated, "a full page is taken for a cut one")
	require.NotNil(t, l.Links.Next)

	l = decodeProjects(t, e.get("/v3/projects?limit=0", admin))
	assert.Equal(t, []string{demoID, otherID, usersID}, l.ids(), "a limit of 0 is the database's maximum")
	assert.True(t, l.Truncated)
	assert.Equal(t, e.base+"/v3/projects?limit=0&marker="+usersID, *l.Links.Next)

	l = decodeProjects(t, e.get("/v3/projects?limit=%201_0%20", admin))
	assert.Equal(t, []string{demoID, otherID, usersID}, l.ids(), "int() takes spaces and underscores")
	assert.False(t, l.Truncated)

	l = decodeProjects(t, e.get("/v3/projects?marker=default&is_domain=true", admin))
	assert.Empty(t, l.ids(), "a domain is a marker too")

	l = decodeProjects(t, e.get("/v3/projects?limit=", admin))
	assert.Len(t, l.ids(), 3)

	r := e.get("/v3/projects?marker=nope", admin)
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, flaskError(404, "Not Found", "Marker nope could not be found."), string(r.body))

	unexpected := flaskError(500, "Internal Server Error", "An unexpected error prevented the server from fulfilling your request.")
	for _, q := range []string{"limit=abc", "limit=-1", "limit=1.5"} {
		r = e.get("/v3/projects?"+q, admin)
		assert.Equal(t, http.StatusInternalServerError, r.StatusCode, q)
		assert.Equal(t, unexpected, string(r.body), q)
	}
}

func TestListProjectsQuerySchema(t *testing.T) {
	e := newEnv(t)
	admin, _, _ := e.tokens()
	data, err := os.ReadFile("testdata/keystone_oracle.json")
	require.NoError(t, err)
	var o struct {
		ProjectsQuery []struct {
			Query    string  `json:"query"`
			Response *string `json:"response"`
		} `json:"projects_query"`
	}
	require.NoError(t, json.Unmarshal(data, &o))
	require.NotEmpty(t, o.ProjectsQuery)
	for _, c := range o.ProjectsQuery {
		r := e.get("/v3/projects?"+c.Query, admin)
		if c.Response == nil {
			assert.NotEqual(t, http.StatusBadRequest, r.StatusCode, "%s: %s", c.Query, r.body)
			continue
		}
		assert.Equal(t, http.StatusBadRequest, r.StatusCode, c.Query)
		assert.Equal(t, *c.Response, string(r.body), c.Query)
		r = e.get("/v3/projects?"+c.Query, "")
		assert.Equal(t, http.StatusBadRequest, r.StatusCode, "%s: the schema comes before the token", c.Query)
	}
}

func TestProjectPolicies(t *testing.T) {
	e := newEnv(t)
	o := loadOracle(t)
	admin, alice, bob := e.tokens()
	unscopedAdmin, _ := e.issue(passwordBody("admin", "secret", "Default", ""))
	forbidden := func(action string) string {
		return flaskError(403, "Forbidden", "You are not authorized to perform the requested action: "+action+".")
	}
	for name, row := range map[string]struct {
		path, token string
		code        int
		body        string
	}{
		"list, no token":                    {"/v3/projects", "", 401, o.Unauthorized},
		"list, an unknown token":            {"/v3/projects", "nope", 401, o.Unauthorized},
		"list, a member":                    {"/v3/projects", alice, 403, forbidden("identity:list_projects")},
		"list, an unscoped admin":           {"/v3/projects", unscopedAdmin, 403, forbidden("identity:list_projects")},
		"list, no role":                     {"/v3/projects", bob, 403, forbidden("identity:list_projects")},
		"show, no token":                    {"/v3/projects/" + demoID, "", 401, o.Unauthorized},
		"show, an admin":                    {"/v3/projects/" + otherID, admin, 200, `{"project": ` + projectJSON(e.base, otherID, "other", "default") + "}\n"},
		"show, a domain":                    {"/v3/projects/default", admin, 200, `{"project": ` + domainJSON(e.base, "default", "Default", `"The default domain"`) + "}\n"},
		"show, the token's project":         {"/v3/projects/" + demoID, alice, 200, `{"project": ` + projectJSON(e.base, demoID, "demo", "default") + "}\n"},
		"show, another project":             {"/v3/projects/" + usersID, alice, 403, forbidden("identity:get_project")},
		"show, an unknown one, a member":    {"/v3/projects/nope", alice, 403, forbidden("identity:get_project")},
		"show, an unknown one, an admin":    {"/v3/projects/nope", admin, 404, flaskError(404, "Not Found", "Could not find project: nope.")},
		"show, trailing slash":              {"/v3/projects/" + demoID + "/", alice, 200, `{"project": ` + projectJSON(e.base, demoID, "demo", "default") + "}\n"},
		"show, unscoped":                    {"/v3/projects/" + demoID, bob, 403, forbidden("identity:get_project")},
		"a project's sub-resource":          {"/v3/projects/" + demoID + "/tags", admin, 404, ""},
		"list, an admin, with a path slash": {"/v3/projects/", admin, 200, ""},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.get(row.path, row.token)
			assert.Equal(t, row.code, r.StatusCode, "%s", r.body)
			if row.body != "" {
				assert.Equal(t, row.body, string(r.body))
			}
			if row.code == http.StatusUnauthorized {
				assert.Equal(t, `Keystone uri="`+e.base+`/v3"`, r.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestAuthProjects(t *testing.T) {
	e := newEnv(t)
	o := loadOracle(t)
	admin, alice, bob := e.tokens()
	require.NoError(t, e.store.AddToken(state.AuthToken{Token: userlessToken, ProjectID: demoID, Roles: []string{"member"}}))

	r := e.get("/v3/auth/projects?x=1", alice)
	want := `{"projects": [` + projectJSON(e.base, demoID, "demo", "default") + `, ` +
		projectJSON(e.base, usersID, "users-project", "Users") + `], ` +
		`"links": {"next": null, "self": "` + e.base + `/v3/auth/projects?x=1", "previous": null}}` + "\n"
	assert.Equal(t, want, string(r.body))

	for name, row := range map[string]struct {
		token string
		want  []string
	}{
		"an admin sees its own":       {admin, []string{demoID}},
		"an unscoped token":           {bob, []string{}},
		"a static token without user": {userlessToken, []string{demoID}},
		"a static token of a user":    {staticToken, []string{demoID}},
		"no filters":                  {alice, []string{demoID, usersID}},
	} {
		t.Run(name, func(t *testing.T) {
			path := "/v3/auth/projects"
			if name == "no filters" {
				path += "?name=demo&limit=1"
			}
			assert.Equal(t, row.want, decodeProjects(t, e.get(path, row.token)).ids())
		})
	}
	r = e.get("/v3/auth/projects", "")
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	assert.Equal(t, o.Unauthorized, string(r.body))
}

func TestUserProjects(t *testing.T) {
	e := newEnv(t)
	admin, alice, bob := e.tokens()
	forbidden := flaskError(403, "Forbidden", "You are not authorized to perform the requested action: identity:list_user_projects.")

	l := decodeProjects(t, e.get("/v3/users/"+aliceID+"/projects", alice))
	assert.Equal(t, []string{demoID, usersID}, l.ids())
	assert.Equal(t, e.base+"/v3/users/"+aliceID+"/projects", l.Links.Self)
	assert.Equal(t, []string{demoID, usersID}, decodeProjects(t, e.get("/v3/users/"+aliceID+"/projects", admin)).ids())
	assert.Equal(t, []string{}, decodeProjects(t, e.get("/v3/users/"+bobID+"/projects", bob)).ids(), "unscoped, about oneself")

	for query, want := range map[string][]string{
		"name=demo":             {demoID},
		"domain_id=Users":       {usersID},
		"enabled=0":             {},
		"name__icontains=PROJ":  {usersID},
		"name__contains=PROJ":   {},
		"name__icontains=d_m":   {}, // Python's "in", not LIKE
		"parent_id=x&is_domain": {demoID, usersID},
	} {
		assert.Equal(t, want, decodeProjects(t, e.get("/v3/users/"+aliceID+"/projects?"+query, alice)).ids(), query)
	}

	l = decodeProjects(t, e.get("/v3/users/"+aliceID+"/projects?limit=1&x=y", alice))
	assert.Equal(t, []string{demoID}, l.ids())
	assert.True(t, l.Truncated)
	assert.Equal(t, e.base+"/v3/users/"+aliceID+"/projects?limit=1&x=y&marker="+demoID, *l.Links.Next)
	l = decodeProjects(t, e.get("/v3/users/"+aliceID+"/projects?limit=-1", alice))
	assert.Equal(t, []string{demoID}, l.ids(), "Python's rows[:-1]")
	assert.True(t, l.Truncated)
	l = decodeProjects(t, e.get("/v3/users/"+aliceID+"/projects?limit=0", alice))
	assert.Equal(t, []string{}, l.ids())
	assert.True(t, l.Truncated)
	assert.Nil(t, l.Links.Next, "no next page after an empty one")
	l = decodeProjects(t, e.get("/v3/users/"+aliceID+"/projects?limit=2", alice))
	assert.False(t, l.Truncated)

	for name, row := range map[string]struct {
		path, token string
		code        int
		body        string
	}{
		"another user's":         {"/v3/users/" + adminID + "/projects", alice, 403, forbidden},
		"an unknown user's":      {"/v3/users/nope/projects", alice, 403, forbidden},
		"an unknown one, admin":  {"/v3/users/nope/projects", admin, 404, flaskError(404, "Not Found", "Could not find user: nope.")},
		"no token":               {"/v3/users/" + aliceID + "/projects", "", 401, ""},
		"a bad limit":            {"/v3/users/" + aliceID + "/projects?limit=x", alice, 500, ""},
		"a bad limit, forbidden": {"/v3/users/" + adminID + "/projects?limit=x", alice, 403, forbidden},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.get(row.path, row.token)
			assert.Equal(t, row.code, r.StatusCode, "%s", r.body)
			if row.body != "" {
				assert.Equal(t, row.body, string(r.body))
			}
		})
	}
}

func TestShowUser(t *testing.T) {
	e := newEnv(t)
	admin, alice, _ := e.tokens()
	require.NoError(t, e.store.AddToken(state.AuthToken{Token: userlessToken, ProjectID: demoID, Roles: []string{"member"}}))
	userJSON := func(id, name, domain string) string {
		return `{"user": {"id": "` + id + `", "name": "` + name + `", "domain_id": "` + domain + `", "enabled": true, ` +
			`"password_expires_at": null, "options": {}, "links": {"self": "` + e.base + `/v3/users/` + id + `"}}}` + "\n"
	}
	forbidden := flaskError(403, "Forbidden", "You are not authorized to perform the requested action: identity:get_user.")

	r := e.get("/v3/users/"+aliceID, alice)
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, userJSON(aliceID, "alice", "Users"), string(r.body))
	assert.Equal(t, userJSON(bobID, "bob", "default"), string(e.get("/v3/users/"+bobID, admin).body))
	assert.Equal(t, forbidden, string(e.get("/v3/users/"+bobID, alice).body))
	assert.Equal(t, forbidden, string(e.get("/v3/users/nope", alice).body))
	assert.Equal(t, flaskError(404, "Not Found", "Could not find user: nope."), string(e.get("/v3/users/nope", admin).body))
	assert.Equal(t, http.StatusUnauthorized, e.get("/v3/users/"+aliceID, "").StatusCode)

	// The user of a static token without one, as its token shows it.
	r = e.do(http.MethodGet, e.base+"/v3/auth/tokens", "", "X-Auth-Token", userlessToken, "X-Subject-Token", userlessToken)
	userID := decodeToken(t, r.body).Token.User.ID
	r = e.get("/v3/users/"+userID, userlessToken)
	assert.Equal(t, userJSON(userID, userID, "default"), string(r.body))
	assert.Equal(t, userJSON(userID, userID, "default"), string(e.get("/v3/users/"+userID, admin).body))
	assert.Equal(t, []string{demoID}, decodeProjects(t, e.get("/v3/users/"+userID+"/projects", userlessToken)).ids(),
		"openstack project list as a non-admin: GET /v3/projects is 403, then this")
	assert.Equal(t, userJSON(adminID, "admin", "default"), string(e.get("/v3/users/"+adminID, staticToken).body),
		"a static token with a user of the store stands for that user")
}

func TestAuthCatalog(t *testing.T) {
	e := newEnv(t)
	admin, alice, bob := e.tokens()
	_, issued := e.issue(passwordBody("alice", "wonder", "Users", projectScope("demo")))
	catalog, err := json.Marshal(decodeToken(t, issued.body).Token.Catalog)
	require.NoError(t, err)

	r := e.get("/v3/auth/catalog", alice)
	require.Equal(t, http.StatusOK, r.StatusCode)
	var body struct {
		Catalog json.RawMessage `json:"catalog"`
		Links   struct {
			Self string `json:"self"`
		} `json:"links"`
	}
	require.NoError(t, json.Unmarshal(r.body, &body))
	assert.JSONEq(t, string(catalog), string(body.Catalog), "the token's catalog")
	assert.Equal(t, e.base+"/v3/auth/catalog", body.Links.Self)
	full := string(r.body)
	assert.Regexp(t, `^\{"catalog": \[\{"endpoints": \[\{"id": "[0-9a-f]{32}", "interface": "public", `, full)
	assert.Regexp(t, `\], "links": \{"self": "`+e.base+`/v3/auth/catalog"\}\}`+"\n$", full)
	assert.Equal(t, http.StatusOK, e.get("/v3/auth/catalog", admin).StatusCode)
	assert.Equal(t, http.StatusOK, e.get("/v3/auth/catalog", staticToken).StatusCode)

	r = e.get("/v3/auth/catalog", bob)
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	assert.Equal(t, flaskError(403, "Forbidden", "You are not authorized to perform the requested action."), string(r.body))
	r = e.get("/v3/auth/catalog", "")
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
}

func TestReadOnlyResourcesMethods(t *testing.T) {
	e := newEnv(t)
	admin, _, _ := e.tokens()
	for _, path := range []string{"/v3/projects", "/v3/projects/" + demoID, "/v3/auth/projects", "/v3/auth/catalog",
		"/v3/users/" + adminID, "/v3/users/" + adminID + "/projects"} {
		t.Run(path, func(t *testing.T) {
			get := e.get(path, admin)
			require.Equal(t, http.StatusOK, get.StatusCode)
			r := e.do(http.MethodHead, e.base+path, "", "X-Auth-Token", admin)
			assert.Equal(t, http.StatusOK, r.StatusCode)
			assert.Empty(t, r.body)
			assert.Equal(t, get.Header.Get("Content-Length"), r.Header.Get("Content-Length"))

			r = e.do(http.MethodOptions, e.base+path, "")
			assert.Equal(t, http.StatusOK, r.StatusCode)
			assert.Equal(t, "GET, HEAD, OPTIONS", r.Header.Get("Allow"))

			for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut} {
				r = e.do(method, e.base+path, "{}", "X-Auth-Token", admin, "Content-Type", "application/json")
				assert.Equal(t, http.StatusMethodNotAllowed, r.StatusCode, method)
				assert.Equal(t, `{"message": "The method is not allowed for the requested URL."}`+"\n", string(r.body))
				assert.Equal(t, "GET, HEAD, OPTIONS", r.Header.Get("Allow"))
			}
		})
	}
}
