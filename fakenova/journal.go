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

// The journal's defaults.
const (
	// DefaultJournalSize is how many requests a Journal keeps by default.
	DefaultJournalSize = 1000
	// DefaultJournalMaxBody is how much of a request body an entry keeps
	// by default; the rest is cut (Entry.BodyTruncated).
	DefaultJournalMaxBody = 16 << 10
	// DefaultJournalBudget is how many body bytes a journal keeps in all
	// by default: past it the oldest entries go.
	DefaultJournalBudget = 8 << 20
)

// Entry is one request the fake received, as the journal keeps it.
type Entry struct {
	// Seq numbers the entries in the order they were kept, from 1; a page
	// of entries goes on after the last Seq it had (Query.After).
	Seq          uint64        `json:"seq"`
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
	// and X-Subject-Token never appear. A body cut at the journal's
	// limit (BodyTruncated) is no longer JSON: it is "***" whole if it
	// may hold a secret.
	Body string `json:"body,omitempty"`
	// BodyTruncated marks a body longer than the journal keeps (at most
	// DefaultJournalMaxBody bytes, JournalMaxBody); BodyBytes is then its
	// whole length.
	BodyTruncated bool `json:"body_truncated,omitempty"`
	BodyBytes     int  `json:"body_bytes,omitempty"`
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
	// After, when set, selects the entries after the one with this Seq:
	// the next page after a page that ended there.
	After uint64
	// Limit, when set, returns at most this many entries (a page).
	Limit int
}

// Journal is a bounded ring of the requests the fake received, oldest
// dropped first: at most its size in entries, at most its budget in body
// bytes, each body cut at its per-entry limit. It is safe for concurrent
// use.
type Journal struct {
	clock   state.Clock
	maxBody int
	budget  int
	size    int // the most entries kept
	mu      sync.Mutex
	// slots is the ring, grown to size as entries come (a fake that
	// gets few requests does not pay for a thousand slots).
	slots []journalSlot
	next  int    // where the next entry goes
	count int    // entries kept
	bytes int    // body bytes kept
	seq   uint64 // the last entry's Seq
}

type journalSlot struct {
	Entry
	body []byte // the raw body (cut at maxBody), redacted when read
}

// JournalOption configures a Journal.
type JournalOption func(*Journal)

// JournalMaxBody sets how much of each request body the journal keeps;
// the rest is cut, and the entry says so. Default: DefaultJournalMaxBody.
func JournalMaxBody(n int) JournalOption { return func(j *Journal) { j.maxBody = max(n, 0) } }

// JournalBudget sets how many body bytes the journal keeps in all; past
// it the oldest entries are dropped. Default: DefaultJournalBudget.
func JournalBudget(n int) JournalOption { return func(j *Journal) { j.budget = max(n, 0) } }

// NewJournal returns a journal that keeps the last size requests (size <=
// 0 keeps none), stamped by clock (nil: the wall clock).
func NewJournal(size int, clock state.Clock, opts ...JournalOption) *Journal {
	if clock == nil {
		clock = state.SystemClock{}
	}
	if size < 0 {
		size = 0
	}
	j := &Journal{clock: clock, size: size, maxBody: DefaultJournalMaxBody, budget: DefaultJournalBudget}
	for _, o := range opts {
		o(j)
	}
	return j
}

// Entries returns the entries q selects, oldest first.
func (j *Journal) Entries(q Query) []Entry {
	var out []Entry
	j.scan(q, func(s *journalSlot) {
		e := s.Entry
		e.Body = redact(s.body)
		out = append(out, e)
	})
	return out
}

// scan calls f with each slot q selects, oldest first, under the lock.
func (j *Journal) scan(q Query, f func(*journalSlot)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for i := 0; i < j.count; i++ {
		s := &j.slots[(j.next-j.count+i+len(j.slots))%len(j.slots)]
		if s.Seq <= q.After || q.Operation != "" && s.Operation != q.Operation ||
			q.ServerID != "" && s.ServerID != q.ServerID || q.Status != 0 && s.Status != q.Status {
			continue
		}
		if q.Limit > 0 && n == q.Limit {
			return
		}
		f(s)
		n++
	}
}

// Count returns how many kept entries are of operation op.
func (j *Journal) Count(op string) int {
	n := 0
	j.scan(Query{Operation: op}, func(*journalSlot) { n++ })
	return n
}

// Last returns the latest entry of operation op.
func (j *Journal) Last(op string) (Entry, bool) {
	var e Entry
	var body []byte
	found := false
	j.scan(Query{Operation: op}, func(s *journalSlot) { // under the lock
		e, body, found = s.Entry, append(body[:0], s.body...), true
	})
	if !found {
		return Entry{}, false
	}
	e.Body = redact(body)
	return e, true
}

// Clear empties the journal.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := range j.slots {
		j.slots[i].body = j.slots[i].body[:0]
	}
	j.next, j.count, j.bytes = 0, 0, 0
}

// on reports whether the journal keeps anything.
func (j *Journal) on() bool { return j.size > 0 }

func (j *Journal) add(e *Entry, body []byte) {
	if j.size == 0 {
		return
	}
	full := len(body)
	if len(body) > j.maxBody {
		body = body[:j.maxBody]
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.count == j.size {
		j.dropOldest() // the slot the entry takes
	}
	for j.count > 0 && j.bytes+len(body) > j.budget {
		j.dropOldest()
	}
	if len(body) > j.budget {
		body = body[:j.budget]
	}
	if j.next == len(j.slots) && len(j.slots) < j.size {
		// Grow the ring: while it grows, the entries are in order from
		// slot 0 (next wraps only once it is full).
		j.slots = append(j.slots, journalSlot{})
		j.slots = j.slots[:cap(j.slots)][:min(cap(j.slots), j.size)]
	}
	s := &j.slots[j.next]
	j.seq++
	s.Entry = *e
	s.Seq = j.seq
	if len(body) < full {
		s.BodyTruncated, s.BodyBytes = true, full
	}
	s.body = append(s.body[:0], body...)
	j.bytes += len(body)
	if j.next++; j.next == j.size {
		j.next = 0
	}
	j.count++
}

// dropOldest drops the oldest entry. j.mu is held.
func (j *Journal) dropOldest() {
	s := &j.slots[(j.next-j.count+len(j.slots))%len(j.slots)]
	j.bytes -= len(s.body)
	s.body = s.body[:0]
	j.count--
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

// Unwrap lets http.ResponseController reach the connection.
func (jw *journalWriter) Unwrap() http.ResponseWriter { return jw.ResponseWriter }

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
// request in the journal and passing it to log (when not nil): opOf names
// its operation; the request body is copied as h reads it.
func (j *Journal) record(w http.ResponseWriter, r *http.Request, opOf func(*http.Request) string,
	log func(*http.Request, *Entry), h http.Handler) {
	if j.size == 0 && log == nil {
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
	if log != nil {
		log(r, &jw.entry)
	}
	jw.ResponseWriter = nil
	if jw.body.Cap() <= 1<<16 {
		journalWriters.Put(jw)
	}
}
