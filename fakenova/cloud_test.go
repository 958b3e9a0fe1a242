package fakenova_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/remoteconsoles"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// Start serves the whole cloud, as the stub binary does: a client that
// logs in by password at the identity service finds the compute API in the
// catalog, and the journal has both services' calls.
func TestStartPasswordFlowGophercloud(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	ctx := context.Background()

	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: ts.IdentityURL,
		Username:         ts.Username, Password: ts.Password,
		DomainName: "Default", TenantName: "test",
	})
	require.NoError(t, err)
	compute, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	assert.Equal(t, ts.ComputeURL, compute.Endpoint, "the catalog's compute endpoint")

	got, err := servers.Get(ctx, compute, srv.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "web-1", got.Name)
	assert.Equal(t, "ACTIVE", got.Status)

	compute.Microversion = "2.6"
	console, err := remoteconsoles.Create(ctx, compute, srv.ID,
		remoteconsoles.CreateOpts{Protocol: "vnc", Type: "novnc"}).Extract()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(console.URL, "http://127.0.0.1:6080/vnc_auto.html?token="), console.URL)

	ts.AssertCalled("createToken", 1)
	ts.AssertCalled("showServer", 1)
	ts.AssertCalled("createConsole", 1)
	e, ok := ts.Journal().Last("createToken")
	require.True(t, ok)
	assert.Equal(t, http.StatusCreated, e.Status)
	assert.NotContains(t, e.Body, ts.Password, "the journal redacts the password")
}

// The catalog names the image and network services of the cloud, and they
// answer with the store's images and networks, under one journal.
func TestStartServesImageAndNetwork(t *testing.T) {
	ts := fakenova.Start(t) // with its image "cirros" and network "private"
	ctx := context.Background()

	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: ts.IdentityURL, Username: ts.Username, Password: ts.Password,
		DomainName: "Default", TenantName: "test",
	})
	require.NoError(t, err)
	imageClient, err := openstack.NewImageV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	assert.Equal(t, ts.URL+"/image/v2/", imageClient.ResourceBaseURL())
	page, err := images.List(imageClient, images.ListOpts{}).AllPages(ctx)
	require.NoError(t, err)
	imgs, err := images.ExtractImages(page)
	require.NoError(t, err)
	require.Len(t, imgs, 1)
	assert.Equal(t, "cirros", imgs[0].Name)
	assert.Equal(t, fakenova.TestImageID, imgs[0].ID)

	networkClient, err := openstack.NewNetworkV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	page, err = networks.List(networkClient, networks.ListOpts{}).AllPages(ctx)
	require.NoError(t, err)
	nets, err := networks.ExtractNetworks(page)
	require.NoError(t, err)
	require.Len(t, nets, 1)
	assert.Equal(t, "private", nets[0].Name)
	assert.Equal(t, fakenova.TestNetworkID, nets[0].ID)

	ts.AssertCalled("listImages", 1)
	ts.AssertCalled("listNetworks", 1)
}

// With WithConsolesServedHere the console URLs lead to the fake itself,
// whose page shows the server.
func TestConsolesServedHere(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithConsolesServedHere())
	srv := ts.AddServer("web-1")
	ex := send(t, ts.URL, http.MethodPost, "/v2.1/servers/"+srv.ID+"/action", apiHeader(ts.Token, ""),
		`{"os-getVNCConsole": {"type": "novnc"}}`)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	url := ex.decoded["console"]["url"].(string)
	require.True(t, strings.HasPrefix(url, ts.URL+"/vnc_auto.html?token="), url)
	page := send(t, url, http.MethodGet, "", nil, "")
	require.Equal(t, http.StatusOK, page.status)
	assert.Contains(t, page.body, "web-1")
}
