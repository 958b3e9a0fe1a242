package rfb_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/fakenova/internal/rfbtest"
)

// serve starts srv on one end of a pipe and returns the other end and a
// function that waits for Serve's result.
func serve(t *testing.T, srv *rfb.Server) (net.Conn, func() error) {
	t.Helper()
	a, b := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var result error
	go func() { result = srv.Serve(ctx, a); close(done) }()
	wait := func() error {
		select {
		case <-done:
			return result
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return")
			return nil
		}
	}
	t.Cleanup(func() {
		cancel()
		b.Close()
		wait()
	})
	return b, wait
}

func seeded(w, h int) *gridScreen {
	g := newGridScreen(w, h, 8, 16)
	g.set(func(cells []uint32) {
		for i := range cells {
			if i%5 != 0 {
				cells[i] = uint32(i*7 + 1)
			}
		}
	})
	return g
}

func TestHandshakeVersions(t *testing.T) {
	for _, v := range []string{"RFB 003.008\n", "RFB 003.007\n", "RFB 003.003\n", "RFB 003.005\n", "RFB 003.889\n"} {
		t.Run(v[:11], func(t *testing.T) {
			g := seeded(64, 48)
			conn, _ := serve(t, rfb.NewServer(g, rfb.WithName("vm-1 ✓")))
			c, err := rfbtest.Handshake(conn, rfbtest.Options{Version: v})
			require.NoError(t, err)
			assert.Equal(t, "vm-1 ✓", c.Name)
			assert.Equal(t, 64, c.Width)
			assert.Equal(t, 48, c.Height)
			assert.Equal(t, rfb.DefaultPixelFormat, c.ServerFormat)
			require.NoError(t, c.Request(false))
			_, err = c.ReadUpdate()
			require.NoError(t, err)
			assert.Equal(t, g.picture(), c.FB)
		})
	}
}

// TestHandshakeBytes checks the 3.8 exchange byte for byte, as the
// reference's table has it.
func TestHandshakeBytes(t *testing.T) {
	conn, _ := serve(t, rfb.NewServer(seeded(16, 16), rfb.WithName("n")))
	buf := make([]byte, 12)
	_, err := io.ReadFull(conn, buf)
	require.NoError(t, err)
	assert.Equal(t, "RFB 003.008\n", string(buf))
	_, _ = conn.Write([]byte("RFB 003.008\n"))
	_, err = io.ReadFull(conn, buf[:2])
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 1}, buf[:2])
	_, _ = conn.Write([]byte{1})
	_, err = io.ReadFull(conn, buf[:4])
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 0, 0, 0}, buf[:4])
	_, _ = conn.Write([]byte{0})
	init := make([]byte, 25)
	_, err = io.ReadFull(conn, init)
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 16, 0, 16, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0, 0, 0, 0, 1, 'n'}, init)
}

func TestRefusals(t *testing.T) {
	t.Run("security type VNC in 3.8", func(t *testing.T) {
		conn, done := serve(t, rfb.NewServer(seeded(16, 16)))
		_, err := rfbtest.Handshake(conn, rfbtest.Options{SecurityType: 2})
		require.EqualError(t, err, "security failed: Only the security type 1 (NONE) is supported")
		assert.ErrorIs(t, done(), rfb.ErrSecurityType)
	})
	t.Run("unknown version", func(t *testing.T) {
		conn, done := serve(t, rfb.NewServer(seeded(16, 16)))
		buf := make([]byte, 12)
		_, _ = io.ReadFull(conn, buf)
		_, _ = conn.Write([]byte("RFB 004.000\n"))
		reply, _ := io.ReadAll(conn)
		assert.Equal(t, append([]byte{0, 0, 0, 0, 0, 0, 0, 32}, "Unsupported RFB protocol version"...), reply)
		assert.ErrorIs(t, done(), rfb.ErrUnsupportedVersion)
	})
	t.Run("3.3 below the minimum", func(t *testing.T) {
		conn, done := serve(t, rfb.NewServer(seeded(16, 16), rfb.WithMinVersion(rfb.V38)))
		buf := make([]byte, 12)
		_, _ = io.ReadFull(conn, buf)
		_, _ = conn.Write([]byte("RFB 003.003\n"))
		reply, _ := io.ReadAll(conn)
		assert.Empty(t, reply, "nova's security proxy closes without a byte")
		assert.ErrorIs(t, done(), rfb.ErrUnsupportedVersion)
	})
}

func TestSessionErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		send func(c *rfbtest.Client) error
		want error
	}{
		"colour map": {func(c *rfbtest.Client) error {
			f := rfb.DefaultPixelFormat
			f.TrueColour = false
			return c.SetPixelFormat(f)
		}, rfb.ErrColourMap},
		"cut text too long": {func(c *rfbtest.Client) error { return c.CutText("0123456789abcdef!") }, rfb.ErrCutTextTooLong},
		"unknown message": {func(c *rfbtest.Client) error {
			return c.Key(0) // then garbage below
		}, rfb.ErrUnknownMessage},
	} {
		t.Run(name, func(t *testing.T) {
			conn, done := serve(t, rfb.NewServer(seeded(16, 16), rfb.WithMaxCutText(16)))
			c, err := rfbtest.Handshake(conn, rfbtest.Options{})
			require.NoError(t, err)
			go func() {
				_ = tc.send(c)
				_, _ = conn.Write([]byte{99, 0, 0, 0})
			}()
			assert.ErrorIs(t, done(), tc.want)
		})
	}
}

func TestPixelFormats(t *testing.T) {
	formats := map[string]rfb.PixelFormat{
		"noVNC 32 LE rgb0": {BitsPerPixel: 32, Depth: 24, TrueColour: true, RedMax: 255, GreenMax: 255, BlueMax: 255, RedShift: 0, GreenShift: 8, BlueShift: 16},
		"32 big-endian":    {BitsPerPixel: 32, Depth: 24, BigEndian: true, TrueColour: true, RedMax: 255, GreenMax: 255, BlueMax: 255, RedShift: 16, GreenShift: 8, BlueShift: 0},
		"16 565 LE":        {BitsPerPixel: 16, Depth: 16, TrueColour: true, RedMax: 31, GreenMax: 63, BlueMax: 31, RedShift: 11, GreenShift: 5, BlueShift: 0},
		"16 555 BE":        {BitsPerPixel: 16, Depth: 15, BigEndian: true, TrueColour: true, RedMax: 31, GreenMax: 31, BlueMax: 31, RedShift: 10, GreenShift: 5, BlueShift: 0},
		"8 bgr233":         {BitsPerPixel: 8, Depth: 8, TrueColour: true, RedMax: 7, GreenMax: 7, BlueMax: 3, RedShift: 0, GreenShift: 3, BlueShift: 6},
	}
	for name, f := range formats {
		for _, enc := range []rfb.Encoding{rfb.EncodingRaw, rfb.EncodingRRE, rfb.EncodingHextile} {
			t.Run(name+"/"+encName(enc), func(t *testing.T) {
				g := seeded(100, 50) // not a multiple of the tiles
				conn, _ := serve(t, rfb.NewServer(g))
				c, err := rfbtest.Handshake(conn, rfbtest.Options{})
				require.NoError(t, err)
				require.NoError(t, c.SetPixelFormat(f))
				require.NoError(t, c.SetEncodings(enc, rfb.EncodingRaw))
				require.NoError(t, c.Request(false))
				u, err := c.ReadUpdate()
				require.NoError(t, err)
				for _, r := range u.Rects {
					assert.Contains(t, []rfb.Encoding{enc, rfb.EncodingRaw}, r.Encoding)
				}
				want := g.picture()
				for i, p := range want {
					want[i] = roundTrip(f, p)
				}
				assert.Equal(t, want, c.FB)
			})
		}
	}
}

func encName(e rfb.Encoding) string {
	return map[rfb.Encoding]string{rfb.EncodingRaw: "raw", rfb.EncodingRRE: "rre", rfb.EncodingHextile: "hextile"}[e]
}

// roundTrip is what a client of format f sees of rgb: each channel scaled
// to the format's max and back.
func roundTrip(f rfb.PixelFormat, rgb uint32) uint32 {
	ch := func(v uint32, max uint16) uint32 {
		x := (v*uint32(max) + 127) / 255
		return (x*255 + uint32(max)/2) / uint32(max)
	}
	return ch(rgb>>16&0xff, f.RedMax)<<16 | ch(rgb>>8&0xff, f.GreenMax)<<8 | ch(rgb&0xff, f.BlueMax)
}

func TestIncrementalSendsOnlyChanges(t *testing.T) {
	g := seeded(256, 128)
	conn, _ := serve(t, rfb.NewServer(g))
	c, err := rfbtest.Handshake(conn, rfbtest.Options{})
	require.NoError(t, err)
	require.NoError(t, c.Request(false))
	full, err := c.ReadUpdate()
	require.NoError(t, err)

	// Nothing changed: the request waits until something does.
	require.NoError(t, c.Request(true))
	g.set(func(cells []uint32) { cells[3*32+5] = 12345 })
	u, err := c.ReadUpdate()
	require.NoError(t, err)
	require.Len(t, u.Rects, 1)
	assert.Equal(t, rfb.Rect{X: 40, Y: 48, W: 8, H: 16}, u.Rects[0].Rect)
	assert.Less(t, u.Bytes*20, full.Bytes)
	assert.Equal(t, g.picture(), c.FB)
}

func TestScrollSendsCopyRect(t *testing.T) {
	g := seeded(128, 160)
	conn, _ := serve(t, rfb.NewServer(g))
	c, err := rfbtest.Handshake(conn, rfbtest.Options{})
	require.NoError(t, err)
	require.NoError(t, c.SetEncodings(rfb.EncodingCopyRect, rfb.EncodingRaw))
	require.NoError(t, c.Request(false))
	_, err = c.ReadUpdate()
	require.NoError(t, err)

	g.scrollUp(2)
	require.NoError(t, c.Request(true))
	u, err := c.ReadUpdate()
	require.NoError(t, err)
	require.NotEmpty(t, u.Rects)
	assert.Equal(t, rfb.EncodingCopyRect, u.Rects[0].Encoding)
	assert.Equal(t, rfb.Rect{W: 128, H: 128}, u.Rects[0].Rect)
	assert.Equal(t, g.picture(), c.FB)
	// Only the two rows that came in are sent as pixels.
	for _, r := range u.Rects[1:] {
		assert.GreaterOrEqual(t, r.Y, 128)
	}
}

func TestInput(t *testing.T) {
	in := &recorder{}
	conn, done := serve(t, rfb.NewServer(seeded(16, 16), rfb.WithInput(in)))
	c, err := rfbtest.Handshake(conn, rfbtest.Options{})
	require.NoError(t, err)
	require.NoError(t, c.Type("hi\n"))
	require.NoError(t, c.Pointer(1, 5, 6))
	require.NoError(t, c.CutText("clip"))
	conn.Close()
	require.NoError(t, done())
	keys, ptrs, cut := in.snapshot()
	assert.Equal(t, []uint32{'h', 'i', 0xff0d}, keys)
	assert.Equal(t, [][3]int{{1, 5, 6}}, ptrs)
	assert.Equal(t, []string{"clip"}, cut)
}

func TestRequestOutsideScreen(t *testing.T) {
	g := seeded(32, 32)
	conn, _ := serve(t, rfb.NewServer(g))
	c, err := rfbtest.Handshake(conn, rfbtest.Options{})
	require.NoError(t, err)
	require.NoError(t, c.RequestRect(false, rfb.Rect{X: 1000, Y: 1000, W: 50, H: 50}))
	u, err := c.ReadUpdate()
	require.NoError(t, err)
	assert.Empty(t, u.Rects, "a full request outside the screen gets an empty update")
	require.NoError(t, c.RequestRect(false, rfb.Rect{X: 10, Y: 10, W: 65535, H: 65535}))
	u, err = c.ReadUpdate()
	require.NoError(t, err)
	require.Len(t, u.Rects, 1)
	assert.Equal(t, rfb.Rect{X: 8, Y: 0, W: 24, H: 32}, u.Rects[0].Rect)
}

func TestServeEndsOnCancelWithoutLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		a, b := net.Pipe()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- rfb.NewServer(seeded(32, 32)).Serve(ctx, a) }()
		c, err := rfbtest.Handshake(b, rfbtest.Options{})
		require.NoError(t, err)
		require.NoError(t, c.Request(true)) // pending: waits for a change
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
		b.Close()
	}
	rfbtest.WaitGoroutines(t, before)
}

func TestBadServerFormat(t *testing.T) {
	f := rfb.DefaultPixelFormat
	f.BitsPerPixel = 24
	a, b := net.Pipe()
	defer b.Close()
	err := rfb.NewServer(seeded(8, 8), rfb.WithPixelFormat(f)).Serve(context.Background(), a)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bits-per-pixel 24")
}

// TestSetEncodingsLong reads a SetEncodings of 65535 entries without
// keeping it.
func TestSetEncodingsLong(t *testing.T) {
	conn, _ := serve(t, rfb.NewServer(seeded(16, 16)))
	c, err := rfbtest.Handshake(conn, rfbtest.Options{})
	require.NoError(t, err)
	msg := []byte{2, 0, 0xff, 0xff}
	msg = append(msg, make([]byte, 4*0xfffe)...)
	msg = binary.BigEndian.AppendUint32(msg, uint32(rfb.EncodingHextile))
	go func() { _, _ = conn.Write(msg) }()
	require.NoError(t, c.Request(false))
	u, err := c.ReadUpdate()
	require.NoError(t, err)
	assert.Equal(t, rfb.EncodingRaw, u.Rects[0].Encoding, "Raw came first in the list")
}

var _ = errors.New
