package fakenova

import "net/http"

// POST /servers/{server_id}/action: the body's one key names the action
// (nova/api/openstack/compute/*.py, the wsgi.action names). This file is
// the action table; the Resource's action step (peekAction) picks a row.

// action is one row of the action table.
type action struct {
	name string // the body's key, such as "os-getVNCConsole"
	op   string // the operation name, such as "getVNCConsole"
	// minVersion and maxVersion bound the microversions the action exists
	// at; outside them Nova answers its 404. Zero means no bound.
	minVersion, maxVersion Microversion
	console                bool // answered by the console Middleware
	serve                  func(*Nova, *call) error
}

// novaServerActions are the body keys Nova's POST /servers/{id}/action
// accepts. Those the fake serves have rows in actionTable; asking for
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

// actionTable is every action by its body key, built once for all fakes.
var actionTable = func() map[string]*action {
	t := make(map[string]*action, len(novaServerActions))
	for _, name := range novaServerActions {
		name := name
		t[name] = &action{name: name, op: name, serve: func(*Nova, *call) error {
			return fault(http.StatusNotImplemented, "novastub does not implement the server action "+name+".")
		}}
	}
	for _, lc := range legacyConsoles {
		lc := lc
		t[lc.action] = &action{name: lc.action, op: lc.op, maxVersion: legacyMaxVersion, console: true,
			serve: func(n *Nova, c *call) error { return n.serveLegacyConsole(c, lc) }}
	}
	t["os-getRDPConsole"] = &action{name: "os-getRDPConsole", op: "getRDPConsole", maxVersion: legacyMaxVersion,
		console: true, serve: (*Nova).serveRDPConsole}
	t["os-getConsoleOutput"] = &action{name: "os-getConsoleOutput", op: "getConsoleOutput",
		serve: (*Nova).serveGetConsoleOutput}
	for _, spec := range lifecycleActions {
		spec := spec
		t[spec.action] = &action{name: spec.action, op: spec.op,
			serve: func(n *Nova, c *call) error { return n.serveLifecycleAction(c, spec) }}
	}
	return t
}()
