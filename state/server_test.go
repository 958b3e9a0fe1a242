package state_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// novaStateMap is Nova's _STATE_MAP (nova/api/openstack/common.py), written
// out again here, independently of statusMap in server.go, "" keying the
// default.
var novaStateMap = map[state.VMState]map[state.TaskState]string{
	"active": {
		"":                             "ACTIVE",
		"rebooting":                    "REBOOT",
		"reboot_pending":               "REBOOT",
		"reboot_started":               "REBOOT",
		"rebooting_hard":               "HARD_REBOOT",
		"reboot_pending_hard":          "HARD_REBOOT",
		"reboot_started_hard":          "HARD_REBOOT",
		"updating_password":            "PASSWORD",
		"rebuilding":                   "REBUILD",
		"rebuild_block_device_mapping": "REBUILD",
		"rebuild_spawning":             "REBUILD",
		"migrating":                    "MIGRATING",
		"resize_prep":                  "RESIZE",
		"resize_migrating":             "RESIZE",
		"resize_migrated":              "RESIZE",
		"resize_finish":                "RESIZE",
	},
	"building": {"": "BUILD"},
	"stopped": {
		"":                             "SHUTOFF",
		"resize_prep":                  "RESIZE",
		"resize_migrating":             "RESIZE",
		"resize_migrated":              "RESIZE",
		"resize_finish":                "RESIZE",
		"rebuilding":                   "REBUILD",
		"rebuild_block_device_mapping": "REBUILD",
		"rebuild_spawning":             "REBUILD",
	},
	"resized":   {"": "VERIFY_RESIZE", "resize_reverting": "REVERT_RESIZE"},
	"paused":    {"": "PAUSED", "migrating": "MIGRATING"},
	"suspended": {"": "SUSPENDED"},
	"rescued":   {"": "RESCUE"},
	"error": {
		"":                             "ERROR",
		"rebuilding":                   "REBUILD",
		"rebuild_block_device_mapping": "REBUILD",
		"rebuild_spawning":             "REBUILD",
	},
	"deleted":           {"": "DELETED"},
	"soft-delete":       {"": "SOFT_DELETED"},
	"shelved":           {"": "SHELVED"},
	"shelved_offloaded": {"": "SHELVED_OFFLOADED"},
}

// allTaskStates is every task_state of nova/compute/task_states.py, and
// none.
var allTaskStates = []state.TaskState{
	"", "scheduling", "block_device_mapping", "networking", "spawning",
	"image_snapshot", "image_snapshot_pending", "image_pending_upload", "image_uploading",
	"image_backup", "updating_password", "resize_prep", "resize_migrating", "resize_migrated",
	"resize_finish", "resize_reverting", "resize_confirming", "rebooting", "reboot_pending",
	"reboot_started", "rebooting_hard", "reboot_pending_hard", "reboot_started_hard",
	"pausing", "unpausing", "suspending", "resuming", "powering-off", "powering-on",
	"rescuing", "unrescuing", "rebuilding", "rebuild_block_device_mapping", "rebuild_spawning",
	"migrating", "deleting", "soft-deleting", "restoring", "shelving", "shelving_image_pending_upload",
	"shelving_image_uploading", "shelving_offloading", "unshelving", "live_migrating",
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		vm   state.VMState
		task state.TaskState
		want string
	}{
		// The cases Nova's unit tests and clients care about most.
		{state.VMActive, state.TaskNone, "ACTIVE"},
		{state.VMActive, state.TaskRebooting, "REBOOT"},
		{state.VMActive, state.TaskRebootStarted, "REBOOT"},
		{state.VMActive, state.TaskRebootingHard, "HARD_REBOOT"},
		{state.VMActive, state.TaskRebootStartedHard, "HARD_REBOOT"},
		{state.VMActive, state.TaskUpdatingPassword, "PASSWORD"},
		{state.VMActive, state.TaskRebuilding, "REBUILD"},
		{state.VMActive, state.TaskMigrating, "MIGRATING"},
		{state.VMActive, state.TaskResizePrep, "RESIZE"},
		{state.VMStopped, state.TaskResizePrep, "RESIZE"},
		{state.VMStopped, state.TaskRebuilding, "REBUILD"},
		{state.VMStopped, state.TaskNone, "SHUTOFF"},
		{state.VMPaused, state.TaskMigrating, "MIGRATING"},
		{state.VMPaused, state.TaskNone, "PAUSED"},
		{state.VMResized, state.TaskResizeReverting, "REVERT_RESIZE"},
		{state.VMResized, state.TaskNone, "VERIFY_RESIZE"},
		{state.VMError, state.TaskRebuilding, "REBUILD"},
		{state.VMError, state.TaskNone, "ERROR"},
		{state.VMBuilding, state.TaskNone, "BUILD"},
		{state.VMBuilding, state.TaskScheduling, "BUILD"},
		{state.VMBuilding, state.TaskSpawning, "BUILD"},
		{state.VMSuspended, state.TaskNone, "SUSPENDED"},
		{state.VMRescued, state.TaskNone, "RESCUE"},
		{state.VMDeleted, state.TaskNone, "DELETED"},
		{state.VMSoftDeleted, state.TaskNone, "SOFT_DELETED"},
		{state.VMShelved, state.TaskNone, "SHELVED"},
		{state.VMShelvedOffloaded, state.TaskNone, "SHELVED_OFFLOADED"},
		// A task_state not in the vm_state's map falls back to its default.
		{state.VMActive, state.TaskDeleting, "ACTIVE"},
		{state.VMActive, state.TaskPoweringOff, "ACTIVE"},
		{state.VMActive, state.TaskResizeReverting, "ACTIVE"},
		{state.VMActive, "no-such-task", "ACTIVE"},
		{state.VMStopped, state.TaskMigrating, "SHUTOFF"},
		{state.VMStopped, state.TaskRebooting, "SHUTOFF"},
		{state.VMStopped, state.TaskPoweringOn, "SHUTOFF"},
		{state.VMPaused, state.TaskRebooting, "PAUSED"},
		{state.VMPaused, state.TaskUnpausing, "PAUSED"},
		{state.VMResized, state.TaskResizePrep, "VERIFY_RESIZE"},
		{state.VMResized, "resize_confirming", "VERIFY_RESIZE"},
		{state.VMError, state.TaskResizePrep, "ERROR"},
		{state.VMError, state.TaskDeleting, "ERROR"},
		{state.VMSuspended, state.TaskMigrating, "SUSPENDED"},
		{state.VMShelved, state.TaskShelvingOffload, "SHELVED"},
		{state.VMShelvedOffloaded, state.TaskUnshelving, "SHELVED_OFFLOADED"},
		// A vm_state Nova does not know is UNKNOWN, whatever the task_state.
		{"", state.TaskNone, "UNKNOWN"},
		{"", state.TaskRebooting, "UNKNOWN"},
		{"ACTIVE", state.TaskNone, "UNKNOWN"},
		{"Active", state.TaskNone, "UNKNOWN"},
		{"running", state.TaskNone, "UNKNOWN"},
		{"soft_deleted", state.TaskNone, "UNKNOWN"},
		{"shelved-offloaded", state.TaskNone, "UNKNOWN"},
	}
	for _, tt := range tests {
		t.Run(string(tt.vm)+"/"+string(tt.task), func(t *testing.T) {
			assert.Equal(t, tt.want, state.StatusOf(tt.vm, tt.task))
			assert.Equal(t, tt.want, state.Server{VMState: tt.vm, TaskState: tt.task}.Status())
		})
	}
}

// TestStatusOfMatchesNovaStateMap checks every vm_state against every
// task_state of Nova: the status is the map's entry, else the default.
func TestStatusOfMatchesNovaStateMap(t *testing.T) {
	for vm, byTask := range novaStateMap {
		for _, task := range allTaskStates {
			want, ok := byTask[task]
			if !ok {
				want = byTask[""]
			}
			assert.Equal(t, want, state.StatusOf(vm, task), "vm_state %q, task_state %q", vm, task)
		}
	}
}

func TestValidVMState(t *testing.T) {
	for vm := range novaStateMap {
		assert.True(t, state.ValidVMState(vm), "%q", vm)
	}
	for _, vm := range []state.VMState{"", "ACTIVE", "Active", "running", "soft_deleted", "shelved-offloaded", "active "} {
		assert.False(t, state.ValidVMState(vm), "%q", vm)
	}
}

func TestStatusStates(t *testing.T) {
	tests := []struct {
		status string
		vm     state.VMState
		task   state.TaskState
		power  state.PowerState
	}{
		{"ACTIVE", state.VMActive, state.TaskNone, state.PowerRunning},
		{"BUILD", state.VMBuilding, state.TaskScheduling, state.PowerNoState},
		{"SHUTOFF", state.VMStopped, state.TaskNone, state.PowerShutdown},
		{"PAUSED", state.VMPaused, state.TaskNone, state.PowerPaused},
		{"SUSPENDED", state.VMSuspended, state.TaskNone, state.PowerSuspended},
		{"RESCUE", state.VMRescued, state.TaskNone, state.PowerRunning},
		{"VERIFY_RESIZE", state.VMResized, state.TaskNone, state.PowerRunning},
		{"REVERT_RESIZE", state.VMResized, state.TaskResizeReverting, state.PowerRunning},
		{"ERROR", state.VMError, state.TaskNone, state.PowerNoState},
		{"SHELVED", state.VMShelved, state.TaskNone, state.PowerShutdown},
		{"SHELVED_OFFLOADED", state.VMShelvedOffloaded, state.TaskNone, state.PowerShutdown},
		{"SOFT_DELETED", state.VMSoftDeleted, state.TaskNone, state.PowerShutdown},
		{"DELETED", state.VMDeleted, state.TaskNone, state.PowerNoState},
		{"REBOOT", state.VMActive, state.TaskRebooting, state.PowerRunning},
		{"HARD_REBOOT", state.VMActive, state.TaskRebootingHard, state.PowerRunning},
		{"PASSWORD", state.VMActive, state.TaskUpdatingPassword, state.PowerRunning},
		{"REBUILD", state.VMActive, state.TaskRebuilding, state.PowerRunning},
		{"MIGRATING", state.VMActive, state.TaskMigrating, state.PowerRunning},
		{"RESIZE", state.VMActive, state.TaskResizePrep, state.PowerRunning},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.status] = true
		t.Run(tt.status, func(t *testing.T) {
			vm, task, power, err := state.StatusStates(tt.status)
			require.NoError(t, err)
			assert.Equal(t, tt.vm, vm)
			assert.Equal(t, tt.task, task)
			assert.Equal(t, tt.power, power)
			// The inverse holds: the states show the status asked for.
			assert.Equal(t, tt.status, state.StatusOf(vm, task))
		})
	}
	// Every status Nova's map can produce is covered, so that whatever
	// Snapshot writes, Load can read.
	for _, byTask := range novaStateMap {
		for _, status := range byTask {
			assert.True(t, covered[status], "status %s has no case", status)
		}
	}
}

// Every status Nova returns maps, in any case (a ServerSource reads them
// from wherever its servers live); UNKNOWN (a down cell) has no vm_state.
func TestStatusStatesAnyCaseAndUnknown(t *testing.T) {
	for _, status := range []string{"active", "Active", "ACTIVE ", " shutoff", "Soft_Deleted"} {
		vm, _, _, err := state.StatusStates(status)
		require.NoError(t, err, status)
		want, _, _, _ := state.StatusStates(strings.ToUpper(strings.TrimSpace(status)))
		assert.Equal(t, want, vm, status)
	}
	vm, task, power, err := state.StatusStates("UNKNOWN")
	require.NoError(t, err)
	assert.Equal(t, state.VMState(""), vm)
	assert.Equal(t, state.TaskNone, task)
	assert.Equal(t, state.PowerNoState, power)

	srv, err := state.Server{ID: "7", Host: "h"}.WithStatus("deleted")
	require.NoError(t, err)
	assert.Equal(t, state.VMDeleted, srv.VMState)
	assert.Equal(t, "DELETED", srv.Status())
	_, err = state.Server{ID: "7"}.WithStatus("RUNNING")
	assert.ErrorIs(t, err, state.ErrInvalid)

	// The store's own servers cannot be UNKNOWN.
	st := state.New()
	p, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	err = st.Load(&state.Seed{Projects: []state.Project{p}, Servers: []state.SeedServer{{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", ProjectID: p.ID, Status: "UNKNOWN", Host: new(string)}}})
	assert.ErrorIs(t, err, state.ErrInvalid)
}

func TestStatusStatesUnknown(t *testing.T) {
	for _, status := range []string{"", "BOGUS", "SHUTDOWN", "STOPPED", "UNKNOWN_"} {
		t.Run(status, func(t *testing.T) {
			vm, task, power, err := state.StatusStates(status)
			requireOnly(t, err, state.ErrInvalid)
			var inv *state.InvalidError
			require.True(t, errors.As(err, &inv))
			assert.Equal(t, "status", inv.Field)
			assert.Contains(t, inv.Reason, `"`+status+`"`)
			assert.Equal(t, state.VMState(""), vm)
			assert.Equal(t, state.TaskNone, task)
			assert.Equal(t, state.PowerNoState, power)
		})
	}
}

func TestTaskStatesAreNovas(t *testing.T) {
	for _, ok := range []state.TaskState{state.TaskNone, "deleting", "powering-off", "shelving_offloading", "reboot_started_hard"} {
		assert.True(t, state.ValidTaskState(ok), ok)
	}
	assert.False(t, state.ValidTaskState("flying"))
	st := state.New()
	p, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	_, err = st.AddServer(state.Server{ProjectID: p.ID, TaskState: "flying"})
	var inv *state.InvalidError
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, "task_state", inv.Field)
}
