package fakenova_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// The legacy console actions of POST /servers/{id}/action, 2.1 to 2.5
// (reference §1): os-getSPICEConsole, os-getSerialConsole and
// os-getRDPConsole beside os-getVNCConsole (console_test.go).

func spiceAction(typ string) string  { return `{"os-getSPICEConsole": {"type": "` + typ + `"}}` }
func serialAction(typ string) string { return `{"os-getSerialConsole": {"type": "` + typ + `"}}` }

func TestLegacySPICEAndSerialConsoleErrors(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	vncOnly := newConsoleFixture(t)
	missing := "8f9e0b6c-2a44-4d7f-9c1e-5b3a2d1c0f99"
	action := func(fx *consoleFixture, id string) string {
		return "/v2.1/" + fx.ProjectID + "/servers/" + id + "/action"
	}
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
		// SPICE
		{"spice: disabled", vncOnly, vncOnly.active.ID, vncOnly.Token, "2.1", spiceAction("spice-html5"), 400, "Unavailable console type spice-html5."},
		{"spice: wrong type", f, f.active.ID, f.Token, "2.1", spiceAction("novnc"), 400,
			"Invalid input for field/attribute type. Value: novnc. 'novnc' is not one of ['spice-html5']"},
		{"spice: spice-direct is not in the legacy enum", f, f.active.ID, f.Token, "2.5", spiceAction("spice-direct"), 400,
			"Invalid input for field/attribute type. Value: spice-direct. 'spice-direct' is not one of ['spice-html5']"},
		{"spice: type missing", f, f.active.ID, f.Token, "2.1", `{"os-getSPICEConsole": {}}`, 400,
			"Invalid input for field/attribute os-getSPICEConsole. Value: {}. 'type' is a required property"},
		{"spice: extra property", f, f.active.ID, f.Token, "2.1", `{"os-getSPICEConsole": {"type": "spice-html5", "x": 1}}`, 400,
			"Invalid input for field/attribute os-getSPICEConsole. Value: {'type': 'spice-html5', 'x': 1}. Additional properties are not allowed ('x' was unexpected)"},
		{"spice: reader", f, f.active.ID, f.readerToken, "2.1", spiceAction("spice-html5"), 403, remoteConsolePolicy},
		{"spice: reader, unknown server: policy before the lookup", f, missing, f.readerToken, "2.1", spiceAction("spice-html5"), 403, remoteConsolePolicy},
		{"spice: unknown server", f, missing, f.Token, "2.1", spiceAction("spice-html5"), 404, "Instance " + missing + " could not be found."},
		{"spice: another project's server", f, f.foreign.ID, f.Token, "2.1", spiceAction("spice-html5"), 404, "Instance " + f.foreign.ID + " could not be found."},
		{"spice: no host", f, f.building.ID, f.Token, "2.1", spiceAction("spice-html5"), 409, "Instance " + f.building.ID + " is not ready"},
		{"spice: deleting is a 500", f, f.deleting.ID, f.Token, "2.1", spiceAction("spice-html5"), 500, unexpectedInvalidState},
		{"spice: migrating is a 500", f, f.migrating.ID, f.Token, "2.5", spiceAction("spice-html5"), 500, unexpectedInvalidState},
		{"spice: deleting and disabled", vncOnly, vncOnly.deleting.ID, vncOnly.Token, "2.1", spiceAction("spice-html5"), 500, unexpectedInvalidState},
		{"spice: bare metal", f, f.metal.ID, f.Token, "2.1", spiceAction("spice-html5"), 501, notSupported},
		// Serial
		{"serial: disabled", vncOnly, vncOnly.active.ID, vncOnly.Token, "2.1", serialAction("serial"), 400, "Unavailable console type serial."},
		{"serial: wrong type", f, f.active.ID, f.Token, "2.1", serialAction("novnc"), 400,
			"Invalid input for field/attribute type. Value: novnc. 'novnc' is not one of ['serial']"},
		{"serial: reader, unknown server: policy before the lookup", f, missing, f.readerToken, "2.1", serialAction("serial"), 403, remoteConsolePolicy},
		{"serial: unknown server", f, missing, f.Token, "2.1", serialAction("serial"), 404, "Instance " + missing + " could not be found."},
		{"serial: no host", f, f.building.ID, f.Token, "2.1", serialAction("serial"), 409, "Instance " + f.building.ID + " is not ready"},
		{"serial: deleting is a 500", f, f.deleting.ID, f.Token, "2.1", serialAction("serial"), 500, unexpectedInvalidState},
		{"serial: bare metal", f, f.metal.ID, f.Token, "2.1", serialAction("serial"), 501, notSupported},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := send(t, row.fx.URL, http.MethodPost, action(row.fx, row.server), apiHeader(row.token, row.version), row.body)
			assertFault(t, ex, row.status, row.message)
			assertVersionHeaders(t, ex.header, row.version)
			assertRequestIDs(t, ex.header)
		})
	}
}

func TestLegacySerialConsolePortsExhausted(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	_, err := f.State.UpdateHost(fakenova.TestHost, func(h *state.Host) { h.SerialPortsExhausted = true })
	require.NoError(t, err)
	ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/action", apiHeader(f.Token, "2.1"), serialAction("serial"))
	assertFault(t, ex, 400, "Not able to acquire a free port for "+fakenova.TestHost)

	_, err = f.State.UpdateHost(fakenova.TestHost, func(h *state.Host) { h.SerialPortsExhausted = false })
	require.NoError(t, err)
	ex = send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/action", apiHeader(f.Token, "2.1"), serialAction("serial"))
	require.Equal(t, http.StatusOK, ex.status, ex.body)
}

func TestLegacySPICEAndSerialConsoleSucceed(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	rows := []struct {
		name, path, token, version, body string
		typ, prefix                      string
		versioned                        bool
	}{
		{"spice at 2.1", "/v2.1/" + f.ProjectID + "/servers/" + f.active.ID + "/action", f.Token, "", spiceAction("spice-html5"),
			"spice-html5", spiceHTML5Prefix, true},
		{"spice at 2.5, project-less", "/v2.1/servers/" + f.active.ID + "/action", f.Token, "2.5", spiceAction("spice-html5"),
			"spice-html5", spiceHTML5Prefix, true},
		{"serial at 2.1", "/v2.1/servers/" + f.active.ID + "/action", f.Token, "2.1", serialAction("serial"),
			"serial", serialPrefix, true},
		{"serial, admin on another project's server", "/v2.1/servers/" + f.foreign.ID + "/action", f.adminToken, "2.3", serialAction("serial"),
			"serial", serialPrefix, true},
		{"spice on /v2, extra property relaxed", "/v2/" + f.ProjectID + "/servers/" + f.active.ID + "/action", f.Token, "",
			`{"os-getSPICEConsole": {"type": "spice-html5", "x": 1}}`, "spice-html5", spiceHTML5Prefix, false},
		{"serial on /v2 at \"2.6\": /v2 ignores the headers", "/v2/" + f.ProjectID + "/servers/" + f.active.ID + "/action", f.Token, "2.6",
			serialAction("serial"), "serial", serialPrefix, false},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := send(t, f.URL, http.MethodPost, row.path, apiHeader(row.token, row.version), row.body)
			require.Equal(t, http.StatusOK, ex.status, ex.body)
			assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
			assertRequestIDs(t, ex.header)
			if row.versioned {
				want := row.version
				if want == "" {
					want = "2.1"
				}
				assertVersionHeaders(t, ex.header, want)
			} else {
				assertNoVersionHeaders(t, ex.header)
			}
			console := ex.decoded["console"]
			require.NotNil(t, console, ex.body)
			assert.Len(t, ex.decoded, 1)
			assert.Len(t, console, 2, "type and url")
			assert.Equal(t, row.typ, console["type"])
			tok, err := f.State.ConsoleToken(tokenOf(t, console["url"].(string), row.prefix))
			require.NoError(t, err)
			assert.Equal(t, state.ConsoleType(row.typ), tok.Type)
		})
	}
}

// TestLegacyRDPConsole: os-getRDPConsole only raises HTTPBadRequest() at 2.1
// to 2.5, before policy and lookup; 404 from 2.6.
func TestLegacyRDPConsole(t *testing.T) {
	f := newConsoleFixture(t)
	missing := "8f9e0b6c-2a44-4d7f-9c1e-5b3a2d1c0f99"
	rdp := `{"os-getRDPConsole": {"type": "rdp-html5"}}`
	for _, row := range []struct {
		name, path, token, version, body string
		status                           int
		message                          string
		versioned                        bool
	}{
		{"2.1", "/v2.1/servers/" + f.active.ID + "/action", f.Token, "", rdp, 400, webobBadRequest, true},
		{"2.5", "/v2.1/" + f.ProjectID + "/servers/" + f.active.ID + "/action", f.Token, "2.5", rdp, 400, webobBadRequest, true},
		{"unknown server", "/v2.1/servers/" + missing + "/action", f.Token, "2.1", rdp, 400, webobBadRequest, true},
		{"another project's server", "/v2.1/servers/" + f.foreign.ID + "/action", f.Token, "2.1", rdp, 400, webobBadRequest, true},
		{"reader (no member role)", "/v2.1/servers/" + f.active.ID + "/action", f.readerToken, "2.1", rdp, 400, webobBadRequest, true},
		{"reader, unknown server", "/v2.1/servers/" + missing + "/action", f.readerToken, "2.4", rdp, 400, webobBadRequest, true},
		{"no host", "/v2.1/servers/" + f.building.ID + "/action", f.Token, "2.1", rdp, 400, webobBadRequest, true},
		{"any body: the schema is {}", "/v2.1/servers/" + f.active.ID + "/action", f.Token, "2.1", `{"os-getRDPConsole": {"type": 5, "x": 1}}`, 400, webobBadRequest, true},
		{"null arguments", "/v2.1/servers/" + f.active.ID + "/action", f.Token, "2.1", `{"os-getRDPConsole": null}`, 400, webobBadRequest, true},
		{"/v2 endpoint", "/v2/" + f.ProjectID + "/servers/" + f.active.ID + "/action", f.Token, "2.6", rdp, 400, webobBadRequest, false},
		{"2.6", "/v2.1/servers/" + f.active.ID + "/action", f.Token, "2.6", rdp, 404, webobNotFound, true},
		{"2.6, unknown server", "/v2.1/servers/" + missing + "/action", f.readerToken, "2.6", rdp, 404, webobNotFound, true},
	} {
		t.Run(row.name, func(t *testing.T) {
			ex := send(t, f.URL, http.MethodPost, row.path, apiHeader(row.token, row.version), row.body)
			assertFault(t, ex, row.status, row.message)
			assertRequestIDs(t, ex.header)
			if row.versioned {
				want := row.version
				if want == "" {
					want = "2.1"
				}
				assertVersionHeaders(t, ex.header, want)
			} else {
				assertNoVersionHeaders(t, ex.header)
			}
		})
	}
}

// TestLegacyConsolesRemovedAt26: from 2.6 every legacy console action is
// Nova's 404, whatever the body, the caller or the server.
func TestLegacyConsolesRemovedAt26(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	missing := "8f9e0b6c-2a44-4d7f-9c1e-5b3a2d1c0f99"
	bodies := map[string]string{
		"os-getVNCConsole":    vnc("novnc"),
		"os-getSPICEConsole":  spiceAction("spice-html5"),
		"os-getSerialConsole": serialAction("serial"),
		"os-getRDPConsole":    `{"os-getRDPConsole": {"type": "rdp-html5"}}`,
	}
	for action, body := range bodies {
		for _, version := range []string{"2.6", "2.7", "2.8", "2.31", "2.99", fakenova.DefaultMaxMicroversion.String(), "latest"} {
			t.Run(action+"/"+version, func(t *testing.T) {
				want := version
				if version == "latest" {
					want = fakenova.DefaultMaxMicroversion.String()
				}
				for _, req := range []struct{ server, token, body string }{
					{f.active.ID, f.Token, body},
					{missing, f.readerToken, body},                         // no policy, no lookup
					{f.active.ID, f.Token, `{"` + action + `": {"x": 1}}`}, // no schema
				} {
					ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+req.server+"/action", apiHeader(req.token, version), req.body)
					assertFault(t, ex, 404, webobNotFound)
					assertVersionHeaders(t, ex.header, want)
				}
			})
		}
	}
	// The same actions work at 2.5.
	for action, body := range bodies {
		ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/action", apiHeader(f.Token, "2.5"), body)
		if action == "os-getRDPConsole" {
			assertFault(t, ex, 400, webobBadRequest)
			continue
		}
		assert.Equal(t, http.StatusOK, ex.status, "%s: %s", action, ex.body)
	}
}
