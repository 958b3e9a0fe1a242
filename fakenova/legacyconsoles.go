package fakenova

import (
	"net/http"

	"github.com/novastub/novastub/state"
)

// legacyConsole describes one of the server actions that return a console,
// which Nova has from 2.1 to 2.5 (nova/api/openstack/compute/remote_consoles.py;
// 2.6 replaced them with remote-consoles).
type legacyConsole struct {
	action string  // the body's key
	op     string  // the operation name
	schema *schema // nova/api/openstack/compute/schemas/remote_consoles.py
	errors consoleErrors
}

// legacyMaxVersion is the last microversion of the legacy console actions.
var legacyMaxVersion = Microversion{2, 5}

// legacyConsoles are the legacy console actions.
var legacyConsoles = []*legacyConsole{
	{
		action: "os-getVNCConsole", op: "getVNCConsole",
		// Nova's schema allows xvpvnc, and so does the fake, as the spec
		// does: 200 with an xvpvnc URL. Nova's compute manager rejects it
		// later (ConsoleTypeInvalid, which this handler does not catch,
		// so Nova answers 500).
		schema: object(prop("os-getVNCConsole", object(prop("type", enum("novnc", "xvpvnc"))))),
		errors: consoleErrors{method: "get_vnc_console"},
	},
	{
		// Nova's SPICE handler does not catch InstanceInvalidState: 500.
		action: "os-getSPICEConsole", op: "getSPICEConsole",
		schema: object(prop("os-getSPICEConsole", object(prop("type", enum("spice-html5"))))),
	},
	{
		// Nor does its serial handler.
		action: "os-getSerialConsole", op: "getSerialConsole",
		schema: object(prop("os-getSerialConsole", object(prop("type", enum("serial"))))),
	},
}

// serveLegacyConsole serves a legacy console action (2.1 to 2.5, which the
// action table checks): schema, policy (before the lookup, so 403 comes
// before 404), then the console checks of the compute API and manager.
func (n *Nova) serveLegacyConsole(c *call, lc *legacyConsole) error {
	if verr := lc.schema.validate(c.body, c.legacy); verr != nil {
		return fault(http.StatusBadRequest, verr.Message())
	}
	if err := c.authorize("os-remote-consoles"); err != nil {
		return err
	}
	args, _ := c.body.Get(lc.action)
	typeValue, _ := args.Get("type")
	serverID := c.serverID()
	tok, err := n.issueConsole(c, serverID, state.ConsoleRequest{Type: state.ConsoleType(typeValue.Text)})
	if err != nil {
		return lc.errors.consoleFault(err, serverID)
	}
	c.out = append(c.out, `{"console": {`...)
	c.appendKey("url")
	n.appendConsoleURL(c, tok)
	c.out = append(c.out, ", "...)
	c.appendKey("type")
	c.appendString(typeValue.Text)
	c.out = append(c.out, "}}"...)
	return c.reply(http.StatusOK)
}

// serveRDPConsole is os-getRDPConsole, removed in Nova 29.0.0 (Caracal): at
// 2.1 to 2.5 its handler only raises HTTPBadRequest(), before any policy
// check or lookup, so every request gets webob's default 400.
func (n *Nova) serveRDPConsole(*call) error { return fault(http.StatusBadRequest, msgBadRequest) }
