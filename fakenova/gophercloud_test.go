package fakenova_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// A real OpenStack client, gophercloud v2, that nobody here wrote, talks to
// the fake over loopback with a static token, as
// ../shared/reference/keystone-and-clients.md shows.

func gophercloudClient(ts *fakenova.Test, endpoint, microversion string) *gophercloud.ServiceClient {
	return &gophercloud.ServiceClient{
		ProviderClient: &gophercloud.ProviderClient{TokenID: ts.Token, HTTPClient: *http.DefaultClient},
		Endpoint:       endpoint,
		Type:           "compute",
		Microversion:   microversion,
	}
}

type consoleResponse struct {
	Console struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"console"`
}

func TestGophercloudLegacyVNCConsole(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("vm1")
	for _, endpoint := range []string{
		ts.ComputeURL,                        // /v2.1/{project_id}/
		ts.URL + "/v2.1/",                    // project-less
		ts.URL + "/v2/" + ts.ProjectID + "/", // the seed's legacy endpoint
	} {
		t.Run(strings.TrimPrefix(endpoint, ts.URL), func(t *testing.T) {
			client := gophercloudClient(ts, endpoint, "2.1")
			var out consoleResponse
			resp, err := client.Post(context.Background(), client.ServiceURL("servers", srv.ID, "action"),
				map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, &out,
				&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, endpoint+"servers/"+srv.ID+"/action", resp.Request.URL.String(), "the URL gophercloud built")
			assert.Equal(t, "novnc", out.Console.Type)
			require.True(t, strings.HasPrefix(out.Console.URL, "http://127.0.0.1:6080/vnc_auto.html?token="), out.Console.URL)
			tok, err := ts.State.ConsoleToken(strings.TrimPrefix(out.Console.URL, "http://127.0.0.1:6080/vnc_auto.html?token="))
			require.NoError(t, err)
			assert.Equal(t, srv.ID, tok.ServerID)
		})
	}
}

func TestGophercloudSeesNovaFaults(t *testing.T) {
	ts := fakenova.Start(t)
	client := gophercloudClient(ts, ts.ComputeURL, "2.1")
	missing := "6e0e9a4e-39ad-4d34-8a6c-f1a4c1b5a0aa"
	_, err := client.Post(context.Background(), client.ServiceURL("servers", missing, "action"),
		map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, nil,
		&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
	require.Error(t, err)
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), err.Error())
	var unexpected gophercloud.ErrUnexpectedResponseCode
	require.True(t, errors.As(err, &unexpected))
	var fault map[string]struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(unexpected.Body, &fault))
	assert.Equal(t, 404, fault["itemNotFound"].Code)
	assert.Equal(t, "Instance "+missing+" could not be found.", fault["itemNotFound"].Message)
	assert.Equal(t, "compute 2.1", unexpected.ResponseHeader.Get("OpenStack-API-Version"))
}

func TestGophercloudAtMicroversion26GetsNovas404ForTheLegacyAction(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("vm1")
	client := gophercloudClient(ts, ts.ComputeURL, "2.6")
	_, err := client.Post(context.Background(), client.ServiceURL("servers", srv.ID, "action"),
		map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, nil,
		&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
	require.Error(t, err)
	var unexpected gophercloud.ErrUnexpectedResponseCode
	require.True(t, errors.As(err, &unexpected))
	assert.Equal(t, http.StatusNotFound, unexpected.Actual)
	assert.JSONEq(t, `{"itemNotFound": {"message": "The resource could not be found.", "code": 404}}`, string(unexpected.Body))
	assert.Equal(t, "compute 2.6", unexpected.ResponseHeader.Get("OpenStack-API-Version"), "gophercloud sent the microversion")
}
