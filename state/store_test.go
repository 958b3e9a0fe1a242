package state_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

func TestStoreDefaults(t *testing.T) {
	st := state.New()
	assert.Equal(t, 600*time.Second, st.ConsoleTTL())
	assert.Equal(t, state.DefaultConsoleTTL, st.ConsoleTTL())
	assert.Equal(t, 200000, state.DefaultMaxConsoleTokens)
	assert.True(t, st.ProtocolEnabled(state.ProtocolVNC), "VNC is on by default, as in Nova")
	for _, p := range []state.Protocol{state.ProtocolSPICE, state.ProtocolSerial, state.ProtocolMKS, state.ProtocolRDP} {
		assert.False(t, st.ProtocolEnabled(p), "%s is off by default", p)
	}
	assert.Empty(t, st.Projects())
	assert.Empty(t, st.Hosts())
	assert.Empty(t, st.Servers())
	assert.Empty(t, st.Tokens())
	assert.Empty(t, st.Users())
}

func TestStoreOptions(t *testing.T) {
	st := state.New(state.WithConsoleTTL(30*time.Second), state.WithProtocols(state.ProtocolSPICE, state.ProtocolSerial))
	assert.Equal(t, 30*time.Second, st.ConsoleTTL())
	assert.False(t, st.ProtocolEnabled(state.ProtocolVNC), "WithProtocols replaces the default")
	assert.True(t, st.ProtocolEnabled(state.ProtocolSPICE))
	assert.True(t, st.ProtocolEnabled(state.ProtocolSerial))
	assert.False(t, st.ProtocolEnabled(state.ProtocolMKS))

	none := state.New(state.WithProtocols())
	for _, p := range []state.Protocol{state.ProtocolVNC, state.ProtocolSPICE, state.ProtocolSerial, state.ProtocolMKS, state.ProtocolRDP} {
		assert.False(t, none.ProtocolEnabled(p), "%s", p)
	}
}

func TestAddProject(t *testing.T) {
	st := state.New()

	p, err := st.AddProject(state.Project{ID: projA, Name: "demo"})
	require.NoError(t, err)
	assert.Equal(t, state.Project{ID: projA, Name: "demo", DomainID: "default"}, p)

	p, err = st.AddProject(state.Project{ID: projDashed, Name: "dashed", DomainID: "d1"})
	require.NoError(t, err)
	assert.Equal(t, state.Project{ID: projDashed, Name: "dashed", DomainID: "d1"}, p)

	gen1, err := st.AddProject(state.Project{Name: "generated"})
	require.NoError(t, err)
	assert.Len(t, gen1.ID, 32)
	assert.Regexp(t, `^[0-9a-f]{32}$`, gen1.ID)
	assert.Equal(t, "generated", gen1.Name)
	assert.Equal(t, "default", gen1.DomainID)
	gen2, err := st.AddProject(state.Project{Name: "generated"})
	require.NoError(t, err, "names need not be unique")
	assert.NotEqual(t, gen1.ID, gen2.ID)

	got, err := st.Project(gen1.ID)
	require.NoError(t, err)
	assert.Equal(t, gen1, got)

	assert.Equal(t, []state.Project{
		{ID: projA, Name: "demo", DomainID: "default"},
		{ID: projDashed, Name: "dashed", DomainID: "d1"},
		gen1, gen2,
	}, st.Projects(), "in the order they were added")
}

func TestAddProjectErrors(t *testing.T) {
	st := state.New()
	_, err := st.AddProject(state.Project{ID: projA, Name: "demo"})
	require.NoError(t, err)

	t.Run("duplicate", func(t *testing.T) {
		_, err := st.AddProject(state.Project{ID: projA, Name: "again"})
		requireOnly(t, err, state.ErrConflict)
		var ce *state.ConflictError
		require.True(t, errors.As(err, &ce))
		assert.Equal(t, "project", ce.Kind)
		assert.Equal(t, projA, ce.ID)
		got, err := st.Project(projA)
		require.NoError(t, err)
		assert.Equal(t, "demo", got.Name, "the first project is kept")
	})
	for _, id := range []string{
		"1AB83FBF1B594600BFA618DC33694DD6",
		"1ab83fbf1b594600bfa618dc33694dd",
		"1ab83fbf1b594600bfa618dc33694dd6a",
		"365313C5-5D0C-4C43-AF05-16F765C0F2BC",
		"demo",
	} {
		t.Run("invalid "+id, func(t *testing.T) {
			_, err := st.AddProject(state.Project{ID: id, Name: "x"})
			requireOnly(t, err, state.ErrInvalid)
			var inv *state.InvalidError
			require.True(t, errors.As(err, &inv))
			assert.Equal(t, "id", inv.Field)
			assert.Contains(t, inv.Reason, `"`+id+`"`)
		})
	}
	assert.Len(t, st.Projects(), 1, "no failed add left a trace")

	_, err = st.Project(projB)
	requireOnly(t, err, state.ErrNotFound)
	var nf *state.NotFoundError
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, state.NotFoundError{Kind: "project", ID: projB}, *nf)
}

func TestAddHost(t *testing.T) {
	st := state.New()
	require.NoError(t, st.AddHost(state.Host{Name: "compute-1"}))
	require.NoError(t, st.AddHost(state.Host{Name: "bm-1", ConsoleTypes: []state.ConsoleType{}}))
	require.NoError(t, st.AddHost(state.Host{Name: "vmware-1", ConsoleTypes: []state.ConsoleType{state.ConsoleWebMKS}}))

	h, err := st.Host("compute-1")
	require.NoError(t, err)
	assert.Equal(t, "compute-1", h.Name)
	assert.Nil(t, h.ConsoleTypes, "nil (every type) stays nil")

	h, err = st.Host("bm-1")
	require.NoError(t, err)
	require.NotNil(t, h.ConsoleTypes, "[] (no type) stays non-nil")
	assert.Empty(t, h.ConsoleTypes)
	assert.False(t, h.Supports(state.ConsoleNoVNC))

	h, err = st.Host("vmware-1")
	require.NoError(t, err)
	assert.Equal(t, []state.ConsoleType{state.ConsoleWebMKS}, h.ConsoleTypes)

	hosts := st.Hosts()
	require.Len(t, hosts, 3)
	assert.Equal(t, []string{"compute-1", "bm-1", "vmware-1"}, []string{hosts[0].Name, hosts[1].Name, hosts[2].Name})
	assert.Nil(t, hosts[0].ConsoleTypes)
	assert.NotNil(t, hosts[1].ConsoleTypes)

	_, err = st.Host("compute-2")
	requireOnly(t, err, state.ErrNotFound)
	var nf *state.NotFoundError
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, state.NotFoundError{Kind: "host", ID: "compute-2"}, *nf)
}

func TestAddHostErrors(t *testing.T) {
	st := state.New()
	require.NoError(t, st.AddHost(state.Host{Name: "compute-1"}))
	tests := []struct {
		name  string
		host  state.Host
		want  error
		field string
	}{
		{"no name", state.Host{}, state.ErrInvalid, "name"},
		{"unknown console type", state.Host{Name: "h", ConsoleTypes: []state.ConsoleType{state.ConsoleNoVNC, "vnc"}}, state.ErrInvalid, "console_types"},
		{"empty console type", state.Host{Name: "h", ConsoleTypes: []state.ConsoleType{""}}, state.ErrInvalid, "console_types"},
		{"duplicate", state.Host{Name: "compute-1", ConsoleTypes: []state.ConsoleType{}}, state.ErrConflict, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := st.AddHost(tt.host)
			requireOnly(t, err, tt.want)
			if tt.field != "" {
				var inv *state.InvalidError
				require.True(t, errors.As(err, &inv))
				assert.Equal(t, tt.field, inv.Field)
			} else {
				var ce *state.ConflictError
				require.True(t, errors.As(err, &ce))
				assert.Equal(t, state.ConflictError{Kind: "host", ID: tt.host.Name}, *ce)
			}
		})
	}
	hosts := st.Hosts()
	require.Len(t, hosts, 1)
	assert.Nil(t, hosts[0].ConsoleTypes, "the duplicate did not replace the host")
}

func TestAddServer(t *testing.T) {
	st, clock := newStore(t)

	t.Run("defaults", func(t *testing.T) {
		srv := addServer(t, st, state.Server{Name: "vm1", ProjectID: projA, Host: "compute-1"})
		assert.True(t, state.ValidUUID(srv.ID), srv.ID)
		u, err := uuid.Parse(srv.ID)
		require.NoError(t, err)
		assert.Equal(t, uuid.Version(4), u.Version())
		assert.Equal(t, state.VMActive, srv.VMState)
		assert.Equal(t, state.TaskNone, srv.TaskState)
		assert.Equal(t, state.PowerRunning, srv.PowerState)
		assert.Equal(t, "ACTIVE", srv.Status())
		assert.Equal(t, t0, srv.Created)
		assert.Equal(t, t0, srv.Updated)

		got, err := st.Server(srv.ID)
		require.NoError(t, err)
		assert.Equal(t, srv, got)
	})
	t.Run("as given", func(t *testing.T) {
		clock.Advance(time.Minute)
		in := state.Server{ID: srv1, Name: "b", ProjectID: projB, UserID: "u1", VMState: state.VMBuilding,
			TaskState: state.TaskScheduling, Created: t0.Add(-time.Hour), Updated: t0.Add(-time.Hour)}
		srv := addServer(t, st, in)
		want := in
		want.Created, want.Updated = t0.Add(time.Minute), t0.Add(time.Minute)
		assert.Equal(t, want, srv, "the power state stays NOSTATE when the vm_state is given; times come from the clock")
		assert.Equal(t, "BUILD", srv.Status())
	})
	t.Run("empty vm_state keeps a given power state", func(t *testing.T) {
		srv := addServer(t, st, state.Server{ProjectID: projA, Host: "compute-1", PowerState: state.PowerCrashed})
		assert.Equal(t, state.VMActive, srv.VMState)
		assert.Equal(t, state.PowerCrashed, srv.PowerState)
	})
	t.Run("dashed project id", func(t *testing.T) {
		_, err := st.AddProject(state.Project{ID: projDashed, Name: "dashed"})
		require.NoError(t, err)
		srv := addServer(t, st, state.Server{ProjectID: projDashed, Host: "bm-1"})
		assert.Equal(t, projDashed, srv.ProjectID)
	})
}

func TestAddServerErrors(t *testing.T) {
	st, _ := newStore(t)
	addServer(t, st, state.Server{ID: srv1, Name: "vm1", ProjectID: projA, Host: "compute-1"})
	tests := []struct {
		name  string
		srv   state.Server
		want  error
		field string // for InvalidError
		nf    *state.NotFoundError
	}{
		{"uppercase id", state.Server{ID: "365313C5-5D0C-4C43-AF05-16F765C0F2BC", ProjectID: projA}, state.ErrInvalid, "id", nil},
		{"undashed id", state.Server{ID: "365313c55d0c4c43af0516f765c0f2bc", ProjectID: projA}, state.ErrInvalid, "id", nil},
		{"misplaced dash", state.Server{ID: "365313c55-d0c-4c43-af05-16f765c0f2bc", ProjectID: projA}, state.ErrInvalid, "id", nil},
		{"no project", state.Server{ID: srv2}, state.ErrNotFound, "", &state.NotFoundError{Kind: "project", ID: ""}},
		{"unknown project", state.Server{ID: srv2, ProjectID: "3cd05b1b3d7b4822b1c83afe55816ff8"}, state.ErrNotFound, "",
			&state.NotFoundError{Kind: "project", ID: "3cd05b1b3d7b4822b1c83afe55816ff8"}},
		{"unknown vm_state", state.Server{ID: srv2, ProjectID: projA, VMState: "running"}, state.ErrInvalid, "vm_state", nil},
		{"uppercase vm_state", state.Server{ID: srv2, ProjectID: projA, VMState: "ACTIVE"}, state.ErrInvalid, "vm_state", nil},
		{"unknown host", state.Server{ID: srv2, ProjectID: projA, Host: "compute-9"}, state.ErrNotFound, "",
			&state.NotFoundError{Kind: "host", ID: "compute-9"}},
		{"duplicate id", state.Server{ID: srv1, ProjectID: projB, Host: "bm-1"}, state.ErrConflict, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.AddServer(tt.srv)
			requireOnly(t, err, tt.want)
			assert.Equal(t, state.Server{}, got)
			switch {
			case tt.field != "":
				var inv *state.InvalidError
				require.True(t, errors.As(err, &inv))
				assert.Equal(t, tt.field, inv.Field)
			case tt.nf != nil:
				var nf *state.NotFoundError
				require.True(t, errors.As(err, &nf))
				assert.Equal(t, *tt.nf, *nf)
			default:
				var ce *state.ConflictError
				require.True(t, errors.As(err, &ce))
				assert.Equal(t, state.ConflictError{Kind: "server", ID: srv1}, *ce)
			}
		})
	}
	servers := st.Servers()
	require.Len(t, servers, 1, "no failed add left a trace")
	assert.Equal(t, projA, servers[0].ProjectID, "the duplicate did not replace the server")
	assert.Equal(t, "compute-1", servers[0].Host)
}

func TestServersOrder(t *testing.T) {
	st, clock := newStore(t)
	ids := []string{srv3, srv1, srv2, "ffffffff-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000000"}
	for _, id := range ids {
		clock.Advance(time.Second)
		addServer(t, st, state.Server{ID: id, ProjectID: projA, Host: "compute-1"})
	}
	// Updating and removing do not reorder.
	_, err := st.UpdateServer(srv3, func(s *state.Server) { s.Name = "renamed" })
	require.NoError(t, err)
	require.NoError(t, st.RemoveServer(srv2))
	addServer(t, st, state.Server{ID: srv2, ProjectID: projA})

	var got []string
	for _, s := range st.Servers() {
		got = append(got, s.ID)
	}
	assert.Equal(t, []string{srv3, srv1, ids[3], ids[4], srv2}, got)
	assert.Equal(t, "renamed", st.Servers()[0].Name)
}

func TestServerNotFound(t *testing.T) {
	st, _ := newStore(t)
	for _, id := range []string{srv1, "", "nope"} {
		_, err := st.Server(id)
		requireOnly(t, err, state.ErrNotFound)
		var nf *state.NotFoundError
		require.True(t, errors.As(err, &nf))
		assert.Equal(t, state.NotFoundError{Kind: "server", ID: id}, *nf)
	}
}

func TestUpdateServer(t *testing.T) {
	st, clock := newStore(t)
	orig := addServer(t, st, state.Server{ID: srv1, Name: "vm1", ProjectID: projA, Host: "compute-1"})

	clock.Advance(time.Minute)
	got, err := st.UpdateServer(srv1, func(s *state.Server) {
		assert.Equal(t, orig, *s, "fn gets the current server")
		s.Name = "vm1-renamed"
		s.VMState = state.VMStopped
		s.TaskState = state.TaskPoweringOn
		s.PowerState = state.PowerShutdown
		s.Host = "bm-1"
		s.ProjectID = projB
	})
	require.NoError(t, err)
	want := state.Server{ID: srv1, Name: "vm1-renamed", ProjectID: projB, Host: "bm-1", VMState: state.VMStopped,
		TaskState: state.TaskPoweringOn, PowerState: state.PowerShutdown, Created: t0, Updated: t0.Add(time.Minute)}
	assert.Equal(t, want, got)
	stored, err := st.Server(srv1)
	require.NoError(t, err)
	assert.Equal(t, want, stored)
	assert.Equal(t, "SHUTOFF", stored.Status())

	clock.Advance(time.Minute)
	got, err = st.SetServerState(srv1, state.VMActive, state.TaskRebootingHard)
	require.NoError(t, err)
	assert.Equal(t, state.VMActive, got.VMState)
	assert.Equal(t, state.TaskRebootingHard, got.TaskState)
	assert.Equal(t, "HARD_REBOOT", got.Status())
	assert.Equal(t, t0.Add(2*time.Minute), got.Updated)
	assert.Equal(t, t0, got.Created)
	assert.Equal(t, "vm1-renamed", got.Name, "other fields are kept")

	got, err = st.SetServerHost(srv1, "")
	require.NoError(t, err)
	assert.Equal(t, "", got.Host)
	got, err = st.SetServerHost(srv1, "serial-1")
	require.NoError(t, err)
	assert.Equal(t, "serial-1", got.Host)
	stored, err = st.Server(srv1)
	require.NoError(t, err)
	assert.Equal(t, got, stored)
}

func TestUpdateServerFailureKeepsServer(t *testing.T) {
	st, clock := newStore(t)
	orig := addServer(t, st, state.Server{ID: srv1, Name: "vm1", ProjectID: projA, Host: "compute-1"})
	clock.Advance(time.Hour)
	tests := []struct {
		name  string
		fn    func(*state.Server)
		want  error
		field string
	}{
		{"id change", func(s *state.Server) { s.ID = srv2; s.Name = "x" }, state.ErrInvalid, "id"},
		{"id cleared", func(s *state.Server) { s.ID = "" }, state.ErrInvalid, "id"},
		{"unknown project", func(s *state.Server) { s.ProjectID = "3cd05b1b3d7b4822b1c83afe55816ff8"; s.Name = "x" }, state.ErrNotFound, ""},
		{"unknown host", func(s *state.Server) { s.Host = "compute-9"; s.Name = "x" }, state.ErrNotFound, ""},
		{"bad vm_state", func(s *state.Server) { s.VMState = "bogus"; s.Name = "x" }, state.ErrInvalid, "vm_state"},
		{"empty vm_state", func(s *state.Server) { s.VMState = "" }, state.ErrInvalid, "vm_state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.UpdateServer(srv1, tt.fn)
			requireOnly(t, err, tt.want)
			assert.Equal(t, state.Server{}, got)
			if tt.field != "" {
				var inv *state.InvalidError
				require.True(t, errors.As(err, &inv))
				assert.Equal(t, tt.field, inv.Field)
			}
			stored, err := st.Server(srv1)
			require.NoError(t, err)
			assert.Equal(t, orig, stored, "the old server is kept, Updated included")
			_, err = st.Server(srv2)
			requireOnly(t, err, state.ErrNotFound)
		})
	}

	_, err := st.SetServerHost(srv1, "compute-9")
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.SetServerState(srv1, "bogus", state.TaskNone)
	requireOnly(t, err, state.ErrInvalid)
	stored, err := st.Server(srv1)
	require.NoError(t, err)
	assert.Equal(t, orig, stored)
	require.Len(t, st.Servers(), 1)
}

func TestUpdateServerNotFound(t *testing.T) {
	st, _ := newStore(t)
	called := false
	_, err := st.UpdateServer(srv1, func(*state.Server) { called = true })
	requireOnly(t, err, state.ErrNotFound)
	assert.False(t, called, "fn is not called for a missing server")
	_, err = st.SetServerState(srv1, state.VMActive, state.TaskNone)
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.SetServerHost(srv1, "compute-1")
	requireOnly(t, err, state.ErrNotFound)
}

func TestRemoveServer(t *testing.T) {
	st, _ := newStore(t)
	addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1"})
	keep := addServer(t, st, state.Server{ID: srv2, ProjectID: projA, Host: "compute-1"})

	require.NoError(t, st.RemoveServer(srv1))
	_, err := st.Server(srv1)
	requireOnly(t, err, state.ErrNotFound)
	assert.Equal(t, []state.Server{keep}, st.Servers())

	err = st.RemoveServer(srv1)
	requireOnly(t, err, state.ErrNotFound)
	var nf *state.NotFoundError
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, state.NotFoundError{Kind: "server", ID: srv1}, *nf)

	_, err = st.UpdateServer(srv1, func(*state.Server) {})
	requireOnly(t, err, state.ErrNotFound)

	// The id can be used again.
	again := addServer(t, st, state.Server{ID: srv1, ProjectID: projB})
	assert.Equal(t, projB, again.ProjectID)
}

// TestGettersReturnCopies checks the Store's promise that getters return
// copies: changing what a getter returned, or what was passed in, does not
// change the model.
func TestGettersReturnCopies(t *testing.T) {
	st, _ := newStore(t)

	t.Run("host console types", func(t *testing.T) {
		in := []state.ConsoleType{state.ConsoleNoVNC, state.ConsoleSerial}
		require.NoError(t, st.AddHost(state.Host{Name: "h", ConsoleTypes: in}))
		in[0] = state.ConsoleWebMKS
		h, err := st.Host("h")
		require.NoError(t, err)
		h.ConsoleTypes[1] = state.ConsoleRDPHTML5
		for _, hh := range st.Hosts() {
			if hh.Name == "h" {
				hh.ConsoleTypes[0] = state.ConsoleXVPVNC
			}
		}
		h, err = st.Host("h")
		require.NoError(t, err)
		assert.Equal(t, []state.ConsoleType{state.ConsoleNoVNC, state.ConsoleSerial}, h.ConsoleTypes)
	})
	t.Run("token roles", func(t *testing.T) {
		in := []string{"member"}
		require.NoError(t, st.AddToken(state.AuthToken{Token: "tok-1", ProjectID: projA, Roles: in}))
		in[0] = "admin"
		tok, err := st.Token("tok-1")
		require.NoError(t, err)
		tok.Roles[0] = "admin"
		st.Tokens()[0].Roles[0] = "admin"
		tok, err = st.Token("tok-1")
		require.NoError(t, err)
		assert.Equal(t, []string{"member"}, tok.Roles)
		assert.False(t, tok.HasRole("admin"))
	})
	t.Run("user roles", func(t *testing.T) {
		in := map[string][]string{"demo": {"member"}}
		_, err := st.AddUser(state.User{Name: "alice", Password: "pw", Roles: in})
		require.NoError(t, err)
		in["demo"][0] = "admin"
		in["other"] = []string{"admin"}
		u, err := st.User("", "alice")
		require.NoError(t, err)
		u.Roles["demo"][0] = "admin"
		u.Roles["other"] = []string{"admin"}
		st.Users()[0].Roles["demo"][0] = "admin"
		u, err = st.User("", "alice")
		require.NoError(t, err)
		assert.Equal(t, map[string][]string{"demo": {"member"}}, u.Roles)
	})
}

func TestReset(t *testing.T) {
	st, _ := newStore(t)
	srv := addServer(t, st, state.Server{ProjectID: projA, Host: "compute-1"})
	tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv.ID, Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	require.NoError(t, st.AddToken(state.AuthToken{Token: "t", ProjectID: projA}))
	_, err = st.AddUser(state.User{Name: "u"})
	require.NoError(t, err)

	st.Reset()
	assert.Empty(t, st.Projects())
	assert.Empty(t, st.Hosts())
	assert.Empty(t, st.Servers())
	assert.Empty(t, st.Tokens())
	assert.Empty(t, st.Users())
	_, err = st.ConsoleToken(tok.Token)
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.Token("t")
	requireOnly(t, err, state.ErrNotFound)

	// Options survive a reset, and the store is usable again.
	assert.True(t, st.ProtocolEnabled(state.ProtocolVNC))
	_, err = st.AddProject(state.Project{ID: projA, Name: "demo"})
	require.NoError(t, err, "the project id is free again")
}
