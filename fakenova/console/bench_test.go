package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/novastub/novastub/fakenova/console"
	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/fakenova/internal/rfbtest"
	"github.com/novastub/novastub/state"
)

// Benchmarks of the console on loopback, each beside a floor: the same
// bytes over the same WebSocket library with no RFB, no guest and no
// proxy logic. Goals (issue 11): the first full frame in 50 ms or less,
// 200 idle sessions in 256 MiB or less.

// firstFrame connects, does the handshake and reads one full frame in
// encoding enc.
func firstFrame(b *testing.B, e *env, tok string, enc rfb.Encoding) int64 {
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, e.wsURL+"/?token="+tok, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.CloseNow()
	c, err := rfbtest.Handshake(websocket.NetConn(ctx, conn, websocket.MessageBinary), rfbtest.Options{Discard: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.SetEncodings(enc); err != nil {
		b.Fatal(err)
	}
	if err := c.Request(false); err != nil {
		b.Fatal(err)
	}
	u, err := c.ReadUpdate()
	if err != nil {
		b.Fatal(err)
	}
	return u.Bytes
}

func BenchmarkFirstFrame(b *testing.B) {
	for _, enc := range []rfb.Encoding{rfb.EncodingRaw, rfb.EncodingHextile} {
		b.Run(map[rfb.Encoding]string{rfb.EncodingRaw: "raw", rfb.EncodingHextile: "hextile"}[enc], func(b *testing.B) {
			e := newEnv(b)
			tok := e.token(state.ConsoleNoVNC)
			b.ReportAllocs()
			b.ResetTimer()
			var bytes int64
			for i := 0; i < b.N; i++ {
				bytes = firstFrame(b, e, tok, enc)
			}
			b.ReportMetric(float64(bytes), "frame-bytes")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/frame")
		})
	}
}

// BenchmarkFirstFrameFloor sends a raw frame's bytes in one message to a
// client that has just connected: what any console pays.
func BenchmarkFirstFrameFloor(b *testing.B) {
	payload := make([]byte, 1024*768*4+16)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		_ = conn.Write(r.Context(), websocket.MessageBinary, payload)
		_, _, _ = conn.Read(r.Context())
	}))
	defer ts.Close()
	url := "ws" + strings.TrimPrefix(ts.URL, "http")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		conn, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		conn.SetReadLimit(-1)
		_, r, err := conn.Reader(ctx)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, r)
		conn.CloseNow()
	}
}

// BenchmarkKeystroke types a key and reads the update it causes: the
// bytes on the wire per keystroke, with noVNC's encodings (CopyRect,
// Hextile) and with Raw only.
func BenchmarkKeystroke(b *testing.B) {
	for _, enc := range []rfb.Encoding{rfb.EncodingRaw, rfb.EncodingHextile} {
		b.Run(map[rfb.Encoding]string{rfb.EncodingRaw: "raw", rfb.EncodingHextile: "hextile"}[enc], func(b *testing.B) {
			e := newEnv(b)
			ctx := context.Background()
			conn := e.mustDial("/?token="+e.token(state.ConsoleNoVNC), nil)
			c, err := rfbtest.Handshake(websocket.NetConn(ctx, conn, websocket.MessageBinary), rfbtest.Options{Discard: true})
			if err != nil {
				b.Fatal(err)
			}
			_ = c.SetEncodings(rfb.EncodingCopyRect, enc)
			_ = c.Request(false)
			if _, err := c.ReadUpdate(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var bytes int64
			for i := 0; i < b.N; i++ {
				k := uint32('a')
				if i%2 == 1 {
					k = 0xff08 // BackSpace: the line stays short
				}
				if err := c.Key(k); err != nil {
					b.Fatal(err)
				}
				if err := c.Request(true); err != nil {
					b.Fatal(err)
				}
				u, err := c.ReadUpdate()
				if err != nil {
					b.Fatal(err)
				}
				bytes += u.Bytes
			}
			b.ReportMetric(float64(bytes)/float64(b.N), "bytes/keystroke")
		})
	}
}

// BenchmarkKeystrokeFloor is a round trip of a key event's size over the
// same WebSocket: what any remote keystroke costs.
func BenchmarkKeystrokeFloor(b *testing.B) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		for {
			typ, p, err := conn.Read(r.Context())
			if err != nil {
				return
			}
			if conn.Write(r.Context(), typ, p) != nil {
				return
			}
		}
	}))
	defer ts.Close()
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.CloseNow()
	msg := make([]byte, 8)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := conn.Write(ctx, websocket.MessageBinary, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := conn.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// idleSessions is how many consoles BenchmarkIdleSessions holds open.
const idleSessions = 200

// heapInUse is the heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkIdleSessions opens 200 VNC consoles on 200 servers, each past
// its first full frame and waiting for a change, and measures the memory
// they hold (client side included: both ends are in this process) and
// their goroutines.
func BenchmarkIdleSessions(b *testing.B) {
	e := newEnv(b, console.WithPollInterval(time.Second))
	var toks []string
	for i := 0; i < idleSessions; i++ {
		srv, err := e.store.AddServer(state.Server{Name: fmt.Sprint("vm", i), ProjectID: projectID, Host: "compute-1"})
		if err != nil {
			b.Fatal(err)
		}
		tok, err := e.store.CreateConsole(state.ConsoleRequest{ProjectID: projectID, ServerID: srv.ID, Type: state.ConsoleNoVNC})
		if err != nil {
			b.Fatal(err)
		}
		toks = append(toks, tok.Token)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var perSession, goroutines float64
	for i := 0; i < b.N; i++ {
		g0, h0 := runtime.NumGoroutine(), heapInUse()
		conns := make([]*websocket.Conn, 0, idleSessions)
		for _, tok := range toks {
			conn, _, err := websocket.Dial(ctx, e.wsURL+"/?token="+tok, nil)
			if err != nil {
				b.Fatal(err)
			}
			c, err := rfbtest.Handshake(websocket.NetConn(ctx, conn, websocket.MessageBinary), rfbtest.Options{Discard: true})
			if err != nil {
				b.Fatal(err)
			}
			_ = c.SetEncodings(rfb.EncodingCopyRect, rfb.EncodingHextile)
			_ = c.Request(false)
			if _, err := c.ReadUpdate(); err != nil {
				b.Fatal(err)
			}
			_ = c.Request(true) // now idle: waiting for a change
			conns = append(conns, conn)
		}
		time.Sleep(50 * time.Millisecond)
		h1 := heapInUse()
		perSession = float64(h1-h0) / idleSessions
		goroutines = float64(runtime.NumGoroutine()-g0) / idleSessions
		for _, c := range conns {
			c.CloseNow()
		}
	}
	b.ReportMetric(perSession/1024, "KiB/session")
	b.ReportMetric(perSession*idleSessions/(1<<20), "MiB/200-sessions")
	b.ReportMetric(goroutines, "goroutines/session")
}

// BenchmarkIdleSessionsFloor holds 200 bare WebSockets open on loopback,
// both ends in this process.
func BenchmarkIdleSessionsFloor(b *testing.B) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		_, _, _ = conn.Read(context.Background())
	}))
	defer ts.Close()
	url := "ws" + strings.TrimPrefix(ts.URL, "http")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var perSession float64
	for i := 0; i < b.N; i++ {
		h0 := heapInUse()
		conns := make([]*websocket.Conn, 0, idleSessions)
		for j := 0; j < idleSessions; j++ {
			conn, _, err := websocket.Dial(ctx, url, nil)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, conn)
		}
		time.Sleep(50 * time.Millisecond)
		perSession = float64(heapInUse()-h0) / idleSessions
		for _, c := range conns {
			c.CloseNow()
		}
	}
	b.ReportMetric(perSession/1024, "KiB/session")
}
