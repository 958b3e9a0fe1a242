package fakenova

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// Nova's messages for console requests (nova/exception.py,
// nova/api/openstack/common.py, nova/policies/remote_consoles.py).
const (
	msgNotSupported = "The requested functionality is not supported."
)

func msgInstanceNotFound(id string) string { return "Instance " + id + " could not be found." }

func msgInstanceNotReady(id string) string { return "Instance " + id + " is not ready" }

func msgUnavailableConsoleType(t string) string { return "Unavailable console type " + t + "." }

func msgInvalidConsoleType(t string) string { return "Invalid console type " + t }

func msgPortsExhausted(host string) string { return "Not able to acquire a free port for " + host }

// msgInvalidState is common.raise_http_conflict_for_instance_invalid_state.
func msgInvalidState(method, id, attr, state string) string {
	return "Cannot '" + method + "' instance " + id + " while it is in " + attr + " " + state
}

// msgUnexpected is the 500 of Nova's expected_errors decorator for an
// exception the handler does not expect (master's wording, since
// bd2042c5ef; stable/2025.1 and older ask to report a bug on launchpad).
func msgUnexpected(exception string) string {
	return "Unexpected API Error. Please contact the administrator\n<class 'nova.exception." + exception + "'>"
}

// consoleErrors says how one console handler of Nova's turns the compute
// API's exceptions into answers: they differ in what they catch.
type consoleErrors struct {
	// method is the compute API method, named in the 409 of an invalid
	// state; "" when the handler does not catch InstanceInvalidState,
	// which Nova then answers with a 500.
	method string
}

// consoleFault maps the model's console errors to the answer Nova's handler
// gives for a console of server id.
func (ce consoleErrors) consoleFault(err error, id string) error {
	var invalid *state.InvalidStateError
	var unavailable *state.ConsoleUnavailableError
	var typeInvalid *state.ConsoleTypeInvalidError
	var exhausted *state.PortsExhaustedError
	switch {
	case errors.Is(err, state.ErrNotFound):
		return fault(http.StatusNotFound, msgInstanceNotFound(id))
	case errors.Is(err, state.ErrNotReady):
		return fault(http.StatusConflict, msgInstanceNotReady(id))
	case errors.As(err, &invalid):
		if ce.method == "" {
			return fault(http.StatusInternalServerError, msgUnexpected("InstanceInvalidState"))
		}
		return fault(http.StatusConflict, msgInvalidState(ce.method, id, invalid.Attr, invalid.State))
	case errors.As(err, &unavailable):
		return fault(http.StatusBadRequest, msgUnavailableConsoleType(string(unavailable.Type)))
	case errors.As(err, &typeInvalid):
		return fault(http.StatusBadRequest, msgInvalidConsoleType(string(typeInvalid.Type)))
	case errors.As(err, &exhausted):
		return fault(http.StatusBadRequest, msgPortsExhausted(exhausted.Host))
	case errors.Is(err, state.ErrNotImplemented):
		return fault(http.StatusNotImplemented, msgNotSupported)
	}
	return err
}

// visibleServer looks a server up for the caller, as Nova's
// common.get_instance does: in the server source (the store, unless
// WithServerSource says otherwise), a non-admin finding only its project's.
// Every server-scoped call asks it: another project's server is Nova's 404,
// as is a missing one; a source that fails, or gives a server the fake
// cannot take, is a 500 whose logged error says why.
func (n *Nova) visibleServer(c *call, id string) (state.Server, error) {
	var srv state.Server
	var err error
	if n.cfg.servers == ServerSource(n.store) {
		srv, err = n.store.Server(id)
	} else {
		srv, err = n.sourceServer(c.sourceContext(), id)
	}
	switch {
	case err == nil && (c.isAdmin() || srv.ProjectID == c.projectID()):
		return srv, nil
	case err == nil || errors.Is(err, state.ErrNotFound):
		return state.Server{}, fault(http.StatusNotFound, msgInstanceNotFound(id))
	}
	return state.Server{}, err
}

// issueConsole looks server id up for the caller, as visibleServer does,
// and issues a console token for it: for the store's own servers in one
// call of the store (CreateConsole, one lookup under one lock), for a
// ServerSource's through IssueConsole. A lookup that fails is the same
// error as visibleServer's, or a *state.NotFoundError that consoleFault
// makes the same 404.
func (n *Nova) issueConsole(c *call, id string, req state.ConsoleRequest) (state.ConsoleToken, error) {
	if n.cfg.servers == ServerSource(n.store) {
		req.ProjectID, req.AllProjects, req.ServerID = c.projectID(), c.isAdmin(), id
		return n.store.CreateConsole(req)
	}
	srv, err := n.visibleServer(c, id)
	if err != nil {
		return state.ConsoleToken{}, err
	}
	return n.store.IssueConsole(srv, req)
}

// sourceServer asks the ServerSource for server id, and checks what it
// gives: the server's id (filled in when the source left it empty) and
// project must be there, and a DELETED server is not found, as Nova's
// lookup does not find it.
func (n *Nova) sourceServer(ctx context.Context, id string) (state.Server, error) {
	srv, err := n.cfg.servers.LookupServer(ctx, id)
	switch {
	case errors.Is(err, state.ErrNotFound):
		return state.Server{}, err
	case err != nil:
		return state.Server{}, fmt.Errorf("server source failed for server %s: %w", id, err)
	case srv.ID == "":
		srv.ID = id
	case srv.ID != id:
		return state.Server{}, fmt.Errorf("server source gave server %q for id %q", srv.ID, id)
	}
	switch {
	case srv.ProjectID == "":
		return state.Server{}, fmt.Errorf("server source gave server %q without a project id", id)
	case srv.VMState == state.VMDeleted:
		return state.Server{}, &state.NotFoundError{Kind: "server", ID: id}
	}
	return srv, nil
}

// consoleToken finds a console token for a caller of os-console-auth-tokens
// (and the console pages and proxy). A token of a server from a
// ServerSource is checked against the source again, as Nova deletes a
// server's tokens with the server: a server the source no longer finds
// ends its tokens.
func (n *Nova) consoleToken(ctx context.Context, token string) (state.ConsoleToken, error) {
	tok, err := n.store.ConsoleToken(token)
	if err != nil || n.cfg.servers == ServerSource(n.store) {
		return tok, err
	}
	if _, err := n.sourceServer(ctx, tok.ServerID); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			n.store.RevokeServerConsoles(tok.ServerID)
		}
		return state.ConsoleToken{}, err
	}
	return tok, nil
}

// appendConsoleURL appends to c.out, as a JSON string, the URL that opens
// the console tok grants: the base URL of its type, or of its protocol's
// type when a serial console was asked for under another type's name (Nova
// builds it from [serial_console] base_url).
func (n *Nova) appendConsoleURL(c *call, tok state.ConsoleToken) {
	t := tok.Type
	if tok.Protocol == state.ProtocolSerial {
		t = state.ConsoleSerial
	}
	c.scratch = n.consoleURLBase(c, t, n.cfg.consoles[t]).AppendURL(c.scratch[:0], tok.Token)
	c.out = pyjson.AppendString(c.out, c.scratch)
}
