package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinaryDrivenOverHTTP builds the stub binary, starts it on a free
// loopback port and drives it only over HTTP, through the control plane
// and the API, as a test suite in another language would.
func TestBinaryDrivenOverHTTP(t *testing.T) {
	bin := buildStub(t)

	// -h is no failure: exit 0, the usage on stderr.
	help := exec.Command(bin, "-h")
	out, err := help.CombinedOutput()
	require.NoError(t, err, "exit 0 for -h: %s", out)
	assert.Contains(t, string(out), "Usage: novastub [flags]")
	version, err := exec.Command(bin, "-version").Output()
	require.NoError(t, err)
	assert.Regexp(t, `^novastub \S`, string(version))

	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-control-token", "ctl")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var base string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if b, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			base = b
			break
		}
	}
	require.NotEmpty(t, base)
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(stdout)
		rest <- string(b)
	}()

	call := func(method, path, token, body string, out any) int {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		if strings.HasPrefix(path, "/_novastub/") {
			req.Header.Set("Authorization", "Bearer "+token)
		} else if token != "" {
			req.Header.Set("X-Auth-Token", token)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		if out != nil && len(raw) > 0 {
			require.NoError(t, json.Unmarshal(raw, out), string(raw))
		}
		return resp.StatusCode
	}
	const (
		token   = "50c17af54c154f528d135e7f74098cfd"
		project = "1ab83fbf1b594600bfa618dc33694dd6"
		server  = "365313c5-5d0c-4c43-af05-16f765c0f2bc"
	)
	console := "/v2.1/" + project + "/servers/" + server + "/action"
	vnc := `{"os-getVNCConsole": {"type": "novnc"}}`

	// The control plane wants its token.
	assert.Equal(t, http.StatusUnauthorized, call(http.MethodGet, "/_novastub/faults", "wrong", "", nil))

	// A fault, once: the next console call gets 503, the one after works.
	var created struct{ ID string }
	require.Equal(t, http.StatusCreated, call(http.MethodPost, "/_novastub/faults", "ctl",
		`{"operation": "getVNCConsole", "server_id": "`+server+`", "status": 503, "times": 1}`, &created))
	assert.NotEmpty(t, created.ID)
	var fault map[string]map[string]any
	require.Equal(t, http.StatusServiceUnavailable, call(http.MethodPost, console, token, vnc, &fault))
	assert.EqualValues(t, 503, fault["serviceUnavailable"]["code"])
	var ok struct{ Console struct{ URL string } }
	require.Equal(t, http.StatusOK, call(http.MethodPost, console, token, vnc, &ok))
	consoleToken := ok.Console.URL[strings.Index(ok.Console.URL, "token=")+len("token="):]

	// The journal saw both, and never shows the token.
	var journal struct {
		Requests []struct {
			Operation string
			Status    int
			Body      string
		}
	}
	require.Equal(t, http.StatusOK, call(http.MethodGet, "/_novastub/journal?operation=getVNCConsole", "ctl", "", &journal))
	require.Len(t, journal.Requests, 2)
	assert.Equal(t, 503, journal.Requests[0].Status)
	assert.Equal(t, 200, journal.Requests[1].Status)
	assert.Equal(t, vnc, journal.Requests[1].Body)

	// Time: ten minutes later the console token has expired.
	var now struct{ Now time.Time }
	require.Equal(t, http.StatusOK, call(http.MethodPost, "/_novastub/clock/advance", "ctl", `{"seconds": 600}`, &now))
	assert.True(t, now.Now.After(time.Now().Add(9*time.Minute)), "the clock jumped: %v", now.Now)
	assert.Equal(t, http.StatusNotFound, call(http.MethodGet, "/vnc_auto.html?token="+consoleToken, "", "", nil))

	// A server's state from outside: stopped... then without a host.
	require.Equal(t, http.StatusOK, call(http.MethodPut, "/_novastub/servers/"+server, "ctl", `{"status": "SHUTOFF"}`, nil))
	var show struct{ Server struct{ Status string } }
	require.Equal(t, http.StatusOK, call(http.MethodGet, "/v2.1/servers/"+server, token, "", &show))
	assert.Equal(t, "SHUTOFF", show.Server.Status)
	require.Equal(t, http.StatusOK, call(http.MethodPut, "/_novastub/servers/"+server, "ctl", `{"host": ""}`, nil))
	require.Equal(t, http.StatusConflict, call(http.MethodPost, console, token, vnc, &fault))
	assert.Equal(t, "Instance "+server+" is not ready", fault["conflictingRequest"]["message"])

	// Bad input names the field.
	var bad struct{ Error struct{ Field string } }
	require.Equal(t, http.StatusBadRequest, call(http.MethodPost, "/_novastub/faults", "ctl", `{"operation": "getVNCConsole", "status": "x"}`, &bad))
	assert.Equal(t, "status", bad.Error.Field)

	// Reset: back to the seed, the console works again.
	require.Equal(t, http.StatusNoContent, call(http.MethodPost, "/_novastub/reset", "ctl", "", nil))
	require.Equal(t, http.StatusOK, call(http.MethodPost, console, token, vnc, &ok))

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	// The output to its end first: Wait closes the pipe, and a read still
	// under way would lose the last line.
	tail := <-rest
	require.NoError(t, cmd.Wait(), "a clean exit on SIGTERM")
	assert.Contains(t, tail, "novastub: stopped")
}
