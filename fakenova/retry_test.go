package fakenova_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// consoleClient is a tiny client of the kind a test would prove: it asks
// for a server's noVNC console and, on a 503, retries up to retries times
// with a short, growing backoff.
type consoleClient struct {
	http     *http.Client
	endpoint string // the compute endpoint, with its trailing slash
	token    string
	retries  int
	backoff  time.Duration
	attempts int // how many requests the last call sent
}

// errStatus is an answer the client does not retry.
type errStatus struct {
	status int
	body   string
}

func (e *errStatus) Error() string { return fmt.Sprintf("console: HTTP %d: %s", e.status, e.body) }

func (c *consoleClient) vncConsole(ctx context.Context, serverID string) (string, error) {
	c.attempts = 0
	for try := 0; ; try++ {
		c.attempts++
		url, status, body, err := c.once(ctx, serverID)
		switch {
		case err != nil:
			return "", err
		case status == http.StatusOK:
			return url, nil
		case status != http.StatusServiceUnavailable || try == c.retries:
			return "", &errStatus{status: status, body: body}
		}
		select {
		case <-time.After(c.backoff * time.Duration(try+1)):
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

func (c *consoleClient) once(ctx context.Context, serverID string) (url string, status int, body string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"servers/"+serverID+"/action",
		strings.NewReader(`{"os-getVNCConsole": {"type": "novnc"}}`))
	if err != nil {
		return "", 0, "", err
	}
	req.Header.Set("X-Auth-Token", c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", 0, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", 0, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", resp.StatusCode, string(raw), nil
	}
	var out struct {
		Console struct {
			URL string `json:"url"`
		} `json:"console"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", 0, "", err
	}
	return out.Console.URL, http.StatusOK, "", nil
}

func newConsoleClient(ts *fakenova.Test) *consoleClient {
	return &consoleClient{http: &http.Client{Timeout: 10 * time.Second}, endpoint: ts.ComputeURL, token: ts.Token,
		retries: 3, backoff: 5 * time.Millisecond}
}

// The client meets 503, 503, then the real answer, and succeeds on its
// third try.
func TestRetryingClientSucceedsAfterTwo503s(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	ids, err := ts.Faults().Sequence(
		fakenova.Fault{Operation: "getVNCConsole", ServerID: srv.ID, Status: 503, Times: 1},
		fakenova.Fault{Operation: "getVNCConsole", ServerID: srv.ID, Status: 503, Times: 1},
		fakenova.Fault{Operation: "getVNCConsole", ServerID: srv.ID, Times: 1},
	)
	require.NoError(t, err)
	require.Len(t, ids, 3)

	client := newConsoleClient(ts)
	url, err := client.vncConsole(context.Background(), srv.ID)
	require.NoError(t, err)
	assert.Equal(t, 3, client.attempts)
	token := tokenOf(t, url, novncPrefix)
	tok, err := ts.State.ConsoleToken(token)
	require.NoError(t, err)
	assert.Equal(t, srv.ID, tok.ServerID)

	calls := ts.Journal().Entries(fakenova.Query{Operation: "getVNCConsole"})
	assert.Equal(t, []int{503, 503, 200}, statuses(calls))
	for _, e := range calls {
		assert.Equal(t, srv.ID, e.ServerID)
		assert.Equal(t, `{"os-getVNCConsole": {"type": "novnc"}}`, e.Body)
	}
	assert.True(t, ts.AssertCalled("getVNCConsole", 3))
	assert.Empty(t, ts.Faults().List(), "the sequence is used up")
}

// A cloud that keeps failing: the client gives up after its retries, and
// does not retry what is not a 503.
func TestRetryingClientGivesUp(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: 503})

	client := newConsoleClient(ts)
	_, err := client.vncConsole(context.Background(), srv.ID)
	var status *errStatus
	require.ErrorAs(t, err, &status)
	assert.Equal(t, 503, status.status)
	assert.Equal(t, unavailableBody, status.body)
	assert.Equal(t, 4, client.attempts, "one try and three retries")
	assert.Equal(t, []int{503, 503, 503, 503}, statuses(ts.Journal().Entries(fakenova.Query{Operation: "getVNCConsole"})))

	ts.Faults().Clear()
	ts.Journal().Clear()
	ts.AddFault(fakenova.Fault{Operation: "getVNCConsole", Status: 500, Times: 1})
	_, err = client.vncConsole(context.Background(), srv.ID)
	require.ErrorAs(t, err, &status)
	assert.Equal(t, 500, status.status)
	assert.Equal(t, 1, client.attempts)
	assert.Equal(t, []int{500}, statuses(ts.Journal().Entries(fakenova.Query{Operation: "getVNCConsole"})))
}
