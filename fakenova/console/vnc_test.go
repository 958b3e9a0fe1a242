package console_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/console"
	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/fakenova/internal/rfbtest"
	"github.com/novastub/novastub/state"
)

func TestVNCConsole(t *testing.T) {
	e := newEnv(t)
	tok := e.token(state.ConsoleNoVNC)
	// noVNC turns Nova's path=%3Ftoken%3D<t> into the WebSocket URL /?token=<t>.
	c, _ := e.vnc("/?token="+tok, rfbtest.Options{})
	assert.Equal(t, "vm1", c.Name)
	assert.Equal(t, 1024, c.Width)
	assert.Equal(t, 768, c.Height)
	assert.Equal(t, rfb.DefaultPixelFormat, c.ServerFormat)

	require.NoError(t, c.SetEncodings(rfb.EncodingCopyRect, rfb.EncodingRaw))
	require.NoError(t, c.Request(false))
	u, err := c.ReadUpdate()
	require.NoError(t, err)
	assert.EqualValues(t, 1024*768*4, u.Bytes-4-12*int64(len(u.Rects)), "a full frame of raw pixels")

	want := e.guestOf()
	full := rfb.Rect{W: 1024, H: 768}
	require.Equal(t, picture(want, full), c.FB, "the screen is the guest's boot screen")
	assert.Equal(t, "vm1 login:", lastRow(want))

	// Type a line: the screen changes as the guest's does.
	require.NoError(t, c.Type("root\n"))
	want.Keyboard().Key(true, 'r')
	for _, k := range []uint32{'o', 'o', 't', 0xff0d} {
		want.Keyboard().Key(true, k)
	}
	require.Equal(t, "Password:", lastRow(want))
	readUntil(t, c, func() bool { return equal(picture(want, full), c.FB) })
}

func lastRow(m interface{ Text() []string }) string {
	rows := m.Text()
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i] != "" {
			return rows[i]
		}
	}
	return ""
}

func equal(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestVNCVersionsAndPaths(t *testing.T) {
	e := newEnv(t)
	tok := e.token(state.ConsoleNoVNC)
	for _, path := range []string{"/websockify?token=" + tok, "/?token=" + tok, "/anything/at/all?x=1&token=" + tok} {
		for _, v := range []string{"RFB 003.003\n", "RFB 003.007\n", "RFB 003.008\n"} {
			c, conn := e.vnc(path, rfbtest.Options{Version: v})
			assert.Equal(t, "vm1", c.Name, path+" "+v)
			require.NoError(t, c.SetEncodings(rfb.EncodingHextile))
			require.NoError(t, c.Request(false))
			_, err := c.ReadUpdate()
			require.NoError(t, err)
			conn.Close(websocket.StatusNormalClosure, "")
		}
	}
}

func TestVNCPixelFormats(t *testing.T) {
	e := newEnv(t)
	tok := e.token(state.ConsoleNoVNC)
	want := picture(e.guestOf(), rfb.Rect{W: 1024, H: 768})
	for name, f := range map[string]rfb.PixelFormat{
		"noVNC":     {BitsPerPixel: 32, Depth: 24, TrueColour: true, RedMax: 255, GreenMax: 255, BlueMax: 255, GreenShift: 8, BlueShift: 16},
		"16-bit BE": {BitsPerPixel: 16, Depth: 16, BigEndian: true, TrueColour: true, RedMax: 31, GreenMax: 63, BlueMax: 31, RedShift: 11, GreenShift: 5},
		"8-bit 332": {BitsPerPixel: 8, Depth: 8, TrueColour: true, RedMax: 7, GreenMax: 7, BlueMax: 3, RedShift: 5, GreenShift: 2},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := e.vnc("/?token="+tok, rfbtest.Options{})
			require.NoError(t, c.SetPixelFormat(f))
			require.NoError(t, c.SetEncodings(rfb.EncodingHextile, rfb.EncodingRaw))
			require.NoError(t, c.Request(false))
			_, err := c.ReadUpdate()
			require.NoError(t, err)
			for i, p := range want {
				require.Equal(t, quantize(f, p), c.FB[i], "pixel %d", i)
			}
		})
	}
}

// quantize is what a client of format f sees of rgb.
func quantize(f rfb.PixelFormat, rgb uint32) uint32 {
	ch := func(v uint32, max uint16) uint32 {
		x := (v*uint32(max) + 127) / 255
		return (x*255 + uint32(max)/2) / uint32(max)
	}
	return ch(rgb>>16&0xff, f.RedMax)<<16 | ch(rgb>>8&0xff, f.GreenMax)<<8 | ch(rgb&0xff, f.BlueMax)
}

func TestVNCEndsWhenServerDeleted(t *testing.T) {
	e := newEnv(t)
	c, conn := e.vnc("/?token="+e.token(state.ConsoleNoVNC), rfbtest.Options{})
	require.NoError(t, c.Request(false))
	_, err := c.ReadUpdate()
	require.NoError(t, err)
	require.NoError(t, c.Request(true))

	require.NoError(t, e.store.RemoveServer(e.srv.ID))
	code, reason := closeOf(t, conn)
	assert.Equal(t, websocket.StatusNormalClosure, code)
	assert.Equal(t, "Target closed", reason)
}

func TestVNCEndsWhenDeleteStarts(t *testing.T) {
	e := newEnv(t)
	_, conn := e.vnc("/?token="+e.token(state.ConsoleNoVNC), rfbtest.Options{})
	_, err := e.store.StartAction(e.srv.ID, state.ActionDelete)
	require.NoError(t, err)
	code, reason := closeOf(t, conn)
	assert.Equal(t, websocket.StatusNormalClosure, code)
	assert.Equal(t, "Target closed", reason)
}

func TestRefusedTokens(t *testing.T) {
	e := newEnv(t)
	expired := e.token(state.ConsoleNoVNC)
	e.clock.Advance(601 * time.Second)
	spice := e.token(state.ConsoleSPICEHTML5)
	mks := e.token(state.ConsoleWebMKS)
	for name, path := range map[string]string{
		"expired": "/?token=" + expired,
		"unknown": "/?token=2c2d2b5f-0b7e-4c8f-9f51-0b5a9c1c7a11",
		"none":    "/websockify",
		"empty":   "/?token=",
		"in path": "/?path=" + url.QueryEscape("?token="+e.token(state.ConsoleNoVNC)), // the proxy does not read path
		"spice":   "/?token=" + spice,
		"webmks":  "/?token=" + mks,
	} {
		t.Run(name, func(t *testing.T) {
			conn := e.mustDial(path, nil) // upgraded: the checks come after
			code, _ := closeOf(t, conn)
			assert.Equal(t, websocket.StatusCode(-1), code, "closed without a close frame (the browser's 1006)")
		})
	}
}

func TestTokenLivesItsTTLAndSessionOutlivesIt(t *testing.T) {
	e := newEnv(t)
	tok := e.token(state.ConsoleNoVNC)
	e.clock.Advance(599 * time.Second)
	c, _ := e.vnc("/?token="+tok, rfbtest.Options{})
	require.NoError(t, c.Request(false))
	_, err := c.ReadUpdate()
	require.NoError(t, err)

	e.clock.Advance(time.Hour)
	require.NoError(t, c.Type("x"))
	require.NoError(t, c.Request(true))
	u, err := c.ReadUpdate()
	require.NoError(t, err, "the open console outlives its token")
	assert.NotEmpty(t, u.Rects)

	conn := e.mustDial("/?token="+tok, nil)
	code, _ := closeOf(t, conn)
	assert.Equal(t, websocket.StatusCode(-1), code, "a new connection with the expired token is refused")
}

func TestTokenFromCookie(t *testing.T) {
	e := newEnv(t)
	tok := e.token(state.ConsoleXVPVNC)
	h := map[string][]string{"Cookie": {"other=1; token=" + tok + "; x=y"}}
	conn := e.mustDial("/websockify", &websocket.DialOptions{HTTPHeader: h})
	c, err := rfbtest.Handshake(websocket.NetConn(context.Background(), conn, websocket.MessageBinary), rfbtest.Options{})
	require.NoError(t, err)
	assert.Equal(t, "vm1", c.Name)
}

func TestVNCFollowsPower(t *testing.T) {
	e := newEnv(t)
	c, _ := e.vnc("/?token="+e.token(state.ConsoleNoVNC), rfbtest.Options{})
	require.NoError(t, c.SetEncodings(rfb.EncodingCopyRect, rfb.EncodingHextile))
	require.NoError(t, c.Request(false))
	_, err := c.ReadUpdate()
	require.NoError(t, err)
	black := make([]uint32, 1024*768)

	_, err = e.store.StartAction(e.srv.ID, state.ActionStop)
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	readUntil(t, c, func() bool { return equal(black, c.FB) })

	_, err = e.store.StartAction(e.srv.ID, state.ActionStart)
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	want := e.guestOf()
	r := textRect(t, want, "vm1 login:")
	readUntil(t, c, func() bool { return equal(picture(want, r), region(c, r)) })
}

func TestStrictRFB(t *testing.T) {
	e := newEnv(t, console.WithStrictRFB(true))
	tok := e.token(state.ConsoleNoVNC)
	conn := e.mustDial("/?token="+tok, nil)
	ctx := context.Background()
	_, b, err := conn.Read(ctx)
	require.NoError(t, err)
	require.Equal(t, "RFB 003.008\n", string(b))
	require.NoError(t, conn.Write(ctx, websocket.MessageBinary, []byte("RFB 003.003\n")))
	code, reason := closeOf(t, conn)
	assert.Equal(t, websocket.StatusNormalClosure, code)
	assert.Equal(t, "", reason)

	c, _ := e.vnc("/?token="+tok, rfbtest.Options{})
	assert.Equal(t, "vm1", c.Name)
}

// TestConsolesShareTheGuest: two VNC consoles of one server show one
// screen, as two viewers of a VM do; the serial port is another terminal.
func TestConsolesShareTheGuest(t *testing.T) {
	e := newEnv(t)
	a, _ := e.vnc("/?token="+e.token(state.ConsoleNoVNC), rfbtest.Options{})
	b, _ := e.vnc("/?token="+e.token(state.ConsoleXVPVNC), rfbtest.Options{})
	for _, c := range []*rfbtest.Client{a, b} {
		require.NoError(t, c.Request(false))
		_, err := c.ReadUpdate()
		require.NoError(t, err)
	}
	require.NoError(t, a.Type("shared"))
	want := e.guestOf()
	for _, k := range "shared" {
		want.Keyboard().Key(true, uint32(k))
	}
	r := textRect(t, want, "vm1 login: shared")
	readUntil(t, b, func() bool { return equal(picture(want, r), region(b, r)) })

	conn := e.mustDial("/?token="+e.token(state.ConsoleSerial), nil)
	s := &serialReader{t: t, conn: conn}
	s.send("\r")
	assert.Contains(t, s.until("vm1 login: "), "vm1 login: ", "the serial port's getty knows nothing of tty1")
}
