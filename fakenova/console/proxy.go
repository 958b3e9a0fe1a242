package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/novastub/novastub/state"
)

// Proxy is the console proxy of the fake cloud: nova-novncproxy and
// nova-serialproxy in one http.Handler. A WebSocket upgrade at any path
// is a console connection, its token taken from the "token" query
// parameter or cookie: a VNC token (novnc, xvpvnc) gets the server's VGA
// console over RFB, a serial token its serial port as raw bytes. A plain
// GET of a console page (PagePaths) gets a viewer for the token's console.
// Use New; a Proxy is safe for concurrent use.
type Proxy struct {
	store   *state.Store
	servers ServerSource
	clock   state.Clock
	logger  *slog.Logger

	pollInterval   time.Duration
	pingInterval   time.Duration
	pingTimeout    time.Duration
	allowedOrigins []string
	externalURL    string
	width, height  int
	maxMessage     int64
	retention      time.Duration
	strictRFB      bool
	base64         bool

	guests guests

	mu       sync.Mutex
	closed   bool
	closing  chan struct{} // closed by Close
	sessions sync.WaitGroup
}

// New returns a Proxy for the consoles of store's tokens. Each option
// documents its default.
func New(store *state.Store, opts ...Option) *Proxy {
	p := &Proxy{closing: make(chan struct{})}
	p.defaults(store)
	for _, o := range opts {
		o(p)
	}
	p.guests = guests{p: p, m: map[string]*running{}}
	return p
}

// ServeHTTP serves a console connection (a WebSocket upgrade, at any
// path), a console page (a GET or HEAD of one of PagePaths), and answers
// anything else 404 as websockify's file server does.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case IsWebSocket(r):
		p.serveWebSocket(w, r)
	case IsPage(r):
		p.servePage(w, r)
	default:
		sendError(w, http.StatusNotFound, msgFileNotFound)
	}
}

// Wrap returns a handler that gives the proxy what is its own (every
// WebSocket upgrade, whatever the path, and the console pages) and next
// everything else: what a fake cloud on one port needs, with Nova's API
// beside the consoles.
func (p *Proxy) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsWebSocket(r) || IsPage(r) {
			p.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Close ends every open console (close code 1001, going away) and waits
// for them; later connections are refused. It returns nil.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.closing)
	}
	p.mu.Unlock()
	p.sessions.Wait()
	p.guests.stop()
	return nil
}

// begin counts a session in, unless the proxy is closed.
func (p *Proxy) begin() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.sessions.Add(1)
	return true
}

// serveWebSocket answers a console connection as nova's websockify proxy
// does: websockify's checks and subprotocol (a 400 before the upgrade),
// the upgrade, then the token, the server and the Origin (a refusal after
// the upgrade closes the socket without a word), then the console of the
// token's protocol.
func (p *Proxy) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	protocol, msg := upgradeCheck(r, p.base64)
	if msg != "" {
		sendError(w, http.StatusBadRequest, msg)
		return
	}
	if !p.begin() {
		http.Error(w, "console proxy closed", http.StatusServiceUnavailable)
		return
	}
	defer p.sessions.Done()

	// coder/websocket checks what websockify does not (version 13 only,
	// a Connection header): give it what websockify accepted.
	r = r.Clone(r.Context())
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Upgrade", "websocket")
	opts := &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled}
	if protocol != "" {
		opts.Subprotocols = []string{protocol}
	}
	conn, err := websocket.Accept(w, r, opts)
	if err != nil {
		p.logger.Info("console: upgrade failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	conn.SetReadLimit(p.maxMessage)

	tok, srv, refusal := p.authorize(r)
	if refusal != "" {
		// websockify's top_new_client logs the handler's exception and
		// closes the socket: no close frame, the browser sees 1006.
		p.logger.Info("console: handler exception: "+refusal, "remote", r.RemoteAddr)
		conn.CloseNow()
		return
	}
	p.logger.Info("console: connect", "remote", r.RemoteAddr, "server", srv.ID, "type", string(tok.Type))
	g := p.guests.acquire(srv)
	defer p.guests.release(g)
	// The session's own context: cancelling the request's (a server's
	// BaseContext) closes the console with a close frame, where a write
	// bound to the request's context would drop the connection at once.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	s := &session{p: p, conn: conn, stream: newStream(ctx, conn, protocol == "base64"), guest: g}
	serve := func(ctx context.Context) error { return p.serveSerial(ctx, s) }
	if tok.Protocol == state.ProtocolVNC {
		serve = func(ctx context.Context) error { return p.serveRFB(ctx, s, srv) }
	}
	s.run(r.Context(), ctx, cancel, serve)
}

// authorize finds the token and its server and checks the Origin, in
// nova's order; it returns the message of a refusal, or "".
func (p *Proxy) authorize(r *http.Request) (state.ConsoleToken, state.Server, string) {
	tok, err := p.store.ConsoleToken(wsToken(r))
	if err != nil {
		return tok, state.Server{}, msgInvalidToken
	}
	// validate_console_port: the instance must still be there.
	srv, err := p.servers.LookupServer(r.Context(), tok.ServerID)
	if err != nil || srv.VMState == state.VMDeleted || srv.TaskState == state.TaskDeleting {
		return tok, srv, msgInvalidToken
	}
	if msg := checkOrigin(r, p.allowedOrigins, p.accessScheme(r)); msg != "" {
		return tok, srv, msg
	}
	switch tok.Protocol {
	case state.ProtocolVNC, state.ProtocolSerial:
		return tok, srv, ""
	}
	return tok, srv, fmt.Sprintf(msgNotServed, tok.Protocol)
}

// accessScheme is the scheme of the console's access URL, which a
// browser's Origin is checked against.
func (p *Proxy) accessScheme(r *http.Request) string {
	if p.externalURL != "" {
		if u, err := url.Parse(p.externalURL); err == nil && u.Scheme != "" {
			return u.Scheme
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// session is one open console connection.
type session struct {
	p      *Proxy
	conn   *websocket.Conn
	stream *stream
	guest  *running
}

// run serves the console until the client leaves, the server goes, the
// proxy closes or the request's context (parent) ends, and closes the
// WebSocket as websockify does: when the server goes (or the console's own
// side ends it), 1000 "Target closed" (websockify's close when the VNC
// server's socket closes); on Close or parent's end, 1001. A client that
// closed has had its close frame echoed already. ctx is the session's,
// which cancel ends.
func (s *session) run(parent, ctx context.Context, cancel context.CancelFunc, serve func(ctx context.Context) error) {
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx) }()
	var keepAlive sync.WaitGroup
	if s.p.pingInterval > 0 {
		keepAlive.Add(1)
		go func() { defer keepAlive.Done(); s.keepAlive(ctx) }()
	}
	select {
	case err := <-errc:
		switch {
		case websocket.CloseStatus(err) != -1, errors.Is(err, errTextFrame):
			// The client closed, or was closed: nothing more to say.
		case errors.Is(err, errRFBHandshake):
			// nova's security proxy closes a failed negotiation with a
			// plain close: TenantSock.close().
			_ = s.conn.Close(websocket.StatusNormalClosure, "")
		case err == nil || ctx.Err() == nil:
			_ = s.conn.Close(websocket.StatusNormalClosure, reasonTargetClosed)
		}
	case <-s.guest.gone:
		_ = s.conn.Close(websocket.StatusNormalClosure, reasonTargetClosed)
		<-errc
	case <-s.p.closing:
		_ = s.conn.Close(websocket.StatusGoingAway, "")
		<-errc
	case <-parent.Done():
		_ = s.conn.Close(websocket.StatusGoingAway, "")
		<-errc
	}
	cancel()
	_ = s.conn.CloseNow()
	keepAlive.Wait()
}

// keepAlive pings the client when the connection has been idle for the
// ping interval, and drops it when the pong does not come in time.
func (s *session) keepAlive(ctx context.Context) {
	t := time.NewTicker(s.p.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if s.stream.idle() < s.p.pingInterval {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, s.p.pingTimeout)
		err := s.conn.Ping(pctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				s.p.logger.Info("console: ping failed, closing", "err", err)
				_ = s.conn.CloseNow()
			}
			return
		}
		s.stream.touch()
	}
}
