package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/remoteconsoles"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The flow of issue 4 against the stub over loopback: gophercloud logs in
// with the demo user's password, creates a server, and the control plane
// moves the clock where a test would wait.
func TestStubPasswordFlow(t *testing.T) {
	lines, base, _ := startStub(t)
	control := controlTokenOf(t, lines)
	ctx := context.Background()
	advance := func(seconds string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+"/_novastub/clock/advance", strings.NewReader(`{"seconds": `+seconds+`}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+control)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: base + "/identity/v3",
		Username: "admin", Password: "secret", DomainName: "Default", TenantName: "demo", AllowReauth: true})
	require.NoError(t, err)
	compute, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	assert.Equal(t, base+"/v2.1/1ab83fbf1b594600bfa618dc33694dd6/", compute.Endpoint)

	created, err := servers.Create(ctx, compute, servers.CreateOpts{Name: "from-go", ImageRef: "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", FlavorRef: "1"}, nil).Extract()
	require.NoError(t, err)
	advance("6")
	got, err := servers.Get(ctx, compute, created.ID).Extract()
	require.NoError(t, err)
	require.Equal(t, "ACTIVE", got.Status)

	compute.Microversion = "2.6"
	rc, err := remoteconsoles.Create(ctx, compute, created.ID, remoteconsoles.CreateOpts{Protocol: "vnc", Type: "novnc"}).Extract()
	require.NoError(t, err)
	require.NotNil(t, rc)
	assert.True(t, strings.HasPrefix(rc.URL, base+"/vnc_auto.html?token="), rc.URL)
	page, err := http.Get(rc.URL)
	require.NoError(t, err)
	page.Body.Close()
	assert.Equal(t, http.StatusOK, page.StatusCode, "the console page opens")
	compute.Microversion = ""

	require.NoError(t, servers.Stop(ctx, compute, created.ID).ExtractErr())
	advance("2")
	got, err = servers.Get(ctx, compute, created.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "SHUTOFF", got.Status)

	before := provider.Token()
	advance("3601") // past the token's hour
	require.NoError(t, servers.Delete(ctx, compute, created.ID).ExtractErr())
	assert.NotEqual(t, before, provider.Token(), "logged in again")
	advance("1")
	_, err = servers.Get(ctx, compute, created.ID).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)
}
