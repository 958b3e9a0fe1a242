package fakenova

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// DefaultJournalSize is how many requests a Journal keeps by default.
const DefaultJournalSize = 1000

// Entry is one request the fake received, as the journal keeps it.
type Entry struct {
	Time         time.Time     `json:"time"`                   // on the store's clock
	RequestID    string        `json:"request_id,omitempty"`   // the X-Openstack-Request-Id of the answer
	Operation    string        `json:"operation,omitempty"`    // "" for a request no route took
	Method       string        `json:"method"`                 // the HTTP method
	Path         string        `json:"path"`                   // the URL path, as the fake saw it
	Microversion string        `json:"microversion,omitempty"` // the microversion the call was served at; empty on /v2 and before it is known
	ProjectID    string        `json:"project_id,omitempty"`   // the caller's project
	ServerID     string        `json:"server_id,omitempty"`    // the server of the URL, if any
	Status       int           `json:"status"`                 // 499 when the client went away before an answer
	Duration     time.Duration `json:"duration_ns"`            // how long the fake took
	// Body is the request body with passwords, admin passwords and token
	// ids replaced by "***"; headers are not kept at all, so X-Auth-Token
	// and X-Subject-Token never appear.
	Body string `json:"body,omitempty"`
}

// statusClientClosedRequest is an entry's status for a request that got
// no answer because its client went away first (nginx's "client closed
// request").
const statusClientClosedRequest = 499

// Query selects journal entries; empty fields select all.
type Query struct {
	Operation string // only entries of this operation
	ServerID  string // only entries for this server
	Status    int    // only entries answered with this status
}

// Journal is a bounded ring of the requests the fake received, oldest
// dropped first. It is safe for concurrent use.
type Journal struct {
	clock state.Clock
	mu    sync.Mutex
	slots []journalSlot
	next  int // where the next entry goes
	count int
}

type journalSlot struct {
	Entry
	body []byte // the raw body, redacted when read
}

// NewJournal returns a journal that keeps the last size requests (size <=
// 0 keeps none), stamped by clock (nil: the wall clock).
func NewJournal(size int, clock state.Clock) *Journal {
	if clock == nil {
		clock = state.SystemClock{}
	}
	if size < 0 {
		size = 0
	}
	return &Journal{clock: clock, slots: make([]journalSlot, size)}
}

// Entries returns the entries q selects, oldest first.
func (j *Journal) Entries(q Query) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Entry
	for i := 0; i < j.count; i++ {
		s := &j.slots[(j.next-j.count+i+len(j.slots))%len(j.slots)]
		if q.Operation != "" && s.Operation != q.Operation || q.ServerID != "" && s.ServerID != q.ServerID ||
			q.Status != 0 && s.Status != q.Status {
			continue
		}
		e := s.Entry
		e.Body = redact(s.body)
		out = append(out, e)
	}
	return out
}

// Count returns how many kept entries are of operation op.
func (j *Journal) Count(op string) int { return len(j.Entries(Query{Operation: op})) }

// Last returns the latest entry of operation op.
func (j *Journal) Last(op string) (Entry, bool) {
	entries := j.Entries(Query{Operation: op})
	if len(entries) == 0 {
		return Entry{}, false
	}
	return entries[len(entries)-1], true
}

// Clear empties the journal.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.next, j.count = 0, 0
}

// on reports whether the journal keeps anything.
func (j *Journal) on() bool { return len(j.slots) > 0 }

func (j *Journal) add(e *Entry, body []byte) {
	if len(j.slots) == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	s := &j.slots[j.next]
	s.Entry = *e
	s.body = append(s.body[:0], body...)
	j.next = (j.next + 1) % len(j.slots)
	if j.count < len(j.slots) {
		j.count++
	}
}

// redact returns a body for the journal: JSON with the values of
// secretKeys and token ids replaced by "***", serialised as Nova's Python
// would; anything else as it came, if it has no such key at all.
func redact(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	v, err := pyjson.Parse(body)
	if err != nil {
		lower := bytes.ToLower(body)
		if bytes.Contains(lower, []byte("password")) || bytes.Contains(lower, []byte("adminpass")) ||
			bytes.Contains(lower, []byte("secret")) || bytes.Contains(lower, []byte("passcode")) {
			return "***" // not JSON, but it may hold a secret
		}
		return string(body)
	}
	return string(pyjson.AppendValue(nil, redactValue(v, "")))
}

// secretKeys are the (lowercased) keys whose values the journal hides:
// Nova's and Keystone's passwords, application credential secrets and TOTP
// passcodes.
var secretKeys = map[string]bool{"password": true, "adminpass": true, "secret": true, "passcode": true}

func redactValue(v pyjson.Value, parent string) pyjson.Value {
	switch v.Kind {
	case pyjson.Object:
		members := make([]pyjson.Member, len(v.Members))
		for i, m := range v.Members {
			switch key := strings.ToLower(m.Key); {
			case secretKeys[key] || key == "id" && strings.EqualFold(parent, "token"):
				members[i] = pyjson.M(m.Key, pyjson.Str("***"))
			default:
				members[i] = pyjson.M(m.Key, redactValue(m.Value, m.Key))
			}
		}
		return pyjson.Obj(members...)
	case pyjson.Array:
		items := make([]pyjson.Value, len(v.Items))
		for i, it := range v.Items {
			items[i] = redactValue(it, parent)
		}
		return pyjson.Arr(items...)
	}
	return v
}

// addCall keeps an entry of a call of the compute API, once answered.
func (j *Journal) addCall(c *call) {
	e := Entry{Time: j.stamp(c.start), RequestID: c.requestID, Operation: c.op, Method: c.r.Method,
		Path: c.r.URL.Path, ServerID: c.serverID(), Status: c.status.code, Duration: time.Since(c.start)}
	if c.identity != nil {
		e.ProjectID = c.identity.ProjectID
	}
	if c.versioned && c.version.Major == 2 && c.version.Minor < len(c.nova.versionHeaders.legacyVersion) {
		e.Microversion = c.nova.versionHeaders.legacyVersion[c.version.Minor][0]
	}
	if e.Status == 0 {
		e.Status = unanswered(c.r)
	}
	j.add(&e, c.raw.Bytes())
}

// stamp is an entry's time: the store's clock's, unless it is the wall
// clock (then the time the request came, already read).
func (j *Journal) stamp(start time.Time) time.Time {
	if _, wall := j.clock.(state.SystemClock); wall {
		return start
	}
	return j.clock.Now()
}

// unanswered is the status of an entry nothing was written for: 200, as
// net/http answers a handler that wrote nothing, or 499 when the client is
// gone (it gave up during a delay) and got no answer at all.
func unanswered(r *http.Request) int {
	if r.Context().Err() != nil {
		return statusClientClosedRequest
	}
	return http.StatusOK
}

// journalWriter is the ResponseWriter the journal puts in front of a
// service beside the compute API: it records the status.
type journalWriter struct {
	http.ResponseWriter
	entry Entry
	body  bytes.Buffer
}

func (jw *journalWriter) WriteHeader(code int) {
	if jw.entry.Status == 0 {
		jw.entry.Status = code
	}
	jw.ResponseWriter.WriteHeader(code)
}

func (jw *journalWriter) Write(p []byte) (int, error) {
	if jw.entry.Status == 0 {
		jw.entry.Status = http.StatusOK
	}
	return jw.ResponseWriter.Write(p)
}

var journalWriters = sync.Pool{New: func() any { return new(journalWriter) }}

// teeBody copies what is read of a request body into the journal's buffer.
type teeBody struct {
	io.ReadCloser
	copy *bytes.Buffer
}

func (t teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	t.copy.Write(p[:n])
	return n, err
}

// record runs h, a service beside the compute API, keeping an entry of the
// request in the journal: opOf names its operation; the request body is
// copied as h reads it.
func (j *Journal) record(w http.ResponseWriter, r *http.Request, opOf func(*http.Request) string, h http.Handler) {
	if len(j.slots) == 0 {
		h.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	jw := journalWriters.Get().(*journalWriter)
	jw.ResponseWriter = w
	jw.entry = Entry{Time: j.stamp(start), Method: r.Method, Path: r.URL.Path, Operation: opOf(r)}
	jw.body.Reset()
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = teeBody{r.Body, &jw.body}
	}
	h.ServeHTTP(jw, r)
	jw.entry.Duration = time.Since(start)
	jw.entry.RequestID = firstValue(w.Header(), middleware.HeaderOpenstackRequestID)
	if jw.entry.Status == 0 {
		jw.entry.Status = unanswered(r)
	}
	j.add(&jw.entry, jw.body.Bytes())
	jw.ResponseWriter = nil
	if jw.body.Cap() <= 1<<16 {
		journalWriters.Put(jw)
	}
}
