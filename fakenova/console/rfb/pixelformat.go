package rfb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// PixelFormat is how pixel values are laid out on the wire (RFC 6143
// §7.4): the server announces one in ServerInit and a client may ask for
// another with SetPixelFormat.
type PixelFormat struct {
	BitsPerPixel uint8 // 8, 16 or 32
	Depth        uint8 // the useful bits of a pixel
	BigEndian    bool  // byte order of multi-byte pixels
	TrueColour   bool  // pixels are RGB values; false means a colour map
	// RedMax, GreenMax and BlueMax are the largest values of each channel
	// (2^n - 1 for n bits); the shifts say where each channel sits in the
	// pixel value.
	RedMax, GreenMax, BlueMax       uint16
	RedShift, GreenShift, BlueShift uint8
}

// DefaultPixelFormat is the format a Server announces unless told
// otherwise: 32 bits per pixel, depth 24, little-endian true colour with
// 8 bits per channel at shifts 16, 8 and 0 (the pixel 0x00RRGGBB), as QEMU
// announces it.
var DefaultPixelFormat = PixelFormat{
	BitsPerPixel: 32, Depth: 24, TrueColour: true,
	RedMax: 255, GreenMax: 255, BlueMax: 255,
	RedShift: 16, GreenShift: 8, BlueShift: 0,
}

// ErrColourMap is the error of a SetPixelFormat that asks for a colour map
// (true-colour flag 0): the server speaks true colour only and ends the
// session rather than send pixels the client would misread.
var ErrColourMap = errors.New("rfb: colour-map pixel formats are not supported")

// Validate reports whether the server can send pixels in format f:
// true colour, 8, 16 or 32 bits per pixel, every channel inside the pixel.
func (f PixelFormat) Validate() error {
	if !f.TrueColour {
		return ErrColourMap
	}
	switch f.BitsPerPixel {
	case 8, 16, 32:
	default:
		return fmt.Errorf("rfb: unsupported bits-per-pixel %d", f.BitsPerPixel)
	}
	for _, c := range [3]struct {
		max   uint16
		shift uint8
	}{{f.RedMax, f.RedShift}, {f.GreenMax, f.GreenShift}, {f.BlueMax, f.BlueShift}} {
		if c.shift >= f.BitsPerPixel || uint64(c.max)<<c.shift >= 1<<f.BitsPerPixel {
			return fmt.Errorf("rfb: pixel format channel (max %d, shift %d) does not fit in %d bits",
				c.max, c.shift, f.BitsPerPixel)
		}
	}
	return nil
}

// BytesPerPixel is the size of one pixel on the wire.
func (f PixelFormat) BytesPerPixel() int { return int(f.BitsPerPixel) / 8 }

// appendTo appends the 16-byte PIXEL_FORMAT structure.
func (f PixelFormat) appendTo(b []byte) []byte {
	b = append(b, f.BitsPerPixel, f.Depth, boolByte(f.BigEndian), boolByte(f.TrueColour))
	b = binary.BigEndian.AppendUint16(b, f.RedMax)
	b = binary.BigEndian.AppendUint16(b, f.GreenMax)
	b = binary.BigEndian.AppendUint16(b, f.BlueMax)
	return append(b, f.RedShift, f.GreenShift, f.BlueShift, 0, 0, 0)
}

// parsePixelFormat reads a 16-byte PIXEL_FORMAT structure.
func parsePixelFormat(b []byte) PixelFormat {
	return PixelFormat{
		BitsPerPixel: b[0], Depth: b[1], BigEndian: b[2] != 0, TrueColour: b[3] != 0,
		RedMax:   binary.BigEndian.Uint16(b[4:]),
		GreenMax: binary.BigEndian.Uint16(b[6:]),
		BlueMax:  binary.BigEndian.Uint16(b[8:]),
		RedShift: b[10], GreenShift: b[11], BlueShift: b[12],
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// converter turns 0x00RRGGBB values into pixels of one format: a table per
// channel maps an 8-bit value to its scaled, shifted bits.
type converter struct {
	bpp       int // bytes per pixel
	bigEndian bool
	r, g, b   [256]uint32
}

func newConverter(f PixelFormat) *converter {
	c := &converter{bpp: f.BytesPerPixel(), bigEndian: f.BigEndian}
	for v := 0; v < 256; v++ {
		c.r[v] = scale(v, f.RedMax) << f.RedShift
		c.g[v] = scale(v, f.GreenMax) << f.GreenShift
		c.b[v] = scale(v, f.BlueMax) << f.BlueShift
	}
	return c
}

// scale maps v in 0..255 to 0..max, rounding to the nearest.
func scale(v int, max uint16) uint32 { return uint32((v*int(max) + 127) / 255) }

// pixel returns the pixel value of rgb.
func (c *converter) pixel(rgb uint32) uint32 {
	return c.r[rgb>>16&0xff] | c.g[rgb>>8&0xff] | c.b[rgb&0xff]
}

// put writes the pixel value v at dst[0:bpp].
func (c *converter) put(dst []byte, v uint32) {
	switch c.bpp {
	case 4:
		if c.bigEndian {
			binary.BigEndian.PutUint32(dst, v)
		} else {
			binary.LittleEndian.PutUint32(dst, v)
		}
	case 2:
		if c.bigEndian {
			binary.BigEndian.PutUint16(dst, uint16(v))
		} else {
			binary.LittleEndian.PutUint16(dst, uint16(v))
		}
	default:
		dst[0] = byte(v)
	}
}

// appendPixels appends src converted, bpp bytes per pixel.
func (c *converter) appendPixels(dst []byte, src []uint32) []byte {
	n := len(dst)
	dst = grow(dst, len(src)*c.bpp)
	out := dst[n:]
	switch {
	case c.bpp == 4 && !c.bigEndian:
		for i, p := range src {
			binary.LittleEndian.PutUint32(out[i*4:], c.r[p>>16&0xff]|c.g[p>>8&0xff]|c.b[p&0xff])
		}
	default:
		for i, p := range src {
			c.put(out[i*c.bpp:], c.pixel(p))
		}
	}
	return dst
}

// appendPixel appends one pixel.
func (c *converter) appendPixel(dst []byte, rgb uint32) []byte {
	n := len(dst)
	dst = grow(dst, c.bpp)
	c.put(dst[n:], c.pixel(rgb))
	return dst
}

// grow extends b by n bytes, reallocating at most once.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), 2*cap(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}
