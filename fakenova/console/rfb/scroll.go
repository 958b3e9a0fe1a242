package rfb

import "encoding/binary"

// minScrollGain is how many rows a scroll must save before it is sent as
// a CopyRect.
const minScrollGain = 2

// scroll looks for the screen's rows having moved up or down by whole
// tiles since the client's last update (a console scrolling). When the
// move saves sending at least minScrollGain rows, it appends a CopyRect
// that moves the client's picture the same way (RFC 6143 §7.7.2), shifts
// the shadow to match, and reports true. The caller has checked that the
// client takes CopyRect and that the update covers the whole screen.
func (s *session) scroll(out []byte) ([]byte, bool) {
	for i := 0; i < s.cols*s.rows; i++ {
		if !s.isKnown(i) {
			return out, false
		}
	}
	hc, hs := make([]uint64, s.rows), make([]uint64, s.rows)
	for r := 0; r < s.rows; r++ {
		hc[r], hs[r] = rowHash(s.row(s.cur, r)), rowHash(s.row(s.shadow, r))
	}
	bestK, bestGain := 0, 0
	for k := 1; k < s.rows; k++ {
		up, down := 0, 0
		for y := 0; y+k < s.rows; y++ {
			// Up: what the client has at row y+k is now at row y.
			if hc[y] == hs[y+k] && hc[y] != hs[y] && equal(s.row(s.cur, y), s.row(s.shadow, y+k)) {
				up++
			}
			// Down: what the client has at row y is now at row y+k.
			if hc[y+k] == hs[y] && hc[y+k] != hs[y+k] && equal(s.row(s.cur, y+k), s.row(s.shadow, y)) {
				down++
			}
		}
		if up > bestGain {
			bestK, bestGain = k, up
		}
		if down > bestGain {
			bestK, bestGain = -k, down
		}
	}
	if bestGain < minScrollGain {
		return out, false
	}
	k := bestK
	if k < 0 {
		k = -k
	}
	moved := s.height - k*s.th
	if moved <= 0 {
		return out, false
	}
	dst, srcY := Rect{W: s.width, H: moved}, k*s.th
	if bestK > 0 {
		for r := 0; r+k < s.rows; r++ {
			copy(s.row(s.shadow, r), s.row(s.shadow, r+k))
		}
	} else {
		dst.Y, srcY = k*s.th, 0
		for r := s.rows - 1; r-k >= 0; r-- {
			copy(s.row(s.shadow, r), s.row(s.shadow, r-k))
		}
	}
	out = appendRectHeader(out, dst, EncodingCopyRect)
	out = binary.BigEndian.AppendUint16(out, 0)
	out = binary.BigEndian.AppendUint16(out, uint16(srcY))
	return out, true
}

// row returns tile row r of sigs.
func (s *session) row(sigs []uint64, r int) []uint64 { return sigs[r*s.cols : (r+1)*s.cols] }

// rowHash mixes a row of signatures into one value (FNV-1a over words).
func rowHash(row []uint64) uint64 {
	h := uint64(14695981039346656037)
	for _, v := range row {
		h ^= v
		h *= 1099511628211
	}
	return h
}

func equal(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
