package fakenova

import (
	"net/http"

	"github.com/novastub/novastub/state"
)

// remoteConsoleSchema returns Nova's create schema of remote-consoles at
// version v (create_v26, create_v28, create_v299 in
// nova/api/openstack/compute/schemas/remote_consoles.py, as of HEAD).
func remoteConsoleSchema(v Microversion) *schema {
	protocols := []string{"vnc", "spice", "serial", "rdp"}
	types := []string{"novnc", "xvpvnc", "spice-html5", "serial", "rdp-html5"}
	if !v.Less(Microversion{2, 8}) {
		protocols = append(protocols, "mks")
		types = append(types, "webmks")
	}
	if !v.Less(Microversion{2, 99}) {
		types = append(types, "spice-direct")
	}
	return object(prop("remote_console", object(
		prop("protocol", enum(protocols...)),
		prop("type", enum(types...)))))
}

// The three schemas, by the first version they apply to.
var (
	remoteConsoleV26  = remoteConsoleSchema(Microversion{2, 6})
	remoteConsoleV28  = remoteConsoleSchema(Microversion{2, 8})
	remoteConsoleV299 = remoteConsoleSchema(Microversion{2, 99})
)

// remoteConsoleErrors: create does not catch InstanceInvalidState (500).
var remoteConsoleErrors = consoleErrors{}

// serveCreateConsole is POST /servers/{server_id}/remote-consoles
// (RemoteConsolesController.create, 2.6 and later, which the route table
// checks): schema, the lookup (before policy, whose target is the server's
// project), rdp's 400, then the console checks of the protocol's compute
// API call.
func (n *Nova) serveCreateConsole(c *call) error {
	sch := remoteConsoleV26
	switch {
	case !c.version.Less(Microversion{2, 99}):
		sch = remoteConsoleV299
	case !c.version.Less(Microversion{2, 8}):
		sch = remoteConsoleV28
	}
	if verr := sch.validate(c.body, false); verr != nil {
		return fault(http.StatusBadRequest, verr.Message())
	}
	serverID := c.serverID()
	args, _ := c.body.Get("remote_console")
	protocol, _ := args.Get("protocol")
	typ, _ := args.Get("type")
	denied := c.authorize("os-remote-consoles")
	// Nova raises HTTPBadRequest('Unavailable console type rdp.') for rdp,
	// but as webob's detail, not its explanation: the fault says webob's
	// default.
	if denied != nil || protocol.Text == string(state.ProtocolRDP) {
		// Both come after the lookup, whose 404 goes first.
		if _, err := n.visibleServer(c, serverID); err != nil {
			return err
		}
		if denied != nil {
			return denied
		}
		return fault(http.StatusBadRequest, msgBadRequest)
	}
	tok, err := n.issueConsole(c, serverID, state.ConsoleRequest{
		Protocol: state.Protocol(protocol.Text), Type: state.ConsoleType(typ.Text)})
	if err != nil {
		return remoteConsoleErrors.consoleFault(err, serverID)
	}
	c.out = append(c.out, `{"remote_console": {`...)
	c.appendKey("protocol")
	c.appendString(protocol.Text)
	c.out = append(c.out, ", "...)
	c.appendKey("type")
	c.appendString(typ.Text)
	c.out = append(c.out, ", "...)
	c.appendKey("url")
	n.appendConsoleURL(c, tok)
	c.out = append(c.out, "}}"...)
	return c.reply(http.StatusOK)
}
