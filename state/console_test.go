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

// TestCreateConsoleChecks walks Nova's order of checks: each case's server
// also fails every later check, so the case shows that its check comes
// first.
func TestCreateConsoleChecks(t *testing.T) {
	tests := []struct {
		name   string
		srv    state.Server // added to projA unless ProjectID is set
		req    state.ConsoleRequest
		opts   []state.Option
		want   error
		detail error // the typed error, compared by value
	}{
		{
			name:   "no such server",
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv2, Type: state.ConsoleNoVNC},
			want:   state.ErrNotFound,
			detail: &state.NotFoundError{Kind: "server", ID: srv2},
		},
		{
			name:   "no such server, all projects",
			req:    state.ConsoleRequest{AllProjects: true, ServerID: srv2, Type: state.ConsoleNoVNC},
			want:   state.ErrNotFound,
			detail: &state.NotFoundError{Kind: "server", ID: srv2},
		},
		{
			name:   "another project's server is not found",
			srv:    state.Server{ProjectID: projB, VMState: state.VMBuilding, TaskState: state.TaskDeleting},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: "spice-html5"},
			opts:   []state.Option{state.WithProtocols()},
			want:   state.ErrNotFound,
			detail: &state.NotFoundError{Kind: "server", ID: srv1},
		},
		{
			name:   "no project in the request is not all projects",
			srv:    state.Server{Host: "compute-1"},
			req:    state.ConsoleRequest{ServerID: srv1, Type: state.ConsoleNoVNC},
			want:   state.ErrNotFound,
			detail: &state.NotFoundError{Kind: "server", ID: srv1},
		},
		{
			name:   "no host: building",
			srv:    state.Server{VMState: state.VMBuilding, TaskState: state.TaskDeleting},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleSPICEHTML5},
			want:   state.ErrNotReady,
			detail: &state.NotReadyError{ServerID: srv1},
		},
		{
			name:   "no host: another project's, all projects",
			srv:    state.Server{ProjectID: projB, VMState: state.VMShelvedOffloaded, TaskState: state.TaskMigrating},
			req:    state.ConsoleRequest{ProjectID: projA, AllProjects: true, ServerID: srv1, Type: state.ConsoleNoVNC},
			want:   state.ErrNotReady,
			detail: &state.NotReadyError{ServerID: srv1},
		},
		{
			name:   "no host: active",
			srv:    state.Server{VMState: state.VMActive},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC},
			want:   state.ErrNotReady,
			detail: &state.NotReadyError{ServerID: srv1},
		},
		{
			name:   "deleting",
			srv:    state.Server{Host: "bm-1", TaskState: state.TaskDeleting},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleSerial},
			want:   state.ErrInvalidState,
			detail: &state.InvalidStateError{ServerID: srv1, Attr: "task_state", State: "deleting"},
		},
		{
			name:   "migrating",
			srv:    state.Server{Host: "bm-1", TaskState: state.TaskMigrating},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleWebMKS},
			want:   state.ErrInvalidState,
			detail: &state.InvalidStateError{ServerID: srv1, Attr: "task_state", State: "migrating"},
		},
		{
			name:   "paused and migrating",
			srv:    state.Server{Host: "compute-1", VMState: state.VMPaused, TaskState: state.TaskMigrating},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC},
			want:   state.ErrInvalidState,
			detail: &state.InvalidStateError{ServerID: srv1, Attr: "task_state", State: "migrating"},
		},
		{
			name:   "protocol not enabled: spice by default",
			srv:    state.Server{Host: "bm-1"},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleSPICEHTML5},
			want:   state.ErrConsoleUnavailable,
			detail: &state.ConsoleUnavailableError{Type: state.ConsoleSPICEHTML5},
		},
		{
			name:   "protocol not enabled: vnc off",
			srv:    state.Server{Host: "bm-1"},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC},
			opts:   []state.Option{state.WithProtocols(state.ProtocolSPICE, state.ProtocolSerial)},
			want:   state.ErrConsoleUnavailable,
			detail: &state.ConsoleUnavailableError{Type: state.ConsoleNoVNC},
		},
		{
			name:   "protocol not enabled: serial",
			srv:    state.Server{Host: "compute-1"},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleSerial},
			want:   state.ErrConsoleUnavailable,
			detail: &state.ConsoleUnavailableError{Type: state.ConsoleSerial},
		},
		{
			name:   "unknown console type",
			srv:    state.Server{Host: "compute-1"},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: "vnc"},
			want:   state.ErrConsoleUnavailable,
			detail: &state.ConsoleUnavailableError{Type: "vnc"},
		},
		{
			name:   "bare metal",
			srv:    state.Server{Host: "bm-1"},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC},
			want:   state.ErrNotImplemented,
			detail: &state.NotImplementedError{Host: "bm-1", Type: state.ConsoleNoVNC},
		},
		{
			name:   "host without the type",
			srv:    state.Server{Host: "serial-1"},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleXVPVNC},
			want:   state.ErrNotImplemented,
			detail: &state.NotImplementedError{Host: "serial-1", Type: state.ConsoleXVPVNC},
		},
		{
			name:   "host without the type, all protocols on",
			srv:    state.Server{Host: "serial-1"},
			req:    state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleSPICEDirect},
			opts:   []state.Option{state.WithProtocols(state.ProtocolVNC, state.ProtocolSPICE, state.ProtocolSerial, state.ProtocolMKS, state.ProtocolRDP)},
			want:   state.ErrNotImplemented,
			detail: &state.NotImplementedError{Host: "serial-1", Type: state.ConsoleSPICEDirect},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := newStore(t, tt.opts...)
			if tt.srv != (state.Server{}) {
				srv := tt.srv
				srv.ID = srv1
				if srv.ProjectID == "" {
					srv.ProjectID = projA
				}
				addServer(t, st, srv)
			}
			tok, err := st.CreateConsole(tt.req)
			requireOnly(t, err, tt.want)
			assert.Equal(t, state.ConsoleToken{}, tok)
			assert.Equal(t, tt.detail, err, "the typed error and its details")
		})
	}
}

func TestCreateConsole(t *testing.T) {
	all := state.WithProtocols(state.ProtocolVNC, state.ProtocolSPICE, state.ProtocolSerial, state.ProtocolMKS, state.ProtocolRDP)
	tests := []struct {
		typ     state.ConsoleType
		host    string
		port    int
		tlsPort int
	}{
		{state.ConsoleNoVNC, "compute-1", 5900, 0},
		{state.ConsoleXVPVNC, "compute-1", 5900, 0},
		{state.ConsoleSPICEHTML5, "compute-1", 5900, 0},
		{state.ConsoleSPICEDirect, "compute-1", 5900, 5901},
		{state.ConsoleSerial, "compute-1", 10000, 0},
		{state.ConsoleSerial, "serial-1", 10000, 0},
		{state.ConsoleWebMKS, "compute-1", 902, 0},
		{state.ConsoleRDPHTML5, "compute-1", 3389, 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ)+"@"+tt.host, func(t *testing.T) {
			st, clock := newStore(t, all)
			addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: tt.host})
			now := clock.Advance(42 * time.Second)

			tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: tt.typ})
			require.NoError(t, err)
			assert.True(t, state.ValidUUID(tok.Token), "token %q is a lowercase dashed uuid", tok.Token)
			u, err := uuid.Parse(tok.Token)
			require.NoError(t, err)
			assert.Equal(t, uuid.Version(4), u.Version())
			assert.Equal(t, uuid.RFC4122, u.Variant())
			assert.Equal(t, state.ConsoleToken{
				Token:     tok.Token,
				ServerID:  srv1,
				Protocol:  tt.typ.Protocol(),
				Type:      tt.typ,
				Host:      tt.host,
				Port:      tt.port,
				TLSPort:   tt.tlsPort,
				IssuedAt:  now,
				ExpiresAt: now.Add(600 * time.Second),
			}, tok)

			got, err := st.ConsoleToken(tok.Token)
			require.NoError(t, err)
			assert.Equal(t, tok, got)
		})
	}
}

func TestCreateConsoleAllowedStates(t *testing.T) {
	// Nova rejects only task_state deleting and migrating.
	for _, task := range []state.TaskState{state.TaskRebooting, state.TaskRebootingHard, state.TaskPoweringOff,
		state.TaskResizePrep, state.TaskRebuilding, state.TaskImageSnapshot, state.TaskShelving} {
		t.Run(string(task), func(t *testing.T) {
			st, _ := newStore(t)
			addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1", TaskState: task})
			tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
			require.NoError(t, err)
			assert.Equal(t, srv1, tok.ServerID)
		})
	}
}

func TestCreateConsoleAllProjects(t *testing.T) {
	st, _ := newStore(t)
	addServer(t, st, state.Server{ID: srv1, ProjectID: projB, Host: "compute-1"})

	_, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
	requireOnly(t, err, state.ErrNotFound)

	tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, AllProjects: true, ServerID: srv1, Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	assert.Equal(t, srv1, tok.ServerID)

	tok, err = st.CreateConsole(state.ConsoleRequest{ProjectID: projB, ServerID: srv1, Type: state.ConsoleNoVNC})
	require.NoError(t, err, "the owner gets it")
	assert.Equal(t, "compute-1", tok.Host)
}

func TestCreateConsoleFollowsServer(t *testing.T) {
	st, _ := newStore(t)
	addServer(t, st, state.Server{ID: srv1, ProjectID: projA, VMState: state.VMBuilding, TaskState: state.TaskScheduling})
	req := state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC}

	_, err := st.CreateConsole(req)
	requireOnly(t, err, state.ErrNotReady)

	_, err = st.UpdateServer(srv1, func(s *state.Server) {
		s.Host, s.VMState, s.TaskState = "compute-1", state.VMActive, state.TaskNone
	})
	require.NoError(t, err)
	tok, err := st.CreateConsole(req)
	require.NoError(t, err)
	assert.Equal(t, "compute-1", tok.Host)

	_, err = st.SetServerState(srv1, state.VMActive, state.TaskDeleting)
	require.NoError(t, err)
	_, err = st.CreateConsole(req)
	requireOnly(t, err, state.ErrInvalidState)

	_, err = st.UpdateServer(srv1, func(s *state.Server) { s.TaskState, s.Host = state.TaskNone, "bm-1" })
	require.NoError(t, err)
	_, err = st.CreateConsole(req)
	requireOnly(t, err, state.ErrNotImplemented)
}

func TestConsoleTokensAreUnique(t *testing.T) {
	st, _ := newStore(t)
	addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1"})
	seen := map[string]bool{}
	for i := 0; i < 500; i++ {
		tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
		require.NoError(t, err)
		require.False(t, seen[tok.Token], "duplicate %s", tok.Token)
		seen[tok.Token] = true
	}
	for tok := range seen {
		_, err := st.ConsoleToken(tok)
		require.NoError(t, err, "every token of the same server stays valid")
	}
}

func TestConsoleTokenExpiry(t *testing.T) {
	for _, ttl := range []time.Duration{0, 30 * time.Second, time.Hour} {
		name := "default"
		var opts []state.Option
		if ttl != 0 {
			name = ttl.String()
			opts = append(opts, state.WithConsoleTTL(ttl))
		} else {
			ttl = 600 * time.Second
		}
		t.Run(name, func(t *testing.T) {
			st, clock := newStore(t, opts...)
			addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1"})
			tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
			require.NoError(t, err)
			assert.Equal(t, t0.Add(ttl), tok.ExpiresAt)

			clock.Set(t0.Add(ttl - time.Nanosecond))
			got, err := st.ConsoleToken(tok.Token)
			require.NoError(t, err, "valid just before the TTL")
			assert.Equal(t, tok, got)

			clock.Set(t0.Add(ttl))
			_, err = st.ConsoleToken(tok.Token)
			requireOnly(t, err, state.ErrNotFound)
			var nf *state.NotFoundError
			require.True(t, errors.As(err, &nf))
			assert.Equal(t, state.NotFoundError{Kind: "console token", ID: tok.Token}, *nf)

			clock.Advance(24 * time.Hour)
			_, err = st.ConsoleToken(tok.Token)
			requireOnly(t, err, state.ErrNotFound)

			// A new token issued now has its own TTL from now.
			tok2, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
			require.NoError(t, err)
			assert.Equal(t, clock.Now().Add(ttl), tok2.ExpiresAt)
			_, err = st.ConsoleToken(tok2.Token)
			require.NoError(t, err)
			_, err = st.ConsoleToken(tok.Token)
			requireOnly(t, err, state.ErrNotFound)
		})
	}
}

func TestConsoleTokenUnknown(t *testing.T) {
	st, _ := newStore(t)
	srv := addServer(t, st, state.Server{ProjectID: projA, Host: "compute-1"})
	tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv.ID, Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	for _, bad := range []string{"", srv.ID, uuid.NewString(), tok.Token[:35], tok.Token + "0",
		"365313C5-5D0C-4C43-AF05-16F765C0F2BC"} {
		_, err := st.ConsoleToken(bad)
		requireOnly(t, err, state.ErrNotFound)
	}
}

func TestConsoleTokenOfRemovedServer(t *testing.T) {
	st, _ := newStore(t)
	addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1"})
	addServer(t, st, state.Server{ID: srv2, ProjectID: projA, Host: "compute-1"})
	req := func(id string) state.ConsoleRequest {
		return state.ConsoleRequest{ProjectID: projA, ServerID: id, Type: state.ConsoleNoVNC}
	}
	gone, err := st.CreateConsole(req(srv1))
	require.NoError(t, err)
	kept, err := st.CreateConsole(req(srv2))
	require.NoError(t, err)

	require.NoError(t, st.RemoveServer(srv1))
	_, err = st.ConsoleToken(gone.Token)
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.ConsoleToken(kept.Token)
	require.NoError(t, err, "another server's token is untouched")

	// A new server that reuses the id does not bring the old tokens back.
	addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1"})
	_, err = st.ConsoleToken(gone.Token)
	requireOnly(t, err, state.ErrNotFound)
	fresh, err := st.CreateConsole(req(srv1))
	require.NoError(t, err)
	_, err = st.ConsoleToken(fresh.Token)
	require.NoError(t, err)
}

func TestMaxConsoleTokens(t *testing.T) {
	st, clock := newStore(t, state.WithMaxConsoleTokens(3))
	addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1"})
	var toks []state.ConsoleToken
	for i := 0; i < 5; i++ {
		clock.Advance(time.Second)
		tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
		require.NoError(t, err)
		toks = append(toks, tok)
	}
	for i, tok := range toks {
		_, err := st.ConsoleToken(tok.Token)
		if i < 2 {
			requireOnly(t, err, state.ErrNotFound)
		} else {
			require.NoError(t, err, "token %d is among the newest 3", i)
		}
	}
}

// TestMaxConsoleTokensMany issues many tokens past a small bound, which
// makes the store's queue compact itself several times.
func TestMaxConsoleTokensMany(t *testing.T) {
	const bound, n = 10, 5000
	st, clock := newStore(t, state.WithMaxConsoleTokens(bound))
	addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1"})
	toks := make([]string, n)
	for i := range toks {
		if i%100 == 0 {
			clock.Advance(time.Millisecond)
		}
		tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
		require.NoError(t, err)
		toks[i] = tok.Token
	}
	valid := 0
	for i, tok := range toks {
		_, err := st.ConsoleToken(tok)
		if err == nil {
			valid++
			assert.GreaterOrEqual(t, i, n-bound, "token %d outlived the bound", i)
		}
	}
	assert.Equal(t, bound, valid)
}

func TestConsoleTokensDroppedWhenExpiredDoNotCountAgainstBound(t *testing.T) {
	st, clock := newStore(t, state.WithMaxConsoleTokens(3), state.WithConsoleTTL(time.Minute))
	addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1"})
	create := func() string {
		tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
		require.NoError(t, err)
		return tok.Token
	}
	for i := 0; i < 3; i++ {
		create()
	}
	clock.Advance(time.Minute)
	a, b, c := create(), create(), create()
	for _, tok := range []string{a, b, c} {
		_, err := st.ConsoleToken(tok)
		require.NoError(t, err)
	}
}
