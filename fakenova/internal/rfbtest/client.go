// Package rfbtest is a small RFB client for the console's tests: it does
// the handshake at any version, asks for updates, decodes Raw, CopyRect,
// RRE and Hextile into a framebuffer of 0x00RRGGBB values in any pixel
// format, and sends keys. It is written from RFC 6143, apart from the
// server it tests.
package rfbtest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/novastub/novastub/fakenova/console/rfb"
)

// Client is one RFB connection.
type Client struct {
	// Set by the handshake: what ServerInit said.
	Width, Height int
	Name          string
	ServerFormat  rfb.PixelFormat
	// Format is the pixel format the client asked for (the server's
	// until SetPixelFormat).
	Format rfb.PixelFormat
	// FB is the screen as the updates drew it, 0x00RRGGBB, row-major.
	// Nil when the client was told not to keep it (Discard).
	FB []uint32
	// Bytes counts the bytes read since the handshake.
	Bytes int64

	rw  io.ReadWriter
	r   *bufio.Reader
	n   *counter
	buf []byte // scratch for pixels
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Options of the handshake.
type Options struct {
	// Version is the version the client answers with: "RFB 003.008\n" if
	// empty.
	Version string
	// Discard keeps no framebuffer: updates are read and dropped.
	Discard bool
	// SecurityType is the type a 3.7 or 3.8 client picks: 1 if zero.
	SecurityType byte
}

// Handshake runs the client's side of the handshake up to ServerInit.
func Handshake(rw io.ReadWriter, o Options) (*Client, error) {
	cnt := &counter{r: rw}
	c := &Client{rw: rw, r: bufio.NewReaderSize(cnt, 64<<10), n: cnt}
	var b [12]byte
	if _, err := io.ReadFull(c.r, b[:]); err != nil {
		return nil, fmt.Errorf("server version: %w", err)
	}
	if string(b[:]) != "RFB 003.008\n" {
		return nil, fmt.Errorf("server version %q", b[:])
	}
	v := o.Version
	if v == "" {
		v = "RFB 003.008\n"
	}
	if _, err := io.WriteString(rw, v); err != nil {
		return nil, err
	}
	v33 := v == "RFB 003.003\n" || v == "RFB 003.004\n" || v == "RFB 003.005\n"
	v38 := !v33 && v != "RFB 003.007\n"
	if v33 {
		if _, err := io.ReadFull(c.r, b[:4]); err != nil {
			return nil, err
		}
		if t := binary.BigEndian.Uint32(b[:4]); t != 1 {
			return nil, fmt.Errorf("3.3 security type %d", t)
		}
	} else {
		n, err := c.r.ReadByte()
		if err != nil {
			return nil, err
		}
		types := make([]byte, n)
		if _, err := io.ReadFull(c.r, types); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, errors.New("no security types: " + c.readReason())
		}
		st := o.SecurityType
		if st == 0 {
			st = 1
		}
		if _, err := rw.Write([]byte{st}); err != nil {
			return nil, err
		}
		if v38 {
			if _, err := io.ReadFull(c.r, b[:4]); err != nil {
				return nil, fmt.Errorf("security result: %w", err)
			}
			if binary.BigEndian.Uint32(b[:4]) != 0 {
				return nil, errors.New("security failed: " + c.readReason())
			}
		}
	}
	if _, err := rw.Write([]byte{1}); err != nil { // shared
		return nil, err
	}
	var si [20]byte
	if _, err := io.ReadFull(c.r, si[:]); err != nil {
		return nil, fmt.Errorf("server init: %w", err)
	}
	c.Width, c.Height = int(binary.BigEndian.Uint16(si[0:])), int(binary.BigEndian.Uint16(si[2:]))
	c.ServerFormat = parseFormat(si[4:20])
	c.Format = c.ServerFormat
	c.Name = c.readReason()
	if !o.Discard {
		c.FB = make([]uint32, c.Width*c.Height)
	}
	c.n.n = 0
	return c, nil
}

func (c *Client) readReason() string {
	var b [4]byte
	if _, err := io.ReadFull(c.r, b[:]); err != nil {
		return ""
	}
	n := binary.BigEndian.Uint32(b[:])
	if n > 1<<20 {
		return ""
	}
	s := make([]byte, n)
	_, _ = io.ReadFull(c.r, s)
	return string(s)
}

func parseFormat(b []byte) rfb.PixelFormat {
	return rfb.PixelFormat{
		BitsPerPixel: b[0], Depth: b[1], BigEndian: b[2] != 0, TrueColour: b[3] != 0,
		RedMax: binary.BigEndian.Uint16(b[4:]), GreenMax: binary.BigEndian.Uint16(b[6:]),
		BlueMax: binary.BigEndian.Uint16(b[8:]), RedShift: b[10], GreenShift: b[11], BlueShift: b[12],
	}
}

// SetPixelFormat asks for pixels in f.
func (c *Client) SetPixelFormat(f rfb.PixelFormat) error {
	b := []byte{0, 0, 0, 0, f.BitsPerPixel, f.Depth, bit(f.BigEndian), bit(f.TrueColour)}
	b = binary.BigEndian.AppendUint16(b, f.RedMax)
	b = binary.BigEndian.AppendUint16(b, f.GreenMax)
	b = binary.BigEndian.AppendUint16(b, f.BlueMax)
	b = append(b, f.RedShift, f.GreenShift, f.BlueShift, 0, 0, 0)
	c.Format = f
	_, err := c.rw.Write(b)
	return err
}

func bit(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// SetEncodings lists the encodings the client takes, in preference order.
func (c *Client) SetEncodings(encs ...rfb.Encoding) error {
	b := []byte{2, 0}
	b = binary.BigEndian.AppendUint16(b, uint16(len(encs)))
	for _, e := range encs {
		b = binary.BigEndian.AppendUint32(b, uint32(e))
	}
	_, err := c.rw.Write(b)
	return err
}

// Request sends a FramebufferUpdateRequest for the whole screen.
func (c *Client) Request(incremental bool) error {
	return c.RequestRect(incremental, rfb.Rect{W: c.Width, H: c.Height})
}

// RequestRect sends a FramebufferUpdateRequest for r.
func (c *Client) RequestRect(incremental bool, r rfb.Rect) error {
	b := []byte{3, bit(incremental)}
	b = binary.BigEndian.AppendUint16(b, uint16(r.X))
	b = binary.BigEndian.AppendUint16(b, uint16(r.Y))
	b = binary.BigEndian.AppendUint16(b, uint16(r.W))
	b = binary.BigEndian.AppendUint16(b, uint16(r.H))
	_, err := c.rw.Write(b)
	return err
}

// Key sends a key press and release.
func (c *Client) Key(keysym uint32) error {
	for _, down := range []byte{1, 0} {
		b := []byte{4, down, 0, 0}
		b = binary.BigEndian.AppendUint32(b, keysym)
		if _, err := c.rw.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Type sends each character of s as a key (Latin-1 keysyms, "\n" as
// Return).
func (c *Client) Type(s string) error {
	for _, r := range s {
		k := uint32(r)
		switch r {
		case '\n', '\r':
			k = 0xff0d
		case '\b':
			k = 0xff08
		}
		if err := c.Key(k); err != nil {
			return err
		}
	}
	return nil
}

// Pointer sends a pointer event.
func (c *Client) Pointer(buttons uint8, x, y int) error {
	b := []byte{5, buttons}
	b = binary.BigEndian.AppendUint16(b, uint16(x))
	b = binary.BigEndian.AppendUint16(b, uint16(y))
	_, err := c.rw.Write(b)
	return err
}

// CutText sends clipboard text.
func (c *Client) CutText(text string) error {
	b := []byte{6, 0, 0, 0}
	b = binary.BigEndian.AppendUint32(b, uint32(len(text)))
	_, err := c.rw.Write(append(b, text...))
	return err
}

// Rect is a rectangle of an update, with its encoding.
type Rect struct {
	rfb.Rect
	Encoding rfb.Encoding
}

// Update is one FramebufferUpdate.
type Update struct {
	Rects []Rect
	Bytes int64 // the message's size on the wire
}

// ReadUpdate reads server messages until a FramebufferUpdate, applies it
// to FB and returns it. Bells and cut text are skipped.
func (c *Client) ReadUpdate() (Update, error) {
	for {
		before := c.n.n - int64(c.r.Buffered())
		t, err := c.r.ReadByte()
		if err != nil {
			return Update{}, err
		}
		switch t {
		case 0:
			u, err := c.readUpdate()
			u.Bytes = c.n.n - int64(c.r.Buffered()) - before
			c.Bytes += u.Bytes
			return u, err
		case 2: // Bell
		case 3:
			var b [3]byte
			if _, err := io.ReadFull(c.r, b[:]); err != nil {
				return Update{}, err
			}
			c.readReason()
		default:
			return Update{}, fmt.Errorf("unexpected server message type %d", t)
		}
	}
}

func (c *Client) readUpdate() (Update, error) {
	var b [12]byte
	if _, err := io.ReadFull(c.r, b[:3]); err != nil {
		return Update{}, err
	}
	n := int(binary.BigEndian.Uint16(b[1:3]))
	var u Update
	for i := 0; i < n; i++ {
		if _, err := io.ReadFull(c.r, b[:12]); err != nil {
			return u, err
		}
		r := Rect{Rect: rfb.Rect{
			X: int(binary.BigEndian.Uint16(b[0:])), Y: int(binary.BigEndian.Uint16(b[2:])),
			W: int(binary.BigEndian.Uint16(b[4:])), H: int(binary.BigEndian.Uint16(b[6:])),
		}, Encoding: rfb.Encoding(int32(binary.BigEndian.Uint32(b[8:])))}
		if r.X+r.W > c.Width || r.Y+r.H > c.Height {
			return u, fmt.Errorf("rectangle %+v outside the screen", r)
		}
		var err error
		switch r.Encoding {
		case rfb.EncodingRaw:
			err = c.raw(r.Rect)
		case rfb.EncodingCopyRect:
			err = c.copyRect(r.Rect)
		case rfb.EncodingRRE:
			err = c.rre(r.Rect)
		case rfb.EncodingHextile:
			err = c.hextile(r.Rect)
		default:
			err = fmt.Errorf("unexpected encoding %d", r.Encoding)
		}
		if err != nil {
			return u, err
		}
		u.Rects = append(u.Rects, r)
	}
	return u, nil
}

// pixel reads one pixel in the client's format and returns it as
// 0x00RRGGBB.
func (c *Client) pixel() (uint32, error) {
	bpp := int(c.Format.BitsPerPixel) / 8
	if cap(c.buf) < 4 {
		c.buf = make([]byte, 4)
	}
	b := c.buf[:bpp]
	if _, err := io.ReadFull(c.r, b); err != nil {
		return 0, err
	}
	return c.decode(b), nil
}

// decode turns one pixel's bytes into 0x00RRGGBB.
func (c *Client) decode(b []byte) uint32 {
	bpp := len(b)
	var v uint32
	switch bpp {
	case 1:
		v = uint32(b[0])
	case 2:
		if c.Format.BigEndian {
			v = uint32(binary.BigEndian.Uint16(b[:]))
		} else {
			v = uint32(binary.LittleEndian.Uint16(b[:]))
		}
	default:
		if c.Format.BigEndian {
			v = binary.BigEndian.Uint32(b[:])
		} else {
			v = binary.LittleEndian.Uint32(b[:])
		}
	}
	return c.rgb(v)
}

// rgb turns a pixel value of the client's format into 0x00RRGGBB.
func (c *Client) rgb(v uint32) uint32 {
	f := c.Format
	ch := func(shift uint8, max uint16) uint32 {
		if max == 0 {
			return 0
		}
		x := (v >> shift) & uint32(max)
		return (x*255 + uint32(max)/2) / uint32(max)
	}
	return ch(f.RedShift, f.RedMax)<<16 | ch(f.GreenShift, f.GreenMax)<<8 | ch(f.BlueShift, f.BlueMax)
}

func (c *Client) set(x, y int, rgb uint32) {
	if c.FB != nil {
		c.FB[y*c.Width+x] = rgb
	}
}

func (c *Client) fill(x, y, w, h int, rgb uint32) {
	if c.FB == nil {
		return
	}
	for j := y; j < y+h; j++ {
		for i := x; i < x+w; i++ {
			c.FB[j*c.Width+i] = rgb
		}
	}
}

func (c *Client) raw(r rfb.Rect) error {
	bpp := int(c.Format.BitsPerPixel) / 8
	if c.FB == nil {
		_, err := c.r.Discard(r.W * r.H * bpp)
		return err
	}
	if cap(c.buf) < r.W*bpp {
		c.buf = make([]byte, r.W*bpp)
	}
	row := c.buf[:r.W*bpp]
	for y := r.Y; y < r.Y+r.H; y++ {
		if _, err := io.ReadFull(c.r, row); err != nil {
			return err
		}
		for x := 0; x < r.W; x++ {
			c.set(r.X+x, y, c.decode(row[x*bpp:(x+1)*bpp]))
		}
	}
	return nil
}

func (c *Client) copyRect(r rfb.Rect) error {
	var b [4]byte
	if _, err := io.ReadFull(c.r, b[:]); err != nil {
		return err
	}
	sx, sy := int(binary.BigEndian.Uint16(b[0:])), int(binary.BigEndian.Uint16(b[2:]))
	if sx+r.W > c.Width || sy+r.H > c.Height {
		return fmt.Errorf("copyrect source %d,%d outside the screen", sx, sy)
	}
	if c.FB == nil {
		return nil
	}
	src := make([]uint32, r.W*r.H)
	for y := 0; y < r.H; y++ {
		copy(src[y*r.W:(y+1)*r.W], c.FB[(sy+y)*c.Width+sx:])
	}
	for y := 0; y < r.H; y++ {
		copy(c.FB[(r.Y+y)*c.Width+r.X:], src[y*r.W:(y+1)*r.W])
	}
	return nil
}

func (c *Client) rre(r rfb.Rect) error {
	var b [8]byte
	if _, err := io.ReadFull(c.r, b[:4]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(b[:4])
	bg, err := c.pixel()
	if err != nil {
		return err
	}
	c.fill(r.X, r.Y, r.W, r.H, bg)
	for i := uint32(0); i < n; i++ {
		p, err := c.pixel()
		if err != nil {
			return err
		}
		if _, err := io.ReadFull(c.r, b[:8]); err != nil {
			return err
		}
		x, y := int(binary.BigEndian.Uint16(b[0:])), int(binary.BigEndian.Uint16(b[2:]))
		w, h := int(binary.BigEndian.Uint16(b[4:])), int(binary.BigEndian.Uint16(b[6:]))
		if x+w > r.W || y+h > r.H {
			return fmt.Errorf("rre subrect outside its rectangle")
		}
		c.fill(r.X+x, r.Y+y, w, h, p)
	}
	return nil
}

func (c *Client) hextile(r rfb.Rect) error {
	var bg, fg uint32
	bgSet := false
	for ty := r.Y; ty < r.Y+r.H; ty += 16 {
		for tx := r.X; tx < r.X+r.W; tx += 16 {
			tw, th := min(16, r.X+r.W-tx), min(16, r.Y+r.H-ty)
			mask, err := c.r.ReadByte()
			if err != nil {
				return err
			}
			if mask&1 != 0 {
				if err := c.raw(rfb.Rect{X: tx, Y: ty, W: tw, H: th}); err != nil {
					return err
				}
				bgSet = false
				continue
			}
			if mask&2 != 0 {
				if bg, err = c.pixel(); err != nil {
					return err
				}
				bgSet = true
			}
			if !bgSet {
				return errors.New("hextile tile without a background")
			}
			if mask&4 != 0 {
				if fg, err = c.pixel(); err != nil {
					return err
				}
			}
			c.fill(tx, ty, tw, th, bg)
			if mask&8 == 0 {
				continue
			}
			n, err := c.r.ReadByte()
			if err != nil {
				return err
			}
			for i := 0; i < int(n); i++ {
				col := fg
				if mask&16 != 0 {
					if col, err = c.pixel(); err != nil {
						return err
					}
				}
				var b [2]byte
				if _, err := io.ReadFull(c.r, b[:]); err != nil {
					return err
				}
				x, y := int(b[0]>>4), int(b[0]&15)
				w, h := int(b[1]>>4)+1, int(b[1]&15)+1
				if x+w > tw || y+h > th {
					return errors.New("hextile subrect outside its tile")
				}
				c.fill(tx+x, ty+y, w, h, col)
			}
		}
	}
	return nil
}
