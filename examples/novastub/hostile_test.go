package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostileMix runs the stub binary under the hostile request mix of
// issue 12, bounded in count and time, on loopback only, and reports its
// peak RSS (VmHWM); the goal is 256 MiB. It takes about a minute, so it
// runs only when NOVASTUB_HOSTILE_MIX=1; NOVASTUB_BIN names another
// binary to measure (an older build, for a before-and-after figure).
//
//	NOVASTUB_HOSTILE_MIX=1 go test -run TestHostileMix -v ./examples/novastub
//
// The mix: 4 x 250 unauthenticated 110 KB login bodies (the journal
// keeps bodies), 4 journal reads that never read their answer, 4 x 39 KB
// name filters, 400 slow-body and 600 idle keep-alive connections held
// open, 20,000 password logins and 50,000 consoles; with
// NOVASTUB_HOSTILE_FULL=1, 60,000 logins and 550,000 consoles, past the
// bounds of both kinds of token (a few minutes).
func TestHostileMix(t *testing.T) {
	if os.Getenv("NOVASTUB_HOSTILE_MIX") != "1" {
		t.Skip("set NOVASTUB_HOSTILE_MIX=1 to run the hostile mix (about a minute)")
	}
	bin := os.Getenv("NOVASTUB_BIN")
	if bin == "" {
		bin = buildStub(t)
	}
	args := []string{"-listen", "127.0.0.1:0", "-control-token", "ctl"}
	if help, _ := exec.Command(bin, "-h").CombinedOutput(); strings.Contains(string(help), "-quiet") {
		args = append(args, "-quiet")
	}
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var base string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if b, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			base = b
			break
		}
	}
	require.NotEmpty(t, base)
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	addr := strings.TrimPrefix(base, "http://")
	const token, project, server = "50c17af54c154f528d135e7f74098cfd", "1ab83fbf1b594600bfa618dc33694dd6", "365313c5-5d0c-4c43-af05-16f765c0f2bc"
	rss := func() (now, peak int) {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		require.NoError(t, err)
		for _, l := range strings.Split(string(status), "\n") {
			f := strings.Fields(l)
			if len(f) >= 2 && (f[0] == "VmRSS:" || f[0] == "VmHWM:") {
				kb, _ := strconv.Atoi(f[1])
				if f[0] == "VmRSS:" {
					now = kb >> 10
				} else {
					peak = kb >> 10
				}
			}
		}
		return now, peak
	}
	report := func(phase string) {
		now, peak := rss()
		t.Logf("%-28s RSS %4d MiB, peak %4d MiB", phase, now, peak)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: 60 * time.Second}
	do := func(method, path, body string, header ...string) int {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			return 0
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	parallel := func(workers, each int, f func(i int)) {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					f(w*each + i)
				}
			}(w)
		}
		wg.Wait()
	}
	report("started")

	big := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "` + strings.Repeat("x", 110000) + `"}}}}}`
	parallel(4, 250, func(int) { do(http.MethodPost, "/identity/v3/auth/tokens", big, "Content-Type", "application/json") })
	report("1,000 x 110 KB bodies")

	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := 0; i < 4; i++ { // journal reads whose answers are never read
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, _ = fmt.Fprintf(c, "GET /_novastub/journal HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer ctl\r\n\r\n", addr)
		held = append(held, c)
	}
	time.Sleep(3 * time.Second)
	report("4 unread journal reads")

	pattern := strings.Repeat(`.{999}`, 3000) + strings.Repeat("a", 21000) // 39 KB, 680 MiB to compile
	parallel(4, 1, func(int) {
		do(http.MethodGet, "/v2.1/servers?name="+pattern, "", "X-Auth-Token", token)
	})
	report("4 x 39 KB name filters")

	for i := 0; i < 1000; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Logf("connection %d: %v", i, err)
			break
		}
		if i < 400 { // a slow body, never finished
			_, _ = fmt.Fprintf(c, "POST /identity/v3/auth/tokens HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", addr)
		} else { // an idle keep-alive connection, after one request
			_, _ = fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		}
		held = append(held, c)
	}
	time.Sleep(2 * time.Second)
	report("1,000 slow and idle conns")
	healthy := do(http.MethodGet, "/v2.1/servers", "", "X-Auth-Token", token)
	t.Logf("a healthy client meanwhile: %d", healthy)

	logins, consoles := 20000, 50000
	if os.Getenv("NOVASTUB_HOSTILE_FULL") == "1" { // past both bounds: the store at its largest
		logins, consoles = 60000, 550000
	}
	login := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "domain": {"name": "Default"}, "password": "secret"}}}, "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}}`
	start := time.Now()
	parallel(8, logins/8, func(int) { do(http.MethodPost, "/identity/v3/auth/tokens", login, "Content-Type", "application/json") })
	t.Logf("%d logins in %v", logins, time.Since(start).Round(time.Millisecond))
	report(fmt.Sprintf("%d logins", logins))

	console := `{"os-getVNCConsole": {"type": "novnc"}}`
	start = time.Now()
	parallel(8, consoles/8, func(int) {
		do(http.MethodPost, "/v2.1/"+project+"/servers/"+server+"/action", console, "X-Auth-Token", token, "Content-Type", "application/json")
	})
	t.Logf("%d consoles in %v", consoles, time.Since(start).Round(time.Millisecond))
	report(fmt.Sprintf("%d consoles", consoles))

	for i := 0; i < 4; i++ { // full journal reads, read this time
		do(http.MethodGet, "/_novastub/journal", "", "Authorization", "Bearer ctl")
	}
	report("4 journal reads")
	_, peak := rss()
	assert.Less(t, peak, 256, "peak RSS in MiB")
}
