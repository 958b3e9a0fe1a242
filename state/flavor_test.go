package state_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

func flavorIDs(fs []state.Flavor) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

// flavorStore has the m1 flavors "1".."5", a private "10" for projA and a
// disabled "2x".
func flavorStore(t *testing.T) *state.Store {
	t.Helper()
	st, _ := newStore(t)
	for _, f := range []state.Flavor{
		{ID: "1", Name: "m1.tiny", VCPUs: 1, RAM: 512, Disk: 1},
		{ID: "2", Name: "m1.small", VCPUs: 1, RAM: 2048, Disk: 20},
		{ID: "3", Name: "m1.medium", VCPUs: 2, RAM: 4096, Disk: 40},
		{ID: "4", Name: "m1.large", VCPUs: 4, RAM: 8192, Disk: 80},
		{ID: "5", Name: "m1.xlarge", VCPUs: 8, RAM: 16384, Disk: 160},
		{ID: "10", Name: "private", VCPUs: 1, RAM: 64, Disk: 0, Private: true, Projects: []string{projA}},
		{ID: "2x", Name: "old", VCPUs: 1, RAM: 64, Disk: 0, Disabled: true},
	} {
		_, err := st.AddFlavor(f)
		require.NoError(t, err)
	}
	return st
}

func TestAddFlavorDefaultsAndConflicts(t *testing.T) {
	st := flavorStore(t)
	f, err := st.Flavor("1")
	require.NoError(t, err)
	assert.Equal(t, 1.0, f.RXTXFactor)
	assert.Equal(t, 1, f.InternalID)
	_, err = st.AddFlavor(state.Flavor{ID: "1", Name: "dup", VCPUs: 1, RAM: 1})
	requireOnly(t, err, state.ErrConflict)
	_, err = st.AddFlavor(state.Flavor{ID: "99", Name: "m1.tiny", VCPUs: 1, RAM: 1})
	requireOnly(t, err, state.ErrConflict)
	for _, bad := range []state.Flavor{
		{ID: " 1", Name: "a", VCPUs: 1, RAM: 1},
		{ID: "a/b", Name: "a", VCPUs: 1, RAM: 1},
		{ID: "x", VCPUs: 1, RAM: 1},
		{ID: "x", Name: "x", RAM: 1},
		{ID: "x", Name: "x", VCPUs: 1},
		{ID: "x", Name: "x", VCPUs: 1, RAM: 1, Disk: -1},
		{ID: "x", Name: "x", VCPUs: 1, RAM: 1, Projects: []string{"p"}},
	} {
		_, err := st.AddFlavor(bad)
		requireOnly(t, err, state.ErrInvalid)
	}
	auto, err := st.AddFlavor(state.Flavor{Name: "auto", VCPUs: 1, RAM: 1})
	require.NoError(t, err)
	assert.True(t, state.ValidUUID(auto.ID))
}

func TestListFlavors(t *testing.T) {
	st := flavorStore(t)
	yes, no := true, false
	a := state.Viewer{ProjectID: projA}
	b := state.Viewer{ProjectID: projB}
	admin := state.Viewer{ProjectID: projB, Admin: true}
	cases := []struct {
		name string
		f    state.FlavorFilter
		want []string
	}{
		{"non-admin as Nova's API asks", state.FlavorFilter{Viewer: b, IsPublic: &yes, Disabled: &no}, []string{"1", "2", "3", "4", "5"}},
		{"access list", state.FlavorFilter{Viewer: a, IsPublic: &yes, Disabled: &no}, []string{"1", "10", "2", "3", "4", "5"}},
		{"admin none", state.FlavorFilter{Viewer: admin}, []string{"1", "10", "2", "2x", "3", "4", "5"}},
		{"admin private", state.FlavorFilter{Viewer: admin, IsPublic: &no}, []string{"10"}},
		{"minRam", state.FlavorFilter{Viewer: b, MinRAM: 4096}, []string{"3", "4", "5"}},
		{"minDisk", state.FlavorFilter{Viewer: b, MinDisk: 40, SortKey: "memory_mb", SortDir: "desc"}, []string{"5", "4", "3"}},
		{"sort name", state.FlavorFilter{Viewer: b, IsPublic: &yes, Disabled: &no, SortKey: "name"}, []string{"4", "3", "2", "1", "5"}},
		{"marker", state.FlavorFilter{Viewer: b, IsPublic: &yes, Disabled: &no, Marker: "2", Limit: 2}, []string{"3", "4"}},
		{"marker desc", state.FlavorFilter{Viewer: b, IsPublic: &yes, Disabled: &no, SortDir: "desc", Marker: "3"}, []string{"2", "1"}},
		{"name regex", state.FlavorFilter{Viewer: b, Name: "^m1\\.(tiny|small)$"}, []string{"1", "2"}},
		{"vcpus ties by id", state.FlavorFilter{Viewer: b, IsPublic: &yes, SortKey: "vcpus"}, []string{"1", "2", "2x", "3", "4", "5"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.ListFlavors(tc.f)
			require.NoError(t, err)
			assert.Equal(t, tc.want, flavorIDs(got))
		})
	}
	_, err := st.ListFlavors(state.FlavorFilter{Viewer: b, Marker: "10"})
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.ListFlavors(state.FlavorFilter{SortKey: "foo"})
	requireOnly(t, err, state.ErrInvalid)
	_, err = st.ListFlavors(state.FlavorFilter{SortDir: "up"})
	requireOnly(t, err, state.ErrInvalid)
}

func TestFlavorFor(t *testing.T) {
	st := flavorStore(t)
	_, err := st.FlavorFor("10", state.Viewer{ProjectID: projB})
	requireOnly(t, err, state.ErrNotFound)
	f, err := st.FlavorFor("10", state.Viewer{ProjectID: projA})
	require.NoError(t, err)
	assert.True(t, f.Private)
	_, err = st.FlavorFor("2x", state.Viewer{ProjectID: projB})
	require.NoError(t, err, "show includes disabled flavors")
	assert.Len(t, st.Flavors(), 7)
}
