package fakenova_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// createFixture is Start's cloud with more to create servers from: a
// queued image, a big image, another project's private image, a disabled
// and a private flavor, a network without subnet, a shared network of
// another project, an external network, a free port and a bound one.
type createFixture struct {
	*fakenova.Test
	queued, bigImage, foreignImage string
	minDiskImage                   string
	noSubnet, external, tiny       string
	freePort, boundPort            string
	disabledInternalID             int
	readerToken, adminToken        string
	bound                          state.Server
}

func newCreateFixture(t *testing.T) *createFixture {
	t.Helper()
	f := &createFixture{Test: fakenova.Start(t)}
	st := f.State
	add := func(im state.Image) string {
		got, err := st.AddImage(im)
		require.NoError(t, err)
		return got.ID
	}
	f.queued = add(state.Image{Name: "queued", Status: state.ImageQueued, Visibility: state.ImagePublic})
	f.bigImage = add(state.Image{Name: "big", Visibility: state.ImagePublic, MinRAM: 1024, MinDisk: 10, Size: 3 << 30})
	other, err := st.AddProject(state.Project{Name: "other"})
	require.NoError(t, err)
	f.foreignImage = add(state.Image{Name: "theirs", Visibility: state.ImagePrivate, Owner: other.ID})
	f.minDiskImage = add(state.Image{Name: "needs-disk", Visibility: state.ImagePublic, MinDisk: 10, Size: 1 << 20})
	_, err = st.AddFlavor(state.Flavor{ID: "small-disk", Name: "small.disk", VCPUs: 1, RAM: 2048, Disk: 2})
	require.NoError(t, err)
	disabled, err := st.AddFlavor(state.Flavor{ID: "old", Name: "m1.old", VCPUs: 1, RAM: 512, Disk: 1, Disabled: true})
	require.NoError(t, err)
	f.disabledInternalID = disabled.InternalID
	_, err = st.AddFlavor(state.Flavor{ID: "theirs", Name: "their.flavor", VCPUs: 1, RAM: 512, Disk: 1, Private: true})
	require.NoError(t, err)
	_, err = st.AddFlavor(state.Flavor{ID: "zero", Name: "zero.disk", VCPUs: 1, RAM: 4096, Disk: 0})
	require.NoError(t, err)
	net, err := st.AddNetwork(state.Network{Name: "empty", ProjectID: other.ID, Shared: true})
	require.NoError(t, err)
	f.noSubnet = net.ID
	ext, err := st.AddNetwork(state.Network{Name: "public", ProjectID: other.ID, External: true})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: ext.ID, CIDR: "172.24.4.0/24"})
	require.NoError(t, err)
	f.external = ext.ID
	tiny, err := st.AddNetwork(state.Network{Name: "tiny", ProjectID: f.ProjectID})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: tiny.ID, CIDR: "192.168.9.0/30"}) // one address: .2
	require.NoError(t, err)
	f.tiny = tiny.ID
	free, err := st.AddPort(state.Port{NetworkID: fakenova.TestNetworkID, Name: "free"})
	require.NoError(t, err)
	f.freePort = free.ID
	f.bound = f.AddServer("holder")
	held, err := st.AllocatePorts(f.bound.ID, state.Viewer{ProjectID: f.ProjectID},
		[]state.NetworkRequest{{NetworkID: fakenova.TestNetworkID, FixedIP: "10.0.0.40"}})
	require.NoError(t, err)
	f.boundPort = held[0].ID
	for tok, at := range map[*string]state.AuthToken{
		&f.readerToken: {ProjectID: f.ProjectID, Roles: []string{"reader"}},
		&f.adminToken:  {ProjectID: f.ProjectID, Roles: []string{"admin", "member", "reader"}},
	} {
		at.Token = state.NewProjectID()
		require.NoError(t, st.AddToken(at))
		*tok = at.Token
	}
	return f
}

func (f *createFixture) create(t *testing.T, token, version, server string) exchange {
	t.Helper()
	return send(t, f.URL, http.MethodPost, "/v2.1/"+f.ProjectID+"/servers", apiHeader(token, version), `{"server": `+server+`}`)
}

// Nova's 400s (and 403, 409) of a create, each with Nova's text, and the
// order Nova checks in.
func TestCreateServerErrors(t *testing.T) {
	f := newCreateFixture(t)
	img := `"imageRef": "` + fakenova.TestImageID + `"`
	net := fakenova.TestNetworkID
	const field = "Invalid input for field/attribute "
	rows := []struct {
		name, version, server string
		status                int
		message               string
	}{
		{"no imageRef", "2.1", `{"name": "a", "flavorRef": "1"}`, 400, "Missing imageRef attribute"},
		{"empty imageRef", "2.1", `{"name": "a", "imageRef": "", "flavorRef": "1"}`, 400, "Missing imageRef attribute"},
		{"imageRef not a uuid", "2.1", `{"name": "a", "imageRef": "cirros", "flavorRef": "1"}`, 400,
			field + "imageRef. Value: cirros. 'cirros' is not valid under any of the given schemas"},
		{"imageRef null", "2.1", `{"name": "a", "imageRef": null, "flavorRef": "1"}`, 400,
			field + "imageRef. Value: None. None is not valid under any of the given schemas"},
		{"unknown image", "2.1", `{"name": "a", "imageRef": "` + state.NewProjectID() + `", "flavorRef": "1"}`, 400, "Can not find requested image"},
		{"another project's image", "2.1", `{"name": "a", "imageRef": "` + f.foreignImage + `", "flavorRef": "1"}`, 400, "Can not find requested image"},
		{"image not active", "2.1", `{"name": "a", "imageRef": "` + f.queued + `", "flavorRef": "1", "networks": [{"uuid": "` + net + `"}]}`, 400, "Image " + f.queued + " is not active."},
		{"image needs more memory", "2.1", `{"name": "a", "imageRef": "` + f.bigImage + `", "flavorRef": "1", "networks": [{"uuid": "` + net + `"}]}`, 400,
			"Flavor's memory is too small for requested image."},
		{"image bigger than the disk", "2.1", `{"name": "a", "imageRef": "` + f.bigImage + `", "flavorRef": "small-disk", "networks": [{"uuid": "` + net + `"}]}`, 400,
			"Flavor's disk is too small for requested image. Flavor disk is 2147483648 bytes, image is 3221225472 bytes."},
		{"image needs a bigger disk", "2.1", `{"name": "a", "imageRef": "` + f.minDiskImage + `", "flavorRef": "small-disk", "networks": [{"uuid": "` + net + `"}]}`, 400,
			"Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is 2147483648 bytes, minimum size is 10737418240 bytes."},
		{"zero disk flavor", "2.1", `{"name": "a", ` + img + `, "flavorRef": "zero", "networks": [{"uuid": "` + net + `"}]}`, 403,
			"Only volume-backed servers are allowed for flavors with zero disk."},
		{"flavorRef empty", "2.1", `{"name": "a", ` + img + `, "flavorRef": ""}`, 400, field + "flavorRef. Value: . '' should be non-empty"},
		{"flavorRef a list", "2.1", `{"name": "a", ` + img + `, "flavorRef": [1]}`, 400,
			field + "flavorRef. Value: [1]. [1] is not of type 'string', 'integer'"},
		{"unknown flavor", "2.1", `{"name": "a", ` + img + `, "flavorRef": "42"}`, 400, "Flavor 42 could not be found."},
		{"unknown flavor by href", "2.1", `{"name": "a", ` + img + `, "flavorRef": "http://h/flavors/42"}`, 400, "Flavor 42 could not be found."},
		{"a private flavor", "2.1", `{"name": "a", ` + img + `, "flavorRef": "theirs"}`, 400, "Flavor theirs could not be found."},
		{"a disabled flavor names its database id", "2.1", `{"name": "a", ` + img + `, "flavorRef": "old"}`, 400,
			"Flavor " + itoa(f.disabledInternalID) + " could not be found."},
		{"min_count above max_count", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "min_count": "3", "max_count": 2}`, 400,
			"min_count must be <= max_count"},
		{"min_count zero", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "min_count": 0}`, 400,
			field + "min_count. Value: 0. 0 is less than the minimum of 1"},
		{"several servers", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "max_count": 2}`, 501,
			"novastub does not model creating several servers in one request (max_count above 1)."},
		{"a name with a leading space", "2.1", `{"name": " a", ` + img + `, "flavorRef": "1"}`, 400,
			"An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace."},
		{"networks required from 2.37", "2.37", `{"name": "a", ` + img + `, "flavorRef": "1"}`, 400,
			field + "server. Value: {'name': 'a', 'imageRef': '" + fakenova.TestImageID + "', 'flavorRef': '1'}. 'networks' is a required property"},
		{"networks a word", "2.37", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": "foo"}`, 400,
			field + "networks. Value: foo. 'foo' is not valid under any of the given schemas"},
		{"networks uuid at 2.37", "2.37", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "abc"}]}`, 400,
			field + "networks. Value: [{'uuid': 'abc'}]. [{'uuid': 'abc'}] is not valid under any of the given schemas"},
		{"networks uuid below 2.37", "2.36", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "abc"}]}`, 400,
			"Bad networks format: network uuid is not in proper format (abc)"},
		{"network item without uuid", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{}]}`, 400,
			"Bad network format: missing 'uuid'"},
		{"network item without uuid at 2.37", "2.37", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"fixed_ip": "10.0.0.9"}]}`, 400,
			"Bad network format: missing 'uuid'"},
		{"fixed_ip not an address", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "` + net + `", "fixed_ip": "10.0.0"}]}`, 400,
			field + "fixed_ip. Value: 10.0.0. '10.0.0' is not valid under any of the given schemas"},
		{"an unknown key in an item", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "` + net + `", "x": 1}]}`, 400,
			field + "0. Value: {'uuid': '" + net + "', 'x': 1}. Additional properties are not allowed ('x' was unexpected)"},
		{"tag at 2.37 is unknown", "2.37", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "` + net + `", "tag": "t"}]}`, 400,
			field + "networks. Value: [{'uuid': '" + net + "', 'tag': 't'}]. [{'uuid': '" + net + "', 'tag': 't'}] is not valid under any of the given schemas"},
		{"a port twice", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"port": "` + f.freePort + `"}, {"port": "` + f.freePort + `"}]}`, 400,
			"Port ID '" + f.freePort + "' was specified twice: you cannot attach a port multiple times."},
		{"a port with a fixed IP", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"port": "` + f.freePort + `", "fixed_ip": "10.0.0.9"}]}`, 400,
			"Specified Fixed IP '10.0.0.9' cannot be used with port '" + f.freePort + "': the two cannot be specified together."},
		{"unknown network", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "5b2e37e4-4d2d-4f5b-9f5a-6f0a1c2b3d4e"}]}`, 400,
			"Network 5b2e37e4-4d2d-4f5b-9f5a-6f0a1c2b3d4e could not be found."},
		{"network without subnet", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "` + f.noSubnet + `"}]}`, 400,
			"Network " + f.noSubnet + " requires a subnet in order to boot instances on."},
		{"subnets before missing networks", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "5b2e37e4-4d2d-4f5b-9f5a-6f0a1c2b3d4e"}, {"uuid": "` + f.noSubnet + `"}]}`, 400,
			"Network " + f.noSubnet + " requires a subnet in order to boot instances on."},
		{"unknown port", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"port": "5b2e37e4-4d2d-4f5b-9f5a-6f0a1c2b3d4e"}]}`, 400,
			"Port id 5b2e37e4-4d2d-4f5b-9f5a-6f0a1c2b3d4e could not be found."},
		{"a bound port", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"port": "` + f.boundPort + `"}]}`, 409,
			"Port " + f.boundPort + " is still in use."},
		{"a fixed IP in use", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "` + net + `", "fixed_ip": "10.0.0.40"}]}`, 400,
			"Fixed IP address 10.0.0.40 is already in use on instance " + f.bound.ID + "."},
		{"an external network", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "` + f.external + `"}]}`, 403,
			"It is not allowed to create an interface on external network " + f.external},
		{"more than one network to pick", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1"}`, 409,
			"Multiple possible networks found, use a Network ID to be more specific."},
		{"auto with more than one", "2.37", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": "auto"}`, 409,
			"Multiple possible networks found, use a Network ID to be more specific."},
		{"a key pair", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "networks": [{"uuid": "` + net + `"}], "key_name": "mykey"}`, 400,
			"Invalid key_name provided."},
		{"a security group", "2.1", `{"name": "a", ` + img + `, "flavorRef": "1", "security_groups": [{"name": "default"}, {"name": "web"}]}`, 400,
			"Unable to find security_group with name or id 'web'"},
		// Nova's order: the schema, min/max, policy, imageRef, networks'
		// format, the flavor, then the image.
		{"missing image before the flavor", "2.1", `{"name": "a", "flavorRef": "42"}`, 400, "Missing imageRef attribute"},
		{"networks' format before the flavor", "2.1", `{"name": "a", ` + img + `, "flavorRef": "42", "networks": [{}]}`, 400,
			"Bad network format: missing 'uuid'"},
		{"the flavor before the image", "2.1", `{"name": "a", "imageRef": "` + state.NewProjectID() + `", "flavorRef": "42"}`, 400,
			"Flavor 42 could not be found."},
		{"the image before the networks", "2.1", `{"name": "a", "imageRef": "` + state.NewProjectID() + `", "flavorRef": "1", "networks": [{"uuid": "` + f.noSubnet + `"}]}`, 400,
			"Can not find requested image"},
		{"networks before the image's state", "2.1", `{"name": "a", "imageRef": "` + f.queued + `", "flavorRef": "1", "networks": [{"uuid": "` + f.noSubnet + `"}]}`, 400,
			"Network " + f.noSubnet + " requires a subnet in order to boot instances on."},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := f.create(t, f.Token, row.version, row.server)
			assertFault(t, ex, row.status, row.message)
			assertVersionHeaders(t, ex.header, row.version)
		})
	}
	t.Run("policy before the image", func(t *testing.T) {
		assertFault(t, f.create(t, f.readerToken, "2.1", `{"name": "a", "flavorRef": "1"}`), 403,
			"Policy doesn't allow os_compute_api:servers:create to be performed.")
	})
	t.Run("no network to pick, auto", func(t *testing.T) {
		ts := fakenova.Start(t)
		// A project without networks of its own, and none shared.
		other, err := ts.State.AddProject(state.Project{Name: "empty"})
		require.NoError(t, err)
		tok := state.NewProjectID()
		require.NoError(t, ts.State.AddToken(state.AuthToken{Token: tok, ProjectID: other.ID, Roles: []string{"member"}}))
		ex := send(t, ts.URL, http.MethodPost, "/v2.1/servers", apiHeader(tok, "2.37"),
			`{"server": {"name": "a", `+img+`, "flavorRef": "1", "networks": "auto"}}`)
		assertFault(t, ex, 400, "Unable to automatically allocate a network for project "+other.ID)
		// Nothing asked below 2.37: a server without a port.
		ex = send(t, ts.URL, http.MethodPost, "/v2.1/servers", apiHeader(tok, ""),
			`{"server": {"name": "a", `+img+`, "flavorRef": "1"}}`)
		require.Equal(t, http.StatusAccepted, ex.status, ex.body)
	})
}

// A create answers 202 with Nova's body and Location; the server builds,
// and once it has a host shows its addresses on the networks asked for.
func TestCreateServerNetworksAndAddresses(t *testing.T) {
	f := newCreateFixture(t)
	img := `"imageRef": "` + fakenova.TestImageID + `"`
	ex := f.create(t, f.Token, "2.42", `{"name": "web-1", `+img+`, "flavorRef": "http://h/v2.1/flavors/1", "adminPass": "pw", `+
		`"security_groups": [{"name": "default"}], "networks": [{"uuid": "`+fakenova.TestNetworkID+`", "fixed_ip": "10.0.0.33", "tag": "a"}, `+
		`{"port": "`+f.freePort+`"}]}`)
	require.Equal(t, http.StatusAccepted, ex.status, ex.body)
	id := ex.decoded["server"]["id"].(string)
	self := f.URL + "/v2.1/" + f.ProjectID + "/servers/" + id
	assert.Equal(t, self, ex.header.Get("Location"))
	assert.Equal(t, `{"server": {"id": "`+id+`", "links": [{"rel": "self", "href": "`+self+`"}, {"rel": "bookmark", "href": "`+
		f.URL+"/"+f.ProjectID+"/servers/"+id+`"}], "OS-DCF:diskConfig": "MANUAL", "security_groups": [{"name": "default"}], "adminPass": "pw"}}`, ex.body)

	got := getServer(t, f.Test, id)
	assert.Equal(t, map[string]any{}, got.decoded["server"]["addresses"], "hidden while building")
	f.Advance(6 * time.Second)
	got = getServer(t, f.Test, id)
	require.Equal(t, "ACTIVE", got.decoded["server"]["status"])
	free, err := f.State.Port(f.freePort)
	require.NoError(t, err)
	made := f.State.ServerPorts(id)[0]
	assert.Equal(t, map[string]any{"private": []any{
		map[string]any{"version": float64(4), "addr": "10.0.0.33", "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": made.MACAddress},
		map[string]any{"version": float64(4), "addr": free.FixedIPs[0].IPAddress, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": free.MACAddress},
	}}, got.decoded["server"]["addresses"])
	assert.Contains(t, got.body, `"addresses": {"private": [{"version": 4, "addr": "10.0.0.33", "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": "`)
	assert.Equal(t, []any{map[string]any{"name": "default"}}, got.decoded["server"]["security_groups"])
	assert.Equal(t, f.ProjectID, free.ProjectID)
	assert.Equal(t, id, free.DeviceID, "the port given is bound to the server")

	// "none": no port, no addresses and no security groups.
	ex = f.create(t, f.Token, "2.37", `{"name": "lonely", `+img+`, "flavorRef": 1, "networks": "none"}`)
	require.Equal(t, http.StatusAccepted, ex.status, ex.body)
	lonely := ex.decoded["server"]["id"].(string)
	f.Advance(6 * time.Second)
	got = getServer(t, f.Test, lonely)
	assert.Equal(t, map[string]any{}, got.decoded["server"]["addresses"])
	assert.NotContains(t, got.decoded["server"], "security_groups")
	assert.Empty(t, f.State.ServerPorts(lonely))

	// The ports go with the server; the one given stays, unbound.
	del := send(t, f.URL, http.MethodDelete, "/v2.1/servers/"+id, apiHeader(f.Token, ""), "")
	require.Equal(t, http.StatusNoContent, del.status, del.body)
	f.Advance(time.Second)
	free, err = f.State.Port(f.freePort)
	require.NoError(t, err)
	assert.Equal(t, "", free.DeviceID)
	_, err = f.State.Port(made.ID)
	assert.ErrorIs(t, err, state.ErrNotFound)
}

// A network out of addresses: Nova accepts the server, which fails to
// build as the compute manager cannot allocate its port.
func TestCreateServerNetworkAllocationFails(t *testing.T) {
	f := newCreateFixture(t)
	body := `{"name": "a", "imageRef": "` + fakenova.TestImageID + `", "flavorRef": "1", "networks": [{"uuid": "` + f.tiny + `"}]}`
	first := f.create(t, f.Token, "2.1", body)
	require.Equal(t, http.StatusAccepted, first.status, first.body)
	second := f.create(t, f.Token, "2.1", body)
	require.Equal(t, http.StatusAccepted, second.status, second.body)
	id := second.decoded["server"]["id"].(string)
	got := getServer(t, f.Test, id)
	assert.Equal(t, "ERROR", got.decoded["server"]["status"])
	assert.Equal(t, "Build of instance "+id+" aborted: Failed to allocate the network(s), not rescheduling.",
		got.decoded["server"]["fault"].(map[string]any)["message"])
}

// return_reservation_id: Python's truth of the value, "False" included.
func TestCreateServerReservationID(t *testing.T) {
	f := newCreateFixture(t)
	for _, v := range []string{`true`, `"False"`} {
		ex := f.create(t, f.Token, "2.1", `{"name": "r", "imageRef": "`+fakenova.TestImageID+`", "flavorRef": "1", `+
			`"networks": [{"uuid": "`+fakenova.TestNetworkID+`"}], "return_reservation_id": `+v+`}`)
		require.Equal(t, http.StatusAccepted, ex.status, ex.body)
		assert.Regexp(t, regexp.MustCompile(`^\{"reservation_id": "r-[a-z0-9]{8}"\}$`), ex.body)
		assert.Empty(t, ex.header.Get("Location"))
	}
	ex := f.create(t, f.Token, "2.1", `{"name": "r", "imageRef": "`+fakenova.TestImageID+`", "flavorRef": "1", `+
		`"networks": [{"uuid": "`+fakenova.TestNetworkID+`"}], "return_reservation_id": false}`)
	require.Equal(t, http.StatusAccepted, ex.status, ex.body)
	assert.Contains(t, ex.body, `"adminPass": "`)
}

// The legacy v2 endpoint: names keep their spaces in the schema and lose
// them in the server; unknown keys are stripped.
func TestCreateServerLegacy(t *testing.T) {
	f := newCreateFixture(t)
	ex := send(t, f.URL, http.MethodPost, "/v2/"+f.ProjectID+"/servers", apiHeader(f.Token, ""),
		`{"server": {"name": "  spaced  ", "imageRef": "`+fakenova.TestImageID+`", "flavorRef": "1", "bogus": 1, `+
			`"networks": [{"uuid": "`+fakenova.TestNetworkID+`"}]}}`)
	require.Equal(t, http.StatusAccepted, ex.status, ex.body)
	got := getServer(t, f.Test, ex.decoded["server"]["id"].(string))
	assert.Equal(t, "spaced", got.decoded["server"]["name"])
	assert.True(t, strings.HasPrefix(ex.header.Get("Location"), f.URL+"/v2/"+f.ProjectID+"/servers/"))
}

// gophercloud creates a server on a network and waits for it.
func TestGophercloudCreateServerWithNetworks(t *testing.T) {
	ts := fakenova.Start(t)
	ctx := context.Background()
	client := computeClient(ts, ts.Token, "2.73")
	created, err := servers.Create(ctx, client, servers.CreateOpts{Name: "web-1", ImageRef: fakenova.TestImageID, FlavorRef: "1",
		Networks: []servers.Network{{UUID: fakenova.TestNetworkID}}, Min: 1, Max: 1}, nil).Extract()
	require.NoError(t, err)
	var srv *servers.Server
	for i := 0; i < 10; i++ {
		srv, err = servers.Get(ctx, client, created.ID).Extract()
		require.NoError(t, err)
		if srv.Status == "ACTIVE" {
			break
		}
		assert.Empty(t, srv.Addresses)
		ts.Advance(time.Second)
	}
	require.Equal(t, "ACTIVE", srv.Status)
	private, ok := srv.Addresses["private"].([]any)
	require.True(t, ok, "%v", srv.Addresses)
	require.Len(t, private, 1)
	addr := private[0].(map[string]any)
	assert.Regexp(t, `^10\.0\.0\.\d+$`, addr["addr"])
	assert.Equal(t, float64(4), addr["version"])
	assert.Equal(t, "m1.tiny", srv.Flavor["original_name"])
	assert.Equal(t, fakenova.TestImageID, srv.Image["id"])
	ts.AssertCalled("createServer", 1)
}
