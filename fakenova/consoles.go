package fakenova

import (
	"errors"
	"net/http"

	"github.com/novastub/novastub/state"
)

// Nova's messages for console requests (nova/exception.py,
// nova/api/openstack/common.py, nova/policies/remote_consoles.py).
const (
	msgNotSupported        = "The requested functionality is not supported."
	msgConsolePolicyDenied = "Policy doesn't allow os_compute_api:os-remote-consoles to be performed."
)

func msgInstanceNotFound(id string) string { return "Instance " + id + " could not be found." }

func msgInstanceNotReady(id string) string { return "Instance " + id + " is not ready" }

func msgUnavailableConsoleType(t string) string { return "Unavailable console type " + t + "." }

// msgInvalidState is common.raise_http_conflict_for_instance_invalid_state.
func msgInvalidState(method, id, attr, state string) string {
	return "Cannot '" + method + "' instance " + id + " while it is in " + attr + " " + state
}

// legacyConsoleSpec describes one of the server actions that return a
// console, which Nova has from 2.1 to 2.5
// (nova/api/openstack/compute/remote_consoles.py).
type legacyConsoleSpec struct {
	action string  // the body's key
	op     string  // the operation name
	method string  // the compute API method, named in 409 messages
	schema *schema // nova/api/openstack/compute/schemas/remote_consoles.py
}

// legacyConsoles are the legacy console actions the fake serves.
var legacyConsoles = []*legacyConsoleSpec{
	{
		action: "os-getVNCConsole", op: "getVNCConsole", method: "get_vnc_console",
		// Nova's schema allows xvpvnc, and so does the fake, as the seed
		// does: 200 with an xvpvnc URL. Nova's compute manager rejects it
		// later (ConsoleTypeInvalid, which the API turns into a 500).
		schema: object(prop("os-getVNCConsole", object(prop("type", enum("novnc", "xvpvnc"))))),
	},
}

// legacyVersions is the microversion range of the legacy console actions.
var legacyMaxVersion = Microversion{2, 5}

// legacyConsole serves a legacy console action: Nova's version check,
// schema, policy (before the lookup, so 403 comes before 404), then the
// console checks of the compute API and manager.
func (n *Nova) legacyConsole(c *call, lc *legacyConsoleSpec) {
	if !c.version.In(MinMicroversion, legacyMaxVersion) {
		c.fault(http.StatusNotFound, msgNotFound)
		return
	}
	if verr := lc.schema.validate(c.body, c.legacy); verr != nil {
		c.fault(http.StatusBadRequest, verr.Message())
		return
	}
	if !c.identity.HasRole("member") && !c.isAdmin() {
		c.fault(http.StatusForbidden, msgConsolePolicyDenied)
		return
	}
	args, _ := c.body.Get(lc.action)
	typeValue, _ := args.Get("type")
	serverID := c.params.ByName("server_id")
	tok, err := n.store.CreateConsole(state.ConsoleRequest{
		ProjectID: c.projectID(), AllProjects: c.isAdmin(),
		ServerID: serverID, Type: state.ConsoleType(typeValue.Text),
	})
	if err != nil {
		code, msg := consoleFault(err, lc.method, serverID)
		c.fault(code, msg)
		return
	}
	c.out = append(c.out, `{"console": {`...)
	c.appendKey("url")
	c.appendString(n.consoleURL(tok))
	c.out = append(c.out, ", "...)
	c.appendKey("type")
	c.appendString(typeValue.Text)
	c.out = append(c.out, "}}"...)
	c.reply(http.StatusOK)
}

// consoleURL is the URL that opens the console tok grants.
func (n *Nova) consoleURL(tok state.ConsoleToken) string {
	return n.cfg.consoles[tok.Type].For(tok.Token)
}

// consoleFault maps the model's console errors to Nova's answers for a
// console of server id, as the API's handlers catch them.
func consoleFault(err error, method, id string) (int, string) {
	var invalid *state.InvalidStateError
	switch {
	case errors.Is(err, state.ErrNotFound):
		return http.StatusNotFound, msgInstanceNotFound(id)
	case errors.Is(err, state.ErrNotReady):
		return http.StatusConflict, msgInstanceNotReady(id)
	case errors.As(err, &invalid):
		return http.StatusConflict, msgInvalidState(method, id, invalid.Attr, invalid.State)
	case errors.Is(err, state.ErrConsoleUnavailable):
		var unavailable *state.ConsoleUnavailableError
		errors.As(err, &unavailable)
		return http.StatusBadRequest, msgUnavailableConsoleType(string(unavailable.Type))
	case errors.Is(err, state.ErrNotImplemented):
		return http.StatusNotImplemented, msgNotSupported
	}
	return http.StatusInternalServerError, msgServerError
}
