package rfb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrCutTextTooLong is the error of a ClientCutText longer than the
// server's MaxCutText: the session ends rather than read it.
var ErrCutTextTooLong = errors.New("rfb: client cut text too long")

// ErrUnknownMessage is the error of a message type the server does not
// know: RFB messages carry no length, so the stream cannot go on.
var ErrUnknownMessage = errors.New("rfb: unknown client message type")

// message is one client-to-server message (RFC 6143 §7.5).
type message struct {
	typ byte

	format PixelFormat // SetPixelFormat

	encodings encodingSet // SetEncodings

	incremental bool // FramebufferUpdateRequest
	rect        Rect

	down   bool   // KeyEvent
	keysym uint32 //

	buttons uint8 // PointerEvent
	x, y    int

	text []byte // ClientCutText
}

// encodingSet is what a SetEncodings message says, reduced to what the
// server can use: the first encoding of the client's list that the server
// sends, and the pseudo-encodings it knows. A list of any length is read
// without keeping it.
type encodingSet struct {
	preferred   Encoding // Raw unless the client listed RRE or Hextile first
	copyRect    bool
	desktopSize bool
}

// readMessage reads one client message. It never reads more than 20 bytes
// plus the bounded payloads (4 bytes per encoding, maxCutText of text).
func readMessage(r *bufio.Reader, maxCutText int) (message, error) {
	var b [20]byte
	typ, err := r.ReadByte()
	if err != nil {
		return message{}, err
	}
	m := message{typ: typ}
	switch typ {
	case msgSetPixelFormat:
		if _, err := io.ReadFull(r, b[:19]); err != nil {
			return m, unexpected(err)
		}
		m.format = parsePixelFormat(b[3:19])
	case msgSetEncodings:
		if _, err := io.ReadFull(r, b[:3]); err != nil {
			return m, unexpected(err)
		}
		n := int(binary.BigEndian.Uint16(b[1:3]))
		m.encodings.preferred = EncodingRaw
		chosen := false
		for i := 0; i < n; i++ {
			if _, err := io.ReadFull(r, b[:4]); err != nil {
				return m, unexpected(err)
			}
			switch e := Encoding(binary.BigEndian.Uint32(b[:4])); e {
			case EncodingRaw, EncodingRRE, EncodingHextile:
				if !chosen {
					m.encodings.preferred, chosen = e, true
				}
			case EncodingCopyRect:
				m.encodings.copyRect = true
			case EncodingDesktopSize:
				m.encodings.desktopSize = true
			}
		}
	case msgFramebufferUpdateRequest:
		if _, err := io.ReadFull(r, b[:9]); err != nil {
			return m, unexpected(err)
		}
		m.incremental = b[0] != 0
		m.rect = Rect{
			X: int(binary.BigEndian.Uint16(b[1:])), Y: int(binary.BigEndian.Uint16(b[3:])),
			W: int(binary.BigEndian.Uint16(b[5:])), H: int(binary.BigEndian.Uint16(b[7:])),
		}
	case msgKeyEvent:
		if _, err := io.ReadFull(r, b[:7]); err != nil {
			return m, unexpected(err)
		}
		m.down = b[0] != 0
		m.keysym = binary.BigEndian.Uint32(b[3:7])
	case msgPointerEvent:
		if _, err := io.ReadFull(r, b[:5]); err != nil {
			return m, unexpected(err)
		}
		m.buttons = b[0]
		m.x, m.y = int(binary.BigEndian.Uint16(b[1:])), int(binary.BigEndian.Uint16(b[3:]))
	case msgClientCutText:
		if _, err := io.ReadFull(r, b[:7]); err != nil {
			return m, unexpected(err)
		}
		n := binary.BigEndian.Uint32(b[3:7])
		if uint64(n) > uint64(maxCutText) {
			return m, fmt.Errorf("%w: %d bytes, at most %d", ErrCutTextTooLong, n, maxCutText)
		}
		m.text = make([]byte, n)
		if _, err := io.ReadFull(r, m.text); err != nil {
			return m, unexpected(err)
		}
	default:
		return m, fmt.Errorf("%w %d", ErrUnknownMessage, typ)
	}
	return m, nil
}

// unexpected turns the EOF of a message cut short into ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
