package state

import (
	"errors"
	"fmt"
)

// Sentinel errors, one per kind of failure. Every error the Store returns
// matches one of them with errors.Is (a seed file's InvalidError also
// matches what it wraps: a reference to a missing project is ErrInvalid and
// ErrNotFound); the typed errors below carry the details.
var (
	// ErrNotFound: the project, host, server, token or console token does
	// not exist (or is not visible to the caller, or has expired).
	ErrNotFound = errors.New("not found")
	// ErrNotReady: the server has no host yet (scheduling, building or
	// shelved offloaded), Nova's InstanceNotReady.
	ErrNotReady = errors.New("not ready")
	// ErrInvalidState: the server's vm_state or task_state forbids the
	// operation, Nova's InstanceInvalidState.
	ErrInvalidState = errors.New("invalid state")
	// ErrConsoleUnavailable: the console type is not enabled in this cloud,
	// Nova's ConsoleTypeUnavailable.
	ErrConsoleUnavailable = errors.New("console type unavailable")
	// ErrConsoleTypeInvalid: the console type is not one the protocol
	// serves, Nova's ConsoleTypeInvalid.
	ErrConsoleTypeInvalid = errors.New("console type invalid")
	// ErrPortsExhausted: the host has no free serial port, Nova's
	// SocketPortRangeExhaustedException.
	ErrPortsExhausted = errors.New("ports exhausted")
	// ErrNotImplemented: the server's hypervisor cannot provide the console,
	// Nova's NotImplementedError from the virt driver.
	ErrNotImplemented = errors.New("not implemented")
	// ErrConflict: the object being added already exists.
	ErrConflict = errors.New("already exists")
	// ErrInvalid: an argument is malformed (a bad id, an unknown state).
	ErrInvalid = errors.New("invalid argument")
	// ErrForbidden: the object exists but the caller may not see or use
	// it (Glance's hidden marker image, an external network a project
	// may not plug a server into).
	ErrForbidden = errors.New("forbidden")
	// ErrInUse: a port is bound to another device, or an IP address is
	// taken on its network.
	ErrInUse = errors.New("in use")
	// ErrExhausted: a network has no free IP address left to allocate.
	ErrExhausted = errors.New("exhausted")
	// ErrStateNotWritten: a change of a store made by Open could not be
	// written to its state file (a full disk, a closed store). The change
	// is in memory but not in the file, and every later change fails the
	// same way, so that the file stays a true prefix of what was
	// acknowledged; open the file again to go on.
	ErrStateNotWritten = errors.New("state file not written")
)

// NotFoundError reports a missing object. Kind is "project", "host",
// "server", "token" or "console token".
type NotFoundError struct {
	Kind string // project, host, server, token, console token, user or marker
	ID   string // the id or name looked for
}

// Error describes the failure.
func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.Kind, e.ID) }

// Is reports whether target is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// NotReadyError reports a server that has no host.
type NotReadyError struct {
	ServerID string // the server without a host
}

// Error describes the failure.
func (e *NotReadyError) Error() string { return fmt.Sprintf("server %s is not ready", e.ServerID) }

// Is reports whether target is ErrNotReady.
func (e *NotReadyError) Is(target error) bool { return target == ErrNotReady }

// InvalidStateError reports a server whose state forbids an operation.
// Attr is "vm_state" or "task_state", State its current value.
type InvalidStateError struct {
	ServerID string // the server
	Attr     string // vm_state or task_state
	State    string // the state the server is in
}

// Error describes the failure.
func (e *InvalidStateError) Error() string {
	return fmt.Sprintf("server %s is in %s %s", e.ServerID, e.Attr, e.State)
}

// Is reports whether target is ErrInvalidState.
func (e *InvalidStateError) Is(target error) bool { return target == ErrInvalidState }

// ConsoleUnavailableError reports a console type that is not enabled.
type ConsoleUnavailableError struct {
	Type ConsoleType // the console type asked for
}

// Error describes the failure.
func (e *ConsoleUnavailableError) Error() string {
	return fmt.Sprintf("console type %s is not enabled", e.Type)
}

// Is reports whether target is ErrConsoleUnavailable.
func (e *ConsoleUnavailableError) Is(target error) bool { return target == ErrConsoleUnavailable }

// ConsoleTypeInvalidError reports a console type its protocol does not
// serve.
type ConsoleTypeInvalidError struct {
	Type ConsoleType // the console type asked for
}

// Error describes the failure.
func (e *ConsoleTypeInvalidError) Error() string {
	return fmt.Sprintf("console type %s is invalid for its protocol", e.Type)
}

// Is reports whether target is ErrConsoleTypeInvalid.
func (e *ConsoleTypeInvalidError) Is(target error) bool { return target == ErrConsoleTypeInvalid }

// PortsExhaustedError reports a host without a free serial port.
type PortsExhaustedError struct {
	Host string // the host out of ports
}

// Error describes the failure.
func (e *PortsExhaustedError) Error() string {
	return fmt.Sprintf("host %s has no free serial port", e.Host)
}

// Is reports whether target is ErrPortsExhausted.
func (e *PortsExhaustedError) Is(target error) bool { return target == ErrPortsExhausted }

// NotImplementedError reports a host whose hypervisor lacks a console type.
type NotImplementedError struct {
	Host string      // the host that lacks the type
	Type ConsoleType // the console type
}

// Error describes the failure.
func (e *NotImplementedError) Error() string {
	return fmt.Sprintf("host %s does not support %s consoles", e.Host, e.Type)
}

// Is reports whether target is ErrNotImplemented.
func (e *NotImplementedError) Is(target error) bool { return target == ErrNotImplemented }

// ConflictError reports an object that already exists.
type ConflictError struct {
	Kind string // project, host, server or user
	ID   string // its id or name
}

// Error describes the failure.
func (e *ConflictError) Error() string { return fmt.Sprintf("%s %q already exists", e.Kind, e.ID) }

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// InvalidError reports a malformed argument; Field names it.
type InvalidError struct {
	Field  string // the field, as a seed file names it; empty for the input as a whole
	Reason string // what is wrong with it
	// Err is the cause, when there is one (a *json.SyntaxError, a
	// *NotFoundError, ...).
	Err error
}

// Error describes the failure.
func (e *InvalidError) Error() string {
	if e.Field == "" { // the seed as a whole, such as malformed JSON
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the cause.
func (e *InvalidError) Unwrap() error { return e.Err }

// ForbiddenError reports an object the caller may not see or use.
type ForbiddenError struct {
	Kind string // image or external network
	ID   string // its id
}

// Error describes the failure.
func (e *ForbiddenError) Error() string { return fmt.Sprintf("%s %q is forbidden", e.Kind, e.ID) }

// Is reports whether target is ErrForbidden.
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// InUseError reports a port bound to a device, or an IP address taken.
type InUseError struct {
	Kind      string // "port" or "ip address"
	ID        string // the port id or the address
	NetworkID string // the network it is on
	DeviceID  string // the device that holds it ("" when none)
}

// Error describes the failure.
func (e *InUseError) Error() string {
	return fmt.Sprintf("%s %s on network %s is in use by %q", e.Kind, e.ID, e.NetworkID, e.DeviceID)
}

// Is reports whether target is ErrInUse.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// ExhaustedError reports a network without a free IP address.
type ExhaustedError struct {
	NetworkID string // the network
}

// Error describes the failure.
func (e *ExhaustedError) Error() string {
	return fmt.Sprintf("no more IP addresses available on network %s", e.NetworkID)
}

// Is reports whether target is ErrExhausted.
func (e *ExhaustedError) Is(target error) bool { return target == ErrExhausted }

// NoSubnetError reports a network a server cannot be plugged into because
// it has no subnet (Nova's NetworkRequiresSubnet).
type NoSubnetError struct {
	NetworkID string // the network
}

// Error describes the failure.
func (e *NoSubnetError) Error() string { return fmt.Sprintf("network %s has no subnet", e.NetworkID) }

// Is reports whether target is ErrInvalid.
func (e *NoSubnetError) Is(target error) bool { return target == ErrInvalid }
