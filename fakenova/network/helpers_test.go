package network_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/network"
	"github.com/novastub/novastub/state"
)

const (
	projA      = "1ab83fbf1b594600bfa618dc33694dd6"
	projB      = "2bc94a0a2c6a4711a0b729ed44705ee7"
	tokenA     = "token-a"
	tokenB     = "token-b"
	tokenAdmin = "token-admin"
	netPrivate = "4e8e5957-649f-477b-9e5b-f1f75b21c03c"
	netPublic  = "5f9f6a68-750a-488c-8f6c-a2a86c32d14d"
	netOther   = "6a0a7b79-861b-499d-9a7d-b3b97d43e25e"
	subV4      = "7b1b8c8a-972c-4aae-8b8e-c4ca8e54f36f"
	subV6      = "8c2c9d9b-a83d-4bbf-9c9f-d5db9f65a470"
	subPub     = "9d3daeac-b94e-4cc0-8daa-e6ecaa76b581"
	server1    = "365313c5-5d0c-4c43-af05-16f765c0f2bc"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newStore has projA's private network (v4 and SLAAC v6 subnets), projB's
// external public network and projB's "other" network, tokens for both
// projects and an admin, and a server of projA with a port on private.
func newStore(t testing.TB) *state.Store {
	t.Helper()
	st := state.New(state.WithClock(state.NewManualClock(t0)))
	for _, p := range []state.Project{{ID: projA, Name: "demo"}, {ID: projB, Name: "other"}} {
		_, err := st.AddProject(p)
		require.NoError(t, err)
	}
	require.NoError(t, st.AddToken(state.AuthToken{Token: tokenA, ProjectID: projA, Roles: []string{"member", "reader"}}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: tokenB, ProjectID: projB, Roles: []string{"member", "reader"}}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: tokenAdmin, ProjectID: projB, Roles: []string{"admin", "member", "reader"}}))
	require.NoError(t, st.AddHost(state.Host{Name: "compute-1"}))
	for _, n := range []state.Network{
		{ID: netPrivate, Name: "private", ProjectID: projA, Tags: []string{"blue"}},
		{ID: netPublic, Name: "public", ProjectID: projB, External: true, IsDefault: true},
		{ID: netOther, Name: "other", ProjectID: projB, MTU: 1442},
	} {
		_, err := st.AddNetwork(n)
		require.NoError(t, err)
	}
	for _, sn := range []state.Subnet{
		{ID: subV4, Name: "private-subnet", NetworkID: netPrivate, CIDR: "10.0.0.0/26"},
		{ID: subV6, Name: "ipv6-private-subnet", NetworkID: netPrivate, CIDR: "fd00:1::/64",
			IPv6RAMode: state.IPv6SLAAC, IPv6AddressMode: state.IPv6SLAAC},
		{ID: subPub, Name: "public-subnet", NetworkID: netPublic, CIDR: "172.24.4.0/24"},
	} {
		_, err := st.AddSubnet(sn)
		require.NoError(t, err)
	}
	_, err := st.AddServer(state.Server{ID: server1, Name: "vm1", ProjectID: projA, Host: "compute-1"})
	require.NoError(t, err)
	_, err = st.AllocatePorts(server1, state.Viewer{ProjectID: projA}, []state.NetworkRequest{{NetworkID: netPrivate}})
	require.NoError(t, err)
	return st
}

func serve(t testing.TB, st *state.Store, opts ...network.Option) *httptest.Server {
	t.Helper()
	svc := network.New(st, opts...)
	mux := http.NewServeMux()
	mux.Handle("/networking/", http.StripPrefix("/networking", svc))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	code   int
	header http.Header
	body   string
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(a.body), &m), a.body)
	return m
}

func do(t *testing.T, srv *httptest.Server, method, path, token string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header, string(body)}
}

// names lists the "name" of each object of a list body's collection.
func names(t *testing.T, a answer, collection string) []string {
	t.Helper()
	out := []string{}
	for _, o := range a.json(t)[collection].([]any) {
		out = append(out, o.(map[string]any)["name"].(string))
	}
	return out
}

func neutronError(t *testing.T, a answer) (string, string) {
	t.Helper()
	require.True(t, strings.HasPrefix(a.body, `{"NeutronError": {"type": `), a.body)
	e := a.json(t)["NeutronError"].(map[string]any)
	require.Equal(t, "", e["detail"])
	return e["type"].(string), e["message"].(string)
}
