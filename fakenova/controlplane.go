package fakenova

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/novastub/novastub/state"
)

// ControlPlanePrefix is where the HTTP control plane lives.
const ControlPlanePrefix = "/_novastub/"

// controlPlaneRoot is the prefix without its slash, which also shows the
// index.
const controlPlaneRoot = "/_novastub"

// isControlPath reports whether a path is the control plane's.
func isControlPath(p string) bool {
	return strings.HasPrefix(p, ControlPlanePrefix) || p == controlPlaneRoot
}

// ControlPlane configures the HTTP control plane, the toolkit for tests
// that are not written in Go (and for people with curl). Under
// /_novastub/, JSON in and out (controlCalls lists every call; GET
// /_novastub/ shows them):
//
//	GET    /_novastub/                  the index: the control calls and the services (HTML for a browser)
//	GET    /_novastub/healthz           -> {"status": "ok"}
//	POST   /_novastub/faults            {"operation": "getVNCConsole", "server_id": "...", "status": 503, "times": 1, "delay_ms": 0}
//	                                    -> 201 {"id": "..."}; {"sequence": [rule, ...]} -> 201 {"ids": [...]}
//	GET    /_novastub/faults            -> {"faults": [...]}
//	DELETE /_novastub/faults/{id}       -> 204
//	DELETE /_novastub/faults            -> 204
//	GET    /_novastub/journal?operation=X&server_id=Y&status=Z&limit=N&marker=SEQ
//	                                    -> {"requests": [...], "next_marker": SEQ (when there are more)}
//	DELETE /_novastub/journal           -> 204
//	GET    /_novastub/clock             -> {"now": "<RFC 3339>"}
//	POST   /_novastub/clock/advance     {"seconds": 600} -> {"now": "<RFC 3339>"}
//	PUT    /_novastub/servers/{id}      {"status": "SHUTOFF", "task_state": null, "host": "",
//	                                     "console_output": "text"} (any subset; console_output null
//	                                     goes back to the generated boot log)
//	GET    /_novastub/state             -> the whole model in the seed-file format
//	PUT    /_novastub/state             the whole model -> 204
//	POST   /_novastub/reset             -> 204, back to the seed
//
// Bad input gets 400 {"error": {"field": "...", "message": "..."}}. The
// control plane's own requests are not in the journal and cannot be
// faulted.
//
// It is safe by default, since it serves every password and token of the
// model and can change anything:
//
//   - With a Token, every call but the index and healthz needs it, as
//     "Authorization: Bearer <token>" or "X-Novastub-Token: <token>",
//     compared in constant time (of the digests: the token's length does
//     not leak). Without one, the control plane answers only on loopback
//     connections (a 403 on others): a library user who mounts the fake
//     on a public address must set a token.
//   - Every call but healthz needs a Host header that names a loopback
//     host (localhost, 127.0.0.0/8, [::1]), the external URL's host
//     (WithExternalURL) or one of AllowedHosts: a web page that rebinds
//     its own name to 127.0.0.1 gets a 403 (DNS rebinding).
//   - POST and PUT need Content-Type: application/json (a 415 otherwise),
//     so that a web page cannot reach them with a form or a text/plain
//     request, which browsers send cross-origin without asking.
type ControlPlane struct {
	// Token, when set, must come with every control request but the
	// index and healthz. Empty: none, and loopback connections only.
	Token string
	// Seed is what POST /_novastub/reset restores. Nil: the model as it
	// was when the fake was created (with Start: once Start seeded it).
	Seed *state.Seed
	// AllowedHosts are host names (without port) the control plane
	// answers to beside loopback ones and the external URL's, such as the
	// name a stub is reached by on a network. Default: none.
	AllowedHosts []string
}

// WithControlPlane turns on the HTTP control plane. Default: off.
func WithControlPlane(cp ControlPlane) Option {
	return func(c *config) { c.control = &cp }
}

// controlPlane serves /_novastub/.
type controlPlane struct {
	n       *Nova
	handler http.Handler // the control plane, logged
	guard   controlGuard
	seed    *state.Seed
	router  *httprouter.Router
}

// controlCall is one call of the control plane: its route, what the index
// says of it, and whether it needs the token.
type controlCall struct {
	method, path, about string
	open                bool // served without the token (the index, healthz)
	serve               func(c *controlPlane) httprouter.Handle
}

// controlCalls returns the control plane's calls, in the index's order.
func controlCalls() []controlCall {
	return []controlCall{
		{http.MethodGet, "/_novastub/", "this index (JSON, or HTML for a browser)", true, func(c *controlPlane) httprouter.Handle { return c.index }},
		{http.MethodGet, "/_novastub/healthz", "200 {\"status\": \"ok\"} while the fake serves", true, func(c *controlPlane) httprouter.Handle { return c.healthz }},
		{http.MethodPost, "/_novastub/faults", "add a fault rule, or a sequence of them", false, func(c *controlPlane) httprouter.Handle { return c.addFaults }},
		{http.MethodGet, "/_novastub/faults", "list the fault rules", false, func(c *controlPlane) httprouter.Handle { return c.listFaults }},
		{http.MethodDelete, "/_novastub/faults", "remove every fault rule", false, func(c *controlPlane) httprouter.Handle { return c.clearFaults }},
		{http.MethodDelete, "/_novastub/faults/:id", "remove one fault rule", false, func(c *controlPlane) httprouter.Handle { return c.removeFault }},
		{http.MethodGet, "/_novastub/journal", "the requests received, oldest first (operation, server_id, status, limit, marker)", false, func(c *controlPlane) httprouter.Handle { return c.journal }},
		{http.MethodDelete, "/_novastub/journal", "empty the journal", false, func(c *controlPlane) httprouter.Handle { return c.clearJournal }},
		{http.MethodGet, "/_novastub/clock", "the fake's time", false, func(c *controlPlane) httprouter.Handle { return c.clock }},
		{http.MethodPost, "/_novastub/clock/advance", "move the clock forward by {\"seconds\": N}", false, func(c *controlPlane) httprouter.Handle { return c.advance }},
		{http.MethodPut, "/_novastub/servers/:id", "set a server's status, task_state or host", false, func(c *controlPlane) httprouter.Handle { return c.updateServer }},
		{http.MethodGet, "/_novastub/state", "the whole model, in the seed-file format (secrets included)", false, func(c *controlPlane) httprouter.Handle { return c.getState }},
		{http.MethodPut, "/_novastub/state", "replace the whole model", false, func(c *controlPlane) httprouter.Handle { return c.putState }},
		{http.MethodPost, "/_novastub/reset", "back to the seed, no faults, an empty journal", false, func(c *controlPlane) httprouter.Handle { return c.reset }},
	}
}

func newControlPlane(n *Nova, cp ControlPlane) *controlPlane {
	c := &controlPlane{n: n, seed: cp.Seed, router: httprouter.New(),
		guard: newControlGuard(cp.Token, n.cfg.externalURL, cp.AllowedHosts)}
	if c.seed == nil {
		c.seed = n.store.Snapshot()
	}
	r := c.router
	r.RedirectTrailingSlash, r.RedirectFixedPath, r.HandleMethodNotAllowed = false, false, true
	r.NotFound = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		controlError(w, http.StatusNotFound, "path", "no such control endpoint (GET "+ControlPlanePrefix+" lists them)")
	})
	r.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		controlError(w, http.StatusMethodNotAllowed, "method", "not allowed on this control endpoint")
	})
	for _, call := range controlCalls() {
		r.Handle(call.method, call.path, call.serve(c))
	}
	r.Handle(http.MethodGet, controlPlaneRoot, c.index)
	c.handler = n.logged("control", c)
	return c
}

func (c *controlPlane) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if p == ControlPlanePrefix+"healthz" && r.Method == http.MethodGet {
		c.router.ServeHTTP(w, r) // for probes, whatever their Host
		return
	}
	if !c.guard.check(w, r) {
		return
	}
	index := r.Method == http.MethodGet && (p == ControlPlanePrefix || p == controlPlaneRoot)
	if !index && !c.guard.tokenGiven(w, r) {
		return // unknown endpoints too are hidden behind the token
	}
	c.router.ServeHTTP(w, r)
}

func (c *controlPlane) healthz(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	writeControl(w, http.StatusOK, map[string]string{"status": "ok"})
}

// faultJSON is a fault rule on the wire.
type faultJSON struct {
	Operation   string `json:"operation"`
	ServerID    string `json:"server_id,omitempty"`
	ProjectID   string `json:"project_id,omitempty"`
	Status      int    `json:"status,omitempty"`
	Message     string `json:"message,omitempty"`
	Body        string `json:"body,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	DelayMS     int64  `json:"delay_ms,omitempty"`
	AfterChange bool   `json:"after_change,omitempty"`
	Times       int    `json:"times,omitempty"`
}

func (f faultJSON) fault() Fault {
	return Fault{Operation: f.Operation, ServerID: f.ServerID, ProjectID: f.ProjectID, Status: f.Status,
		Message: f.Message, Body: f.Body, ContentType: f.ContentType,
		Delay: time.Duration(f.DelayMS) * time.Millisecond, AfterChange: f.AfterChange, Times: f.Times}
}

func (c *controlPlane) addFaults(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	var in struct {
		faultJSON
		Sequence []faultJSON `json:"sequence"`
	}
	if !decodeControl(w, r, &in) {
		return
	}
	if in.Sequence != nil {
		rules := make([]Fault, len(in.Sequence))
		for i, f := range in.Sequence {
			if f.DelayMS < 0 {
				controlError(w, http.StatusBadRequest, fmt.Sprintf("sequence[%d].delay_ms", i), "must not be negative")
				return
			}
			rules[i] = f.fault()
			if err := rules[i].check(); err != nil {
				controlFieldError(w, fmt.Sprintf("sequence[%d]", i), err)
				return
			}
		}
		ids, err := c.n.faults.Sequence(rules...)
		if err != nil {
			controlFieldError(w, "sequence", err)
			return
		}
		writeControl(w, http.StatusCreated, map[string]any{"ids": ids})
		return
	}
	if in.DelayMS < 0 {
		controlError(w, http.StatusBadRequest, "delay_ms", "must not be negative")
		return
	}
	id, err := c.n.faults.Add(in.faultJSON.fault())
	if err != nil {
		controlFieldError(w, "", err)
		return
	}
	writeControl(w, http.StatusCreated, map[string]string{"id": id})
}

func (c *controlPlane) listFaults(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	type ruleJSON struct {
		ID string `json:"id"`
		faultJSON
		Remaining int `json:"remaining"`
	}
	rules := []ruleJSON{}
	for _, r := range c.n.faults.List() {
		rules = append(rules, ruleJSON{ID: r.ID, Remaining: r.Remaining, faultJSON: faultJSON{
			Operation: r.Operation, ServerID: r.ServerID, ProjectID: r.ProjectID, Status: r.Status,
			Message: r.Message, Body: r.Body, ContentType: r.ContentType,
			DelayMS: r.Delay.Milliseconds(), AfterChange: r.AfterChange, Times: r.Times}})
	}
	writeControl(w, http.StatusOK, map[string]any{"faults": rules})
}

func (c *controlPlane) clearFaults(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	c.n.faults.Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (c *controlPlane) removeFault(w http.ResponseWriter, _ *http.Request, ps httprouter.Params) {
	if err := c.n.faults.Remove(ps.ByName("id")); err != nil {
		controlError(w, http.StatusNotFound, "id", err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// journalPage is how many entries a journal read answers by default and
// at most: a page; "next_marker" leads to the next.
const journalPage = 1000

func (c *controlPlane) journal(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	q := r.URL.Query()
	query := Query{Operation: q.Get("operation"), ServerID: q.Get("server_id"), Limit: journalPage}
	if query.Operation != "" {
		if err := checkOperation(query.Operation); err != nil {
			controlError(w, http.StatusBadRequest, "operation", err.Error())
			return
		}
	}
	for _, p := range []struct {
		name string
		set  func(n uint64)
	}{
		{"status", func(n uint64) { query.Status = int(n) }},
		{"limit", func(n uint64) { query.Limit = int(min(n, journalPage)) }},
		{"marker", func(n uint64) { query.After = n }},
	} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil || p.name == "status" && n > 999 || p.name == "limit" && n == 0 {
				controlError(w, http.StatusBadRequest, p.name, "must be a positive number")
				return
			}
			p.set(n)
		}
	}
	page := query.Limit
	query.Limit++ // one more tells whether there is a next page
	entries := c.n.journal.Entries(query)
	doc := map[string]any{}
	if len(entries) > page {
		entries = entries[:page]
		doc["next_marker"] = entries[page-1].Seq
	}
	if entries == nil {
		entries = []Entry{}
	}
	doc["requests"] = entries
	writeControl(w, http.StatusOK, doc)
}

func (c *controlPlane) clearJournal(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	c.n.journal.Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (c *controlPlane) clock(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	writeControl(w, http.StatusOK, map[string]string{"now": c.n.store.Clock().Now().UTC().Format(time.RFC3339Nano)})
}

func (c *controlPlane) advance(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	var in struct {
		Seconds *float64 `json:"seconds"`
	}
	if !decodeControl(w, r, &in) {
		return
	}
	if in.Seconds == nil || *in.Seconds < 0 {
		controlError(w, http.StatusBadRequest, "seconds", "required, and not negative")
		return
	}
	d := time.Duration(math.MaxInt64) // beyond 292 years, the clock saturates
	if *in.Seconds < float64(math.MaxInt64)/float64(time.Second) {
		d = time.Duration(*in.Seconds * float64(time.Second))
	}
	now, err := c.n.Advance(d)
	if err != nil {
		controlError(w, http.StatusConflict, "clock", err.Error())
		return
	}
	writeControl(w, http.StatusOK, map[string]string{"now": now.UTC().Format(time.RFC3339Nano)})
}

func (c *controlPlane) updateServer(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	var in struct {
		Status        *string         `json:"status"`
		TaskState     json.RawMessage `json:"task_state"`
		Host          *string         `json:"host"`
		ConsoleOutput json.RawMessage `json:"console_output"`
	}
	if !decodeControl(w, r, &in) {
		return
	}
	var consoleOutput *string
	if in.ConsoleOutput != nil && string(in.ConsoleOutput) != "null" {
		if err := json.Unmarshal(in.ConsoleOutput, &consoleOutput); err != nil {
			controlError(w, http.StatusBadRequest, "console_output", "must be a string or null")
			return
		}
	}
	var task *state.TaskState
	if in.TaskState != nil {
		t := state.TaskNone
		if string(in.TaskState) != "null" {
			var s string
			if err := json.Unmarshal(in.TaskState, &s); err != nil {
				controlError(w, http.StatusBadRequest, "task_state", "must be a string or null")
				return
			}
			t = state.TaskState(s)
		}
		task = &t
	}
	id := ps.ByName("id")
	var srv state.Server
	var err error
	switch {
	case in.Status != nil:
		// As a seed file sets a server: the status's states and host rule.
		srv, err = c.n.store.SetServerStatus(id, *in.Status, task, in.Host)
	case task != nil || in.Host != nil:
		srv, err = c.n.store.UpdateServer(id, func(s *state.Server) {
			if task != nil {
				s.TaskState = *task
			}
			if in.Host != nil {
				s.Host = *in.Host
			}
		})
	default:
		srv, err = c.n.store.Server(id)
	}
	switch {
	case err != nil || in.ConsoleOutput == nil:
	case consoleOutput != nil:
		err = c.n.store.SetConsoleOutput(id, *consoleOutput)
	default:
		err = c.n.store.ResetConsoleOutput(id)
	}
	var invalid *state.InvalidError
	var missing *state.NotFoundError
	switch {
	case errors.As(err, &missing) && missing.Kind == "server":
		controlError(w, http.StatusNotFound, "id", err.Error())
		return
	case errors.As(err, &missing):
		controlError(w, http.StatusBadRequest, missing.Kind, err.Error())
		return
	case errors.As(err, &invalid):
		controlError(w, http.StatusBadRequest, invalid.Field, invalid.Reason)
		return
	case err != nil:
		controlError(w, http.StatusBadRequest, "", err.Error())
		return
	}
	out := state.SeedServerOf(srv)
	if text, err := c.n.store.ConsoleOutput(id); err == nil && consoleOutput != nil {
		out.ConsoleOutput = &text
	}
	writeControl(w, http.StatusOK, map[string]any{"server": out})
}

func (c *controlPlane) getState(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	writeControl(w, http.StatusOK, c.n.store.Snapshot())
}

func (c *controlPlane) putState(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		controlError(w, http.StatusBadRequest, "body", err.Error())
		return
	}
	seed, err := state.ParseSeed(data)
	if err == nil {
		err = c.n.store.Load(seed)
	}
	if err != nil {
		controlFieldError(w, "", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *controlPlane) reset(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	if err := c.n.store.Load(c.seed); err != nil {
		controlFieldError(w, "", err)
		return
	}
	c.n.faults.Clear()
	c.n.journal.Clear()
	w.WriteHeader(http.StatusNoContent)
}

// decodeControl decodes a JSON body strictly, or answers a 400 that names
// the bad field.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &typeErr):
		// The path names the Go struct a field is embedded from: drop it.
		field := strings.TrimPrefix(typeErr.Field, "faultJSON.")
		controlError(w, http.StatusBadRequest, field, "expected "+jsonType(typeErr.Type.Kind().String())+", got "+typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		controlError(w, http.StatusBadRequest, strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
	default:
		controlError(w, http.StatusBadRequest, "body", "malformed JSON: "+err.Error())
	}
	return false
}

// jsonType names a Go kind as JSON does.
func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "an array"
	}
	return "an object"
}

// controlFieldError answers 400 for an error that may name its field.
func controlFieldError(w http.ResponseWriter, prefix string, err error) {
	var fe *FieldError
	var inv *state.InvalidError
	field := ""
	switch {
	case errors.As(err, &fe):
		field = fe.Field
	case errors.As(err, &inv):
		field = inv.Field
	}
	if prefix != "" && field != "" {
		field = prefix + "." + field
	} else if prefix != "" {
		field = prefix
	}
	if field == "" {
		field = "body" // the document as a whole, such as malformed JSON
	}
	controlError(w, http.StatusBadRequest, field, err.Error())
}

func controlError(w http.ResponseWriter, code int, field, msg string) {
	writeControl(w, code, map[string]any{"error": map[string]string{"field": field, "message": msg}})
}

func writeControl(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}
