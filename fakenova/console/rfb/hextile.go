package rfb

import "encoding/binary"

// Hextile subencoding bits (RFC 6143 §7.7.4).
const (
	hextileRaw                 = 1
	hextileBackgroundSpecified = 2
	hextileForegroundSpecified = 4
	hextileAnySubrects         = 8
	hextileSubrectsColoured    = 16
)

// subrect is a rectangle of one colour inside a tile or a rectangle.
type subrect struct {
	x, y, w, h int
	rgb        uint32
}

// appendHextile appends r in the Hextile encoding: 16x16 tiles, each
// either a background with subrectangles of other colours, or raw pixels
// when that is shorter. A text console's tile is a background, a
// foreground and a few runs of it.
func appendHextile(out []byte, r Rect, pix []uint32, conv *converter) []byte {
	out = appendRectHeader(out, r, EncodingHextile)
	var (
		bg, fg           uint32
		bgValid, fgValid bool
		tile             [256]uint32
		subs             [256]subrect
	)
	for ty := 0; ty < r.H; ty += 16 {
		th := min(16, r.H-ty)
		for tx := 0; tx < r.W; tx += 16 {
			tw := min(16, r.W-tx)
			t := tile[:tw*th]
			for y := 0; y < th; y++ {
				copy(t[y*tw:(y+1)*tw], pix[(ty+y)*r.W+tx:])
			}
			tbg := dominant(t)
			n, coloured, single := runs(t, tw, th, tbg, subs[:])
			rawSize := len(t) * conv.bpp
			size := 1 + conv.bpp // the background, at most
			if n > 0 {
				size++ // the count
				if coloured {
					size += n * (2 + conv.bpp)
				} else {
					size += conv.bpp + 2*n
				}
			}
			if n < 0 || size >= rawSize {
				out = append(out, hextileRaw)
				out = conv.appendPixels(out, t)
				bgValid, fgValid = false, false
				continue
			}
			mask := byte(0)
			if !bgValid || tbg != bg {
				mask |= hextileBackgroundSpecified
			}
			if n > 0 {
				mask |= hextileAnySubrects
				if coloured {
					mask |= hextileSubrectsColoured
				} else if !fgValid || single != fg {
					mask |= hextileForegroundSpecified
				}
			}
			out = append(out, mask)
			if mask&hextileBackgroundSpecified != 0 {
				out = conv.appendPixel(out, tbg)
				bg, bgValid = tbg, true
			}
			if mask&hextileForegroundSpecified != 0 {
				out = conv.appendPixel(out, single)
				fg, fgValid = single, true
			}
			if n > 0 {
				out = append(out, byte(n))
				for _, sr := range subs[:n] {
					if coloured {
						out = conv.appendPixel(out, sr.rgb)
					}
					out = append(out, byte(sr.x<<4|sr.y), byte((sr.w-1)<<4|(sr.h-1)))
				}
				if coloured {
					fgValid = false
				}
			}
		}
	}
	return out
}

// appendRRE appends r in the RRE encoding (RFC 6143 §7.7.3): a background
// and subrectangles, or Raw when that is shorter.
func appendRRE(out []byte, r Rect, pix []uint32, conv *converter) []byte {
	bg := dominant(pix)
	subs := make([]subrect, 0, 64)
	subs = appendRuns(subs, pix, r.W, r.H, bg, -1)
	if subs == nil || 4+conv.bpp+len(subs)*(conv.bpp+8) >= len(pix)*conv.bpp {
		return appendRaw(out, r, pix, conv)
	}
	out = appendRectHeader(out, r, EncodingRRE)
	out = binary.BigEndian.AppendUint32(out, uint32(len(subs)))
	out = conv.appendPixel(out, bg)
	for _, sr := range subs {
		out = conv.appendPixel(out, sr.rgb)
		out = binary.BigEndian.AppendUint16(out, uint16(sr.x))
		out = binary.BigEndian.AppendUint16(out, uint16(sr.y))
		out = binary.BigEndian.AppendUint16(out, uint16(sr.w))
		out = binary.BigEndian.AppendUint16(out, uint16(sr.h))
	}
	return out
}

// dominant returns the most frequent of the first few colours of pix (a
// console has two or three), or the first pixel's.
func dominant(pix []uint32) uint32 {
	if len(pix) == 0 {
		return 0
	}
	var colours [4]uint32
	var counts [4]int
	n := 0
	for _, p := range pix {
		i := 0
		for i < n && colours[i] != p {
			i++
		}
		if i == n {
			if n == len(colours) {
				continue
			}
			colours[n] = p
			n++
		}
		counts[i]++
	}
	best := 0
	for i := 1; i < n; i++ {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return colours[best]
}

// runs fills subs with the subrectangles of a tile that are not bg:
// horizontal runs of one colour, merged down when the row below has the
// same run. It returns how many, whether they have more than one colour
// (and if not, that colour), or n = -1 when there are more than 255 (a
// tile's count is a U8) or than subs holds.
func runs(t []uint32, w, h int, bg uint32, subs []subrect) (n int, coloured bool, single uint32) {
	got := appendRuns(subs[:0], t, w, h, bg, min(len(subs), 255))
	if got == nil {
		return -1, false, 0
	}
	for i, sr := range got {
		if i == 0 {
			single = sr.rgb
		} else if sr.rgb != single {
			coloured = true
		}
	}
	return len(got), coloured, single
}

// appendRuns appends the runs of pix (w by h) that are not bg, merged
// down, to subs; it returns nil when there would be more than limit
// (limit < 0: no limit). Runs of a row come in order of x, and so do the
// runs that reached the row above: one pass over both merges them.
func appendRuns(subs []subrect, pix []uint32, w, h int, bg uint32, limit int) []subrect {
	start := len(subs)
	var prevBuf, curBuf [16]int
	prev, cur := prevBuf[:0], curBuf[:0] // indexes of the runs that reach the row above, this row
	for y := 0; y < h; y++ {
		row := pix[y*w : (y+1)*w]
		cur = cur[:0]
		j := 0
		for x := 0; x < w; {
			c := row[x]
			if c == bg {
				x++
				continue
			}
			x0 := x
			for x < w && row[x] == c {
				x++
			}
			for j < len(prev) && subs[prev[j]].x < x0 {
				j++
			}
			if j < len(prev) {
				if p := &subs[prev[j]]; p.x == x0 && p.w == x-x0 && p.rgb == c {
					p.h++
					cur = append(cur, prev[j])
					j++
					continue
				}
			}
			if limit >= 0 && len(subs)-start >= limit {
				return nil
			}
			cur = append(cur, len(subs))
			subs = append(subs, subrect{x: x0, y: y, w: x - x0, h: 1, rgb: c})
		}
		prev, cur = cur, prev
	}
	return subs
}
