package image_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListImages(t *testing.T) {
	srv := serve(t, newStore(t))
	cases := []struct {
		name, query, token string
		want               []string
	}{
		{"default: created_at desc", "", tokenA, []string{shared, private, cirros, fedora}},
		{"other project", "", tokenB, []string{shared, cirros, fedora}},
		{"admin", "", tokenAdmin, []string{shared, private, cirros, fedora}},
		{"name", "?name=mine", tokenA, []string{private}},
		{"name in", `?name=in:mine,"F17-x86_64-cfntools"`, tokenA, []string{private, fedora}},
		{"name eq", "?name=eq:mine", tokenA, []string{private}},
		{"status", "?status=active", tokenA, []string{shared, private, cirros, fedora}},
		{"unknown status", "?status=bogus", tokenA, []string{}},
		{"visibility", "?visibility=private", tokenA, []string{private}},
		{"visibility shared", "?visibility=shared", tokenA, []string{shared}},
		{"disk_format in", "?disk_format=in:raw,iso", tokenA, []string{shared, private}},
		{"tag", "?tag=a", tokenA, []string{shared, private}},
		{"tags all", "?tag=a&tag=b", tokenA, []string{private}},
		{"owner", "?owner=" + projB, tokenA, []string{shared}},
		{"property", "?os_distro=ubuntu", tokenA, []string{private}},
		{"size range", "?size_min=1024&size_max=2048", tokenA, []string{shared, private}},
		{"os_hidden", "?os_hidden=true", tokenA, []string{hidden}},
		{"os_hidden upper", "?os_hidden=TRUE", tokenA, []string{hidden}},
		{"protected", "?protected=false", tokenA, []string{shared, private, cirros, fedora}},
		{"created_at gte", "?created_at=gte:2020-01-01T00:00:00Z", tokenA, []string{shared, private}},
		{"created_at eq time", "?created_at=2020-01-01T00:00:00Z", tokenA, []string{private}},
		{"sort name asc", "?sort_key=name&sort_dir=asc", tokenA, []string{fedora, cirros, private, shared}},
		{"sort new syntax", "?sort=size:asc", tokenA, []string{private, shared, cirros, fedora}},
		{"sort two keys", "?sort=disk_format:asc,name:desc", tokenA, []string{shared, cirros, fedora, private}},
		{"limit", "?limit=2", tokenA, []string{shared, private}},
		{"marker", "?marker=" + private, tokenA, []string{cirros, fedora}},
		{"marker outside the filter", "?marker=" + private + "&name=theirs", tokenA, []string{}},
		{"member status pending", "?member_status=pending", tokenA, []string{private, cirros, fedora}},
		{"repeated limit is a property filter", "?limit=1&limit=2", tokenA, []string{}},
		{"repeated name: last wins", "?name=mine&name=theirs", tokenA, []string{shared}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, srv, "GET", "/image/v2/images"+tc.query, tc.token)
			require.Equal(t, http.StatusOK, a.code, a.body)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			assert.Regexp(t, `^req-[0-9a-f-]{36}$`, a.header.Get("X-Openstack-Request-Id"))
			assert.Equal(t, tc.want, ids(t, a))
		})
	}
}

func TestListLinks(t *testing.T) {
	srv := serve(t, newStore(t))
	a := do(t, srv, "GET", "/image/v2/images?limit=2&sort_key=name&sort_dir=asc&marker="+fedora, tokenA)
	require.Equal(t, http.StatusOK, a.code, a.body)
	m := a.json(t)
	assert.Equal(t, "/v2/images?limit=2&sort_key=name&sort_dir=asc", m["first"])
	assert.Equal(t, "/v2/schemas/images", m["schema"])
	assert.Equal(t, "/v2/images?limit=2&sort_key=name&sort_dir=asc&marker="+private, m["next"])
	assert.Equal(t, []string{cirros, private}, ids(t, a))

	a = do(t, srv, "GET", "/image/v2/images?limit=3&marker="+private, tokenA)
	m = a.json(t)
	assert.NotContains(t, m, "next", "a page that is not full has no next")
	assert.Equal(t, "/v2/images?limit=3", m["first"])
	a = do(t, srv, "GET", "/image/v2/images?name=a+b%2Fc", tokenA)
	assert.Equal(t, "/v2/images?name=a+b%2Fc", a.json(t)["first"])
	assert.Contains(t, a.body, `"images": [], "first": "/v2/images?name=a+b%2Fc", "schema": "/v2/schemas/images"}`)

	// Paging through everything with limit=1 visits every image once.
	var seen []string
	next := "/v2/images?limit=1"
	for i := 0; next != "" && i < 10; i++ {
		a := do(t, srv, "GET", "/image"+next, tokenA)
		require.Equal(t, http.StatusOK, a.code, a.body)
		seen = append(seen, ids(t, a)...)
		next, _ = a.json(t)["next"].(string)
	}
	assert.Equal(t, []string{shared, private, cirros, fedora}, seen)
}

func TestListErrors(t *testing.T) {
	srv := serve(t, newStore(t))
	cases := []struct {
		name, query string
		code        int
		message     string
	}{
		{"limit not int", "?limit=abc", 400, "limit param must be an integer"},
		{"limit negative", "?limit=-1", 400, "limit param must be positive"},
		{"sort key", "?sort_key=owner", 400, "Invalid sort key: owner. It must be one of the following: name, status, container_format, disk_format, size, id, created_at, updated_at."},
		{"sort dir", "?sort_dir=up", 400, "Invalid sort direction: up"},
		{"sort mixed", "?sort=name&sort_key=name", 400, "Old and new sorting syntax cannot be combined"},
		{"sort dir count", "?sort_key=name&sort_dir=asc&sort_dir=desc&sort_key=id&sort_key=size", 400, "Number of sort dirs does not match the number of sort keys"},
		{"visibility", "?visibility=everyone", 400, "Invalid visibility value: everyone"},
		{"member status", "?member_status=maybe", 400, "Invalid status: maybe"},
		{"changes-since", "?changes-since=2020-01-01", 400, `The "changes-since" filter is no longer available on v2.`},
		{"os_hidden", "?os_hidden=Yes", 400, "Invalid value 'yes' for 'os_hidden' filter. Valid values are 'true' or 'false'."},
		{"protected", "?protected=True", 400, "Invalid value 'True' for 'protected' filter. Valid values are 'true' or 'false'."},
		{"operator", "?name=a:b", 400, "Unable to filter by unknown operator 'a'."},
		{"range", "?size_min=big", 400, "Unable to filter on a range with a non-numeric value."},
		{"time", "?created_at=gt:yesterday", 400, `Bad "created_at" query filter format. Use ISO 8601 DateTime notation.`},
		{"time operator", "?updated_at=after:2020-01-01", 400, "Unable to filter on a unknown operator."},
		{"quotes", `?name=in:"a`, 400, `Invalid filter value "a. The quote is not closed.`},
		{"unknown marker", "?marker=00000000-0000-4000-8000-000000000000", 400, "No image found with ID 00000000-0000-4000-8000-000000000000"},
		{"long marker", "?marker=0000000000000000000000000000000000000", 400, "Image with the given id %(image_id)s was not found"},
		{"invisible marker", "?marker=" + private, 403, "Forbidding request, image " + private + " not visible"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, srv, "GET", "/image/v2/images"+tc.query, tokenB, "Accept: application/json")
			require.Equal(t, tc.code, a.code, a.body)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			assert.Equal(t, tc.message+"<br /><br />\n\n\n", a.json(t)["message"])
		})
	}
}

func TestShowImage(t *testing.T) {
	srv := serve(t, newStore(t))
	a := do(t, srv, "GET", "/image/v2/images/"+private, tokenA)
	require.Equal(t, http.StatusOK, a.code, a.body)
	assert.Equal(t, `{"hw_disk_bus": "scsi", "os_distro": "ubuntu", "name": "mine", "disk_format": "raw", `+
		`"container_format": "bare", "visibility": "private", "size": 1024, "virtual_size": null, "status": "active", `+
		`"checksum": null, "protected": false, "min_ram": 0, "min_disk": 0, "owner": "`+projA+`", "os_hidden": false, `+
		`"os_hash_algo": null, "os_hash_value": null, "id": "`+private+`", "created_at": "2020-01-01T00:00:00Z", `+
		`"updated_at": "2020-01-01T00:00:00Z", "tags": ["a", "b"], "self": "/v2/images/`+private+`", `+
		`"file": "/v2/images/`+private+`/file", "schema": "/v2/schemas/image"}`, a.body)

	for name, tc := range map[string]struct{ path, token string }{
		"invisible": {"/image/v2/images/" + private, tokenB},
		"unknown":   {"/image/v2/images/nope", tokenA},
	} {
		t.Run(name, func(t *testing.T) {
			a := do(t, srv, "GET", tc.path, tc.token)
			require.Equal(t, http.StatusNotFound, a.code)
			assert.Equal(t, "text/plain; charset=UTF-8", a.header.Get("Content-Type"))
			id := tc.path[len("/image/v2/images/"):]
			assert.Equal(t, "404 Not Found\n\nNo image found with ID "+id+"\n\n   ", a.body)
		})
	}
	a = do(t, srv, "GET", "/image/v2.9/images/"+shared, tokenA)
	assert.Equal(t, http.StatusOK, a.code, "a versioned prefix")
	a = do(t, srv, "GET", "/image/images/"+shared, tokenA, "Accept: application/vnd.openstack.images-v2.1")
	assert.Equal(t, http.StatusOK, a.code, "the version in the Accept header")
}

func TestShowWithBody(t *testing.T) {
	srv := serve(t, newStore(t))
	req, err := http.NewRequest("GET", srv.URL+"/image/v2/images/"+cirros, strings.NewReader("{}"))
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", tokenA)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestRoutesAndAuth(t *testing.T) {
	srv := serve(t, newStore(t))
	cases := []struct {
		name, method, path, token string
		code                      int
		allow                     string
	}{
		{"no token", "GET", "/image/v2/images", "", 401, ""},
		{"bad token", "GET", "/image/v2/images", "nope", 401, ""},
		{"unknown route needs a token too", "GET", "/image/v2/nothing", "", 401, ""},
		{"unknown route", "GET", "/image/v2/nothing", tokenA, 404, ""},
		{"create not served", "POST", "/image/v2/images", tokenA, 501, ""},
		{"put images", "PUT", "/image/v2/images", tokenA, 405, "GET, POST"},
		{"head image", "HEAD", "/image/v2/images/" + cirros, tokenA, 405, "GET, PATCH, DELETE"},
		{"delete image", "DELETE", "/image/v2/images/" + cirros, tokenA, 501, ""},
		{"members", "GET", "/image/v2/images/" + cirros + "/members", tokenA, 501, ""},
		{"schemas", "POST", "/image/v2/schemas/image", tokenA, 405, "GET"},
		{"v2 root", "GET", "/image/v2/", tokenA, 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, srv, tc.method, tc.path, tc.token)
			require.Equal(t, tc.code, a.code, a.body)
			assert.Equal(t, tc.allow, a.header.Get("Allow"))
			if tc.code == 401 {
				assert.Equal(t, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`, a.body)
				assert.NotEmpty(t, a.header.Get("WWW-Authenticate"))
			} else {
				assert.NotEmpty(t, a.header.Get("X-Openstack-Request-Id"))
			}
		})
	}
}

func TestVersions(t *testing.T) {
	srv := serve(t, newStore(t))
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{"GET", "/image/", 300},
		{"GET", "/image/versions", 200},
		{"POST", "/image/", 300},
		{"GET", "/image/v3/images", 300},
		{"GET", "/image/v2.8/images", 300},
		{"GET", "/image/versions/x", 200},
	} {
		a := do(t, srv, tc.method, tc.path, "")
		require.Equal(t, tc.code, a.code, tc.path)
		assert.Equal(t, "application/json", a.header.Get("Content-Type"))
		assert.Empty(t, a.header.Get("X-Openstack-Request-Id"), "version negotiation runs before the context middleware")
		versions := a.json(t)["versions"].([]any)
		require.Len(t, versions, 14)
		first := versions[0].(map[string]any)
		assert.Equal(t, "v2.18", first["id"])
		assert.Equal(t, "CURRENT", first["status"])
		assert.Equal(t, []any{map[string]any{"rel": "self", "href": srv.URL + "/image/v2/"}}, first["links"])
	}
}

func TestLongQueriesAreBounded(t *testing.T) {
	srv := serve(t, newStore(t))
	for _, q := range []string{
		"?" + strings.Repeat("tag=a&", 2000),
		"?name=in:" + strings.Repeat("x,", 20000),
		"?" + strings.Repeat("sort_key=name&", 500) + "sort_dir=asc",
		"?name=" + strings.Repeat("%", 30000),
	} {
		a := do(t, srv, "GET", "/image/v2/images"+q, tokenA)
		assert.Contains(t, []int{200, 400}, a.code, a.body)
	}
}
