package fakenova

import (
	"errors"
	"net/http"
	"strings"

	"github.com/novastub/novastub/state"
)

// lifecycleAction is one of the actions of POST /servers/{id}/action that
// move the state machine.
type lifecycleAction struct {
	action string // the body's key
	op     string
	rule   string // the policy rule, under os_compute_api:
	name   string // the action as Nova's 409 names it
	model  state.Action
	schema *schema // nil: Nova does not validate the body
}

var lifecycleActions = []lifecycleAction{
	{"os-start", "startServer", "servers:start", "start", state.ActionStart, nil},
	{"os-stop", "stopServer", "servers:stop", "stop", state.ActionStop, nil},
	{"pause", "pauseServer", "os-pause-server:pause", "pause", state.ActionPause, nil},
	{"unpause", "unpauseServer", "os-pause-server:unpause", "unpause", state.ActionUnpause, nil},
	{"suspend", "suspendServer", "os-suspend-server:suspend", "suspend", state.ActionSuspend, nil},
	{"resume", "resumeServer", "os-suspend-server:resume", "resume", state.ActionResume, nil},
	{"shelve", "shelveServer", "os-shelve:shelve", "shelve", state.ActionShelve, nil},
	{"shelveOffload", "shelveOffloadServer", "os-shelve:shelve_offload", "shelveOffload", state.ActionShelveOffload, nil},
	{"unshelve", "unshelveServer", "os-shelve:unshelve", "unshelve", state.ActionUnshelve, nil},
	{"reboot", "rebootServer", "servers:reboot", "reboot", state.ActionReboot,
		object(prop("reboot", object(prop("type", enum("HARD", "Hard", "hard", "SOFT", "Soft", "soft")))))},
}

// serveLifecycleAction runs one of lifecycleActions: the lookup, the
// policy with the server as target, then the state machine's check; 202.
func (n *Nova) serveLifecycleAction(c *call, spec lifecycleAction) error {
	if spec.schema != nil {
		if verr := spec.schema.validate(c.body, c.legacy); verr != nil {
			return fault(http.StatusBadRequest, verr.Message())
		}
	}
	id := c.serverID()
	if _, err := n.visibleServer(c, id); err != nil {
		return err
	}
	if err := c.authorize(spec.rule); err != nil {
		return err
	}
	action := spec.model
	if spec.schema != nil {
		args, _ := c.body.Get(spec.action)
		if typ, _ := args.Get("type"); strings.EqualFold(typ.Text, "HARD") {
			action = state.ActionHardReboot
		}
	}
	return n.startAction(c, id, action, spec.name, http.StatusAccepted)
}

// startAction moves the server and answers code, or Nova's 409 for a state
// that forbids the action.
func (n *Nova) startAction(c *call, id string, action state.Action, name string, code int) error {
	_, err := n.store.StartAction(id, action)
	var invalid *state.InvalidStateError
	switch {
	case errors.As(err, &invalid):
		return fault(http.StatusConflict, msgInvalidState(name, id, invalid.Attr, invalid.State))
	case err != nil:
		return fault(http.StatusNotFound, msgInstanceNotFound(id))
	}
	return c.reply(code)
}
