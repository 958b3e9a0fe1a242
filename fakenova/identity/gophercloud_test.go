package identity_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/identity"
)

// A real OpenStack client, gophercloud v2, logs in with a username and a
// password, finds the fake Nova in the catalog and gets a console, as
// ../../../shared/reference/keystone-and-clients.md shows.

func adminOptions(endpoint string) gophercloud.AuthOptions {
	return gophercloud.AuthOptions{IdentityEndpoint: endpoint, Username: "admin", Password: "secret",
		DomainName: "Default", TenantName: "demo"}
}

// legacyConsole asks for a noVNC console through the legacy action.
func legacyConsole(t *testing.T, client *gophercloud.ServiceClient) (string, error) {
	t.Helper()
	var out struct {
		Console struct{ Type, URL string } `json:"console"`
	}
	_, err := client.Post(context.Background(), client.ServiceURL("servers", serverID, "action"),
		map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, &out,
		&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
	if err != nil {
		return "", err
	}
	assert.Equal(t, "novnc", out.Console.Type)
	return out.Console.URL, nil
}

func TestGophercloudPasswordAuthAndConsole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, endpoint := range map[string]string{
		"versioned endpoint":                 e.base + "/v3",
		"unversioned endpoint, by discovery": e.base,
	} {
		t.Run(name, func(t *testing.T) {
			provider, err := openstack.AuthenticatedClient(ctx, adminOptions(endpoint))
			require.NoError(t, err)
			compute, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
			require.NoError(t, err)
			assert.Equal(t, e.srv.URL+"/v2.1/"+demoID+"/", compute.Endpoint, "the catalog's public endpoint")

			url, err := legacyConsole(t, compute)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(url, "http://127.0.0.1:6080/vnc_auto.html?token="), url)
			ct, err := e.store.ConsoleToken(strings.TrimPrefix(url, "http://127.0.0.1:6080/vnc_auto.html?token="))
			require.NoError(t, err)
			assert.Equal(t, serverID, ct.ServerID)

			// The other interfaces and an unknown region, as the catalog says.
			internal, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne", Availability: gophercloud.AvailabilityInternal})
			require.NoError(t, err)
			assert.Equal(t, compute.Endpoint, internal.Endpoint)
			_, err = openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionTwo"})
			assert.Error(t, err)
		})
	}
}

func TestGophercloudTokenAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	provider, err := openstack.AuthenticatedClient(ctx, adminOptions(e.base+"/v3"))
	require.NoError(t, err)
	client, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{})
	require.NoError(t, err)

	alice, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: e.base + "/v3",
		UserID: aliceID, Password: "wonder", Scope: &gophercloud.AuthScope{ProjectID: demoID}})
	require.NoError(t, err)
	subject := alice.Token()

	got := tokens.Get(ctx, client, subject)
	require.NoError(t, got.Err)
	user, err := got.ExtractUser()
	require.NoError(t, err)
	assert.Equal(t, "alice", user.Name)
	assert.Equal(t, "Users", user.Domain.Name)
	project, err := got.ExtractProject()
	require.NoError(t, err)
	assert.Equal(t, "demo", project.Name)
	tok, err := got.ExtractToken()
	require.NoError(t, err)
	assert.Equal(t, t0.Add(identity.DefaultTokenTTL), tok.ExpiresAt.UTC())

	ok, err := tokens.Validate(ctx, client, subject)
	require.NoError(t, err)
	assert.True(t, ok)

	require.NoError(t, tokens.Revoke(ctx, client, subject).Err)
	ok, err = tokens.Validate(ctx, client, subject)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, http.StatusUnauthorized, e.console(subject))

	// Re-scoping an unscoped token, as gophercloud does with a TokenID.
	unscoped, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: e.base + "/v3",
		Username: "admin", Password: "secret", DomainName: "Default"})
	require.NoError(t, err)
	rescoped, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: e.base + "/v3",
		TokenID: unscoped.Token(), Scope: &gophercloud.AuthScope{ProjectName: "demo", DomainName: "Default"}})
	require.NoError(t, err)
	compute, err := openstack.NewComputeV2(rescoped, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	_, err = legacyConsole(t, compute)
	require.NoError(t, err)
}

func TestGophercloudWrongPassword(t *testing.T) {
	e := newEnv(t)
	opts := adminOptions(e.base + "/v3")
	opts.Password = "wrong"
	_, err := openstack.AuthenticatedClient(context.Background(), opts)
	require.Error(t, err)
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusUnauthorized), err.Error())
}

func TestGophercloudReauthenticatesWhenTheTokenExpires(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	opts := adminOptions(e.base + "/v3")
	opts.AllowReauth = true
	provider, err := openstack.AuthenticatedClient(ctx, opts)
	require.NoError(t, err)
	compute, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	first := provider.Token()
	_, err = legacyConsole(t, compute)
	require.NoError(t, err)

	noReauth, err := openstack.AuthenticatedClient(ctx, adminOptions(e.base+"/v3"))
	require.NoError(t, err)
	plain, err := openstack.NewComputeV2(noReauth, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)

	e.clock.Advance(identity.DefaultTokenTTL)

	_, err = legacyConsole(t, plain)
	require.Error(t, err, "without AllowReauth, the expired token fails")
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusUnauthorized), err.Error())

	url, err := legacyConsole(t, compute)
	require.NoError(t, err, "Nova's 401 made gophercloud log in again")
	assert.Contains(t, url, "/vnc_auto.html?token=")
	assert.NotEqual(t, first, provider.Token())
	st, err := e.store.Token(provider.Token())
	require.NoError(t, err)
	assert.Equal(t, t0.Add(2*identity.DefaultTokenTTL), st.ExpiresAt, "the new token was issued on the advanced clock")
}
