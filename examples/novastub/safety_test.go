package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get sends GET path to the stub with the control token (when given).
func get(t *testing.T, base, path, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Without -control-token the stub makes one, prints it, and the control
// plane serves no secret without it.
func TestStubControlTokenByDefault(t *testing.T) {
	lines, base, _ := startStub(t)
	token := controlTokenOf(t, lines)
	assert.Regexp(t, `^[0-9a-f]{32}$`, token)
	assert.Contains(t, lines, "  control token "+token+" (generated; choose one with -control-token)")
	code, body := get(t, base, "/_novastub/state", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.NotContains(t, body, "secret")
	code, body = get(t, base, "/_novastub/state", token)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"password": "secret"`)
	code, _ = get(t, base, "/_novastub/", "")
	assert.Equal(t, http.StatusOK, code, "the printed URL is the index")
	code, _ = get(t, base, "/_novastub/healthz", "")
	assert.Equal(t, http.StatusOK, code)
}

// -control-token=none is allowed on loopback only.
func TestStubNoControlTokenLoopbackOnly(t *testing.T) {
	lines, base, _ := startStub(t, "-control-token", "none")
	assert.Contains(t, lines, "  no control token (-control-token=none): loopback only")
	code, _ := get(t, base, "/_novastub/clock", "")
	assert.Equal(t, http.StatusOK, code)

	// Refused before anything listens.
	err := run(context.Background(), []string{"-listen", "0.0.0.0:0", "-control-token", "none"}, io.Discard, io.Discard)
	assert.EqualError(t, err, "-control-token=none with -listen 0.0.0.0:0: the control plane needs a token when listening beyond loopback")
}

// Every flag also comes from a NOVASTUB_* variable; a flag given wins.
func TestStubFlagsFromEnvironment(t *testing.T) {
	lines, base, _, _ := startStubEnv(t, map[string]string{"NOVASTUB_CONTROL_TOKEN": "from-env", "NOVASTUB_MAX_CONSOLE_TOKENS": "7"})
	assert.NotContains(t, strings.Join(lines, "\n"), "control token")
	code, _ := get(t, base, "/_novastub/clock", "from-env")
	assert.Equal(t, http.StatusOK, code)

	_, base, _, _ = startStubEnv(t, map[string]string{"NOVASTUB_CONTROL_TOKEN": "from-env"}, "-control-token", "from-flag")
	code, _ = get(t, base, "/_novastub/clock", "from-flag")
	assert.Equal(t, http.StatusOK, code, "the flag wins")
	code, _ = get(t, base, "/_novastub/clock", "from-env")
	assert.Equal(t, http.StatusUnauthorized, code)

	err := runEnv(context.Background(), nil, func(k string) (string, bool) {
		return "lots", k == "NOVASTUB_MAX_CONSOLE_TOKENS"
	}, io.Discard, io.Discard)
	assert.ErrorContains(t, err, `NOVASTUB_MAX_CONSOLE_TOKENS="lots": parse error`)
}

// -h prints the usage and is no error to the process (exit 0); -version
// prints the build's version.
func TestStubHelpAndVersion(t *testing.T) {
	var stderr strings.Builder
	err := run(context.Background(), []string{"-h"}, io.Discard, &stderr)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, stderr.String(), "NOVASTUB_MAX_CONSOLE_TOKENS")
	assert.Contains(t, stderr.String(), "-control-token")

	var stdout strings.Builder
	require.NoError(t, run(context.Background(), []string{"-version"}, &stdout, io.Discard))
	assert.Regexp(t, `^novastub \S`, stdout.String())
}

// A taken port gets a hint.
func TestStubPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	err = run(context.Background(), []string{"-listen", ln.Addr().String()}, io.Discard, io.Discard)
	require.ErrorIs(t, err, syscall.EADDRINUSE)
	assert.Contains(t, err.Error(), "another novastub?")
}

// A line per request on stderr, as text or JSON; -quiet has none.
func TestStubRequestLog(t *testing.T) {
	_, base, stop, stderr := startStubEnv(t, nil, "-log-format", "json")
	get(t, base, "/v2.1/servers", "")
	stop()
	var line map[string]any
	found := false
	for _, raw := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		require.NoError(t, json.Unmarshal([]byte(raw), &line), raw)
		if line["msg"] == "request" {
			found = true
			assert.Equal(t, float64(401), line["status"])
			assert.Equal(t, "/v2.1/servers", line["path"])
			assert.Regexp(t, `^req-`, line["request_id"])
		}
	}
	assert.True(t, found, stderr.String())

	_, base, stop, stderr = startStubEnv(t, nil, "-quiet")
	get(t, base, "/v2.1/servers", "")
	stop()
	assert.NotContains(t, stderr.String(), "msg=request")

	err := run(context.Background(), []string{"-log-format", "xml"}, io.Discard, io.Discard)
	assert.EqualError(t, err, `-log-format "xml": text or json`)
}

// -tls-cert and -tls-key serve HTTPS.
func TestStubTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool := selfSigned(t, certFile, keyFile)
	_, base, _, _ := startStubEnv(t, nil, "-tls-cert", certFile, "-tls-key", keyFile)
	require.True(t, strings.HasPrefix(base, "https://127.0.0.1:"), base)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(base + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 1, resp.ProtoMajor, "HTTP/1.1, as Nova's server")

	err = run(context.Background(), []string{"-tls-cert", certFile}, io.Discard, io.Discard)
	assert.EqualError(t, err, "-tls-cert and -tls-key go together")
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// a pool that trusts it.
func selfSigned(t *testing.T, certFile, keyFile string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "novastub test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// -cors-origin answers a browser app's preflight.
func TestStubCORS(t *testing.T) {
	_, base, _, _ := startStubEnv(t, nil, "-cors-origin", "http://localhost:3000,http://app.localhost")
	req, err := http.NewRequest(http.MethodOptions, base+"/v2.1/servers", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://app.localhost")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "X-Auth-Token")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "http://app.localhost", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "X-Auth-Token", resp.Header.Get("Access-Control-Allow-Headers"))
}
