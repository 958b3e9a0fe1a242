package fakenova_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// consoleOutput asks for a server's console output with the given action
// body ({"os-getConsoleOutput": ...}) at a microversion.
func consoleOutput(t *testing.T, ts *fakenova.Test, token, serverID, args, version string) exchange {
	t.Helper()
	return send(t, ts.URL, http.MethodPost, "/v2.1/"+ts.ProjectID+"/servers/"+serverID+"/action",
		apiHeader(token, version), `{"os-getConsoleOutput": `+args+`}`)
}

// outputOf decodes a 200 answer's output.
func outputOf(t *testing.T, ex exchange) string {
	t.Helper()
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	out, ok := decodeAny(t, ex)["output"].(string)
	require.True(t, ok, ex.body)
	return out
}

// Golden: the api-sample, from Nova's fake driver's text.
func TestConsoleOutputGoldenSample(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("vm1")
	require.NoError(t, ts.State.SetConsoleOutput(srv.ID, "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE"))
	req := readSample(t, "os-console-output/console-output-post-req.json")
	ex := send(t, ts.URL, http.MethodPost, "/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/action", apiHeader(ts.Token, ""), req)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.JSONEq(t, readSample(t, "os-console-output/console-output-post-resp.json"), ex.body)
	assert.Equal(t, `{"output": "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE"}`, ex.body)
	assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
	assertRequestIDs(t, ex.header)
	assertVersionHeaders(t, ex.header, "2.1")
	ts.AssertCalled("getConsoleOutput", 1)
}

// length as Nova reads it: none, null, integers and digit strings; 0 is
// nothing, -1 every line but the first (_tail_log's quirk); a log ending
// in a newline has an empty last line.
func TestConsoleOutputLength(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("vm1")
	const log = "one\ntwo\nthree\n"
	require.NoError(t, ts.State.SetConsoleOutput(srv.ID, log))
	rows := []struct{ args, want string }{
		{`{}`, log},
		{`{"length": null}`, log},
		{`{"length": 1}`, ""},
		{`{"length": 2}`, "three\n"},
		{`{"length": "2"}`, "three\n"},
		{`{"length": 3}`, "two\nthree\n"},
		{`{"length": "007"}`, log},
		{`{"length": 99999999999999999999999}`, log},
		{`{"length": 0}`, ""},
		{`{"length": "0"}`, ""},
		{`{"length": -1}`, "two\nthree\n"},
		{`{"length": "-1"}`, "two\nthree\n"},
		{`{"length": 2.0}`, "three\n"},
		{`{"length": "2\n"}`, "three\n"}, // Python's $ matches before a final newline
	}
	for _, row := range rows {
		t.Run(row.args, func(t *testing.T) {
			assert.Equal(t, row.want, outputOf(t, consoleOutput(t, ts, ts.Token, srv.ID, row.args, "")))
		})
	}
}

func TestConsoleOutputErrors(t *testing.T) {
	f := newConsoleFixture(t)
	const prefix = "Invalid input for field/attribute "
	rows := []struct {
		name, token, server, args string
		status                    int
		message                   string
	}{
		{"junk", f.Token, f.active.ID, `{"length": "abc"}`, 400, prefix + "length. Value: abc. 'abc' does not match '^-?[0-9]+$'"},
		{"empty string", f.Token, f.active.ID, `{"length": ""}`, 400, prefix + "length. Value: . '' does not match '^-?[0-9]+$'"},
		{"below -1", f.Token, f.active.ID, `{"length": -2}`, 400, prefix + "length. Value: -2. -2 is less than the minimum of -1"},
		{"below -1 as a string", f.Token, f.active.ID, `{"length": "-2"}`, 400, prefix + "length. Value: -2. -2 is less than the minimum of -1"},
		{"a fraction", f.Token, f.active.ID, `{"length": 1.5}`, 400, prefix + "length. Value: 1.5. 1.5 is not of type 'integer', 'string', 'null'"},
		{"a boolean", f.Token, f.active.ID, `{"length": true}`, 400, prefix + "length. Value: True. True is not of type 'integer', 'string', 'null'"},
		{"another key", f.Token, f.active.ID, `{"length": 1, "foo": 2}`, 400,
			prefix + "os-getConsoleOutput. Value: {'length': 1, 'foo': 2}. Additional properties are not allowed ('foo' was unexpected)"},
		{"not an object", f.Token, f.active.ID, `null`, 400, prefix + "os-getConsoleOutput. Value: None. None is not of type 'object'"},
		{"schema before lookup", f.Token, "nope", `{"length": "x"}`, 400, prefix + "length. Value: x. 'x' does not match '^-?[0-9]+$'"},
		{"unknown server", f.Token, "nope", `{}`, 404, "Instance nope could not be found."},
		{"another project's", f.Token, f.foreign.ID, `{}`, 404, "Instance " + f.foreign.ID + " could not be found."},
		{"a reader", f.readerToken, f.active.ID, `{}`, 403, "Policy doesn't allow os_compute_api:os-console-output to be performed."},
		{"no host yet", f.Token, f.building.ID, `{}`, 409, "Instance " + f.building.ID + " is not ready"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+row.server+"/action", apiHeader(row.token, ""),
				`{"os-getConsoleOutput": `+row.args+`}`)
			assertFault(t, ex, row.status, row.message)
		})
	}
	// An admin reads any project's.
	ex := send(t, f.URL, http.MethodPost, "/v2.1/servers/"+f.foreign.ID+"/action", apiHeader(f.adminToken, ""), `{"os-getConsoleOutput": {}}`)
	assert.Contains(t, outputOf(t, ex), "theirs login: ")
	// The legacy v2 endpoint strips unknown keys.
	ex = send(t, f.URL, http.MethodPost, "/v2/"+f.ProjectID+"/servers/"+f.active.ID+"/action", apiHeader(f.Token, ""),
		`{"os-getConsoleOutput": {"length": 1, "foo": 2}}`)
	assert.Equal(t, "vm1 login: ", outputOf(t, ex))
	assertNoVersionHeaders(t, ex.header)
}

// The output as Nova sends it: non-ASCII bytes become U+FFFD, control
// characters but tab and newline go, and only the last 100 KiB (libvirt's
// read) count.
func TestConsoleOutputText(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("vm1")
	require.NoError(t, ts.State.SetConsoleOutput(srv.ID, "a\x1b[0mb\r\nc\x00d\te\x7ff caf\u00e9"))
	ex := consoleOutput(t, ts, ts.Token, srv.ID, `{}`, "")
	assert.Equal(t, `{"output": "a[0mb\nc`+`d\te\u007ff caf\ufffd\ufffd"}`, ex.body)

	big := strings.Repeat("x", 150*1024) + "\nend"
	require.NoError(t, ts.State.SetConsoleOutput(srv.ID, big))
	out := outputOf(t, consoleOutput(t, ts, ts.Token, srv.ID, `{}`, ""))
	assert.Len(t, out, 100*1024)
	assert.True(t, strings.HasSuffix(out, "x\nend"))
	assert.Equal(t, "end", outputOf(t, consoleOutput(t, ts, ts.Token, srv.ID, `{"length": -1}`, "")),
		"the first line of what libvirt read is dropped")
}

// The default log follows the server on the fake's clock: a client can
// wait for the login prompt.
func TestConsoleOutputWaitsForTheLoginPrompt(t *testing.T) {
	ts := fakenova.Start(t)
	ex := send(t, ts.URL, http.MethodPost, "/v2.1/servers", apiHeader(ts.Token, "2.37"),
		`{"server": {"name": "web-1", "imageRef": "`+fakenova.TestImageID+`", "flavorRef": "1", "networks": "auto"}}`)
	require.Equal(t, http.StatusAccepted, ex.status, ex.body)
	id := ex.decoded["server"]["id"].(string)

	assertFault(t, consoleOutput(t, ts, ts.Token, id, `{}`, ""), 409, "Instance "+id+" is not ready")
	ts.Advance(time.Second)
	assert.Equal(t, "SeaBIOS (version 1.16.3-debian-1.16.3-2)\n", outputOf(t, consoleOutput(t, ts, ts.Token, id, `{}`, "")))
	var polls int
	for ; polls < 20; polls++ {
		if strings.HasSuffix(outputOf(t, consoleOutput(t, ts, ts.Token, id, `{"length": 1}`, "")), "login: ") {
			break
		}
		ts.Advance(500 * time.Millisecond)
	}
	assert.Equal(t, 10, polls, "5 s of spawning, polled every 0.5 s")
	assert.Equal(t, "web-1 login: ", outputOf(t, consoleOutput(t, ts, ts.Token, id, `{"length": 1}`, "")))
	got := getServer(t, ts, id)
	assert.Equal(t, "ACTIVE", got.decoded["server"]["status"])
	full := outputOf(t, consoleOutput(t, ts, ts.Token, id, `{}`, ""))
	assert.NotContains(t, full, "\r", "carriage returns are control characters")
	addresses := got.decoded["server"]["addresses"].(map[string]any)["private"].([]any)
	assert.Contains(t, full, " "+addresses[0].(map[string]any)["addr"].(string)+" | 255.255.255.192 |", "cloud-init shows the address")
}

// The control plane sets and resets a server's console output.
func TestControlPlaneConsoleOutput(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithControlPlane(fakenova.ControlPlane{}))
	srv := ts.AddServer("vm1")
	ex := ctl(t, ts.URL, http.MethodPut, "servers/"+srv.ID, `{"console_output": "hello\nworld"}`)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.Equal(t, "hello\nworld", decodeAny(t, ex)["server"].(map[string]any)["console_output"])
	assert.Equal(t, "hello\nworld", outputOf(t, consoleOutput(t, ts, ts.Token, srv.ID, `{}`, "")))
	assert.Contains(t, ctl(t, ts.URL, http.MethodGet, "state", "").body, `"console_output": "hello\nworld"`)

	ex = ctl(t, ts.URL, http.MethodPut, "servers/"+srv.ID, `{"console_output": null}`)
	require.Equal(t, http.StatusOK, ex.status, ex.body)
	assert.True(t, strings.HasSuffix(outputOf(t, consoleOutput(t, ts, ts.Token, srv.ID, `{}`, "")), "vm1 login: "))
	assertControlError(t, ctl(t, ts.URL, http.MethodPut, "servers/"+srv.ID, `{"console_output": 5}`), 400,
		"console_output", "must be a string or null")
}

// gophercloud's servers.ShowConsoleOutput.
func TestGophercloudShowConsoleOutput(t *testing.T) {
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	client := computeClient(ts, ts.Token, "")
	ctx := context.Background()
	out, err := servers.ShowConsoleOutput(ctx, client, srv.ID, servers.ShowConsoleOutputOpts{Length: 1}).Extract()
	require.NoError(t, err)
	assert.Equal(t, "web-1 login: ", out)
	out, err = servers.ShowConsoleOutput(ctx, client, srv.ID, servers.ShowConsoleOutputOpts{}).Extract()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out, "SeaBIOS"), out)

	_, err = ts.State.SetServerStatus(srv.ID, "BUILD", nil, nil)
	require.NoError(t, err)
	_, err = servers.ShowConsoleOutput(ctx, client, srv.ID, servers.ShowConsoleOutputOpts{}).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusConflict), "%v", err)

	ts.AddFault(fakenova.Fault{Operation: "getConsoleOutput", Status: 501, Times: 1})
	_, err = servers.ShowConsoleOutput(ctx, client, srv.ID, servers.ShowConsoleOutputOpts{}).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotImplemented), "%v", err)
	e, ok := ts.Journal().Last("getConsoleOutput")
	require.True(t, ok)
	assert.Equal(t, 501, e.Status)
	assert.Equal(t, srv.ID, e.ServerID)
}
