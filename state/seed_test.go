package state_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// designSeed is the seed file of DESIGN.md.
const designSeed = `{
  "projects": [{"id": "1ab83fbf1b594600bfa618dc33694dd6", "name": "demo"}],
  "hosts":    [{"name": "compute-1"}, {"name": "bm-1", "console_types": []}],
  "tokens":   [{"token": "50c17af54c154f528d135e7f74098cfd",
                "project_id": "1ab83fbf1b594600bfa618dc33694dd6", "roles": ["member"]}],
  "users":    [{"name": "admin", "password": "secret", "domain": "Default",
                "roles": {"demo": ["admin", "member"]}}],
  "servers":  [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "name": "vm1",
                "project_id": "1ab83fbf1b594600bfa618dc33694dd6",
                "status": "ACTIVE", "host": "compute-1"},
               {"id": "9b0e6f0a-6f3c-4f47-9d3c-0f6d6a3e2b11", "name": "new-vm",
                "project_id": "1ab83fbf1b594600bfa618dc33694dd6", "status": "BUILD"}]
}`

func ptr[T any](v T) *T { return &v }

func TestParseSeedDesignExample(t *testing.T) {
	seed, err := state.ParseSeed([]byte(designSeed))
	require.NoError(t, err)
	assert.Equal(t, &state.Seed{
		Projects: []state.Project{{ID: projA, Name: "demo"}},
		Hosts:    []state.SeedHost{{Name: "compute-1"}, {Name: "bm-1", ConsoleTypes: &[]state.ConsoleType{}}},
		Tokens:   []state.SeedToken{{Token: secret, ProjectID: projA, Roles: []string{"member"}}},
		Users: []state.User{{Name: "admin", Password: "secret", Domain: "Default",
			Roles: map[string][]string{"demo": {"admin", "member"}}}},
		Servers: []state.SeedServer{
			{ID: srv1, Name: "vm1", ProjectID: projA, Status: "ACTIVE", Host: ptr("compute-1")},
			{ID: srv2, Name: "new-vm", ProjectID: projA, Status: "BUILD"},
		},
	}, seed)
	assert.Nil(t, seed.Hosts[0].ConsoleTypes, "left out: every type")
	require.NotNil(t, seed.Hosts[1].ConsoleTypes, "[]: none")
	assert.Empty(t, *seed.Hosts[1].ConsoleTypes)
}

func TestLoadDesignExample(t *testing.T) {
	seed, err := state.ParseSeed([]byte(designSeed))
	require.NoError(t, err)
	clock := state.NewManualClock(t0)
	st := state.New(state.WithClock(clock))
	require.NoError(t, st.Load(seed))

	assert.Equal(t, []state.Project{{ID: projA, Name: "demo", DomainID: "default"}}, st.Projects())
	assert.Equal(t, []state.Host{{Name: "compute-1"}, {Name: "bm-1", ConsoleTypes: []state.ConsoleType{}}}, st.Hosts())
	tok, err := st.Token(secret)
	require.NoError(t, err)
	assert.Equal(t, state.AuthToken{Token: secret, ProjectID: projA, Roles: []string{"member"}}, tok)
	u, err := st.User("Default", "admin")
	require.NoError(t, err)
	assert.Equal(t, "secret", u.Password)
	assert.Equal(t, map[string][]string{"demo": {"admin", "member"}}, u.Roles)
	assert.Regexp(t, `^[0-9a-f]{32}$`, u.ID)

	assert.Equal(t, []state.Server{
		{ID: srv1, Name: "vm1", ProjectID: projA, Host: "compute-1", VMState: state.VMActive,
			PowerState: state.PowerRunning, Created: t0, Updated: t0},
		{ID: srv2, Name: "new-vm", ProjectID: projA, VMState: state.VMBuilding, TaskState: state.TaskScheduling,
			PowerState: state.PowerNoState, Created: t0, Updated: t0},
	}, st.Servers())

	_, err = st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	_, err = st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv2, Type: state.ConsoleNoVNC})
	requireOnly(t, err, state.ErrNotReady)
}

func TestParseSeedErrors(t *testing.T) {
	tests := []struct {
		name   string
		json   string
		field  string
		reason string // a prefix of the reason
	}{
		{"unknown field in servers[1]",
			`{"servers":[{"id":"` + srv1 + `"},{"id":"` + srv2 + `","stauts":"ACTIVE"}]}`,
			"servers[1].stauts", "unknown field"},
		{"unknown field in projects[0]", `{"projects":[{"id":"x","domain":"d"}]}`, "projects[0].domain", "unknown field"},
		{"unknown field in tokens[2]", `{"tokens":[{},{},{"expires":"x"}]}`, "tokens[2].expires", "unknown field"},
		{"unknown field in hosts[0]", `{"hosts":[{"name":"h","types":[]}]}`, "hosts[0].types", "unknown field"},
		{"unknown field in users[0]", `{"users":[{"name":"u","pass":"x"}]}`, "users[0].pass", "unknown field"},
		{"unknown top-level field", `{"projects":[],"flavours":[]}`, "flavours", "unknown field"},
		{"wrong type in hosts[0].name", `{"hosts":[{"name":5}]}`, "hosts[0].name", "expected a string, got number"},
		{"wrong type in hosts[0].console_types", `{"hosts":[{"name":"h","console_types":"novnc"}]}`,
			"hosts[0].console_types", "expected an array, got string"},
		{"wrong element type in console_types", `{"hosts":[{"name":"h","console_types":[1]}]}`,
			"hosts[0].console_types", "expected a string, got number"},
		{"wrong type in servers[0].task_state", `{"servers":[{"task_state":5}]}`, "servers[0].task_state", "expected a string, got number"},
		{"wrong type in servers[0].host", `{"servers":[{"host":true}]}`, "servers[0].host", "expected a string, got bool"},
		{"wrong type in tokens[0].roles", `{"tokens":[{"roles":"admin"}]}`, "tokens[0].roles", "expected an array, got string"},
		{"wrong type in users[0].roles", `{"users":[{"roles":["admin"]}]}`, "users[0].roles", "expected an object, got array"},
		{"wrong type in users[0].roles value", `{"users":[{"roles":{"demo":"admin"}}]}`, "users[0].roles", "expected an array, got string"},
		{"section not an array", `{"hosts":{"name":"h"}}`, "hosts", "expected an array, got object"},
		{"element not an object", `{"servers":["` + srv1 + `"]}`, "servers[0]", "expected an object, got string"},
		{"not an object", `[]`, "", "expected an object, got array"},
		{"malformed JSON", `{"projects": [}`, "", "malformed JSON at line 1, column 15: invalid character '}' looking for beginning of value"},
		{"malformed JSON on line 3", "{\n  \"projects\": [\n    {\"id\": 1,}\n  ]\n}", "",
			"malformed JSON at line 3, column 14: invalid character '}' looking for beginning of object key string"},
		{"truncated JSON", `{"projects": [`, "", "malformed JSON at line 1, column 15: unexpected end of input"},
		{"truncated in servers[0]", "{\"servers\": [\n{\"id\": \"x\"", "", "malformed JSON at line 2, column 11: unexpected end of input"},
		{"empty", ``, "", "malformed JSON: no JSON value"},
		{"blank", " \n\t", "", "malformed JSON: no JSON value"},
		{"trailing data", `{} {}`, "", "unexpected data after the JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed, err := state.ParseSeed([]byte(tt.json))
			assert.Nil(t, seed)
			requireOnly(t, err, state.ErrInvalid)
			var inv *state.InvalidError
			require.True(t, errors.As(err, &inv))
			assert.Equal(t, tt.field, inv.Field)
			assert.True(t, strings.HasPrefix(inv.Reason, tt.reason), "reason %q does not start with %q", inv.Reason, tt.reason)
			if tt.field != "" {
				assert.True(t, strings.HasPrefix(err.Error(), tt.field+": "), "error %q names the field first", err)
			} else {
				assert.True(t, strings.HasPrefix(err.Error(), tt.reason), "error %q starts with the reason", err)
			}
		})
	}
}

func TestParseSeedBadTime(t *testing.T) {
	_, err := state.ParseSeed([]byte(`{"tokens":[{"token":"t","project_id":"` + projA + `","expires_at":"tomorrow"}]}`))
	requireOnly(t, err, state.ErrInvalid)
	assert.Contains(t, err.Error(), "tokens[0]")
	assert.Contains(t, err.Error(), "tomorrow")
}

func TestParseSeedNulls(t *testing.T) {
	seed, err := state.ParseSeed([]byte(`{"projects":null,"servers":[{"id":"` + srv1 + `","task_state":null,"host":null}]}`))
	require.NoError(t, err)
	assert.Empty(t, seed.Projects)
	require.Len(t, seed.Servers, 1)
	assert.Nil(t, seed.Servers[0].TaskState, "null keeps the status's task_state")
	assert.Nil(t, seed.Servers[0].Host, "null means the default host")

	seed, err = state.ParseSeed([]byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, &state.Seed{Projects: []state.Project{}, Hosts: []state.SeedHost{}, Tokens: []state.SeedToken{},
		Users: []state.User{}, Servers: []state.SeedServer{}}, seed)
}

// TestLoadServerDefaults checks how a seed server's status, task_state and
// host become the model's states.
func TestLoadServerDefaults(t *testing.T) {
	tests := []struct {
		name   string
		server string // the JSON fields after id and project_id
		vm     state.VMState
		task   state.TaskState
		power  state.PowerState
		host   string
		status string
	}{
		{"no status is ACTIVE on the first host", ``, state.VMActive, state.TaskNone, state.PowerRunning, "compute-1", "ACTIVE"},
		{"ACTIVE, host given", `,"status":"ACTIVE","host":"bm-1"`, state.VMActive, state.TaskNone, state.PowerRunning, "bm-1", "ACTIVE"},
		{"ACTIVE explicitly without host", `,"status":"ACTIVE","host":""`, state.VMActive, state.TaskNone, state.PowerRunning, "", "ACTIVE"},
		{"ACTIVE, host null", `,"status":"ACTIVE","host":null`, state.VMActive, state.TaskNone, state.PowerRunning, "compute-1", "ACTIVE"},
		{"BUILD has no host", `,"status":"BUILD"`, state.VMBuilding, state.TaskScheduling, state.PowerNoState, "", "BUILD"},
		{"BUILD spawning on a host", `,"status":"BUILD","task_state":"spawning","host":"compute-1"`,
			state.VMBuilding, state.TaskSpawning, state.PowerNoState, "compute-1", "BUILD"},
		{"BUILD, task_state null", `,"status":"BUILD","task_state":null`, state.VMBuilding, state.TaskScheduling, state.PowerNoState, "", "BUILD"},
		{"BUILD, task_state empty", `,"status":"BUILD","task_state":""`, state.VMBuilding, state.TaskNone, state.PowerNoState, "", "BUILD"},
		{"SHELVED_OFFLOADED has no host", `,"status":"SHELVED_OFFLOADED"`, state.VMShelvedOffloaded, state.TaskNone, state.PowerShutdown, "", "SHELVED_OFFLOADED"},
		{"SHELVED keeps its host", `,"status":"SHELVED"`, state.VMShelved, state.TaskNone, state.PowerShutdown, "compute-1", "SHELVED"},
		{"SHUTOFF", `,"status":"SHUTOFF"`, state.VMStopped, state.TaskNone, state.PowerShutdown, "compute-1", "SHUTOFF"},
		{"ERROR", `,"status":"ERROR"`, state.VMError, state.TaskNone, state.PowerNoState, "compute-1", "ERROR"},
		{"REBOOT", `,"status":"REBOOT"`, state.VMActive, state.TaskRebooting, state.PowerRunning, "compute-1", "REBOOT"},
		{"ACTIVE deleting", `,"status":"ACTIVE","task_state":"deleting"`, state.VMActive, state.TaskDeleting, state.PowerRunning, "compute-1", "ACTIVE"},
		{"ACTIVE migrating shows MIGRATING", `,"status":"ACTIVE","task_state":"migrating"`, state.VMActive, state.TaskMigrating, state.PowerRunning, "compute-1", "MIGRATING"},
		{"REVERT_RESIZE", `,"status":"REVERT_RESIZE"`, state.VMResized, state.TaskResizeReverting, state.PowerRunning, "compute-1", "REVERT_RESIZE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed, err := state.ParseSeed([]byte(`{
				"projects":[{"id":"` + projA + `","name":"demo"}],
				"hosts":[{"name":"compute-1"},{"name":"bm-1","console_types":[]}],
				"servers":[{"id":"` + srv1 + `","project_id":"` + projA + `"` + tt.server + `}]}`))
			require.NoError(t, err)
			st := state.New(state.WithClock(state.NewManualClock(t0)))
			require.NoError(t, st.Load(seed))
			srv, err := st.Server(srv1)
			require.NoError(t, err)
			assert.Equal(t, state.Server{ID: srv1, ProjectID: projA, Host: tt.host, VMState: tt.vm, TaskState: tt.task,
				PowerState: tt.power, Created: t0, Updated: t0}, srv)
			assert.Equal(t, tt.status, srv.Status())
		})
	}
}

// validSeed is a seed that loads; the Load error cases each break one thing.
func validSeed() *state.Seed {
	return &state.Seed{
		Projects: []state.Project{{ID: projA, Name: "demo"}, {ID: projDashed, Name: "dashed"}},
		Hosts:    []state.SeedHost{{Name: "compute-1"}, {Name: "bm-1", ConsoleTypes: &[]state.ConsoleType{}}},
		Tokens: []state.SeedToken{
			{Token: secret, ProjectID: projA, Roles: []string{"member"}},
			{Token: "deleted-project", ProjectID: "3cd05b1b3d7b4822b1c83afe55816ff8"},
		},
		Users: []state.User{{Name: "admin", Password: "secret", Roles: map[string][]string{"demo": {"admin"}}}},
		Servers: []state.SeedServer{
			{ID: srv1, Name: "vm1", ProjectID: projA, Status: "ACTIVE"},
			{ID: srv2, Name: "vm2", ProjectID: projDashed, Status: "BUILD"},
		},
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		breakf func(*state.Seed)
		field  string
		reason string // a substring of the reason
	}{
		{"servers[0].project_id unknown", func(s *state.Seed) { s.Servers[0].ProjectID = projB },
			"servers[0].project_id", `no project "` + projB + `" in this seed`},
		{"servers[1].project_id missing", func(s *state.Seed) { s.Servers[1].ProjectID = "" },
			"servers[1].project_id", `no project "" in this seed`},
		{"servers[1].id bad uuid", func(s *state.Seed) { s.Servers[1].ID = "9B0E6F0A-6F3C-4F47-9D3C-0F6D6A3E2B11" },
			"servers[1].id", "not a lowercase dashed UUID"},
		{"servers[0].id misplaced dash", func(s *state.Seed) { s.Servers[0].ID = "365313c55-d0c-4c43-af05-16f765c0f2bc" },
			"servers[0].id", "not a lowercase dashed UUID"},
		{"servers[0].id missing", func(s *state.Seed) { s.Servers[0].ID = "" }, "servers[0].id", "required"},
		{"servers[0].status unknown", func(s *state.Seed) { s.Servers[0].Status = "RUNNING" },
			"servers[0].status", `unknown Nova status "RUNNING"`},
		{"servers[1].status lowercase", func(s *state.Seed) { s.Servers[1].Status = "build" },
			"servers[1].status", `unknown Nova status "build"`},
		{"servers[0].host unknown", func(s *state.Seed) { s.Servers[0].Host = ptr("compute-9") },
			"servers[0].host", `no host "compute-9" in this seed`},
		{"server needing a host, no hosts", func(s *state.Seed) { s.Hosts = nil },
			"servers[0].host", "the seed has no hosts"},
		{"duplicate server", func(s *state.Seed) { s.Servers[1].ID = srv1 }, "servers[1].id",
			`duplicate server id "` + srv1 + `" (servers[0] has it)`},
		{"duplicate project", func(s *state.Seed) {
			s.Projects = append(s.Projects, state.Project{ID: projA, Name: "again"})
		}, "projects[2].id", `duplicate project id "` + projA + `" (projects[0] has it)`},
		{"duplicate project name", func(s *state.Seed) {
			s.Projects = append(s.Projects, state.Project{Name: s.Projects[0].Name})
		}, "projects[2].name", `duplicate project name "` + "demo" + `" in domain "default" (projects[0] has it)`},
		{"duplicate token", func(s *state.Seed) { s.Tokens[1].Token = s.Tokens[0].Token }, "tokens[1].token",
			"duplicate token (tokens[0] has it)"},
		{"unknown role of a token", func(s *state.Seed) { s.Tokens[0].Roles = []string{"member", "admn"} }, "tokens[0].roles[1]",
			`unknown role "admn" (the roles are admin, manager, member, reader, service)`},
		{"unknown role of a user", func(s *state.Seed) { s.Users[0].Roles = map[string][]string{"demo": {"Member"}} },
			"users[0].roles.demo[0]", `unknown role "Member"`},
		{"projects[1].id bad", func(s *state.Seed) { s.Projects[1].ID = "DEMO" }, "projects[1].id", `"DEMO"`},
		{"projects[0].id missing", func(s *state.Seed) { s.Projects[0].ID = "" }, "projects[0].id", "required"},
		{"hosts[1].name missing", func(s *state.Seed) { s.Hosts[1].Name = "" }, "hosts[1].name", "a host needs a name"},
		{"hosts[0].console_types bad", func(s *state.Seed) {
			s.Hosts[0].ConsoleTypes = &[]state.ConsoleType{"novnc", "vnc"}
		}, "hosts[0].console_types", `"vnc" is not a Nova console type`},
		{"duplicate host", func(s *state.Seed) { s.Hosts[1].Name = "compute-1" }, "hosts[1].name", `duplicate host "compute-1" (hosts[0] has it)`},
		{"tokens[1].project_id missing", func(s *state.Seed) { s.Tokens[1].ProjectID = "" }, "tokens[1].project_id", "required"},
		{"tokens[0].project_id bad", func(s *state.Seed) { s.Tokens[0].ProjectID = "demo" }, "tokens[0].project_id", `"demo"`},
		{"tokens[0].token missing", func(s *state.Seed) { s.Tokens[0].Token = "" }, "tokens[0].token", "cannot be empty"},
		{"users[0].roles unknown project", func(s *state.Seed) { s.Users[0].Roles = map[string][]string{"nope": {"admin"}} },
			"users[0].roles", `no project named "nope" in this seed`},
		{"users[0].name missing", func(s *state.Seed) { s.Users[0].Name = "" }, "users[0].name", "a user needs a name"},
		{"duplicate user", func(s *state.Seed) {
			s.Users = append(s.Users, state.User{Name: "admin", Domain: "Default"})
		}, "users[1].name", `duplicate user "admin" in domain "Default" (users[0] has it)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed := validSeed()
			tt.breakf(seed)
			st := state.New()
			err := st.Load(seed)
			require.ErrorIs(t, err, state.ErrInvalid) // and whatever it wraps
			var inv *state.InvalidError
			require.True(t, errors.As(err, &inv))
			assert.Equal(t, tt.field, inv.Field)
			assert.Contains(t, inv.Reason, tt.reason)
			assert.True(t, strings.HasPrefix(err.Error(), tt.field+": "), "error %q names the field first", err)

			assert.Empty(t, st.Projects(), "a failed Load adds nothing")
			assert.Empty(t, st.Hosts())
			assert.Empty(t, st.Servers())
			assert.Empty(t, st.Tokens())
			assert.Empty(t, st.Users())
		})
	}
	require.NoError(t, state.New().Load(validSeed()), "the valid seed loads")
}

func TestLoadErrorLeavesStoreUntouched(t *testing.T) {
	st, clock := newStore(t)
	addServer(t, st, state.Server{ID: srv3, Name: "old", ProjectID: projB, Host: "compute-1"})
	require.NoError(t, st.AddToken(state.AuthToken{Token: "old-token", ProjectID: projB}))
	_, err := st.AddUser(state.User{Name: "old-user", Roles: map[string][]string{"other": {"member"}}})
	require.NoError(t, err)
	tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projB, ServerID: srv3, Type: state.ConsoleNoVNC})
	require.NoError(t, err)

	before := st.Snapshot()
	servers := st.Servers()
	clock.Advance(time.Minute)

	seed := validSeed()
	seed.Servers[1].Status = "BOGUS" // fails after projects, hosts, tokens, users and servers[0]
	err = st.Load(seed)
	requireOnly(t, err, state.ErrInvalid)

	assert.Equal(t, before, st.Snapshot())
	assert.Equal(t, servers, st.Servers())
	got, err := st.ConsoleToken(tok.Token)
	require.NoError(t, err, "console tokens survive a failed Load")
	assert.Equal(t, tok, got)
	_, err = st.Token(secret)
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.Server(srv1)
	requireOnly(t, err, state.ErrNotFound)
}

func TestLoadReplacesEverything(t *testing.T) {
	st, clock := newStore(t, state.WithProtocols(state.ProtocolSerial))
	addServer(t, st, state.Server{ID: srv3, ProjectID: projB, Host: "compute-1"})
	tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projB, ServerID: srv3, Type: state.ConsoleSerial})
	require.NoError(t, err)
	require.NoError(t, st.AddToken(state.AuthToken{Token: "old-token", ProjectID: projB}))

	now := clock.Advance(time.Hour)
	require.NoError(t, st.Load(validSeed()))

	assert.Equal(t, []state.Project{{ID: projA, Name: "demo", DomainID: "default"}, {ID: projDashed, Name: "dashed", DomainID: "default"}}, st.Projects())
	assert.Len(t, st.Hosts(), 2)
	_, err = st.Server(srv3)
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.ConsoleToken(tok.Token)
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.Token("old-token")
	requireOnly(t, err, state.ErrNotFound)
	tk, err := st.Token("deleted-project")
	require.NoError(t, err, "a token of a project not in the seed is allowed")
	assert.Equal(t, "3cd05b1b3d7b4822b1c83afe55816ff8", tk.ProjectID)

	srv, err := st.Server(srv1)
	require.NoError(t, err)
	assert.Equal(t, now, srv.Created, "Load stamps servers from the store's clock")

	// The store keeps its options: serial is still the only protocol.
	_, err = st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
	requireOnly(t, err, state.ErrConsoleUnavailable)
	_, err = st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleSerial})
	require.NoError(t, err)

	require.NoError(t, st.Load(&state.Seed{}))
	assert.Empty(t, st.Projects())
	assert.Empty(t, st.Hosts())
	assert.Empty(t, st.Servers())
	assert.Empty(t, st.Tokens())
	assert.Empty(t, st.Users())
}

// roundTripStore builds a store with a bit of everything a seed can hold.
func roundTripStore(t *testing.T) (*state.Store, *state.ManualClock) {
	t.Helper()
	clock := state.NewManualClock(t0)
	st := state.New(state.WithClock(clock))
	_, err := st.AddProject(state.Project{ID: projA, Name: "demo"})
	require.NoError(t, err)
	_, err = st.AddProject(state.Project{ID: projDashed, Name: "dashed", DomainID: "d1"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "compute-1"}))
	require.NoError(t, st.AddHost(state.Host{Name: "bm-1", ConsoleTypes: []state.ConsoleType{}}))
	require.NoError(t, st.AddHost(state.Host{Name: "vmware-1", ConsoleTypes: []state.ConsoleType{state.ConsoleWebMKS, state.ConsoleNoVNC}}))

	require.NoError(t, st.AddToken(state.AuthToken{Token: secret, ProjectID: projA, Roles: []string{"member"}}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: "issued", UserID: "u1", UserName: "admin", ProjectID: projDashed,
		Roles: []string{"admin", "member"}, ExpiresAt: t0.Add(time.Hour)}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: "deleted-project", ProjectID: "3cd05b1b3d7b4822b1c83afe55816ff8"}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: "expired", ProjectID: projA, ExpiresAt: t0}))

	_, err = st.AddUser(state.User{Name: "admin", Password: "secret", Roles: map[string][]string{"demo": {"admin", "member"}, "dashed": {"reader"}}})
	require.NoError(t, err)
	_, err = st.AddUser(state.User{ID: "ldap-bob", Name: "bob", Password: "pw", Domain: "ldap"})
	require.NoError(t, err)

	servers := []state.Server{
		{ID: "00000000-0000-4000-8000-000000000001", Name: "active", Host: "compute-1", VMState: state.VMActive, PowerState: state.PowerRunning},
		{ID: "00000000-0000-4000-8000-000000000002", Name: "build-no-host", VMState: state.VMBuilding, TaskState: state.TaskScheduling},
		{ID: "00000000-0000-4000-8000-000000000003", Name: "build-spawning", Host: "vmware-1", VMState: state.VMBuilding, TaskState: state.TaskSpawning},
		{ID: "00000000-0000-4000-8000-000000000004", Name: "build-no-task", VMState: state.VMBuilding},
		{ID: "00000000-0000-4000-8000-000000000005", Name: "active-no-host", VMState: state.VMActive, PowerState: state.PowerRunning},
		{ID: "00000000-0000-4000-8000-000000000006", Name: "shutoff-bm", Host: "bm-1", VMState: state.VMStopped, PowerState: state.PowerShutdown},
		{ID: "00000000-0000-4000-8000-000000000007", Name: "offloaded", VMState: state.VMShelvedOffloaded, PowerState: state.PowerShutdown},
		{ID: "00000000-0000-4000-8000-000000000008", Name: "shelved-on-2nd-host", Host: "vmware-1", VMState: state.VMShelved, PowerState: state.PowerShutdown},
		{ID: "00000000-0000-4000-8000-000000000009", Name: "reboot", Host: "compute-1", VMState: state.VMActive, TaskState: state.TaskRebooting, PowerState: state.PowerRunning},
		{ID: "00000000-0000-4000-8000-00000000000a", Name: "reboot-pending", Host: "compute-1", VMState: state.VMActive, TaskState: "reboot_pending", PowerState: state.PowerRunning},
		{ID: "00000000-0000-4000-8000-00000000000b", Name: "powering-off", Host: "compute-1", VMState: state.VMActive, TaskState: state.TaskPoweringOff, PowerState: state.PowerRunning},
		{ID: "00000000-0000-4000-8000-00000000000c", Name: "deleting", Host: "compute-1", VMState: state.VMActive, TaskState: state.TaskDeleting, PowerState: state.PowerRunning},
		{ID: "00000000-0000-4000-8000-00000000000d", Name: "revert", Host: "compute-1", VMState: state.VMResized, TaskState: state.TaskResizeReverting, PowerState: state.PowerRunning},
		{ID: "00000000-0000-4000-8000-00000000000e", Name: "error", Host: "compute-1", VMState: state.VMError},
		{ID: "00000000-0000-4000-8000-00000000000f", Name: "soft-deleted", Host: "compute-1", VMState: state.VMSoftDeleted, PowerState: state.PowerShutdown},
		{ID: "00000000-0000-4000-8000-000000000010", Name: "deleted", Host: "compute-1", VMState: state.VMDeleted},
		{ID: "00000000-0000-4000-8000-000000000011", Name: "paused", Host: "compute-1", VMState: state.VMPaused, PowerState: state.PowerPaused},
		{ID: "00000000-0000-4000-8000-000000000012", Name: "hard-reboot", Host: "compute-1", VMState: state.VMActive, TaskState: state.TaskRebootingHard, PowerState: state.PowerRunning},
	}
	for i, srv := range servers {
		srv.ProjectID = projA
		if i%2 == 1 {
			srv.ProjectID = projDashed
		}
		srv.UserID = "u1"
		addServer(t, st, srv)
	}
	srv, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: servers[0].ID, Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	require.NotEmpty(t, srv.Token)
	clock.Advance(time.Minute)
	return st, clock
}

// withoutTimes zeroes the timestamps Load stamps anew.
func withoutTimes(servers []state.Server) []state.Server {
	out := append([]state.Server(nil), servers...)
	for i := range out {
		out[i].Created, out[i].Updated = time.Time{}, time.Time{}
	}
	return out
}

func TestSnapshotLoadRoundTrip(t *testing.T) {
	orig, clock := roundTripStore(t)
	snap := orig.Snapshot()

	// What the snapshot says, field by field.
	hostTypes := map[string]*[]state.ConsoleType{}
	for _, h := range snap.Hosts {
		hostTypes[h.Name] = h.ConsoleTypes
	}
	assert.Nil(t, hostTypes["compute-1"])
	require.NotNil(t, hostTypes["bm-1"])
	assert.Empty(t, *hostTypes["bm-1"])
	assert.Equal(t, &[]state.ConsoleType{state.ConsoleWebMKS, state.ConsoleNoVNC}, hostTypes["vmware-1"])
	var tokens []string
	for _, tok := range snap.Tokens {
		tokens = append(tokens, tok.Token)
	}
	assert.Equal(t, []string{secret, "deleted-project", "issued"}, tokens, "sorted; the expired token is left out")
	status := map[string]state.SeedServer{}
	for _, ss := range snap.Servers {
		status[ss.Name] = ss
	}
	assert.Equal(t, state.SeedServer{ID: "00000000-0000-4000-8000-000000000002", Name: "build-no-host", ProjectID: projDashed,
		UserID: "u1", Status: "BUILD", Host: ptr("")}, status["build-no-host"])
	assert.Equal(t, state.SeedServer{ID: "00000000-0000-4000-8000-000000000004", Name: "build-no-task", ProjectID: projDashed,
		UserID: "u1", Status: "BUILD", TaskState: ptr(""), Host: ptr("")}, status["build-no-task"])
	assert.Equal(t, state.SeedServer{ID: "00000000-0000-4000-8000-000000000005", Name: "active-no-host", ProjectID: projA,
		UserID: "u1", Status: "ACTIVE", Host: ptr("")}, status["active-no-host"])
	assert.Equal(t, state.SeedServer{ID: "00000000-0000-4000-8000-00000000000a", Name: "reboot-pending", ProjectID: projDashed,
		UserID: "u1", Status: "REBOOT", TaskState: ptr("reboot_pending"), Host: ptr("compute-1")}, status["reboot-pending"])
	assert.Equal(t, "REVERT_RESIZE", status["revert"].Status)
	assert.Nil(t, status["revert"].TaskState, "implied by the status")

	check := func(t *testing.T, loaded *state.Store) {
		t.Helper()
		assert.Equal(t, orig.Projects(), loaded.Projects())
		assert.Equal(t, orig.Hosts(), loaded.Hosts())
		bm, err := loaded.Host("bm-1")
		require.NoError(t, err)
		assert.NotNil(t, bm.ConsoleTypes, "[] stays [] (no console)")
		c1, err := loaded.Host("compute-1")
		require.NoError(t, err)
		assert.Nil(t, c1.ConsoleTypes, "nil stays nil (every console)")
		assert.Equal(t, orig.Tokens(), loaded.Tokens())
		assert.Equal(t, orig.Users(), loaded.Users())
		assert.Equal(t, withoutTimes(orig.Servers()), withoutTimes(loaded.Servers()))
		for _, srv := range loaded.Servers() {
			assert.Equal(t, clock.Now(), srv.Created)
		}
		assert.Equal(t, snap, loaded.Snapshot(), "a second snapshot is the same")
	}

	t.Run("direct", func(t *testing.T) {
		loaded := state.New(state.WithClock(clock))
		require.NoError(t, loaded.Load(snap))
		check(t, loaded)
	})
	t.Run("through JSON", func(t *testing.T) {
		data, err := json.Marshal(snap)
		require.NoError(t, err)
		assert.Contains(t, string(data), `{"name":"bm-1","console_types":[]}`)
		assert.Contains(t, string(data), `{"name":"compute-1"}`)
		parsed, err := state.ParseSeed(data)
		require.NoError(t, err, "ParseSeed reads what Snapshot writes:\n%s", data)
		loaded := state.New(state.WithClock(clock))
		require.NoError(t, loaded.Load(parsed))
		check(t, loaded)
	})
	t.Run("into itself", func(t *testing.T) {
		servers := withoutTimes(orig.Servers())
		require.NoError(t, orig.Load(orig.Snapshot()))
		assert.Equal(t, servers, withoutTimes(orig.Servers()))
		assert.Equal(t, snap, orig.Snapshot())
	})
}

func TestSnapshotIsACopy(t *testing.T) {
	st, _ := roundTripStore(t)
	snap := st.Snapshot()
	want, err := json.Marshal(snap)
	require.NoError(t, err)

	(*snap.Hosts[2].ConsoleTypes)[0] = state.ConsoleSerial
	*snap.Servers[0].Host = "bm-1"
	snap.Tokens[0].Roles[0] = "admin"
	snap.Users[0].Roles["demo"][0] = "reader"
	snap.Users[0].Roles["other"] = []string{"admin"}

	got, err := json.Marshal(st.Snapshot())
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got), "changing a snapshot does not change the store")
}

func TestReadSeedFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "seed.json")
	require.NoError(t, os.WriteFile(good, []byte(designSeed), 0o600))
	seed, err := state.ReadSeedFile(good)
	require.NoError(t, err)
	want, err := state.ParseSeed([]byte(designSeed))
	require.NoError(t, err)
	assert.Equal(t, want, seed)

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"servers":[{"stauts":"ACTIVE"}]}`), 0o600))
	_, err = state.ReadSeedFile(bad)
	requireOnly(t, err, state.ErrInvalid)
	assert.Equal(t, "servers[0].stauts: unknown field", err.Error())

	_, err = state.ReadSeedFile(filepath.Join(dir, "missing.json"))
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.True(t, strings.HasPrefix(err.Error(), "seed: "), err.Error())
	assert.Contains(t, err.Error(), "missing.json")
}

// A project name may repeat in another domain; every known role loads.
func TestLoadSameProjectNameInAnotherDomain(t *testing.T) {
	seed := validSeed()
	seed.Projects = append(seed.Projects, state.Project{ID: "0f0e0d0c0b0a09080706050403020100", Name: seed.Projects[0].Name,
		DomainID: "3f2a9d0b7c1e4f6a8b5d2c9e0f1a2b3c"})
	seed.Tokens[0].Roles = state.KnownRoles
	require.NoError(t, state.New().Load(seed))
}
