package console_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/console"
	"github.com/novastub/novastub/fakenova/internal/rfbtest"
	"github.com/novastub/novastub/state"
)

func TestSubprotocols(t *testing.T) {
	e := newEnv(t)
	tok := e.token(state.ConsoleNoVNC)
	for _, tc := range []struct {
		offered []string
		want    string
	}{
		{nil, ""},
		{[]string{"binary"}, "binary"},
		{[]string{"binary", "base64"}, "binary"},
		{[]string{"base64", "binary"}, "binary"},
	} {
		conn, resp, err := e.dial("/?token="+tok, &websocket.DialOptions{Subprotocols: tc.offered})
		require.NoError(t, err, tc.offered)
		assert.Equal(t, tc.want, resp.Header.Get("Sec-WebSocket-Protocol"), tc.offered)
		assert.Equal(t, tc.want, conn.Subprotocol())
		conn.CloseNow()
	}
}

// rawUpgrade sends a handshake written by hand and returns the response's
// status line, headers and body.
func rawUpgrade(t *testing.T, e *env, headers string) (status string, h http.Header, body string, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(e.server.URL, "http://"))
	require.NoError(t, err)
	defer c.Close()
	_, err = fmt.Fprintf(c, "GET /?token=x HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n%s\r\n",
		strings.TrimPrefix(e.server.URL, "http://"), headers)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	return resp.Status, resp.Header, string(b), resp.Close
}

func TestWebsockifyRefusals(t *testing.T) {
	e := newEnv(t)
	const key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	for _, tc := range []struct{ headers, msg string }{
		{key, "Missing Sec-WebSocket-Version header"},
		{key + "Sec-WebSocket-Version: 12\r\n", "Unsupported protocol version 12"},
		{"Sec-WebSocket-Version: 13\r\n", "Missing Sec-WebSocket-Key header"},
		{key + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: base64\r\n", "Invalid protocol selected"},
		{key + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: x, binary\r\n", "Invalid protocol selected"},
	} {
		status, h, body, closed := rawUpgrade(t, e, tc.headers)
		assert.Equal(t, "400 "+tc.msg, status)
		assert.Equal(t, "WebSockify Python/3.12.3", h.Get("Server"))
		assert.True(t, closed, "Connection: close")
		assert.Equal(t, "text/html;charset=utf-8", h.Get("Content-Type"))
		assert.Equal(t, "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n"+
			"        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n"+
			"        <p>Error code: 400</p>\n        <p>Message: "+tc.msg+".</p>\n"+
			"        <p>Error code explanation: 400 - Bad request syntax or unsupported method.</p>\n"+
			"    </body>\n</html>\n", body)
	}
	// Version 8 (HyBi-08) is accepted as websockify accepts it.
	status, _, _, _ := rawUpgrade(t, e, key+"Sec-WebSocket-Version: 8\r\n")
	assert.Equal(t, "101 Switching Protocols", status)
}

func TestBase64Subprotocol(t *testing.T) {
	e := newEnv(t, console.WithBase64(true))
	conn, resp, err := e.dial("/?token="+e.token(state.ConsoleSerial), &websocket.DialOptions{Subprotocols: []string{"base64"}})
	require.NoError(t, err)
	defer conn.CloseNow()
	assert.Equal(t, "base64", resp.Header.Get("Sec-WebSocket-Protocol"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	typ, b, err := conn.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, websocket.MessageText, typ)
	boot, err := base64.StdEncoding.DecodeString(string(b))
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(boot), "vm1 login: "))
	require.NoError(t, conn.Write(ctx, websocket.MessageText, []byte(base64.StdEncoding.EncodeToString([]byte("r")))))
	_, b, err = conn.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, base64.StdEncoding.EncodeToString([]byte("r")), string(b))
}

func TestTextFrameClosed(t *testing.T) {
	e := newEnv(t)
	conn := e.mustDial("/?token="+e.token(state.ConsoleSerial), nil)
	require.NoError(t, conn.Write(context.Background(), websocket.MessageText, []byte("hello")))
	code, reason := closeOf(t, conn)
	assert.Equal(t, websocket.StatusUnsupportedData, code)
	assert.Equal(t, "Unsupported: Text frames are not supported", reason)
}

func TestOrigin(t *testing.T) {
	e := newEnv(t, console.WithAllowedOrigins("portal.example"))
	tok := e.token(state.ConsoleNoVNC)
	for _, tc := range []struct {
		origin, forwarded string
		ok                bool
	}{
		{"http://127.0.0.1:9999", "", true},
		{"http://portal.example", "", true},
		{"http://evil.example", "", false},
		{"https://127.0.0.1", "", false},
		{"https://127.0.0.1", "http", true},
		{"null", "", false},
	} {
		h := http.Header{"Origin": {tc.origin}}
		if tc.forwarded != "" {
			h.Set("X-Forwarded-Proto", tc.forwarded)
		}
		conn := e.mustDial("/?token="+tok, &websocket.DialOptions{HTTPHeader: h})
		if tc.ok {
			_, err := rfbtest.Handshake(websocket.NetConn(context.Background(), conn, websocket.MessageBinary), rfbtest.Options{})
			assert.NoError(t, err, tc.origin)
		} else {
			code, _ := closeOf(t, conn)
			assert.Equal(t, websocket.StatusCode(-1), code, tc.origin)
		}
	}
}

func TestOriginBehindTLS(t *testing.T) {
	e := newEnv(t, console.WithExternalURL("https://console.example"))
	tok := e.token(state.ConsoleNoVNC)
	h := http.Header{"Origin": {"https://console.example"}, "X-Forwarded-Proto": {"https"}}
	conn := e.mustDial("/?token="+tok, &websocket.DialOptions{Host: "console.example", HTTPHeader: h})
	_, err := rfbtest.Handshake(websocket.NetConn(context.Background(), conn, websocket.MessageBinary), rfbtest.Options{})
	assert.NoError(t, err)
}

func TestCloseEndsSessionsWithoutLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		clock := state.NewManualClock(time.Now())
		store := state.New(state.WithClock(clock), state.WithProtocols(state.ProtocolVNC, state.ProtocolSerial))
		_, _ = store.AddProject(state.Project{ID: projectID})
		_ = store.AddHost(state.Host{Name: "compute-1"})
		p := console.New(store, console.WithPollInterval(time.Millisecond), console.WithPing(5*time.Millisecond, time.Second))
		ts := httptest.NewServer(p)
		defer ts.Close()
		e := &env{t: t, store: store, clock: clock, proxy: p, server: ts, wsURL: "ws" + strings.TrimPrefix(ts.URL, "http")}
		var conns []*websocket.Conn
		for i := 0; i < 10; i++ {
			e.srv, _ = store.AddServer(state.Server{Name: fmt.Sprint("vm", i), ProjectID: projectID, Host: "compute-1"})
			for _, typ := range []state.ConsoleType{state.ConsoleNoVNC, state.ConsoleSerial} {
				conn, _, err := e.dial("/?token="+e.token(typ), nil)
				require.NoError(t, err)
				conns = append(conns, conn)
			}
		}
		// Half close themselves, half are closed by the proxy.
		for _, c := range conns[:10] {
			c.Close(websocket.StatusNormalClosure, "bye")
		}
		done := make(chan struct{})
		go func() {
			for _, c := range conns[10:] {
				code, _ := closeOf(t, c)
				assert.Equal(t, websocket.StatusGoingAway, code)
			}
			close(done)
		}()
		time.Sleep(20 * time.Millisecond) // a few pings and polls
		require.NoError(t, p.Close())
		<-done
		conn, _, err := e.dial("/?token="+e.token(state.ConsoleNoVNC), nil)
		if err == nil {
			conn.CloseNow()
		}
		assert.Error(t, err, "a closed proxy takes no console")
	}()
	http.DefaultClient.CloseIdleConnections()
	rfbtest.WaitGoroutines(t, before)
}

func TestPingDropsDeadClient(t *testing.T) {
	e := newEnv(t, console.WithPing(10*time.Millisecond, 20*time.Millisecond))
	conn := e.mustDial("/?token="+e.token(state.ConsoleSerial), nil)
	// The client reads nothing, so it answers no ping: the proxy drops it.
	time.Sleep(200 * time.Millisecond)
	code, _ := closeOf(t, conn)
	assert.Equal(t, websocket.StatusCode(-1), code)
}

func TestWrap(t *testing.T) {
	e := newEnv(t)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "nova") })
	ts := httptest.NewServer(e.proxy.Wrap(next))
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/v2.1/")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "nova", string(b))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/?token="+e.token(state.ConsoleNoVNC), nil)
	require.NoError(t, err)
	defer conn.CloseNow()
	c, err := rfbtest.Handshake(websocket.NetConn(ctx, conn, websocket.MessageBinary), rfbtest.Options{})
	require.NoError(t, err)
	assert.Equal(t, "vm1", c.Name)
}

// TestBaseContextCancelClosesCleanly: a server whose base context ends
// (a shutdown) closes its consoles with 1001.
func TestBaseContextCancelClosesCleanly(t *testing.T) {
	e := newEnv(t)
	base, cancel := context.WithCancel(context.Background())
	ts := httptest.NewUnstartedServer(e.proxy)
	ts.Config.BaseContext = func(net.Listener) context.Context { return base }
	ts.Start()
	defer ts.Close()
	ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/?token="+e.token(state.ConsoleNoVNC), nil)
	require.NoError(t, err)
	defer conn.CloseNow()
	_, b, err := conn.Read(ctx)
	require.NoError(t, err)
	require.Equal(t, "RFB 003.008\n", string(b))
	cancel()
	code, _ := closeOf(t, conn)
	assert.Equal(t, websocket.StatusGoingAway, code)
}
