package rfb_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"testing"

	"github.com/novastub/novastub/fakenova/console/rfb"
)

// clientStream is what a well-behaved 3.8 client sends: the seed the
// fuzzer mutates.
func clientStream(version string, msgs ...[]byte) []byte {
	b := []byte(version)
	if version != "RFB 003.003\n" {
		b = append(b, 1) // security None
	}
	b = append(b, 1) // shared
	for _, m := range msgs {
		b = append(b, m...)
	}
	return b
}

func setPixelFormat(f rfb.PixelFormat) []byte {
	b := []byte{0, 0, 0, 0, f.BitsPerPixel, f.Depth, 0, 1}
	if f.BigEndian {
		b[6] = 1
	}
	b = binary.BigEndian.AppendUint16(b, f.RedMax)
	b = binary.BigEndian.AppendUint16(b, f.GreenMax)
	b = binary.BigEndian.AppendUint16(b, f.BlueMax)
	return append(b, f.RedShift, f.GreenShift, f.BlueShift, 0, 0, 0)
}

func setEncodings(encs ...rfb.Encoding) []byte {
	b := binary.BigEndian.AppendUint16([]byte{2, 0}, uint16(len(encs)))
	for _, e := range encs {
		b = binary.BigEndian.AppendUint32(b, uint32(e))
	}
	return b
}

func request(incremental byte, x, y, w, h uint16) []byte {
	b := []byte{3, incremental}
	for _, v := range []uint16{x, y, w, h} {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

// stream is a client that sends a fixed byte string and discards what it
// is sent.
type stream struct {
	io.Reader
	io.Writer
}

// FuzzServe runs a whole session on any bytes a client may send: Serve
// must neither panic nor hang, and must end when the bytes do.
func FuzzServe(f *testing.F) {
	f.Add(clientStream("RFB 003.008\n", request(0, 0, 0, 40, 24), request(1, 0, 0, 40, 24)))
	f.Add(clientStream("RFB 003.007\n", setEncodings(rfb.EncodingHextile, rfb.EncodingCopyRect), request(0, 0, 0, 40, 24)))
	f.Add(clientStream("RFB 003.003\n", setPixelFormat(rfb.PixelFormat{BitsPerPixel: 16, Depth: 16, TrueColour: true,
		RedMax: 31, GreenMax: 63, BlueMax: 31, RedShift: 11, GreenShift: 5}), setEncodings(rfb.EncodingRRE), request(0, 3, 3, 9, 9)))
	f.Add(clientStream("RFB 003.008\n", []byte{4, 1, 0, 0, 0, 0, 0, 'a'}, []byte{5, 1, 0, 3, 0, 4},
		[]byte{6, 0, 0, 0, 0, 0, 0, 2, 'h', 'i'}, request(1, 0, 0, 65535, 65535)))
	f.Add(clientStream("RFB 003.008\n", []byte{6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}))
	f.Add(clientStream("RFB 003.008\n", []byte{2, 0, 0xff, 0xff, 0, 0, 0, 5}))
	f.Add([]byte("RFB 003.008\n\x02"))
	f.Add([]byte("RFB 999.999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := seeded(40, 24)
		srv := rfb.NewServer(g, rfb.WithInput(rfb.NoInput{}), rfb.WithMaxCutText(1024))
		_ = srv.Serve(context.Background(), stream{bytes.NewReader(data), io.Discard})
	})
}
