package identity_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

// t0 is where every ManualClock of these tests starts.
var t0 = time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC)

const (
	demoID   = "1ab83fbf1b594600bfa618dc33694dd6"
	otherID  = "2bc94a0a2c6a4711a0b729ed44705ee7"
	usersID  = "3cd05b1b3d7b4822b1c83afe55816ff8" // a project of the domain "Users"
	serverID = "365313c5-5d0c-4c43-af05-16f765c0f2bc"

	adminID   = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
	aliceID   = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
	bobID     = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"
	serviceID = "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4"

	// staticToken is a seeded token of admin on demo, with no expiry.
	staticToken = "50c17af54c154f528d135e7f74098cfd"
	// orphanToken is a seeded token of a project the store does not have.
	orphanToken = "60d28b065d265f639e246f8f85109d0e"
)

// env is a cloud for one test: identity under /identity and a fake Nova
// at the root of one httptest server on 127.0.0.1, on one store with a
// manual clock.
//
//	admin/secret (domain Default): admin, member, reader on demo
//	alice/wonder (domain Users):   member on demo, member on users-project
//	bob/builder  (domain Default): no role anywhere
//	nova/service (domain Default): service on other
type env struct {
	t     *testing.T
	clock *state.ManualClock
	store *state.Store
	svc   *identity.Service
	srv   *httptest.Server
	// base is the identity service's URL, http://127.0.0.1:PORT/identity.
	base string
}

func newEnv(t *testing.T, opts ...identity.Option) *env {
	t.Helper()
	clock := state.NewManualClock(t0)
	store := state.New(state.WithClock(clock))
	for _, p := range []state.Project{
		{ID: demoID, Name: "demo"},
		{ID: otherID, Name: "other"},
		{ID: usersID, Name: "users-project", DomainID: "Users"},
	} {
		_, err := store.AddProject(p)
		require.NoError(t, err)
	}
	require.NoError(t, store.AddHost(state.Host{Name: "compute-1"}))
	_, err := store.AddServer(state.Server{ID: serverID, Name: "vm1", ProjectID: demoID, Host: "compute-1",
		VMState: state.VMActive, PowerState: state.PowerRunning})
	require.NoError(t, err)
	for _, u := range []state.User{
		{ID: adminID, Name: "admin", Password: "secret", Roles: map[string][]string{"demo": {"admin", "member", "reader"}}},
		{ID: aliceID, Name: "alice", Password: "wonder", Domain: "Users",
			Roles: map[string][]string{"demo": {"member"}, "users-project": {"member"}}},
		{ID: bobID, Name: "bob", Password: "builder"},
		{ID: serviceID, Name: "nova", Password: "service", Roles: map[string][]string{"other": {"service"}}},
	} {
		_, err := store.AddUser(u)
		require.NoError(t, err)
	}
	require.NoError(t, store.AddToken(state.AuthToken{Token: staticToken, UserID: adminID, UserName: "admin",
		ProjectID: demoID, Roles: []string{"admin", "member"}}))
	require.NoError(t, store.AddToken(state.AuthToken{Token: orphanToken, UserID: bobID, UserName: "bob",
		ProjectID: "fedcba9876543210fedcba9876543210", Roles: []string{"member"}}))

	svc := identity.New(store, opts...)
	mux := http.NewServeMux()
	mux.Handle("/identity/", http.StripPrefix("/identity", svc))
	mux.Handle("/identity", http.StripPrefix("/identity", svc))
	mux.Handle("/", fakenova.New(fakenova.WithState(store)))
	// Stand-ins for the image and network services the catalog lists
	// (other packages fake them): their version documents only, which
	// gophercloud reads to pick the version.
	for path, version := range map[string]string{"/image": "v2.16", "/networking": "v2.0"} {
		mux.Handle(path+"/", versionsStub(version))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{t: t, clock: clock, store: store, svc: svc, srv: srv, base: srv.URL + "/identity"}
}

// versionsStub answers a service's version list with one current version.
func versionsStub(version string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"versions": [{"id": "`+version+`", "status": "CURRENT", "links": []}]}`)
	})
}

// response is an answer, its body read.
type response struct {
	*http.Response
	body []byte
}

// do sends a request to the server; headers are name, value pairs.
func (e *env) do(method, url, body string, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(e.t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return response{resp, b}
}

// auth posts a token request.
func (e *env) auth(body string) response {
	e.t.Helper()
	return e.do(http.MethodPost, e.base+"/v3/auth/tokens", body, "Content-Type", "application/json")
}

// passwordBody is a password request for user (by name, in domain by name)
// with the given scope JSON ("" for none).
func passwordBody(user, password, domain, scope string) string {
	b := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": ` + quote(user) +
		`, "domain": {"name": ` + quote(domain) + `}, "password": ` + quote(password) + `}}}`
	if scope != "" {
		b += `, "scope": ` + scope
	}
	return b + `}}`
}

// projectScope scopes to a project by name in the Default domain.
func projectScope(name string) string {
	return `{"project": {"name": ` + quote(name) + `, "domain": {"name": "Default"}}}`
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// issue authenticates and returns the new token; it fails the test unless
// the answer is 201.
func (e *env) issue(body string) (string, response) {
	e.t.Helper()
	r := e.auth(body)
	require.Equal(e.t, http.StatusCreated, r.StatusCode, "%s", r.body)
	tok := r.Header.Get("X-Subject-Token")
	require.NotEmpty(e.t, tok)
	return tok, r
}

// tokenBody is the decoded body of a token answer.
type tokenBody struct {
	Token struct {
		Methods []string `json:"methods"`
		User    struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Domain struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"domain"`
		} `json:"user"`
		AuditIDs  []string `json:"audit_ids"`
		ExpiresAt string   `json:"expires_at"`
		IssuedAt  string   `json:"issued_at"`
		Project   *struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Domain struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"domain"`
		} `json:"project"`
		IsDomain *bool `json:"is_domain"`
		Roles    []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"roles"`
		Catalog []catalogService `json:"catalog"`
	} `json:"token"`
}

// catalogService is a service of a decoded catalog.
type catalogService struct {
	Type      string `json:"type"`
	Name      string `json:"name"`
	ID        string `json:"id"`
	Endpoints []struct {
		ID        string `json:"id"`
		Interface string `json:"interface"`
		Region    string `json:"region"`
		RegionID  string `json:"region_id"`
		URL       string `json:"url"`
	} `json:"endpoints"`
}

// service returns the catalog's service of a type; it fails the test
// when there is none.
func (b tokenBody) service(t *testing.T, typ string) catalogService {
	t.Helper()
	for _, svc := range b.Token.Catalog {
		if svc.Type == typ {
			return svc
		}
	}
	require.Failf(t, "no such service", "no %q in the catalog", typ)
	return catalogService{}
}

func decodeToken(t *testing.T, body []byte) tokenBody {
	t.Helper()
	var out tokenBody
	require.NoError(t, json.Unmarshal(body, &out), "%s", body)
	return out
}

func (b tokenBody) roleNames() []string {
	var out []string
	for _, r := range b.Token.Roles {
		out = append(out, r.Name)
	}
	return out
}

// console asks the fake Nova for a noVNC console of the demo server with
// token, and returns the status.
func (e *env) console(token string) int {
	e.t.Helper()
	r := e.do(http.MethodPost, e.srv.URL+"/v2.1/"+demoID+"/servers/"+serverID+"/action",
		`{"os-getVNCConsole": {"type": "novnc"}}`, "X-Auth-Token", token, "Content-Type", "application/json")
	return r.StatusCode
}

// flaskError is a Keystone error body as flask.jsonify writes it (compact,
// keys sorted, a final newline), for ASCII messages.
func flaskError(code int, title, message string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]any{"error": map[string]any{"code": code, "title": title, "message": message}})
	return b.String()
}

// oracle is testdata/keystone_oracle.json, written by testdata/oracle.py
// with jsonschema, pprint and Flask.
type oracle struct {
	SchemaErrors []struct {
		Body     string `json:"body"`
		Response string `json:"response"`
	} `json:"schema_errors"`
	PFormat []struct {
		Value string `json:"value"`
		Text  string `json:"text"`
	} `json:"pformat"`
	Unauthorized      string `json:"unauthorized"`
	UnsupportedMethod string `json:"unsupported_method"`
}

func loadOracle(t *testing.T) oracle {
	t.Helper()
	data, err := os.ReadFile("testdata/keystone_oracle.json")
	require.NoError(t, err)
	var o oracle
	require.NoError(t, json.Unmarshal(data, &o))
	require.NotEmpty(t, o.SchemaErrors)
	return o
}
