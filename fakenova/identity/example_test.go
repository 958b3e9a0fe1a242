package identity_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

// Serve the fake Keystone under /identity and the fake Nova at the root of
// one server, on one store; log in with a password, then call Nova with the
// token at the endpoint the catalog gives.
func Example() {
	store := state.New()
	_, _ = store.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
	_ = store.AddHost(state.Host{Name: "compute-1"})
	_, _ = store.AddServer(state.Server{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Name: "vm1",
		ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Host: "compute-1"})
	_, _ = store.AddUser(state.User{Name: "admin", Password: "secret",
		Roles: map[string][]string{"demo": {"admin", "member"}}})

	keystone := identity.New(store) // links under /identity, the default prefix
	mux := http.NewServeMux()
	mux.Handle("/identity/", http.StripPrefix("/identity", keystone))
	mux.Handle("/", fakenova.New(fakenova.WithState(store)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/identity/v3/auth/tokens", "application/json", strings.NewReader(`{"auth": {
		"identity": {"methods": ["password"],
		             "password": {"user": {"name": "admin", "domain": {"name": "Default"}, "password": "secret"}}},
		"scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var body struct {
		Token struct {
			Project struct{ Name string }
			Roles   []struct{ Name string }
			Catalog []struct {
				Type      string
				Endpoints []struct{ Interface, URL string }
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		panic(err)
	}
	token := resp.Header.Get("X-Subject-Token")
	fmt.Println(resp.StatusCode, body.Token.Project.Name, len(body.Token.Roles), "roles")
	var compute struct{ Interface, URL string }
	for _, svc := range body.Token.Catalog { // identity, compute, image, network
		fmt.Println(svc.Type, svc.Endpoints[0].Interface, strings.Replace(svc.Endpoints[0].URL, srv.URL, "http://HOST", 1))
		if svc.Type == "compute" {
			compute = svc.Endpoints[0]
		}
	}

	req, _ := http.NewRequest(http.MethodPost, compute.URL+"/servers/365313c5-5d0c-4c43-af05-16f765c0f2bc/action",
		strings.NewReader(`{"os-getVNCConsole": {"type": "novnc"}}`))
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("Content-Type", "application/json")
	console, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	console.Body.Close()
	fmt.Println("console:", console.StatusCode)
	// Output:
	// 201 demo 2 roles
	// identity public http://HOST/identity
	// compute public http://HOST/v2.1/1ab83fbf1b594600bfa618dc33694dd6
	// image public http://HOST/image
	// network public http://HOST/networking
	// console: 200
}

// A static token of the store (the kind the stub binary prints, from the
// seed file's tokens[]) logs in as keystoneauth's v3.Token and
// gophercloud's TokenID do: the token method, scoped to its project.
func Example_staticToken() {
	store := state.New()
	_, _ = store.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
	_ = store.AddToken(state.AuthToken{Token: "50c17af54c154f528d135e7f74098cfd",
		ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Roles: []string{"member", "reader"}})
	srv := httptest.NewServer(http.StripPrefix("/identity", identity.New(store)))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/identity/v3/auth/tokens", "application/json", strings.NewReader(`{"auth": {
		"identity": {"methods": ["token"], "token": {"id": "50c17af54c154f528d135e7f74098cfd"}},
		"scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var body struct {
		Token struct {
			Methods []string
			Project struct{ Name string }
			Roles   []struct{ Name string }
			User    struct{ ID, Name string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, body.Token.Methods, body.Token.Project.Name, len(body.Token.Roles), "roles")
	fmt.Println("a user of its own:", body.Token.User.ID == body.Token.User.Name, len(body.Token.User.ID))
	// Output:
	// 201 [token password] demo 2 roles
	// a user of its own: true 32
}

// The catalog names the services of the fake cloud; WithEndpoint changes
// one, adds one or (with a nil URL) takes one out.
func ExampleWithEndpoint() {
	store := state.New()
	_, _ = store.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
	_ = store.AddToken(state.AuthToken{Token: "t", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Roles: []string{"member"}})
	svc := identity.New(store,
		identity.WithEndpoint("network", "neutron", nil), // no network service
		identity.WithEndpoint("image", "glance", func(*http.Request, string) string { return "https://images.example" }),
		identity.WithEndpoint("placement", "placement", func(r *http.Request, _ string) string { return "http://" + r.Host + "/placement" }),
	)
	req := httptest.NewRequest(http.MethodGet, "/v3/auth/catalog", nil) // Host: example.com
	req.Header.Set("X-Auth-Token", "t")
	w := httptest.NewRecorder()
	svc.ServeHTTP(w, req)
	var body struct {
		Catalog []struct {
			Type, Name string
			Endpoints  []struct{ URL string }
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		panic(err)
	}
	for _, s := range body.Catalog {
		fmt.Println(s.Type, s.Name, s.Endpoints[0].URL)
	}
	// Output:
	// identity keystone http://example.com/identity
	// compute nova http://example.com/v2.1/1ab83fbf1b594600bfa618dc33694dd6
	// image glance https://images.example
	// placement placement http://example.com/placement
}
