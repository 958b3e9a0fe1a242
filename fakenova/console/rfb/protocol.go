package rfb

// The protocol's numbers, from RFC 6143 and the rfbproto registry; each
// wire format is written once, in the file about its message.

// Version is an RFB protocol version a session speaks.
type Version int

// The versions a Server speaks. It announces V38 and follows the client
// down to V37 or V33 (RFC 6143 §7.1.1; a client's 3.5 means 3.3).
const (
	V33 Version = 3
	V37 Version = 7
	V38 Version = 8
)

// String returns the version as its ProtocolVersion message writes it,
// without the newline: "RFB 003.008".
func (v Version) String() string { return "RFB 003.00" + string(rune('0'+v)) }

// Security types (RFC 6143 §7.1.2).
const (
	securityInvalid = 0
	securityNone    = 1
)

// Client-to-server message types (RFC 6143 §7.5).
const (
	msgSetPixelFormat           = 0
	msgSetEncodings             = 2
	msgFramebufferUpdateRequest = 3
	msgKeyEvent                 = 4
	msgPointerEvent             = 5
	msgClientCutText            = 6
)

// Server-to-client message types (RFC 6143 §7.6).
const (
	msgFramebufferUpdate = 0
	msgBell              = 2
	msgServerCutText     = 3
)

// Encoding is an RFB encoding or pseudo-encoding number (RFC 6143 §7.7,
// §7.8).
type Encoding int32

// The encodings a Server sends, and the pseudo-encodings it knows.
const (
	EncodingRaw         Encoding = 0
	EncodingCopyRect    Encoding = 1
	EncodingRRE         Encoding = 2
	EncodingHextile     Encoding = 5
	EncodingDesktopSize Encoding = -223
)
