package fakenova_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// TestOpenConsole is the README's first snippet, verbatim, so that the
// README stays true.
func TestOpenConsole(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1") // ACTIVE, on fakenova.TestHost

	client := &gophercloud.ServiceClient{
		ProviderClient: &gophercloud.ProviderClient{TokenID: ts.Token},
		Endpoint:       ts.ComputeURL, // http://127.0.0.1:PORT/v2.1/<project>/
		Type:           "compute",
	}
	var out struct{ Console struct{ URL string } }
	_, err := client.Post(context.Background(), client.ServiceURL("servers", srv.ID, "action"),
		map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, &out,
		&gophercloud.RequestOpts{OkCodes: []int{200}})
	require.NoError(t, err)
	require.Contains(t, out.Console.URL, "/vnc_auto.html?token=")
}

// TestReadmeTestingYourCode is the README's "Testing your code" snippet,
// with a real call where the README has runMyCode.
func TestReadmeTestingYourCode(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")

	ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", ServerID: srv.ID, Status: 503, Times: 1})
	_, err := ts.Faults().Sequence(
		fakenova.Fault{Operation: "createConsole", Status: 503, Times: 1},
		fakenova.Fault{Operation: "createConsole", Status: 503, Times: 1})
	require.NoError(t, err)

	runMyCode := func(computeURL, token string) (statuses []int) {
		for i := 0; i < 2; i++ {
			req, _ := http.NewRequest(http.MethodPost, computeURL+"servers/"+srv.ID+"/action",
				strings.NewReader(`{"os-getVNCConsole": {"type": "novnc"}}`))
			req.Header.Set("X-Auth-Token", token)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			statuses = append(statuses, resp.StatusCode)
		}
		return statuses
	}
	require.Equal(t, []int{503, 200}, runMyCode(ts.ComputeURL, ts.Token))

	ts.AssertCalled("getVNCConsole", 2)
	require.JSONEq(t, `{"os-getVNCConsole": {"type": "novnc"}}`, ts.LastBody("getVNCConsole"))
	entries := ts.Journal().Entries(fakenova.Query{Operation: "getVNCConsole", Status: 503})
	require.Len(t, entries, 1)

	tok, err := ts.State.CreateConsole(state.ConsoleRequest{ProjectID: ts.ProjectID, ServerID: srv.ID, Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	ts.Advance(10 * time.Minute)
	_, err = ts.State.ConsoleToken(tok.Token)
	require.ErrorIs(t, err, state.ErrNotFound, "expired as the clock passed")
}

// TestReadmeOptions builds the README's options snippet.
func TestReadmeOptions(t *testing.T) {
	st := state.New(
		state.WithProtocols(state.ProtocolVNC, state.ProtocolSPICE, state.ProtocolSerial),
		state.WithConsoleTTL(10*time.Minute),
		state.WithClock(state.NewManualClock(time.Now())),
	)
	nova := fakenova.New(
		fakenova.WithState(st),
		fakenova.WithMaxMicroversion(fakenova.Microversion{Major: 2, Minor: 96}),
		fakenova.WithConsoleURL(state.ConsoleNoVNC, "https://console.example/vnc_auto.html", fakenova.PathQuery),
		fakenova.WithConsoleURL(state.ConsoleSerial, "wss://console.example/serial/", fakenova.TokenQuery),
	)
	rec := httptest.NewRecorder()
	nova.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v2.1/", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), `"version": "2.96"`)
}
