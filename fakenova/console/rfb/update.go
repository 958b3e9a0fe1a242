package rfb

import (
	"encoding/binary"
	"sync"
)

// Buffers shared by every session: an idle session holds none.
var (
	outPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}
	pixPool = sync.Pool{New: func() any { b := make([]uint32, 0, 16<<10); return &b }}
)

// maxPooledOut keeps a huge update's buffer out of the pool.
const maxPooledOut = 8 << 20

// update sends a FramebufferUpdate for region: every tile in it when full
// is set, else the tiles whose signature differs from what the client has
// (moved by CopyRect first when the screen scrolled). It reports whether
// it sent anything; a full update is always sent, even of nothing.
func (s *session) update(incremental bool, region Rect) (bool, error) {
	bp := outPool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledOut {
			*bp = (*bp)[:0]
			outPool.Put(bp)
		}
	}()
	out := (*bp)[:0]
	var n int
	s.srv.screen.Read(func(f Frame) {
		f.Signatures(s.cur)
		c0, r0, c1, r1 := s.tileSpan(region)
		dirty := func(c, r int) bool {
			i := r*s.cols + c
			return !incremental || !s.isKnown(i) || s.shadow[i] != s.cur[i]
		}
		changed := 0
		if incremental {
			for r := r0; r < r1; r++ {
				for c := c0; c < c1; c++ {
					if dirty(c, r) {
						changed++
					}
				}
			}
			if changed == 0 {
				return // nothing to send: the request waits
			}
		}
		out = append(out, msgFramebufferUpdate, 0, 0, 0) // the count is set below
		if changed >= minScrollGain*s.cols && s.encodings.copyRect && region == (Rect{W: s.width, H: s.height}) {
			var ok bool
			if out, ok = s.scroll(out); ok {
				n++
			}
		}
		for _, rc := range s.plan(c0, r0, c1, r1, dirty) {
			out = s.encodeRect(out, f, rc)
			n++
		}
		for r := r0; r < r1; r++ {
			copy(s.shadow[r*s.cols+c0:r*s.cols+c1], s.cur[r*s.cols+c0:r*s.cols+c1])
			for c := c0; c < c1; c++ {
				s.setKnown(r*s.cols + c)
			}
		}
	})
	if incremental && n == 0 {
		return false, nil
	}
	if len(out) < 4 {
		out = append(out[:0], msgFramebufferUpdate, 0, 0, 0) // a full update of nothing
	}
	binary.BigEndian.PutUint16(out[2:], uint16(n))
	*bp = out
	_, err := s.w.Write(out)
	return true, err
}

// tileSpan returns the tiles region touches: columns c0..c1-1, rows
// r0..r1-1.
func (s *session) tileSpan(region Rect) (c0, r0, c1, r1 int) {
	if region.Empty() {
		return 0, 0, 0, 0
	}
	return region.X / s.tw, region.Y / s.th,
		min((region.X+region.W+s.tw-1)/s.tw, s.cols), min((region.Y+region.H+s.th-1)/s.th, s.rows)
}

func (s *session) isKnown(i int) bool { return s.known[i>>6]&(1<<(i&63)) != 0 }
func (s *session) setKnown(i int)     { s.known[i>>6] |= 1 << (i & 63) }

// maxRects bounds the rectangles of one update (the count is a U16).
const maxRects = 0xffff

// plan groups the dirty tiles of columns c0..c1-1 and rows r0..r1-1 into
// rectangles, in pixels: runs of dirty tiles in a row (a gap of one clean
// tile is sent rather than split on), and runs that span the same columns
// in consecutive rows merged into one rectangle.
func (s *session) plan(c0, r0, c1, r1 int, dirty func(c, r int) bool) []Rect {
	type run struct{ c0, c1, r0, r1 int }
	var done, open []run
	for r := r0; r < r1; r++ {
		var runs []run
		for c := c0; c < c1; {
			if !dirty(c, r) {
				c++
				continue
			}
			start, end := c, c+1
			for c = end; c < c1; c++ {
				if dirty(c, r) {
					end = c + 1
				} else if c+1 < c1 && dirty(c+1, r) {
					continue // bridge a one-tile gap
				} else {
					break
				}
			}
			runs = append(runs, run{c0: start, c1: end, r0: r, r1: r + 1})
		}
		// Extend the open runs of the row above that match exactly.
		var next []run
		for _, nr := range runs {
			merged := false
			for i, o := range open {
				if o.c0 == nr.c0 && o.c1 == nr.c1 && o.r1 == r {
					open[i].r1 = r + 1
					next = append(next, open[i])
					open[i].c1 = -1 // taken
					merged = true
					break
				}
			}
			if !merged {
				next = append(next, nr)
			}
		}
		for _, o := range open {
			if o.c1 >= 0 {
				done = append(done, o)
			}
		}
		open = next
	}
	done = append(done, open...)
	if len(done) > maxRects {
		// Never on a sane screen; one rectangle over everything is valid.
		done = []run{{c0: c0, c1: c1, r0: r0, r1: r1}}
	}
	rects := make([]Rect, 0, len(done))
	for _, d := range done {
		rects = append(rects, s.pixels(d.c0, d.r0, d.c1, d.r1))
	}
	return rects
}

// pixels returns the rectangle of tiles c0..c1-1 by r0..r1-1, cut by the
// screen's edge.
func (s *session) pixels(c0, r0, c1, r1 int) Rect {
	r := Rect{X: c0 * s.tw, Y: r0 * s.th, W: (c1 - c0) * s.tw, H: (r1 - r0) * s.th}
	return r.Intersect(Rect{W: s.width, H: s.height})
}

// appendRectHeader appends a rectangle's header (RFC 6143 §7.6.1).
func appendRectHeader(out []byte, r Rect, e Encoding) []byte {
	out = binary.BigEndian.AppendUint16(out, uint16(r.X))
	out = binary.BigEndian.AppendUint16(out, uint16(r.Y))
	out = binary.BigEndian.AppendUint16(out, uint16(r.W))
	out = binary.BigEndian.AppendUint16(out, uint16(r.H))
	return binary.BigEndian.AppendUint32(out, uint32(e))
}

// encodeRect draws r and appends it in the client's preferred encoding.
func (s *session) encodeRect(out []byte, f Frame, r Rect) []byte {
	pp := pixPool.Get().(*[]uint32)
	defer pixPool.Put(pp)
	if cap(*pp) < r.W*r.H {
		*pp = make([]uint32, r.W*r.H)
	}
	pix := (*pp)[:r.W*r.H]
	f.Draw(r, pix)
	switch s.encodings.preferred {
	case EncodingHextile:
		return appendHextile(out, r, pix, s.conv)
	case EncodingRRE:
		return appendRRE(out, r, pix, s.conv)
	}
	return appendRaw(out, r, pix, s.conv)
}

// appendRaw appends r in the Raw encoding (RFC 6143 §7.7.1).
func appendRaw(out []byte, r Rect, pix []uint32, conv *converter) []byte {
	out = appendRectHeader(out, r, EncodingRaw)
	return conv.appendPixels(out, pix)
}
