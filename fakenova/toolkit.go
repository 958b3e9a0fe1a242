package fakenova

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/novastub/novastub/state"
)

// The test author's toolkit on the fake: fault rules, the request journal
// and the clock.

// Faults returns the fake's fault rules, to make it fail where a test wants.
func (n *Nova) Faults() *Faults { return n.faults }

// Journal returns what the fake received.
func (n *Nova) Journal() *Journal { return n.journal }

// ErrClockFixed is returned by Advance when the store's clock cannot be
// moved (the system clock): give the store a state.ManualClock or a
// state.OffsetClock.
var ErrClockFixed = errors.New("fakenova: the store's clock cannot be advanced")

// Advance moves the store's clock forward by d, so that server transitions
// and token expiries due by then happen, and returns the new time.
func (n *Nova) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("fakenova: the clock only moves forward, not by %v", d)
	}
	adv, ok := n.store.Clock().(state.Advancer)
	if !ok {
		return time.Time{}, fmt.Errorf("%w (it is a %T)", ErrClockFixed, n.store.Clock())
	}
	return adv.Advance(d), nil
}

// Wrap puts another service, such as the fake identity service, behind the
// fake's journal and fault rules: opOf names the operation of each request
// ("" for none), and injected faults of identity operations get Keystone's
// error body.
func (n *Nova) Wrap(opOf func(*http.Request) string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.journal.record(w, r, opOf, n.interceptOp(opOf, h))
	})
}

// interceptOp applies the fault rules to a service whose operations opOf
// names.
func (n *Nova) interceptOp(opOf func(*http.Request) string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := opOf(r)
		rule := n.faults.take(op, "", "")
		if rule == nil {
			h.ServeHTTP(w, r)
			return
		}
		body := WriteFault
		if identityOperations[op] {
			body = keystoneError
		}
		rule.apply(w, r, func(w http.ResponseWriter) { h.ServeHTTP(w, r) }, body)
	})
}

func operationShowVersion(*http.Request) string { return "showVersion" }

func operationListVersions(*http.Request) string { return "listVersions" }
