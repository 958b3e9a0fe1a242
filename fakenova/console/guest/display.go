package guest

import (
	"github.com/novastub/novastub/fakenova/console/rfb"
)

// The 16 colours of the VGA text mode, as 0x00RRGGBB.
var palette = [16]uint32{
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
}

// ANSI colour numbers (30-37) to VGA palette indexes.
var ansiToVGA = [8]byte{0, 4, 2, 6, 1, 5, 3, 7}

// Default attribute: light grey on black. An attribute is the foreground
// palette index in the low nibble, the background in the high one.
const defaultAttr = 0x07

// cell is one character cell of the text console.
type cell struct {
	ch   byte
	attr byte
}

var blank = cell{ch: ' ', attr: defaultAttr}

// display is the guest's VGA text console: a grid of cells, a cursor, and
// a small ANSI terminal that writes into them. Its methods run under the
// machine's lock; the machine's Screen reads it as an rfb.Frame.
type display struct {
	cols, rows int
	cells      []cell
	x, y       int  // the cursor
	wrap       bool // the cursor is past the last column: the next character wraps
	attr       byte
	dark       bool // the guest is not running: nothing is drawn
	dirty      bool // changed since the sessions were last told

	// The escape-sequence parser.
	esc    int // 0 none, 1 after ESC, 2 in a CSI
	params [8]int
	nparam int
}

func newDisplay(cols, rows int) *display {
	d := &display{cols: cols, rows: rows, cells: make([]cell, cols*rows), attr: defaultAttr}
	d.clear()
	return d
}

func (d *display) clear() {
	for i := range d.cells {
		d.cells[i] = blank
	}
	d.x, d.y, d.wrap, d.attr = 0, 0, false, defaultAttr
	d.dirty = true
}

// setDark turns the picture off (a guest that is not running) or on.
func (d *display) setDark(dark bool) {
	if d.dark != dark {
		d.dark, d.dirty = dark, true
	}
}

// write interprets p as a terminal does: printable ASCII, CR, LF, BS, TAB
// and the escape sequences the guest's programs use (cursor position,
// erase, colours). Anything else is ignored; nothing in p can grow the
// parser's state.
func (d *display) write(p []byte) {
	for _, b := range p {
		switch d.esc {
		case 1:
			d.escape(b)
			continue
		case 2:
			d.csi(b)
			continue
		}
		switch {
		case b == '\r':
			d.x, d.wrap = 0, false
		case b == '\n':
			d.lineFeed()
		case b == '\b':
			if d.wrap {
				d.wrap = false
			} else if d.x > 0 {
				d.x--
			}
		case b == '\t':
			d.x = min((d.x/8+1)*8, d.cols-1)
		case b == 0x1b:
			d.esc = 1
		case b >= 0x20:
			d.put(b)
		}
	}
	d.dirty = true
}

func (d *display) put(b byte) {
	if d.wrap {
		d.x, d.wrap = 0, false
		d.lineFeed()
	}
	d.cells[d.y*d.cols+d.x] = cell{ch: b, attr: d.attr}
	if d.x == d.cols-1 {
		d.wrap = true
	} else {
		d.x++
	}
}

func (d *display) lineFeed() {
	d.wrap = false
	if d.y < d.rows-1 {
		d.y++
		return
	}
	copy(d.cells, d.cells[d.cols:])
	d.erase(d.cols*(d.rows-1), len(d.cells))
}

func (d *display) erase(from, to int) {
	for i := from; i < to; i++ {
		d.cells[i] = cell{ch: ' ', attr: d.attr&^0x0f | defaultAttr&0x0f}
	}
}

func (d *display) escape(b byte) {
	switch b {
	case '[':
		d.esc, d.nparam, d.params = 2, 0, [8]int{}
		return
	case 'c': // reset
		d.clear()
	}
	d.esc = 0
}

func (d *display) csi(b byte) {
	switch {
	case b >= '0' && b <= '9':
		if d.nparam == 0 {
			d.nparam = 1
		}
		if p := &d.params[d.nparam-1]; *p < 10000 {
			*p = *p*10 + int(b-'0')
		}
		return
	case b == ';':
		if d.nparam == 0 {
			d.nparam = 1
		}
		if d.nparam < len(d.params) {
			d.nparam++
		}
		return
	case b < 0x40 || b > 0x7e:
		return // intermediate bytes: ignored
	}
	d.esc = 0
	p := func(i, def int) int {
		if i < d.nparam && d.params[i] > 0 {
			return d.params[i]
		}
		return def
	}
	switch b {
	case 'H', 'f':
		d.y, d.x, d.wrap = min(p(0, 1), d.rows)-1, min(p(1, 1), d.cols)-1, false
	case 'A':
		d.y = max(d.y-p(0, 1), 0)
	case 'B':
		d.y = min(d.y+p(0, 1), d.rows-1)
	case 'C':
		d.x = min(d.x+p(0, 1), d.cols-1)
	case 'D':
		d.x, d.wrap = max(d.x-p(0, 1), 0), false
	case 'J':
		at := d.y*d.cols + d.x
		switch p(0, 0) {
		case 0:
			d.erase(at, len(d.cells))
		case 1:
			d.erase(0, at+1)
		case 2, 3:
			d.erase(0, len(d.cells))
		}
	case 'K':
		row := d.y * d.cols
		switch p(0, 0) {
		case 0:
			d.erase(row+d.x, row+d.cols)
		case 1:
			d.erase(row, row+d.x+1)
		case 2:
			d.erase(row, row+d.cols)
		}
	case 'm':
		d.sgr()
	}
}

// sgr sets colours: 0 reset, 1 bright, 30-37 and 90-97 foreground, 40-47
// background, 39 and 49 defaults.
func (d *display) sgr() {
	if d.nparam == 0 {
		d.attr = defaultAttr
		return
	}
	for _, v := range d.params[:d.nparam] {
		switch {
		case v == 0:
			d.attr = defaultAttr
		case v == 1:
			d.attr |= 0x08
		case v == 22:
			d.attr &^= 0x08
		case v >= 30 && v <= 37:
			d.attr = d.attr&0xf8 | ansiToVGA[v-30]
		case v == 39:
			d.attr = d.attr&0xf0 | defaultAttr&0x0f
		case v >= 40 && v <= 47:
			d.attr = d.attr&0x8f | ansiToVGA[v-40]<<4
		case v == 49:
			d.attr &= 0x0f
		case v >= 90 && v <= 97:
			d.attr = d.attr&0xf0 | ansiToVGA[v-90] | 0x08
		}
	}
}

// cursorRows are the cell rows the cursor underlines, as VGA's default
// cursor does.
const cursorTop, cursorBottom = 13, 14

// Signatures implements rfb.Frame: a cell's character, its colours and
// whether the cursor is on it; every cell of a dark screen is 0.
func (d *display) Signatures(dst []uint64) {
	if d.dark {
		clear(dst)
		return
	}
	for i, c := range d.cells {
		dst[i] = 1<<32 | uint64(c.attr)<<8 | uint64(c.ch)
	}
	dst[d.y*d.cols+d.x] |= 1 << 16
}

// Draw implements rfb.Frame: the cells in r drawn with the console font.
func (d *display) Draw(r rfb.Rect, dst []uint32) {
	if d.dark {
		clear(dst)
		return
	}
	cursor := d.y*d.cols + d.x
	for y := 0; y < r.H; y++ {
		py := r.Y + y
		row, gy := py/CellHeight, py%CellHeight
		out := dst[y*r.W : (y+1)*r.W]
		for x := 0; x < r.W; {
			px := r.X + x
			i := row*d.cols + px/CellWidth
			c := d.cells[i]
			bits := glyph(c.ch)[gy]
			if i == cursor && gy >= cursorTop && gy <= cursorBottom {
				bits = 0xff
			}
			fg, bg := palette[c.attr&0x0f], palette[c.attr>>4]
			for gx := px % CellWidth; gx < CellWidth && x < r.W; gx++ {
				if bits&(0x80>>gx) != 0 {
					out[x] = fg
				} else {
					out[x] = bg
				}
				x++
			}
		}
	}
}

// text returns the screen's rows as text, trailing spaces cut.
func (d *display) text() []string {
	out := make([]string, d.rows)
	for r := range out {
		b := make([]byte, d.cols)
		for c := range b {
			b[c] = d.cells[r*d.cols+c].ch
		}
		end := len(b)
		for end > 0 && b[end-1] == ' ' {
			end--
		}
		out[r] = string(b[:end])
	}
	return out
}
