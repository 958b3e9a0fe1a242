package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startStub runs the stub in process on a free loopback port and returns
// its printed lines (up to "listening on") and the stop function.
func startStub(t *testing.T, args ...string) (lines []string, base string, stop func() string) {
	t.Helper()
	lines, base, stop, _ = startStubEnv(t, nil, args...)
	return lines, base, stop
}

// startStubEnv is startStub with the given environment, and what the stub
// logs on stderr.
func startStubEnv(t *testing.T, env map[string]string, args ...string) (lines []string, base string, stop func() string, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	stderr = &syncBuffer{}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	go func() {
		done <- runEnv(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), lookup, pw, stderr)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "listening on ") {
			base = strings.TrimPrefix(sc.Text(), "listening on ")
			break
		}
	}
	require.NotEmpty(t, base, "the stub printed %q", lines)
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(pr)
		rest <- string(b)
	}()
	stopped := false
	stop = func() string {
		if stopped {
			return ""
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("the stub did not stop")
		}
		return <-rest
	}
	t.Cleanup(func() { stop() })
	return lines, base, stop, stderr
}

// syncBuffer is a bytes.Buffer safe for the stub's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// controlTokenOf is the control token the stub printed.
func controlTokenOf(t *testing.T, lines []string) string {
	t.Helper()
	for _, l := range lines {
		if tok, ok := strings.CutPrefix(l, "  control token "); ok {
			return strings.Fields(tok)[0]
		}
	}
	t.Fatalf("no control token among %q", lines)
	return ""
}

var tokenCurlLine = regexp.MustCompile(`^  curl -si -H 'Content-Type: application/json' -d '(.*)' (http://\S+)$`)

var curlLine = regexp.MustCompile(`curl -s -X POST -H 'X-Auth-Token: ([0-9a-f]+)' -H 'Content-Type: application/json' -d '(.*)' (http://\S+)$`)

func TestStubServesTheDemoCloudAndStops(t *testing.T) {
	lines, base, stop := startStub(t)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, base)
	assert.Contains(t, lines, "  token    50c17af54c154f528d135e7f74098cfd")

	// Do what the printed curl line does.
	var m []string
	for _, l := range lines {
		if m = curlLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			break
		}
	}
	require.NotNil(t, m, "a curl line among %q", lines)
	assert.True(t, strings.HasPrefix(m[3], base+"/v2/1ab83fbf1b594600bfa618dc33694dd6/servers/"), m[3])
	req, err := http.NewRequest(http.MethodPost, m[3], strings.NewReader(m[2]))
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", m[1])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		Console struct{ Type, URL string } `json:"console"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	assert.Equal(t, "novnc", out.Console.Type)
	require.True(t, strings.HasPrefix(out.Console.URL, base+"/vnc_auto.html?token="), out.Console.URL)

	// The console URL opens the stub's console page.
	page, err := http.Get(out.Console.URL)
	require.NoError(t, err)
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	assert.Equal(t, http.StatusOK, page.StatusCode)
	assert.Contains(t, string(body), "365313c5-5d0c-4c43-af05-16f765c0f2bc")

	bad, err := http.Get(base + "/vnc_auto.html?token=00000000-0000-4000-8000-000000000000")
	require.NoError(t, err)
	bad.Body.Close()
	assert.Equal(t, http.StatusNotFound, bad.StatusCode)

	assert.Contains(t, stop(), "novastub: stopped")
	_, err = http.Get(base + "/")
	assert.Error(t, err, "nothing listens after the stop")
}

func TestStubSeedFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	require.NoError(t, os.WriteFile(good, []byte(`{
  "projects": [{"id": "0123456789abcdef0123456789abcdef", "name": "mine"}],
  "hosts": [{"name": "h1"}],
  "tokens": [{"token": "tok", "project_id": "0123456789abcdef0123456789abcdef", "roles": ["member"]}],
  "servers": [{"id": "0f1e2d3c-4b5a-4968-8776-655443322110", "name": "s1",
               "project_id": "0123456789abcdef0123456789abcdef", "status": "ACTIVE"}]
}`), 0o600))
	lines, _, _ := startStub(t, "-seed", good)
	assert.Contains(t, lines, "  server   0f1e2d3c-4b5a-4968-8776-655443322110 s1 (ACTIVE)")

	for name, row := range map[string]struct{ seed, want string }{
		"unknown field": {`{"servers": [{"id": "0f1e2d3c-4b5a-4968-8776-655443322110", "stauts": "ACTIVE"}]}`, "servers[0].stauts: unknown field"},
		"bad reference": {`{"projects": [{"id": "0123456789abcdef0123456789abcdef", "name": "p"}], "hosts": [{"name": "h"}],
			"servers": [{"id": "0f1e2d3c-4b5a-4968-8776-655443322110", "project_id": "fedcba9876543210fedcba9876543210"}]}`, "servers[0].project_id"},
		"not JSON": {`{"projects": [`, "malformed JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
			require.NoError(t, os.WriteFile(path, []byte(row.seed), 0o600))
			err := run(context.Background(), []string{"-listen", "127.0.0.1:0", "-seed", path}, io.Discard, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), row.want)
			assert.Contains(t, err.Error(), path, "the error names the file")
		})
	}
}

// An OpenStack client configured by username and password, as the summary
// prints it, logs in at the stub's identity service and gets a console from
// the compute endpoint of the catalog.
func TestStubLogsInWithAPassword(t *testing.T) {
	lines, base, _ := startStub(t)
	authURL := base + "/identity/v3"
	assert.Contains(t, lines, "  identity "+authURL+" (Keystone v3, region RegionOne)")
	assert.Contains(t, lines, "  user     admin password secret, project demo, domain Default")
	assert.Contains(t, lines, "  export OS_AUTH_URL="+authURL+" OS_USERNAME=admin OS_PASSWORD=secret OS_PROJECT_NAME=demo "+
		"OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne")
	tokenAt := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "  token    ") {
			tokenAt = i
		}
	}
	require.GreaterOrEqual(t, tokenAt, 0)
	assert.Equal(t, "  identity "+authURL+" (Keystone v3, region RegionOne)", lines[tokenAt+1], "the identity line follows the token line")
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], "listening on "), "listening on comes last")

	ctx := context.Background()
	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: authURL,
		Username: "admin", Password: "secret", DomainName: "Default", TenantName: "demo"})
	require.NoError(t, err)
	compute, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	assert.Equal(t, base+"/v2.1/1ab83fbf1b594600bfa618dc33694dd6/", compute.Endpoint)
	var out struct {
		Console struct{ Type, URL string } `json:"console"`
	}
	_, err = compute.Post(ctx, compute.ServiceURL("servers", "365313c5-5d0c-4c43-af05-16f765c0f2bc", "action"),
		map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, &out,
		&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
	require.NoError(t, err)
	assert.Equal(t, "novnc", out.Console.Type)
	assert.True(t, strings.HasPrefix(out.Console.URL, base+"/vnc_auto.html?token="), out.Console.URL)

	// Do what the printed token curl line does.
	var m []string
	for _, l := range lines {
		if m = tokenCurlLine.FindStringSubmatch(l); m != nil {
			break
		}
	}
	require.NotNil(t, m, "a token curl line among %q", lines)
	assert.Equal(t, authURL+"/auth/tokens", m[2])
	resp, err := http.Post(m[2], "application/json", strings.NewReader(m[1]))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("X-Subject-Token"))

	// Discovery at the unversioned URL that Python clients are given.
	resp, err = http.Get(base + "/identity")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMultipleChoices, resp.StatusCode)
	assert.Equal(t, authURL+"/", resp.Header.Get("Location"))
}

// Behind a proxy, -external-url names the stub in links, the catalog and
// the printed lines, while it still listens where -listen says.
func TestStubExternalURL(t *testing.T) {
	lines, base, _ := startStub(t, "-external-url", "https://stub.example/")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, base, "listening where -listen says")
	assert.Contains(t, lines, "  identity https://stub.example/identity/v3 (Keystone v3, region RegionOne)")
	resp, err := http.Get(base + "/v2.1/")
	require.NoError(t, err)
	var doc struct {
		Version struct{ Links []struct{ Href string } } `json:"version"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	resp.Body.Close()
	require.NotEmpty(t, doc.Version.Links)
	assert.Equal(t, "https://stub.example/v2.1/", doc.Version.Links[0].Href)

	body := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "domain": {"name": "Default"}, "password": "secret"}}}, "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}`
	resp, err = http.Post(base+"/identity/v3/auth/tokens", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"url": "https://stub.example/v2.1/1ab83fbf1b594600bfa618dc33694dd6"`)
}
