package console_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/console"
	"github.com/novastub/novastub/fakenova/console/guest"
	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/fakenova/internal/rfbtest"
	"github.com/novastub/novastub/state"
)

const projectID = "1ab83fbf1b594600bfa618dc33694dd6"

// env is a store with a running server and a proxy in front of it, on an
// httptest server.
type env struct {
	t      testing.TB
	store  *state.Store
	clock  *state.ManualClock
	srv    state.Server
	proxy  *console.Proxy
	server *httptest.Server
	wsURL  string // ws://127.0.0.1:PORT
}

func newEnv(t testing.TB, opts ...console.Option) *env {
	t.Helper()
	clock := state.NewManualClock(time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
	store := state.New(state.WithClock(clock), state.WithProtocols(state.ProtocolVNC, state.ProtocolSerial,
		state.ProtocolSPICE, state.ProtocolMKS))
	_, err := store.AddProject(state.Project{ID: projectID, Name: "demo"})
	require.NoError(t, err)
	require.NoError(t, store.AddHost(state.Host{Name: "compute-1"}))
	srv, err := store.AddServer(state.Server{Name: "vm1", ProjectID: projectID, Host: "compute-1",
		VMState: state.VMActive, LaunchedAt: clock.Now().Add(-time.Hour)})
	require.NoError(t, err)
	p := console.New(store, append([]console.Option{console.WithPollInterval(5 * time.Millisecond)}, opts...)...)
	ts := httptest.NewServer(p)
	t.Cleanup(func() {
		require.NoError(t, p.Close())
		ts.Close()
	})
	return &env{t: t, store: store, clock: clock, srv: srv, proxy: p, server: ts,
		wsURL: "ws" + strings.TrimPrefix(ts.URL, "http")}
}

// token issues a console token of type typ for the env's server.
func (e *env) token(typ state.ConsoleType) string {
	e.t.Helper()
	tok, err := e.store.CreateConsole(state.ConsoleRequest{ProjectID: projectID, ServerID: e.srv.ID, Type: typ})
	require.NoError(e.t, err)
	return tok.Token
}

// dial opens a WebSocket to path (with its query) on the proxy.
func (e *env) dial(path string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return websocket.Dial(ctx, e.wsURL+path, opts)
}

// mustDial opens a WebSocket that must upgrade.
func (e *env) mustDial(path string, opts *websocket.DialOptions) *websocket.Conn {
	e.t.Helper()
	conn, resp, err := e.dial(path, opts)
	require.NoError(e.t, err)
	require.Equal(e.t, http.StatusSwitchingProtocols, resp.StatusCode)
	e.t.Cleanup(func() { conn.CloseNow() })
	return conn
}

// vnc opens a VNC console and does the RFB handshake.
func (e *env) vnc(path string, o rfbtest.Options) (*rfbtest.Client, *websocket.Conn) {
	e.t.Helper()
	conn := e.mustDial(path, nil)
	c, err := rfbtest.Handshake(websocket.NetConn(context.Background(), conn, websocket.MessageBinary), o)
	require.NoError(e.t, err)
	return c, conn
}

// guestOf is a guest of the env's server as the proxy shows it, to compare
// pictures with.
func (e *env) guestOf() *guest.Machine {
	srv, err := e.store.Server(e.srv.ID)
	require.NoError(e.t, err)
	return guest.New(srv, guest.WithClock(e.clock))
}

// picture is a guest's screen, or part of it, as 0x00RRGGBB.
func picture(m *guest.Machine, r rfb.Rect) []uint32 {
	out := make([]uint32, r.W*r.H)
	m.Screen().Read(func(f rfb.Frame) { f.Draw(r, out) })
	return out
}

// region cuts r out of a client's framebuffer.
func region(c *rfbtest.Client, r rfb.Rect) []uint32 {
	out := make([]uint32, 0, r.W*r.H)
	for y := r.Y; y < r.Y+r.H; y++ {
		out = append(out, c.FB[y*c.Width+r.X:y*c.Width+r.X+r.W]...)
	}
	return out
}

// readUntil reads updates (asking for the next one after each) until
// cond holds of the client's framebuffer.
func readUntil(t testing.TB, c *rfbtest.Client, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "the screen never showed what was expected")
		require.NoError(t, c.Request(true))
		_, err := c.ReadUpdate()
		require.NoError(t, err)
	}
}

// textRect is the rectangle of cells where text is on m's screen.
func textRect(t testing.TB, m *guest.Machine, text string) rfb.Rect {
	t.Helper()
	col, row, ok := m.Find(text)
	require.True(t, ok, "%q is not on the screen", text)
	return rfb.Rect{X: col * guest.CellWidth, Y: row * guest.CellHeight, W: len(text) * guest.CellWidth, H: guest.CellHeight}
}

// closeOf reads until the connection ends and returns how: the close
// status, or -1 when it ended without a close frame.
func closeOf(t testing.TB, conn *websocket.Conn) (websocket.StatusCode, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, r, err := conn.Reader(ctx)
		if err != nil {
			require.NoError(t, ctx.Err(), "the connection did not end")
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, ce.Reason
			}
			return -1, err.Error()
		}
		_, _ = io.Copy(io.Discard, r)
	}
}
