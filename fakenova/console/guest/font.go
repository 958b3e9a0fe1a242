package guest

import (
	_ "embed"
	"fmt"
	"strings"
)

// The console font: 8x16 character cells, the glyphs of printable ASCII
// drawn for this project (font8x16.txt), bit 7 of a row the leftmost
// pixel.
const (
	CellWidth  = 8  // pixels across a character cell
	CellHeight = 16 // pixels down a character cell
)

// glyphTop is the cell row where the art's first row goes.
const glyphTop = 2

//go:embed font8x16.txt
var fontArt string

// glyphs holds a 16-row bitmap per ASCII code; the unprintable ones are
// blank but for the replacement glyph of 0x7f.
var glyphs = parseFont(fontArt)

// replacement is the glyph drawn for a byte outside printable ASCII.
const replacement = 0x7f

func parseFont(art string) *[128][CellHeight]byte {
	var g [128][CellHeight]byte
	lines := strings.Split(art, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "> ") {
			continue
		}
		chars := strings.Fields(lines[i][2:])
		for row := 0; row < CellHeight-glyphTop-1; row++ {
			i++
			line := lines[i]
			for k, ch := range chars {
				if len(ch) != 1 || len(line) < k*9+8 {
					panic(fmt.Sprintf("guest: font art: bad band at line %d", i+1))
				}
				var bits byte
				for x := 0; x < CellWidth; x++ {
					if line[k*9+x] == '#' {
						bits |= 0x80 >> x
					}
				}
				g[ch[0]][glyphTop+row] = bits
			}
		}
	}
	// A hollow box for what the font lacks.
	for row := glyphTop; row < glyphTop+10; row++ {
		g[replacement][row] = 0x42
	}
	g[replacement][glyphTop], g[replacement][glyphTop+9] = 0x7e, 0x7e
	return &g
}

// glyph returns the bitmap of byte c.
func glyph(c byte) *[CellHeight]byte {
	if c < ' ' || c >= replacement {
		c = replacement
	}
	return &glyphs[c]
}
