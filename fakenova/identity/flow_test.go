package identity_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/remoteconsoles"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// The flow of issue 4 with gophercloud, logged in by password: create a
// server, wait for ACTIVE by advancing the clock, find it by name, show
// it, get its console both ways, stop it (the console still works),
// delete it; then the token expires and gophercloud logs in again; a
// member of another project cannot see the server, a reader cannot stop it.
func TestGophercloudPasswordFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.store.AddUser(state.User{Name: "rita", Password: "reads", Roles: map[string][]string{"demo": {"reader"}}})
	require.NoError(t, err)
	_, err = e.store.AddUser(state.User{Name: "oscar", Password: "other", Roles: map[string][]string{"other": {"member"}}})
	require.NoError(t, err)
	login := func(user, password, project string) *gophercloud.ProviderClient {
		t.Helper()
		provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: e.base + "/v3",
			Username: user, Password: password, DomainName: "Default", TenantName: project, AllowReauth: true})
		require.NoError(t, err)
		return provider
	}
	computeAt := func(provider *gophercloud.ProviderClient, microversion string) *gophercloud.ServiceClient {
		t.Helper()
		c, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
		require.NoError(t, err)
		c.Microversion = microversion
		return c
	}
	admin := login("admin", "secret", "demo")
	compute := computeAt(admin, "")

	// Nova checks the image and flavor a server is created from.
	image, err := e.store.AddImage(state.Image{Name: "cirros", Visibility: state.ImagePublic})
	require.NoError(t, err)
	_, err = e.store.AddFlavor(state.Flavor{ID: "1", Name: "m1.tiny", VCPUs: 1, RAM: 512, Disk: 1})
	require.NoError(t, err)
	created, err := servers.Create(ctx, compute, servers.CreateOpts{Name: "flow-1", ImageRef: image.ID, FlavorRef: "1"}, nil).Extract()
	require.NoError(t, err)
	got, err := servers.Get(ctx, compute, created.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "BUILD", got.Status)
	e.clock.Advance(6 * time.Second) // scheduling 1 s, spawning 5 s
	got, err = servers.Get(ctx, compute, created.ID).Extract()
	require.NoError(t, err)
	require.Equal(t, "ACTIVE", got.Status)

	pages, err := servers.List(compute, servers.ListOpts{Name: "flow-1"}).AllPages(ctx)
	require.NoError(t, err)
	found, err := servers.ExtractServers(pages)
	require.NoError(t, err)
	require.Len(t, found, 1)
	assert.Equal(t, created.ID, found[0].ID)

	rc, err := remoteconsoles.Create(ctx, computeAt(admin, "2.6"), created.ID,
		remoteconsoles.CreateOpts{Protocol: "vnc", Type: "novnc"}).Extract()
	require.NoError(t, err)
	require.NotNil(t, rc)
	assert.Contains(t, rc.URL, "token=")
	legacy := func() error {
		_, err := compute.Post(ctx, compute.ServiceURL("servers", created.ID, "action"),
			map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, nil,
			&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
		return err
	}
	require.NoError(t, legacy())

	require.NoError(t, servers.Stop(ctx, compute, created.ID).ExtractErr())
	e.clock.Advance(2 * time.Second)
	got, err = servers.Get(ctx, compute, created.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "SHUTOFF", got.Status)
	require.NoError(t, legacy(), "a stopped server still gives a console")

	// Another project's member: 404, as if there were no such server.
	other := computeAt(login("oscar", "other", "other"), "")
	_, err = servers.Get(ctx, other, created.ID).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)
	// A reader of the project: may look, may not stop.
	reader := computeAt(login("rita", "reads", "demo"), "")
	_, err = servers.Get(ctx, reader, created.ID).Extract()
	require.NoError(t, err)
	err = servers.Start(ctx, reader, created.ID).ExtractErr()
	require.Error(t, err)
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusForbidden), "%v", err)
	assert.Contains(t, err.Error(), "Policy doesn't allow os_compute_api:servers:start to be performed.")

	// The token expires; gophercloud logs in again and carries on.
	before := admin.Token()
	e.clock.Advance(time.Hour)
	require.NoError(t, servers.Delete(ctx, compute, created.ID).ExtractErr())
	assert.NotEqual(t, before, admin.Token(), "a new token after the old one expired")
	e.clock.Advance(time.Second)
	_, err = servers.Get(ctx, compute, created.ID).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "deleted: %v", err)
}
