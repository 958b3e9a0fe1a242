package uuid4

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewIsVersion4AndUnique(t *testing.T) {
	seen := map[uuid.UUID]bool{}
	for i := 0; i < 1000; i++ {
		u := New()
		require.Equal(t, uuid.Version(4), u.Version())
		require.Equal(t, uuid.RFC4122, u.Variant())
		require.False(t, seen[u], "a repeated uuid")
		seen[u] = true
	}
}

func TestAppendMatchesString(t *testing.T) {
	for i := 0; i < 100; i++ {
		u := New()
		assert.Equal(t, u.String(), string(Append(nil, u)))
	}
	assert.Equal(t, "req-"+uuid.Nil.String(), string(Append([]byte("req-"), uuid.Nil)))
}
