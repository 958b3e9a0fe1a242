package fakenova_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/remoteconsoles"
	"github.com/gophercloud/gophercloud/v2/openstack/utils"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// gophercloud v2's own remoteconsoles and version discovery against the fake.

func TestGophercloudRemoteConsolesCreate(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithState(state.New(state.WithProtocols(state.ProtocolVNC, state.ProtocolMKS))))
	srv := ts.AddServer("vm1")
	rows := []struct {
		name, microversion string
		opts               remoteconsoles.CreateOpts
		prefix             string
	}{
		{"vnc/novnc at 2.6", "2.6", remoteconsoles.CreateOpts{Protocol: remoteconsoles.ConsoleProtocolVNC, Type: remoteconsoles.ConsoleTypeNoVNC}, novncPrefix},
		{"mks/webmks at 2.8", "2.8", remoteconsoles.CreateOpts{Protocol: remoteconsoles.ConsoleProtocolMKS, Type: remoteconsoles.ConsoleTypeWebMKS}, webmksPrefix},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			client := gophercloudClient(ts, ts.ComputeURL, row.microversion)
			res := remoteconsoles.Create(context.Background(), client, srv.ID, row.opts)
			require.NoError(t, res.Err)
			assert.Equal(t, "compute "+row.microversion, res.Header.Get("OpenStack-API-Version"), "gophercloud sent the microversion")
			console, err := res.Extract()
			require.NoError(t, err)
			// Extract returns nil and no error when the envelope is missing.
			require.NotNil(t, console, "no remote_console in the answer")
			assert.Equal(t, string(row.opts.Protocol), console.Protocol)
			assert.Equal(t, string(row.opts.Type), console.Type)
			tok, err := ts.State.ConsoleToken(tokenOf(t, console.URL, row.prefix))
			require.NoError(t, err)
			assert.Equal(t, srv.ID, tok.ServerID)
			assert.Equal(t, state.ConsoleType(row.opts.Type), tok.Type)
		})
	}

	t.Run("mks at 2.6 fails the schema", func(t *testing.T) {
		client := gophercloudClient(ts, ts.ComputeURL, "2.6")
		res := remoteconsoles.Create(context.Background(), client, srv.ID,
			remoteconsoles.CreateOpts{Protocol: remoteconsoles.ConsoleProtocolMKS, Type: remoteconsoles.ConsoleTypeWebMKS})
		require.Error(t, res.Err)
		var unexpected gophercloud.ErrUnexpectedResponseCode
		require.True(t, errors.As(res.Err, &unexpected), res.Err.Error())
		assert.Equal(t, http.StatusBadRequest, unexpected.Actual)
		assert.JSONEq(t, `{"badRequest": {"code": 400, "message": "Invalid input for field/attribute protocol. Value: mks. 'mks' is not one of ['vnc', 'spice', 'serial', 'rdp']"}}`,
			string(unexpected.Body))
	})

	t.Run("at 2.1 the route is not there", func(t *testing.T) {
		client := gophercloudClient(ts, ts.ComputeURL, "")
		res := remoteconsoles.Create(context.Background(), client, srv.ID,
			remoteconsoles.CreateOpts{Protocol: remoteconsoles.ConsoleProtocolVNC, Type: remoteconsoles.ConsoleTypeNoVNC})
		require.Error(t, res.Err)
		assert.True(t, gophercloud.ResponseCodeIs(res.Err, http.StatusNotFound), res.Err.Error())
	})
}

// TestGophercloudMicroversionDiscovery: gophercloud's openstack/utils reads
// the minimum and maximum microversions from the fake's version documents.
func TestGophercloudMicroversionDiscovery(t *testing.T) {
	ctx := context.Background()
	max := fakenova.DefaultMaxMicroversion
	ts := fakenova.Start(t)

	for _, endpoint := range []string{
		ts.ComputeURL,     // GET /v2.1/{project_id}/, with the token
		ts.URL + "/v2.1/", // GET /v2.1/
		ts.URL + "/v2.1",  // GET /v2.1
	} {
		t.Run(endpoint[len(ts.URL):], func(t *testing.T) {
			client := gophercloudClient(ts, endpoint, "")
			mv, err := utils.GetSupportedMicroversions(ctx, client)
			require.NoError(t, err)
			assert.Equal(t, utils.SupportedMicroversions{MinMajor: 2, MinMinor: 1, MaxMajor: max.Major, MaxMinor: max.Minor}, mv)
		})
	}

	t.Run("RequireMicroversion", func(t *testing.T) {
		client := gophercloudClient(ts, ts.ComputeURL, "")
		for _, ok := range []string{"2.1", "2.6", "2.8", "2.99", max.String()} {
			got, err := utils.RequireMicroversion(ctx, *client, ok)
			require.NoError(t, err, ok)
			assert.Equal(t, ok, got.Microversion)
		}
		for _, no := range []string{"2.0", "2.104", "3.0", "1.1"} {
			_, err := utils.RequireMicroversion(ctx, *client, no)
			require.Error(t, err, no)
			assert.Contains(t, err.Error(), "microversion "+no+" not supported")
		}

		// A client that required 2.8 then gets a webmks console.
		mks := fakenova.Start(t, fakenova.WithState(state.New(state.WithProtocols(state.ProtocolMKS))))
		mksServer := mks.AddServer("vm1")
		c, err := utils.RequireMicroversion(ctx, *gophercloudClient(mks, mks.ComputeURL, ""), "2.8")
		require.NoError(t, err)
		console, err := remoteconsoles.Create(ctx, &c, mksServer.ID,
			remoteconsoles.CreateOpts{Protocol: remoteconsoles.ConsoleProtocolMKS, Type: remoteconsoles.ConsoleTypeWebMKS}).Extract()
		require.NoError(t, err)
		require.NotNil(t, console)
		assert.Equal(t, "webmks", console.Type)
		tokenOf(t, console.URL, webmksPrefix)
	})

	t.Run("the maximum option", func(t *testing.T) {
		small := fakenova.Start(t, fakenova.WithMaxMicroversion(fakenova.Microversion{Major: 2, Minor: 60}))
		client := gophercloudClient(small, small.ComputeURL, "")
		mv, err := utils.GetSupportedMicroversions(ctx, client)
		require.NoError(t, err)
		assert.Equal(t, utils.SupportedMicroversions{MinMajor: 2, MinMinor: 1, MaxMajor: 2, MaxMinor: 60}, mv)
		_, err = utils.RequireMicroversion(ctx, *client, "2.61")
		require.Error(t, err)
	})

	t.Run("root document", func(t *testing.T) {
		versions, err := utils.GetServiceVersions(ctx, gophercloudClient(ts, ts.URL+"/", "").ProviderClient, ts.URL+"/", true)
		require.NoError(t, err)
		assert.Equal(t, []utils.SupportedVersion{
			{Major: 2, Minor: 1, Status: utils.StatusCurrent,
				SupportedMicroversions: utils.SupportedMicroversions{MinMajor: 2, MinMinor: 1, MaxMajor: max.Major, MaxMinor: max.Minor}},
			{Major: 2, Minor: 0, Status: utils.StatusDeprecated},
		}, versions)
		// An unversioned endpoint offers two versions: no microversions from it.
		_, err = utils.GetSupportedMicroversions(ctx, gophercloudClient(ts, ts.URL+"/", ""))
		require.Error(t, err)
	})
}
