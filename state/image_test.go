package state_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

const (
	img1 = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"
	img2 = "781b3762-9469-4cec-b58d-3349e5de4e9c"
	img3 = "c7b4e5a2-0f3d-4b6a-9e1c-2d3f4a5b6c7d"
	img4 = "d8c5f6b3-1a4e-4c7b-8f2d-3e4a5b6c7d8e"
	img5 = "e9d6a7c4-2b5f-4d8c-9a3e-4f5b6c7d8e9f"
)

func imageIDs(ims []state.Image) []string {
	out := []string{}
	for _, im := range ims {
		out = append(out, im.ID)
	}
	return out
}

// imageStore has a public image, projA's private one, projB's image
// shared with projA (accepted) and with projDashed (pending), projB's
// community image and projA's community image.
func imageStore(t *testing.T) *state.Store {
	t.Helper()
	st, _ := newStore(t)
	for _, im := range []state.Image{
		{ID: img1, Name: "cirros", Visibility: state.ImagePublic, Owner: projA},
		{ID: img2, Name: "mine", Visibility: state.ImagePrivate, Owner: projA},
		{ID: img3, Name: "theirs-shared", Visibility: state.ImageShared, Owner: projB,
			Members: []state.ImageMember{{ProjectID: projA}, {ProjectID: projDashed, Status: state.MemberPending}}},
		{ID: img4, Name: "theirs-community", Visibility: state.ImageCommunity, Owner: projB},
		{ID: img5, Name: "my-community", Visibility: state.ImageCommunity, Owner: projA},
	} {
		_, err := st.AddImage(im)
		require.NoError(t, err)
	}
	return st
}

func TestAddImageDefaults(t *testing.T) {
	st, _ := newStore(t)
	im, err := st.AddImage(state.Image{Name: "x"})
	require.NoError(t, err)
	assert.True(t, state.ValidUUID(im.ID))
	assert.Equal(t, state.ImageActive, im.Status)
	assert.Equal(t, state.ImageShared, im.Visibility, "Glance's default visibility")
	assert.Equal(t, t0, im.Created)
	assert.Equal(t, t0, im.Updated)
	_, err = st.AddImage(state.Image{ID: im.ID})
	requireOnly(t, err, state.ErrConflict)
}

func TestAddImageInvalid(t *testing.T) {
	st, _ := newStore(t)
	for name, tc := range map[string]struct {
		im    state.Image
		field string
	}{
		"id":          {state.Image{ID: "nope"}, "id"},
		"status":      {state.Image{Status: "ready"}, "status"},
		"visibility":  {state.Image{Visibility: "everyone"}, "visibility"},
		"owner":       {state.Image{Owner: "x"}, "owner"},
		"disk":        {state.Image{DiskFormat: "zip"}, "disk_format"},
		"container":   {state.Image{ContainerFormat: "zip"}, "container_format"},
		"min_ram":     {state.Image{MinRAM: -1}, "min_ram"},
		"reserved":    {state.Image{Properties: map[string]string{"status": "x"}}, "properties"},
		"member":      {state.Image{Members: []state.ImageMember{{ProjectID: projA, Status: "maybe"}}}, "members"},
		"empty tag":   {state.Image{Tags: []string{""}}, "tags"},
		"member proj": {state.Image{Members: []state.ImageMember{{ProjectID: "p"}}}, "members"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := st.AddImage(tc.im)
			requireOnly(t, err, state.ErrInvalid)
			var inv *state.InvalidError
			require.ErrorAs(t, err, &inv)
			assert.Equal(t, tc.field, inv.Field)
		})
	}
	assert.Empty(t, st.Images())
}

func TestImageCopiesShareNothing(t *testing.T) {
	st, _ := newStore(t)
	props := map[string]string{"os_distro": "cirros"}
	im, err := st.AddImage(state.Image{ID: img1, Tags: []string{"a"}, Properties: props})
	require.NoError(t, err)
	props["os_distro"] = "changed"
	im.Tags[0] = "changed"
	got, err := st.Image(img1)
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, got.Tags)
	assert.Equal(t, "cirros", got.Properties["os_distro"])
}

func TestListImagesVisibility(t *testing.T) {
	st := imageStore(t)
	a := state.Viewer{ProjectID: projA}
	cases := []struct {
		name string
		q    state.ImageQuery
		want []string
	}{
		{"non-admin default", state.ImageQuery{Viewer: a}, []string{img1, img2, img3, img5}},
		{"member status pending", state.ImageQuery{Viewer: state.Viewer{ProjectID: projDashed}, MemberStatus: "pending"}, []string{img1, img3}},
		{"pending member by default", state.ImageQuery{Viewer: state.Viewer{ProjectID: projDashed}}, []string{img1}},
		{"member status all", state.ImageQuery{Viewer: state.Viewer{ProjectID: projDashed}, MemberStatus: "all"}, []string{img1, img3}},
		{"community", state.ImageQuery{Viewer: a, Visibility: "community"}, []string{img4, img5}},
		{"all", state.ImageQuery{Viewer: a, Visibility: "all"}, []string{img1, img2, img3, img4, img5}},
		{"shared", state.ImageQuery{Viewer: a, Visibility: "shared"}, []string{img3}},
		{"private of B", state.ImageQuery{Viewer: state.Viewer{ProjectID: projB}, Visibility: "private"}, []string{}},
		{"admin default hides others' community", state.ImageQuery{Viewer: state.Viewer{ProjectID: projB, Admin: true}}, []string{img1, img2, img3, img4}},
		{"admin all", state.ImageQuery{Viewer: state.Viewer{ProjectID: projB, Admin: true}, Visibility: "all"}, []string{img1, img2, img3, img4, img5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, imageIDs(st.ListImages(tc.q)))
		})
	}
}

func TestImageForVisibility(t *testing.T) {
	st := imageStore(t)
	_, err := st.ImageFor(img2, state.Viewer{ProjectID: projB})
	requireOnly(t, err, state.ErrForbidden)
	_, err = st.ImageFor(img4, state.Viewer{ProjectID: projA})
	require.NoError(t, err, "community images are shown by id")
	_, err = st.ImageFor(img3, state.Viewer{ProjectID: projDashed})
	require.NoError(t, err, "a pending member sees a shared image by id")
	_, err = st.ImageFor(img2, state.Viewer{ProjectID: projB, Admin: true})
	require.NoError(t, err)
	_, err = st.ImageFor("00000000-0000-4000-8000-000000000000", state.Viewer{Admin: true})
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.AddImage(state.Image{ID: "00000000-0000-4000-8000-000000000001", Visibility: state.ImagePrivate})
	require.NoError(t, err)
	_, err = st.ImageFor("00000000-0000-4000-8000-000000000001", state.Viewer{ProjectID: projB})
	require.NoError(t, err, "an image without an owner is visible")
}
