package image_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// imageClient is a gophercloud image client of the service under /image.
func imageClient(t *testing.T, base, token string) *gophercloud.ServiceClient {
	t.Helper()
	pc := &gophercloud.ProviderClient{TokenID: token, HTTPClient: *http.DefaultClient,
		EndpointLocator: func(gophercloud.EndpointOpts) (string, error) { return base + "/image/", nil }}
	client, err := openstack.NewImageV2(pc, gophercloud.EndpointOpts{})
	require.NoError(t, err)
	return client
}

func TestGophercloudImages(t *testing.T) {
	srv := serve(t, newStore(t))
	client := imageClient(t, srv.URL, tokenA)
	ctx := context.Background()

	// Every page, one image a page: gophercloud follows Glance's next.
	pages := 0
	var got []images.Image
	err := images.List(client, images.ListOpts{Limit: 1}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		pages++
		ims, err := images.ExtractImages(p)
		got = append(got, ims...)
		return true, err
	})
	require.NoError(t, err)
	assert.Equal(t, 4, pages, "four full pages (the fifth, empty, ends the walk)")
	require.Len(t, got, 4)
	assert.Equal(t, []string{shared, private, cirros, fedora}, []string{got[0].ID, got[1].ID, got[2].ID, got[3].ID})

	all, err := images.List(client, images.ListOpts{Name: "mine"}).AllPages(ctx)
	require.NoError(t, err)
	ims, err := images.ExtractImages(all)
	require.NoError(t, err)
	require.Len(t, ims, 1)
	im := ims[0]
	assert.Equal(t, "mine", im.Name)
	assert.Equal(t, images.ImageStatusActive, im.Status)
	assert.Equal(t, images.ImageVisibilityPrivate, im.Visibility)
	assert.Equal(t, int64(1024), im.SizeBytes)
	assert.Equal(t, []string{"a", "b"}, im.Tags)
	assert.Equal(t, "ubuntu", im.Properties["os_distro"])
	assert.Equal(t, projA, im.Owner)

	one, err := images.Get(ctx, client, cirros).Extract()
	require.NoError(t, err)
	assert.Equal(t, "cirros-0.3.2-x86_64-disk", one.Name)
	assert.Equal(t, "qcow2", one.DiskFormat)
	assert.Equal(t, "/v2/images/"+cirros+"/file", one.File)

	_, err = images.Get(ctx, client, "00000000-0000-4000-8000-000000000000").Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)
	_, err = images.Get(ctx, imageClient(t, srv.URL, "wrong"), cirros).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusUnauthorized), "%v", err)
}
