package identity_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/catalog"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// gophercloud v2 as a user of the identity API: the catalog's endpoints
// for every service, projects, users, and a static token rescoped.

func identityClient(t *testing.T, provider *gophercloud.ProviderClient) *gophercloud.ServiceClient {
	t.Helper()
	client, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	return client
}

func TestGophercloudFindsEveryServiceInTheCatalog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	provider, err := openstack.AuthenticatedClient(ctx, adminOptions(e.base+"/v3"))
	require.NoError(t, err)
	for _, iface := range []gophercloud.Availability{gophercloud.AvailabilityPublic, gophercloud.AvailabilityInternal, gophercloud.AvailabilityAdmin} {
		eo := gophercloud.EndpointOpts{Region: "RegionOne", Availability: iface}
		image, err := openstack.NewImageV2(provider, eo)
		require.NoError(t, err)
		assert.Equal(t, e.srv.URL+"/image/", image.Endpoint)
		assert.Equal(t, e.srv.URL+"/image/v2/", image.ResourceBase)
		network, err := openstack.NewNetworkV2(provider, eo)
		require.NoError(t, err)
		assert.Equal(t, e.srv.URL+"/networking/", network.Endpoint)
		assert.Equal(t, e.srv.URL+"/networking/v2.0/", network.ResourceBase)
		identity := identityClient(t, provider)
		assert.Equal(t, e.base+"/v3/", identity.Endpoint, "the catalog's identity endpoint, versioned by gophercloud")
		compute, err := openstack.NewComputeV2(provider, eo)
		require.NoError(t, err)
		assert.Equal(t, e.srv.URL+"/v2.1/"+demoID+"/", compute.Endpoint)
	}

	// GET /v3/auth/catalog lists the same.
	pages, err := catalog.List(identityClient(t, provider)).AllPages(ctx)
	require.NoError(t, err)
	services, err := catalog.ExtractServiceCatalog(pages)
	require.NoError(t, err)
	var types []string
	for _, svc := range services {
		types = append(types, svc.Type+"/"+svc.Name)
		require.Len(t, svc.Endpoints, 3)
	}
	assert.Equal(t, []string{"identity/keystone", "compute/nova", "image/glance", "network/neutron"}, types)
}

func TestGophercloudProjectsAndUsers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin, err := openstack.AuthenticatedClient(ctx, adminOptions(e.base+"/v3"))
	require.NoError(t, err)
	client := identityClient(t, admin)

	list := func(client *gophercloud.ServiceClient, opts projects.ListOpts) []string {
		t.Helper()
		pages, err := projects.List(client, opts).AllPages(ctx)
		require.NoError(t, err)
		found, err := projects.ExtractProjects(pages)
		require.NoError(t, err)
		names := []string{}
		for _, p := range found {
			names = append(names, p.Name)
		}
		return names
	}
	assert.Equal(t, []string{"demo", "other", "users-project"}, list(client, projects.ListOpts{}))
	assert.Equal(t, []string{"demo", "other", "users-project"}, list(client, projects.ListOpts{Limit: 1}),
		"one page at a time, by the next links")
	assert.Equal(t, []string{"users-project"}, list(client, projects.ListOpts{DomainID: "Users"}))
	isDomain := true
	assert.Equal(t, []string{"Users", "Default"}, list(client, projects.ListOpts{IsDomain: &isDomain}))
	assert.Equal(t, []string{"other"}, list(client, projects.ListOpts{Filters: map[string]string{"name__istartswith": "OT"}}))

	p, err := projects.Get(ctx, client, usersID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "users-project", p.Name)
	assert.Equal(t, "Users", p.DomainID)
	assert.Equal(t, "Users", p.ParentID)
	assert.True(t, p.Enabled)
	assert.False(t, p.IsDomain)
	_, err = projects.Get(ctx, client, "nope").Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)

	u, err := users.Get(ctx, client, aliceID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "alice", u.Name)
	assert.Equal(t, "Users", u.DomainID)
	assert.True(t, u.Enabled)
	assert.True(t, u.PasswordExpiresAt.IsZero())

	// A member: its own project and user, not the list.
	alice, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: e.base + "/v3",
		UserID: aliceID, Password: "wonder", Scope: &gophercloud.AuthScope{ProjectID: demoID}})
	require.NoError(t, err)
	aliceClient := identityClient(t, alice)
	_, err = projects.List(aliceClient, projects.ListOpts{}).AllPages(ctx)
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusForbidden), "%v", err)
	pages, err := projects.ListAvailable(aliceClient).AllPages(ctx)
	require.NoError(t, err)
	available, err := projects.ExtractProjects(pages)
	require.NoError(t, err)
	require.Len(t, available, 2)
	assert.Equal(t, "demo", available[0].Name)
	pages, err = users.ListProjects(aliceClient, aliceID).AllPages(ctx)
	require.NoError(t, err)
	mine, err := projects.ExtractProjects(pages)
	require.NoError(t, err)
	assert.Len(t, mine, 2)
	_, err = users.Get(ctx, aliceClient, adminID).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusForbidden), "%v", err)
}

// A static token of the seed file, the kind the stub prints, logs
// gophercloud in: rescoped to a project by the token method, or passed
// through as it is (gophercloud then validates it, as its own user).
func TestGophercloudStaticTokenLogin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	require.NoError(t, e.store.AddToken(state.AuthToken{Token: userlessToken, ProjectID: demoID, Roles: []string{"member", "reader"}}))

	rescoped, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: e.base + "/v3",
		TokenID: userlessToken, Scope: &gophercloud.AuthScope{ProjectName: "demo", DomainName: "Default"}})
	require.NoError(t, err)
	assert.Regexp(t, tokenForm, rescoped.Token(), "a token of the identity service")
	compute, err := openstack.NewComputeV2(rescoped, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	_, err = legacyConsole(t, compute)
	require.NoError(t, err)
	image, err := openstack.NewImageV2(rescoped, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	assert.Equal(t, e.srv.URL+"/image/", image.Endpoint)

	got := tokens.Get(ctx, identityClient(t, rescoped), rescoped.Token())
	require.NoError(t, got.Err)
	user, err := got.ExtractUser()
	require.NoError(t, err)
	assert.Regexp(t, hex32, user.ID)
	roles, err := got.ExtractRoles()
	require.NoError(t, err)
	require.Len(t, roles, 2)
	assert.Equal(t, "member", roles[0].Name)

	passthrough, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: e.base + "/v3",
		TokenID: userlessToken})
	require.NoError(t, err, "the static token validates itself")
	assert.Equal(t, userlessToken, passthrough.Token())
	compute, err = openstack.NewComputeV2(passthrough, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	_, err = legacyConsole(t, compute)
	require.NoError(t, err)
	u, err := users.Get(ctx, identityClient(t, passthrough), user.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, user.ID, u.Name)
}
