package fakenova_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// Middleware answers the console calls in front of a handler that already
// speaks the Nova API (here a stand-in that only counts what reaches it),
// and passes every other call through.
func ExampleMiddleware() {
	st := state.New()
	project, _ := st.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
	_ = st.AddHost(state.Host{Name: "compute-1"})
	srv, _ := st.AddServer(state.Server{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Name: "vm1",
		ProjectID: project.ID, Host: "compute-1"})

	var upstream []string
	existing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstream = append(upstream, r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusAccepted)
	})
	// Your own authentication puts the caller in the request context.
	auth := middleware.Authenticate(middleware.StaticTokens(map[string]middleware.Identity{
		"secret": {UserID: "u1", ProjectID: project.ID, Roles: []string{"member"}},
	}))
	ts := httptest.NewServer(auth(fakenova.Middleware(fakenova.WithState(st))(existing)))
	defer ts.Close()

	post := func(body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v2.1/"+project.ID+"/servers/"+srv.ID+"/action",
			strings.NewReader(body))
		req.Header.Set("X-Auth-Token", "secret")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		return resp
	}
	resp := post(`{"os-getVNCConsole": {"type": "novnc"}}`)
	var out struct{ Console struct{ Type, URL string } }
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, out.Console.Type, strings.Contains(out.Console.URL, "?token="))

	resp = post(`{"os-stop": null}`)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, upstream)
	// Output:
	// 200 novnc true
	// 202 [POST /v2.1/1ab83fbf1b594600bfa618dc33694dd6/servers/365313c5-5d0c-4c43-af05-16f765c0f2bc/action]
}

// NewCloud is the whole fake cloud on one handler, as the stub binary
// serves it: log in by password at the identity service, then use the
// token with the compute API the catalog names.
func ExampleNewCloud() {
	st := state.New()
	project, _ := st.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
	_, _ = st.AddUser(state.User{Name: "admin", Password: "secret", Roles: map[string][]string{"demo": {"admin", "member"}}})
	_ = st.AddHost(state.Host{Name: "compute-1"})
	_, _ = st.AddServer(state.Server{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Name: "vm1",
		ProjectID: project.ID, Host: "compute-1"})
	ts := httptest.NewServer(fakenova.NewCloud(fakenova.WithState(st)))
	defer ts.Close()

	login := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin",
		"domain": {"name": "Default"}, "password": "secret"}}}, "scope": {"project": {"name": "demo",
		"domain": {"name": "Default"}}}}}`
	resp, err := http.Post(ts.URL+"/identity/v3/auth/tokens", "application/json", strings.NewReader(login))
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	token := resp.Header.Get("X-Subject-Token")
	fmt.Println(resp.StatusCode, token != "")

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v2.1/"+project.ID+"/servers", nil)
	req.Header.Set("X-Auth-Token", token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	var list struct{ Servers []struct{ ID, Name string } }
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, list.Servers[0].Name)
	// Output:
	// 201 true
	// 200 vm1
}
