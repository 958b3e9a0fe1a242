package state_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

const (
	netPrivate = "4e8e5957-649f-477b-9e5b-f1f75b21c03c"
	netPublic  = "5f9f6a68-750a-488c-8f6c-a2a86c32d14d"
	netOther   = "6a0a7b79-861b-499d-9a7d-b3b97d43e25e"
	subV4      = "7b1b8c8a-972c-4aae-8b8e-c4ca8e54f36f"
	subV6      = "8c2c9d9b-a83d-4bbf-9c9f-d5db9f65a470"
	subPub     = "9d3daeac-b94e-4cc0-8daa-e6ecaa76b581"
)

// netStore has projA's private network (10.0.0.0/26 and a SLAAC
// fd00:1::/64), an external public network of projB, and projB's own.
func netStore(t *testing.T) (*state.Store, *state.ManualClock) {
	t.Helper()
	st, clock := newStore(t)
	_, err := st.AddNetwork(state.Network{ID: netPrivate, Name: "private", ProjectID: projA})
	require.NoError(t, err)
	_, err = st.AddNetwork(state.Network{ID: netPublic, Name: "public", ProjectID: projB, External: true})
	require.NoError(t, err)
	_, err = st.AddNetwork(state.Network{ID: netOther, Name: "other", ProjectID: projB})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{ID: subV4, Name: "private-subnet", NetworkID: netPrivate, CIDR: "10.0.0.0/26"})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{ID: subV6, Name: "ipv6-private-subnet", NetworkID: netPrivate, CIDR: "fd00:1::/64",
		IPv6RAMode: state.IPv6SLAAC, IPv6AddressMode: state.IPv6SLAAC})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{ID: subPub, NetworkID: netPublic, CIDR: "172.24.4.0/24",
		AllocationPools: []state.AllocationPool{{Start: "172.24.4.2", End: "172.24.4.254"}}})
	require.NoError(t, err)
	return st, clock
}

func TestSubnetDefaults(t *testing.T) {
	st, _ := netStore(t)
	sn, err := st.Subnet(subV4)
	require.NoError(t, err)
	assert.Equal(t, 4, sn.IPVersion)
	assert.Equal(t, "10.0.0.1", sn.GatewayIP)
	assert.Equal(t, []state.AllocationPool{{Start: "10.0.0.2", End: "10.0.0.62"}}, sn.AllocationPools)
	assert.Equal(t, projA, sn.ProjectID, "the network's project")
	v6, err := st.Subnet(subV6)
	require.NoError(t, err)
	assert.Equal(t, "fd00:1::1", v6.GatewayIP)
	assert.Equal(t, []state.AllocationPool{{Start: "fd00:1::2", End: "fd00:1::ffff:ffff:ffff:ffff"}}, v6.AllocationPools)
	n, err := st.Network(netPrivate)
	require.NoError(t, err)
	assert.Equal(t, []string{subV4, subV6}, n.Subnets)
	assert.Equal(t, 3, n.RevisionNumber, "one per subnet")
	assert.Equal(t, 1500, n.MTU)
	assert.Equal(t, "ACTIVE", n.Status)

	mid, err := st.AddSubnet(state.Subnet{NetworkID: netOther, CIDR: "192.168.0.0/29", GatewayIP: "192.168.0.4"})
	require.NoError(t, err)
	assert.Equal(t, []state.AllocationPool{{Start: "192.168.0.1", End: "192.168.0.3"}, {Start: "192.168.0.5", End: "192.168.0.6"}}, mid.AllocationPools)
	none, err := st.AddSubnet(state.Subnet{NetworkID: netOther, CIDR: "192.168.1.0/30", NoGateway: true})
	require.NoError(t, err)
	assert.Equal(t, "", none.GatewayIP)
	assert.Equal(t, []state.AllocationPool{{Start: "192.168.1.1", End: "192.168.1.2"}}, none.AllocationPools)
}

func TestAddSubnetInvalid(t *testing.T) {
	st, _ := netStore(t)
	for name, sn := range map[string]state.Subnet{
		"not canonical":   {NetworkID: netOther, CIDR: "10.1.0.5/24"},
		"not a cidr":      {NetworkID: netOther, CIDR: "ten"},
		"overlap":         {NetworkID: netPrivate, CIDR: "10.0.0.32/27"},
		"gateway outside": {NetworkID: netOther, CIDR: "10.2.0.0/24", GatewayIP: "10.3.0.1"},
		"gateway in pool": {NetworkID: netOther, CIDR: "10.2.0.0/24", AllocationPools: []state.AllocationPool{{Start: "10.2.0.1", End: "10.2.0.9"}}},
		"pool outside":    {NetworkID: netOther, CIDR: "10.2.0.0/24", AllocationPools: []state.AllocationPool{{Start: "10.2.0.2", End: "10.2.1.9"}}},
		"pools overlap": {NetworkID: netOther, CIDR: "10.2.0.0/24", AllocationPools: []state.AllocationPool{
			{Start: "10.2.0.2", End: "10.2.0.9"}, {Start: "10.2.0.9", End: "10.2.0.20"}}},
		"slaac not /64":  {NetworkID: netOther, CIDR: "fd00:2::/80", IPv6AddressMode: state.IPv6SLAAC},
		"v6 mode on v4":  {NetworkID: netOther, CIDR: "10.2.0.0/24", IPv6RAMode: state.IPv6SLAAC},
		"ip version":     {NetworkID: netOther, CIDR: "10.2.0.0/24", IPVersion: 6},
		"mode mismatch":  {NetworkID: netOther, CIDR: "fd00:3::/64", IPv6RAMode: state.IPv6SLAAC, IPv6AddressMode: state.IPv6DHCPv6Stateful},
		"bad nameserver": {NetworkID: netOther, CIDR: "10.2.0.0/24", DNSNameservers: []string{"dns"}},
		"bad host route": {NetworkID: netOther, CIDR: "10.2.0.0/24", HostRoutes: []state.HostRoute{{Destination: "x", NextHop: "10.2.0.1"}}},
		"unknown mode":   {NetworkID: netOther, CIDR: "fd00:3::/64", IPv6AddressMode: "magic"},
		"bad project":    {NetworkID: netOther, CIDR: "10.2.0.0/24", ProjectID: "p"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := st.AddSubnet(sn)
			requireOnly(t, err, state.ErrInvalid)
		})
	}
	_, err := st.AddSubnet(state.Subnet{NetworkID: "00000000-0000-4000-8000-000000000000", CIDR: "10.9.0.0/24"})
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.AddSubnet(state.Subnet{ID: subV4, NetworkID: netOther, CIDR: "10.9.0.0/24"})
	requireOnly(t, err, state.ErrConflict)
}

func TestNetworkVisibility(t *testing.T) {
	st, _ := netStore(t)
	names := func(ns []state.Network) []string {
		out := []string{}
		for _, n := range ns {
			out = append(out, n.Name)
		}
		return out
	}
	assert.Equal(t, []string{"private", "public"}, names(st.ListNetworks(state.Viewer{ProjectID: projA})))
	assert.Equal(t, []string{"public", "other"}, names(st.ListNetworks(state.Viewer{ProjectID: projB})))
	assert.Equal(t, []string{"private", "public", "other"}, names(st.Networks()))
	_, err := st.NetworkFor(netOther, state.Viewer{ProjectID: projA})
	requireOnly(t, err, state.ErrNotFound)
	_, err = st.NetworkFor(netPublic, state.Viewer{ProjectID: projA})
	require.NoError(t, err)
	_, err = st.SubnetFor(subPub, state.Viewer{ProjectID: projA})
	requireOnly(t, err, state.ErrNotFound)
	assert.Len(t, st.ListSubnets(state.Viewer{ProjectID: projA}), 2, "not the external network's subnet")
	assert.Equal(t, []string{"private"}, names(st.AvailableNetworks(projA)))
}

func TestAddPortAllocates(t *testing.T) {
	st, _ := netStore(t)
	p1, err := st.AddPort(state.Port{NetworkID: netPrivate, MACAddress: "FA:16:3E:00:00:01"})
	require.NoError(t, err)
	assert.Equal(t, "fa:16:3e:00:00:01", p1.MACAddress)
	assert.Equal(t, []state.FixedIP{{SubnetID: subV4, IPAddress: "10.0.0.2"}, {SubnetID: subV6, IPAddress: "fd00:1::f816:3eff:fe00:1"}}, p1.FixedIPs)
	assert.Equal(t, projA, p1.ProjectID)
	assert.Equal(t, state.PortDown, p1.Status)
	p2, err := st.AddPort(state.Port{NetworkID: netPrivate})
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.3", p2.FixedIPs[0].IPAddress)
	assert.Regexp(t, `^fa:16:3e(:[0-9a-f]{2}){3}$`, p2.MACAddress)
	require.NoError(t, st.RemovePort(p1.ID))
	p3, err := st.AddPort(state.Port{NetworkID: netPrivate})
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.4", p3.FixedIPs[0].IPAddress, "a released address is not reused at once")

	_, err = st.AddPort(state.Port{NetworkID: netPrivate, FixedIPs: []state.FixedIP{{IPAddress: "10.0.0.3"}}})
	requireOnly(t, err, state.ErrInUse)
	_, err = st.AddPort(state.Port{NetworkID: netPrivate, FixedIPs: []state.FixedIP{{IPAddress: "10.0.0.1"}}})
	requireOnly(t, err, state.ErrInUse)
	_, err = st.AddPort(state.Port{NetworkID: netPrivate, FixedIPs: []state.FixedIP{{IPAddress: "10.0.1.1"}}})
	requireOnly(t, err, state.ErrInvalid)
	_, err = st.AddPort(state.Port{NetworkID: netPrivate, FixedIPs: []state.FixedIP{{IPAddress: "10.0.0.63"}}})
	requireOnly(t, err, state.ErrInvalid)
	_, err = st.AddPort(state.Port{NetworkID: netPrivate, MACAddress: p2.MACAddress})
	requireOnly(t, err, state.ErrInUse)
	_, err = st.AddPort(state.Port{NetworkID: netPrivate, FixedIPs: []state.FixedIP{{SubnetID: subPub}}})
	requireOnly(t, err, state.ErrNotFound)
	fixed, err := st.AddPort(state.Port{NetworkID: netPrivate, FixedIPs: []state.FixedIP{{IPAddress: "10.0.0.2"}, {SubnetID: subV6}}})
	require.NoError(t, err, "the released address can be asked for")
	assert.Equal(t, "10.0.0.2", fixed.FixedIPs[0].IPAddress)
	assert.Equal(t, subV4, fixed.FixedIPs[0].SubnetID)
}

func TestPoolExhaustion(t *testing.T) {
	st, _ := newStore(t)
	n, err := st.AddNetwork(state.Network{Name: "tiny", ProjectID: projA})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: n.ID, CIDR: "10.5.0.0/29"}) // .2 to .6
	require.NoError(t, err)
	var got []string
	for i := 0; i < 5; i++ {
		p, err := st.AddPort(state.Port{NetworkID: n.ID})
		require.NoError(t, err)
		got = append(got, p.FixedIPs[0].IPAddress)
	}
	assert.Equal(t, []string{"10.5.0.2", "10.5.0.3", "10.5.0.4", "10.5.0.5", "10.5.0.6"}, got)
	_, err = st.AddPort(state.Port{NetworkID: n.ID})
	requireOnly(t, err, state.ErrExhausted)
	var ex *state.ExhaustedError
	require.ErrorAs(t, err, &ex)
	assert.Equal(t, n.ID, ex.NetworkID)
	assert.Len(t, st.Ports(), 5, "a failed port leaves nothing behind")
}

func TestServerPortsLifecycle(t *testing.T) {
	st, clock := netStore(t)
	given, err := st.AddPort(state.Port{NetworkID: netPrivate, Name: "mine"})
	require.NoError(t, err)
	srv, err := st.CreateServer(state.ServerRequest{Name: "vm", ProjectID: projA, Networks: []state.NetworkRequest{
		{NetworkID: netPrivate, FixedIP: "10.0.0.40"}, {PortID: given.ID}}})
	require.NoError(t, err)
	ports := st.ServerPorts(srv.ID)
	require.Len(t, ports, 2)
	assert.Equal(t, "10.0.0.40", ports[0].FixedIPs[0].IPAddress)
	assert.Equal(t, state.DeviceOwnerCompute, ports[0].DeviceOwner)
	assert.Equal(t, state.PortActive, ports[0].Status)
	assert.Equal(t, given.ID, ports[1].ID)
	assert.True(t, ports[1].PreserveOnDelete)

	_, err = st.StartAction(srv.ID, state.ActionDelete)
	require.NoError(t, err)
	clock.Advance(time.Minute)
	_, err = st.Server(srv.ID)
	requireOnly(t, err, state.ErrNotFound)
	assert.Empty(t, st.ServerPorts(srv.ID))
	kept, err := st.Port(given.ID)
	require.NoError(t, err, "a port given to the server stays")
	assert.Equal(t, "", kept.DeviceID)
	assert.Equal(t, state.PortDown, kept.Status)
	assert.Len(t, st.Ports(), 1, "the port made for the server went with it")

	again, err := st.AddPort(state.Port{NetworkID: netPrivate, FixedIPs: []state.FixedIP{{IPAddress: "10.0.0.40"}}})
	require.NoError(t, err, "its address is free again")
	assert.Equal(t, "10.0.0.40", again.FixedIPs[0].IPAddress)
}

func TestRemoveServerReleasesPorts(t *testing.T) {
	st, _ := netStore(t)
	srv := addServer(t, st, state.Server{ID: srv1, Name: "vm1", ProjectID: projA, Host: "compute-1"})
	ports, err := st.AllocatePorts(srv.ID, state.Viewer{ProjectID: projA}, []state.NetworkRequest{{NetworkID: netPrivate}})
	require.NoError(t, err)
	require.Len(t, ports, 1)
	_, err = st.UpdateServer(srv.ID, func(s *state.Server) { s.Name = "renamed" })
	require.NoError(t, err)
	assert.Len(t, st.ServerPorts(srv.ID), 1, "a rename keeps the ports")
	require.NoError(t, st.RemoveServer(srv.ID))
	assert.Empty(t, st.Ports())
}

func TestNetworkRequestErrors(t *testing.T) {
	st, _ := netStore(t)
	bound, err := st.AddPort(state.Port{NetworkID: netPrivate, DeviceID: srv2})
	require.NoError(t, err)
	empty, err := st.AddNetwork(state.Network{Name: "empty", ProjectID: projA})
	require.NoError(t, err)
	a := state.Viewer{ProjectID: projA}
	for name, tc := range map[string]struct {
		v    state.Viewer
		reqs []state.NetworkRequest
		want error
	}{
		"unknown network":   {a, []state.NetworkRequest{{NetworkID: "00000000-0000-4000-8000-000000000000"}}, state.ErrNotFound},
		"invisible network": {a, []state.NetworkRequest{{NetworkID: netOther}}, state.ErrNotFound},
		"external":          {a, []state.NetworkRequest{{NetworkID: netPublic}}, state.ErrForbidden},
		"no subnet":         {a, []state.NetworkRequest{{NetworkID: empty.ID}}, state.ErrInvalid},
		"ip taken":          {a, []state.NetworkRequest{{NetworkID: netPrivate, FixedIP: bound.FixedIPs[0].IPAddress}}, state.ErrInUse},
		"ip elsewhere":      {a, []state.NetworkRequest{{NetworkID: netPrivate, FixedIP: "192.168.9.9"}}, state.ErrInvalid},
		"port bound":        {a, []state.NetworkRequest{{PortID: bound.ID}}, state.ErrInUse},
		"unknown port":      {a, []state.NetworkRequest{{PortID: "00000000-0000-4000-8000-000000000000"}}, state.ErrNotFound},
	} {
		t.Run(name, func(t *testing.T) {
			requireOnly(t, st.CheckNetworkRequests(tc.v, tc.reqs), tc.want)
			_, err := st.CreateServer(state.ServerRequest{Name: "x", ProjectID: projA, Networks: tc.reqs})
			requireOnly(t, err, tc.want)
		})
	}
	var inUse *state.InUseError
	require.ErrorAs(t, st.CheckNetworkRequests(a, []state.NetworkRequest{{NetworkID: netPrivate, FixedIP: bound.FixedIPs[0].IPAddress}}), &inUse)
	assert.Equal(t, srv2, inUse.DeviceID)
	require.NoError(t, st.CheckNetworkRequests(state.Viewer{ProjectID: projA, Admin: true}, []state.NetworkRequest{{NetworkID: netPublic}}))
	servers, _ := st.ListServers(state.ServerFilter{})
	assert.Empty(t, servers, "a refused create makes no server")
	assert.Len(t, st.Ports(), 1, "nor ports")
}

func TestPortsConcurrent(t *testing.T) {
	st, _ := newStore(t)
	n, err := st.AddNetwork(state.Network{Name: "big", ProjectID: projA})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: n.ID, CIDR: "10.8.0.0/22"})
	require.NoError(t, err)
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				p, err := st.AddPort(state.Port{NetworkID: n.ID})
				if err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					_ = st.RemovePort(p.ID)
				}
				_ = st.ListPorts(state.Viewer{ProjectID: projA})
			}
		}()
	}
	wg.Wait()
	ports := st.Ports()
	assert.Len(t, ports, workers*each/2)
	seen := map[string]bool{}
	for _, p := range ports {
		ip := p.FixedIPs[0].IPAddress
		assert.False(t, seen[ip], "address %s given twice", ip)
		seen[ip] = true
	}
}
