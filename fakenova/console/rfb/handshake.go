package rfb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrUnsupportedVersion is the error of a client that answers the
// server's ProtocolVersion with a version the session does not speak.
var ErrUnsupportedVersion = errors.New("rfb: unsupported protocol version")

// ErrSecurityType is the error of a client that picks a security type
// other than None.
var ErrSecurityType = errors.New("rfb: unsupported security type")

// Strings the handshake writes to a client it refuses.
const (
	// reasonSecurityType is the SecurityResult reason nova-novncproxy's
	// RFB security proxy (RFBSecurityProxy.connect) sends a client that
	// picks a type other than None.
	reasonSecurityType = "Only the security type 1 (NONE) is supported"
	// reasonVersion is the reason a 3.3-style refusal carries for a
	// version the server does not speak.
	reasonVersion = "Unsupported RFB protocol version"
)

// maxNameLen bounds the desktop name ServerInit carries.
const maxNameLen = 1024

// handshake runs the protocol from ProtocolVersion to ServerInit (RFC 6143
// §7.1-§7.3) and returns the version agreed.
func (s *session) handshake() (Version, error) {
	if _, err := io.WriteString(s.w, V38.String()+"\n"); err != nil {
		return 0, err
	}
	var b [12]byte
	if _, err := io.ReadFull(s.r, b[:]); err != nil {
		return 0, err
	}
	v, ok := parseVersion(b)
	if !ok || v < s.srv.minVersion {
		if ok {
			// A version a stricter proxy refuses: nova-novncproxy's
			// security proxy closes without a word.
			return 0, fmt.Errorf("%w: client asked for %q", ErrUnsupportedVersion, b[:11])
		}
		// RFC 6143 Appendix A: security type 0 and a reason, in the
		// 3.3 form every client reads.
		out := binary.BigEndian.AppendUint32(nil, securityInvalid)
		out = appendString(out, reasonVersion)
		_, _ = s.w.Write(out)
		return 0, fmt.Errorf("%w: client asked for %q", ErrUnsupportedVersion, b[:11])
	}
	if v == V33 {
		// The server decides: security type None as a U32.
		if _, err := s.w.Write(binary.BigEndian.AppendUint32(nil, securityNone)); err != nil {
			return 0, err
		}
	} else {
		if _, err := s.w.Write([]byte{1, securityNone}); err != nil {
			return 0, err
		}
		if _, err := io.ReadFull(s.r, b[:1]); err != nil {
			return 0, err
		}
		if b[0] != securityNone {
			if v == V38 {
				out := binary.BigEndian.AppendUint32(nil, 1)
				_, _ = s.w.Write(appendString(out, reasonSecurityType))
			}
			return 0, fmt.Errorf("%w %d", ErrSecurityType, b[0])
		}
		if v == V38 {
			// SecurityResult OK: 3.8 sends it even for None.
			if _, err := s.w.Write(make([]byte, 4)); err != nil {
				return 0, err
			}
		}
	}
	// ClientInit: the shared flag. Every session shares the screen.
	if _, err := io.ReadFull(s.r, b[:1]); err != nil {
		return 0, err
	}
	w, h := s.srv.screen.Size()
	out := make([]byte, 0, 24+len(s.srv.name))
	out = binary.BigEndian.AppendUint16(out, uint16(w))
	out = binary.BigEndian.AppendUint16(out, uint16(h))
	out = s.srv.format.appendTo(out)
	out = appendString(out, s.srv.name)
	_, err := s.w.Write(out)
	return v, err
}

// parseVersion reads a ProtocolVersion message: "RFB 003.00x\n". 3.3, 3.4
// and 3.5 are 3.3 (RFC 6143 §7.1.1, as QEMU reads them); 3.7 is 3.7; 3.8
// and anything newer in major 3 are 3.8.
func parseVersion(b [12]byte) (Version, bool) {
	if string(b[:4]) != "RFB " || b[7] != '.' || b[11] != '\n' {
		return 0, false
	}
	major, ok1 := digits(b[4:7])
	minor, ok2 := digits(b[8:11])
	if !ok1 || !ok2 || major != 3 {
		return 0, false
	}
	switch {
	case minor >= 3 && minor <= 5:
		return V33, true
	case minor == 7:
		return V37, true
	case minor >= 8:
		return V38, true
	}
	return 0, false
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// appendString appends a U32 length and the string.
func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
