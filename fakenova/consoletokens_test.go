package fakenova_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// GET /os-console-auth-tokens/{console_token} (reference §3).

const tokenPolicy = "Policy doesn't allow os_compute_api:os-console-auth-tokens to be performed."

// openConsole asks for a console over remote-consoles and returns its token.
func openConsole(t *testing.T, f *consoleFixture, version, protocol, typ, prefix string) string {
	t.Helper()
	ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/remote-consoles", apiHeader(f.Token, version), rc(protocol, typ))
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	return tokenOf(t, ex.decoded["remote_console"]["url"].(string), prefix)
}

func TestConsoleAuthTokens(t *testing.T) {
	f := newConsoleFixture(t, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	novnc := openConsole(t, f, "2.6", "vnc", "novnc", novncPrefix)
	direct := openConsole(t, f, "2.99", "spice", "spice-direct", spiceDirectPrefix)
	html5 := openConsole(t, f, "2.6", "spice", "spice-html5", spiceHTML5Prefix)
	serial := openConsole(t, f, "2.6", "serial", "serial", serialPrefix)
	webmks := openConsole(t, f, "2.8", "mks", "webmks", webmksPrefix)
	missing := "1e1b2ef6-6a52-4ab4-9e3d-8f1b63cdbb9b"

	// connection is the body of a 200 for a token of f.active.
	connection := func(port int, extra string) string {
		return `{"console": {"instance_uuid": "` + f.active.ID + `", "host": "` + fakenova.TestHost + `", "port": ` +
			strconv.Itoa(port) + `, "internal_access_path": null` + extra + `}}`
	}
	rows := []struct {
		name    string
		path    string // under /v2.1
		token   string
		version string
		status  int
		message string // for a fault
		body    string // for a 200
	}{
		// Below 2.31: webob's 400 before anything else.
		{"2.1, admin", "/os-console-auth-tokens/" + novnc, f.adminToken, "", 400, webobBadRequest, ""},
		{"2.30, admin", "/os-console-auth-tokens/" + novnc, f.adminToken, "2.30", 400, webobBadRequest, ""},
		{"2.30, non-admin", "/os-console-auth-tokens/" + novnc, f.Token, "2.30", 400, webobBadRequest, ""},
		{"2.30, reader, unknown token", "/os-console-auth-tokens/" + missing, f.readerToken, "2.30", 400, webobBadRequest, ""},
		// 2.31: admin only, policy before the lookup.
		{"2.31, member", "/os-console-auth-tokens/" + novnc, f.Token, "2.31", 403, tokenPolicy, ""},
		{"2.31, reader", "/os-console-auth-tokens/" + novnc, f.readerToken, "2.31", 403, tokenPolicy, ""},
		{"2.31, member, unknown token", "/os-console-auth-tokens/" + missing, f.Token, "2.31", 403, tokenPolicy, ""},
		{"2.31, another project's member", "/os-console-auth-tokens/" + novnc, f.foreignToken, "2.31", 403, tokenPolicy, ""},
		{"2.31, admin", "/os-console-auth-tokens/" + novnc, f.adminToken, "2.31", 200, "", connection(5900, "")},
		{"2.31, admin, project route", "/" + f.ProjectID + "/os-console-auth-tokens/" + novnc, f.adminToken, "2.31", 200, "", connection(5900, "")},
		{"2.31, admin, unknown token", "/os-console-auth-tokens/" + missing, f.adminToken, "2.31", 404, "Token not found", ""},
		{"2.31, admin, token not a uuid", "/os-console-auth-tokens/not-a-token", f.adminToken, "2.31", 404, "Token not found", ""},
		{"2.31, admin, uppercase token", "/os-console-auth-tokens/" + strings.ToUpper(novnc), f.adminToken, "2.31", 404, "Token not found", ""},
		{"serial token", "/os-console-auth-tokens/" + serial, f.adminToken, "2.31", 200, "", connection(10000, "")},
		{"webmks token", "/os-console-auth-tokens/" + webmks, f.adminToken, "2.50", 200, "", connection(902, "")},
		// Query parameters: ignored below 2.99, refused from 2.99 (before policy).
		{"2.98, query ignored", "/os-console-auth-tokens/" + novnc + "?foo=1", f.adminToken, "2.98", 200, "", connection(5900, "")},
		{"2.99, query", "/os-console-auth-tokens/" + novnc + "?foo=1", f.adminToken, "2.99", 400,
			"Additional properties are not allowed ('foo' was unexpected)", ""},
		{"2.99, two query parameters", "/os-console-auth-tokens/" + novnc + "?z=1&a=2&z=3", f.adminToken, "2.99", 400,
			"Additional properties are not allowed ('a', 'z' were unexpected)", ""},
		{"2.99, query, non-admin", "/os-console-auth-tokens/" + novnc + "?foo=1", f.Token, "2.99", 400,
			"Additional properties are not allowed ('foo' was unexpected)", ""},
		{"2.99, non-admin", "/os-console-auth-tokens/" + novnc, f.Token, "2.99", 403, tokenPolicy, ""},
		// tls_port: only at 2.99+ and only for spice-direct.
		{"spice-direct at 2.99", "/os-console-auth-tokens/" + direct, f.adminToken, "2.99", 200, "", connection(5900, `, "tls_port": 5901`)},
		{"spice-direct at latest", "/os-console-auth-tokens/" + direct, f.adminToken, "latest", 200, "", connection(5900, `, "tls_port": 5901`)},
		{"spice-direct at 2.98", "/os-console-auth-tokens/" + direct, f.adminToken, "2.98", 200, "", connection(5900, "")},
		{"spice-html5 at 2.99", "/os-console-auth-tokens/" + html5, f.adminToken, "2.99", 200, "", connection(5900, "")},
		{"novnc at 2.99", "/os-console-auth-tokens/" + novnc, f.adminToken, "2.99", 200, "", connection(5900, "")},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := send(t, f.URL, http.MethodGet, "/v2.1"+row.path, apiHeader(row.token, row.version), "")
			want := row.version
			switch want {
			case "":
				want = "2.1"
			case "latest":
				want = fakenova.DefaultMaxMicroversion.String()
			}
			assertVersionHeaders(t, ex.header, want)
			assertRequestIDs(t, ex.header)
			if row.status != 200 {
				assertFault(t, ex, row.status, row.message)
				return
			}
			require.Equal(t, 200, ex.status, ex.body)
			assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
			assert.JSONEq(t, row.body, ex.body)
		})
	}

	t.Run("legacy /v2 is 2.1", func(t *testing.T) {
		ex := send(t, f.URL, http.MethodGet, "/v2/"+f.ProjectID+"/os-console-auth-tokens/"+novnc, apiHeader(f.adminToken, "2.31"), "")
		assertFault(t, ex, 400, webobBadRequest)
		assertNoVersionHeaders(t, ex.header)
	})

	t.Run("a legacy action's token", func(t *testing.T) {
		ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.active.ID+"/action", apiHeader(f.Token, "2.1"), serialAction("serial"))
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		tok := tokenOf(t, ex.decoded["console"]["url"].(string), serialPrefix)
		ex = send(t, f.URL, http.MethodGet, "/v2.1/os-console-auth-tokens/"+tok, apiHeader(f.adminToken, "2.31"), "")
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		assert.JSONEq(t, connection(10000, ""), ex.body)
	})

	t.Run("the token of a deleted server", func(t *testing.T) {
		srv := f.AddServer("short-lived")
		ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+srv.ID+"/remote-consoles", apiHeader(f.Token, "2.6"), rc("vnc", "novnc"))
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		tok := tokenOf(t, ex.decoded["remote_console"]["url"].(string), novncPrefix)
		ex = send(t, f.URL, http.MethodGet, "/v2.1/os-console-auth-tokens/"+tok, apiHeader(f.adminToken, "2.31"), "")
		require.Equal(t, http.StatusOK, ex.status, ex.body)
		require.NoError(t, f.State.RemoveServer(srv.ID))
		ex = send(t, f.URL, http.MethodGet, "/v2.1/os-console-auth-tokens/"+tok, apiHeader(f.adminToken, "2.31"), "")
		assertFault(t, ex, 404, "Token not found")
	})
}

// TestConsoleAuthTokenExpires advances a manual clock past the TTL (Nova's
// [consoleauth] token_ttl, 600 s): valid a second before, gone at the TTL.
func TestConsoleAuthTokenExpires(t *testing.T) {
	clock := state.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	st := state.New(state.WithClock(clock), state.WithProtocols(allProtocols...))
	require.Equal(t, 600*time.Second, st.ConsoleTTL())
	f := newConsoleFixture(t, fakenova.WithState(st))
	get := func(tok string) exchange {
		return send(t, f.URL, http.MethodGet, "/v2.1/os-console-auth-tokens/"+tok, apiHeader(f.adminToken, "2.31"), "")
	}

	novnc := openConsole(t, f, "2.6", "vnc", "novnc", novncPrefix)
	clock.Advance(300 * time.Second)
	serial := openConsole(t, f, "2.6", "serial", "serial", serialPrefix) // issued 300 s later

	clock.Advance(299 * time.Second) // novnc: 599 s old
	require.Equal(t, http.StatusOK, get(novnc).status)
	tok, err := f.State.ConsoleToken(novnc)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 1, 12, 10, 0, 0, time.UTC), tok.ExpiresAt)

	clock.Advance(time.Second) // novnc: 600 s old
	assertFault(t, get(novnc), 404, "Token not found")
	require.Equal(t, http.StatusOK, get(serial).status, "a younger token lives on")

	clock.Advance(299 * time.Second) // serial: 599 s old
	require.Equal(t, http.StatusOK, get(serial).status)
	clock.Advance(time.Second)
	assertFault(t, get(serial), 404, "Token not found")

	// A new console gets a fresh token that works.
	fresh := openConsole(t, f, "2.6", "vnc", "novnc", novncPrefix)
	require.Equal(t, http.StatusOK, get(fresh).status)
}

func TestConsoleAuthTokenTTLOption(t *testing.T) {
	clock := state.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	f := newConsoleFixture(t, fakenova.WithState(state.New(state.WithClock(clock), state.WithConsoleTTL(30*time.Second))))
	tok := openConsole(t, f, "2.6", "vnc", "novnc", novncPrefix)
	clock.Advance(29 * time.Second)
	ex := send(t, f.URL, http.MethodGet, "/v2.1/os-console-auth-tokens/"+tok, apiHeader(f.adminToken, "2.31"), "")
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	clock.Advance(time.Second)
	ex = send(t, f.URL, http.MethodGet, "/v2.1/os-console-auth-tokens/"+tok, apiHeader(f.adminToken, "2.31"), "")
	assertFault(t, ex, 404, "Token not found")
}
