package console

import (
	"io"
	"log/slog"
	"time"

	"github.com/novastub/novastub/fakenova/console/guest"
	"github.com/novastub/novastub/state"
)

// Defaults of the Proxy's options.
const (
	// DefaultPollInterval is how often an open console looks at its
	// server: how soon a stop, a pause or a delete shows.
	DefaultPollInterval = 500 * time.Millisecond
	// DefaultPingInterval is how long a console may be idle before the
	// proxy pings the client.
	DefaultPingInterval = 30 * time.Second
	// DefaultPingTimeout is how long the proxy waits for the pong before
	// it drops the connection.
	DefaultPingTimeout = 15 * time.Second
	// DefaultMaxMessage bounds a WebSocket message from a client: 1 MiB.
	DefaultMaxMessage = 1 << 20
	// DefaultGuestRetention is how long a guest outlives its last console:
	// a console opened again within it finds the screen as it was left.
	DefaultGuestRetention = 10 * time.Minute
	// DefaultMaxCutText bounds the clipboard text an RFB client sends.
	DefaultMaxCutText = 256 << 10
)

// Option configures a Proxy. Each option documents its default.
type Option func(*Proxy)

// WithServerSource sets where the proxy looks servers up, at connection
// and while a console is open. Default: the store given to New.
func WithServerSource(src ServerSource) Option {
	return func(p *Proxy) {
		if src != nil {
			p.servers = src
		}
	}
}

// WithLogger sets where the proxy logs connections and refusals (tokens
// are never logged). Default: nowhere.
func WithLogger(l *slog.Logger) Option {
	return func(p *Proxy) {
		if l != nil {
			p.logger = l
		}
	}
}

// WithPollInterval sets how often an open console looks its server up.
// Default: DefaultPollInterval.
func WithPollInterval(d time.Duration) Option {
	return func(p *Proxy) {
		if d > 0 {
			p.pollInterval = d
		}
	}
}

// WithPing sets how long a console may be idle before the client is
// pinged, and how long its pong may take before the connection is dropped;
// an interval of 0 never pings. Default: DefaultPingInterval,
// DefaultPingTimeout.
func WithPing(interval, timeout time.Duration) Option {
	return func(p *Proxy) {
		p.pingInterval = max(interval, 0)
		if timeout > 0 {
			p.pingTimeout = timeout
		}
	}
}

// WithAllowedOrigins adds host names that a browser's Origin may name
// besides the proxy's own host, as Nova's [console] allowed_origins.
// Default: none.
func WithAllowedOrigins(hosts ...string) Option {
	return func(p *Proxy) { p.allowedOrigins = append(p.allowedOrigins, hosts...) }
}

// WithExternalURL sets the URL clients reach the proxy at (behind a TLS
// terminator, say): its scheme is the one a browser's Origin must have,
// as Nova compares it with the console's access URL. Default: the
// scheme of each request as received (https with TLS, else http).
func WithExternalURL(u string) Option { return func(p *Proxy) { p.externalURL = u } }

// WithScreenSize sets the size of the guests' VGA consoles in pixels, in
// whole 8x16 character cells. Default: guest.DefaultWidth by
// guest.DefaultHeight (1024x768).
func WithScreenSize(width, height int) Option {
	return func(p *Proxy) { p.width, p.height = width, height }
}

// WithMaxMessage bounds a WebSocket message from a client: a longer one
// closes the connection (1009). Default: DefaultMaxMessage.
func WithMaxMessage(n int64) Option {
	return func(p *Proxy) {
		if n > 0 {
			p.maxMessage = n
		}
	}
}

// WithGuestRetention sets how long a server's guest (its screen, its
// logged-in shells) is kept once its last console closes, so that a
// console opened again (a page reloaded) finds it as it was, as a VM's
// screen stays when no viewer is connected; 0 forgets it at once (a new
// console sees the login prompt again). At most 256 idle guests are kept.
// Default: DefaultGuestRetention.
func WithGuestRetention(d time.Duration) Option {
	return func(p *Proxy) { p.retention = max(d, 0) }
}

// WithStrictRFB makes the VNC console speak only RFB 3.8, as
// nova-novncproxy's security proxy (RFBSecurityProxy) does: a client that
// asks for 3.3 or 3.7 is closed (1000, no reason). Default: off, 3.3 and
// 3.7 are served too, as a VNC server reached directly serves them.
func WithStrictRFB(strict bool) Option { return func(p *Proxy) { p.strictRFB = strict } }

// WithBase64 accepts the "base64" subprotocol of websockify before 0.9.0
// (text frames of base64) from a client that offers it without "binary".
// Default: off, as Nova's websockify (0.9 and later) answers such a
// client 400 "Invalid protocol selected".
func WithBase64(on bool) Option { return func(p *Proxy) { p.base64 = on } }

func (p *Proxy) defaults(store *state.Store) {
	p.store = store
	p.servers = store
	p.clock = store.Clock()
	p.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	p.pollInterval = DefaultPollInterval
	p.pingInterval, p.pingTimeout = DefaultPingInterval, DefaultPingTimeout
	p.width, p.height = guest.DefaultWidth, guest.DefaultHeight
	p.maxMessage = DefaultMaxMessage
	p.retention = DefaultGuestRetention
}
