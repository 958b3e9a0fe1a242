package state_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/novastub/novastub/state"
)

// Seed a store by hand and get a noVNC console token for a server: the
// package's quick start.
func ExampleStore_CreateConsole() {
	clock := state.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st := state.New(state.WithClock(clock))
	project, _ := st.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
	_ = st.AddHost(state.Host{Name: "compute-1"})
	srv, _ := st.AddServer(state.Server{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Name: "vm1",
		ProjectID: project.ID, Host: "compute-1"})
	fmt.Println(srv.Name, srv.Status())

	tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: project.ID, ServerID: srv.ID, Type: state.ConsoleNoVNC})
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Type, tok.Host, tok.Port, tok.ExpiresAt.Format(time.RFC3339))

	// The console proxy looks the token up to find where to connect.
	found, err := st.ConsoleToken(tok.Token)
	fmt.Println(found.ServerID, err)

	// Ten minutes later the token has expired.
	clock.Advance(10 * time.Minute)
	_, err = st.ConsoleToken(tok.Token)
	fmt.Println(errors.Is(err, state.ErrNotFound))

	// Another project's server is not found, as Nova answers 404.
	_, err = st.CreateConsole(state.ConsoleRequest{ProjectID: "2bc94a0a2c6a4711a0b729ed44705ee7", ServerID: srv.ID, Type: state.ConsoleNoVNC})
	fmt.Println(errors.Is(err, state.ErrNotFound), err)
	// Output:
	// vm1 ACTIVE
	// novnc compute-1 5900 2026-01-01T00:10:00Z
	// 365313c5-5d0c-4c43-af05-16f765c0f2bc <nil>
	// true
	// true server "365313c5-5d0c-4c43-af05-16f765c0f2bc" not found
}

// A ManualClock moves only when told to, so a test can make a console token
// expire without sleeping.
func ExampleManualClock() {
	clock := state.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st := state.New(state.WithClock(clock), state.WithConsoleTTL(time.Minute))
	_, _ = st.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
	_ = st.AddHost(state.Host{Name: "compute-1"})
	srv, _ := st.AddServer(state.Server{ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Host: "compute-1"})
	tok, _ := st.CreateConsole(state.ConsoleRequest{ProjectID: srv.ProjectID, ServerID: srv.ID, Type: state.ConsoleNoVNC})

	clock.Advance(59 * time.Second)
	_, err := st.ConsoleToken(tok.Token)
	fmt.Println("after 59s:", err)

	clock.Advance(time.Second)
	_, err = st.ConsoleToken(tok.Token)
	fmt.Println("after 60s:", errors.Is(err, state.ErrNotFound))
	// Output:
	// after 59s: <nil>
	// after 60s: true
}

// ParseSeed checks a seed file's form and Load checks its ids and
// references; both name the bad field.
func ExampleStore_Load() {
	st := state.New()

	_, err := state.ParseSeed([]byte(`{"servers": [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "stauts": "ACTIVE"}]}`))
	fmt.Println(err)

	seed, err := state.ParseSeed([]byte(`{
	  "projects": [{"id": "1ab83fbf1b594600bfa618dc33694dd6", "name": "demo"}],
	  "hosts":    [{"name": "compute-1"}],
	  "servers":  [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "name": "vm1",
	                "project_id": "2bc94a0a2c6a4711a0b729ed44705ee7"}]
	}`))
	if err != nil {
		panic(err)
	}
	err = st.Load(seed)
	var inv *state.InvalidError
	if errors.As(err, &inv) {
		fmt.Println(inv.Field)
	}
	fmt.Println(err)
	fmt.Println(len(st.Servers()), "servers: the store is untouched")

	seed.Servers[0].ProjectID = "1ab83fbf1b594600bfa618dc33694dd6"
	fmt.Println(st.Load(seed))
	srv, _ := st.Server("365313c5-5d0c-4c43-af05-16f765c0f2bc")
	fmt.Println(srv.Name, srv.Status(), srv.Host)
	// Output:
	// servers[0].stauts: unknown field
	// servers[0].project_id
	// servers[0].project_id: no project "2bc94a0a2c6a4711a0b729ed44705ee7" in this seed
	// 0 servers: the store is untouched
	// <nil>
	// vm1 ACTIVE compute-1
}

// A seed file is the whole model as JSON, as the stub binary reads it.
func ExampleReadSeedFile() {
	dir, _ := os.MkdirTemp("", "seed")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cloud.json")
	_ = os.WriteFile(path, []byte(`{
  "projects": [{"id": "1ab83fbf1b594600bfa618dc33694dd6", "name": "demo"}],
  "hosts":    [{"name": "compute-1"}],
  "servers":  [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "name": "vm1",
                "project_id": "1ab83fbf1b594600bfa618dc33694dd6", "status": "SHUTOFF"}]
}`), 0o600)

	seed, err := state.ReadSeedFile(path)
	if err != nil {
		panic(err)
	}
	st := state.New()
	if err := st.Load(seed); err != nil {
		panic(err)
	}
	srv, _ := st.Server("365313c5-5d0c-4c43-af05-16f765c0f2bc")
	fmt.Println(srv.Name, srv.Status(), srv.Host)

	// A mistake is an error that names the field.
	_ = os.WriteFile(path, []byte(`{"servers": [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "stauts": "ACTIVE"}]}`), 0o600)
	_, err = state.ReadSeedFile(path)
	fmt.Println(err)
	// Output:
	// vm1 SHUTOFF compute-1
	// servers[0].stauts: unknown field
}
