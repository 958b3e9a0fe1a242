package state_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

func TestValidProjectIDAndUUID(t *testing.T) {
	tests := []struct {
		name      string
		id        string
		project   bool // ValidProjectID
		validUUID bool // ValidUUID
	}{
		{"keystone hex", "1ab83fbf1b594600bfa618dc33694dd6", true, false},
		{"all digits", "00000000000000000000000000000000", true, false},
		{"all f", "ffffffffffffffffffffffffffffffff", true, false},
		{"dashed uuid", "365313c5-5d0c-4c43-af05-16f765c0f2bc", true, true},
		{"nil uuid", "00000000-0000-0000-0000-000000000000", true, true},
		{"hex uppercase", "1AB83FBF1B594600BFA618DC33694DD6", false, false},
		{"hex one uppercase", "1ab83fbf1b594600bfa618dc33694ddF", false, false},
		{"uuid uppercase", "365313C5-5D0C-4C43-AF05-16F765C0F2BC", false, false},
		{"uuid one uppercase", "365313c5-5d0c-4c43-af05-16f765c0f2bC", false, false},
		{"31 hex", "1ab83fbf1b594600bfa618dc33694dd", false, false},
		{"33 hex", "1ab83fbf1b594600bfa618dc33694dd6a", false, false},
		{"35 dashed", "365313c5-5d0c-4c43-af05-16f765c0f2b", false, false},
		{"37 dashed", "365313c5-5d0c-4c43-af05-16f765c0f2bca", false, false},
		{"36 hex no dashes", "365313c55d0c4c43af0516f765c0f2bcabcd", false, false},
		{"first dash misplaced", "365313c55-d0c-4c43-af05-16f765c0f2bc", false, false},
		{"last dash misplaced", "365313c5-5d0c-4c43-af0516-f765c0f2bc", false, false},
		{"dashes shifted", "-365313c5-5d0c-4c43-af05-16f765c0f2b", false, false},
		{"dash for hex", "365313c5-5d0c-4c43-af05-16f765c0f2-c", false, false},
		{"colons", "365313c5:5d0c:4c43:af05:16f765c0f2bc", false, false},
		{"non-hex letter", "1ab83fbf1b594600bfa618dc33694dg6", false, false},
		{"uuid non-hex letter", "365313c5-5d0c-4c43-af05-16f765c0f2bz", false, false},
		{"braced", "{365313c5-5d0c-4c43-af05-16f765c0f2}", false, false},
		{"urn", "urn:uuid:365313c5-5d0c-4c43-af05-16f765c0f2bc", false, false},
		{"trailing newline", "1ab83fbf1b594600bfa618dc33694dd\n", false, false},
		{"space", "1ab83fbf1b594600bfa618dc 3694dd6", false, false},
		{"multibyte", "1ab83fbf1b594600bfa618dc33694d\u00e9", false, false},
		{"empty", "", false, false},
		{"name", "demo", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.project, state.ValidProjectID(tt.id), "ValidProjectID(%q)", tt.id)
			assert.Equal(t, tt.validUUID, state.ValidUUID(tt.id), "ValidUUID(%q)", tt.id)
		})
	}
}

func TestNewProjectID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		id := state.NewProjectID()
		require.Len(t, id, 32)
		require.True(t, state.ValidProjectID(id), id)
		require.False(t, state.ValidUUID(id), id)
		// It is a uuid4 without dashes, as Keystone makes them.
		u, err := uuid.Parse(id)
		require.NoError(t, err)
		assert.Equal(t, uuid.Version(4), u.Version())
		require.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
	}
}
