package rfb_test

import (
	"sync"

	"github.com/novastub/novastub/fakenova/console/rfb"
)

// gridScreen is a Screen of tiles, each drawn from one value: a pattern of
// two colours that the value picks, so that every encoding has runs to
// find. Tests change tiles and scroll rows.
type gridScreen struct {
	mu      sync.Mutex
	w, h    int
	tw, th  int
	cols    int
	rows    int
	cells   []uint32
	changed chan struct{}
}

func newGridScreen(w, h, tw, th int) *gridScreen {
	cols, rows := (w+tw-1)/tw, (h+th-1)/th
	return &gridScreen{w: w, h: h, tw: tw, th: th, cols: cols, rows: rows,
		cells: make([]uint32, cols*rows), changed: make(chan struct{})}
}

func (g *gridScreen) Size() (int, int)     { return g.w, g.h }
func (g *gridScreen) TileSize() (int, int) { return g.tw, g.th }

func (g *gridScreen) Changed() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.changed
}

func (g *gridScreen) Read(fn func(rfb.Frame)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fn(gridFrame{g})
}

// set changes tiles and tells the sessions.
func (g *gridScreen) set(fn func(cells []uint32)) {
	g.mu.Lock()
	fn(g.cells)
	close(g.changed)
	g.changed = make(chan struct{})
	g.mu.Unlock()
}

// scrollUp moves every row of tiles up by n and clears the bottom ones.
func (g *gridScreen) scrollUp(n int) {
	g.set(func(cells []uint32) {
		copy(cells, cells[n*g.cols:])
		for i := (g.rows - n) * g.cols; i < len(cells); i++ {
			cells[i] = 0
		}
	})
}

// pixel is the colour of pixel (x, y).
func (g *gridScreen) pixel(x, y int) uint32 {
	v := g.cells[(y/g.th)*g.cols+x/g.tw]
	if v == 0 {
		return 0
	}
	dx, dy := x%g.tw, y%g.th
	if (dx+int(v))%3 == 0 || dy == int(v)%g.th {
		return v * 2654435761 & 0xffffff // a colour of its own
	}
	return 0x203040
}

type gridFrame struct{ g *gridScreen }

func (f gridFrame) Signatures(dst []uint64) {
	for i, v := range f.g.cells {
		dst[i] = uint64(v)
	}
}

func (f gridFrame) Draw(r rfb.Rect, dst []uint32) {
	for y := 0; y < r.H; y++ {
		for x := 0; x < r.W; x++ {
			dst[y*r.W+x] = f.g.pixel(r.X+x, r.Y+y)
		}
	}
}

// picture returns the whole screen as 0x00RRGGBB.
func (g *gridScreen) picture() []uint32 {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]uint32, g.w*g.h)
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			out[y*g.w+x] = g.pixel(x, y)
		}
	}
	return out
}

// recorder is an Input that keeps what it got.
type recorder struct {
	mu   sync.Mutex
	keys []uint32
	ptrs [][3]int
	cut  []string
}

func (r *recorder) Key(down bool, k uint32) {
	if down {
		r.mu.Lock()
		r.keys = append(r.keys, k)
		r.mu.Unlock()
	}
}

func (r *recorder) Pointer(b uint8, x, y int) {
	r.mu.Lock()
	r.ptrs = append(r.ptrs, [3]int{int(b), x, y})
	r.mu.Unlock()
}

func (r *recorder) CutText(t []byte) {
	r.mu.Lock()
	r.cut = append(r.cut, string(t))
	r.mu.Unlock()
}

func (r *recorder) snapshot() (keys []uint32, ptrs [][3]int, cut []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint32(nil), r.keys...), append([][3]int(nil), r.ptrs...), append([]string(nil), r.cut...)
}
