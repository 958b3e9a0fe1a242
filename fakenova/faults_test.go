package fakenova_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/fakenova/image"
	"github.com/novastub/novastub/fakenova/network"
	"github.com/novastub/novastub/state"
)

func TestFaultAddRejectsBadRules(t *testing.T) {
	rows := []struct {
		name  string
		rule  fakenova.Fault
		field string
	}{
		{"unknown operation", fakenova.Fault{Operation: "getVncConsole", Status: 503}, "operation"},
		{"no operation", fakenova.Fault{Status: 503}, "operation"},
		{"status too low", fakenova.Fault{Operation: "getVNCConsole", Status: 99}, "status"},
		{"status too high", fakenova.Fault{Operation: "getVNCConsole", Status: 600}, "status"},
		{"interim status", fakenova.Fault{Operation: "getVNCConsole", Status: 103}, "status"},
		{"switching protocols", fakenova.Fault{Operation: "getVNCConsole", Status: 101}, "status"},
		{"negative status", fakenova.Fault{Operation: "getVNCConsole", Status: -503}, "status"},
		{"negative times", fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: -1}, "times"},
		{"negative delay", fakenova.Fault{Operation: "getVNCConsole", Delay: -time.Second}, "delay"},
		{"a body without a status", fakenova.Fault{Operation: "getVNCConsole", Body: `{}`}, "body"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			var faults fakenova.Faults
			id, err := faults.Add(row.rule)
			require.Error(t, err)
			assert.Empty(t, id)
			var fe *fakenova.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, row.field, fe.Field)
			assert.NotEmpty(t, fe.Reason)
			assert.True(t, strings.HasPrefix(err.Error(), row.field+": "), err.Error())
			assert.Equal(t, row.field == "operation", errors.Is(err, fakenova.ErrUnknownOperation), err.Error())
			assert.Empty(t, faults.List(), "a bad rule is not added")
		})
	}

	var faults fakenova.Faults
	_, err := faults.Add(fakenova.Fault{Operation: "getVncConsole"})
	assert.EqualError(t, err, `operation: fakenova: unknown operation "getVncConsole" (see fakenova.Operations)`)

	// Every operation name is accepted, identity ones included.
	for _, op := range fakenova.Operations {
		_, err := faults.Add(fakenova.Fault{Operation: op, Status: 500})
		require.NoError(t, err, op)
	}
	assert.Len(t, faults.List(), len(fakenova.Operations))
	assert.Len(t, fakenova.Operations, 31+len(identity.Operations)+len(image.Operations)+len(network.Operations),
		"the compute API's 31 and those of the services beside it")
}

// A sequence is added whole or not at all, and its error names the rule.
func TestFaultSequenceAllOrNothing(t *testing.T) {
	var faults fakenova.Faults
	ids, err := faults.Sequence(
		fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1},
		fakenova.Fault{Operation: "getVNCConsole", Status: 1000, Times: 1},
	)
	require.Error(t, err)
	assert.Nil(t, ids)
	assert.EqualError(t, err, "rule 1: status: must be a final HTTP status, 200 to 599")
	var fe *fakenova.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "status", fe.Field)
	assert.Empty(t, faults.List())

	_, err = faults.Sequence(fakenova.Fault{Operation: "nope"}, fakenova.Fault{Operation: "showServer"})
	assert.ErrorIs(t, err, fakenova.ErrUnknownOperation)
	assert.Empty(t, faults.List())

	ids, err = faults.Sequence(fakenova.Fault{Operation: "showServer", Status: 503, Times: 1}, fakenova.Fault{Operation: "showServer", Times: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"fault-1", "fault-2"}, ids)
}

// A test that adds a bad rule through the test helper fails.
func TestAddFaultFailsTheTest(t *testing.T) {
	rt := &recordingT{T: t}
	ts := fakenova.Start(rt)
	assert.Empty(t, ts.AddFault(fakenova.Fault{Operation: "getVNCConsoles", Status: 503}))
	errs, fatals := rt.reported()
	assert.Empty(t, errs)
	assert.Equal(t, []string{`fakenova: adding a fault: operation: fakenova: unknown operation "getVNCConsoles" (see fakenova.Operations)`}, fatals)

	id := ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: 503})
	assert.Equal(t, "fault-1", id)
	errs, fatals = rt.reported()
	assert.Empty(t, errs)
	assert.Empty(t, fatals)
}

// A 503 rule answers Nova's own 503 fault, with the headers of the call
// (request ids, microversion) and the header that names the rule.
func TestFault503IsNovasFault(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	id := ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: 503})
	assert.Equal(t, "fault-1", id)

	ex := vncConsole(t, ts, srv.ID)
	assertNovaFault(t, ex, 503, "serviceUnavailable", msgUnavailable, "2.1")
	assert.Equal(t, unavailableBody, ex.body)
	assert.Equal(t, []string{id}, ex.header.Values(fakenova.HeaderInjected))
	assert.Equal(t, "fault-1", ex.header.Get("X-Novastub-Fault"))

	// At the microversion the client asked for, on remote-consoles.
	ts.AddFault(fakenova.Fault{Operation: "createConsole", Status: 503})
	ex = send(t, ts.URL, http.MethodPost, "/v2.1/servers/"+srv.ID+"/remote-consoles", apiHeader(ts.Token, "2.6"), rc("vnc", "novnc"))
	assertNovaFault(t, ex, 503, "serviceUnavailable", msgUnavailable, "2.6")
	assert.Equal(t, "fault-2", ex.header.Get(fakenova.HeaderInjected))

	// Other operations are untouched, and carry no fault header.
	ex = getServer(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Empty(t, ex.header.Values(fakenova.HeaderInjected))
}

func TestFaultStatusNamesAndMessage(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	for _, row := range []struct {
		status       int
		message      string
		key, wantMsg string
	}{
		{409, "", "conflictingRequest", msgConflict},
		{409, "Cannot 'os-getVNCConsole' instance while it is in task_state migrating", "conflictingRequest",
			"Cannot 'os-getVNCConsole' instance while it is in task_state migrating"},
		{500, "", "computeFault", msgServerError},
		{502, "bad gateway", "computeFault", "bad gateway"},
		{404, "", "itemNotFound", webobNotFound},
		{429, "slow down \"please\"", "overLimit", "slow down \"please\""},
		{503, "maintenance", "serviceUnavailable", "maintenance"},
	} {
		id := ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: row.status, Message: row.message, Times: 1})
		ex := vncConsole(t, ts, srv.ID)
		assertNovaFault(t, ex, row.status, row.key, row.wantMsg, "2.1")
		assert.Equal(t, id, ex.header.Get(fakenova.HeaderInjected))
	}
}

func TestFaultCustomBody(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	id := ts.AddFault(fakenova.Fault{Operation: "showServer", Status: 502, Body: "<html><h1>502 Bad Gateway</h1></html>",
		ContentType: "text/html; charset=utf-8", Times: 1})
	ex := getServer(t, ts, srv.ID)
	require.Equal(t, http.StatusBadGateway, ex.status)
	assert.Equal(t, "<html><h1>502 Bad Gateway</h1></html>", ex.body)
	assert.Equal(t, "text/html; charset=utf-8", ex.header.Get("Content-Type"))
	assert.Equal(t, "37", ex.header.Get("Content-Length"))
	assert.Equal(t, id, ex.header.Get(fakenova.HeaderInjected))
	assertRequestIDs(t, ex.header)

	// Without a content type, a body is JSON.
	id = ts.AddFault(fakenova.Fault{Operation: "showServer", Status: 500, Body: `{"oops": true}`, Times: 1})
	ex = getServer(t, ts, srv.ID)
	require.Equal(t, http.StatusInternalServerError, ex.status)
	assert.Equal(t, `{"oops": true}`, ex.body)
	assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
	assert.Equal(t, id, ex.header.Get(fakenova.HeaderInjected))
}

func TestFaultNarrowedByServerAndProject(t *testing.T) {
	ts := fakenova.Start(t)
	a, b := ts.AddServer("a"), ts.AddServer("b")
	ts.AddFault(fakenova.Fault{Operation: "showServer", ServerID: a.ID, Status: 503})

	for range 2 {
		ex := getServer(t, ts, b.ID)
		require.Equal(t, http.StatusOK, ex.status, "another server passes: %s", ex.body)
		assert.Equal(t, b.ID, ex.decoded["server"]["id"])
		assert.Empty(t, ex.header.Get(fakenova.HeaderInjected))

		ex = getServer(t, ts, a.ID)
		assertNovaFault(t, ex, 503, "serviceUnavailable", msgUnavailable, "2.1")
	}

	// A rule of another project does not fire; one of the caller's does.
	ts.Faults().Clear()
	other := state.NewProjectID()
	ts.AddFault(fakenova.Fault{Operation: "showServer", ProjectID: other, Status: 500})
	ex := getServer(t, ts, a.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	mine := ts.AddFault(fakenova.Fault{Operation: "showServer", ProjectID: ts.ProjectID, ServerID: b.ID, Status: 500})
	ex = getServer(t, ts, a.ID)
	require.Equal(t, http.StatusOK, ex.status, "the project matches, the server does not: %s", ex.body)
	ex = getServer(t, ts, b.ID)
	assertNovaFault(t, ex, 500, "computeFault", msgServerError, "2.1")
	assert.Equal(t, mine, ex.header.Get(fakenova.HeaderInjected))
}

func TestFaultTimes(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")

	once := ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1})
	require.Equal(t, []fakenova.FaultRule{{ID: once, Fault: fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1}, Remaining: 1}},
		ts.Faults().List())
	ex := vncConsole(t, ts, srv.ID)
	assertNovaFault(t, ex, 503, "serviceUnavailable", msgUnavailable, "2.1")
	assert.Empty(t, ts.Faults().List(), "a rule that has fired its times is gone")
	ex = vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Empty(t, ex.header.Get(fakenova.HeaderInjected))
	assert.Equal(t, "novnc", ex.decoded["console"]["type"])

	always := ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: 500})
	for range 5 {
		ex = vncConsole(t, ts, srv.ID)
		assertNovaFault(t, ex, 500, "computeFault", msgServerError, "2.1")
		assert.Equal(t, always, ex.header.Get(fakenova.HeaderInjected))
	}
	assert.Equal(t, []fakenova.FaultRule{{ID: always, Fault: fakenova.Fault{Operation: "getVNCConsole", Status: 500}, Remaining: -1}},
		ts.Faults().List())
}

// 503, 503, then a step that passes (it carries the fault header, the rule
// was used), then the real answer.
func TestFaultSequence(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	ids, err := ts.Faults().Sequence(
		fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1},
		fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1},
		fakenova.Fault{Operation: "getVNCConsole", Times: 1},
	)
	require.NoError(t, err)
	require.Equal(t, []string{"fault-1", "fault-2", "fault-3"}, ids)

	for i := range 2 {
		ex := vncConsole(t, ts, srv.ID)
		assertNovaFault(t, ex, 503, "serviceUnavailable", msgUnavailable, "2.1")
		assert.Equal(t, ids[i], ex.header.Get(fakenova.HeaderInjected))
		assert.Len(t, ts.Faults().List(), 2-i)
	}
	ex := vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Equal(t, ids[2], ex.header.Get(fakenova.HeaderInjected))
	assert.True(t, strings.HasPrefix(ex.decoded["console"]["url"].(string), novncPrefix))
	assertVersionHeaders(t, ex.header, "2.1")
	assert.Empty(t, ts.Faults().List())

	ex = vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Empty(t, ex.header.Values(fakenova.HeaderInjected))
	assert.Equal(t, []int{503, 503, 200, 200}, statuses(ts.Journal().Entries(fakenova.Query{Operation: "getVNCConsole"})))
}

func TestFaultListRemoveClear(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	f := ts.Faults()
	a := ts.AddFault(fakenova.Fault{Operation: "showServer", ServerID: srv.ID, Status: 404, Message: "gone"})
	b := ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 2})
	c := ts.AddFault(fakenova.Fault{Operation: "createServer", AfterChange: true, Delay: time.Millisecond, ProjectID: ts.ProjectID})
	assert.Equal(t, []fakenova.FaultRule{
		{ID: a, Fault: fakenova.Fault{Operation: "showServer", ServerID: srv.ID, Status: 404, Message: "gone"}, Remaining: -1},
		{ID: b, Fault: fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 2}, Remaining: 2},
		{ID: c, Fault: fakenova.Fault{Operation: "createServer", AfterChange: true, Delay: time.Millisecond, ProjectID: ts.ProjectID}, Remaining: -1},
	}, f.List())

	// List returns copies.
	list := f.List()
	list[0].Status = 200
	assert.Equal(t, 404, f.List()[0].Status)

	// A removed rule no longer fires; the others do.
	require.NoError(t, f.Remove(b))
	assert.Equal(t, []string{a, c}, []string{f.List()[0].ID, f.List()[1].ID})
	ex := vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	ex = getServer(t, ts, srv.ID)
	assertNovaFault(t, ex, 404, "itemNotFound", "gone", "2.1")

	err := f.Remove(b)
	require.ErrorIs(t, err, fakenova.ErrNoSuchFault)
	assert.EqualError(t, err, `fakenova: no such fault rule: "`+b+`"`)
	assert.ErrorIs(t, f.Remove("fault-99"), fakenova.ErrNoSuchFault)

	f.Clear()
	assert.Empty(t, f.List())
	ex = getServer(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)

	// Ids are not reused after a clear.
	assert.Equal(t, "fault-4", ts.AddFault(fakenova.Fault{Operation: "showServer", Status: 500}))
}

// A rule with a delay and no status passes the call through after the
// delay; with a status it answers it after the delay.
func TestFaultDelay(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	const delay = 150 * time.Millisecond

	id := ts.AddFault(fakenova.Fault{Operation: "showServer", Delay: delay, Times: 1})
	start := time.Now()
	ex := getServer(t, ts, srv.ID)
	elapsed := time.Since(start)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Equal(t, srv.ID, ex.decoded["server"]["id"])
	assert.Equal(t, id, ex.header.Get(fakenova.HeaderInjected))
	assertVersionHeaders(t, ex.header, "2.1")
	assert.GreaterOrEqual(t, elapsed, delay)
	assert.Less(t, elapsed, delay+10*time.Second)

	id = ts.AddFault(fakenova.Fault{Operation: "showServer", Delay: delay, Status: 503, Times: 1})
	start = time.Now()
	ex = getServer(t, ts, srv.ID)
	elapsed = time.Since(start)
	assertNovaFault(t, ex, 503, "serviceUnavailable", msgUnavailable, "2.1")
	assert.Equal(t, id, ex.header.Get(fakenova.HeaderInjected))
	assert.GreaterOrEqual(t, elapsed, delay)
	assert.Less(t, elapsed, delay+10*time.Second)

	entries := ts.Journal().Entries(fakenova.Query{Operation: "showServer"})
	require.Len(t, entries, 2)
	for _, e := range entries {
		assert.GreaterOrEqual(t, e.Duration, delay, "the journal's duration includes the delay")
	}
}

// A client that gives up during a delay gets no answer: the fake stops
// waiting when the request's context ends, and writes nothing.
func TestFaultDelayHonoursCancellation(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	ts.AddFault(fakenova.Fault{Operation: "showServer", Delay: time.Hour, Status: 503, Times: 1})

	client := &http.Client{Timeout: 200 * time.Millisecond}
	req, err := http.NewRequest(http.MethodGet, ts.URL+"/v2.1/servers/"+srv.ID, nil)
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", ts.Token)
	resp, err := client.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout(), err.Error())

	// The handler returns as soon as the client is gone (not after an
	// hour); the journal says the client closed the request.
	require.Eventually(t, func() bool { return ts.Journal().Count("showServer") == 1 }, 10*time.Second, 5*time.Millisecond)
	e, ok := ts.Journal().Last("showServer")
	require.True(t, ok)
	assert.Equal(t, 499, e.Status)
	assert.Less(t, e.Duration, time.Minute)
	assert.Empty(t, ts.Faults().List(), "the rule fired")

	// The rule is used up: the next call is the real answer.
	ex := getServer(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
}

// writeSpy is a ResponseWriter that remembers whether anything was written.
type writeSpy struct {
	header  http.Header
	written bool
}

func (w *writeSpy) Header() http.Header         { return w.header }
func (w *writeSpy) WriteHeader(int)             { w.written = true }
func (w *writeSpy) Write(p []byte) (int, error) { w.written = true; return len(p), nil }

func TestFaultDelayCancelledWritesNothing(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	for _, rule := range []fakenova.Fault{
		{Operation: "showServer", Delay: time.Hour, Status: 503, Times: 1},
		{Operation: "showServer", Delay: time.Hour, Times: 1},
		{Operation: "showServer", Delay: time.Hour, AfterChange: true, Times: 1},
	} {
		ts.AddFault(rule)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		req := httptest.NewRequest(http.MethodGet, "/v2.1/servers/"+srv.ID, nil).WithContext(ctx)
		req.Header.Set("X-Auth-Token", ts.Token)
		w := &writeSpy{header: http.Header{}}
		start := time.Now()
		ts.Nova.ServeHTTP(w, req)
		cancel()
		assert.Less(t, time.Since(start), time.Minute)
		assert.False(t, w.written, "%+v: nothing written", rule)
	}
	assert.Equal(t, []int{499, 499, 499}, statuses(ts.Journal().Entries(fakenova.Query{})))
}

// AfterChange: the call changes the model, and the client gets a 500 as
// when Nova fails late.
func TestFaultAfterChangeCreateServer(t *testing.T) {
	ts := fakenova.Start(t)
	id := ts.AddFault(fakenova.Fault{Operation: "createServer", AfterChange: true, Times: 1})

	ex := send(t, ts.URL, http.MethodPost, "/v2.1/servers", apiHeader(ts.Token, ""),
		`{"server": {"name": "web-1", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1"}}`)
	assertNovaFault(t, ex, 500, "computeFault", msgServerError, "2.1")
	assert.Equal(t, id, ex.header.Get(fakenova.HeaderInjected))
	assert.Empty(t, ex.header.Get("Location"), "the real answer's headers are not leaked")

	servers := ts.State.Servers()
	require.Len(t, servers, 1, "the server was created all the same")
	assert.Equal(t, "web-1", servers[0].Name)
	assert.Equal(t, ts.ProjectID, servers[0].ProjectID)
	assert.Equal(t, "BUILD", servers[0].Status())

	// It builds as any other server does, and the API shows it.
	ts.Advance(6 * time.Second)
	got := getServer(t, ts, servers[0].ID)
	require.Equal(t, http.StatusOK, got.status, got.body)
	assert.Equal(t, "ACTIVE", got.decoded["server"]["status"])

	// With a status, that status.
	ts.AddFault(fakenova.Fault{Operation: "createServer", AfterChange: true, Status: 503, Times: 1})
	ex = send(t, ts.URL, http.MethodPost, "/v2.1/servers", apiHeader(ts.Token, "2.37"),
		`{"server": {"name": "web-2", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1", "networks": "none"}}`)
	assertNovaFault(t, ex, 503, "serviceUnavailable", msgUnavailable, "2.37")
	assert.Len(t, ts.State.Servers(), 2)
}

// AfterChange on a console: 500, but the console token was issued. The
// store keeps one console token here, so a new one pushes the previous
// one out: that the first token is gone proves another was stored.
func TestFaultAfterChangeConsole(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithState(state.New(
		state.WithClock(state.NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))),
		state.WithMaxConsoleTokens(1))))
	srv := ts.AddServer("web-1")

	ex := vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	first := tokenOf(t, ex.decoded["console"]["url"].(string), novncPrefix)
	_, err := ts.State.ConsoleToken(first)
	require.NoError(t, err)

	id := ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", AfterChange: true, Times: 1})
	ex = vncConsole(t, ts, srv.ID)
	assertNovaFault(t, ex, 500, "computeFault", msgServerError, "2.1")
	assert.Equal(t, id, ex.header.Get(fakenova.HeaderInjected))

	_, err = ts.State.ConsoleToken(first)
	assert.ErrorIs(t, err, state.ErrNotFound, "a second console token was stored and pushed the first out")
}

// wrappedService is a service beside the compute API for Wrap: a stand-in
// for Keystone's token call, with Keystone's own error writer.
type wrappedService struct {
	http.Handler
	errors *identity.Service
}

func (s wrappedService) Operation(r *http.Request) string {
	if r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodPost {
		return "createToken"
	}
	return ""
}

func (s wrappedService) WriteError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.errors.WriteError(w, r, code, msg)
}

// Injected faults of a service put behind the fake with Wrap (here
// identity operations) have the service's own error body: Keystone's,
// byte for byte as Keystone's flask application writes it.
func TestFaultIdentityOperationsThroughWrap(t *testing.T) {
	n := fakenova.New()
	var served int
	svc := wrappedService{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served++
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Subject-Token", "subject-token-value")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"token": {"methods": ["password"]}}`)
	}), errors: identity.New(nil)}
	srv := httptest.NewServer(n.Wrap(svc))
	t.Cleanup(srv.Close)
	post := func() exchange {
		return send(t, srv.URL, http.MethodPost, "/v3/auth/tokens", http.Header{"Content-Type": {"application/json"}}, `{"auth": {}}`)
	}

	ex := post()
	require.Equal(t, http.StatusCreated, ex.status, ex.body)
	assert.Equal(t, 1, served)

	for _, row := range []struct {
		rule fakenova.Fault
		body map[string]map[string]any
	}{
		{fakenova.Fault{Operation: "createToken", Status: 503, Times: 1},
			map[string]map[string]any{"error": {"code": float64(503), "title": "Service Unavailable", "message": "Service Unavailable"}}},
		{fakenova.Fault{Operation: "createToken", Status: 401, Times: 1},
			map[string]map[string]any{"error": {"code": float64(401), "title": "Unauthorized", "message": "The request you have made requires authentication."}}},
		{fakenova.Fault{Operation: "createToken", Status: 500, Message: `it "broke"`, Times: 1},
			map[string]map[string]any{"error": {"code": float64(500), "title": "Internal Server Error", "message": `it "broke"`}}},
	} {
		id, err := n.Faults().Add(row.rule)
		require.NoError(t, err)
		ex := post()
		require.Equal(t, row.rule.Status, ex.status, ex.body)
		assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
		assert.Equal(t, id, ex.header.Get(fakenova.HeaderInjected))
		assert.Empty(t, ex.header.Get("X-Subject-Token"))
		var body map[string]map[string]any
		require.NoError(t, json.Unmarshal([]byte(ex.body), &body), ex.body)
		assert.Equal(t, row.body, body)
	}
	ex = post()
	require.Equal(t, http.StatusCreated, ex.status, ex.body)
	assert.Equal(t, 2, served, "the injected answers never reached the service")
	assert.Equal(t, `{"error":{"code":503,"message":"Service Unavailable","title":"Service Unavailable"}}`+"\n",
		func() string {
			_, _ = n.Faults().Add(fakenova.Fault{Operation: "createToken", Status: 503, Times: 1})
			return post().body
		}())

	// AfterChange on an identity call: the token is issued, the client
	// gets Keystone's 500.
	_, err := n.Faults().Add(fakenova.Fault{Operation: "createToken", AfterChange: true, Times: 1})
	require.NoError(t, err)
	ex = post()
	require.Equal(t, http.StatusInternalServerError, ex.status)
	assert.Equal(t, `{"error":{"code":500,"message":"An unexpected error prevented the server from fulfilling your request.","title":"Internal Server Error"}}`+"\n", ex.body)
	assert.Equal(t, 3, served)

	// The journal has them, under their operation.
	assert.Equal(t, []int{201, 503, 401, 500, 201, 503, 500}, statuses(n.Journal().Entries(fakenova.Query{Operation: "createToken"})))
}

// An injected 401 of Keystone's token call is the real one, byte for byte:
// the same body and WWW-Authenticate header as a wrong password gets.
func TestFaultInjectedKeystone401IsReal(t *testing.T) {
	ts := fakenova.Start(t)
	login := func(password string) exchange {
		body := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "` + ts.Username +
			`", "domain": {"name": "Default"}, "password": "` + password + `"}}}}}`
		return send(t, ts.URL, http.MethodPost, "/identity/v3/auth/tokens", http.Header{"Content-Type": {"application/json"}}, body)
	}
	real := login("wrong")
	require.Equal(t, http.StatusUnauthorized, real.status, real.body)
	ts.AddFault(fakenova.Fault{Operation: "createToken", Status: 401, Times: 1})
	injected := login(ts.Password)
	require.Equal(t, http.StatusUnauthorized, injected.status, injected.body)
	assert.Equal(t, real.body, injected.body)
	assert.Equal(t, real.header.Get("WWW-Authenticate"), injected.header.Get("WWW-Authenticate"))
	assert.Equal(t, real.header.Get("Content-Type"), injected.header.Get("Content-Type"))
	assert.Equal(t, `{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`+"\n", real.body)
	ok := login(ts.Password)
	assert.Equal(t, http.StatusCreated, ok.status, ok.body)
}

// GET / (listVersions) and GET /v2.1/ (showVersion) can be faulted too.
func TestFaultVersionDocuments(t *testing.T) {
	n := fakenova.New()
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)

	list, err := n.Faults().Add(fakenova.Fault{Operation: "listVersions", Status: 503, Times: 1})
	require.NoError(t, err)
	ex := send(t, srv.URL, http.MethodGet, "/", nil, "")
	require.Equal(t, 503, ex.status)
	assert.Equal(t, unavailableBody, ex.body)
	assert.Equal(t, "application/json; charset=UTF-8", ex.header.Get("Content-Type"))
	assert.Equal(t, list, ex.header.Get(fakenova.HeaderInjected))
	ex = send(t, srv.URL, http.MethodGet, "/", nil, "")
	require.Equal(t, http.StatusOK, ex.status)
	assert.JSONEq(t, versionsDocument(srv.URL, fakenova.DefaultMaxMicroversion.String()), ex.body)

	show, err := n.Faults().Add(fakenova.Fault{Operation: "showVersion", Status: 500, Message: "down", Times: 1})
	require.NoError(t, err)
	ex = send(t, srv.URL, http.MethodGet, "/v2.1/", nil, "")
	require.Equal(t, 500, ex.status)
	assert.Equal(t, `{"computeFault": {"message": "down", "code": 500}}`, ex.body)
	assert.Equal(t, "application/json; charset=UTF-8", ex.header.Get("Content-Type"))
	assert.Equal(t, show, ex.header.Get(fakenova.HeaderInjected))
	ex = send(t, srv.URL, http.MethodGet, "/v2.1/", nil, "")
	require.Equal(t, http.StatusOK, ex.status)
	assert.JSONEq(t, v21Document(srv.URL, fakenova.DefaultMaxMicroversion.String()), ex.body)
	assertVersionHeaders(t, ex.header, "2.1")

	assert.Equal(t, []string{"listVersions", "listVersions", "showVersion", "showVersion"},
		operations(n.Journal().Entries(fakenova.Query{})))
}

func operations(entries []fakenova.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Operation
	}
	return out
}
