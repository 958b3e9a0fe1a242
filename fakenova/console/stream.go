package console

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// errTextFrame ends a session whose client sent a text frame.
var errTextFrame = errors.New("console: text frame")

// stream is a WebSocket as the byte stream a console session reads and
// writes, as websockify relays it: what the client sends in binary frames
// (fragmented or not) is read in order, each Write is one binary frame.
// In base64 mode (websockify before 0.9) both ways are text frames of
// base64. It is not an io.Closer: the session decides how the WebSocket
// closes (with a close frame and a reason, or not at all).
type stream struct {
	conn   *websocket.Conn
	ctx    context.Context // for writes: the session's
	base64 bool
	r      io.Reader    // the message being read
	last   atomic.Int64 // unix nanoseconds of the last frame either way
}

func newStream(ctx context.Context, conn *websocket.Conn, base64 bool) *stream {
	s := &stream{conn: conn, ctx: ctx, base64: base64}
	s.touch()
	return s
}

func (s *stream) touch() { s.last.Store(time.Now().UnixNano()) }

// idle returns how long nothing went either way.
func (s *stream) idle() time.Duration { return time.Duration(time.Now().UnixNano() - s.last.Load()) }

// Read reads what the client sent. Reads are not bound to a context: the
// session unblocks them by closing the WebSocket. A text frame in binary
// mode is websockify's close 1003.
func (s *stream) Read(p []byte) (int, error) {
	for {
		if s.r == nil {
			typ, r, err := s.conn.Reader(context.Background())
			if err != nil {
				return 0, err
			}
			s.touch()
			want := websocket.MessageBinary
			if s.base64 {
				want = websocket.MessageText
			}
			if typ != want {
				_, _ = io.Copy(io.Discard, r)
				_ = s.conn.Close(websocket.StatusUnsupportedData, reasonTextFrames)
				return 0, errTextFrame
			}
			if s.base64 {
				r = base64.NewDecoder(base64.StdEncoding, r)
			}
			s.r = r
		}
		n, err := s.r.Read(p)
		if err == io.EOF {
			s.r = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

// Write sends p as one frame.
func (s *stream) Write(p []byte) (int, error) {
	s.touch()
	if s.base64 {
		return len(p), s.conn.Write(s.ctx, websocket.MessageText, []byte(base64.StdEncoding.EncodeToString(p)))
	}
	if err := s.conn.Write(s.ctx, websocket.MessageBinary, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
