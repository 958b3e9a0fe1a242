package state_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novastub/novastub/state"
)

func TestTypedErrors(t *testing.T) {
	tests := []struct {
		err  error
		want error
		msg  string
	}{
		{&state.NotFoundError{Kind: "server", ID: srv1}, state.ErrNotFound, `server "` + srv1 + `" not found`},
		{&state.NotReadyError{ServerID: srv1}, state.ErrNotReady, "server " + srv1 + " is not ready"},
		{&state.InvalidStateError{ServerID: srv1, Attr: "task_state", State: "deleting"}, state.ErrInvalidState,
			"server " + srv1 + " is in task_state deleting"},
		{&state.ConsoleUnavailableError{Type: state.ConsoleSPICEHTML5}, state.ErrConsoleUnavailable,
			"console type spice-html5 is not enabled"},
		{&state.NotImplementedError{Host: "bm-1", Type: state.ConsoleNoVNC}, state.ErrNotImplemented,
			"host bm-1 does not support novnc consoles"},
		{&state.ConflictError{Kind: "project", ID: projA}, state.ErrConflict, `project "` + projA + `" already exists`},
		{&state.InvalidError{Field: "servers[0].id", Reason: "required"}, state.ErrInvalid, "servers[0].id: required"},
		// With no field to name, the message is the reason alone.
		{&state.InvalidError{Reason: "malformed JSON: no JSON value"}, state.ErrInvalid, "malformed JSON: no JSON value"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T", tt.err), func(t *testing.T) {
			assert.Equal(t, tt.msg, tt.err.Error())
			requireOnly(t, tt.err, tt.want)
			// Wrapped, it still matches.
			requireOnly(t, fmt.Errorf("context: %w", tt.err), tt.want)
		})
	}
}

func TestSentinelsAreDistinct(t *testing.T) {
	for a, ea := range sentinels {
		for b, eb := range sentinels {
			if a != b {
				assert.False(t, errors.Is(ea, eb), "%s is %s", a, b)
				assert.NotEqual(t, ea.Error(), eb.Error(), "%s and %s read the same", a, b)
			}
		}
	}
}
