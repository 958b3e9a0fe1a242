package fakenova_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// The server of Nova's servers api-samples: new-server-test on the
// image 70a599e0-..., a port with 192.168.1.30 on "private".
const (
	sampleServer = "0e44cc9c-e052-415d-afbf-469b0d384170"
	sampleImage  = "70a599e0-31e7-49b7-b260-868f441e862b"
)

// sampleServerNova is a fake with the samples' server, on host, with the
// given flavor, seen by a token of the given roles.
func sampleServerNova(t *testing.T, serverID, host, flavorID, userID string, roles ...string) http.Handler {
	t.Helper()
	clock := state.NewManualClock(time.Date(2013, 9, 3, 4, 1, 32, 0, time.UTC))
	st := state.New(state.WithClock(clock))
	_, err := st.AddProject(state.Project{ID: sampleProject, Name: "openstack"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: host}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: "sample-token", ProjectID: sampleProject, UserID: userID, Roles: roles}))
	for _, f := range sampleFlavors(false) {
		_, err := st.AddFlavor(f)
		require.NoError(t, err)
	}
	_, err = st.AddImage(state.Image{ID: sampleImage, Name: "cirros", Visibility: state.ImagePublic,
		Properties: map[string]string{"architecture": "x86_64", "auto_disk_config": "True", "custom": "not shown"}})
	require.NoError(t, err)
	net, err := st.AddNetwork(state.Network{Name: "private", ProjectID: sampleProject})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: net.ID, CIDR: "192.168.1.0/24"})
	require.NoError(t, err)
	_, err = st.AddServer(state.Server{ID: serverID, Name: "new-server-test", ProjectID: sampleProject, UserID: userID,
		Host: host, ImageID: sampleImage, FlavorID: flavorID})
	require.NoError(t, err)
	_, err = st.AddPort(state.Port{NetworkID: net.ID, DeviceID: serverID, DeviceOwner: state.DeviceOwnerCompute,
		MACAddress: "00:0c:29:0d:11:74", FixedIPs: []state.FixedIP{{IPAddress: "192.168.1.30"}}})
	require.NoError(t, err)
	return fakenova.New(fakenova.WithState(st))
}

// unmodelled are the server fields the model does not keep (metadata,
// access IPs, disk config, the zone asked for, volumes, user data, ...)
// or that the samples' run made up (times, database ids); the golden
// test takes them from the sample.
var unmodelled = []string{"accessIPv4", "accessIPv6", "metadata", "OS-DCF:diskConfig", "OS-EXT-AZ:availability_zone",
	"created", "updated", "OS-SRV-USG:launched_at", "os-extended-volumes:volumes_attached", "OS-EXT-SRV-ATTR:instance_name",
	"OS-EXT-SRV-ATTR:hypervisor_hostname", "OS-EXT-SRV-ATTR:reservation_id", "OS-EXT-SRV-ATTR:root_device_name",
	"OS-EXT-SRV-ATTR:user_data", "description", "pinned_availability_zone", "scheduler_hints"}

// Golden: the servers api-samples at 2.1 (admin), 2.47 (admin), 2.98 and
// 2.100 (a member): every key, and every modelled value, as Nova's.
func TestServerViewGoldenSamples(t *testing.T) {
	rows := []struct {
		sample, version, server, host, flavor, user string
		roles                                       []string
	}{
		{"servers/server-get-resp.json", "", sampleServer, "b8b357f7100d4391828f2177c922ef93", "1", "admin", []string{"admin", "member", "reader"}},
		{"servers/v2.47/server-get-resp.json", "2.47", "9168b536-cd40-4630-b43f-b259807c6e87", "compute", "6", "admin", []string{"admin", "member", "reader"}},
		{"servers/v2.98/server-get-resp.json", "2.98", sampleServer, "b8b357f7100d4391828f2177c922ef93", "1", "fake", []string{"member", "reader"}},
		{"servers/v2.100/server-get-resp.json", "2.100", sampleServer, "b8b357f7100d4391828f2177c922ef93", "1", "fake", []string{"member", "reader"}},
	}
	for _, row := range rows {
		t.Run(row.sample, func(t *testing.T) {
			nova := sampleServerNova(t, row.server, row.host, row.flavor, row.user, row.roles...)
			rec := sampleGet(t, nova, "/servers/"+row.server, row.version)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var got, want map[string]map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			require.NoError(t, json.Unmarshal([]byte(readSample(t, row.sample)), &want))
			for _, k := range unmodelled {
				if v, ok := want["server"][k]; ok {
					require.Contains(t, got["server"], k)
					got["server"][k] = v
				}
			}
			if row.host != "compute" {
				got["server"]["hostId"] = want["server"]["hostId"] // the sample's host is not known
			}
			if row.host == "compute" {
				assert.Equal(t, want["server"]["hostId"], got["server"]["hostId"], "sha224 of the project and host")
			}
			assert.Equal(t, want, got)
		})
	}
}

// The key order of current Nova (views/servers.py show), and what a
// detail list does differently: no server_groups, host_status and
// security_groups last.
func TestServerViewWireOrder(t *testing.T) {
	nova := sampleServerNova(t, sampleServer, "compute", "1", "admin", "admin", "member", "reader")
	keys := func(rec *httptest.ResponseRecorder, path ...string) []string {
		t.Helper()
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		return objectKeys(t, rec.Body.Bytes(), path...)
	}
	show := keys(sampleGet(t, nova, "/servers/"+sampleServer, "2.100"), "server")
	assert.Equal(t, []string{"accessIPv4", "accessIPv6", "addresses", "created", "flavor", "hostId", "id", "image", "links",
		"metadata", "name", "status", "tenant_id", "user_id", "updated", "OS-DCF:diskConfig", "progress",
		"OS-EXT-AZ:availability_zone", "config_drive", "key_name", "OS-SRV-USG:launched_at", "OS-SRV-USG:terminated_at",
		"security_groups", "OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:instance_name", "OS-EXT-SRV-ATTR:hypervisor_hostname",
		"OS-EXT-SRV-ATTR:hostname", "OS-EXT-SRV-ATTR:kernel_id", "OS-EXT-SRV-ATTR:launch_index", "OS-EXT-SRV-ATTR:ramdisk_id",
		"OS-EXT-SRV-ATTR:reservation_id", "OS-EXT-SRV-ATTR:root_device_name", "OS-EXT-SRV-ATTR:user_data",
		"OS-EXT-STS:task_state", "OS-EXT-STS:vm_state", "OS-EXT-STS:power_state", "os-extended-volumes:volumes_attached",
		"locked", "host_status", "description", "tags", "trusted_image_certificates", "server_groups", "locked_reason",
		"pinned_availability_zone", "scheduler_hints"}, show)
	detail := keys(sampleGet(t, nova, "/servers/detail", "2.100"), "servers", "0")
	assert.Equal(t, []string{"accessIPv4", "accessIPv6", "addresses", "created", "flavor", "hostId", "id", "image", "links",
		"metadata", "name", "status", "tenant_id", "user_id", "updated", "OS-DCF:diskConfig", "progress",
		"OS-EXT-AZ:availability_zone", "config_drive", "key_name", "OS-SRV-USG:launched_at", "OS-SRV-USG:terminated_at",
		"OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:instance_name", "OS-EXT-SRV-ATTR:hypervisor_hostname",
		"OS-EXT-SRV-ATTR:hostname", "OS-EXT-SRV-ATTR:kernel_id", "OS-EXT-SRV-ATTR:launch_index", "OS-EXT-SRV-ATTR:ramdisk_id",
		"OS-EXT-SRV-ATTR:reservation_id", "OS-EXT-SRV-ATTR:root_device_name", "OS-EXT-SRV-ATTR:user_data",
		"OS-EXT-STS:task_state", "OS-EXT-STS:vm_state", "OS-EXT-STS:power_state", "os-extended-volumes:volumes_attached",
		"locked", "description", "tags", "trusted_image_certificates", "locked_reason",
		"pinned_availability_zone", "scheduler_hints", "host_status", "security_groups"}, detail)
}

// flavor per microversion, image, and what a server without them shows.
func TestServerViewFlavorAndImage(t *testing.T) {
	f := newConsoleFixture(t)
	show := func(token, version, id string) map[string]any {
		t.Helper()
		ex := f.do(t, http.MethodGet, "/v2.1/"+f.ProjectID+"/servers/"+id,
			map[string]string{"X-Auth-Token": token, "OpenStack-API-Version": "compute " + version}, "")
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		return ex.decoded["server"]
	}
	// A server added without a flavor has m1.tiny; without an image, "".
	srv := show(f.Token, "2.46", f.active.ID)
	assert.Equal(t, map[string]any{"id": "1", "links": []any{map[string]any{"rel": "bookmark",
		"href": f.URL + "/" + f.ProjectID + "/flavors/1"}}}, srv["flavor"])
	assert.Equal(t, "", srv["image"])
	srv = show(f.Token, "2.47", f.active.ID)
	assert.Equal(t, map[string]any{"vcpus": float64(1), "ram": float64(512), "disk": float64(1), "ephemeral": float64(0),
		"swap": float64(0), "original_name": "m1.tiny", "extra_specs": map[string]any{}}, srv["flavor"])

	booted, err := f.State.AddServer(state.Server{Name: "booted", ProjectID: f.ProjectID, Host: "compute-1",
		ImageID: "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", FlavorID: "2"})
	require.NoError(t, err)
	srv = show(f.Token, "2.98", booted.ID)
	assert.Equal(t, map[string]any{"id": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "links": []any{map[string]any{"rel": "bookmark",
		"href": f.URL + "/" + f.ProjectID + "/images/0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c"}},
		"properties": map[string]any{"os_distro": "cirros"}}, srv["image"], "the compute API's bookmark, not Glance's")
	assert.Equal(t, "m1.small", srv["flavor"].(map[string]any)["original_name"])
	assert.Equal(t, "booted", srv["OS-EXT-SRV-ATTR:hostname"], "2.90 shows non-admins the hostname")
	assert.NotContains(t, srv, "security_groups", "a server without ports has none")

	// A flavor without a reader's rights: no extra_specs; a flavor gone: {}.
	tok := state.NewProjectID()
	require.NoError(t, f.State.AddToken(state.AuthToken{Token: tok, ProjectID: f.ProjectID, Roles: []string{"creator"}}))
	lost, err := f.State.AddServer(state.Server{Name: "lost", ProjectID: f.ProjectID, Host: "compute-1", FlavorID: "gone"})
	require.NoError(t, err)
	srv = show(f.adminToken, "2.47", lost.ID)
	assert.Equal(t, map[string]any{}, srv["flavor"])
	assert.Equal(t, "gone", show(f.adminToken, "2.1", lost.ID)["flavor"].(map[string]any)["id"])
}

// The os-networks proxy: the networks the caller sees, id and label, up
// to 2.35.
func TestComputeNetworksProxy(t *testing.T) {
	f := newConsoleFixture(t)
	get := func(token, version, path string) exchange {
		return send(t, f.URL, http.MethodGet, "/v2.1/"+f.ProjectID+path, apiHeader(token, version), "")
	}
	ex := get(f.Token, "", "/os-networks")
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Equal(t, `{"networks": [{"id": "3c6b5d8e-1f2a-4b7c-9d0e-2a3b4c5d6e7f", "cidr": null, "netmask": null, "gateway": null, `+
		`"broadcast": null, "dns1": null, "dns2": null, "cidr_v6": null, "gateway_v6": null, "label": "private", "netmask_v6": null}]}`, ex.body)
	ex = get(f.adminToken, "2.35", "/os-networks/3c6b5d8e-1f2a-4b7c-9d0e-2a3b4c5d6e7f")
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	var sample, got map[string]map[string]any
	require.NoError(t, json.Unmarshal([]byte(readSample(t, "os-networks/network-show-resp.json")), &sample))
	require.NoError(t, json.Unmarshal([]byte(ex.body), &got))
	sample["network"]["id"] = got["network"]["id"]
	assert.Equal(t, sample, got, "an admin sees every field of the sample")
	assertFault(t, get(f.Token, "", "/os-networks/nope"), 404, "Network not found")
	assertFault(t, get(f.Token, "2.36", "/os-networks"), 404, "The resource could not be found.")
	ex = send(t, f.URL, http.MethodGet, "/v2.1/os-networks", apiHeader(f.foreignToken, ""), "")
	assert.Equal(t, `{"networks": []}`, ex.body, "another project's network is not seen")
}

// objectKeys are the keys of the object at path (member names, array
// indices) in a JSON document, in the order they are written.
func objectKeys(t *testing.T, doc []byte, path ...string) []string {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	var walk func(path []string) []string
	skip := func() {
		require.NoError(t, dec.Decode(&v))
	}
	walk = func(path []string) []string {
		tok, err := dec.Token()
		require.NoError(t, err)
		switch tok {
		case json.Delim('{'):
			var keys []string
			for dec.More() {
				k, err := dec.Token()
				require.NoError(t, err)
				if len(path) == 0 {
					keys = append(keys, k.(string))
					skip()
					continue
				}
				if k.(string) == path[0] {
					return walk(path[1:])
				}
				skip()
			}
			return keys
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if len(path) > 0 && strconv.Itoa(i) == path[0] {
					return walk(path[1:])
				}
				skip()
			}
		}
		return nil
	}
	return walk(path)
}
