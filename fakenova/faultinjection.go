package fakenova

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/novastub/novastub/internal/wire"
)

// HeaderInjected marks a response a fault rule made (or delayed or
// failed after the fact); its value is the rule's id.
const HeaderInjected = "X-Novastub-Fault"

// Fault says what to do to the calls it matches. Operation is required;
// ServerID and ProjectID narrow it. What it does:
//
//   - Status set: answer it at once with Nova's fault body for that status
//     (Keystone's error body for an identity operation), or with Body when
//     given; Message replaces the fault's default message.
//   - Delay set: wait that long first (or until the request is cancelled),
//     then answer Status, or pass the call through when Status is 0.
//   - AfterChange: pass the call through, so that it changes the model
//     (the server is created, the console token issued), then answer
//     Status (500 when 0) instead of the real answer, as Nova does when a
//     request fails late.
//   - none of them: pass the call through, as a step of a sequence.
//
// A rule fires Times times (0: every time) and then is gone. Rules are
// tried in the order they were added, so rules for the same calls make a
// sequence: a 503 rule with Times 1, another with Times 1, then the real
// answer.
type Fault struct {
	Operation   string        // required: one of Operations
	ServerID    string        // when set, only calls for this server
	ProjectID   string        // when set, only calls of this project
	Status      int           // the status to answer; 0 passes the call through
	Message     string        // replaces the fault body's default message
	Body        string        // replaces the whole body (needs Status)
	ContentType string        // of Body; default application/json
	Delay       time.Duration // how long to wait first
	AfterChange bool          // let the call change the model, then answer Status (500 by default)
	Times       int           // how many times the rule fires; 0 means always
}

// FaultRule is a Fault the fake holds, with its id and how many more times
// it fires (-1: always).
type FaultRule struct {
	ID string // what Faults.Remove takes
	Fault
	Remaining int // how many more times it fires; -1 for always
}

// ErrNoSuchFault is returned (wrapped) for a fault id the fake does not
// hold.
var ErrNoSuchFault = errors.New("fakenova: no such fault rule")

// Faults holds the fault rules of a fake. It is safe for concurrent use.
type Faults struct {
	mu     sync.Mutex
	rules  []*FaultRule
	lastID int
	active atomic.Int32 // len(rules), read without the lock on every call
}

// Add adds a rule and returns its id. An unknown operation, a status
// outside 100-599 or a negative Times or Delay is an error that names the
// field.
func (f *Faults) Add(rule Fault) (string, error) {
	ids, err := f.Sequence(rule)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// Sequence adds rules in order, all or none, and returns their ids: the
// first matching call gets the first rule, the next the second, ...
func (f *Faults) Sequence(rules ...Fault) ([]string, error) {
	for i, r := range rules {
		if err := r.check(); err != nil {
			if len(rules) > 1 {
				return nil, fmt.Errorf("rule %d: %w", i, err)
			}
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, len(rules))
	for i, r := range rules {
		f.lastID++
		remaining := r.Times
		if remaining == 0 {
			remaining = -1
		}
		ids[i] = "fault-" + strconv.Itoa(f.lastID)
		f.rules = append(f.rules, &FaultRule{ID: ids[i], Fault: r, Remaining: remaining})
	}
	f.active.Store(int32(len(f.rules)))
	return ids, nil
}

// FieldError names the field of a fault rule that is wrong. It wraps the
// cause when there is one, so that errors.Is(err, ErrUnknownOperation)
// holds for an unknown operation.
type FieldError struct {
	Field  string // the field, as the JSON names it
	Reason string // what is wrong with it
	Err    error  // the cause, or nil
}

// Error describes the failure.
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

func (r Fault) check() error {
	if err := checkOperation(r.Operation); err != nil {
		return &FieldError{Field: "operation", Reason: err.Error(), Err: err}
	}
	switch {
	case r.Status != 0 && (r.Status < 200 || r.Status > 599):
		// A 1xx is an interim answer: net/http would send it and then the
		// real answer, which is no fault at all.
		return &FieldError{Field: "status", Reason: "must be a final HTTP status, 200 to 599"}
	case r.Times < 0:
		return &FieldError{Field: "times", Reason: "must not be negative"}
	case r.Delay < 0:
		return &FieldError{Field: "delay", Reason: "must not be negative"}
	case r.Body != "" && r.Status == 0:
		return &FieldError{Field: "body", Reason: "needs a status"}
	}
	return nil
}

// List returns the rules in the order they are tried.
func (f *Faults) List() []FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FaultRule, len(f.rules))
	for i, r := range f.rules {
		out[i] = *r
	}
	return out
}

// Remove removes one rule.
func (f *Faults) Remove(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.ID == id {
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
			f.active.Store(int32(len(f.rules)))
			return nil
		}
	}
	return fmt.Errorf("%w: %q", ErrNoSuchFault, id)
}

// Clear removes every rule.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
	f.active.Store(0)
}

// take returns the first rule that matches a call and counts it fired; nil
// when none does.
func (f *Faults) take(op, serverID, projectID string) *FaultRule {
	if f.active.Load() == 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.Operation != op || r.ServerID != "" && r.ServerID != serverID || r.ProjectID != "" && r.ProjectID != projectID {
			continue
		}
		fired := *r
		if r.Remaining > 0 {
			r.Remaining--
			if r.Remaining == 0 {
				f.rules = append(f.rules[:i], f.rules[i+1:]...)
				f.active.Store(int32(len(f.rules)))
			}
		}
		return &fired
	}
	return nil
}

// errorWriter writes a service's own error body: Nova's fault for the
// compute API, Keystone's error for the identity service, and so on. An
// empty message means the service's default message for code.
type errorWriter func(w http.ResponseWriter, r *http.Request, code int, message string)

// apply does what rule says to a call: pass calls the real handler with a
// writer, writeError writes an injected answer with the service's own
// error body. It returns false when the request was cancelled during a
// delay (nothing was written).
func (rule *FaultRule) apply(w http.ResponseWriter, r *http.Request, pass func(http.ResponseWriter), writeError errorWriter) bool {
	w.Header().Set(HeaderInjected, rule.ID)
	if rule.Delay > 0 {
		t := time.NewTimer(rule.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}
	switch {
	case rule.AfterChange:
		pass(discardWriter{h: http.Header{}})
		code := rule.Status
		if code == 0 {
			code = http.StatusInternalServerError
		}
		rule.write(w, r, code, writeError)
	case rule.Status != 0:
		rule.write(w, r, rule.Status, writeError)
	default:
		pass(w)
	}
	return true
}

func (rule *FaultRule) write(w http.ResponseWriter, r *http.Request, code int, writeError errorWriter) {
	if rule.Body != "" {
		ct := rule.ContentType
		if ct == "" {
			ct = "application/json"
		}
		wire.WriteBody(w, code, []string{ct}, []byte(rule.Body))
		return
	}
	writeError(w, r, code, rule.Message) // "": the service's default message
}

// discardWriter swallows the real answer of a call that fails after the
// fact.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}
