package fakenova_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/fakenova/console"
	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/fakenova/internal/rfbtest"
	"github.com/novastub/novastub/state"
)

// The console URL that fakenova.Start's fake returns opens a live console:
// an RFB client gets the server's screen, types on it, and loses it when
// the server is deleted; an expired token gets no RFB at all.
func TestStartLiveVNCConsole(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithConsolesServedHere(),
		fakenova.WithConsoleOptions(console.WithPollInterval(10*time.Millisecond)))
	srv := ts.AddServer("web-1")

	url := consoleURL(t, ts, srv.ID, `{"os-getVNCConsole": {"type": "novnc"}}`)
	require.True(t, strings.HasPrefix(url, ts.URL+"/vnc_auto.html?token="), url)
	token := strings.TrimPrefix(url, ts.URL+"/vnc_auto.html?token=")

	// The page the URL opens is the viewer, for that server.
	page := send(t, url, http.MethodGet, "", nil, "")
	require.Equal(t, http.StatusOK, page.status)
	assert.Contains(t, page.body, "web-1")

	// noVNC connects to /?token=... (from Nova's path= form) or /websockify.
	conn := dialConsole(t, ts, "/websockify?token="+token)
	c, err := rfbtest.Handshake(websocket.NetConn(context.Background(), conn, websocket.MessageBinary), rfbtest.Options{})
	require.NoError(t, err)
	assert.Equal(t, "web-1", c.Name)
	assert.Equal(t, 1024, c.Width)
	assert.Equal(t, 768, c.Height)
	require.NoError(t, c.SetEncodings(rfb.EncodingRaw))
	require.NoError(t, c.Request(false))
	u, err := c.ReadUpdate()
	require.NoError(t, err)
	require.Len(t, c.FB, 1024*768)
	assert.NotEmpty(t, u.Rects)
	before := append([]uint32(nil), c.FB...)

	require.NoError(t, c.Type("root\n"))
	changed := false
	for i := 0; i < 20 && !changed; i++ {
		require.NoError(t, c.Request(true))
		_, err := c.ReadUpdate()
		require.NoError(t, err)
		changed = !equalPixels(before, c.FB)
	}
	assert.True(t, changed, "typing changes the screen")

	// Deleted: the session ends (websockify's 1000 "Target closed").
	require.NoError(t, ts.State.RemoveServer(srv.ID))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, _, err = conn.Read(ctx)
		if err != nil {
			break
		}
	}
	assert.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(err), "%v", err)

	// An expired token upgrades, then is closed without a word or a frame.
	other := ts.AddServer("web-2")
	url = consoleURL(t, ts, other.ID, `{"os-getVNCConsole": {"type": "novnc"}}`)
	ts.Advance(state.DefaultConsoleTTL)
	conn = dialConsole(t, ts, "/?token="+strings.TrimPrefix(url, ts.URL+"/vnc_auto.html?token="))
	_, _, err = conn.Read(ctx)
	require.Error(t, err)
	assert.Equal(t, websocket.StatusCode(-1), websocket.CloseStatus(err), "no close frame: %v", err)
}

// The serial console URL is a WebSocket of the fake's own, with a login
// prompt on raw bytes.
func TestStartLiveSerialConsole(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithConsolesServedHere(),
		fakenova.WithState(state.New(state.WithProtocols(state.ProtocolVNC, state.ProtocolSerial))))
	srv, err := ts.State.AddServer(state.Server{Name: "db-1", ProjectID: ts.ProjectID, Host: fakenova.TestHost})
	require.NoError(t, err)

	url := consoleURL(t, ts, srv.ID, `{"os-getSerialConsole": {"type": "serial"}}`)
	wsBase := "ws" + strings.TrimPrefix(ts.URL, "http")
	require.True(t, strings.HasPrefix(url, wsBase+"/?token="), url)
	conn := dialConsole(t, ts, strings.TrimPrefix(url, wsBase))
	rw := websocket.NetConn(context.Background(), conn, websocket.MessageBinary)
	readUntilText(t, rw, "db-1 login:")
	_, err = rw.Write([]byte("root\r"))
	require.NoError(t, err)
	readUntilText(t, rw, "Password:")
}

func consoleURL(t *testing.T, ts *fakenova.Test, id, body string) string {
	t.Helper()
	ex := send(t, ts.URL, http.MethodPost, "/v2.1/servers/"+id+"/action", apiHeader(ts.Token, ""), body)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	return ex.decoded["console"]["url"].(string)
}

func dialConsole(t *testing.T, ts *fakenova.Test, path string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+path, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}

func readUntilText(t *testing.T, r io.Reader, want string) {
	t.Helper()
	var got bytes.Buffer
	buf := make([]byte, 4096)
	for !strings.Contains(got.String(), want) {
		n, err := r.Read(buf)
		require.NoError(t, err, "waiting for %q, got %q", want, got.String())
		got.Write(buf[:n])
	}
}

func equalPixels(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
