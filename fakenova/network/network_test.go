package network_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListNetworks(t *testing.T) {
	srv := serve(t, newStore(t))
	cases := []struct {
		name, query, token string
		want               []string
	}{
		{"own, shared and external", "", tokenA, []string{"private", "public"}},
		{"other project", "", tokenB, []string{"public", "other"}},
		{"admin", "", tokenAdmin, []string{"private", "public", "other"}},
		{"name", "?name=private", tokenA, []string{"private"}},
		{"names ORed", "?name=private&name=public", tokenA, []string{"private", "public"}},
		{"id", "?id=" + netPublic, tokenA, []string{"public"}},
		{"router:external", "?router%3Aexternal=True", tokenA, []string{"public"}},
		{"shared false", "?shared=false", tokenA, []string{"private", "public"}},
		{"empty values dropped", "?name=", tokenA, []string{"private", "public"}},
		{"mtu", "?mtu=1442", tokenAdmin, []string{"other"}},
		{"tags", "?tags=blue", tokenA, []string{"private"}},
		{"not-tags", "?not-tags=blue", tokenA, []string{"public"}},
		{"project", "?project_id=" + projB, tokenAdmin, []string{"public", "other"}},
		{"provider attribute keeps nothing", "?provider%3Anetwork_type=geneve", tokenA, []string{}},
		{"sort", "?sort_key=name&sort_dir=asc", tokenAdmin, []string{"other", "private", "public"}},
		{"json suffix", ".json?name=public", tokenA, []string{"public"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := "/networking/v2.0/networks"
			if strings.HasPrefix(tc.query, ".json") {
				path += ".json"
				tc.query = strings.TrimPrefix(tc.query, ".json")
			}
			a := do(t, srv, "GET", path+tc.query, tc.token)
			require.Equal(t, http.StatusOK, a.code, a.body)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			assert.Regexp(t, `^req-[0-9a-f-]{36}$`, a.header.Get("X-Openstack-Request-Id"))
			assert.Equal(t, tc.want, names(t, a, "networks"))
			assert.NotContains(t, a.json(t), "networks_links", "no limit, no links")
		})
	}
}

func TestNetworkRecord(t *testing.T) {
	srv := serve(t, newStore(t))
	a := do(t, srv, "GET", "/networking/v2.0/networks/"+netPrivate, tokenA)
	require.Equal(t, http.StatusOK, a.code, a.body)
	assert.Equal(t, `{"network":{"id":"`+netPrivate+`","name":"private","tenant_id":"`+projA+`","project_id":"`+projA+`",`+
		`"admin_state_up":true,"mtu":1500,"status":"ACTIVE","subnets":["`+subV4+`","`+subV6+`"],"shared":false,`+
		`"availability_zone_hints":[],"availability_zones":[],"ipv4_address_scope":null,"ipv6_address_scope":null,`+
		`"router:external":false,"description":"","port_security_enabled":true,"is_default":false,"tags":["blue"],`+
		`"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z","revision_number":3}}`, a.body)

	a = do(t, srv, "GET", "/networking/v2.0/networks/"+netPrivate+".json?fields=id&fields=name", tokenA)
	require.Equal(t, http.StatusOK, a.code, a.body)
	assert.Equal(t, `{"network":{"id":"`+netPrivate+`","name":"private"}}`, a.body)

	a = do(t, srv, "GET", "/networking/v2.0/networks/"+netOther, tokenA)
	require.Equal(t, http.StatusNotFound, a.code)
	typ, msg := neutronError(t, a)
	assert.Equal(t, "NetworkNotFound", typ)
	assert.Equal(t, "Network "+netOther+" could not be found.", msg)
}

func TestPaging(t *testing.T) {
	srv := serve(t, newStore(t))
	a := do(t, srv, "GET", "/networking/v2.0/networks?limit=2&sort_key=name&sort_dir=asc", tokenAdmin)
	require.Equal(t, http.StatusOK, a.code, a.body)
	assert.Equal(t, []string{"other", "private"}, names(t, a, "networks"))
	links := a.json(t)["networks_links"].([]any)
	require.Len(t, links, 2)
	next := links[0].(map[string]any)
	assert.Equal(t, "next", next["rel"])
	assert.Equal(t, srv.URL+"/networking/v2.0/networks?limit=2&sort_key=name&sort_dir=asc&marker="+netPrivate, next["href"])
	prev := links[1].(map[string]any)
	assert.Equal(t, "previous", prev["rel"])
	assert.Equal(t, srv.URL+"/networking/v2.0/networks?limit=2&sort_key=name&sort_dir=asc&marker="+netOther+"&page_reverse=True", prev["href"])

	a = do(t, srv, "GET", strings.TrimPrefix(next["href"].(string), srv.URL), tokenAdmin)
	require.Equal(t, http.StatusOK, a.code, a.body)
	assert.Equal(t, []string{"public"}, names(t, a, "networks"))
	links = a.json(t)["networks_links"].([]any)
	require.Len(t, links, 1, "a short page has only previous")
	assert.Equal(t, "previous", links[0].(map[string]any)["rel"])

	a = do(t, srv, "GET", "/networking/v2.0/networks?limit=1&marker=00000000-0000-4000-8000-000000000000", tokenAdmin)
	require.Equal(t, http.StatusNotFound, a.code)
	typ, _ := neutronError(t, a)
	assert.Equal(t, "NetworkNotFound", typ)
	a = do(t, srv, "GET", "/networking/v2.0/networks?marker=00000000-0000-4000-8000-000000000000", tokenAdmin)
	assert.Equal(t, http.StatusOK, a.code, "without a limit the marker is ignored")
	a = do(t, srv, "GET", "/networking/v2.0/networks?limit=1&marker="+netPublic+"&sort_key=name&sort_dir=asc&page_reverse=True", tokenAdmin)
	require.Equal(t, http.StatusOK, a.code, a.body)
	assert.Equal(t, []string{"private"}, names(t, a, "networks"))
}

func TestListErrors(t *testing.T) {
	srv := serve(t, newStore(t))
	cases := []struct{ path, typ, message string }{
		{"/networking/v2.0/networks?foo=1&subnets=x", "HTTPBadRequest", "['foo', 'subnets'] is invalid attribute for filtering"},
		{"/networking/v2.0/networks?shared=maybe", "InvalidInput", "Invalid input for operation: 'maybe' cannot be converted to boolean."},
		{"/networking/v2.0/networks?mtu=big", "InvalidInput", "Invalid input for operation: 'big' is not an integer."},
		{"/networking/v2.0/networks?limit=abc", "BadRequest", "Bad limit request: Limit must be an integer 0 or greater and not 'abc'."},
		{"/networking/v2.0/networks?limit=-1", "BadRequest", "Bad limit request: Limit must be an integer 0 or greater and not '-1'."},
		{"/networking/v2.0/networks?sort_key=name", "HTTPBadRequest", "The number of sort_keys and sort_dirs must be same"},
		{"/networking/v2.0/networks?sort_key=subnets&sort_dir=asc", "HTTPBadRequest", "['subnets'] is invalid attribute for sort_keys"},
		{"/networking/v2.0/networks?sort_key=name&sort_dir=up", "HTTPBadRequest", "['up'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'"},
		{"/networking/v2.0/ports?fixed_ips=10.0.0.2", "InvalidInput", "Invalid input for operation: '10.0.0.2' is not of the form <key>=[value]."},
		{"/networking/v2.0/networks/" + netPrivate + "?foo=bar", "HTTPBadRequest", "['foo'] is invalid attribute for filtering"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			a := do(t, srv, "GET", tc.path, tokenA)
			require.Equal(t, http.StatusBadRequest, a.code, a.body)
			typ, msg := neutronError(t, a)
			assert.Equal(t, tc.typ, typ)
			assert.Equal(t, tc.message, msg)
		})
	}
}

func TestSubnetsAndPorts(t *testing.T) {
	srv := serve(t, newStore(t))
	a := do(t, srv, "GET", "/networking/v2.0/subnets", tokenA)
	require.Equal(t, http.StatusOK, a.code, a.body)
	assert.Equal(t, []string{"private-subnet", "ipv6-private-subnet"}, names(t, a, "subnets"), "not the external network's")
	a = do(t, srv, "GET", "/networking/v2.0/subnets/"+subV4, tokenA)
	require.Equal(t, http.StatusOK, a.code, a.body)
	assert.Equal(t, `{"subnet":{"id":"`+subV4+`","name":"private-subnet","project_id":"`+projA+`","network_id":"`+netPrivate+`",`+
		`"ip_version":4,"subnetpool_id":null,"enable_dhcp":true,"ipv6_ra_mode":null,"ipv6_address_mode":null,`+
		`"gateway_ip":"10.0.0.1","cidr":"10.0.0.0/26","allocation_pools":[{"start":"10.0.0.2","end":"10.0.0.62"}],`+
		`"host_routes":[],"dns_nameservers":[],"description":"","service_types":[],"tags":[],`+
		`"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z","revision_number":1,`+
		`"router:external":false,"tenant_id":"`+projA+`"}}`, a.body)
	a = do(t, srv, "GET", "/networking/v2.0/subnets?ip_version=6&network_id="+netPrivate, tokenA)
	assert.Equal(t, []string{"ipv6-private-subnet"}, names(t, a, "subnets"))
	a = do(t, srv, "GET", "/networking/v2.0/subnets/"+subPub, tokenA)
	require.Equal(t, http.StatusNotFound, a.code)
	typ, msg := neutronError(t, a)
	assert.Equal(t, "SubnetNotFound", typ)
	assert.Equal(t, "Subnet "+subPub+" could not be found.", msg)

	a = do(t, srv, "GET", "/networking/v2.0/ports?device_id="+server1, tokenA)
	require.Equal(t, http.StatusOK, a.code, a.body)
	ports := a.json(t)["ports"].([]any)
	require.Len(t, ports, 1)
	port := ports[0].(map[string]any)
	assert.Equal(t, "compute:nova", port["device_owner"])
	assert.Equal(t, "ACTIVE", port["status"])
	ips := port["fixed_ips"].([]any)
	require.Len(t, ips, 2)
	assert.Equal(t, map[string]any{"subnet_id": subV4, "ip_address": "10.0.0.2"}, ips[0])
	assert.Equal(t, projA, port["tenant_id"])
	id := port["id"].(string)

	for _, q := range []string{"?fixed_ips=ip_address%3D10.0.0.2", "?network_id=" + netPrivate + "&fixed_ips=ip_address%3D10.0.0.2&fields=device_id",
		"?fixed_ips=subnet_id%3D" + subV4, "?mac_address=" + port["mac_address"].(string)} {
		a = do(t, srv, "GET", "/networking/v2.0/ports"+q, tokenA)
		require.Equal(t, http.StatusOK, a.code, a.body)
		assert.Len(t, a.json(t)["ports"], 1, q)
	}
	a = do(t, srv, "GET", "/networking/v2.0/ports?network_id="+netPrivate+"&fixed_ips=ip_address%3D10.0.0.2&fields=device_id", tokenA)
	assert.Equal(t, `{"ports":[{"device_id":"`+server1+`"}]}`, a.body)
	a = do(t, srv, "GET", "/networking/v2.0/ports?device_id=00000000-0000-4000-8000-000000000000", tokenA)
	assert.Equal(t, `{"ports":[]}`, a.body)
	a = do(t, srv, "GET", "/networking/v2.0/ports?device_id="+server1, tokenB)
	assert.Equal(t, `{"ports":[]}`, a.body, "another project's ports are not seen")
	a = do(t, srv, "GET", "/networking/v2.0/ports/"+id, tokenB)
	require.Equal(t, http.StatusNotFound, a.code)
	typ, msg = neutronError(t, a)
	assert.Equal(t, "PortNotFound", typ)
	assert.Equal(t, "Port "+id+" could not be found.", msg)
}

func TestRoutesAndAuth(t *testing.T) {
	srv := serve(t, newStore(t))
	cases := []struct {
		method, path, token string
		code                int
		body, typ           string
	}{
		{"GET", "/networking/v2.0/networks", "", 401, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`, ""},
		{"GET", "/networking/v2.0/security-groups", tokenA, 200, `{"security_groups":[]}`, ""},
		{"GET", "/networking/v2.0/floatingips?port_id=x", tokenA, 200, `{"floatingips":[]}`, ""},
		{"GET", "/networking/v2.0/routers.json", tokenA, 200, `{"routers":[]}`, ""},
		{"GET", "/networking/v2.0/routers/abc", tokenA, 404, "", "RouterNotFound"},
		{"GET", "/networking/v2.0/bogus", tokenA, 404, "", "HTTPNotFound"},
		{"GET", "/networking/v2.0", tokenA, 404, "", "HTTPNotFound"},
		{"GET", "/networking/v2.0/networks/x/y", tokenA, 404, "", "HTTPNotFound"},
		{"POST", "/networking/v2.0/networks", tokenA, 501, "", "HTTPNotImplemented"},
		{"DELETE", "/networking/v2.0/ports/abc", tokenA, 501, "", "HTTPNotImplemented"},
		{"PATCH", "/networking/v2.0/networks", tokenA, 405, "", "HTTPMethodNotAllowed"},
		{"POST", "/networking/v2.0/", tokenA, 405, "", "HTTPMethodNotAllowed"},
		{"GET", "/networking/v2.0/extensions/bogus", tokenA, 404, "", "HTTPNotFound"},
		{"POST", "/networking/", "", 405, "", "HTTPMethodNotAllowed"},
		{"GET", "/networking/v3/", "", 404, "", "HTTPNotFound"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			a := do(t, srv, tc.method, tc.path, tc.token)
			require.Equal(t, tc.code, a.code, a.body)
			if tc.body != "" {
				assert.Equal(t, tc.body, a.body)
			}
			if tc.typ != "" {
				typ, _ := neutronError(t, a)
				assert.Equal(t, tc.typ, typ)
			}
		})
	}
}

func TestVersionsAndResources(t *testing.T) {
	srv := serve(t, newStore(t))
	a := do(t, srv, "GET", "/networking/", "")
	require.Equal(t, http.StatusOK, a.code)
	assert.Equal(t, `{"versions": [{"id": "v2.0", "status": "CURRENT", "links": [{"rel": "self", "href": "`+srv.URL+`/networking/v2.0/"}]}]}`, a.body)
	a = do(t, srv, "GET", "/networking/v2.0/", tokenA)
	require.Equal(t, http.StatusOK, a.code)
	res := a.json(t)["resources"].([]any)
	require.Len(t, res, 4)
	assert.Equal(t, map[string]any{"name": "network", "collection": "networks",
		"links": []any{map[string]any{"rel": "self", "href": srv.URL + "/networking/v2.0/networks"}}}, res[0])
	a = do(t, srv, "GET", "/networking/v2.0/extensions", tokenA)
	require.Equal(t, http.StatusOK, a.code)
	assert.Contains(t, a.body, `{"name": "Neutron external network", "alias": "external-net", "description": "Adds external network attribute to network resource.", "updated": "2013-01-14T10:00:00-00:00", "links": []}`)
	a = do(t, srv, "GET", "/networking/v2.0/extensions/net-mtu", tokenA)
	require.Equal(t, http.StatusOK, a.code)
	assert.Equal(t, "net-mtu", a.json(t)["extension"].(map[string]any)["alias"])
}

func TestLongQueriesAreBounded(t *testing.T) {
	srv := serve(t, newStore(t))
	for _, q := range []string{
		"?" + strings.Repeat("name=a&", 3000),
		"?" + strings.Repeat("sort_key=name&sort_dir=asc&", 800),
		"?tags=" + strings.Repeat("x,", 20000),
		"?limit=1&" + strings.Repeat("fields=id&", 2000),
		"?fixed_ips=" + strings.Repeat("ip_address%3D1&fixed_ips=", 2000) + "x",
	} {
		a := do(t, srv, "GET", "/networking/v2.0/ports"+q, tokenA)
		assert.Contains(t, []int{200, 400}, a.code, a.body)
	}
}
