package fakenova

import (
	"errors"
	"fmt"
)

// Operations are the stable names of every call the fake (and its identity
// service) answers, as fault rules, the journal and the logs name them.
var Operations = []string{
	"getVNCConsole", "getSPICEConsole", "getSerialConsole", "getRDPConsole",
	"createConsole", "showConsoleConnectionInfo",
	"listVersions", "showVersion",
	"createServer", "listServers", "listServersDetailed", "showServer", "deleteServer",
	"startServer", "stopServer", "pauseServer", "unpauseServer", "suspendServer", "resumeServer",
	"shelveServer", "shelveOffloadServer", "unshelveServer", "rebootServer",
	"createToken", "validateToken", "revokeToken", "identityDiscovery",
}

// identityOperations are those of the identity service, whose errors have
// Keystone's shape.
var identityOperations = map[string]bool{
	"createToken": true, "validateToken": true, "revokeToken": true, "identityDiscovery": true,
}

// ErrUnknownOperation is returned (wrapped) for an operation name that is
// not among Operations.
var ErrUnknownOperation = errors.New("fakenova: unknown operation")

func checkOperation(op string) error {
	for _, known := range Operations {
		if op == known {
			return nil
		}
	}
	return fmt.Errorf("%w %q (see fakenova.Operations)", ErrUnknownOperation, op)
}
