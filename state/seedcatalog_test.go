package state_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// catalogSeed has every catalog section.
const catalogSeed = `{
  "projects": [{"id": "1ab83fbf1b594600bfa618dc33694dd6", "name": "demo"},
               {"id": "2bc94a0a2c6a4711a0b729ed44705ee7", "name": "admin"}],
  "hosts": [{"name": "compute-1"}],
  "console_protocols": ["vnc", "spice", "serial", "mks"],
  "tokens": [], "users": [],
  "images": [{"id": "1bea47ed-f6a9-463b-b423-14b9cca9ad27", "name": "cirros-0.6.3-x86_64-disk",
              "visibility": "public", "disk_format": "qcow2", "container_format": "bare",
              "size": 21692416, "checksum": "87617e24a5e4b2a2b3b0d8e1f3c4d5e6",
              "tags": ["cirros"], "properties": {"os_distro": "cirros"},
              "created_at": "2026-01-01T00:00:00Z"}],
  "flavors": [{"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1},
              {"id": "42", "name": "secret", "vcpus": 1, "ram": 64, "disk": 0, "is_public": false,
               "projects": ["1ab83fbf1b594600bfa618dc33694dd6"], "extra_specs": {"hw:cpu_policy": "shared"}}],
  "networks": [{"id": "4e8e5957-649f-477b-9e5b-f1f75b21c03c", "name": "private",
                "project_id": "1ab83fbf1b594600bfa618dc33694dd6",
                "subnets": [{"id": "7b1b8c8a-972c-4aae-8b8e-c4ca8e54f36f", "name": "private-subnet", "cidr": "10.0.0.0/26"},
                            {"name": "ipv6-private-subnet", "cidr": "fd00:1::/64",
                             "ipv6_ra_mode": "slaac", "ipv6_address_mode": "slaac"}]},
               {"name": "public", "project_id": "2bc94a0a2c6a4711a0b729ed44705ee7", "router:external": true,
                "subnets": [{"cidr": "172.24.4.0/24", "gateway_ip": null, "enable_dhcp": false}]}],
  "servers": [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "name": "vm1",
               "project_id": "1ab83fbf1b594600bfa618dc33694dd6",
               "image_id": "1bea47ed-f6a9-463b-b423-14b9cca9ad27", "flavor_id": "1"}],
  "ports": [{"network_id": "private", "device_id": "365313c5-5d0c-4c43-af05-16f765c0f2bc",
             "fixed_ips": [{"subnet_id": "private-subnet", "ip_address": "10.0.0.10"}]},
            {"network_id": "private", "device_id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "preserve_on_delete": true}]
}`

func TestLoadCatalogSeed(t *testing.T) {
	seed, err := state.ParseSeed([]byte(catalogSeed))
	require.NoError(t, err)
	st, _ := newStore(t)
	require.NoError(t, st.Load(seed))

	assert.Equal(t, []state.Protocol{state.ProtocolVNC, state.ProtocolSPICE, state.ProtocolSerial, state.ProtocolMKS}, st.Protocols())
	im, err := st.Image("1bea47ed-f6a9-463b-b423-14b9cca9ad27")
	require.NoError(t, err)
	assert.Equal(t, state.ImagePublic, im.Visibility)
	assert.Equal(t, int64(21692416), im.Size)
	assert.Equal(t, "cirros", im.Properties["os_distro"])
	assert.Equal(t, "2026-01-01T00:00:00Z", im.Created.Format("2006-01-02T15:04:05Z07:00"))

	f, err := st.Flavor("42")
	require.NoError(t, err)
	assert.True(t, f.Private)
	assert.Equal(t, 2, f.InternalID)
	assert.Equal(t, "shared", f.ExtraSpecs["hw:cpu_policy"])

	nets := st.Networks()
	require.Len(t, nets, 2)
	assert.Len(t, nets[0].Subnets, 2)
	assert.True(t, nets[1].External)
	pub, err := st.Subnet(nets[1].Subnets[0])
	require.NoError(t, err)
	assert.True(t, pub.NoGateway)
	assert.True(t, pub.DHCPDisabled)
	assert.Equal(t, []state.AllocationPool{{Start: "172.24.4.1", End: "172.24.4.254"}}, pub.AllocationPools)

	srv, err := st.Server("365313c5-5d0c-4c43-af05-16f765c0f2bc")
	require.NoError(t, err)
	assert.Equal(t, "1", srv.FlavorID)
	ports := st.ServerPorts(srv.ID)
	require.Len(t, ports, 2)
	assert.Equal(t, "10.0.0.10", ports[0].FixedIPs[0].IPAddress)
	assert.Equal(t, projA, ports[0].ProjectID, "the server's project")
	assert.Equal(t, state.DeviceOwnerCompute, ports[0].DeviceOwner)
	assert.Equal(t, "10.0.0.2", ports[1].FixedIPs[0].IPAddress)
	assert.Len(t, ports[1].FixedIPs, 2, "and a SLAAC address")
}

func TestCatalogSnapshotRoundTrip(t *testing.T) {
	seed, err := state.ParseSeed([]byte(catalogSeed))
	require.NoError(t, err)
	st, _ := newStore(t)
	require.NoError(t, st.Load(seed))
	_, err = st.AddPort(state.Port{NetworkID: st.Networks()[0].ID, Name: "spare"})
	require.NoError(t, err)
	snap := st.Snapshot()
	data, err := json.Marshal(snap)
	require.NoError(t, err)
	parsed, err := state.ParseSeed(data)
	require.NoError(t, err, "a snapshot is a seed file: %s", data)

	again, _ := newStore(t)
	require.NoError(t, again.Load(parsed))
	assert.Equal(t, st.Images(), again.Images())
	assert.Equal(t, st.Networks(), again.Networks())
	assert.Equal(t, st.Subnets(), again.Subnets())
	assert.Equal(t, st.Ports(), again.Ports())
	assert.Equal(t, st.Protocols(), again.Protocols())
	fl, fl2 := st.Flavors(), again.Flavors()
	require.Len(t, fl2, len(fl))
	for i := range fl {
		fl[i].Created, fl[i].Updated, fl2[i].Created, fl2[i].Updated = t0, t0, t0, t0
	}
	assert.Equal(t, fl, fl2)
	assert.Equal(t, snap, again.Snapshot())
}

func TestConsoleProtocolsDefault(t *testing.T) {
	st, _ := newStore(t, state.WithProtocols(state.ProtocolSerial))
	require.NoError(t, st.Load(&state.Seed{ConsoleProtocols: &[]string{"vnc", "mks"}}))
	assert.Equal(t, []state.Protocol{state.ProtocolVNC, state.ProtocolMKS}, st.Protocols())
	require.NoError(t, st.Load(&state.Seed{}))
	assert.Equal(t, []state.Protocol{state.ProtocolSerial}, st.Protocols(), "left out: the store's own")
	assert.Equal(t, []string{"serial"}, *st.Snapshot().ConsoleProtocols)
	require.NoError(t, st.SetProtocols())
	assert.Empty(t, st.Protocols())
	requireOnly(t, st.SetProtocols("telnet"), state.ErrInvalid)
}

func TestCatalogSeedErrors(t *testing.T) {
	base := `"projects": [{"id": "1ab83fbf1b594600bfa618dc33694dd6", "name": "demo"}]`
	net := `"networks": [{"name": "private", "project_id": "1ab83fbf1b594600bfa618dc33694dd6",
	                     "subnets": [{"name": "s", "cidr": "10.0.0.0/29"}]}]`
	cases := []struct {
		name, seed, field, reason string
		parse                     bool
	}{
		{"unknown image field", `{"images": [{"name": "x", "visibilty": "public"}]}`, "images[0].visibilty", "unknown field", true},
		{"unknown subnet field", `{"networks": [{"name": "n", "project_id": "x", "subnets": [{"cidr": "10.0.0.0/24", "gw": "x"}]}]}`,
			"networks[0].subnets[0].gw", "unknown field", true},
		{"flavor ram type", `{"flavors": [{"id": "1", "name": "x", "vcpus": 1, "ram": "big", "disk": 1}]}`, "flavors[0].ram", "expected an integer", true},
		{"is_public type", `{"flavors": [{"id": "1", "name": "x", "vcpus": 1, "ram": 1, "disk": 1, "is_public": "no"}]}`, "flavors[0].is_public", "expected a boolean", true},
		{"console protocols type", `{"console_protocols": "vnc"}`, "console_protocols", "expected an array", true},
		{"bad protocol", `{"console_protocols": ["vnc", "telnet"]}`, "console_protocols[1]", `"telnet" is not`, false},
		{"bad visibility", `{"images": [{"name": "x", "visibility": "everyone"}]}`, "images[0].visibility", "is not public", false},
		{"flavor id", `{"flavors": [{"name": "x", "vcpus": 1, "ram": 1, "disk": 1}]}`, "flavors[0].id", "required", false},
		{"flavor vcpus", `{"flavors": [{"id": "1", "name": "x", "ram": 1, "disk": 1}]}`, "flavors[0].vcpus", "at least 1", false},
		{"network project", `{"networks": [{"name": "n"}]}`, "networks[0].project_id", "required", false},
		{"subnet cidr", `{` + base + `, "networks": [{"name": "n", "project_id": "1ab83fbf1b594600bfa618dc33694dd6", "subnets": [{"cidr": "10.0.0.1/24"}]}]}`,
			"networks[0].subnets[0].cidr", "isn't a recommended CIDR", false},
		{"gateway type", `{` + base + `, "networks": [{"name": "n", "project_id": "1ab83fbf1b594600bfa618dc33694dd6", "subnets": [{"cidr": "10.0.0.0/24", "gateway_ip": 5}]}]}`,
			"networks[0].subnets[0].gateway_ip", "a string or null", false},
		{"port network", `{` + base + `, ` + net + `, "ports": [{"network_id": "public"}]}`, "ports[0].network_id", `no network "public"`, false},
		{"port subnet", `{` + base + `, ` + net + `, "ports": [{"network_id": "private", "fixed_ips": [{"subnet_id": "t", "ip_address": "10.0.0.2"}]}]}`,
			"ports[0].fixed_ips[0].subnet_id", `no subnet "t"`, false},
		{"port ip taken", `{` + base + `, ` + net + `, "ports": [{"network_id": "private", "fixed_ips": [{"ip_address": "10.0.0.2"}]},
		                                                    {"network_id": "private", "fixed_ips": [{"ip_address": "10.0.0.2"}]}]}`,
			"ports[1].fixed_ips", "already used", false},
		{"port ip outside", `{` + base + `, ` + net + `, "ports": [{"network_id": "private", "fixed_ips": [{"ip_address": "10.9.0.2"}]}]}`,
			"ports[0].fixed_ips", "not a valid IP", false},
		{"pool full", `{` + base + `, ` + net + `, "ports": [{"network_id": "private"}, {"network_id": "private"}, {"network_id": "private"},
		   {"network_id": "private"}, {"network_id": "private"}, {"network_id": "private"}]}`, "ports[5]", "no more IP addresses", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed, err := state.ParseSeed([]byte(tc.seed))
			if !tc.parse {
				require.NoError(t, err)
				st, _ := newStore(t)
				before := st.Snapshot()
				err = st.Load(seed)
				assert.Equal(t, before, st.Snapshot(), "a failed Load changes nothing")
			}
			require.ErrorIs(t, err, state.ErrInvalid)
			var inv *state.InvalidError
			require.ErrorAs(t, err, &inv)
			assert.Equal(t, tc.field, inv.Field)
			assert.Contains(t, inv.Reason, tc.reason)
		})
	}
}
