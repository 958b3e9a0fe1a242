package fakenova_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// exampleT is a fakenova.Tester for the examples; a test passes its
// *testing.T instead.
type exampleT struct{ cleanups []func() }

func (*exampleT) Helper()                           {}
func (e *exampleT) Cleanup(f func())                { e.cleanups = append(e.cleanups, f) }
func (*exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (*exampleT) Errorf(format string, args ...any) { fmt.Printf("error: "+format+"\n", args...) }

// done runs the cleanups, last first, as the testing package does.
func (e *exampleT) done() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
}

// Start runs a fake Nova on 127.0.0.1 for one test. Here a server is added
// and its noVNC console asked for over HTTP with the legacy action (the
// default microversion, 2.1).
func ExampleStart() {
	t := &exampleT{} // in a test: ts := fakenova.Start(t)
	defer t.done()
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")

	req, _ := http.NewRequest(http.MethodPost, ts.ComputeURL+"servers/"+srv.ID+"/action",
		strings.NewReader(`{"os-getVNCConsole": {"type": "novnc"}}`))
	req.Header.Set("X-Auth-Token", ts.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var out struct {
		Console struct{ Type, URL string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		panic(err)
	}

	fmt.Println(resp.Status, resp.Header.Get("OpenStack-API-Version"))
	prefix, token, _ := strings.Cut(out.Console.URL, "?token=")
	fmt.Println(out.Console.Type, prefix)
	// The token in the URL is in the store, for the server.
	tok, err := ts.State.ConsoleToken(token)
	fmt.Println(tok.ServerID == srv.ID, tok.Host, err)
	// Output:
	// 200 OK compute 2.1
	// novnc http://127.0.0.1:6080/vnc_auto.html
	// true compute-1 <nil>
}

// New serves the API as an http.Handler; seed its store, then ask for a
// console with remote-consoles at microversion 2.6. Below 2.6 the route is
// Nova's 404.
func ExampleNew_remoteConsole() {
	st := state.New() // VNC only, as Nova by default
	project, _ := st.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
	_ = st.AddHost(state.Host{Name: "compute-1"})
	srv, _ := st.AddServer(state.Server{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Name: "vm1",
		ProjectID: project.ID, Host: "compute-1"})
	_ = st.AddToken(state.AuthToken{Token: "secret", UserID: "u1", ProjectID: project.ID, Roles: []string{"member"}})
	nova := fakenova.New(fakenova.WithState(st))

	create := func(version, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/v2.1/servers/"+srv.ID+"/remote-consoles", strings.NewReader(body))
		r.Header.Set("X-Auth-Token", "secret")
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("OpenStack-API-Version", "compute "+version)
		w := httptest.NewRecorder()
		nova.ServeHTTP(w, r)
		return w
	}

	w := create("2.6", `{"remote_console": {"protocol": "vnc", "type": "novnc"}}`)
	var out struct {
		RemoteConsole struct{ Protocol, Type, URL string } `json:"remote_console"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	prefix, _, _ := strings.Cut(out.RemoteConsole.URL, "?")
	fmt.Println(w.Code, w.Header().Get("OpenStack-API-Version"), w.Header().Values("Vary"))
	fmt.Println(out.RemoteConsole.Protocol, out.RemoteConsole.Type, prefix)

	w = create("2.6", `{"remote_console": {"protocol": "spice", "type": "spice-html5"}}`)
	fmt.Println(w.Code, w.Body.String())

	w = create("2.5", `{"remote_console": {"protocol": "vnc", "type": "novnc"}}`)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 200 compute 2.6 [OpenStack-API-Version X-OpenStack-Nova-API-Version]
	// vnc novnc http://127.0.0.1:6080/vnc_auto.html
	// 400 {"badRequest": {"message": "Unavailable console type spice-html5.", "code": 400}}
	// 404 {"itemNotFound": {"message": "The resource could not be found.", "code": 404}}
}
