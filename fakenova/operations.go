package fakenova

import (
	"errors"
	"fmt"

	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/fakenova/image"
	"github.com/novastub/novastub/fakenova/network"
)

// Operations are the stable names of every call the fake cloud answers:
// the compute API's, from its route and action tables, and those of the
// services beside it (identity, image, network). Fault rules, the journal
// and the logs name calls by them.
var Operations = operationNames()

func operationNames() []string {
	ops := []string{"listVersions"}
	seen := map[string]bool{"listVersions": true}
	add := func(op string) {
		if op != "" && !seen[op] {
			seen[op] = true
			ops = append(ops, op)
		}
	}
	for _, r := range routes.all {
		add(r.op)
	}
	// The actions the fake serves, in the order Nova documents them:
	// the consoles, then the server's life cycle.
	for _, lc := range legacyConsoles {
		add(lc.op)
	}
	add(actionTable["os-getRDPConsole"].op)
	add(actionTable["os-getConsoleOutput"].op)
	for _, a := range lifecycleActions {
		add(a.op)
	}
	for _, svc := range [][]string{identity.Operations, image.Operations, network.Operations} {
		for _, op := range svc {
			add(op)
		}
	}
	return ops
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
