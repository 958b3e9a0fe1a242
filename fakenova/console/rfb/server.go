package rfb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
)

// DefaultMaxCutText bounds the text of a ClientCutText message unless
// WithMaxCutText says otherwise: 256 KiB.
const DefaultMaxCutText = 256 << 10

// DefaultName is the desktop name a Server announces unless WithName says
// otherwise.
const DefaultName = "novastub"

// Server serves one Screen over RFB to any number of clients, one Serve
// call per client. It knows nothing of the transport: each client is a
// byte stream (a TCP connection, a WebSocket adapted to one).
type Server struct {
	screen     Screen
	input      Input
	name       string
	format     PixelFormat
	maxCutText int
	minVersion Version
	logger     *slog.Logger
}

// Option configures a Server.
type Option func(*Server)

// WithName sets the desktop name ServerInit announces (a viewer shows it
// as the window's title; QEMU announces the guest's name). Names longer
// than 1024 bytes are cut. Default: DefaultName.
func WithName(name string) Option {
	return func(s *Server) {
		if len(name) > maxNameLen {
			name = name[:maxNameLen]
		}
		s.name = name
	}
}

// WithInput sets where key, pointer and clipboard events go. Default:
// NoInput, a view-only screen.
func WithInput(in Input) Option {
	return func(s *Server) {
		if in == nil {
			in = NoInput{}
		}
		s.input = in
	}
}

// WithPixelFormat sets the pixel format ServerInit announces and the
// server sends until a client asks for another. It must be true colour
// (Serve fails at once otherwise). Default: DefaultPixelFormat.
func WithPixelFormat(f PixelFormat) Option { return func(s *Server) { s.format = f } }

// WithMaxCutText bounds the clipboard text a client may send; a longer
// ClientCutText ends its session with ErrCutTextTooLong. Default:
// DefaultMaxCutText.
func WithMaxCutText(n int) Option {
	return func(s *Server) {
		if n < 0 {
			n = 0
		}
		s.maxCutText = n
	}
}

// WithMinVersion refuses clients that ask for a protocol version older
// than v: their session ends with ErrUnsupportedVersion and no further
// byte, as nova-novncproxy's RFB security proxy treats any client but
// 3.8. Default: V33, every version.
func WithMinVersion(v Version) Option { return func(s *Server) { s.minVersion = v } }

// WithLogger sets where sessions log how they end (at debug level: a
// client that breaks the protocol). Default: nowhere.
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) {
		if l != nil {
			s.logger = l
		}
	}
}

// NewServer returns a Server showing screen.
func NewServer(screen Screen, opts ...Option) *Server {
	s := &Server{
		screen: screen, input: NoInput{}, name: DefaultName, format: DefaultPixelFormat,
		maxCutText: DefaultMaxCutText, minVersion: V33,
		logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Serve speaks RFB with one client over rw until the client goes, ctx is
// done or the client breaks the protocol: the handshake (3.8, or 3.7 or
// 3.3 as the client asks; security type None), then the client's requests
// for the screen, answered with only what changed on incremental ones, and
// its input passed on. It returns nil when the client closed the stream,
// ctx.Err() when ctx ended the session, or the error that did.
//
// If rw is an io.Closer, Serve closes it when ctx is done and when it
// returns, and waits for its own reading goroutine to end: nothing it
// started outlives the call. Otherwise the caller must end rw's pending
// Read after Serve returns.
func (srv *Server) Serve(ctx context.Context, rw io.ReadWriter) error {
	if err := srv.format.Validate(); err != nil {
		return fmt.Errorf("rfb: server pixel format: %w", err)
	}
	closer, _ := rw.(io.Closer)
	var once sync.Once
	closeRW := func() {
		if closer != nil {
			once.Do(func() { closer.Close() })
		}
	}
	stop := context.AfterFunc(ctx, closeRW)
	defer stop()

	s := newSession(srv, rw)
	if _, err := s.handshake(); err != nil {
		closeRW()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return eofIsNil(err)
	}

	// The client's messages are read on a goroutine of their own, so that
	// a screen change can be sent while a read is pending.
	msgs := make(chan message)
	errc := make(chan error, 1)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			m, err := readMessage(s.r, srv.maxCutText)
			if err != nil {
				errc <- err
				return
			}
			select {
			case msgs <- m:
			case <-done:
				return
			}
		}
	}()
	err := s.loop(ctx, msgs, errc)
	if err != nil && ctx.Err() == nil {
		srv.logger.Debug("rfb: session ended", "err", err)
	}
	close(done)
	closeRW()
	if closer != nil {
		wg.Wait()
	}
	if ctx.Err() != nil {
		return ctx.Err() // whatever failed once ctx closed rw
	}
	return err
}

// eofIsNil returns nil for the end of the client's stream.
func eofIsNil(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// session is one client's state.
type session struct {
	srv *Server
	r   *bufio.Reader
	w   io.Writer

	conv      *converter
	encodings encodingSet

	width, height int      // screen size
	tw, th        int      // tile size
	cols, rows    int      // tiles across and down
	shadow        []uint64 // the signature of each tile as the client has it
	known         []uint64 // a bit per tile: whether shadow holds what the client has
	cur           []uint64 // the screen's signatures, scratch

	want     bool // an incremental request is pending
	wantRect Rect // the region it asks for
}

func newSession(srv *Server, rw io.ReadWriter) *session {
	w, h := srv.screen.Size()
	tw, th := srv.screen.TileSize()
	tw, th = max(tw, 1), max(th, 1)
	cols, rows := (w+tw-1)/tw, (h+th-1)/th
	return &session{
		srv: srv, r: bufio.NewReaderSize(rw, 512), w: rw,
		conv: newConverter(srv.format), encodings: encodingSet{preferred: EncodingRaw},
		width: w, height: h, tw: tw, th: th, cols: cols, rows: rows,
		shadow: make([]uint64, cols*rows), cur: make([]uint64, cols*rows),
		known: make([]uint64, (cols*rows+63)/64),
	}
}

// loop answers the client's messages, and sends a pending incremental
// update when the screen changes.
func (s *session) loop(ctx context.Context, msgs <-chan message, errc <-chan error) error {
	var changed <-chan struct{}
	for {
		if s.want && changed == nil {
			ch := s.srv.screen.Changed()
			sent, err := s.update(true, s.wantRect)
			if err != nil {
				return err
			}
			if sent {
				s.want = false
			} else {
				changed = ch
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errc:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return eofIsNil(err)
		case <-changed:
			changed = nil
		case m := <-msgs:
			if err := s.handle(m); err != nil {
				return err
			}
			changed = nil
		}
	}
}

// handle acts on one client message.
func (s *session) handle(m message) error {
	switch m.typ {
	case msgSetPixelFormat:
		if err := m.format.Validate(); err != nil {
			return err
		}
		s.conv = newConverter(m.format)
	case msgSetEncodings:
		s.encodings = m.encodings
	case msgFramebufferUpdateRequest:
		r := m.rect.Intersect(Rect{W: s.width, H: s.height})
		if !m.incremental {
			_, err := s.update(false, r)
			if err == nil {
				s.want = false
			}
			return err
		}
		if r.Empty() {
			return nil
		}
		if s.want {
			r = union(s.wantRect, r)
		}
		s.want, s.wantRect = true, r
	case msgKeyEvent:
		s.srv.input.Key(m.down, m.keysym)
	case msgPointerEvent:
		s.srv.input.Pointer(m.buttons, m.x, m.y)
	case msgClientCutText:
		s.srv.input.CutText(m.text)
	}
	return nil
}

// union returns the smallest rectangle holding a and b.
func union(a, b Rect) Rect {
	x0, y0 := min(a.X, b.X), min(a.Y, b.Y)
	x1, y1 := max(a.X+a.W, b.X+b.W), max(a.Y+a.H, b.Y+b.H)
	return Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}
