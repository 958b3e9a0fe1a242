package fakenova_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// withoutDuration checks that every entry took some time, and returns the
// entries with Duration zeroed, to compare them whole.
func withoutDuration(t *testing.T, entries []fakenova.Entry) []fakenova.Entry {
	t.Helper()
	out := make([]fakenova.Entry, len(entries))
	for i, e := range entries {
		assert.Positive(t, e.Duration, "entry %d (%s %s)", i, e.Method, e.Path)
		e.Duration = 0
		out[i] = e
	}
	return out
}

// Every call is in the journal, with what it was and how it went.
func TestJournalEntries(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	p := ts.ProjectID
	start := ts.Clock.Now()
	require.Equal(t, start, start.Truncate(time.Second), "Start's clock starts on a second")

	show := getServer(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, show.status, show.body)

	later := ts.Advance(time.Minute)
	require.Equal(t, start.Add(time.Minute), later)
	console := send(t, ts.URL, http.MethodPost, "/v2.1/"+p+"/servers/"+srv.ID+"/remote-consoles",
		apiHeader(ts.Token, "2.6"), rc("vnc", "novnc"))
	require.Equal(t, http.StatusOK, console.status, console.body)

	legacy := send(t, ts.URL, http.MethodGet, "/v2/"+p+"/servers/"+srv.ID, apiHeader(ts.Token, "2.6"), "")
	require.Equal(t, http.StatusOK, legacy.status, legacy.body)

	noToken := send(t, ts.URL, http.MethodGet, "/v2.1/servers", nil, "")
	require.Equal(t, http.StatusUnauthorized, noToken.status, noToken.body)

	noRoute := send(t, ts.URL, http.MethodGet, "/v2.1/os-keypairs", apiHeader(ts.Token, ""), "")
	require.Equal(t, http.StatusNotFound, noRoute.status, noRoute.body)

	id := ts.AddFault(fakenova.Fault{Operation: "showServer", Status: 503, Times: 1})
	faulted := send(t, ts.URL, http.MethodGet, "/v2.1/servers/"+srv.ID, apiHeader(ts.Token, "2.53"), "")
	require.Equal(t, http.StatusServiceUnavailable, faulted.status, faulted.body)
	require.Equal(t, id, faulted.header.Get(fakenova.HeaderInjected))

	vnc := vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, vnc.status, vnc.body)

	versions := send(t, ts.URL, http.MethodGet, "/", nil, "")
	require.Equal(t, http.StatusOK, versions.status, versions.body)
	document := send(t, ts.URL, http.MethodGet, "/v2.1/", nil, "")
	require.Equal(t, http.StatusOK, document.status, document.body)
	projectDocument := send(t, ts.URL, http.MethodGet, "/v2.1/"+p+"/", apiHeader(ts.Token, "2.3"), "")
	require.Equal(t, http.StatusOK, projectDocument.status, projectDocument.body)

	rid := func(ex exchange) string {
		t.Helper()
		id := ex.header.Get("X-Openstack-Request-Id")
		require.Regexp(t, requestIDPattern, id)
		return id
	}
	assert.Equal(t, []fakenova.Entry{
		{Seq: 1, Time: start, RequestID: rid(show), Operation: "showServer", Method: "GET", Path: "/v2.1/servers/" + srv.ID,
			Microversion: "2.1", ProjectID: p, ServerID: srv.ID, Status: 200},
		{Seq: 2, Time: later, RequestID: rid(console), Operation: "createConsole", Method: "POST",
			Path: "/v2.1/" + p + "/servers/" + srv.ID + "/remote-consoles", Microversion: "2.6", ProjectID: p, ServerID: srv.ID,
			Status: 200, Body: `{"remote_console": {"protocol": "vnc", "type": "novnc"}}`},
		{Seq: 3, Time: later, RequestID: rid(legacy), Operation: "showServer", Method: "GET", Path: "/v2/" + p + "/servers/" + srv.ID,
			ProjectID: p, ServerID: srv.ID, Status: 200},
		{Seq: 4, Time: later, RequestID: rid(noToken), Method: "GET", Path: "/v2.1/servers", Status: 401},
		{Seq: 5, Time: later, RequestID: rid(noRoute), Method: "GET", Path: "/v2.1/os-keypairs", ProjectID: p, Status: 404},
		{Seq: 6, Time: later, RequestID: rid(faulted), Operation: "showServer", Method: "GET", Path: "/v2.1/servers/" + srv.ID,
			Microversion: "2.53", ProjectID: p, ServerID: srv.ID, Status: 503},
		{Seq: 7, Time: later, RequestID: rid(vnc), Operation: "getVNCConsole", Method: "POST",
			Path: "/v2.1/" + p + "/servers/" + srv.ID + "/action", Microversion: "2.1", ProjectID: p, ServerID: srv.ID,
			Status: 200, Body: `{"os-getVNCConsole": {"type": "novnc"}}`},
		{Seq: 8, Time: later, Operation: "listVersions", Method: "GET", Path: "/", Status: 200},
		{Seq: 9, Time: later, RequestID: rid(document), Operation: "showVersion", Method: "GET", Path: "/v2.1/",
			Microversion: "2.1", Status: 200},
		{Seq: 10, Time: later, RequestID: rid(projectDocument), Operation: "showVersion", Method: "GET", Path: "/v2.1/" + p + "/",
			Microversion: "2.3", ProjectID: p, Status: 200},
	}, withoutDuration(t, ts.Journal().Entries(fakenova.Query{})))
	assert.Empty(t, versions.header.Get("X-Openstack-Request-Id"), "the root versions app has no request ids")
}

func TestJournalQueryCountLast(t *testing.T) {
	ts := fakenova.Start(t)
	a, b := ts.AddServer("a"), ts.AddServer("b")
	ts.AddFault(fakenova.Fault{Operation: "showServer", ServerID: b.ID, Status: 503, Times: 1})
	for _, id := range []string{a.ID, b.ID, a.ID, b.ID} {
		getServer(t, ts, id)
	}
	vncConsole(t, ts, a.ID)
	vncConsole(t, ts, b.ID)
	j := ts.Journal()

	shows := j.Entries(fakenova.Query{Operation: "showServer"})
	assert.Equal(t, []int{200, 503, 200, 200}, statuses(shows))
	assert.Equal(t, []string{"/v2.1/servers/" + a.ID, "/v2.1/servers/" + b.ID, "/v2.1/servers/" + a.ID, "/v2.1/servers/" + b.ID}, paths(shows))

	ofB := j.Entries(fakenova.Query{ServerID: b.ID})
	require.Len(t, ofB, 3)
	assert.Equal(t, []string{"showServer", "showServer", "getVNCConsole"}, operations(ofB))
	assert.Equal(t, []int{503, 200, 200}, statuses(ofB))

	failed := j.Entries(fakenova.Query{Status: 503})
	require.Len(t, failed, 1)
	assert.Equal(t, b.ID, failed[0].ServerID)
	assert.Equal(t, "showServer", failed[0].Operation)

	assert.Len(t, j.Entries(fakenova.Query{Operation: "showServer", ServerID: a.ID, Status: 200}), 2)
	assert.Empty(t, j.Entries(fakenova.Query{Operation: "getVNCConsole", Status: 503}))
	assert.Empty(t, j.Entries(fakenova.Query{Operation: "deleteServer"}))
	assert.Len(t, j.Entries(fakenova.Query{}), 6)

	assert.Equal(t, 4, j.Count("showServer"))
	assert.Equal(t, 2, j.Count("getVNCConsole"))
	assert.Equal(t, 0, j.Count("createServer"))

	last, ok := j.Last("getVNCConsole")
	require.True(t, ok)
	assert.Equal(t, b.ID, last.ServerID)
	assert.Equal(t, `{"os-getVNCConsole": {"type": "novnc"}}`, last.Body)
	_, ok = j.Last("createServer")
	assert.False(t, ok)

	j.Clear()
	assert.Empty(t, j.Entries(fakenova.Query{}))
	assert.Equal(t, 0, j.Count("showServer"))
	_, ok = j.Last("showServer")
	assert.False(t, ok)
	getServer(t, ts, a.ID)
	assert.Equal(t, []string{"/v2.1/servers/" + a.ID}, paths(j.Entries(fakenova.Query{})))
}

// Secrets never reach the journal: passwords, admin passwords and token
// ids in bodies are "***", and no header is kept.
func TestJournalRedactsSecrets(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithControlPlane(fakenova.ControlPlane{}))
	srv := ts.AddServer("web-1")
	secrets := []string{ts.Token, "Adm1nS3cret", "N3wAdm1nPass", "PwS3cret", "T0kS3cret", "F0rmS3cret", "Arr4yS3cret",
		"subject-token-value"}

	ex := send(t, ts.URL, http.MethodPost, "/v2.1/servers", apiHeader(ts.Token, ""),
		`{"server": {"name": "x", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1", "adminPass": "Adm1nS3cret"}}`)
	require.Equal(t, http.StatusAccepted, ex.status, ex.body)
	ex = send(t, ts.URL, http.MethodPost, "/v2.1/servers/"+srv.ID+"/action", apiHeader(ts.Token, ""),
		`{"changePassword": {"adminPass": "N3wAdm1nPass"}}`)
	require.Equal(t, http.StatusNotImplemented, ex.status, ex.body)

	identity := httptest.NewServer(ts.Nova.Wrap(funcService{"createToken",
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("X-Subject-Token", "subject-token-value")
			w.WriteHeader(http.StatusCreated)
		})}))
	t.Cleanup(identity.Close)
	subject := http.Header{"Content-Type": {"application/json"}, "X-Auth-Token": {ts.Token}, "X-Subject-Token": {"subject-token-value"}}
	for _, body := range []string{
		`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "domain": {"id": "default"}, "password": "PwS3cret"}}}}}`,
		`{"auth": {"identity": {"methods": ["token"], "token": {"id": "T0kS3cret"}}, "scope": {"project": {"id": "` + ts.ProjectID + `"}}}}`,
		`username=admin&password=F0rmS3cret`,
		`{"users": [{"name": "a", "password": "Arr4yS3cret"}], "password": null}`,
	} {
		ex = send(t, identity.URL, http.MethodPost, "/v3/auth/tokens", subject, body)
		require.Equal(t, http.StatusCreated, ex.status, ex.body)
	}

	entries := ts.Journal().Entries(fakenova.Query{})
	require.Len(t, entries, 6)
	var bodies []string
	for _, e := range entries {
		bodies = append(bodies, e.Body)
	}
	assert.Equal(t, []string{
		`{"server": {"name": "x", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1", "adminPass": "***"}}`,
		`{"changePassword": {"adminPass": "***"}}`,
		`{"auth": {"identity": {"methods": ["password"], "password": "***"}}}`,
		`{"auth": {"identity": {"methods": ["token"], "token": {"id": "***"}}, "scope": {"project": {"id": "` + ts.ProjectID + `"}}}}`,
		`***`,
		`{"users": [{"name": "a", "password": "***"}], "password": "***"}`,
	}, bodies)
	// (entries[1] is an action the fake does not implement; the journal
	// names it after the action, a name that is not among Operations.)
	assert.Equal(t, []string{"createServer", "createToken", "createToken", "createToken", "createToken"},
		append(operations(entries[:1]), operations(entries[2:])...))
	assert.Equal(t, bodies[5], ts.LastBody("createToken"))

	// Nothing the journal gives out holds a secret: not the entries, not
	// the control plane's JSON.
	out := send(t, ts.URL, http.MethodGet, "/_novastub/journal", nil, "")
	require.Equal(t, http.StatusOK, out.status, out.body)
	assert.Contains(t, out.body, `\"adminPass\": \"***\"`)
	for _, secret := range secrets {
		assert.NotContains(t, out.body, secret)
		for _, e := range entries {
			assert.NotContains(t, e.Body, secret)
			assert.NotContains(t, e.Path, secret)
			assert.NotContains(t, e.RequestID, secret)
		}
	}
}

// The journal is a ring: it keeps the last N requests, oldest first.
func TestJournalRingIsBounded(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithJournalSize(3))
	var want []string
	for i := range 7 {
		path := "/v2.1/nothing-" + strconv.Itoa(i)
		send(t, ts.URL, http.MethodGet, path, apiHeader(ts.Token, ""), "")
		want = append(want, path)
		kept := want[max(0, len(want)-3):]
		assert.Equal(t, kept, paths(ts.Journal().Entries(fakenova.Query{})), "after %d requests", i+1)
	}
	ts.Journal().Clear()
	assert.Empty(t, ts.Journal().Entries(fakenova.Query{}))
	send(t, ts.URL, http.MethodGet, "/v2.1/again", apiHeader(ts.Token, ""), "")
	assert.Equal(t, []string{"/v2.1/again"}, paths(ts.Journal().Entries(fakenova.Query{})))
}

func TestJournalSizeZeroKeepsNothing(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithJournalSize(0))
	srv := ts.AddServer("web-1")
	ex := vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1})
	ex = vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusServiceUnavailable, ex.status, "faults work without a journal")

	assert.Nil(t, ts.Journal().Entries(fakenova.Query{}))
	assert.Equal(t, 0, ts.Journal().Count("getVNCConsole"))
	_, ok := ts.Journal().Last("getVNCConsole")
	assert.False(t, ok)

	j := fakenova.NewJournal(-5, nil)
	assert.Nil(t, j.Entries(fakenova.Query{}))
	j.Clear()
}

// WithJournal and WithFaults share one journal and one set of rules
// between fakes; the journal stamps entries with its own clock.
func TestSharedJournalAndFaults(t *testing.T) {
	clock := state.NewManualClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	journal := fakenova.NewJournal(10, clock)
	faults := &fakenova.Faults{}
	one := fakenova.Start(t, fakenova.WithJournal(journal), fakenova.WithFaults(faults))
	two := fakenova.Start(t, fakenova.WithJournal(journal), fakenova.WithFaults(faults))
	require.Same(t, journal, one.Journal())
	require.Same(t, faults, two.Faults())

	_, err := faults.Add(fakenova.Fault{Operation: "listServers", Status: 503, Times: 1})
	require.NoError(t, err)
	ex := send(t, two.URL, http.MethodGet, "/v2.1/servers", apiHeader(two.Token, ""), "")
	assert.Equal(t, 503, ex.status)
	ex = send(t, one.URL, http.MethodGet, "/v2.1/servers", apiHeader(one.Token, ""), "")
	assert.Equal(t, 200, ex.status)

	entries := journal.Entries(fakenova.Query{Operation: "listServers"})
	require.Len(t, entries, 2)
	assert.Equal(t, []string{two.ProjectID, one.ProjectID}, []string{entries[0].ProjectID, entries[1].ProjectID})
	for _, e := range entries {
		assert.Equal(t, clock.Now(), e.Time)
	}
}

// A journal on the system clock stamps entries with the wall clock.
func TestJournalWallClock(t *testing.T) {
	n := fakenova.New()
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)
	before := time.Now()
	send(t, srv.URL, http.MethodGet, "/", nil, "")
	after := time.Now()
	e, ok := n.Journal().Last("listVersions")
	require.True(t, ok)
	assert.False(t, e.Time.Before(before))
	assert.False(t, e.Time.After(after))
}

// The journal keeps up with concurrent calls.
func TestJournalConcurrentCalls(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithJournalSize(500))
	srv := ts.AddServer("web-1")
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v2.1/servers/"+srv.ID+"/action", strings.NewReader(vnc("novnc")))
			req.Header.Set("X-Auth-Token", ts.Token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	entries := ts.Journal().Entries(fakenova.Query{ServerID: srv.ID})
	require.Len(t, entries, 40)
	seen := map[string]bool{}
	for _, e := range entries {
		assert.Equal(t, "getVNCConsole", e.Operation)
		assert.False(t, seen[e.RequestID], "request ids are distinct")
		seen[e.RequestID] = true
		assert.Equal(t, 200, e.Status)
		assert.Equal(t, vnc("novnc"), e.Body)
	}
}

// Keystone's application credential secrets and TOTP passcodes are
// secrets too, whatever the case of their keys.
func TestJournalRedactsOtherSecrets(t *testing.T) {
	j := fakenova.NewJournal(4, nil)
	n := fakenova.New(fakenova.WithJournal(j))
	h := n.Wrap(funcService{"createToken", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
	})})
	body := `{"auth": {"identity": {"application_credential": {"id": "a", "Secret": "s3cr3t"}, "totp": {"user": {"passcode": "123456"}}}}}`
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", strings.NewReader(body)))
	e, ok := j.Last("createToken")
	require.True(t, ok)
	assert.NotContains(t, e.Body, "s3cr3t")
	assert.NotContains(t, e.Body, "123456")
	assert.Contains(t, e.Body, `"Secret": "***"`)
}

// funcService is a service for Wrap whose every request is one operation,
// with Nova's fault body for its errors.
type funcService struct {
	op string
	http.Handler
}

func (s funcService) Operation(*http.Request) string { return s.op }

func (s funcService) WriteError(w http.ResponseWriter, _ *http.Request, code int, msg string) {
	fakenova.WriteFault(w, code, msg)
}
