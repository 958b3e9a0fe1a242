package fakenova_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// Microversion headers (reference §6): parsing as microversion_parse's
// get_version with Nova's legacy header, Nova's 400 and 406, and the
// headers every /v2.1 answer echoes.

// hdrs builds request headers from name, value pairs; a name may repeat.
func hdrs(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestMicroversionHeaderParsing(t *testing.T) {
	f := newConsoleFixture(t)
	max := fakenova.DefaultMaxMicroversion.String()
	invalid := func(v string) string {
		return "API Version String " + v + " is of invalid format. Must be of format MajorNum.MinorNum."
	}
	notSupported := func(v string) string {
		return "Version " + v + " is not supported by the API. Minimum is 2.1 and maximum is " + max + "."
	}
	const std, legacy = "OpenStack-API-Version", "X-OpenStack-Nova-API-Version"
	rows := []struct {
		name    string
		header  http.Header
		version string // the version the request gets, echoed
		status  int    // 200, or the fault's
		message string
	}{
		{"none is 2.1", hdrs(), "2.1", 200, ""},
		{"standard header", hdrs(std, "compute 2.6"), "2.6", 200, ""},
		{"legacy header", hdrs(legacy, "2.6"), "2.6", 200, ""},
		{"standard wins over legacy", hdrs(std, "compute 2.8", legacy, "2.6"), "2.8", 200, ""},
		{"standard wins even when lower", hdrs(std, "compute 2.2", legacy, "2.60"), "2.2", 200, ""},
		{"service name in any case", hdrs(std, "COMPUTE 2.9"), "2.9", 200, ""},
		{"extra whitespace", hdrs(std, "  compute   2.10  "), "2.10", 200, ""},
		{"last compute entry of a comma list", hdrs(std, "compute 2.5, compute 2.7"), "2.7", 200, ""},
		{"last compute entry across header lines", hdrs(std, "compute 2.3", std, "compute 2.4"), "2.4", 200, ""},
		{"other services ignored", hdrs(std, "compute 2.11, placement 1.10"), "2.11", 200, ""},
		{"other services around", hdrs(std, "identity 3.0, compute 2.12, image 2.5"), "2.12", 200, ""},
		{"only another service: none", hdrs(std, "placement 1.10"), "2.1", 200, ""},
		{"only another service: legacy used", hdrs(std, "placement 1.10", legacy, "2.13"), "2.13", 200, ""},
		{"last of a legacy comma list", hdrs(legacy, "2.5, 2.9"), "2.9", 200, ""},
		// microversion_parse splits "compute" alone into one word, which
		// does not unpack into service and version: the entry is skipped.
		{"standard \"compute\" alone is skipped", hdrs(std, "compute"), "2.1", 200, ""},
		{"standard \"compute\" alone, legacy used", hdrs(std, "compute", legacy, "2.14"), "2.14", 200, ""},
		{"empty standard header: no entry", hdrs(std, ""), "2.1", 200, ""},
		{"empty standard header, legacy used", hdrs(std, "", legacy, "2.15"), "2.15", 200, ""},
		{"standard latest", hdrs(std, "compute latest"), max, 200, ""},
		{"legacy latest", hdrs(legacy, "latest"), max, 200, ""},
		{"the maximum", hdrs(std, "compute "+max), max, 200, ""},
		{"the minimum", hdrs(legacy, "2.1"), "2.1", 200, ""},
		// 400: malformed, no microversion headers in the answer.
		{"major only", hdrs(std, "compute 2"), "", 400, invalid("2")},
		{"leading zero minor", hdrs(std, "compute 2.01"), "", 400, invalid("2.01")},
		{"leading zero major", hdrs(legacy, "02.1"), "", 400, invalid("02.1")},
		{"letters", hdrs(std, "compute abc"), "", 400, invalid("abc")},
		{"three parts", hdrs(std, "compute 2.1.1"), "", 400, invalid("2.1.1")},
		{"LATEST is not latest", hdrs(std, "compute LATEST"), "", 400, invalid("LATEST")},
		{"legacy \"compute\"", hdrs(legacy, "compute"), "", 400, invalid("compute")},
		{"legacy \"compute 2.6\"", hdrs(legacy, "compute 2.6"), "", 400, invalid("compute 2.6")},
		{"empty legacy header", hdrs(legacy, ""), "", 400, invalid("")},
		{"malformed standard wins over a good legacy", hdrs(std, "compute 2.x", legacy, "2.6"), "", 400, invalid("2.x")},
		// 406: out of range, the requested version echoed.
		{"3.7", hdrs(std, "compute 3.7"), "3.7", 406, notSupported("3.7")},
		{"2.0", hdrs(std, "compute 2.0"), "2.0", 406, notSupported("2.0")},
		{"1.1", hdrs(legacy, "1.1"), "1.1", 406, notSupported("1.1")},
		{"2.104, past the default maximum", hdrs(std, "compute 2.104"), "2.104", 406, notSupported("2.104")},
		{"a huge minor", hdrs(std, "compute 2.100000000000000000000"), "2.100000000000000000000", 406,
			notSupported("2.100000000000000000000")},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			h := row.header
			h.Set("X-Auth-Token", f.Token)
			ex := send(t, f.URL, http.MethodGet, "/v2.1/"+f.ProjectID, h, "")
			assertRequestIDs(t, ex.header)
			if row.version == "" {
				assertNoVersionHeaders(t, ex.header)
			} else {
				assertVersionHeaders(t, ex.header, row.version)
			}
			if row.status != 200 {
				assertFault(t, ex, row.status, row.message)
				return
			}
			require.Equal(t, http.StatusOK, ex.status, ex.body)
			assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
		})
	}
}

// TestMicroversionHeadersEcho: both version headers and two separate Vary
// lines on every /v2.1 answer after the version is parsed, success or
// fault; none on the 401, the malformed-version 400, the router's bare
// 404, and anything on /v2.
func TestMicroversionHeadersEcho(t *testing.T) {
	f := newConsoleFixture(t)
	missing := "8f9e0b6c-2a44-4d7f-9c1e-5b3a2d1c0f99"
	rows := []struct {
		name, method, path string
		header             http.Header
		body               string
		status             int
		echo               string // "" for none
	}{
		{"200 legacy action", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", apiHeader(f.Token, "2.5"), vnc("novnc"), 200, "2.5"},
		{"200 remote-consoles", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/remote-consoles", apiHeader(f.Token, "2.79"), rc("vnc", "novnc"), 200, "2.79"},
		{"200 version document with project", http.MethodGet, "/v2.1/" + f.ProjectID + "/", apiHeader(f.Token, "2.42"), "", 200, "2.42"},
		{"200 version document", http.MethodGet, "/v2.1/", apiHeader("", "2.42"), "", 200, "2.42"},
		{"400 schema", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/remote-consoles", apiHeader(f.Token, "2.6"), `{}`, 400, "2.6"},
		{"400 no such action", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", apiHeader(f.Token, "2.3"), `{"nope": 1}`, 400, "2.3"},
		{"400 project mismatch", http.MethodPost, "/v2.1/" + f.foreignProject + "/servers/" + f.active.ID + "/action", apiHeader(f.Token, "2.3"), vnc("novnc"), 400, "2.3"},
		{"403 policy", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", apiHeader(f.readerToken, "2.4"), vnc("novnc"), 403, "2.4"},
		{"404 fault", http.MethodPost, "/v2.1/servers/" + missing + "/remote-consoles", apiHeader(f.Token, "2.6"), rc("vnc", "novnc"), 404, "2.6"},
		{"404 legacy action at 2.6", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", apiHeader(f.Token, "2.6"), vnc("novnc"), 404, "2.6"},
		{"409", http.MethodPost, "/v2.1/servers/" + f.building.ID + "/action", apiHeader(f.Token, "2.2"), vnc("novnc"), 409, "2.2"},
		{"415", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", hdrs("X-Auth-Token", f.Token, "Content-Type", "text/xml", "OpenStack-API-Version", "compute 2.2"), vnc("novnc"), 415, "2.2"},
		{"500", http.MethodPost, "/v2.1/servers/" + f.deleting.ID + "/remote-consoles", apiHeader(f.Token, "2.6"), rc("vnc", "novnc"), 500, "2.6"},
		{"501", http.MethodPost, "/v2.1/servers/" + f.metal.ID + "/action", apiHeader(f.Token, "2.1"), vnc("novnc"), 501, "2.1"},
		{"406", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", apiHeader(f.Token, "3.7"), vnc("novnc"), 406, "3.7"},
		{"406 on the version document", http.MethodGet, "/v2.1", apiHeader("", "2.0"), "", 406, "2.0"},
		// None:
		{"401", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", apiHeader("", "2.5"), vnc("novnc"), 401, ""},
		{"400 malformed version", http.MethodPost, "/v2.1/servers/" + f.active.ID + "/action", apiHeader(f.Token, "2.05"), vnc("novnc"), 400, ""},
		{"router's bare 404", http.MethodGet, "/v2.1/servers/" + f.active.ID + "/nothing", apiHeader(f.Token, "2.5"), "", 404, ""},
		{"/v2 action at \"2.6\" still works", http.MethodPost, "/v2/" + f.ProjectID + "/servers/" + f.active.ID + "/action", apiHeader(f.Token, "2.6"), vnc("novnc"), 200, ""},
		{"/v2 ignores a malformed version", http.MethodPost, "/v2/" + f.ProjectID + "/servers/" + f.active.ID + "/action", apiHeader(f.Token, "abc"), vnc("novnc"), 200, ""},
		{"/v2 ignores an out-of-range version", http.MethodPost, "/v2/" + f.ProjectID + "/servers/" + f.active.ID + "/action", apiHeader(f.Token, "3.7"), vnc("novnc"), 200, ""},
		{"/v2 fault", http.MethodPost, "/v2/" + f.ProjectID + "/servers/" + missing + "/action", apiHeader(f.Token, "2.5"), vnc("novnc"), 404, ""},
		{"/v2 remote-consoles (2.1 there)", http.MethodPost, "/v2/" + f.ProjectID + "/servers/" + f.active.ID + "/remote-consoles", apiHeader(f.Token, "2.6"), rc("vnc", "novnc"), 404, ""},
		{"/v2 version document", http.MethodGet, "/v2/", apiHeader("", "2.6"), "", 200, ""},
		{"/v2 project version document", http.MethodGet, "/v2/" + f.ProjectID + "/", apiHeader(f.Token, "2.6"), "", 200, ""},
		{"root versions", http.MethodGet, "/", apiHeader("", "2.6"), "", 200, ""},
		{"choices", http.MethodGet, "/foo", apiHeader("", "2.6"), "", 300, ""},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := send(t, f.URL, row.method, row.path, row.header, row.body)
			require.Equal(t, row.status, ex.status, ex.body)
			if row.echo == "" {
				assertNoVersionHeaders(t, ex.header)
			} else {
				assertVersionHeaders(t, ex.header, row.echo)
			}
		})
	}
}

// TestWithMaxMicroversion: the maximum moves the 406's message, "latest",
// the version documents and what the schemas of the newer versions allow.
func TestWithMaxMicroversion(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithMaxMicroversion(fakenova.Microversion{Major: 2, Minor: 95}),
		fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	path := "/v2.1/servers/" + f.active.ID + "/remote-consoles"

	ex := send(t, f.URL, http.MethodPost, path, apiHeader(f.Token, "2.96"), rc("vnc", "novnc"))
	assertFault(t, ex, 406, "Version 2.96 is not supported by the API. Minimum is 2.1 and maximum is 2.95.")
	assertVersionHeaders(t, ex.header, "2.96")

	ex = send(t, f.URL, http.MethodPost, path, apiHeader(f.Token, "latest"), rc("spice", "spice-direct"))
	assertFault(t, ex, 400, "Invalid input for field/attribute type. Value: spice-direct. 'spice-direct' is not one of "+
		"['novnc', 'xvpvnc', 'spice-html5', 'serial', 'rdp-html5', 'webmks']")
	assertVersionHeaders(t, ex.header, "2.95")

	ex = send(t, f.URL, http.MethodPost, path, apiHeader(f.Token, "latest"), rc("mks", "webmks"))
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assertVersionHeaders(t, ex.header, "2.95")

	ex = send(t, f.URL, http.MethodGet, "/v2.1/", nil, "")
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Equal(t, "2.95", ex.decoded["version"]["version"])
	assert.Equal(t, "2.1", ex.decoded["version"]["min_version"])

	root := decodeAny(t, send(t, f.URL, http.MethodGet, "/", nil, ""))
	versions := root["versions"].([]any)
	require.Len(t, versions, 2)
	assert.Equal(t, "2.95", versions[1].(map[string]any)["version"])

	// A higher maximum than the default: 2.104 is then in range.
	g := fakenova.Start(t, fakenova.WithMaxMicroversion(fakenova.Microversion{Major: 2, Minor: 104}))
	ex = send(t, g.URL, http.MethodGet, "/v2.1/", apiHeader("", "2.104"), "")
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assertVersionHeaders(t, ex.header, "2.104")
	ex = send(t, g.URL, http.MethodGet, "/v2.1/", apiHeader("", "2.105"), "")
	assertFault(t, ex, 406, "Version 2.105 is not supported by the API. Minimum is 2.1 and maximum is 2.104.")
}

func TestDefaultMaxMicroversionIsNova2026_1(t *testing.T) {
	// Nova 33.0.0, 2026.1 "Gazpacho": _MAX_API_VERSION = '2.103' (reference §6).
	assert.Equal(t, fakenova.Microversion{Major: 2, Minor: 103}, fakenova.DefaultMaxMicroversion)
	assert.Equal(t, fakenova.Microversion{Major: 2, Minor: 1}, fakenova.MinMicroversion)
}

func TestParseMicroversion(t *testing.T) {
	for _, s := range []string{"2.1", "2.0", "2.10", "2.103", "3.7", "10.20", "1.0"} {
		v, err := fakenova.ParseMicroversion(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, v.String())
	}
	for _, s := range []string{"", "2", "2.", ".1", "2.01", "02.1", "0.1", "abc", "2.a", "a.2", "2.1.1", " 2.1", "2.1 ", "+2.1", "2.-1", "latest", "２.1"} {
		_, err := fakenova.ParseMicroversion(s)
		require.Error(t, err, "%q", s)
		assert.Equal(t, "API Version String "+s+" is of invalid format. Must be of format MajorNum.MinorNum.", err.Error())
	}
	v26 := fakenova.Microversion{Major: 2, Minor: 6}
	v28 := fakenova.Microversion{Major: 2, Minor: 8}
	v210 := fakenova.Microversion{Major: 2, Minor: 10}
	assert.True(t, v26.Less(v28))
	assert.False(t, v28.Less(v26))
	assert.False(t, v26.Less(v26))
	assert.True(t, v28.Less(v210), "minor versions compare as numbers")
	assert.True(t, v28.Less(fakenova.Microversion{Major: 3, Minor: 0}))
	assert.True(t, v28.In(v26, v210))
	assert.True(t, v26.In(v26, v26))
	assert.False(t, v210.In(v26, v28))
}
