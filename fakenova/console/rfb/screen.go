package rfb

// Rect is a rectangle of the screen, in pixels.
type Rect struct {
	X, Y, W, H int
}

// Empty reports whether r covers no pixel.
func (r Rect) Empty() bool { return r.W <= 0 || r.H <= 0 }

// Intersect returns the part of r inside s.
func (r Rect) Intersect(s Rect) Rect {
	x0, y0 := max(r.X, s.X), max(r.Y, s.Y)
	x1, y1 := min(r.X+r.W, s.X+s.W), min(r.Y+r.H, s.Y+s.H)
	if x1 <= x0 || y1 <= y0 {
		return Rect{}
	}
	return Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

// Screen is the picture a Server shows. It is divided into tiles; each tile
// has a signature that changes whenever its pixels do, which is how the
// server finds what changed since a client's last update (and, comparing
// rows of signatures, what scrolled) without keeping a copy of the pixels
// per client. A text console's tile is a character cell and its signature
// the character and its colours.
//
// A Screen is shared by every client that shows it and must be safe for
// concurrent use.
type Screen interface {
	// Size returns the screen's size in pixels, fixed for a session.
	Size() (width, height int)
	// TileSize returns the size of the tiles in pixels. Tiles start at the
	// top left corner; the last column and row may be cut by the screen's
	// edge.
	TileSize() (width, height int)
	// Read calls fn with the screen as it is at one instant: the frame's
	// signatures and pixels agree with each other for the length of the
	// call. fn must not keep the Frame.
	Read(fn func(Frame))
	// Changed returns a channel that is closed at the next change of the
	// screen after the call.
	Changed() <-chan struct{}
}

// Frame is the screen at one instant, valid during Screen.Read's callback.
type Frame interface {
	// Signatures fills dst, one value per tile in row-major order, with
	// the tiles' signatures: equal signatures mean equal pixels.
	Signatures(dst []uint64)
	// Draw renders rectangle r, which lies inside the screen, into dst as
	// 0x00RRGGBB values, row-major, r.W values per row.
	Draw(r Rect, dst []uint32)
}

// Input receives what a client sends besides its requests for the screen.
// Its methods are called from the session's goroutine and must not block
// for long. Every Server that shares a Screen may share one Input.
type Input interface {
	// Key reports a key pressed (down) or released, as an X11 keysym.
	Key(down bool, keysym uint32)
	// Pointer reports the pointer's position and its buttons (bit 0 the
	// left button, bit 1 the middle, bit 2 the right, 3 and 4 the wheel).
	Pointer(buttons uint8, x, y int)
	// CutText reports text the client put on its clipboard, in Latin-1 as
	// RFB carries it (at most the server's MaxCutText bytes).
	CutText(text []byte)
}

// NoInput is an Input that ignores everything: a view-only screen.
type NoInput struct{}

// Key ignores a key event.
func (NoInput) Key(bool, uint32) {}

// Pointer ignores a pointer event.
func (NoInput) Pointer(uint8, int, int) {}

// CutText ignores clipboard text.
func (NoInput) CutText([]byte) {}
