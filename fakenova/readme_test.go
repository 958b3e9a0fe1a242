package fakenova_test

import (
	"context"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// TestOpenConsole is the README's first snippet, verbatim, so that the
// README stays true.
func TestOpenConsole(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1") // ACTIVE, on fakenova.TestHost

	client := &gophercloud.ServiceClient{
		ProviderClient: &gophercloud.ProviderClient{TokenID: ts.Token},
		Endpoint:       ts.ComputeURL, // http://127.0.0.1:PORT/v2.1/<project>/
		Type:           "compute",
	}
	var out struct{ Console struct{ URL string } }
	_, err := client.Post(context.Background(), client.ServiceURL("servers", srv.ID, "action"),
		map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, &out,
		&gophercloud.RequestOpts{OkCodes: []int{200}})
	require.NoError(t, err)
	require.Contains(t, out.Console.URL, "/vnc_auto.html?token=")
}
