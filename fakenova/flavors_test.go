package fakenova_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// The project and host of Nova's api-samples.
const (
	sampleProject = "6f70656e737461636b20342065766572"
	sampleHost    = "openstack.example.com"
)

// sampleFlavors are the flavors of Nova's flavor api-samples: the classic
// five, m1.tiny.specs, and from 2.55 m1.small.description.
func sampleFlavors(withDescription bool) []state.Flavor {
	out := []state.Flavor{
		{ID: "1", Name: "m1.tiny", VCPUs: 1, RAM: 512, Disk: 1},
		{ID: "2", Name: "m1.small", VCPUs: 1, RAM: 2048, Disk: 20},
		{ID: "3", Name: "m1.medium", VCPUs: 2, RAM: 4096, Disk: 40},
		{ID: "4", Name: "m1.large", VCPUs: 4, RAM: 8192, Disk: 80},
		{ID: "5", Name: "m1.xlarge", VCPUs: 8, RAM: 16384, Disk: 160},
		{ID: "6", Name: "m1.tiny.specs", VCPUs: 1, RAM: 512, Disk: 1, ExtraSpecs: map[string]string{"hw:numa_nodes": "1"}},
	}
	if withDescription {
		out = append(out, state.Flavor{ID: "7", Name: "m1.small.description", VCPUs: 1, RAM: 2048, Disk: 20,
			Description: "test description", ExtraSpecs: map[string]string{"hw:cpu_policy": "shared", "hw:numa_nodes": "1"}})
	}
	return out
}

// sampleNova is a fake with the api-samples' project, its token (member
// and reader, as the samples' tests use) and the given flavors.
func sampleNova(t *testing.T, flavorList []state.Flavor, roles ...string) (*fakenova.Nova, *state.Store) {
	t.Helper()
	st := state.New()
	_, err := st.AddProject(state.Project{ID: sampleProject, Name: "openstack"})
	require.NoError(t, err)
	if len(roles) == 0 {
		roles = []string{"member", "reader"}
	}
	require.NoError(t, st.AddToken(state.AuthToken{Token: "sample-token", ProjectID: sampleProject, UserID: "admin", Roles: roles}))
	for _, f := range flavorList {
		_, err := st.AddFlavor(f)
		require.NoError(t, err)
	}
	return fakenova.New(fakenova.WithState(st)), st
}

// sampleGet sends GET path (under /v2.1/<project>) to the fake as the
// samples' host, at a microversion ("" for none).
func sampleGet(t *testing.T, h http.Handler, path, version string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://"+sampleHost+"/v2.1/"+sampleProject+path, nil)
	req.Header.Set("X-Auth-Token", "sample-token")
	if version != "" {
		req.Header.Set("OpenStack-API-Version", "compute "+version)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// readSample reads an api-sample, with the v2 links of the older samples
// written as the v2.1 endpoint's (the samples' tests ran the v2.1 API
// under /v2).
func readSample(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/api_samples/" + name)
	require.NoError(t, err)
	return strings.ReplaceAll(string(data), "http://"+sampleHost+"/v2/", "http://"+sampleHost+"/v2.1/")
}

// Golden: every flavor api-sample, at its microversion, from the same
// flavors.
func TestFlavorsGoldenSamples(t *testing.T) {
	rows := []struct {
		sample, path, version string
		described             bool
	}{
		{"flavors/flavors-list-resp.json", "/flavors", "", false},
		{"flavors/flavors-detail-resp.json", "/flavors/detail", "", false},
		{"flavors/flavor-get-resp.json", "/flavors/1", "", false},
		{"flavors/v2.55/flavors-list-resp.json", "/flavors", "2.55", true},
		{"flavors/v2.55/flavors-detail-resp.json", "/flavors/detail", "2.55", true},
		{"flavors/v2.55/flavor-get-resp.json", "/flavors/7", "2.55", true},
		{"flavors/v2.61/flavors-list-resp.json", "/flavors", "2.61", true},
		{"flavors/v2.61/flavors-detail-resp.json", "/flavors/detail", "2.61", true},
		{"flavors/v2.61/flavor-get-resp.json", "/flavors/7", "2.61", true},
		{"flavors/v2.75/flavors-list-resp.json", "/flavors", "2.75", true},
		{"flavors/v2.75/flavors-detail-resp.json", "/flavors/detail", "2.75", true},
		{"flavors/v2.75/flavor-get-resp.json", "/flavors/7", "2.75", true},
		{"flavors/v2.102/flavors-list-resp.json", "/flavors", "2.102", true},
		{"flavors/v2.102/flavors-detail-resp.json", "/flavors/detail", "2.102", true},
		{"flavors/v2.102/flavor-get-resp.json", "/flavors/7", "2.102", true},
		{"flavor-extra-specs/flavor-extra-specs-list-resp.json", "/flavors/7/os-extra_specs", "", true},
		{"flavor-extra-specs/flavor-extra-specs-get-resp.json", "/flavors/6/os-extra_specs/hw:numa_nodes", "", true},
	}
	for _, row := range rows {
		t.Run(row.sample, func(t *testing.T) {
			nova, _ := sampleNova(t, sampleFlavors(row.described))
			rec := sampleGet(t, nova, row.path, row.version)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.JSONEq(t, readSample(t, row.sample), rec.Body.String())
		})
	}
}

// The wire: Nova's key order (views/flavors.py show), Python's separators
// and floats, swap "" before 2.75.
func TestFlavorWireOrder(t *testing.T) {
	nova, _ := sampleNova(t, sampleFlavors(true))
	links := `"links": [{"rel": "self", "href": "http://openstack.example.com/v2.1/` + sampleProject + `/flavors/7"}, ` +
		`{"rel": "bookmark", "href": "http://openstack.example.com/` + sampleProject + `/flavors/7"}]`
	rec := sampleGet(t, nova, "/flavors/7", "")
	assert.Equal(t, `{"flavor": {"id": "7", "name": "m1.small.description", "ram": 2048, "disk": 20, "swap": "", `+
		`"OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": false, "vcpus": 1, `+
		`"os-flavor-access:is_public": true, "rxtx_factor": 1.0, `+links+`}}`, rec.Body.String())
	rec = sampleGet(t, nova, "/flavors/7", "2.102")
	assert.Equal(t, `{"flavor": {"id": "7", "name": "m1.small.description", "ram": 2048, "disk": 20, "swap": 0, `+
		`"OS-FLV-EXT-DATA:ephemeral": 0, "vcpus": 1, "os-flavor-access:is_public": true, `+links+
		`, "description": "test description", "extra_specs": {"hw:cpu_policy": "shared", "hw:numa_nodes": "1"}}}`, rec.Body.String())
	assertVersionHeaders(t, rec.Header(), "2.102")
}

// flavorIDs lists the ids of a flavor list answer.
func flavorIDs(t *testing.T, rec *httptest.ResponseRecorder) []string {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out struct {
		Flavors []struct{ ID string } `json:"flavors"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	ids := []string{}
	for _, f := range out.Flavors {
		ids = append(ids, f.ID)
	}
	return ids
}

func TestListFlavorsFiltersAndVisibility(t *testing.T) {
	extra := []state.Flavor{
		{ID: "10", Name: "big", VCPUs: 16, RAM: 65536, Disk: 500},
		{ID: "p1", Name: "private-ours", VCPUs: 1, RAM: 256, Disk: 1, Private: true, Projects: []string{sampleProject}},
		{ID: "p2", Name: "private-theirs", VCPUs: 1, RAM: 256, Disk: 1, Private: true, Projects: []string{"0123456789abcdef0123456789abcdef"}},
		{ID: "d1", Name: "disabled", VCPUs: 1, RAM: 256, Disk: 1, Disabled: true},
	}
	member, _ := sampleNova(t, append(sampleFlavors(false), extra...))
	admin, _ := sampleNova(t, append(sampleFlavors(false), extra...), "admin", "member", "reader")
	rows := []struct {
		name  string
		nova  *fakenova.Nova
		query string
		want  []string
	}{
		// flavorid sorts as a string: "10" before "2".
		{"member default", member, "", []string{"1", "10", "2", "3", "4", "5", "6", "p1"}},
		{"member ignores is_public", member, "?is_public=None", []string{"1", "10", "2", "3", "4", "5", "6", "p1"}},
		{"member ignores a bad is_public", member, "?is_public=bogus", []string{"1", "10", "2", "3", "4", "5", "6", "p1"}},
		{"admin default: public and ours", admin, "", []string{"1", "10", "2", "3", "4", "5", "6", "d1", "p1"}},
		{"admin none: all", admin, "?is_public=None", []string{"1", "10", "2", "3", "4", "5", "6", "d1", "p1", "p2"}},
		{"admin NONE: all", admin, "?is_public=NONE", []string{"1", "10", "2", "3", "4", "5", "6", "d1", "p1", "p2"}},
		{"admin false: private", admin, "?is_public=false", []string{"p1", "p2"}},
		{"admin true", admin, "?is_public=yes", []string{"1", "10", "2", "3", "4", "5", "6", "d1", "p1"}},
		{"minRam", member, "?minRam=4096", []string{"10", "3", "4", "5"}},
		{"minDisk", member, "?minDisk=80", []string{"10", "4", "5"}},
		{"minRam with spaces and a sign", member, "?minRam=+8192%20", []string{"10", "4", "5"}},
		{"sort by memory, desc", member, "?sort_key=memory_mb&sort_dir=desc", []string{"10", "5", "4", "3", "2", "6", "1", "p1"}},
		{"sort by name", member, "?sort_key=name", []string{"10", "4", "3", "2", "1", "6", "5", "p1"}},
		{"the last sort_key wins", member, "?sort_key=name&sort_key=vcpus&sort_dir=desc", []string{"10", "5", "4", "3", "p1", "6", "2", "1"}},
		{"limit", member, "?limit=3", []string{"1", "10", "2"}},
		{"limit 0", member, "?limit=0", []string{}},
		{"marker", member, "?marker=2&limit=2", []string{"3", "4"}},
		{"name is ignored before 2.102", member, "?name=tiny", []string{"1", "10", "2", "3", "4", "5", "6", "p1"}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			assert.Equal(t, row.want, flavorIDs(t, sampleGet(t, row.nova, "/flavors"+row.query, "")))
		})
	}
	t.Run("name at 2.102 is a regular expression", func(t *testing.T) {
		assert.Equal(t, []string{"1", "6"}, flavorIDs(t, sampleGet(t, member, "/flavors?name=^m1%5C.tiny", "2.102")))
	})
	t.Run("show finds a disabled flavor, not another project's private one", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, sampleGet(t, member, "/flavors/d1", "").Code)
		assertRecorderFault(t, sampleGet(t, member, "/flavors/p2", ""), 404, "Flavor p2 could not be found.")
		assert.Equal(t, http.StatusOK, sampleGet(t, admin, "/flavors/p2", "").Code)
	})
}

// A page as long as the limit links to the next, with the request's
// parameters sorted and the last flavorid as the marker.
func TestListFlavorsNextLink(t *testing.T) {
	nova, _ := sampleNova(t, sampleFlavors(false))
	rec := sampleGet(t, nova, "/flavors/detail?sort_key=flavorid&limit=2&minRam=0", "")
	var page struct {
		Flavors []struct{ ID string } `json:"flavors"`
		Links   []map[string]string   `json:"flavors_links"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page), rec.Body.String())
	require.Len(t, page.Flavors, 2)
	assert.Equal(t, []map[string]string{{"rel": "next",
		"href": "http://openstack.example.com/v2.1/" + sampleProject + "/flavors/detail?limit=2&minRam=0&sort_key=flavorid&marker=2"}}, page.Links)
	assert.Contains(t, rec.Body.String(), `"flavors_links": [{"rel": "next", "href": `)

	// An unknown parameter is dropped from the link before 2.75.
	rec = sampleGet(t, nova, "/flavors?limit=5&foo=bar&marker=1", "")
	assert.Contains(t, rec.Body.String(), `/flavors?limit=5&marker=6"}]`)
	// The last page is short: no link.
	rec = sampleGet(t, nova, "/flavors?limit=3&marker=4", "")
	assert.NotContains(t, rec.Body.String(), "flavors_links")
}

func TestFlavorsErrors(t *testing.T) {
	member, _ := sampleNova(t, sampleFlavors(false))
	admin, _ := sampleNova(t, sampleFlavors(false), "admin")
	reader, _ := sampleNova(t, sampleFlavors(false), "reader")
	other, _ := sampleNova(t, sampleFlavors(false), "other-role")
	sortKeys := "['created_at', 'description', 'disabled', 'ephemeral_gb', 'flavorid', 'id', 'is_public', 'memory_mb', " +
		"'name', 'root_gb', 'rxtx_factor', 'swap', 'updated_at', 'vcpu_weight', 'vcpus']"
	rows := []struct {
		name          string
		nova          *fakenova.Nova
		path, version string
		status        int
		message       string
	}{
		{"unknown flavor", member, "/flavors/m1.tiny", "", 404, "Flavor m1.tiny could not be found."},
		{"limit not a number", member, "/flavors?limit=-1", "", 400,
			"Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'"},
		{"limit empty", member, "/flavors?limit=", "", 400,
			"Invalid input for query parameters limit. Value: . '' should be non-empty"},
		{"the first bad limit", member, "/flavors?limit=1&limit=x", "", 400,
			"Invalid input for query parameters limit. Value: x. 'x' does not match '^[0-9]*$'"},
		{"sort_key", member, "/flavors?sort_key=foo", "", 400,
			"Invalid input for query parameters sort_key. Value: foo. 'foo' is not one of " + sortKeys},
		{"rxtx_factor is no sort key at 2.102", member, "/flavors?sort_key=rxtx_factor", "2.102", 400,
			"Invalid input for query parameters sort_key. Value: rxtx_factor. 'rxtx_factor' is not one of " +
				strings.Replace(sortKeys, "'rxtx_factor', ", "", 1)},
		{"sort_dir", member, "/flavors/detail?sort_dir=up", "", 400,
			"Invalid input for query parameters sort_dir. Value: up. 'up' is not one of ['asc', 'desc']"},
		{"schema order: limit before sort_key", member, "/flavors?sort_key=foo&limit=x", "", 400,
			"Invalid input for query parameters limit. Value: x. 'x' does not match '^[0-9]*$'"},
		{"minRam", member, "/flavors?minRam=abc", "", 400, "Invalid minRam filter [abc]"},
		{"minDisk", member, "/flavors/detail?minDisk=1.5", "", 400, "Invalid minDisk filter [1.5]"},
		{"is_public for an admin", admin, "/flavors?is_public=maybe", "", 400, "Invalid is_public filter [maybe]"},
		{"is_public none with a space", admin, "/flavors?is_public=%20none", "", 400, "Invalid is_public filter [ none]"},
		{"marker", member, "/flavors?marker=nope", "", 400, "marker [nope] not found"},
		{"additional parameters from 2.75", member, "/flavors?foo=1&bar=2", "2.75", 400,
			"Additional properties are not allowed ('bar', 'foo' were unexpected)"},
		{"name is additional at 2.75", member, "/flavors?name=x", "2.101", 400,
			"Additional properties are not allowed ('name' was unexpected)"},
		{"show takes no parameters from 2.102", member, "/flavors/1?x=1", "2.102", 400,
			"Additional properties are not allowed ('x' was unexpected)"},
		{"query not UTF-8", member, "/flavors?marker=%ff", "", 400, "Query string is not UTF-8 encoded"},
		{"extra specs of an unknown flavor", member, "/flavors/99/os-extra_specs", "", 404, "Flavor 99 could not be found."},
		{"extra spec not there", member, "/flavors/1/os-extra_specs/hw:numa_nodes", "", 404,
			"Flavor 1 has no extra specs with key hw:numa_nodes."},
		{"extra specs need a reader", other, "/flavors/1/os-extra_specs", "", 403,
			"Policy doesn't allow os_compute_api:os-flavor-extra-specs:index to be performed."},
		{"the policy before the lookup", other, "/flavors/99/os-extra_specs/x", "", 403,
			"Policy doesn't allow os_compute_api:os-flavor-extra-specs:show to be performed."},
		{"a reader reads extra specs", reader, "/flavors/6/os-extra_specs/hw:numa_nodes", "", 200, ""},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			rec := sampleGet(t, row.nova, row.path, row.version)
			if row.status == 200 {
				assert.Equal(t, 200, rec.Code, rec.Body.String())
				return
			}
			assertRecorderFault(t, rec, row.status, row.message)
		})
	}
	// Flavor views hold extra_specs from 2.61 only for callers the policy
	// lets read them.
	rec := sampleGet(t, other, "/flavors/6", "2.61")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.NotContains(t, rec.Body.String(), "extra_specs")
	assert.Contains(t, sampleGet(t, reader, "/flavors/6", "2.61").Body.String(), `"extra_specs": {"hw:numa_nodes": "1"}`)
}

// assertRecorderFault checks a Nova fault answer of a recorder.
func assertRecorderFault(t *testing.T, rec *httptest.ResponseRecorder, status int, message string) {
	t.Helper()
	assertFault(t, exchange{status: rec.Code, header: rec.Header(), body: rec.Body.String()}, status, message)
}

// gophercloud's flavors package against Start's classic flavors.
func TestGophercloudFlavors(t *testing.T) {
	ts := fakenova.Start(t)
	ctx := context.Background()
	client := computeClient(ts, ts.Token, "2.61")

	pages, err := flavors.ListDetail(client, flavors.ListOpts{AccessType: flavors.AllAccess}).AllPages(ctx)
	require.NoError(t, err)
	list, err := flavors.ExtractFlavors(pages)
	require.NoError(t, err)
	require.Len(t, list, 5)
	assert.Equal(t, "m1.tiny", list[0].Name)
	assert.Equal(t, 512, list[0].RAM)
	assert.Equal(t, 1, list[0].VCPUs)
	assert.True(t, list[0].IsPublic)
	assert.Equal(t, map[string]string{}, list[0].ExtraSpecs)

	// Paging by two: three pages, through flavors_links.
	pages, err = flavors.ListDetail(client, flavors.ListOpts{Limit: 2, MinRAM: 1024}).AllPages(ctx)
	require.NoError(t, err)
	list, err = flavors.ExtractFlavors(pages)
	require.NoError(t, err)
	var names []string
	for _, f := range list {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"m1.small", "m1.medium", "m1.large", "m1.xlarge"}, names)

	f, err := flavors.Get(ctx, client, "3").Extract()
	require.NoError(t, err)
	assert.Equal(t, "m1.medium", f.Name)
	assert.Equal(t, 40, f.Disk)
	_, err = flavors.Get(ctx, client, "m1.medium").Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)

	_, err = ts.State.AddFlavor(state.Flavor{ID: "gpu", Name: "g1.large", VCPUs: 8, RAM: 32768, Disk: 100,
		ExtraSpecs: map[string]string{"resources:VGPU": "1", "trait:CUSTOM_GPU": "required"}})
	require.NoError(t, err)
	specs, err := flavors.ListExtraSpecs(ctx, client, "gpu").Extract()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"resources:VGPU": "1", "trait:CUSTOM_GPU": "required"}, specs)
	spec, err := flavors.GetExtraSpec(ctx, client, "gpu", "resources:VGPU").Extract()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"resources:VGPU": "1"}, spec)
	ts.AssertCalled("listFlavorsDetailed", 4)
	ts.AssertCalled("showFlavor", 2)
	ts.AssertCalled("listFlavorExtraSpecs", 1)
	ts.AssertCalled("showFlavorExtraSpec", 1)
}
