package network_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novastub/novastub/fakenova/network"
)

func TestOperation(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/networking/", "networkVersions"},
		{"GET", "/", "networkVersions"},
		{"GET", "/networking/v2.0/", "listNetworkResources"},
		{"GET", "/networking/v2.0/networks", "listNetworks"},
		{"GET", "/v2.0/networks.json", "listNetworks"},
		{"GET", "/networking/v2.0/networks/abc", "showNetwork"},
		{"GET", "/networking/v2.0/subnets", "listSubnets"},
		{"GET", "/networking/v2.0/ports/abc.json", "showPort"},
		{"GET", "/networking/v2.0/security-groups", "listSecurityGroups"},
		{"GET", "/networking/v2.0/floatingips", "listFloatingIPs"},
		{"GET", "/networking/v2.0/extensions", "listExtensions"},
		{"POST", "/networking/v2.0/networks", ""},
		{"GET", "/networking/v2.0/bogus", ""},
	} {
		got := network.Operation(httptest.NewRequest(tc.method, tc.path, nil))
		assert.Equal(t, tc.want, got, "%s %s", tc.method, tc.path)
		if got != "" {
			assert.Contains(t, network.Operations, got)
		}
	}
}

func TestWriteError(t *testing.T) {
	svc := network.New(nil)
	w := httptest.NewRecorder()
	svc.WriteError(w, httptest.NewRequest("GET", "/v2.0/networks", nil), 503, "injected")
	assert.Equal(t, 503, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.Equal(t, `{"NeutronError": {"type": "HTTPServiceUnavailable", "message": "injected", "detail": ""}}`, w.Body.String())
}
