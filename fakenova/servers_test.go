package fakenova_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/remoteconsoles"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// serversFixture is a fake on a manual clock, so that servers move through
// their transitions only when the test advances it.
func serversFixture(t *testing.T) (*fakenova.Test, *state.ManualClock) {
	t.Helper()
	clock := state.NewManualClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	ts := fakenova.Start(t, fakenova.WithState(state.New(state.WithClock(clock))))
	return ts, clock
}

func computeClient(ts *fakenova.Test, token, microversion string) *gophercloud.ServiceClient {
	return &gophercloud.ServiceClient{
		ProviderClient: &gophercloud.ProviderClient{TokenID: token},
		Endpoint:       ts.ComputeURL, Type: "compute", Microversion: microversion,
	}
}

// The whole life of a server through gophercloud: create, build on the
// clock, find by name, show, consoles both ways, stop (the console still
// works), delete.
func TestGophercloudServerLifecycle(t *testing.T) {
	ts, clock := serversFixture(t)
	ctx := context.Background()
	client := computeClient(ts, ts.Token, "2.1")

	created, err := servers.Create(ctx, client, servers.CreateOpts{Name: "web-1", ImageRef: fakenova.TestImageID, FlavorRef: "1"}, nil).Extract()
	require.NoError(t, err)
	require.NotEmpty(t, created.ID)
	assert.NotEmpty(t, created.AdminPass)

	got, err := servers.Get(ctx, client, created.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "BUILD", got.Status)

	// A console while it builds: no host yet, Nova's 409.
	_, err = remoteconsoles.Create(ctx, computeClient(ts, ts.Token, "2.6"), created.ID,
		remoteconsoles.CreateOpts{Protocol: "vnc", Type: "novnc"}).Extract()
	require.Error(t, err)
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusConflict), err.Error())

	clock.Advance(6 * time.Second)
	got, err = servers.Get(ctx, client, created.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", got.Status)
	assert.Equal(t, "web-1", got.Name)
	assert.Equal(t, ts.ProjectID, got.TenantID)
	assert.Equal(t, "test-user", got.UserID)

	pages, err := servers.List(client, servers.ListOpts{Name: "^web-1$"}).AllPages(ctx)
	require.NoError(t, err)
	list, err := servers.ExtractServers(pages)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, created.ID, list[0].ID)

	console, err := remoteconsoles.Create(ctx, computeClient(ts, ts.Token, "2.6"), created.ID,
		remoteconsoles.CreateOpts{Protocol: "vnc", Type: "novnc"}).Extract()
	require.NoError(t, err)
	require.NotNil(t, console)
	assert.Equal(t, "vnc", console.Protocol)
	assert.True(t, strings.HasPrefix(console.URL, "http://127.0.0.1:6080/vnc_auto.html?token="), console.URL)

	legacy := func() string {
		var out consoleResponse
		_, err := client.Post(ctx, client.ServiceURL("servers", created.ID, "action"),
			map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, &out,
			&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
		require.NoError(t, err)
		return out.Console.URL
	}
	assert.Contains(t, legacy(), "token=")

	require.NoError(t, servers.Stop(ctx, client, created.ID).ExtractErr())
	got, err = servers.Get(ctx, client, created.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", got.Status, "task_state powering-off")
	clock.Advance(2 * time.Second)
	got, err = servers.Get(ctx, client, created.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "SHUTOFF", got.Status)
	assert.Contains(t, legacy(), "token=", "a stopped server still gives a console")

	// Stopping twice is Nova's 409.
	err = servers.Stop(ctx, client, created.ID).ExtractErr()
	require.Error(t, err)
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusConflict))

	require.NoError(t, servers.Delete(ctx, client, created.ID).ExtractErr())
	clock.Advance(time.Second)
	_, err = servers.Get(ctx, client, created.ID).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound))
}

func TestServersAPIErrors(t *testing.T) {
	f := newConsoleFixture(t)
	auth := func(token string) map[string]string {
		return map[string]string{"X-Auth-Token": token, "Content-Type": "application/json"}
	}
	rows := []struct {
		name, method, path, token, body string
		status                          int
		fault, message                  string
	}{
		{"another project's server", http.MethodGet, "/v2.1/servers/" + f.foreign.ID, f.Token, "", 404, "itemNotFound",
			"Instance " + f.foreign.ID + " could not be found."},
		{"a reader may not stop", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", f.readerToken, `{"os-stop": null}`, 403, "forbidden",
			"Policy doesn't allow os_compute_api:servers:stop to be performed."},
		{"a reader may not create", http.MethodPost, "/v2.1/servers", f.readerToken, `{"server": {"name": "x", "flavorRef": "1"}}`, 403, "forbidden",
			"Policy doesn't allow os_compute_api:servers:create to be performed."},
		{"start an active server", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", f.Token, `{"os-start": null}`, 409, "conflictingRequest",
			"Cannot 'start' instance " + f.active.ID + " while it is in vm_state active"},
		{"pause while deleting", http.MethodPost, "/v2.1/servers/" + f.deleting.ID + "/action", f.Token, `{"pause": null}`, 409, "conflictingRequest",
			"Cannot 'pause' instance " + f.deleting.ID + " while it is in task_state deleting"},
		{"shelve offload needs admin", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", f.Token, `{"shelveOffload": null}`, 403, "forbidden",
			"Policy doesn't allow os_compute_api:os-shelve:shelve_offload to be performed."},
		{"reboot type", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", f.Token, `{"reboot": {"type": "warm"}}`, 400, "badRequest",
			"Invalid input for field/attribute type. Value: warm. 'warm' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']"},
		{"create without flavor", http.MethodPost, "/v2.1/servers", f.Token, `{"server": {"name": "x"}}`, 400, "badRequest",
			"Invalid input for field/attribute server. Value: {'name': 'x'}. 'flavorRef' is a required property"},
		{"create with an empty name", http.MethodPost, "/v2.1/servers", f.Token, `{"server": {"name": "", "flavorRef": "1"}}`, 400, "badRequest",
			"Invalid input for field/attribute name. Value: . '' should be non-empty"},
		{"all_tenants needs admin", http.MethodGet, "/v2.1/servers/detail?all_tenants=1", f.Token, "", 403, "forbidden",
			"Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed."},
		{"limit not a number", http.MethodGet, "/v2.1/servers?limit=ten", f.Token, "", 400, "badRequest", "limit param must be an integer"},
		{"unknown marker", http.MethodGet, "/v2.1/servers?marker=nope", f.Token, "", 400, "badRequest", "marker [nope] not found"},
		{"delete another project's server", http.MethodDelete, "/v2.1/servers/" + f.foreign.ID, f.Token, "", 404, "itemNotFound",
			"Instance " + f.foreign.ID + " could not be found."},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := f.do(t, row.method, row.path, auth(row.token), row.body)
			require.Equal(t, row.status, ex.status, ex.body)
			require.Contains(t, ex.decoded, row.fault, ex.body)
			assert.Equal(t, row.message, ex.decoded[row.fault]["message"])
			assert.Equal(t, "application/json; charset=UTF-8", ex.header.Get("Content-Type"))
		})
	}
}

func TestServerViews(t *testing.T) {
	f := newConsoleFixture(t)
	show := func(token, version string) map[string]any {
		t.Helper()
		ex := f.do(t, http.MethodGet, "/v2.1/"+f.ProjectID+"/servers/"+f.active.ID,
			map[string]string{"X-Auth-Token": token, "OpenStack-API-Version": "compute " + version}, "")
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		return ex.decoded["server"]
	}
	srv := show(f.Token, "2.1")
	assert.Equal(t, "ACTIVE", srv["status"])
	assert.Equal(t, "active", srv["OS-EXT-STS:vm_state"])
	assert.Nil(t, srv["OS-EXT-STS:task_state"])
	assert.EqualValues(t, 1, srv["OS-EXT-STS:power_state"])
	assert.NotContains(t, srv, "OS-EXT-SRV-ATTR:host", "admins only")
	assert.NotContains(t, srv, "locked", "from 2.9")
	links := srv["links"].([]any)
	require.Len(t, links, 2)
	assert.Equal(t, f.URL+"/v2.1/"+f.ProjectID+"/servers/"+f.active.ID, links[0].(map[string]any)["href"])
	assert.Equal(t, f.URL+"/"+f.ProjectID+"/servers/"+f.active.ID, links[1].(map[string]any)["href"])

	admin := show(f.adminToken, "2.73")
	assert.Equal(t, fakenova.TestHost, admin["OS-EXT-SRV-ATTR:host"])
	assert.Equal(t, false, admin["locked"])
	assert.Contains(t, admin, "locked_reason")
	assert.Contains(t, admin, "tags")
	assert.Equal(t, "UP", admin["host_status"])
	flavor := admin["flavor"].(map[string]any)
	assert.Contains(t, flavor, "original_name", "2.47's flavor")
}

func TestListServersDetailAndPaging(t *testing.T) {
	ts, _ := serversFixture(t)
	for i := 0; i < 3; i++ {
		ts.AddServer("vm")
	}
	req := func(path string) exchange {
		f := &consoleFixture{Test: ts}
		return f.do(t, http.MethodGet, path, map[string]string{"X-Auth-Token": ts.Token}, "")
	}
	ex := req("/v2.1/servers/detail?limit=2")
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Contains(t, ex.body, `"servers_links": [{"rel": "next", "href": "`+ts.URL+`/v2.1/servers/detail?limit=2&marker=`)
	ex = req("/v2.1/servers?status=shutoff")
	require.Equal(t, http.StatusOK, ex.status)
	assert.Equal(t, `{"servers": []}`, ex.body)
	ex = req("/v2.1/servers?status=bogus")
	assert.Equal(t, `{"servers": []}`, ex.body, "Nova lists nothing for an unknown status")
}

// Nova's limit: min(max_limit, limit), so 0 lists nothing and a limit too
// large for an int is the maximum.
func TestListServersLimit(t *testing.T) {
	ts, _ := serversFixture(t)
	ts.AddServer("vm")
	f := &consoleFixture{Test: ts}
	get := func(q string) exchange {
		return f.do(t, http.MethodGet, "/v2.1/servers"+q, map[string]string{"X-Auth-Token": ts.Token}, "")
	}
	assert.Equal(t, `{"servers": []}`, get("?limit=0").body)
	ex := get("?limit=99999999999999999999999")
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Contains(t, ex.body, `"name": "vm"`)
	assert.Equal(t, http.StatusBadRequest, get("?limit=-99999999999999999999999").status)
}

// A name filter (or any of the list's "regex" parameters) that Python's
// re.compile refuses is Nova's query schema 400; the
// legacy /v2 endpoint has no query schema, and the tags filters are
// checked from 2.26.
func TestListServersRegexParams(t *testing.T) {
	ts, _ := serversFixture(t)
	ts.AddServer("vm-1")
	base := ts.URL + "/v2.1/" + ts.ProjectID
	for _, tc := range []struct {
		query, version, message string
	}{
		{"name=(", "2.1", "Invalid input for query parameters name. Value: (. '(' is not a 'regex'"},
		{"name=vm&name=%5Bvm", "2.60", "Invalid input for query parameters name. Value: [vm. '[vm' is not a 'regex'"},
		{"display_name=a%5C", "2.1", `Invalid input for query parameters display_name. Value: a\. 'a\\' is not a 'regex'`},
		{"name=*a&hostname=)", "2.1", "Invalid input for query parameters hostname. Value: ). ')' is not a 'regex'"},
		{"tags=(", "2.26", "Invalid input for query parameters tags. Value: (. '(' is not a 'regex'"},
	} {
		ex := send(t, base, http.MethodGet, "/servers?"+tc.query, apiHeader(ts.Token, tc.version), "")
		assertFault(t, ex, http.StatusBadRequest, tc.message)
	}
	for _, tc := range []struct{ path, query, version string }{
		{"/v2/" + ts.ProjectID, "name=(", ""},                       // legacy: no query schema
		{"/v2.1/" + ts.ProjectID, "tags=(", "2.25"},                 // tags are not in 2.1's schema
		{"/v2.1/" + ts.ProjectID, "name=(?=vm)", "2.1"},             // Python takes lookaheads
		{"/v2.1/" + ts.ProjectID, "name=%5B%5D-%5D&name=vm", "2.1"}, // [] as Python reads it: "]" first is a member
	} {
		ex := send(t, ts.URL+tc.path, http.MethodGet, "/servers?"+tc.query, apiHeader(ts.Token, tc.version), "")
		assert.Equal(t, http.StatusOK, ex.status, "%s?%s: %s", tc.path, tc.query, ex.body)
	}
	ok := send(t, base, http.MethodGet, "/servers?name=%5Evm-1%24", apiHeader(ts.Token, "2.1"), "")
	require.Equal(t, http.StatusOK, ok.status, ok.body)
	assert.Len(t, decodeAny(t, ok)["servers"], 1)
}
