package fakenova_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

func TestAssertCalled(t *testing.T) {
	rt := &recordingT{T: t}
	ts := fakenova.Start(rt)
	srv := ts.AddServer("web-1")

	assert.True(t, ts.AssertCalled("getVNCConsole", 0))
	vncConsole(t, ts, srv.ID)
	vncConsole(t, ts, srv.ID)
	getServer(t, ts, srv.ID)
	assert.True(t, ts.AssertCalled("getVNCConsole", 2))
	assert.True(t, ts.AssertCalled("showServer", 1))
	assert.True(t, ts.AssertCalled("deleteServer", 0))
	errs, fatals := rt.reported()
	assert.Empty(t, errs)
	assert.Empty(t, fatals)

	// A wrong count fails the test, without stopping it.
	assert.False(t, ts.AssertCalled("getVNCConsole", 3))
	assert.False(t, ts.AssertCalled("showServer", 0))
	errs, fatals = rt.reported()
	assert.Equal(t, []string{
		"fakenova: getVNCConsole called 2 times, want 3",
		"fakenova: showServer called 1 times, want 0",
	}, errs)
	assert.Empty(t, fatals)

	// An operation that does not exist is an error, not "called 0 times".
	assert.False(t, ts.AssertCalled("getVncConsole", 0))
	errs, fatals = rt.reported()
	assert.Equal(t, []string{`fakenova: unknown operation "getVncConsole" (see fakenova.Operations)`}, errs)
	assert.Empty(t, fatals)

	// Injected faults count as calls.
	ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1})
	vncConsole(t, ts, srv.ID)
	assert.True(t, ts.AssertCalled("getVNCConsole", 3))
	errs, fatals = rt.reported()
	assert.Empty(t, errs)
	assert.Empty(t, fatals)
}

func TestLastBody(t *testing.T) {
	rt := &recordingT{T: t}
	ts := fakenova.Start(rt)
	srv := ts.AddServer("web-1")

	// No such request: the test fails (Fatalf).
	assert.Empty(t, ts.LastBody("getVNCConsole"))
	errs, fatals := rt.reported()
	assert.Empty(t, errs)
	assert.Equal(t, []string{"fakenova: no getVNCConsole request in the journal"}, fatals)

	vncConsole(t, ts, srv.ID)
	ex := send(t, ts.URL, http.MethodPost, "/v2.1/servers/"+srv.ID+"/action", apiHeader(ts.Token, ""),
		`{"os-getVNCConsole": {"type": "xvpvnc"}}`)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Equal(t, `{"os-getVNCConsole": {"type": "xvpvnc"}}`, ts.LastBody("getVNCConsole"))

	// A call without a body has an empty one.
	getServer(t, ts, srv.ID)
	assert.Equal(t, "", ts.LastBody("showServer"))

	// The body is redacted.
	ex = send(t, ts.URL, http.MethodPost, "/v2.1/servers", apiHeader(ts.Token, ""),
		`{"server": {"name": "db", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "2", "adminPass": "Sup3rS3cret"}}`)
	require.Equal(t, http.StatusAccepted, ex.status, ex.body)
	assert.Equal(t, `{"server": {"name": "db", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "2", "adminPass": "***"}}`, ts.LastBody("createServer"))

	errs, fatals = rt.reported()
	assert.Empty(t, errs)
	assert.Empty(t, fatals)
}

// Advance moves the fake's clock: servers build, console tokens expire.
func TestAdvanceMovesServersAndTokens(t *testing.T) {
	ts := fakenova.Start(t)
	require.NotNil(t, ts.Clock)
	start := ts.Clock.Now()

	ex := send(t, ts.URL, http.MethodPost, "/v2.1/servers", apiHeader(ts.Token, ""),
		`{"server": {"name": "web-1", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1"}}`)
	require.Equal(t, http.StatusAccepted, ex.status, ex.body)
	id := ex.decoded["server"]["id"].(string)

	status := func() string {
		t.Helper()
		ex := getServer(t, ts, id)
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		return ex.decoded["server"]["status"].(string)
	}
	assert.Equal(t, "BUILD", status())
	assert.Equal(t, start.Add(5*time.Second), ts.Advance(5*time.Second))
	assert.Equal(t, "BUILD", status())
	assert.Equal(t, start.Add(6*time.Second), ts.Advance(time.Second))
	assert.Equal(t, "ACTIVE", status())
	assert.Equal(t, start.Add(6*time.Second), ts.Clock.Now())
	assert.Equal(t, ts.Clock.Now(), ts.State.Clock().Now())

	// The console token lives 600 s on the fake's clock.
	ex = vncConsole(t, ts, id)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	token := tokenOf(t, ex.decoded["console"]["url"].(string), novncPrefix)
	tok, err := ts.State.ConsoleToken(token)
	require.NoError(t, err)
	assert.Equal(t, ts.Clock.Now().Add(600*time.Second), tok.ExpiresAt)
	ts.Advance(599 * time.Second)
	_, err = ts.State.ConsoleToken(token)
	require.NoError(t, err)
	ts.Advance(time.Second)
	_, err = ts.State.ConsoleToken(token)
	assert.ErrorIs(t, err, state.ErrNotFound)

	// Nova.Advance does the same, and returns the new time.
	now, err := ts.Nova.Advance(time.Hour)
	require.NoError(t, err)
	assert.Equal(t, start.Add(6*time.Second+600*time.Second+time.Hour), now)
	assert.Equal(t, now, ts.Clock.Now())
}

// A store on the system clock cannot be advanced.
func TestAdvanceOnTheSystemClock(t *testing.T) {
	n := fakenova.New()
	_, err := n.Advance(time.Second)
	require.ErrorIs(t, err, fakenova.ErrClockFixed)
	assert.EqualError(t, err, "fakenova: the store's clock cannot be advanced (it is a state.SystemClock)")

	// An OffsetClock can.
	offset := fakenova.New(fakenova.WithState(state.New(state.WithClock(state.NewOffsetClock()))))
	before := time.Now()
	now, err := offset.Advance(time.Hour)
	require.NoError(t, err)
	assert.False(t, now.Before(before.Add(time.Hour)))

	// Through the test helper, it fails the test; Clock is nil.
	rt := &recordingT{T: t}
	ts := fakenova.Start(rt, fakenova.WithState(state.New()))
	assert.Nil(t, ts.Clock)
	assert.True(t, ts.Advance(time.Minute).IsZero())
	errs, fatals := rt.reported()
	assert.Empty(t, errs)
	require.Len(t, fatals, 1)
	assert.Equal(t, "fakenova: fakenova: the store's clock cannot be advanced (it is a state.SystemClock)", fatals[0])
}

func TestAdvanceOnlyForward(t *testing.T) {
	ts := fakenova.Start(t)
	before := ts.Clock.Now()
	_, err := ts.Nova.Advance(-time.Second)
	require.Error(t, err)
	assert.Equal(t, before, ts.Clock.Now(), "the clock did not move")
}

// A fault on a version document still comes with the request ids of
// Nova's versions pipeline, and the journal names the operation.
func TestFaultOnVersionDocumentHasRequestIDs(t *testing.T) {
	ts := fakenova.Start(t)
	ts.AddFault(fakenova.Fault{Operation: "showVersion", Status: 503, Times: 1})
	resp, err := http.Get(ts.URL + "/v2.1/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Regexp(t, requestIDPattern, resp.Header.Get("X-Openstack-Request-Id"))
	e, ok := ts.Journal().Last("showVersion")
	require.True(t, ok)
	assert.Equal(t, resp.Header.Get("X-Openstack-Request-Id"), e.RequestID)
	assert.Equal(t, 503, e.Status)
}

// Options that make no sense fall back to their defaults instead of
// breaking the fake.
func TestOptionsWithoutSense(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithLogger(nil),
		fakenova.WithMaxMicroversion(fakenova.Microversion{Major: 2, Minor: 1 << 30}),
		fakenova.WithServerSource(fakenova.ServerSourceFunc(func(context.Context, string) (state.Server, error) {
			return state.Server{}, errors.New("the database is down")
		})))
	srv := ts.AddServer("vm1")
	req, err := http.NewRequest(http.MethodPost, ts.ComputeURL+"servers/"+srv.ID+"/action", strings.NewReader(`{"os-getVNCConsole": {"type": "novnc"}}`))
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", ts.Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode, "the source's failure, logged nowhere")
	req, err = http.NewRequest(http.MethodGet, ts.URL+"/v2.1/", nil)
	require.NoError(t, err)
	req.Header.Set("X-OpenStack-Nova-API-Version", "latest")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, fakenova.DefaultMaxMicroversion.String(), resp.Header.Get("X-OpenStack-Nova-API-Version"), "the maximum stayed")
}
