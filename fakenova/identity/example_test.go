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
