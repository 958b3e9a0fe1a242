package pyjson

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every interned string comes back as the table's own (no allocation),
// within a short probe; any other string comes back equal.
func TestIntern(t *testing.T) {
	n := 0
	for i, s := range internedStrings {
		if s == "" {
			continue
		}
		n++
		probes := (uint(i) - internHash(s)) & (internSlots - 1)
		assert.LessOrEqual(t, probes, uint(3), "%q is %d slots from its home", s, probes)
		b := []byte(s)
		require.Equal(t, s, intern(b))
		assert.Zero(t, testing.AllocsPerRun(10, func() { _ = intern(b) }), "%q", s)
	}
	assert.Equal(t, 37, n)
	for _, s := range []string{"", "x", "typ", "types", "novnc2", "os-getVNCConsol", "\\u0074ype", "ÿ"} {
		assert.Equal(t, s, intern([]byte(s)))
	}
}
