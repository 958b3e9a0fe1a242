package rfb

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzReadMessage parses any bytes as a stream of client messages: the
// parser never panics, never keeps more than it allows, and stops at the
// first error.
func FuzzReadMessage(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0})
	f.Add([]byte{2, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 1})
	f.Add([]byte{3, 1, 0, 0, 0, 0, 4, 0, 3, 0})
	f.Add([]byte{4, 1, 0, 0, 0, 0, 0xff, 0x0d, 5, 0, 0, 1, 0, 2})
	f.Add([]byte{6, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c'})
	f.Add([]byte{6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{255})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		for i := 0; i <= len(data); i++ {
			m, err := readMessage(r, 64)
			if err != nil {
				return
			}
			if len(m.text) > 64 {
				t.Fatalf("kept %d bytes of cut text", len(m.text))
			}
			if m.typ == msgSetPixelFormat {
				_ = m.format.Validate()
				_ = newConverter(m.format)
			}
		}
		t.Fatal("more messages than bytes")
	})
}
