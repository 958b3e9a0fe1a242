package fakenova

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// The server's limits by default. Nova's API server (eventlet's wsgi, as
// nova-api ran it) has a socket timeout of 900 s ([wsgi]
// client_socket_timeout) and a pool of 1,000 green threads ([wsgi]
// default_pool_size); the fake keeps Nova's pool size as its connection
// cap and closes slow and idle clients much sooner, since a stub on a
// developer's machine must not be held by them.
const (
	// DefaultReadHeaderTimeout is how long a client may take to send a
	// request's line and headers.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout is how long a client may take to send a whole
	// request, body included (the body is at most 112 KiB).
	DefaultReadTimeout = 30 * time.Second
	// DefaultWriteTimeout is how long the fake may take to answer a
	// request, from the end of its headers: a fault rule's delay longer
	// than this is cut short.
	DefaultWriteTimeout = 60 * time.Second
	// DefaultIdleTimeout is how long a keep-alive connection may wait
	// for its next request.
	DefaultIdleTimeout = 120 * time.Second
	// DefaultMaxConnections caps the connections open at once: Nova's
	// [wsgi] default_pool_size.
	DefaultMaxConnections = 1000
)

// ServerConfig configures a Server; a zero field takes its default.
type ServerConfig struct {
	ReadHeaderTimeout time.Duration // default DefaultReadHeaderTimeout
	ReadTimeout       time.Duration // default DefaultReadTimeout
	WriteTimeout      time.Duration // default DefaultWriteTimeout
	IdleTimeout       time.Duration // default DefaultIdleTimeout
	// MaxConnections caps the connections open at once (console
	// WebSockets included). Past it a new connection first takes the
	// place of an idle keep-alive one; when none is idle it gets a 503
	// and is closed. Default: DefaultMaxConnections.
	MaxConnections int
	// Logger gets the server's own errors (TLS handshakes, accept
	// errors, rejected connections). Default: nowhere.
	Logger *slog.Logger
}

// Server serves a handler (a Cloud) as the stub binary does: with
// timeouts, a cap on connections, Nova's limits on the request line and
// headers (RequestLimits, which NewCloud applies), and HTTP/1.1 only, as
// Nova's eventlet server speaks. Console WebSockets (hijacked
// connections) are exempt from the timeouts, and so are streams that call
// ExemptFromDeadlines; they count against MaxConnections.
type Server struct {
	cfg  ServerConfig
	http *http.Server
	mu   sync.Mutex
	idle map[net.Conn]struct{} // keep-alive connections waiting for a request
	open int                   // connections open, hijacked ones included
}

// NewServer returns a Server of h.
func NewServer(h http.Handler, cfg ServerConfig) *Server {
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = DefaultMaxConnections
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(discardHandler{})
	}
	s := &Server{cfg: cfg, idle: map[net.Conn]struct{}{}}
	s.http = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		// Room for Nova's limits (a request line under 8 KiB, headers
		// under 64 KiB), which RequestLimits answers as eventlet does;
		// net/http answers 431 only past this.
		MaxHeaderBytes: maxRequestLine + maxHeadersTotal,
		ConnState:      s.connState,
		ErrorLog:       slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		// HTTP/1.1 only, as Nova's server: no HTTP/2 over TLS.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	return s
}

// Serve accepts connections on ln until Shutdown (then it returns
// http.ErrServerClosed).
func (s *Server) Serve(ln net.Listener) error {
	return s.http.Serve(&cappedListener{Listener: ln, s: s})
}

// ServeTLS is Serve over TLS, with the certificate and key in PEM files.
func (s *Server) ServeTLS(ln net.Listener, certFile, keyFile string) error {
	return s.http.ServeTLS(&cappedListener{Listener: ln, s: s}, certFile, keyFile)
}

// Shutdown stops accepting, waits for the requests under way (not for
// hijacked connections such as console WebSockets) until ctx is done, and
// closes the connections.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

// Close closes the listener and every connection at once.
func (s *Server) Close() error { return s.http.Close() }

// OpenConnections returns how many connections are open.
func (s *Server) OpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// connState tracks the idle keep-alive connections, the ones a new
// connection may replace when the server is full.
func (s *Server) connState(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state == http.StateIdle {
		s.idle[c] = struct{}{}
	} else {
		delete(s.idle, c)
	}
}

// admit counts a new connection in, closing an idle one to make room when
// the server is full; false means there is no room at all.
func (s *Server) admit() bool {
	s.mu.Lock()
	if s.open >= s.cfg.MaxConnections {
		var victim net.Conn
		for c := range s.idle {
			victim = c
			delete(s.idle, c)
			break
		}
		if victim != nil {
			s.mu.Unlock()
			_ = victim.Close() // it counts itself out
			s.mu.Lock()
		}
	}
	ok := s.open < s.cfg.MaxConnections
	if ok {
		s.open++
	}
	s.mu.Unlock()
	return ok
}

// msgTooManyConnections is the 503 a connection over the cap gets.
const msgTooManyConnections = "novastub: too many connections (%d open, the cap); try again\n"

// cappedListener counts the connections it hands out and turns away
// those over the cap with a 503.
type cappedListener struct {
	net.Listener
	s *Server
}

func (l *cappedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.s.admit() {
			return &countedConn{Conn: c, s: l.s}, nil
		}
		l.s.cfg.Logger.Warn("connection refused: too many open", "remote", c.RemoteAddr().String(), "max", l.s.cfg.MaxConnections)
		body := fmt.Sprintf(msgTooManyConnections, l.s.cfg.MaxConnections)
		_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		_, _ = fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"+
			"Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		_ = c.Close()
	}
}

// countedConn counts itself out when closed, once.
type countedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.s.mu.Lock()
		defer c.s.mu.Unlock()
		delete(c.s.idle, c)
		c.s.open--
	})
	return err
}

// ExemptFromDeadlines lifts the server's read and write deadlines from the
// connection of w, for a request whose answer is a long-lived stream that
// net/http keeps serving (a response written and flushed for minutes):
// call it before the stream starts; the connection then stays open until
// either side closes it (the stream should send pings to find dead
// peers). A connection the handler hijacks, as a console WebSocket's
// upgrade does (websocket.Accept), is freed of the deadlines by net/http
// itself and needs no call. It reports whether it could (false for a
// ResponseWriter that cannot, such as an httptest.ResponseRecorder).
func ExemptFromDeadlines(w http.ResponseWriter) bool {
	rc := http.NewResponseController(w)
	return rc.SetReadDeadline(time.Time{}) == nil && rc.SetWriteDeadline(time.Time{}) == nil
}

// Listen listens on a TCP address as net.Listen does; when the address is
// taken, the error says so and how to choose another (errors.Is(err,
// syscall.EADDRINUSE) holds).
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%w: another program (another novastub?) listens on %s; stop it, or choose another address (port 0 picks a free one)", err, addr)
	}
	return ln, err
}

// IsLoopbackListen reports whether a listen address (host:port) binds
// loopback only: 127.0.0.0/8, ::1 or localhost. An empty host or 0.0.0.0
// binds every interface.
func IsLoopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return isLoopbackHost(host)
}

// ListenWarning is what a stub should warn of when it listens on addr: ""
// for a loopback address, else that anyone who reaches it can use the
// fake cloud.
func ListenWarning(addr string) string {
	if IsLoopbackListen(addr) {
		return ""
	}
	return "listening beyond loopback: anyone who can reach " + addr +
		" can use the fake cloud with the seed's tokens and passwords; the control plane needs its token"
}

// isLoopbackHost reports whether a host name or address is loopback.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
