package state_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

func lifecycleStore(t *testing.T, hosts ...string) (*state.Store, *state.ManualClock, string) {
	t.Helper()
	clock := state.NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	st := state.New(state.WithClock(clock))
	p, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	for _, h := range hosts {
		require.NoError(t, st.AddHost(state.Host{Name: h}))
	}
	return st, clock, p.ID
}

func status(t *testing.T, st *state.Store, id string) (string, state.Server) {
	t.Helper()
	srv, err := st.Server(id)
	require.NoError(t, err)
	return srv.Status(), srv
}

func TestCreateServerBuildsThenRuns(t *testing.T) {
	st, clock, p := lifecycleStore(t, "h1", "h2")
	srv, err := st.CreateServer(state.ServerRequest{Name: "a", ProjectID: p, ImageID: "img", FlavorID: "1"})
	require.NoError(t, err)
	assert.Equal(t, "BUILD", srv.Status())
	assert.Equal(t, state.TaskScheduling, srv.TaskState)
	assert.Empty(t, srv.Host)

	clock.Advance(999 * time.Millisecond)
	st1, got := status(t, st, srv.ID)
	assert.Equal(t, "BUILD", st1)
	assert.Equal(t, state.TaskScheduling, got.TaskState, "not scheduled before Timings.Schedule")

	clock.Advance(time.Millisecond)
	_, got = status(t, st, srv.ID)
	assert.Equal(t, state.TaskSpawning, got.TaskState)
	assert.Equal(t, "h1", got.Host, "the scheduler placed it")

	clock.Advance(5 * time.Second)
	s, got := status(t, st, srv.ID)
	assert.Equal(t, "ACTIVE", s)
	assert.Equal(t, state.TaskNone, got.TaskState)
	assert.Equal(t, state.PowerRunning, got.PowerState)
	assert.Equal(t, clock.Now(), got.LaunchedAt)

	second, err := st.CreateServer(state.ServerRequest{Name: "b", ProjectID: p})
	require.NoError(t, err)
	clock.Advance(time.Hour) // both steps at once
	_, got = status(t, st, second.ID)
	assert.Equal(t, "h2", got.Host, "round robin")
	assert.Equal(t, state.VMActive, got.VMState)
}

func TestCreateServerWithoutHostsFails(t *testing.T) {
	st, clock, p := lifecycleStore(t)
	srv, err := st.CreateServer(state.ServerRequest{Name: "a", ProjectID: p})
	require.NoError(t, err)
	clock.Advance(time.Minute)
	s, got := status(t, st, srv.ID)
	assert.Equal(t, "ERROR", s)
	assert.Equal(t, "No valid host was found. ", got.Fault)
}

func TestActionsFollowNovasStateMachine(t *testing.T) {
	st, clock, p := lifecycleStore(t, "h1")
	srv, err := st.AddServer(state.Server{Name: "a", ProjectID: p, Host: "h1"})
	require.NoError(t, err)
	step := func(a state.Action, during state.TaskState, after string) {
		t.Helper()
		got, err := st.StartAction(srv.ID, a)
		require.NoError(t, err, a)
		assert.Equal(t, during, got.TaskState, a)
		clock.Advance(2 * time.Second)
		s, _ := status(t, st, srv.ID)
		assert.Equal(t, after, s, a)
	}
	step(state.ActionStop, state.TaskPoweringOff, "SHUTOFF")
	step(state.ActionStart, state.TaskPoweringOn, "ACTIVE")
	step(state.ActionPause, state.TaskPausing, "PAUSED")
	step(state.ActionUnpause, state.TaskUnpausing, "ACTIVE")
	step(state.ActionSuspend, state.TaskSuspending, "SUSPENDED")
	step(state.ActionResume, state.TaskResuming, "ACTIVE")
	step(state.ActionReboot, state.TaskRebooting, "ACTIVE")
	step(state.ActionHardReboot, state.TaskRebootingHard, "ACTIVE")

	// Shelve offloads at once (shelved_offload_time 0): two more steps.
	_, err = st.StartAction(srv.ID, state.ActionShelve)
	require.NoError(t, err)
	clock.Advance(2 * time.Second)
	s, got := status(t, st, srv.ID)
	assert.Equal(t, "SHELVED", s)
	assert.Equal(t, state.TaskShelvingOffload, got.TaskState)
	clock.Advance(2 * time.Second)
	s, got = status(t, st, srv.ID)
	assert.Equal(t, "SHELVED_OFFLOADED", s)
	assert.Empty(t, got.Host)

	_, err = st.StartAction(srv.ID, state.ActionUnshelve)
	require.NoError(t, err)
	clock.Advance(time.Second)
	_, got = status(t, st, srv.ID)
	assert.Equal(t, "h1", got.Host)
	assert.Equal(t, state.TaskSpawning, got.TaskState)
	clock.Advance(2 * time.Second)
	s, _ = status(t, st, srv.ID)
	assert.Equal(t, "ACTIVE", s)

	_, err = st.StartAction(srv.ID, state.ActionDelete)
	require.NoError(t, err)
	clock.Advance(time.Second)
	_, err = st.Server(srv.ID)
	assert.True(t, errors.Is(err, state.ErrNotFound), "deleted")
}

func TestIllegalActionsNameTheState(t *testing.T) {
	st, _, p := lifecycleStore(t, "h1")
	srv, err := st.AddServer(state.Server{Name: "a", ProjectID: p, Host: "h1"})
	require.NoError(t, err)
	_, err = st.StartAction(srv.ID, state.ActionStart)
	var invalid *state.InvalidStateError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "vm_state", invalid.Attr)
	assert.Equal(t, "active", invalid.State)

	_, err = st.StartAction(srv.ID, state.ActionStop)
	require.NoError(t, err)
	_, err = st.StartAction(srv.ID, state.ActionPause)
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "task_state", invalid.Attr)
	assert.Equal(t, "powering-off", invalid.State)

	// A hard reboot is allowed during some tasks, a soft one is not.
	_, err = st.StartAction(srv.ID, state.ActionReboot)
	require.ErrorAs(t, err, &invalid)
	_, err = st.StartAction(srv.ID, state.ActionDelete)
	assert.NoError(t, err, "delete is allowed in any state")
	_, err = st.StartAction(srv.ID, state.ActionDelete)
	assert.NoError(t, err, "deleting twice changes nothing")
}

func TestListServers(t *testing.T) {
	st, _, p := lifecycleStore(t, "h1")
	other, err := st.AddProject(state.Project{Name: "other"})
	require.NoError(t, err)
	var ids []string
	for _, name := range []string{"web-1", "web-2", "db-1", "web-10"} {
		srv, err := st.AddServer(state.Server{Name: name, ProjectID: p, Host: "h1"})
		require.NoError(t, err)
		ids = append(ids, srv.ID)
	}
	_, err = st.AddServer(state.Server{Name: "web-1", ProjectID: other.ID, Host: "h1"})
	require.NoError(t, err)
	_, err = st.SetServerState(ids[1], state.VMStopped, state.TaskNone)
	require.NoError(t, err)

	names := func(list []state.Server) []string {
		var out []string
		for _, s := range list {
			out = append(out, s.Name)
		}
		return out
	}
	all, err := st.ListServers(state.ServerFilter{ProjectID: p})
	require.NoError(t, err)
	assert.Equal(t, []string{"web-10", "db-1", "web-2", "web-1"}, names(all), "newest first")

	web1, err := st.ListServers(state.ServerFilter{ProjectID: p, Name: "web-1"})
	require.NoError(t, err)
	assert.Equal(t, []string{"web-10", "web-1"}, names(web1), "a regular expression, searched")
	for pattern, want := range map[string][]string{
		"^web":      {"web-10", "web-2", "web-1"},
		"1$":        {"db-1", "web-1"},
		"^web-1$":   {"web-1"},
		"web-[12]$": {"web-2", "web-1"},
		"(":         nil, // does not compile: matches nothing
	} {
		got, err := st.ListServers(state.ServerFilter{ProjectID: p, Name: pattern})
		require.NoError(t, err)
		assert.Equal(t, want, names(got), pattern)
	}

	vms, tasks, ok := state.StatusFilter("shutoff")
	require.True(t, ok)
	assert.Equal(t, []state.VMState{state.VMStopped}, vms)
	assert.Nil(t, tasks, "SHUTOFF is any stopped server")
	vms, tasks, ok = state.StatusFilter("REBOOT")
	require.True(t, ok)
	assert.Equal(t, []state.VMState{state.VMActive}, vms)
	assert.ElementsMatch(t, []state.TaskState{"rebooting", "reboot_pending", "reboot_started"}, tasks)
	_, _, ok = state.StatusFilter("NOPE")
	assert.False(t, ok)

	stopped, err := st.ListServers(state.ServerFilter{ProjectID: p, VMStates: []state.VMState{state.VMStopped}})
	require.NoError(t, err)
	assert.Equal(t, []string{"web-2"}, names(stopped))

	everyone, err := st.ListServers(state.ServerFilter{Name: "^web-1$"})
	require.NoError(t, err)
	assert.Len(t, everyone, 2)

	page, err := st.ListServers(state.ServerFilter{ProjectID: p, Marker: ids[3], Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"db-1", "web-2"}, names(page))
	_, err = st.ListServers(state.ServerFilter{ProjectID: p, Marker: "nope"})
	assert.True(t, errors.Is(err, state.ErrNotFound))

	// Renaming and removing keep the index right.
	_, err = st.UpdateServer(ids[2], func(s *state.Server) { s.Name = "web-3" })
	require.NoError(t, err)
	require.NoError(t, st.RemoveServer(ids[0]))
	all, err = st.ListServers(state.ServerFilter{ProjectID: p, Name: "web"})
	require.NoError(t, err)
	assert.Equal(t, []string{"web-10", "web-3", "web-2"}, names(all))
}
