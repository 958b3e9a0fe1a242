package fakenova

import (
	"net/http/httptest"

	"github.com/novastub/novastub/state"
)

// Tester is the part of *testing.T (and *testing.B, *testing.F) that Start
// uses. Any test framework can provide it.
type Tester interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// TestHost is the compute host Start creates; its hypervisor supports every
// console type.
const TestHost = "compute-1"

// Test is a fake Nova running for one test, on an httptest server on
// 127.0.0.1, with a project, a compute host and a token ready.
type Test struct {
	// URL is the server's base URL, http://127.0.0.1:PORT.
	URL string
	// ComputeURL is the compute endpoint of the project, with the trailing
	// slash clients want: URL + "/v2.1/" + ProjectID + "/".
	ComputeURL string
	// Token is an API token of ProjectID with the member and reader roles.
	Token string
	// ProjectID is the project the token is scoped to.
	ProjectID string
	// State is the model behind the fake: seed it and inspect it.
	State *state.Store
	// Nova is the handler the server runs.
	Nova *Nova
	// Server is the running httptest server.
	Server *httptest.Server

	t Tester
}

// Start runs a fake Nova built with opts for the length of a test: the
// server is closed by t.Cleanup. It seeds a project named "test", the host
// TestHost and a member token of the project.
func Start(t Tester, opts ...Option) *Test {
	t.Helper()
	n := New(opts...)
	st := n.State()
	project, err := st.AddProject(state.Project{Name: "test"})
	if err != nil {
		t.Fatalf("fakenova: seeding the test project: %v", err)
	}
	if err := st.AddHost(state.Host{Name: TestHost}); err != nil {
		t.Fatalf("fakenova: seeding the test host: %v", err)
	}
	token := state.NewProjectID() // 32 random hex digits, like a Keystone token id
	if err := st.AddToken(state.AuthToken{Token: token, UserID: "test-user", UserName: "test",
		ProjectID: project.ID, Roles: []string{"member", "reader"}}); err != nil {
		t.Fatalf("fakenova: seeding the test token: %v", err)
	}
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)
	return &Test{
		URL:        srv.URL,
		ComputeURL: srv.URL + "/v2.1/" + project.ID + "/",
		Token:      token,
		ProjectID:  project.ID,
		State:      st,
		Nova:       n,
		Server:     srv,
		t:          t,
	}
}

// AddServer adds an ACTIVE server named name to the test's project, on
// TestHost, and returns it; it fails the test if it cannot.
func (ts *Test) AddServer(name string) state.Server {
	ts.t.Helper()
	srv, err := ts.State.AddServer(state.Server{Name: name, ProjectID: ts.ProjectID, Host: TestHost,
		VMState: state.VMActive, PowerState: state.PowerRunning})
	if err != nil {
		ts.t.Fatalf("fakenova: adding server %q: %v", name, err)
	}
	return srv
}
