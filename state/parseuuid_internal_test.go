package state

import (
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// parseUUID takes exactly the lowercase dashed form and decodes it as
// uuid.Parse does: checked against a regular expression and the library
// on random UUIDs and on each of them with one byte changed.
func TestParseUUIDMatchesTheLibrary(t *testing.T) {
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(id string) {
		got, ok := parseUUID(id)
		require.Equal(t, form.MatchString(id), ok, "%q", id)
		if ok {
			want, err := uuid.Parse(id)
			require.NoError(t, err)
			require.Equal(t, want, got, "%q", id)
		} else {
			require.Equal(t, uuid.UUID{}, got)
		}
	}
	for _, id := range []string{"", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
		"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "{00000000-0000-0000-0000-000000000000}", "00000000000000000000000000000000"} {
		check(id)
	}
	for range 2000 {
		id := newUUID4().String()
		check(id)
		b := []byte(id)
		b[rng.IntN(len(b))] = byte(rng.IntN(256))
		check(string(b))
	}
}
