package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cloud of the persistence tests: a project with a member's and an
// admin's token, a user who logs in, two hosts, and a /16 for the servers'
// ports.
const (
	pProject = "1ab83fbf1b594600bfa618dc33694dd6"
	pMember  = "50c17af54c154f528d135e7f74098cfd"
	pAdmin   = "a0c17af54c154f528d135e7f74098cfe"
	pImage   = "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c"
	pNetwork = "3c6b5d8e-1f2a-4b7c-9d0e-2a3b4c5d6e7f"
	pSeed    = `{
  "projects": [{"id": "` + pProject + `", "name": "demo"}],
  "hosts": [{"name": "compute-1"}, {"name": "compute-2"}],
  "tokens": [{"token": "` + pMember + `", "project_id": "` + pProject + `", "roles": ["member", "reader"]},
             {"token": "` + pAdmin + `", "project_id": "` + pProject + `", "roles": ["admin", "member", "reader"]}],
  "users": [{"name": "alice", "password": "secret", "roles": {"demo": ["member", "reader"]}}],
  "images": [{"id": "` + pImage + `", "name": "cirros", "visibility": "public"}],
  "flavors": [{"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1}],
  "networks": [{"id": "` + pNetwork + `", "name": "private", "project_id": "` + pProject + `",
                "subnets": [{"cidr": "10.0.0.0/16"}]}],
  "servers": []
}`
)

// stub is the stub binary running with a state file.
type stub struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
}

// buildStub builds the binary once per test.
func buildStub(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "novastub")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	return bin
}

// startBinary starts the binary and waits for "listening on"; it fails the
// test if the stub exits first.
func startBinary(t *testing.T, bin string, args ...string) *stub {
	t.Helper()
	s := &stub{stderr: &syncBuffer{}}
	s.cmd = exec.Command(bin, append([]string{"-listen", "127.0.0.1:0", "-control-token", "ctl", "-quiet"}, args...)...)
	s.cmd.Stderr = s.stderr
	stdout, err := s.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, s.cmd.Start())
	t.Cleanup(func() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if b, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			s.base = b
			break
		}
	}
	require.NotEmpty(t, s.base, "the stub did not start: %s", s.stderr.String())
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return s
}

// logged waits for the stub to have logged text on stderr (which a pipe
// copies behind stdout).
func (s *stub) logged(t *testing.T, text string) bool {
	t.Helper()
	return assert.Eventually(t, func() bool { return strings.Contains(s.stderr.String(), text) },
		5*time.Second, 10*time.Millisecond, "stderr has %q: %s", text, s.stderr.String())
}

// client calls the stub; it is safe for concurrent use.
type client struct {
	base string
	http *http.Client
}

func newClient(base string) *client {
	return &client{base: base, http: &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
}

// call sends a request with the token (the control token for the control
// plane) and decodes a JSON answer into out. An error is no answer: the
// change, if any, is not acknowledged.
func (c *client) call(method, path, token, body string, out any) (int, http.Header, error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if strings.HasPrefix(path, "/_novastub/") {
		req.Header.Set("Authorization", "Bearer "+token)
	} else if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	if out != nil && len(raw) > 0 && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			return 0, nil, fmt.Errorf("%s %s: %w: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, resp.Header, nil
}

// acked is what the stub acknowledged before it was killed, and what was
// in flight (sent, no answer) when it died, which may or may not have
// happened.
type acked struct {
	mu        sync.Mutex
	servers   map[string]string // id -> the status its last acknowledged change leads to
	uncertain map[string]bool   // a change of the server was in flight
	deleted   map[string]bool
	consoles  map[string]string // console token -> server id
	logins    []string          // identity tokens
	clock     time.Time         // the latest time the clock was advanced to
	count     int               // changes acknowledged
}

// TestStateFile runs the real binary with -state, built once for its
// subtests.
func TestStateFile(t *testing.T) {
	bin := buildStub(t)
	t.Run("kill during mutations", func(t *testing.T) { killDuringMutations(t, bin) })
	t.Run("torn and corrupt", func(t *testing.T) { tornAndCorrupt(t, bin) })
	t.Run("control plane state and reset", func(t *testing.T) { controlPlaneKept(t, bin) })
}

// controlPlaneKept: a model put through PUT /_novastub/state, and the
// reset back to the seed, outlive a restart.
func controlPlaneKept(t *testing.T, bin string) {
	dir := t.TempDir()
	seedPath, statePath := filepath.Join(dir, "seed.json"), filepath.Join(dir, "cloud.state")
	require.NoError(t, os.WriteFile(seedPath, []byte(pSeed), 0o600))
	restart := func(s *stub) *stub {
		t.Helper()
		require.NoError(t, s.cmd.Process.Signal(os.Interrupt))
		require.NoError(t, s.cmd.Wait(), "a clean stop")
		return startBinary(t, bin, "-seed", seedPath, "-state", statePath)
	}
	stateOf := func(s *stub) map[string]any {
		t.Helper()
		var doc map[string]any
		code, _, err := newClient(s.base).call(http.MethodGet, "/_novastub/state", "ctl", "", &doc)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, code)
		return doc
	}
	s := startBinary(t, bin, "-seed", seedPath, "-state", statePath)
	small := `{"projects": [{"id": "` + pProject + `", "name": "small"}], "hosts": [{"name": "h"}], "tokens": [], "users": [],
	  "servers": [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "name": "only", "project_id": "` + pProject + `", "status": "PAUSED"}]}`
	code, _, err := newClient(s.base).call(http.MethodPut, "/_novastub/state", "ctl", small, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, code)
	put := stateOf(s)

	s = restart(s)
	assert.Equal(t, put, stateOf(s), "the model put is what the stub starts from")
	servers := stateOf(s)["servers"].([]any)
	require.Len(t, servers, 1)
	assert.Equal(t, "PAUSED", servers[0].(map[string]any)["status"])

	code, _, err = newClient(s.base).call(http.MethodPost, "/_novastub/reset", "ctl", "", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, code)
	seeded := stateOf(s)
	require.Len(t, seeded["hosts"], 2, "the seed's")
	s = restart(s)
	assert.Equal(t, seeded, stateOf(s), "the reset to the seed is kept")
}

// killDuringMutations runs the binary with a state file, kills it
// (SIGKILL) while clients make 1,000 changes over HTTP (creates, actions,
// deletes, console tokens, logins, clock advances), starts it again on
// the same file, and finds every change that was acknowledged: the
// servers by id in the states their changes lead to, the console URLs and
// the Keystone tokens still accepted, the clock not behind.
func killDuringMutations(t *testing.T, bin string) {
	dir := t.TempDir()
	seedPath, statePath := filepath.Join(dir, "seed.json"), filepath.Join(dir, "cloud.state")
	require.NoError(t, os.WriteFile(seedPath, []byte(pSeed), 0o600))
	first := startBinary(t, bin, "-seed", seedPath, "-state", statePath)
	c := newClient(first.base)

	const (
		total   = 1000 // changes sent at most
		killAt  = 600  // the stub is killed as the 600th is sent
		workers = 4
	)
	a := &acked{servers: map[string]string{}, uncertain: map[string]bool{}, deleted: map[string]bool{}, consoles: map[string]string{}}
	var sent atomic.Int64
	killed := make(chan struct{})
	var killOnce sync.Once
	kill := func() {
		killOnce.Do(func() {
			_ = first.cmd.Process.Kill() // SIGKILL: no shutdown at all
			close(killed)
		})
	}
	ack := func(f func()) {
		a.mu.Lock()
		defer a.mu.Unlock()
		f()
		a.count++
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []string // this worker's servers, not deleted
			for i := 0; ; i++ {
				n := sent.Add(1)
				if n > total {
					return
				}
				if n == killAt {
					kill() // while the others' changes are on the way
				}
				select {
				case <-killed:
					return
				default:
				}
				var err error
				switch {
				case len(mine) < 3 || i%7 == 0:
					var out struct{ Server struct{ ID string } }
					var code int
					code, _, err = c.call(http.MethodPost, "/v2.1/"+pProject+"/servers", pMember,
						fmt.Sprintf(`{"server": {"name": "w%d-%d", "imageRef": "%s", "flavorRef": "1", "networks": [{"uuid": "%s"}]}}`, w, i, pImage, pNetwork), &out)
					if err == nil && code == http.StatusAccepted {
						ack(func() { a.servers[out.Server.ID] = "ACTIVE" })
						mine = append(mine, out.Server.ID)
					}
				case w == 0 && i%5 == 0:
					var out struct{ Now time.Time }
					var code int
					code, _, err = c.call(http.MethodPost, "/_novastub/clock/advance", "ctl", `{"seconds": 4}`, &out)
					if err == nil && code == http.StatusOK {
						ack(func() {
							if out.Now.After(a.clock) {
								a.clock = out.Now
							}
						})
					}
				case i%9 == 0:
					id := mine[0]
					mine = mine[1:]
					var code int
					code, _, err = c.call(http.MethodDelete, "/v2.1/"+pProject+"/servers/"+id, pMember, "", nil)
					if err != nil {
						a.mu.Lock()
						a.uncertain[id] = true
						a.mu.Unlock()
					} else if code == http.StatusNoContent {
						ack(func() { a.deleted[id] = true })
					}
				case i%4 == 0:
					var out struct {
						Token struct{} `json:"token"`
					}
					var code int
					var h http.Header
					code, h, err = c.call(http.MethodPost, "/identity/v3/auth/tokens", "",
						`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "alice", "domain": {"name": "Default"}, "password": "secret"}}},
						  "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}`, &out)
					if err == nil && code == http.StatusCreated {
						ack(func() { a.logins = append(a.logins, h.Get("X-Subject-Token")) })
					}
				case i%3 == 0:
					id := mine[i%len(mine)]
					var out struct{ Console struct{ URL string } }
					var code int
					code, _, err = c.call(http.MethodPost, "/v2.1/"+pProject+"/servers/"+id+"/action", pMember,
						`{"os-getVNCConsole": {"type": "novnc"}}`, &out)
					if err == nil && code == http.StatusOK {
						token := out.Console.URL[strings.Index(out.Console.URL, "token=")+len("token="):]
						ack(func() { a.consoles[token] = id })
					}
				default:
					id := mine[i%len(mine)]
					a.mu.Lock()
					want := a.servers[id]
					a.mu.Unlock()
					action, next := `{"os-stop": null}`, "SHUTOFF"
					if want == "SHUTOFF" {
						action, next = `{"os-start": null}`, "ACTIVE"
					}
					var code int
					code, _, err = c.call(http.MethodPost, "/v2.1/"+pProject+"/servers/"+id+"/action", pMember, action, nil)
					switch {
					case err != nil:
						a.mu.Lock()
						a.uncertain[id] = true
						a.mu.Unlock()
					case code == http.StatusAccepted:
						ack(func() { a.servers[id] = next })
					}
				}
				if err != nil {
					return // the stub is gone
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-killed:
	case <-time.After(time.Second):
		t.Fatalf("the stub was not killed: %d changes acknowledged of %d sent", a.count, min(sent.Load(), total))
	}
	_ = first.cmd.Wait()
	t.Logf("killed after %d acknowledged changes (%d sent): %d servers, %d deletes, %d consoles, %d logins",
		a.count, min(sent.Load(), total), len(a.servers), len(a.deleted), len(a.consoles), len(a.logins))
	require.Greater(t, a.count, killAt/2, "enough changes were acknowledged to check")

	second := startBinary(t, bin, "-seed", seedPath, "-state", statePath)
	c = newClient(second.base)
	second.logged(t, "state restored")

	// The clock is not behind the last advance acknowledged.
	var clock struct{ Now time.Time }
	code, _, err := c.call(http.MethodGet, "/_novastub/clock", "ctl", "", &clock)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	assert.False(t, clock.Now.Before(a.clock), "the clock went back: %v, was %v", clock.Now, a.clock)

	// The console URLs of servers not deleted still open their consoles.
	checked := 0
	for token, id := range a.consoles {
		if a.deleted[id] || a.uncertain[id] {
			continue
		}
		code, _, err := c.call(http.MethodGet, "/vnc_auto.html?token="+token, "", "", nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, code, "the console URL of %s opens", id)
		checked++
	}
	assert.Positive(t, checked)
	// Keystone's tokens are still accepted.
	for _, tok := range a.logins {
		code, _, err := c.call(http.MethodGet, "/v2.1/"+pProject+"/servers?limit=1", tok, "", nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, code, "an identity token issued before the kill")
	}

	// Every server acknowledged is there, and ends in the state its last
	// acknowledged change leads to; every delete acknowledged is done.
	code, _, err = c.call(http.MethodPost, "/_novastub/clock/advance", "ctl", `{"seconds": 3600}`, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	for id, want := range a.servers {
		var out struct{ Server struct{ Status string } }
		code, _, err := c.call(http.MethodGet, "/v2.1/"+pProject+"/servers/"+id, pMember, "", &out)
		require.NoError(t, err)
		switch {
		case a.deleted[id]:
			assert.Equal(t, http.StatusNotFound, code, "server %s was deleted", id)
		case a.uncertain[id]:
			assert.Contains(t, []int{http.StatusOK, http.StatusNotFound}, code)
		default:
			if assert.Equal(t, http.StatusOK, code, "server %s", id) {
				assert.Equal(t, want, out.Server.Status, "server %s", id)
			}
		}
	}
}

// tornAndCorrupt: the binary on a state file whose last record was cut
// short starts, with a warning that says where; on one with a damaged
// record before the end, it stops with exit status 2 and an error naming
// the line and offset.
func tornAndCorrupt(t *testing.T, bin string) {
	dir := t.TempDir()
	seedPath, statePath := filepath.Join(dir, "seed.json"), filepath.Join(dir, "cloud.state")
	require.NoError(t, os.WriteFile(seedPath, []byte(pSeed), 0o600))
	s := startBinary(t, bin, "-seed", seedPath, "-state", statePath, "-state-sync", "always")
	c := newClient(s.base)
	var ids []string
	for i := range 3 {
		var out struct{ Server struct{ ID string } }
		code, _, err := c.call(http.MethodPost, "/v2.1/"+pProject+"/servers", pMember,
			fmt.Sprintf(`{"server": {"name": "s%d", "imageRef": "%s", "flavorRef": "1"}}`, i, pImage), &out)
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, code)
		ids = append(ids, out.Server.ID)
	}
	require.NoError(t, s.cmd.Process.Kill())
	_ = s.cmd.Wait()
	good, err := os.ReadFile(statePath)
	require.NoError(t, err)

	// Torn: the last record loses its end.
	require.NoError(t, os.WriteFile(statePath, good[:len(good)-20], 0o600))
	torn := startBinary(t, bin, "-state", statePath)
	lastLine := bytes.Count(good, []byte("\n"))
	lastOffset := bytes.LastIndexByte(good[:len(good)-1], '\n') + 1
	torn.logged(t, fmt.Sprintf("the last record was cut off\" path=%s line=%d offset=%d", statePath, lastLine, lastOffset))
	c = newClient(torn.base)
	for _, id := range ids[:2] {
		code, _, err := c.call(http.MethodGet, "/v2.1/"+pProject+"/servers/"+id, pMember, "", nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, code)
	}
	require.NoError(t, torn.cmd.Process.Kill())
	_ = torn.cmd.Wait()

	// Corrupt: a byte of the first server's record changes.
	bad := bytes.Clone(good)
	at := bytes.Index(bad, []byte(ids[0]))
	bad[at] ^= 0x01
	require.NoError(t, os.WriteFile(statePath, bad, 0o600))
	line := bytes.Count(bad[:at], []byte("\n")) + 1
	offset := bytes.LastIndexByte(bad[:at], '\n') + 1
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-state", statePath)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, string(out), fmt.Sprintf("novastub: state file %s: line %d (byte offset %d): checksum mismatch", statePath, line, offset))
	assert.NotContains(t, string(out), "listening on")
}
