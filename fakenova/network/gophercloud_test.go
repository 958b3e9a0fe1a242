package network_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func networkClient(t *testing.T, base, token string) *gophercloud.ServiceClient {
	t.Helper()
	pc := &gophercloud.ProviderClient{TokenID: token, HTTPClient: *http.DefaultClient,
		EndpointLocator: func(gophercloud.EndpointOpts) (string, error) { return base + "/networking/", nil }}
	client, err := openstack.NewNetworkV2(pc, gophercloud.EndpointOpts{})
	require.NoError(t, err)
	return client
}

func TestGophercloudNetworks(t *testing.T) {
	srv := serve(t, newStore(t))
	client := networkClient(t, srv.URL, tokenAdmin)
	ctx := context.Background()

	// One network a page: gophercloud follows networks_links' next.
	var got []string
	err := networks.List(client, networks.ListOpts{Limit: 1, SortKey: "name", SortDir: "asc"}).EachPage(ctx,
		func(_ context.Context, p pagination.Page) (bool, error) {
			ns, err := networks.ExtractNetworks(p)
			for _, n := range ns {
				got = append(got, n.Name)
			}
			return true, err
		})
	require.NoError(t, err)
	assert.Equal(t, []string{"other", "private", "public"}, got)

	all, err := networks.List(client, networks.ListOpts{Name: "private"}).AllPages(ctx)
	require.NoError(t, err)
	ns, err := networks.ExtractNetworks(all)
	require.NoError(t, err)
	require.Len(t, ns, 1)
	n := ns[0]
	assert.Equal(t, netPrivate, n.ID)
	assert.Equal(t, []string{subV4, subV6}, n.Subnets)
	assert.True(t, n.AdminStateUp)
	assert.Equal(t, projA, n.ProjectID)
	assert.Equal(t, 3, n.RevisionNumber)

	one, err := networks.Get(ctx, client, netPublic).Extract()
	require.NoError(t, err)
	assert.Equal(t, "public", one.Name)
	_, err = networks.Get(ctx, networkClient(t, srv.URL, tokenA), netOther).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)
}

func TestGophercloudSubnetsAndPorts(t *testing.T) {
	srv := serve(t, newStore(t))
	client := networkClient(t, srv.URL, tokenA)
	ctx := context.Background()

	all, err := subnets.List(client, subnets.ListOpts{NetworkID: netPrivate, IPVersion: 4}).AllPages(ctx)
	require.NoError(t, err)
	sns, err := subnets.ExtractSubnets(all)
	require.NoError(t, err)
	require.Len(t, sns, 1)
	assert.Equal(t, "10.0.0.0/26", sns[0].CIDR)
	assert.Equal(t, "10.0.0.1", sns[0].GatewayIP)
	assert.Equal(t, []subnets.AllocationPool{{Start: "10.0.0.2", End: "10.0.0.62"}}, sns[0].AllocationPools)
	assert.True(t, sns[0].EnableDHCP)
	v6, err := subnets.Get(ctx, client, subV6).Extract()
	require.NoError(t, err)
	assert.Equal(t, "slaac", v6.IPv6AddressMode)

	all, err = ports.List(client, ports.ListOpts{DeviceID: server1}).AllPages(ctx)
	require.NoError(t, err)
	ps, err := ports.ExtractPorts(all)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	p := ps[0]
	assert.Equal(t, netPrivate, p.NetworkID)
	assert.Equal(t, "compute:nova", p.DeviceOwner)
	assert.Equal(t, "10.0.0.2", p.FixedIPs[0].IPAddress)
	assert.Equal(t, subV4, p.FixedIPs[0].SubnetID)
	assert.Regexp(t, `^fa:16:3e(:[0-9a-f]{2}){3}$`, p.MACAddress)

	all, err = ports.List(client, ports.ListOpts{FixedIPs: []ports.FixedIPOpts{{IPAddress: "10.0.0.2"}}}).AllPages(ctx)
	require.NoError(t, err)
	ps, err = ports.ExtractPorts(all)
	require.NoError(t, err)
	assert.Len(t, ps, 1)
	got, err := ports.Get(ctx, client, p.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, p.MACAddress, got.MACAddress)
}
