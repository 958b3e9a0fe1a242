package fakenova_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Every request gets one log line, with its request id, operation,
// project, status and duration, a wrong token included; no line holds a
// secret.
func TestRequestLog(t *testing.T) {
	var logs syncBuffer
	ts := fakenova.Start(t, fakenova.WithRequestLog(slog.New(slog.NewJSONHandler(&logs, nil))),
		fakenova.WithControlPlane(fakenova.ControlPlane{Token: "ctl-s3cr3t"}))
	srv := ts.AddServer("vm1")
	console := vncConsole(t, ts, srv.ID)
	require.Equal(t, http.StatusOK, console.status)
	consoleToken := tokenOf(t, decodeAny(t, console)["console"].(map[string]any)["url"].(string), novncPrefix)
	wrong := send(t, ts.URL, http.MethodGet, "/v2.1/servers", apiHeader("not-a-token", ""), "")
	require.Equal(t, http.StatusUnauthorized, wrong.status)
	login := send(t, ts.URL, http.MethodPost, "/identity/v3/auth/tokens", http.Header{"Content-Type": {"application/json"}},
		`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "test", "domain": {"name": "Default"}, "password": "`+ts.Password+`"}}}}}`)
	require.Equal(t, http.StatusCreated, login.status, login.body)
	admin := send(t, ts.URL, http.MethodGet, "/v2.1/os-console-auth-tokens/"+consoleToken, apiHeader(ts.Token, "2.31"), "")
	require.Equal(t, http.StatusForbidden, admin.status)
	ctlEx := ctl(t, ts.URL, http.MethodGet, "clock", "", "Authorization", "Bearer ctl-s3cr3t")
	require.Equal(t, http.StatusOK, ctlEx.status)
	page := send(t, ts.URL, http.MethodGet, "/vnc_auto.html?token="+consoleToken, nil, "")
	require.Equal(t, http.StatusOK, page.status)

	out := logs.String()
	for _, secret := range []string{ts.Token, ts.Password, consoleToken, "ctl-s3cr3t", "not-a-token", login.header.Get("X-Subject-Token")} {
		assert.NotContains(t, out, secret)
	}
	type line struct {
		Level, Msg, RequestID, Method, Path, Operation, Project string
		Status                                                  int
		Duration                                                int64
	}
	var lines []line
	for _, raw := range strings.Split(strings.TrimSpace(out), "\n") {
		var l struct {
			Level     string `json:"level"`
			Msg       string `json:"msg"`
			RequestID string `json:"request_id"`
			Method    string `json:"method"`
			Path      string `json:"path"`
			Operation string `json:"operation"`
			Project   string `json:"project"`
			Status    int    `json:"status"`
			Duration  int64  `json:"duration"`
		}
		require.NoError(t, json.Unmarshal([]byte(raw), &l), raw)
		lines = append(lines, line(l))
	}
	require.Len(t, lines, 6)
	for _, l := range lines {
		assert.Equal(t, "request", l.Msg)
		assert.Equal(t, "INFO", l.Level)
		assert.Positive(t, l.Duration)
	}
	assert.Equal(t, console.header.Get("X-Openstack-Request-Id"), lines[0].RequestID)
	assert.Equal(t, []string{"getVNCConsole " + ts.ProjectID + " 200", "  401", "createToken  201", // a 401 comes before routing: no operation
		"showConsoleConnectionInfo " + ts.ProjectID + " 403", "control  200", "consolePage  200"},
		func() (out []string) {
			for _, l := range lines {
				out = append(out, strings.Join([]string{l.Operation, l.Project, itoa(l.Status)}, " "))
			}
			return out
		}())
	assert.Equal(t, "/v2.1/os-console-auth-tokens/***", lines[3].Path)
	assert.Equal(t, "/vnc_auto.html", lines[5].Path)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
