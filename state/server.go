package state

import (
	"strings"
	"time"
)

// VMState is Nova's vm_state: the stable state a server rests in.
type VMState string

// Nova's vm_states (nova/compute/vm_states.py).
const (
	VMActive           VMState = "active"
	VMBuilding         VMState = "building"
	VMPaused           VMState = "paused"
	VMSuspended        VMState = "suspended"
	VMStopped          VMState = "stopped"
	VMRescued          VMState = "rescued"
	VMResized          VMState = "resized"
	VMSoftDeleted      VMState = "soft-delete"
	VMDeleted          VMState = "deleted"
	VMError            VMState = "error"
	VMShelved          VMState = "shelved"
	VMShelvedOffloaded VMState = "shelved_offloaded"
)

// TaskState is Nova's task_state: the transition a server is in, or
// TaskNone (JSON null) when it is in none.
type TaskState string

// The task_states novastub models (nova/compute/task_states.py). Any other
// of Nova's task states may be set too; these are the ones the model and
// the console checks look at.
const (
	TaskNone              TaskState = ""
	TaskScheduling        TaskState = "scheduling"
	TaskNetworking        TaskState = "networking"
	TaskSpawning          TaskState = "spawning"
	TaskRebooting         TaskState = "rebooting"
	TaskRebootingHard     TaskState = "rebooting_hard"
	TaskPausing           TaskState = "pausing"
	TaskUnpausing         TaskState = "unpausing"
	TaskSuspending        TaskState = "suspending"
	TaskResuming          TaskState = "resuming"
	TaskPoweringOff       TaskState = "powering-off"
	TaskPoweringOn        TaskState = "powering-on"
	TaskRebuilding        TaskState = "rebuilding"
	TaskMigrating         TaskState = "migrating"
	TaskResizePrep        TaskState = "resize_prep"
	TaskResizeReverting   TaskState = "resize_reverting"
	TaskUpdatingPassword  TaskState = "updating_password"
	TaskDeleting          TaskState = "deleting"
	TaskShelving          TaskState = "shelving"
	TaskShelvingOffload   TaskState = "shelving_offloading"
	TaskUnshelving        TaskState = "unshelving"
	TaskImageSnapshot     TaskState = "image_snapshot"
	TaskBlockDeviceMap    TaskState = "block_device_mapping"
	TaskRescuing          TaskState = "rescuing"
	TaskUnrescuing        TaskState = "unrescuing"
	TaskRebootStartedHard TaskState = "reboot_started_hard"
	TaskRebootStarted     TaskState = "reboot_started"
)

// PowerState is Nova's power_state, as OS-EXT-STS:power_state shows it.
type PowerState int

// Nova's power states (nova/compute/power_state.py).
const (
	PowerNoState   PowerState = 0
	PowerRunning   PowerState = 1
	PowerPaused    PowerState = 3
	PowerShutdown  PowerState = 4
	PowerCrashed   PowerState = 6
	PowerSuspended PowerState = 7
)

// Server is a Nova instance.
type Server struct {
	// ID is a lowercase dashed UUID; AddServer generates one when empty.
	ID string
	// Name is the display name; several servers may share one.
	Name string
	// ProjectID owns the server; it must name a project of the store.
	ProjectID string
	// UserID is the user who created the server (free-form).
	UserID string
	// Host is the compute host; empty while scheduling and when shelved
	// offloaded. When set it must name a host of the store.
	Host       string
	VMState    VMState    // Nova's vm_state
	TaskState  TaskState  // Nova's task_state; TaskNone when in no transition
	PowerState PowerState // Nova's power_state
	// ImageID and FlavorID are what the server was created from; the
	// model keeps them as given.
	ImageID  string
	FlavorID string
	// Fault is the message of the fault of a server in ERROR.
	Fault string
	// Created and Updated are stamped from the store's clock; LaunchedAt
	// is when it first became ACTIVE through a transition.
	Created    time.Time
	Updated    time.Time
	LaunchedAt time.Time
}

// Status is the Nova status derived from the server's vm_state and
// task_state, as the API shows it (ACTIVE, BUILD, SHUTOFF, REBOOT, ...).
func (s Server) Status() string {
	return StatusOf(s.VMState, s.TaskState)
}

// statusMap is Nova's _STATE_MAP (nova/api/openstack/common.py): for each
// vm_state, the status per task_state, "" keying the default.
var statusMap = map[VMState]map[TaskState]string{
	VMActive: {
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
	VMBuilding: {"": "BUILD"},
	VMStopped: {
		"":                             "SHUTOFF",
		"resize_prep":                  "RESIZE",
		"resize_migrating":             "RESIZE",
		"resize_migrated":              "RESIZE",
		"resize_finish":                "RESIZE",
		"rebuilding":                   "REBUILD",
		"rebuild_block_device_mapping": "REBUILD",
		"rebuild_spawning":             "REBUILD",
	},
	VMResized:   {"": "VERIFY_RESIZE", "resize_reverting": "REVERT_RESIZE"},
	VMPaused:    {"": "PAUSED", "migrating": "MIGRATING"},
	VMSuspended: {"": "SUSPENDED"},
	VMRescued:   {"": "RESCUE"},
	VMError: {
		"":                             "ERROR",
		"rebuilding":                   "REBUILD",
		"rebuild_block_device_mapping": "REBUILD",
		"rebuild_spawning":             "REBUILD",
	},
	VMDeleted:          {"": "DELETED"},
	VMSoftDeleted:      {"": "SOFT_DELETED"},
	VMShelved:          {"": "SHELVED"},
	VMShelvedOffloaded: {"": "SHELVED_OFFLOADED"},
}

// StatusOf derives Nova's status from a vm_state and a task_state, as
// nova.api.openstack.common.status_from_state does: "UNKNOWN" for a
// vm_state Nova does not know.
func StatusOf(vm VMState, task TaskState) string {
	byTask, ok := statusMap[vm]
	if !ok {
		return "UNKNOWN"
	}
	if st, ok := byTask[task]; ok {
		return st
	}
	return byTask[""]
}

// taskStates are Nova's task_states (nova/compute/task_states.py).
var taskStates = map[TaskState]bool{
	"scheduling": true, "block_device_mapping": true, "networking": true, "spawning": true,
	"image_snapshot": true, "image_snapshot_pending": true, "image_pending_upload": true,
	"image_uploading": true, "image_backup": true, "updating_password": true,
	"resize_prep": true, "resize_migrating": true, "resize_migrated": true, "resize_finish": true,
	"resize_reverting": true, "resize_confirming": true,
	"rebooting": true, "reboot_pending": true, "reboot_started": true,
	"rebooting_hard": true, "reboot_pending_hard": true, "reboot_started_hard": true,
	"pausing": true, "unpausing": true, "suspending": true, "resuming": true,
	"powering-off": true, "powering-on": true, "rescuing": true, "unrescuing": true,
	"rebuilding": true, "rebuild_block_device_mapping": true, "rebuild_spawning": true,
	"migrating": true, "deleting": true, "soft-deleting": true, "restoring": true,
	"shelving": true, "shelving_image_pending_upload": true, "shelving_image_uploading": true,
	"shelving_offloading": true, "unshelving": true,
}

// ValidTaskState reports whether task is none or one of Nova's task_states.
func ValidTaskState(task TaskState) bool { return task == TaskNone || taskStates[task] }

// ValidVMState reports whether vm is one of Nova's vm_states.
func ValidVMState(vm VMState) bool {
	_, ok := statusMap[vm]
	return ok
}

// statusStates is the inverse used to seed a server by status: the
// vm_state, task_state and power_state a server shows that status in.
var statusStates = map[string]struct {
	vm    VMState
	task  TaskState
	power PowerState
}{
	"ACTIVE":            {VMActive, TaskNone, PowerRunning},
	"BUILD":             {VMBuilding, TaskScheduling, PowerNoState},
	"SHUTOFF":           {VMStopped, TaskNone, PowerShutdown},
	"PAUSED":            {VMPaused, TaskNone, PowerPaused},
	"SUSPENDED":         {VMSuspended, TaskNone, PowerSuspended},
	"RESCUE":            {VMRescued, TaskNone, PowerRunning},
	"VERIFY_RESIZE":     {VMResized, TaskNone, PowerRunning},
	"REVERT_RESIZE":     {VMResized, TaskResizeReverting, PowerRunning},
	"ERROR":             {VMError, TaskNone, PowerNoState},
	"SHELVED":           {VMShelved, TaskNone, PowerShutdown},
	"SHELVED_OFFLOADED": {VMShelvedOffloaded, TaskNone, PowerShutdown},
	"SOFT_DELETED":      {VMSoftDeleted, TaskNone, PowerShutdown},
	"DELETED":           {VMDeleted, TaskNone, PowerNoState},
	"REBOOT":            {VMActive, TaskRebooting, PowerRunning},
	"HARD_REBOOT":       {VMActive, TaskRebootingHard, PowerRunning},
	"PASSWORD":          {VMActive, TaskUpdatingPassword, PowerRunning},
	"REBUILD":           {VMActive, TaskRebuilding, PowerRunning},
	"MIGRATING":         {VMActive, TaskMigrating, PowerRunning},
	"RESIZE":            {VMActive, TaskResizePrep, PowerRunning},
}

// StatusStates returns the vm_state, task_state and power_state in which
// a server shows the given Nova status, in any case ("active" is ACTIVE).
// Nova's UNKNOWN (an instance whose cell is down) gives an empty vm_state:
// a server of a ServerSource may have it, the store's servers may not. A
// task_state given beside the status (as the seed file allows) replaces
// the returned one.
func StatusStates(status string) (VMState, TaskState, PowerState, error) {
	key := strings.ToUpper(strings.TrimSpace(status))
	if key == "UNKNOWN" {
		return "", TaskNone, PowerNoState, nil
	}
	s, ok := statusStates[key]
	if !ok {
		return "", "", 0, &InvalidError{Field: "status", Reason: "unknown Nova status " + quote(status)}
	}
	return s.vm, s.task, s.power, nil
}

// storeStatusStates is StatusStates for a server of the store, as a seed
// file or the control plane sets it: the status exactly as Nova writes it,
// and never UNKNOWN.
func storeStatusStates(status string) (VMState, TaskState, PowerState, error) {
	st, ok := statusStates[status]
	if !ok {
		if status == "UNKNOWN" {
			return "", "", 0, &InvalidError{Field: "status", Reason: "UNKNOWN is no state a server of the store can be in"}
		}
		return "", "", 0, &InvalidError{Field: "status", Reason: "unknown Nova status " + quote(status)}
	}
	return st.vm, st.task, st.power, nil
}

// WithStatus returns s in the states of a Nova status (StatusStates): the
// mapping a ServerSource needs for a server it knows by its status,
//
//	srv, err := state.Server{ID: row.ID, Name: row.Name, ProjectID: row.Tenant, Host: row.Host}.WithStatus(row.Status)
//
// The console calls then answer by Nova's rules for that status: no host
// (BUILD, SHELVED_OFFLOADED) is 409, DELETED is 404, a task_state of
// deleting or migrating is 409, SHUTOFF, PAUSED, SUSPENDED, SOFT_DELETED
// and ERROR with a host get a console (Nova's API checks no more; what
// the console shows is the hypervisor's business).
func (s Server) WithStatus(status string) (Server, error) {
	vm, task, power, err := StatusStates(status)
	if err != nil {
		return s, err
	}
	s.VMState, s.TaskState, s.PowerState = vm, task, power
	return s, nil
}

// hostless reports whether a server in vm_state vm has no compute host.
func hostless(vm VMState) bool {
	return vm == VMBuilding || vm == VMShelvedOffloaded
}
