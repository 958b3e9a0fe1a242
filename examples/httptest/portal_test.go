package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	portal "github.com/novastub/novastub/examples/httptest"
	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// newPortal points the portal at a fake Nova started for the test.
func newPortal(t *testing.T) (*portal.Portal, *fakenova.Test) {
	ts := fakenova.Start(t)
	client := &gophercloud.ServiceClient{
		ProviderClient: &gophercloud.ProviderClient{TokenID: ts.Token, HTTPClient: *http.DefaultClient},
		Endpoint:       ts.ComputeURL,
		Type:           "compute",
	}
	return &portal.Portal{Compute: client}, ts
}

func TestConsoleURL(t *testing.T) {
	p, ts := newPortal(t)
	srv := ts.AddServer("web-1")

	got, err := p.ConsoleURL(context.Background(), srv.ID)
	require.NoError(t, err)

	u, err := url.Parse(got)
	require.NoError(t, err)
	assert.Equal(t, "/vnc_auto.html", u.Path)
	tok, err := ts.State.ConsoleToken(u.Query().Get("token"))
	require.NoError(t, err, "the URL carries a token Nova issued")
	assert.Equal(t, srv.ID, tok.ServerID)
}

func TestConsoleURLOfAMissingServer(t *testing.T) {
	p, _ := newPortal(t)
	_, err := p.ConsoleURL(context.Background(), "2a4d0b5e-36d5-4a71-9e8b-61c09d3a7f10")
	assert.ErrorIs(t, err, portal.ErrNoSuchServer)
}

func TestConsoleURLWhileBuilding(t *testing.T) {
	p, ts := newPortal(t)
	srv, err := ts.State.AddServer(state.Server{Name: "web-2", ProjectID: ts.ProjectID, VMState: state.VMBuilding})
	require.NoError(t, err)
	_, err = p.ConsoleURL(context.Background(), srv.ID)
	assert.ErrorIs(t, err, portal.ErrConsoleNotReady)
}
