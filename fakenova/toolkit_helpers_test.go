package fakenova_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// Helpers shared by the tests of issue 5 (fault rules, the journal, the
// clock, the HTTP control plane).

// Nova's fault messages the toolkit's tests meet, spelt out rather than
// taken from the package.
const (
	msgUnavailable = "The server is currently unavailable. Please try again at a later time."
	msgServerError = "The server has either erred or is incapable of performing the requested operation."
	msgConflict    = "There was a conflict when trying to complete your request."
)

// unavailableBody is Nova's 503 fault body, byte for byte.
const unavailableBody = `{"serviceUnavailable": {"message": "` + msgUnavailable + `", "code": 503}}`

// vncConsole asks for a server's noVNC console with the legacy action, at
// the default microversion.
func vncConsole(t *testing.T, ts *fakenova.Test, serverID string) exchange {
	t.Helper()
	return send(t, ts.URL, http.MethodPost, "/v2.1/"+ts.ProjectID+"/servers/"+serverID+"/action",
		apiHeader(ts.Token, ""), vnc("novnc"))
}

// getServer shows a server at the default microversion.
func getServer(t *testing.T, ts *fakenova.Test, serverID string) exchange {
	t.Helper()
	return send(t, ts.URL, http.MethodGet, "/v2.1/servers/"+serverID, apiHeader(ts.Token, ""), "")
}

// assertNovaFault checks an answer with Nova's fault body, byte for byte
// and decoded: {"<key>": {"message": message, "code": status}}, its
// Content-Type, the request ids and the microversion headers.
func assertNovaFault(t *testing.T, ex exchange, status int, key, message, version string) {
	t.Helper()
	require.Equal(t, status, ex.status, ex.body)
	assert.Equal(t, "application/json; charset=UTF-8", ex.header.Get("Content-Type"))
	quoted, err := json.Marshal(message)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(`{"%s": {"message": %s, "code": %d}}`, key, quoted, status), ex.body)
	assert.Equal(t, map[string]map[string]any{key: {"message": message, "code": float64(status)}}, ex.decoded)
	assertRequestIDs(t, ex.header)
	assertVersionHeaders(t, ex.header, version)
}

// decodeInto decodes a JSON body into a value of type T, strictly.
func decodeInto[T any](t *testing.T, body string) T {
	t.Helper()
	var out T
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&out), body)
	return out
}

// recordingT is a fakenova.Tester that records the failures the toolkit
// reports instead of failing the test; Helper and Cleanup are the real
// test's.
type recordingT struct {
	*testing.T
	mu     sync.Mutex
	errors []string
	fatals []string
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingT) Fatalf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

// reported returns the failures reported so far, and forgets them.
func (r *recordingT) reported() (errors, fatals []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	errors, fatals = r.errors, r.fatals
	r.errors, r.fatals = nil, nil
	return errors, fatals
}

// statuses returns the statuses of journal entries, in order.
func statuses(entries []fakenova.Entry) []int {
	out := make([]int, len(entries))
	for i, e := range entries {
		out[i] = e.Status
	}
	return out
}

// paths returns the paths of journal entries, in order.
func paths(entries []fakenova.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Path
	}
	return out
}
