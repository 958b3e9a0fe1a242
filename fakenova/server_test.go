package fakenova_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// serve runs a Server of h on a loopback port until the test ends.
func serve(t *testing.T, h http.Handler, cfg fakenova.ServerConfig) (*fakenova.Server, string) {
	t.Helper()
	ln, err := fakenova.Listen("127.0.0.1:0")
	require.NoError(t, err)
	srv := fakenova.NewServer(h, cfg)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		assert.ErrorIs(t, <-done, http.ErrServerClosed)
	})
	return srv, ln.Addr().String()
}

// closedByServer waits (at most 10 s, far beyond the timeouts under test)
// for the server to close conn, and reports whether it did.
func closedByServer(conn net.Conn) bool {
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}

// Slow and idle clients are closed on their timeouts while a healthy
// client is served.
func TestServerClosesSlowAndIdleClients(t *testing.T) {
	ts := fakenova.Start(t)
	_, addr := serve(t, ts.Cloud, fakenova.ServerConfig{ReadHeaderTimeout: 200 * time.Millisecond,
		ReadTimeout: 400 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}
	slowHeaders := dial()
	_, err := io.WriteString(slowHeaders, "GET /v2.1/servers HTTP/1.1\r\nHost: x\r\n") // and never the end
	require.NoError(t, err)
	slowBody := dial()
	_, err = io.WriteString(slowBody, "POST /v2.1/servers HTTP/1.1\r\nHost: x\r\nX-Auth-Token: "+ts.Token+
		"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	require.NoError(t, err)
	idle := dial()
	_, err = io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") // answered, then kept alive
	require.NoError(t, err)
	silent := dial() // says nothing at all

	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/v2.1/servers", nil)
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", ts.Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a healthy client is served meanwhile")

	for name, c := range map[string]net.Conn{"slow headers": slowHeaders, "slow body": slowBody, "idle": idle, "silent": silent} {
		assert.True(t, closedByServer(c), name)
	}
}

// Past the connection cap, an idle keep-alive connection makes room; with
// none idle, a new connection gets a 503 and is closed.
func TestServerConnectionCap(t *testing.T) {
	ts := fakenova.Start(t)
	srv, addr := serve(t, ts.Cloud, fakenova.ServerConfig{MaxConnections: 2})
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		conns = append(conns, c)
		return c
	}
	// Two idle keep-alive connections fill the server.
	for i := 0; i < 2; i++ {
		c := dial()
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		buf := make([]byte, 12)
		_, err = io.ReadFull(c, buf)
		require.NoError(t, err)
		require.Equal(t, "HTTP/1.1 200", string(buf))
	}
	require.Eventually(t, func() bool { return srv.OpenConnections() == 2 }, 5*time.Second, 10*time.Millisecond)
	// A client still gets in: an idle connection makes room.
	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	http.DefaultClient.CloseIdleConnections()

	// Two connections in the middle of a request (slow headers): no room.
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	require.Eventually(t, func() bool { return srv.OpenConnections() == 0 }, 5*time.Second, 10*time.Millisecond)
	for i := 0; i < 2; i++ {
		_, err := io.WriteString(dial(), "GET / HTTP/1.1\r\n")
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return srv.OpenConnections() == 2 }, 5*time.Second, 10*time.Millisecond)
	refused := dial()
	_, _ = io.WriteString(refused, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = refused.SetReadDeadline(time.Now().Add(5 * time.Second))
	answer, _ := io.ReadAll(refused)
	assert.True(t, strings.HasPrefix(string(answer), "HTTP/1.1 503 Service Unavailable\r\n"), "%q", answer)
	assert.Contains(t, string(answer), "Connection: close\r\n")
	assert.Contains(t, string(answer), "novastub: too many connections (2 open, the cap); try again\n")
}

// A long stream that calls ExemptFromDeadlines keeps its connection past
// the server's timeouts; one that does not is cut. A hijacked connection
// (a WebSocket) is freed of them by net/http itself.
func TestServerExemptFromDeadlines(t *testing.T) {
	var wg sync.WaitGroup
	release := make(chan struct{})
	results := map[string]error{}
	var mu sync.Mutex
	var started atomic.Int32
	wg.Add(3)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer wg.Done()
		started.Add(1)
		var err error
		switch r.URL.Path {
		case "/hijacked":
			conn, buf, herr := http.NewResponseController(w).Hijack()
			if !assert.NoError(t, herr) {
				return
			}
			defer conn.Close()
			<-release // past the timeouts
			_, err = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\n\r\nstream")
			if err == nil {
				err = buf.Flush()
			}
		default:
			if r.URL.Path == "/exempt" {
				assert.True(t, fakenova.ExemptFromDeadlines(w))
			}
			w.WriteHeader(http.StatusOK)
			<-release // past the timeouts
			_, err = w.Write([]byte(strings.Repeat("x", 1<<20)))
			if err == nil {
				err = http.NewResponseController(w).Flush()
			}
		}
		mu.Lock()
		results[r.URL.Path] = err
		mu.Unlock()
	})
	_, addr := serve(t, h, fakenova.ServerConfig{WriteTimeout: 100 * time.Millisecond, ReadTimeout: 100 * time.Millisecond})
	paths := []string{"/exempt", "/bound", "/hijacked"}
	for _, path := range paths {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		_, err = io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		go func() { _, _ = io.Copy(io.Discard, c) }()
	}
	require.Eventually(t, func() bool { return started.Load() == 3 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(300 * time.Millisecond) // let the deadlines pass: the test is of what happens after them
	close(release)
	wg.Wait()
	assert.NoError(t, results["/exempt"])
	assert.Error(t, results["/bound"])
	assert.NoError(t, results["/hijacked"])
	assert.False(t, fakenova.ExemptFromDeadlines(httptestRecorder()))
}

// A taken port gets a hint.
func TestListenHint(t *testing.T) {
	ln, err := fakenova.Listen("127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, err = fakenova.Listen(ln.Addr().String())
	require.ErrorIs(t, err, syscall.EADDRINUSE)
	assert.Contains(t, err.Error(), "another program (another novastub?) listens on "+ln.Addr().String()+
		"; stop it, or choose another address (port 0 picks a free one)")
}

func httptestRecorder() http.ResponseWriter { return httptest.NewRecorder() }
