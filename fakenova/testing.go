package fakenova

import (
	"net/http/httptest"
	"time"

	"github.com/novastub/novastub/state"
)

// Tester is the part of *testing.T (and *testing.B, *testing.F) that Start
// uses. Any test framework can provide it.
type Tester interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// TestHost is the compute host Start creates; its hypervisor supports every
// console type.
const TestHost = "compute-1"

// The catalog Start seeds, as a devstack cloud has it, so that a test can
// create a server with the ids a real cloud's users type.
const (
	// TestImageID is the id of the image Start seeds: "cirros", public
	// and active.
	TestImageID = "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c"
	// TestFlavorID is the flavorid of m1.tiny, the smallest of the
	// classic flavors Start seeds ("1" to "5": m1.tiny, m1.small,
	// m1.medium, m1.large, m1.xlarge).
	TestFlavorID = "1"
	// TestNetworkID is the id of the network Start seeds: "private",
	// the test project's, with the subnet 10.0.0.0/26.
	TestNetworkID = "3c6b5d8e-1f2a-4b7c-9d0e-2a3b4c5d6e7f"
)

// classicFlavors are Nova's classic flavors (devstack's m1.*).
var classicFlavors = []state.Flavor{
	{ID: "1", Name: "m1.tiny", VCPUs: 1, RAM: 512, Disk: 1},
	{ID: "2", Name: "m1.small", VCPUs: 1, RAM: 2048, Disk: 20},
	{ID: "3", Name: "m1.medium", VCPUs: 2, RAM: 4096, Disk: 40},
	{ID: "4", Name: "m1.large", VCPUs: 4, RAM: 8192, Disk: 80},
	{ID: "5", Name: "m1.xlarge", VCPUs: 8, RAM: 16384, Disk: 160},
}

// seedCatalog adds the image, flavors and network Start seeds.
func seedCatalog(st *state.Store, project string) error {
	if _, err := st.AddImage(state.Image{ID: TestImageID, Name: "cirros", Visibility: state.ImagePublic,
		DiskFormat: "qcow2", ContainerFormat: "bare", Size: 21692416, VirtualSize: 117440512,
		Properties: map[string]string{"os_distro": "cirros"}}); err != nil {
		return err
	}
	for _, f := range classicFlavors {
		if _, err := st.AddFlavor(f); err != nil {
			return err
		}
	}
	if _, err := st.AddNetwork(state.Network{ID: TestNetworkID, Name: "private", ProjectID: project}); err != nil {
		return err
	}
	_, err := st.AddSubnet(state.Subnet{Name: "private-subnet", NetworkID: TestNetworkID, CIDR: "10.0.0.0/26"})
	return err
}

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
	// Clock is the store's manual clock, which moves only when the test
	// advances it (Advance); nil when WithState gave a store of another
	// clock.
	Clock *state.ManualClock
	// IdentityURL is the identity service's v3 endpoint, URL +
	// "/identity/v3": log in there as Username with Password.
	IdentityURL string
	// Username and Password are a user of the identity service with the
	// member and reader roles on the test's project (domain "Default").
	Username, Password string
	// Nova is the compute API, with the fault rules and journal the whole
	// cloud shares.
	Nova *Nova
	// Cloud is the handler the server runs: Nova and the services beside it.
	Cloud *Cloud
	// Server is the running httptest server.
	Server *httptest.Server

	t Tester
}

// Start runs a fake cloud built with opts (NewCloud: the compute API and
// the identity service beside it) for the length of a test: the server is
// closed by t.Cleanup. It seeds a project named "test", the host TestHost,
// a member token of the project, a user who can log in to it by
// password, and a catalog: the image "cirros" (TestImageID), Nova's
// classic flavors m1.tiny to m1.xlarge ("1" to "5") and the project's
// network "private" (TestNetworkID, 10.0.0.0/26). Unless opts give a store (WithState), the store runs on a
// state.ManualClock that starts at the current second and moves only with
// Advance: servers build and tokens expire when the test says.
func Start(t Tester, opts ...Option) *Test {
	t.Helper()
	clock := state.NewManualClock(time.Now().UTC().Truncate(time.Second))
	cloud := NewCloud(append([]Option{WithState(state.New(state.WithClock(clock)))}, opts...)...)
	n := cloud.Nova()
	st := n.State()
	project, err := st.AddProject(state.Project{Name: "test"})
	if err != nil {
		t.Fatalf("fakenova: seeding the test project: %v", err)
	}
	if err := st.AddHost(state.Host{Name: TestHost}); err != nil {
		t.Fatalf("fakenova: seeding the test host: %v", err)
	}
	if err := seedCatalog(st, project.ID); err != nil {
		t.Fatalf("fakenova: seeding the test catalog: %v", err)
	}
	token := state.NewProjectID() // 32 random hex digits, like a Keystone token id
	if err := st.AddToken(state.AuthToken{Token: token, UserID: "test-user", UserName: "test",
		ProjectID: project.ID, Roles: []string{"member", "reader"}}); err != nil {
		t.Fatalf("fakenova: seeding the test token: %v", err)
	}
	password := state.NewProjectID()
	if _, err := st.AddUser(state.User{Name: "test", Password: password,
		Roles: map[string][]string{project.Name: {"member", "reader"}}}); err != nil {
		t.Fatalf("fakenova: seeding the test user: %v", err)
	}
	if n.control != nil && n.cfg.control.Seed == nil {
		// POST /_novastub/reset goes back to the model as Start left it,
		// with the test's project, host, token and user, not to the empty
		// store New saw.
		n.control.seed = st.Snapshot()
	}
	srv := httptest.NewServer(cloud)
	t.Cleanup(srv.Close)
	// Cleanups run last first: the consoles end before the server closes,
	// which waits for them.
	t.Cleanup(func() { _ = cloud.Close() })
	return &Test{
		URL:         srv.URL,
		ComputeURL:  srv.URL + "/v2.1/" + project.ID + "/",
		Token:       token,
		ProjectID:   project.ID,
		IdentityURL: srv.URL + IdentityPrefix + "/v3",
		Username:    "test",
		Password:    password,
		State:       st,
		Clock:       manual(st.Clock()),
		Nova:        n,
		Cloud:       cloud,
		Server:      srv,
		t:           t,
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

func manual(c state.Clock) *state.ManualClock {
	m, _ := c.(*state.ManualClock)
	return m
}

// Advance moves the fake's clock forward by d (servers move on, tokens
// expire) and returns the new time; it fails the test when the store's
// clock cannot be advanced.
func (ts *Test) Advance(d time.Duration) time.Time {
	ts.t.Helper()
	now, err := ts.Nova.Advance(d)
	if err != nil {
		ts.t.Fatalf("fakenova: %v", err)
	}
	return now
}

// Faults returns the fake's fault rules.
func (ts *Test) Faults() *Faults { return ts.Nova.Faults() }

// Journal returns what the fake received.
func (ts *Test) Journal() *Journal { return ts.Nova.Journal() }

// AddFault adds a fault rule, failing the test if the rule is wrong, and
// returns its id.
func (ts *Test) AddFault(f Fault) string {
	ts.t.Helper()
	id, err := ts.Nova.Faults().Add(f)
	if err != nil {
		ts.t.Fatalf("fakenova: adding a fault: %v", err)
	}
	return id
}

// AssertCalled checks that the fake received operation op exactly n times
// (among the entries its journal keeps), and reports whether it did.
func (ts *Test) AssertCalled(op string, n int) bool {
	ts.t.Helper()
	if err := checkOperation(op); err != nil {
		ts.t.Errorf("%v", err) // it says fakenova: already
		return false
	}
	if got := ts.Nova.Journal().Count(op); got != n {
		ts.t.Errorf("fakenova: %s called %d times, want %d", op, got, n)
		return false
	}
	return true
}

// LastBody returns the (redacted) body of the last request of operation
// op; it fails the test when there is none.
func (ts *Test) LastBody(op string) string {
	ts.t.Helper()
	e, ok := ts.Nova.Journal().Last(op)
	if !ok {
		ts.t.Fatalf("fakenova: no %s request in the journal", op)
	}
	return e.Body
}
