package fakenova

import (
	"context"
	"net/http"

	"github.com/novastub/novastub/state"
)

// ServerSource finds the servers whose consoles the fake hands out. The
// in-memory *state.Store is one (and the default); a team embedding the
// console API in front of its own servers answers it from its own data, a
// database or a GET to the handler behind, with ServerSourceFunc. Console
// tokens stay in the fake's store either way.
type ServerSource interface {
	// LookupServer returns the server with the given id: its project, host,
	// vm_state and task_state are what the console checks read. An error
	// that matches state.ErrNotFound is Nova's 404; any other error is a
	// 500, logged.
	LookupServer(ctx context.Context, id string) (state.Server, error)
}

type requestKey struct{}

// RequestFrom returns the request a console call came with, from the
// context a ServerSource is given (not for the store, which needs none):
// its X-Auth-Token, say, to look the server up in the caller's name. The
// caller's identity is there too, with middleware.IdentityFrom.
func RequestFrom(ctx context.Context) (*http.Request, bool) {
	r, ok := ctx.Value(requestKey{}).(*http.Request)
	return r, ok
}

// ServerSourceFunc adapts a function to a ServerSource.
type ServerSourceFunc func(ctx context.Context, id string) (state.Server, error)

// LookupServer calls f.
func (f ServerSourceFunc) LookupServer(ctx context.Context, id string) (state.Server, error) {
	return f(ctx, id)
}
