package state

import (
	"container/heap"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Timings are how long each step of a server's transitions takes. The
// steps happen as the store's clock passes them, when the store is next
// used; nothing sleeps, so a ManualClock moves servers through their
// transitions as it is advanced.
type Timings struct {
	// Schedule is BUILD/scheduling until the scheduler picks a host
	// (task_state spawning); Spawn is spawning until ACTIVE.
	Schedule, Spawn time.Duration
	// Each action's task_state lasts this long before the server rests
	// in its new state.
	Stop, Start, Pause, Unpause, Suspend, Resume, Reboot, HardReboot time.Duration
	Shelve, ShelveOffload, Unshelve, Delete                          time.Duration
	// ShelvedOffloadTime is Nova's shelved_offload_time: how long a
	// shelved server keeps its host before it is offloaded. Zero (Nova's
	// default) offloads at once; a negative value never does.
	ShelvedOffloadTime time.Duration
}

// DefaultTimings are a few seconds per step, as a small cloud takes:
// 1 s to schedule, 5 s to spawn, 2 s for each action, and Nova's
// shelved_offload_time of 0.
func DefaultTimings() Timings {
	const step = 2 * time.Second
	return Timings{
		Schedule: time.Second, Spawn: 5 * time.Second,
		Stop: step, Start: step, Pause: step, Unpause: step, Suspend: step, Resume: step,
		Reboot: step, HardReboot: step, Shelve: step, ShelveOffload: step, Unshelve: step, Delete: time.Second,
	}
}

// WithTimings sets the durations of server transitions. Default:
// DefaultTimings().
func WithTimings(t Timings) Option { return func(s *Store) { s.timings = t } }

// Action is a server action that moves the state machine.
type Action string

// The actions, named as Nova's compute API names them in its 409s.
const (
	ActionStart         Action = "start"
	ActionStop          Action = "stop"
	ActionPause         Action = "pause"
	ActionUnpause       Action = "unpause"
	ActionSuspend       Action = "suspend"
	ActionResume        Action = "resume"
	ActionShelve        Action = "shelve"
	ActionShelveOffload Action = "shelveOffload"
	ActionUnshelve      Action = "unshelve"
	ActionReboot        Action = "reboot" // SOFT
	ActionHardReboot    Action = "reboot_hard"
	ActionDelete        Action = "delete"
)

// hostChange says what a step does to the server's host.
type hostChange uint8

const (
	keepHost hostChange = iota
	chooseHost
	clearHost
)

// step is one move of a transition: after the previous step (or the
// action), wait, then set the states.
type step struct {
	wait   time.Duration
	due    int64 // when the step is due, Unix ns, once it is the next one (not in the entry: it stays within a 288-byte size class)
	vm     VMState
	task   TaskState
	power  PowerState
	host   hostChange
	remove bool // the server is gone
}

// rule is what an action needs and does: the vm_states it is allowed in
// (Nova's check_instance_state), the task_states (none: only no task),
// the task_state it sets at once, and its steps.
type rule struct {
	vmStates   []VMState
	taskStates []TaskState // besides TaskNone
	anyState   bool
	task       TaskState
	steps      func(t Timings, srv *Server) []step
	// log is what the guest prints on the console as the action's
	// first step runs: none, a boot, a shutdown or both.
	log logKind
}

// rules are Nova's (nova/compute/api.py, the check_instance_state of each
// call; nova/compute/vm_states.py ALLOW_SOFT_REBOOT, ALLOW_HARD_REBOOT).
var rules = map[Action]rule{
	ActionStop: {vmStates: []VMState{VMActive, VMRescued, VMError}, task: TaskPoweringOff, log: logShutdown,
		steps: func(t Timings, _ *Server) []step { return []step{{wait: t.Stop, vm: VMStopped, power: PowerShutdown}} }},
	ActionStart: {vmStates: []VMState{VMStopped}, task: TaskPoweringOn, log: logBoot,
		steps: func(t Timings, _ *Server) []step { return []step{{wait: t.Start, vm: VMActive, power: PowerRunning}} }},
	ActionPause: {vmStates: []VMState{VMActive}, task: TaskPausing,
		steps: func(t Timings, _ *Server) []step { return []step{{wait: t.Pause, vm: VMPaused, power: PowerPaused}} }},
	ActionUnpause: {vmStates: []VMState{VMPaused}, task: TaskUnpausing,
		steps: func(t Timings, _ *Server) []step { return []step{{wait: t.Unpause, vm: VMActive, power: PowerRunning}} }},
	ActionSuspend: {vmStates: []VMState{VMActive}, task: TaskSuspending,
		steps: func(t Timings, _ *Server) []step {
			return []step{{wait: t.Suspend, vm: VMSuspended, power: PowerSuspended}}
		}},
	ActionResume: {vmStates: []VMState{VMSuspended}, task: TaskResuming,
		steps: func(t Timings, _ *Server) []step { return []step{{wait: t.Resume, vm: VMActive, power: PowerRunning}} }},
	ActionReboot: {vmStates: []VMState{VMActive}, task: TaskRebooting, log: logReboot,
		steps: func(t Timings, _ *Server) []step { return []step{{wait: t.Reboot, vm: VMActive, power: PowerRunning}} }},
	ActionHardReboot: {vmStates: []VMState{VMActive, VMStopped, VMPaused, VMSuspended, VMError},
		taskStates: []TaskState{TaskRebooting, "reboot_pending", TaskRebootStarted, TaskRebootingHard,
			"reboot_pending_hard", TaskRebootStartedHard, TaskResuming, TaskUnpausing, TaskSuspending, TaskPausing},
		task: TaskRebootingHard, log: logBoot,
		steps: func(t Timings, _ *Server) []step {
			return []step{{wait: t.HardReboot, vm: VMActive, power: PowerRunning}}
		}},
	ActionShelve: {vmStates: []VMState{VMActive, VMStopped, VMPaused, VMSuspended}, task: TaskShelving, log: logShutdown,
		steps: func(t Timings, _ *Server) []step {
			steps := []step{{wait: t.Shelve, vm: VMShelved, power: PowerShutdown}}
			if t.ShelvedOffloadTime >= 0 {
				steps = append(steps,
					step{wait: t.ShelvedOffloadTime, vm: VMShelved, task: TaskShelvingOffload, power: PowerShutdown},
					step{wait: t.ShelveOffload, vm: VMShelvedOffloaded, power: PowerShutdown, host: clearHost})
			}
			return steps
		}},
	ActionShelveOffload: {vmStates: []VMState{VMShelved}, task: TaskShelvingOffload,
		steps: func(t Timings, _ *Server) []step {
			return []step{{wait: t.ShelveOffload, vm: VMShelvedOffloaded, power: PowerShutdown, host: clearHost}}
		}},
	ActionUnshelve: {vmStates: []VMState{VMShelved, VMShelvedOffloaded}, task: TaskUnshelving, log: logBoot,
		steps: func(t Timings, srv *Server) []step {
			if srv.Host == "" { // offloaded: the scheduler picks a host first
				return []step{
					{wait: t.Schedule, vm: srv.VMState, task: TaskSpawning, power: PowerShutdown, host: chooseHost},
					{wait: t.Unshelve, vm: VMActive, power: PowerRunning},
				}
			}
			return []step{{wait: t.Unshelve, vm: VMActive, power: PowerRunning}}
		}},
	ActionDelete: {anyState: true, task: TaskDeleting,
		steps: func(t Timings, _ *Server) []step { return []step{{wait: t.Delete, remove: true}} }},
}

// ServerRequest is what CreateServer needs: the rest is up to the cloud.
type ServerRequest struct {
	Name      string // the display name
	ProjectID string // the project that owns the server
	UserID    string // the user creating it
	ImageID   string // the image it boots from, kept as given
	FlavorID  string // its flavor, kept as given
	// Networks are the ports to give the server (see AllocatePorts),
	// checked and made with the server, all or nothing; Admin says
	// whether the caller is an admin (who may use external networks and
	// others' ports).
	Networks []NetworkRequest
	Admin    bool
}

// CreateServer creates a server as Nova's API does: BUILD, scheduling, no
// host; after Timings.Schedule the scheduler places it on a host (round
// robin over the hosts; with no host at all it goes to ERROR with Nova's
// "No valid host was found. " fault), spawning; after Timings.Spawn it is
// ACTIVE.
func (s *Store) CreateServer(req ServerRequest) (Server, error) {
	now := s.clock.Now()
	srv := Server{ID: uuid.NewString(), Name: req.Name, ProjectID: req.ProjectID, UserID: req.UserID,
		ImageID: req.ImageID, FlavorID: req.FlavorID,
		VMState: VMBuilding, TaskState: TaskScheduling, PowerState: PowerNoState, Created: now, Updated: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now)
	if err := s.checkServer(srv); err != nil {
		return Server{}, err
	}
	if len(req.Networks) > 0 {
		if _, err := s.allocatePorts(&srv, Viewer{ProjectID: req.ProjectID, Admin: req.Admin}, req.Networks, now); err != nil {
			return Server{}, err
		}
	}
	s.seq++
	e := &serverEntry{Server: srv, seq: s.seq}
	s.insertServer(e)
	s.schedule(e, now, []step{
		{wait: s.timings.Schedule, vm: VMBuilding, task: TaskSpawning, host: chooseHost},
		{wait: s.timings.Spawn, vm: VMActive, power: PowerRunning},
	})
	return e.Server, s.persistCreated(e)
}

// StartAction starts action on a server if its state allows it, as Nova's
// compute API does: the task_state is set at once and the rest follows on
// the clock. A state that forbids the action is an *InvalidStateError
// naming the vm_state (checked first) or the task_state, as Nova's 409
// does. Delete is allowed in any state (and deleting a server being
// deleted changes nothing).
func (s *Store) StartAction(id string, action Action) (Server, error) {
	r, ok := rules[action]
	if !ok {
		return Server{}, &InvalidError{Field: "action", Reason: quote(string(action)) + " is not an action of the model"}
	}
	e, now, err := s.lockServer(id)
	defer s.mu.Unlock()
	if err != nil {
		return Server{}, err
	}
	if action == ActionDelete && e.TaskState == TaskDeleting {
		return e.Server, nil
	}
	if !r.anyState {
		if !slices.Contains(r.vmStates, e.VMState) {
			return Server{}, &InvalidStateError{ServerID: id, Attr: "vm_state", State: string(e.VMState)}
		}
		if e.TaskState != TaskNone && !slices.Contains(r.taskStates, e.TaskState) {
			return Server{}, &InvalidStateError{ServerID: id, Attr: "task_state", State: string(e.TaskState)}
		}
	}
	e.TaskState = r.task
	e.Updated = now
	steps := r.steps(s.timings, &e.Server)
	if r.log != 0 && len(steps) > 0 && steps[0].host != chooseHost && e.Host != "" {
		// A guest stopped already prints nothing as it stops again.
		if !(r.log == logShutdown && e.PowerState == PowerShutdown) {
			e.record(r.log, now, steps[0].wait)
		}
	}
	s.schedule(e, now, steps)
	return e.Server, s.persistServer(e)
}

// schedule replaces e's transition with steps, the first due after its
// wait from now; s.mu is held.
func (s *Store) schedule(e *serverEntry, now time.Time, steps []step) {
	e.steps = steps
	if len(steps) == 0 {
		return
	}
	steps[0].due = now.Add(steps[0].wait).UnixNano()
	heap.Push(&s.timers, timer{at: steps[0].due, entry: e, steps: &e.steps[0]})
}

// advance applies every step that is due by now, in time order; s.mu is
// held for writing.
func (s *Store) advance(now time.Time) {
	n := now.UnixNano()
	for len(s.timers) > 0 && s.timers[0].at <= n {
		t := heap.Pop(&s.timers).(timer)
		e := t.entry
		if len(e.steps) == 0 || &e.steps[0] != t.steps {
			continue // replaced by a later action or update
		}
		if stored, _ := s.servers.get(e.ID); stored != e {
			continue // the server is gone
		}
		st := e.steps[0]
		e.steps = e.steps[1:]
		at := time.Unix(0, t.at).In(now.Location())
		if st.remove {
			s.removeServer(e)
			s.releaseServerPorts(e.ID, at)
			_ = s.persistServerGone(e.ID, at) // a failure fails the next change
			continue
		}
		e.VMState, e.TaskState, e.PowerState, e.Updated = st.vm, st.task, st.power, at
		switch st.host {
		case clearHost:
			e.Host = ""
			e.clearLog()
		case chooseHost:
			if len(s.hostOrder) == 0 {
				// Nova's NoValidHost: "No valid host was found. %(reason)s".
				e.VMState, e.TaskState, e.PowerState = VMError, TaskNone, PowerNoState
				e.Fault = "No valid host was found. "
				e.steps = nil
				_ = s.persistServer(e)
				continue
			}
			e.Host = s.hostOrder[s.nextHost%len(s.hostOrder)]
			s.nextHost++
			if len(e.steps) > 0 {
				// The guest starts on its host and boots while the
				// rest of the transition runs.
				e.record(logBoot, at, e.steps[0].wait)
			}
		}
		if e.VMState == VMActive && e.LaunchedAt.IsZero() {
			e.LaunchedAt = at
		}
		if len(e.steps) > 0 {
			e.steps[0].due = t.at + int64(e.steps[0].wait)
			heap.Push(&s.timers, timer{at: e.steps[0].due, entry: e, steps: &e.steps[0]})
		}
		_ = s.persistServer(e)
	}
}

// rlock takes the read lock, after applying the steps that are due, which
// needs the write lock for a moment. Readers that find no transition under
// way take the lock once and read no clock.
func (s *Store) rlock() {
	s.mu.RLock()
	if len(s.timers) == 0 {
		return
	}
	now := s.clock.Now()
	if s.timers[0].at > now.UnixNano() {
		return
	}
	s.mu.RUnlock()
	s.mu.Lock()
	s.advance(now)
	s.mu.Unlock()
	s.mu.RLock()
}

// timer is the next step of one server's transition.
type timer struct {
	at    int64
	entry *serverEntry
	steps *step // the step it was set for; stale once the entry moved on
}

// timerHeap orders timers by time.
type timerHeap []timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
