package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

func TestMountedUnderAPrefix(t *testing.T) {
	nova := fakenova.New()
	require.NoError(t, seed(nova.State()))
	app := httptest.NewServer(newMux(nova))
	t.Cleanup(app.Close)

	// The app's own route still answers.
	resp, err := http.Get(app.URL + "/healthz")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "ok\n", string(body))

	// The fake answers under /compute.
	req, err := http.NewRequest(http.MethodPost,
		app.URL+"/compute/v2.1/1ab83fbf1b594600bfa618dc33694dd6/servers/365313c5-5d0c-4c43-af05-16f765c0f2bc/action",
		strings.NewReader(`{"os-getVNCConsole": {"type": "novnc"}}`))
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", "50c17af54c154f528d135e7f74098cfd")
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		Console struct{ Type, URL string } `json:"console"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	assert.Equal(t, "novnc", out.Console.Type)
	assert.True(t, strings.HasPrefix(out.Console.URL, "http://127.0.0.1:6080/vnc_auto.html?token="), out.Console.URL)

	// A path outside both gets the mux's 404, not the fake's.
	resp, err = http.Get(app.URL + "/elsewhere")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}
