package fakenova_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// POST /servers/{server_id}/remote-consoles (reference §2).

var (
	consoleProtocols = []string{"vnc", "spice", "serial", "rdp", "mks"}
	consoleTypes     = []string{"novnc", "xvpvnc", "spice-html5", "spice-direct", "serial", "webmks", "rdp-html5"}
)

// createBand is a range of microversions over which create answers alike:
// Nova's create_v26, create_v28 and create_v299 schemas (HEAD enums), and
// the 404 below 2.6.
type createBand struct {
	name      string
	versions  []string // the microversions sent; "latest" is the maximum
	protocols []string // the protocol enum; nil: the route is not there
	types     []string // the type enum
}

var createBands = []createBand{
	{name: "2.1-2.5", versions: []string{"", "2.1", "2.5"}},
	{name: "2.6-2.7", versions: []string{"2.6", "2.7"},
		protocols: []string{"vnc", "spice", "serial", "rdp"},
		types:     []string{"novnc", "xvpvnc", "spice-html5", "serial", "rdp-html5"}},
	{name: "2.8-2.98", versions: []string{"2.8", "2.50", "2.98"},
		protocols: []string{"vnc", "spice", "serial", "rdp", "mks"},
		types:     []string{"novnc", "xvpvnc", "spice-html5", "serial", "rdp-html5", "webmks"}},
	{name: "2.99+", versions: []string{"2.99", fakenova.DefaultMaxMicroversion.String(), "latest"},
		protocols: []string{"vnc", "spice", "serial", "rdp", "mks"},
		types:     []string{"novnc", "xvpvnc", "spice-html5", "serial", "rdp-html5", "webmks", "spice-direct"}},
}

// pyList is Python's repr() of a list of strings.
func pyList(values []string) string {
	return "['" + strings.Join(values, "', '") + "']"
}

// createAnswer is what Nova answers a create of protocol and type, in
// band, when the enabled protocols are those of enabled: a fault (status,
// message) or 200 with a URL starting with urlPrefix.
func createAnswer(band createBand, enabled map[string]bool, protocol, typ string) (status int, message, urlPrefix string) {
	// Compute manager's pairing: serial takes any type.
	serves := map[string][]string{
		"vnc":   {"novnc"},
		"spice": {"spice-html5", "spice-direct"},
		"mks":   {"webmks"},
	}
	prefixes := map[string]string{
		"novnc": novncPrefix, "spice-html5": spiceHTML5Prefix, "spice-direct": spiceDirectPrefix,
		"webmks": webmksPrefix,
	}
	switch {
	case band.protocols == nil:
		return 404, webobNotFound, ""
	case !slices.Contains(band.protocols, protocol): // properties: protocol before type
		return 400, "Invalid input for field/attribute protocol. Value: " + protocol + ". '" + protocol +
			"' is not one of " + pyList(band.protocols), ""
	case !slices.Contains(band.types, typ):
		return 400, "Invalid input for field/attribute type. Value: " + typ + ". '" + typ +
			"' is not one of " + pyList(band.types), ""
	case protocol == "rdp": // HTTPBadRequest(detail): webob's default explanation
		return 400, webobBadRequest, ""
	case !enabled[protocol]:
		return 400, "Unavailable console type " + typ + ".", ""
	case protocol == "serial":
		return 200, "", serialPrefix
	case !slices.Contains(serves[protocol], typ):
		return 400, "Invalid console type " + typ, ""
	}
	return 200, "", prefixes[typ]
}

// TestCreateRemoteConsoleMatrix sends every protocol x type at every
// microversion band, with every protocol enabled and with Nova's default
// (VNC only).
func TestCreateRemoteConsoleMatrix(t *testing.T) {
	configs := []struct {
		name    string
		enabled []state.Protocol
	}{
		{"all protocols enabled", allProtocols},
		{"Nova's default, VNC only", nil},
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			st := state.New()
			if cfg.enabled != nil {
				st = state.New(state.WithProtocols(cfg.enabled...))
			}
			f := newConsoleFixture(t, fakenova.WithState(st))
			enabled := map[string]bool{}
			for _, p := range allProtocols {
				enabled[string(p)] = st.ProtocolEnabled(p)
			}
			require.True(t, enabled["vnc"])
			require.Equal(t, cfg.enabled == nil, !enabled["spice"])

			for _, band := range createBands {
				for _, version := range band.versions {
					for _, protocol := range consoleProtocols {
						for _, typ := range consoleTypes {
							name := band.name + "/" + version + "/" + protocol + "/" + typ
							t.Run(name, func(t *testing.T) {
								status, message, prefix := createAnswer(band, enabled, protocol, typ)
								ex := send(t, f.URL, http.MethodPost, "/v2.1/"+f.ProjectID+"/servers/"+f.active.ID+"/remote-consoles",
									apiHeader(f.Token, version), rc(protocol, typ))
								echo := version
								switch version {
								case "":
									echo = "2.1"
								case "latest":
									echo = fakenova.DefaultMaxMicroversion.String()
								}
								assertVersionHeaders(t, ex.header, echo)
								assertRequestIDs(t, ex.header)
								if status != 200 {
									assertFault(t, ex, status, message)
									return
								}
								require.Equal(t, 200, ex.status, ex.body)
								assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
								body := decodeAny(t, ex)
								got, ok := body["remote_console"].(map[string]any)
								require.True(t, ok, ex.body)
								assert.Len(t, body, 1)
								assert.Len(t, got, 3, "protocol, type and url")
								assert.Equal(t, protocol, got["protocol"])
								assert.Equal(t, typ, got["type"])
								url, _ := got["url"].(string)
								tok, err := f.State.ConsoleToken(tokenOf(t, url, prefix))
								require.NoError(t, err, "the URL's token is stored")
								assert.Equal(t, f.active.ID, tok.ServerID)
								assert.Equal(t, state.Protocol(protocol), tok.Protocol)
								assert.Equal(t, state.ConsoleType(typ), tok.Type)
								assert.Equal(t, fakenova.TestHost, tok.Host)
							})
						}
					}
				}
			}
		})
	}
}

// TestCreateRemoteConsoleMatrixIsComplete checks the oracle above against
// the reference's worked examples, so that a mistake in it cannot hide a
// mistake in the fake.
func TestCreateRemoteConsoleMatrixIsComplete(t *testing.T) {
	all := map[string]bool{"vnc": true, "spice": true, "serial": true, "mks": true, "rdp": true}
	vncOnly := map[string]bool{"vnc": true}
	for _, row := range []struct {
		band            createBand
		enabled         map[string]bool
		protocol, typ   string
		status          int
		message, prefix string
	}{
		{createBands[1], all, "vnc", "webmks", 400,
			"Invalid input for field/attribute type. Value: webmks. 'webmks' is not one of ['novnc', 'xvpvnc', 'spice-html5', 'serial', 'rdp-html5']", ""},
		{createBands[1], all, "mks", "webmks", 400,
			"Invalid input for field/attribute protocol. Value: mks. 'mks' is not one of ['vnc', 'spice', 'serial', 'rdp']", ""},
		{createBands[2], all, "vnc", "spice-html5", 400, "Invalid console type spice-html5", ""},
		{createBands[2], vncOnly, "spice", "spice-html5", 400, "Unavailable console type spice-html5.", ""},
		{createBands[2], vncOnly, "mks", "webmks", 400, "Unavailable console type webmks.", ""},
		{createBands[2], all, "rdp", "rdp-html5", 400, webobBadRequest, ""},
		{createBands[2], all, "serial", "novnc", 200, "", serialPrefix},
		{createBands[3], all, "spice", "spice-direct", 200, "", spiceDirectPrefix},
		{createBands[0], all, "vnc", "novnc", 404, webobNotFound, ""},
	} {
		status, message, prefix := createAnswer(row.band, row.enabled, row.protocol, row.typ)
		assert.Equal(t, row.status, status, "%s %s", row.protocol, row.typ)
		assert.Equal(t, row.message, message)
		assert.Equal(t, row.prefix, prefix)
	}
}

// TestCreateRemoteConsoleErrors is every error row of create: the body,
// the lookup (before policy), policy, rdp's 400, and the compute API's and
// manager's checks in Nova's order.
func TestCreateRemoteConsoleErrors(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	vncOnly := newConsoleFixture(t) // Nova's default: VNC only
	missing := "8f9e0b6c-2a44-4d7f-9c1e-5b3a2d1c0f99"
	path := func(fx *consoleFixture, id string) string {
		return "/v2.1/" + fx.ProjectID + "/servers/" + id + "/remote-consoles"
	}
	novnc := rc("vnc", "novnc")
	rows := []struct {
		name    string
		fx      *consoleFixture
		server  string
		token   string
		version string
		body    string
		status  int
		message string
	}{
		// 404: the lookup. A member never sees another project's server.
		{"unknown server", f, missing, f.Token, "2.6", novnc, 404, "Instance " + missing + " could not be found."},
		{"server id not a uuid", f, "vm1", f.Token, "2.6", novnc, 404, "Instance vm1 could not be found."},
		{"another project's server", f, f.foreign.ID, f.Token, "2.6", novnc, 404, "Instance " + f.foreign.ID + " could not be found."},
		// 403: policy, after the lookup: a reader finds the server, then may not.
		{"reader", f, f.active.ID, f.readerToken, "2.6", novnc, 403, remoteConsolePolicy},
		{"reader, unknown server: the lookup comes first", f, missing, f.readerToken, "2.6", novnc, 404,
			"Instance " + missing + " could not be found."},
		{"reader, another project's server", f, f.foreign.ID, f.readerToken, "2.6", novnc, 404,
			"Instance " + f.foreign.ID + " could not be found."},
		{"reader asking for rdp: policy before rdp's 400", f, f.active.ID, f.readerToken, "2.6", rc("rdp", "rdp-html5"), 403, remoteConsolePolicy},
		// rdp's 400 comes before the compute API's checks.
		{"rdp on a server without a host", f, f.building.ID, f.Token, "2.6", rc("rdp", "rdp-html5"), 400, webobBadRequest},
		{"rdp with another type", f, f.active.ID, f.Token, "2.8", rc("rdp", "webmks"), 400, webobBadRequest},
		{"rdp on an unknown server", f, missing, f.Token, "2.6", rc("rdp", "rdp-html5"), 404, "Instance " + missing + " could not be found."},
		// 409: no host (InstanceNotReady), before the protocol checks.
		{"no host", f, f.building.ID, f.Token, "2.6", novnc, 409, "Instance " + f.building.ID + " is not ready"},
		{"no host, protocol disabled", vncOnly, vncOnly.building.ID, vncOnly.Token, "2.6", rc("spice", "spice-html5"), 409,
			"Instance " + vncOnly.building.ID + " is not ready"},
		// 500: create does not catch InstanceInvalidState.
		{"task_state deleting", f, f.deleting.ID, f.Token, "2.6", novnc, 500, unexpectedInvalidState},
		{"task_state migrating", f, f.migrating.ID, f.Token, "2.8", rc("mks", "webmks"), 500, unexpectedInvalidState},
		{"task_state deleting, serial", f, f.deleting.ID, f.Token, "2.6", rc("serial", "serial"), 500, unexpectedInvalidState},
		{"task_state deleting, protocol disabled", vncOnly, vncOnly.deleting.ID, vncOnly.Token, "2.6", rc("spice", "spice-html5"), 500,
			unexpectedInvalidState},
		// 501: the host's hypervisor has no console; the manager's checks come first.
		{"bare-metal host", f, f.metal.ID, f.Token, "2.6", novnc, 501, notSupported},
		{"bare-metal host, spice", f, f.metal.ID, f.Token, "2.99", rc("spice", "spice-direct"), 501, notSupported},
		{"bare-metal host, serial", f, f.metal.ID, f.Token, "2.6", rc("serial", "serial"), 501, notSupported},
		{"bare-metal host, protocol disabled", vncOnly, vncOnly.metal.ID, vncOnly.Token, "2.6", rc("serial", "serial"), 400,
			"Unavailable console type serial."},
		{"bare-metal host, mismatched pair", f, f.metal.ID, f.Token, "2.6", rc("vnc", "xvpvnc"), 400, "Invalid console type xvpvnc"},
		// 400: the body, checked before the lookup.
		{"empty body", f, f.active.ID, f.Token, "2.6", "", 400, "None is not of type 'object'"},
		{"empty body, unknown server", f, missing, f.Token, "2.6", "", 400, "None is not of type 'object'"},
		{"empty object", f, f.active.ID, f.Token, "2.6", `{}`, 400, "'remote_console' is a required property"},
		{"extra top-level key", f, f.active.ID, f.Token, "2.6", `{"remote_console": {"protocol": "vnc", "type": "novnc"}, "x": 1}`, 400,
			"Additional properties are not allowed ('x' was unexpected)"},
		{"two extra top-level keys", f, f.active.ID, f.Token, "2.6", `{"remote_console": {"protocol": "vnc", "type": "novnc"}, "z": 1, "a": 2}`, 400,
			"Additional properties are not allowed ('a', 'z' were unexpected)"},
		{"extra key inside", f, f.active.ID, f.Token, "2.6", `{"remote_console": {"protocol": "vnc", "type": "novnc", "x": 1}}`, 400,
			"Invalid input for field/attribute remote_console. Value: {'protocol': 'vnc', 'type': 'novnc', 'x': 1}. Additional properties are not allowed ('x' was unexpected)"},
		{"type missing", f, f.active.ID, f.Token, "2.6", `{"remote_console": {"protocol": "vnc"}}`, 400,
			"Invalid input for field/attribute remote_console. Value: {'protocol': 'vnc'}. 'type' is a required property"},
		{"protocol missing", f, f.active.ID, f.Token, "2.6", `{"remote_console": {"type": "novnc"}}`, 400,
			"Invalid input for field/attribute remote_console. Value: {'type': 'novnc'}. 'protocol' is a required property"},
		{"remote_console null", f, f.active.ID, f.Token, "2.6", `{"remote_console": null}`, 400,
			"Invalid input for field/attribute remote_console. Value: None. None is not of type 'object'"},
		{"body a list", f, f.active.ID, f.Token, "2.6", `[]`, 400, "[] is not of type 'object'"},
		{"protocol not a string", f, f.active.ID, f.Token, "2.6", `{"remote_console": {"protocol": 5, "type": "novnc"}}`, 400,
			"Invalid input for field/attribute protocol. Value: 5. 5 is not of type 'string'"},
		{"both wrong: protocol reported first", f, f.active.ID, f.Token, "2.6", rc("foo", "bar"), 400,
			"Invalid input for field/attribute protocol. Value: foo. 'foo' is not one of ['vnc', 'spice', 'serial', 'rdp']"},
		{"spice-direct before 2.99", f, f.active.ID, f.Token, "2.98", rc("spice", "spice-direct"), 400,
			"Invalid input for field/attribute type. Value: spice-direct. 'spice-direct' is not one of ['novnc', 'xvpvnc', 'spice-html5', 'serial', 'rdp-html5', 'webmks']"},
		{"body not JSON", f, f.active.ID, f.Token, "2.6", `{"remote_console": `, 400, "Malformed request body"},
		// 400: the manager's checks.
		{"vnc with xvpvnc", f, f.active.ID, f.Token, "2.6", rc("vnc", "xvpvnc"), 400, "Invalid console type xvpvnc"},
		{"vnc with spice-html5", f, f.active.ID, f.Token, "2.6", rc("vnc", "spice-html5"), 400, "Invalid console type spice-html5"},
		{"spice disabled", vncOnly, vncOnly.active.ID, vncOnly.Token, "2.6", rc("spice", "spice-html5"), 400, "Unavailable console type spice-html5."},
		{"mks disabled", vncOnly, vncOnly.active.ID, vncOnly.Token, "2.8", rc("mks", "webmks"), 400, "Unavailable console type webmks."},
		{"serial disabled", vncOnly, vncOnly.active.ID, vncOnly.Token, "2.6", rc("serial", "novnc"), 400, "Unavailable console type novnc."},
		// 404 below 2.6, whatever else is wrong.
		{"2.5", f, f.active.ID, f.Token, "2.5", novnc, 404, webobNotFound},
		{"2.5, unknown server and bad body", f, missing, f.readerToken, "2.5", `{}`, 404, webobNotFound},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := send(t, row.fx.URL, http.MethodPost, path(row.fx, row.server), apiHeader(row.token, row.version), row.body)
			assertFault(t, ex, row.status, row.message)
			assertVersionHeaders(t, ex.header, row.version)
			assertRequestIDs(t, ex.header)
		})
	}
}

func TestCreateRemoteConsoleSerialPortsExhausted(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	_, err := f.State.UpdateHost(fakenova.TestHost, func(h *state.Host) { h.SerialPortsExhausted = true })
	require.NoError(t, err)
	path := "/v2.1/" + f.ProjectID + "/servers/" + f.active.ID + "/remote-consoles"
	for _, typ := range []string{"serial", "novnc"} {
		ex := send(t, f.URL, http.MethodPost, path, apiHeader(f.Token, "2.6"), rc("serial", typ))
		assertFault(t, ex, 400, "Not able to acquire a free port for "+fakenova.TestHost)
	}
	// Other protocols on the host are not affected.
	ex := send(t, f.URL, http.MethodPost, path, apiHeader(f.Token, "2.6"), rc("vnc", "novnc"))
	require.Equal(t, 200, ex.status, ex.body)
}

// TestCreateRemoteConsoleSucceeds covers the ways to reach a 200: both
// route forms, an admin on another project's server, Accept negotiation,
// and the sample's exact body.
func TestCreateRemoteConsoleSucceeds(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	rows := []struct {
		name, path, token, version, body string
		server                           string
		prefix                           string
	}{
		{"project-less route", "/v2.1/servers/" + f.active.ID + "/remote-consoles", f.Token, "2.6", rc("vnc", "novnc"), f.active.ID, novncPrefix},
		{"project route", "/v2.1/" + f.ProjectID + "/servers/" + f.active.ID + "/remote-consoles", f.Token, "2.6", rc("vnc", "novnc"), f.active.ID, novncPrefix},
		{"admin, another project's server", "/v2.1/servers/" + f.foreign.ID + "/remote-consoles", f.adminToken, "2.8", rc("mks", "webmks"), f.foreign.ID, webmksPrefix},
		{"spice-direct at latest", "/v2.1/servers/" + f.active.ID + "/remote-consoles", f.Token, "latest", rc("spice", "spice-direct"), f.active.ID, spiceDirectPrefix},
		{"serial with webmks", "/v2.1/servers/" + f.active.ID + "/remote-consoles", f.Token, "2.8", rc("serial", "webmks"), f.active.ID, serialPrefix},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := send(t, f.URL, http.MethodPost, row.path, apiHeader(row.token, row.version), row.body)
			require.Equal(t, http.StatusOK, ex.status, ex.body)
			assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
			want := row.version
			if want == "latest" {
				want = fakenova.DefaultMaxMicroversion.String()
			}
			assertVersionHeaders(t, ex.header, want)
			got := ex.decoded["remote_console"]
			require.NotNil(t, got, ex.body)
			url, _ := got["url"].(string)
			tok, err := f.State.ConsoleToken(tokenOf(t, url, row.prefix))
			require.NoError(t, err)
			assert.Equal(t, row.server, tok.ServerID)
		})
	}

	t.Run("exact body", func(t *testing.T) {
		ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/remote-consoles", apiHeader(f.Token, "2.6"), rc("vnc", "novnc"))
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		tok := tokenOf(t, ex.decoded["remote_console"]["url"].(string), novncPrefix)
		assert.Equal(t, `{"remote_console": {"protocol": "vnc", "type": "novnc", "url": "`+novncPrefix+tok+`"}}`, ex.body)
	})

	t.Run("Accept vendor JSON", func(t *testing.T) {
		h := apiHeader(f.Token, "2.6")
		h.Set("Accept", "application/vnd.openstack.compute+json")
		ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/remote-consoles", h, rc("vnc", "novnc"))
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		assert.Equal(t, "application/vnd.openstack.compute+json", ex.header.Get("Content-Type"))
	})

	t.Run("a fresh token each time", func(t *testing.T) {
		seen := map[string]bool{}
		for i := 0; i < 5; i++ {
			ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/remote-consoles", apiHeader(f.Token, "2.6"), rc("vnc", "novnc"))
			require.Equal(t, http.StatusOK, ex.status, ex.body)
			tok := tokenOf(t, ex.decoded["remote_console"]["url"].(string), novncPrefix)
			assert.False(t, seen[tok])
			seen[tok] = true
		}
	})
}

// TestCreateRemoteConsoleRoute: remote-consoles is POST only (anything else
// is the router's bare 404), and the /v2 endpoint, frozen at 2.1, has no
// remote-consoles (Nova's 404 fault).
func TestCreateRemoteConsoleRoute(t *testing.T) {
	f := newConsoleFixture(t)
	h := apiHeader(f.Token, "2.6")
	h.Set("Accept", "application/json")
	ex := send(t, f.URL, http.MethodGet, "/v2.1/servers/"+f.active.ID+"/remote-consoles", h, "")
	require.Equal(t, http.StatusNotFound, ex.status)
	assert.JSONEq(t, `{"message": "The resource could not be found.<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`, ex.body)
	assertNoVersionHeaders(t, ex.header)

	ex = send(t, f.URL, http.MethodPost, "/v2/"+f.ProjectID+"/servers/"+f.active.ID+"/remote-consoles", apiHeader(f.Token, "2.6"), rc("vnc", "novnc"))
	assertFault(t, ex, 404, webobNotFound)
	assertNoVersionHeaders(t, ex.header)

	ex = send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/remote-consoles", apiHeader("", "2.6"), rc("vnc", "novnc"))
	require.Equal(t, http.StatusUnauthorized, ex.status)
	assertNoVersionHeaders(t, ex.header)
	assertRequestIDs(t, ex.header)
}
