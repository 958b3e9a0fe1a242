package image_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/image"
	"github.com/novastub/novastub/state"
)

// Golden tests against Glance's api-ref samples (testdata, from
// openstack/glance api-ref/source): the same keys and values for the same
// images. The samples are key-sorted and pretty-printed; the wire order is
// checked by TestShowImage.

func readSample(t *testing.T, name string) any {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	return v
}

func TestGoldenImageShow(t *testing.T) {
	srv := serve(t, newStore(t))
	want := readSample(t, "image-show-response.json").(map[string]any)
	a := do(t, srv, "GET", "/image/v2/images/"+cirros, tokenA)
	require.Equal(t, 200, a.code)
	got := a.json(t)
	// The sample's image is the list sample's first, a day apart.
	want["created_at"], want["updated_at"] = "2014-11-07T17:07:06Z", "2014-11-07T17:19:09Z"
	assert.Equal(t, want, got)
}

func TestGoldenImagesList(t *testing.T) {
	srv := serve(t, newStore(t))
	want := readSample(t, "images-list-response.json")
	a := do(t, srv, "GET", "/image/v2/images?owner=5ef70662f8b34079a6eddb8da9d75fe8", tokenA)
	require.Equal(t, 200, a.code)
	got := a.json(t)
	assert.Equal(t, "/v2/images?owner=5ef70662f8b34079a6eddb8da9d75fe8", got["first"])
	got["first"] = "/v2/images"
	assert.Equal(t, want, got)
}

func TestGoldenVersions(t *testing.T) {
	st := state.New(state.WithClock(state.NewManualClock(time.Unix(0, 0))))
	svc := image.New(st, image.WithExternalURL("http://glance.openstack.example.org"))
	srv := serveHandler(t, svc)
	sample := readSample(t, "image-versions-response.json").(map[string]any)["versions"].([]any)
	a := do(t, srv, "GET", "/versions", "")
	require.Equal(t, 200, a.code)
	got := a.json(t)["versions"].([]any)
	// The sample is a Glance with an image cache and several stores; the
	// fake is one with an image cache and one store (devstack's), which
	// lists 2.18 to 2.14, 2.9, 2.7 to 2.0: each of them as the sample
	// shows it.
	byID := map[string]any{}
	for _, v := range sample {
		byID[v.(map[string]any)["id"].(string)] = v
	}
	var ids []string
	for _, v := range got {
		id := v.(map[string]any)["id"].(string)
		ids = append(ids, id)
		assert.Equal(t, byID[id], v, id)
	}
	assert.Equal(t, []string{"v2.18", "v2.17", "v2.16", "v2.15", "v2.14", "v2.9", "v2.7", "v2.6", "v2.5",
		"v2.4", "v2.3", "v2.2", "v2.1", "v2.0"}, ids)
}
