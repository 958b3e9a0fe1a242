package state_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// A server from outside the store (a ServerSource of the embedding
// middleware) gets the same checks from its host on, and a token that
// stays until it expires.
func TestIssueConsoleForAServerFromOutside(t *testing.T) {
	clock := state.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st := state.New(state.WithClock(clock))
	require.NoError(t, st.AddHost(state.Host{Name: "metal", ConsoleTypes: []state.ConsoleType{}}))
	outside := state.Server{ID: "0f1e2d3c-4b5a-4968-8776-655443322110", ProjectID: "p", Host: "theirs", VMState: state.VMActive}

	tok, err := st.IssueConsole(outside, state.ConsoleRequest{Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	assert.Equal(t, "theirs", tok.Host, "a host the store does not know")
	assert.Equal(t, outside.ID, tok.ServerID)
	got, err := st.ConsoleToken(tok.Token)
	require.NoError(t, err, "valid though the store has no such server")
	assert.Equal(t, tok, got)
	clock.Advance(state.DefaultConsoleTTL)
	_, err = st.ConsoleToken(tok.Token)
	assert.ErrorIs(t, err, state.ErrNotFound, "expired")

	for name, row := range map[string]struct {
		srv  state.Server
		want error
	}{
		"no host":    {state.Server{ID: outside.ID, VMState: state.VMBuilding}, state.ErrNotReady},
		"deleting":   {state.Server{ID: outside.ID, Host: "x", TaskState: state.TaskDeleting}, state.ErrInvalidState},
		"bare metal": {state.Server{ID: outside.ID, Host: "metal"}, state.ErrNotImplemented},
		"no id":      {state.Server{Host: "x"}, state.ErrInvalid},
		"deleted":    {state.Server{ID: outside.ID, Host: "x", VMState: state.VMDeleted}, state.ErrNotFound},
		"bad state":  {state.Server{ID: outside.ID, Host: "x", VMState: "running"}, state.ErrInvalid},
		"bad task":   {state.Server{ID: outside.ID, Host: "x", TaskState: "booting"}, state.ErrInvalid},
	} {
		_, err := st.IssueConsole(row.srv, state.ConsoleRequest{Type: state.ConsoleNoVNC})
		assert.ErrorIs(t, err, row.want, name)
	}
}

// A serial console asked for under another type's name needs only the
// host's serial support, as Nova ignores the type.
func TestSerialConsoleNeedsOnlySerialSupport(t *testing.T) {
	st := state.New(state.WithProtocols(state.ProtocolSerial))
	p, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "h", ConsoleTypes: []state.ConsoleType{state.ConsoleSerial}}))
	srv, err := st.AddServer(state.Server{ProjectID: p.ID, Host: "h"})
	require.NoError(t, err)
	tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: p.ID, ServerID: srv.ID, Protocol: state.ProtocolSerial, Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	assert.Equal(t, state.ProtocolSerial, tok.Protocol)
	assert.Equal(t, 10000, tok.Port)
}

// A server from outside the store may have any id (a team's fake Nova
// numbers its servers); its token records that id, and revoking the
// server's tokens ends them.
func TestIssueConsoleForeignIDsAndRevoke(t *testing.T) {
	st := state.New()
	first, err := st.IssueConsole(state.Server{ID: "42", Host: "h", VMState: state.VMActive}, state.ConsoleRequest{Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	assert.Equal(t, "42", first.ServerID)
	second, err := st.IssueConsole(state.Server{ID: "42", Host: "h"}, state.ConsoleRequest{Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	other, err := st.IssueConsole(state.Server{ID: "43", Host: "h"}, state.ConsoleRequest{Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	got, err := st.ConsoleToken(first.Token)
	require.NoError(t, err)
	assert.Equal(t, first, got)

	err = func() error {
		_, err := st.IssueConsole(state.Server{ID: "44", Host: "h", VMState: "??"}, state.ConsoleRequest{Type: state.ConsoleNoVNC})
		return err
	}()
	var invalid *state.InvalidError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "vm_state", invalid.Field)
	assert.Contains(t, invalid.Reason, `"44"`, "the error names the server")

	assert.Equal(t, 2, st.RevokeServerConsoles("42"))
	for _, tok := range []state.ConsoleToken{first, second} {
		_, err := st.ConsoleToken(tok.Token)
		assert.ErrorIs(t, err, state.ErrNotFound)
	}
	_, err = st.ConsoleToken(other.Token)
	assert.NoError(t, err, "another server's token stays")
	assert.Equal(t, 0, st.RevokeServerConsoles("42"))
}
