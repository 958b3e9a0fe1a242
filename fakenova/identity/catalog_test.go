package identity_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

// catalogOf asks a service for the catalog of a member of demo, with the
// given Host.
func catalogOf(t *testing.T, svc *identity.Service, host string) []catalogService {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/v3/auth/catalog", nil)
	req.Host = host
	req.Header.Set("X-Auth-Token", "member-token")
	w := httptest.NewRecorder()
	svc.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var body struct {
		Catalog []catalogService `json:"catalog"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	return body.Catalog
}

func catalogStore(t *testing.T) *state.Store {
	t.Helper()
	store := state.New()
	_, err := store.AddProject(state.Project{ID: demoID, Name: "demo"})
	require.NoError(t, err)
	require.NoError(t, store.AddToken(state.AuthToken{Token: "member-token", ProjectID: demoID, Roles: []string{"member"}}))
	return store
}

func urls(catalog []catalogService) map[string]string {
	out := map[string]string{}
	for _, svc := range catalog {
		out[svc.Type+"/"+svc.Name] = svc.Endpoints[0].URL
	}
	return out
}

func TestCatalogOptions(t *testing.T) {
	store := catalogStore(t)
	for name, row := range map[string]struct {
		opts []identity.Option
		host string
		want map[string]string
	}{
		"defaults": {nil, "example.com", map[string]string{
			"identity/keystone": "http://example.com/identity", "compute/nova": "http://example.com/v2.1/" + demoID,
			"image/glance": "http://example.com/image", "network/neutron": "http://example.com/networking"}},
		"the standard port is not in Keystone's own URL": {nil, "example.com:80", map[string]string{
			"identity/keystone": "http://example.com/identity", "compute/nova": "http://example.com:80/v2.1/" + demoID,
			"image/glance": "http://example.com:80/image", "network/neutron": "http://example.com:80/networking"}},
		"behind a proxy": {[]identity.Option{identity.WithCatalogBaseURL("https://cloud.example/"),
			identity.WithExternalURL("https://cloud.example/identity")}, "127.0.0.1:8774", map[string]string{
			"identity/keystone": "https://cloud.example/identity", "compute/nova": "https://cloud.example/v2.1/" + demoID,
			"image/glance": "https://cloud.example/image", "network/neutron": "https://cloud.example/networking"}},
		"WithComputeURL keeps the name": {[]identity.Option{
			identity.WithEndpoint("compute", "nova-legacy", identity.DefaultComputeURL),
			identity.WithComputeURL(func(_ *http.Request, p string) string { return "https://c.example/" + p }),
			identity.WithEndpoint("image", "glance", identity.DefaultImageURL),
			identity.WithEndpoint("network", "neutron", nil),
			identity.WithEndpoint("identity", "keystone", nil),
		}, "h", map[string]string{"compute/nova-legacy": "https://c.example/" + demoID, "image/glance": "http://h/image"}},
		"a new service at the end": {[]identity.Option{
			identity.WithEndpoint("volumev3", "cinder", func(r *http.Request, p string) string { return "http://" + r.Host + "/volume/v3/" + p }),
		}, "h", map[string]string{
			"identity/keystone": "http://h/identity", "compute/nova": "http://h/v2.1/" + demoID, "image/glance": "http://h/image",
			"network/neutron": "http://h/networking", "volumev3/cinder": "http://h/volume/v3/" + demoID}},
	} {
		t.Run(name, func(t *testing.T) {
			catalog := catalogOf(t, identity.New(store, row.opts...), row.host)
			assert.Equal(t, row.want, urls(catalog))
		})
	}

	// The ids depend on the service type and the region only.
	a := catalogOf(t, identity.New(store), "a")
	b := catalogOf(t, identity.New(store, identity.WithEndpoint("image", "glance", nil)), "b")
	assert.Equal(t, a[1].ID, b[1].ID, "compute")
	assert.Equal(t, a[3].ID, b[2].ID, "network")
	assert.Equal(t, a[1].Endpoints[2].ID, b[1].Endpoints[2].ID)
	c := catalogOf(t, identity.New(store, identity.WithRegion("Two")), "a")
	assert.NotEqual(t, a[1].ID, c[1].ID)
	assert.Equal(t, "Two", c[0].Endpoints[0].Region)
	assert.Equal(t, []string{"volumev3"}, func() []string {
		cat := catalogOf(t, identity.New(store, identity.WithEndpoint("volumev3", "cinder", nil),
			identity.WithEndpoint("volumev3", "cinder", identity.DefaultImageURL)), "a")
		return []string{cat[len(cat)-1].Type}
	}())
}
