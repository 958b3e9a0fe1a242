package fakenova

import (
	"net/http"

	"github.com/novastub/novastub/internal/pyjson"
)

// novaServerActions are the body keys Nova's POST /servers/{id}/action
// accepts (the wsgi.action names of nova/api/openstack/compute/*.py).
// Those the fake serves are registered in registerActions; asking for
// another of them gets a 501 that says the fake lacks it, and asking for a
// name not here gets Nova's 400 "There is no such action".
var novaServerActions = []string{
	"addFixedIp", "addFloatingIp", "addSecurityGroup", "changePassword",
	"confirmResize", "createBackup", "createImage", "evacuate", "forceDelete",
	"injectNetworkInfo", "lock", "migrate", "os-getConsoleOutput",
	"os-getRDPConsole", "os-getSPICEConsole", "os-getSerialConsole",
	"os-getVNCConsole", "os-migrateLive", "os-resetState", "os-start", "os-stop",
	"pause", "reboot", "rebuild", "removeFixedIp", "removeFloatingIp",
	"removeSecurityGroup", "rescue", "resetNetwork", "resize", "restore",
	"resume", "revertResize", "shelve", "shelveOffload", "suspend",
	"trigger_crash_dump", "unlock", "unpause", "unrescue", "unshelve",
}

// serverAction is one action of POST /servers/{id}/action.
type serverAction struct {
	name  string // the body's key, such as "os-getVNCConsole"
	op    string // the operation name, such as "getVNCConsole"
	serve func(*call)
}

func (n *Nova) registerActions() {
	n.actions = make(map[string]*serverAction, len(novaServerActions))
	for _, name := range novaServerActions {
		name := name
		n.actions[name] = &serverAction{name: name, op: name, serve: func(c *call) {
			c.fault(http.StatusNotImplemented, "novastub does not implement the server action "+name+".")
		}}
	}
	for _, lc := range legacyConsoles {
		lc := lc
		n.actions[lc.action] = &serverAction{name: lc.action, op: lc.op, serve: func(c *call) { n.serveLegacyConsole(c, lc) }}
	}
	for _, spec := range serverActions {
		spec := spec
		n.actions[spec.action] = &serverAction{name: spec.action, op: spec.op, serve: func(c *call) { n.serveServerAction(c, spec) }}
	}
	n.actions["os-getRDPConsole"] = &serverAction{name: "os-getRDPConsole", op: "getRDPConsole", serve: n.serveRDPConsole}
}

// peekAction finds the action a body names, as Nova's action_peek and
// Resource._get_method do, or answers as they fail: a body that is not
// JSON, or has not exactly one key, is "Malformed request body"; a body
// Python cannot take the keys of (a number, a one-item list) is Nova's 404;
// an unknown key is "There is no such action". The decoded body is left
// in c.body.
func (n *Nova) peekAction(c *call) *serverAction {
	body, err := pyjson.ParseText(c.raw.Bytes())
	if err != nil {
		c.fault(http.StatusBadRequest, msgMalformedBody)
		return nil
	}
	c.body = body
	size, hasLen := body.Len()
	switch {
	case !hasLen: // len() raised TypeError
		c.fault(http.StatusNotFound, msgNotFound)
		return nil
	case size != 1:
		c.fault(http.StatusBadRequest, msgMalformedBody)
		return nil
	case body.Kind != pyjson.Object: // .keys() raised AttributeError
		c.fault(http.StatusNotFound, msgNotFound)
		return nil
	}
	name := body.Members[0].Key
	act, ok := n.actions[name]
	if !ok {
		c.fault(http.StatusBadRequest, msgNoSuchAction(name))
		return nil
	}
	return act
}
