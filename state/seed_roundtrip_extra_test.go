package state_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// A snapshot keeps what a status alone would lose: vm_state and
// power_state where the status does not imply them, and serial port
// exhaustion.
func TestSnapshotKeepsWhatTheStatusDoesNotSay(t *testing.T) {
	st := state.New()
	p, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "h", SerialPortsExhausted: true}))
	odd, err := st.AddServer(state.Server{ProjectID: p.ID, Host: "h", VMState: state.VMStopped,
		TaskState: state.TaskRebuilding, PowerState: state.PowerCrashed})
	require.NoError(t, err)
	plain, err := st.AddServer(state.Server{ProjectID: p.ID, Host: "h"})
	require.NoError(t, err)

	data, err := json.Marshal(st.Snapshot())
	require.NoError(t, err)
	seed, err := state.ParseSeed(data)
	require.NoError(t, err)
	back := state.New()
	require.NoError(t, back.Load(seed))

	got, err := back.Server(odd.ID)
	require.NoError(t, err)
	assert.Equal(t, state.VMStopped, got.VMState)
	assert.Equal(t, state.TaskRebuilding, got.TaskState)
	assert.Equal(t, state.PowerCrashed, got.PowerState)
	h, err := back.Host("h")
	require.NoError(t, err)
	assert.True(t, h.SerialPortsExhausted)
	for _, ss := range seed.Servers {
		if ss.ID == plain.ID {
			assert.Nil(t, ss.VMState, "implied by the status: not written")
			assert.Nil(t, ss.PowerState)
		}
	}
}

func TestSetServerStatus(t *testing.T) {
	st := state.New()
	p, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "h"}))
	srv, err := st.AddServer(state.Server{ProjectID: p.ID, Host: "h"})
	require.NoError(t, err)

	got, err := st.SetServerStatus(srv.ID, "BUILD", nil, nil)
	require.NoError(t, err)
	assert.Empty(t, got.Host, "BUILD has no host, as in a seed file")
	got, err = st.SetServerStatus(srv.ID, "ACTIVE", nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "h", got.Host, "ACTIVE needs one: the first host")
	deleting := state.TaskDeleting
	none := ""
	got, err = st.SetServerStatus(srv.ID, "SHUTOFF", &deleting, &none)
	require.NoError(t, err)
	assert.Equal(t, state.VMStopped, got.VMState)
	assert.Equal(t, state.TaskDeleting, got.TaskState)
	assert.Empty(t, got.Host)
	_, err = st.SetServerStatus(srv.ID, "NOPE", nil, nil)
	assert.ErrorIs(t, err, state.ErrInvalid)
}

// A seed error wraps its cause: a missing project is ErrInvalid and
// ErrNotFound, malformed JSON a *json.SyntaxError.
func TestSeedErrorsWrapTheirCause(t *testing.T) {
	st := state.New()
	err := st.Load(&state.Seed{Servers: []state.SeedServer{{ID: "0f1e2d3c-4b5a-4968-8776-655443322110",
		ProjectID: "0123456789abcdef0123456789abcdef", Host: new(string)}}})
	require.ErrorIs(t, err, state.ErrInvalid)
	assert.ErrorIs(t, err, state.ErrNotFound)
	_, err = state.ParseSeed([]byte(`{"projects": [1,}`))
	var syntax *json.SyntaxError
	assert.ErrorAs(t, err, &syntax)
}
