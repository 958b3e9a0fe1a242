package fakenova_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// Helpers shared by the tests of issue 3 (remote-consoles, the legacy
// console actions, console tokens, microversions, version documents).

// allProtocols enables every console protocol Nova has.
var allProtocols = []state.Protocol{state.ProtocolVNC, state.ProtocolSPICE, state.ProtocolSerial,
	state.ProtocolMKS, state.ProtocolRDP}

// webob's default explanations (reference §4), spelt out rather than taken
// from the package, so that the tests check them.
const (
	webobBadRequest = "The server could not comply with the request since it is either malformed or otherwise incorrect."
	webobNotFound   = "The resource could not be found."
	// unexpectedInvalidState is the 500 of an InstanceInvalidState the
	// handler does not catch (master's wording).
	unexpectedInvalidState = "Unexpected API Error. Please contact the administrator\n<class 'nova.exception.InstanceInvalidState'>"
	remoteConsolePolicy    = "Policy doesn't allow os_compute_api:os-remote-consoles to be performed."
	notSupported           = "The requested functionality is not supported."
)

// The console URLs' prefixes with the fake's default bases (reference §7;
// novnc in the seed's token form).
const (
	novncPrefix       = "http://127.0.0.1:6080/vnc_auto.html?token="
	spiceHTML5Prefix  = "http://127.0.0.1:6082/spice_auto.html?token="
	spiceDirectPrefix = "http://127.0.0.1:13002/nova?token="
	serialPrefix      = "ws://127.0.0.1:6083/?token="
	webmksPrefix      = "http://127.0.0.1:6090/?token="
)

// faultKey is the key of Nova's fault body per status (wsgi.Fault._fault_names).
func faultKey(status int) string {
	switch status {
	case 400:
		return "badRequest"
	case 401:
		return "unauthorized"
	case 403:
		return "forbidden"
	case 404:
		return "itemNotFound"
	case 409:
		return "conflictingRequest"
	case 415:
		return "badMediaType"
	case 501:
		return "notImplemented"
	}
	return "computeFault"
}

// send sends one request to the fake at base over loopback, with exactly
// the given headers.
func send(t *testing.T, base, method, path string, header http.Header, body string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	require.NoError(t, err)
	if body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, vs := range header {
		req.Header[k] = append([]string(nil), vs...)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	ex := exchange{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	_ = json.Unmarshal(raw, &ex.decoded)
	return ex
}

// apiHeader is a JSON request with a token at a microversion ("" sends no
// microversion header).
func apiHeader(token, version string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if token != "" {
		h.Set("X-Auth-Token", token)
	}
	if version != "" {
		h.Set("OpenStack-API-Version", "compute "+version)
	}
	return h
}

// decodeAny decodes a response body of any shape.
func decodeAny(t *testing.T, ex exchange) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(ex.body), &out), ex.body)
	return out
}

// assertFault checks a Nova fault answer: status, Content-Type, and a body
// of exactly {"<key>": {"code": status, "message": message}}.
func assertFault(t *testing.T, ex exchange, status int, message string) {
	t.Helper()
	require.Equal(t, status, ex.status, ex.body)
	assert.Equal(t, "application/json; charset=UTF-8", ex.header.Get("Content-Type"))
	var body map[string]map[string]any
	require.NoError(t, json.Unmarshal([]byte(ex.body), &body), ex.body)
	assert.Equal(t, map[string]map[string]any{
		faultKey(status): {"code": float64(status), "message": message},
	}, body)
}

// assertVersionHeaders checks the microversion headers Nova's Resource puts
// on every /v2.1 answer: both version headers and two separate Vary lines.
func assertVersionHeaders(t *testing.T, h http.Header, version string) {
	t.Helper()
	assert.Equal(t, []string{"compute " + version}, h.Values("OpenStack-API-Version"))
	assert.Equal(t, []string{version}, h.Values("X-OpenStack-Nova-API-Version"))
	assert.Equal(t, []string{"OpenStack-API-Version", "X-OpenStack-Nova-API-Version"}, h.Values("Vary"))
}

// assertNoVersionHeaders checks that an answer has no microversion headers.
func assertNoVersionHeaders(t *testing.T, h http.Header) {
	t.Helper()
	assert.Empty(t, h.Values("OpenStack-API-Version"))
	assert.Empty(t, h.Values("X-OpenStack-Nova-API-Version"))
	assert.Empty(t, h.Values("Vary"))
}

// assertRequestIDs checks the request id headers of the API pipeline.
func assertRequestIDs(t *testing.T, h http.Header) {
	t.Helper()
	assert.Regexp(t, requestIDPattern, h.Get("X-Compute-Request-Id"))
	assert.Equal(t, h.Get("X-Compute-Request-Id"), h.Get("X-Openstack-Request-Id"))
}

// rc is a remote-consoles create body.
func rc(protocol, typ string) string {
	return `{"remote_console": {"protocol": "` + protocol + `", "type": "` + typ + `"}}`
}

// tokenOf returns the console token a console URL with the given prefix
// carries.
func tokenOf(t *testing.T, url, prefix string) string {
	t.Helper()
	require.True(t, strings.HasPrefix(url, prefix), "%q does not start with %q", url, prefix)
	tok := strings.TrimPrefix(url, prefix)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, tok)
	return tok
}
