package state_test

import (
	"errors"
	"testing"

	"github.com/novastub/novastub/state"
)

// FuzzSeed parses and loads any seed file: never a panic, and every error
// is an InvalidError that names where.
func FuzzSeed(f *testing.F) {
	for _, seed := range []string{
		`{"projects": [{"id": "1ab83fbf1b594600bfa618dc33694dd6", "name": "demo"}], "hosts": [{"name": "compute-1"}],
		  "tokens": [{"token": "t", "project_id": "1ab83fbf1b594600bfa618dc33694dd6", "roles": ["member"]}],
		  "users": [{"name": "u", "password": "p", "roles": {"demo": ["admin"]}}],
		  "servers": [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "name": "vm", "project_id": "1ab83fbf1b594600bfa618dc33694dd6"}]}`,
		`{"hosts": [{"name": "h", "console_types": []}, {"name": "h"}]}`,
		`{"servers": [{"id": "x", "status": "SHELVED_OFFLOADED", "power_state": 9, "vm_state": "??"}]}`,
		`{"tokens": [{"token": "a", "project_id": "x", "expires_at": "2020-01-01T00:00:00Z"}, {"token": "a"}]}`,
		`{"projects": [}`,
		"\n\n  {\"users\": 1}",
		`{"users": [{"name": "a", "roles": {"nope": ["admin"]}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		seed, err := state.ParseSeed(data)
		var inv *state.InvalidError
		if err != nil {
			if !errors.As(err, &inv) {
				t.Fatalf("ParseSeed(%q): %T %v", data, err, err)
			}
			return
		}
		if err := state.New().Load(seed); err != nil && !errors.As(err, &inv) {
			t.Fatalf("Load(%q): %T %v", data, err, err)
		}
	})
}
