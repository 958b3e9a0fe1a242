package console_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

func get(t *testing.T, u string, cookie string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestViewerPage(t *testing.T) {
	e := newEnv(t)
	tok := e.token(state.ConsoleNoVNC)
	for _, u := range []string{
		"/vnc_auto.html?path=" + url.QueryEscape("?token="+tok),
		"/vnc_lite.html?token=" + tok,
		"/vnc.html?host=x&path=" + url.QueryEscape("websockify?token="+tok),
		"/console?token=" + tok,
		"/prefix/vnc_auto.html?token=" + tok,
	} {
		resp, body := get(t, e.server.URL+u, "")
		require.Equal(t, http.StatusOK, resp.StatusCode, u)
		assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		assert.Contains(t, body, "<title>vm1 - console</title>")
		assert.Contains(t, body, `<canvas id="screen" width="1024" height="768"`)
		assert.Contains(t, body, "novastub's console viewer")
		assert.Contains(t, body, "server "+e.srv.ID+" · ACTIVE")
		assert.NotContains(t, body, "<script src", "nothing fetched at run time")
	}
	resp, _ := get(t, e.server.URL+"/vnc_auto.html", "token="+tok)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the token cookie")
}

func TestPageRefusals(t *testing.T) {
	e := newEnv(t)
	tok := e.token(state.ConsoleNoVNC)
	e.clock.Advance(11 * time.Minute)
	for _, u := range []string{"/vnc_auto.html?token=" + tok, "/vnc_auto.html?token=nope", "/vnc_auto.html"} {
		resp, body := get(t, e.server.URL+u, "")
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, u)
		assert.Equal(t, "novastub: console token not found or expired\n", body)
	}
	resp, body := get(t, e.server.URL+"/core/rfb.js", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "404 File not found", resp.Status)
	assert.Contains(t, body, "<p>Message: File not found.</p>")
}

func TestStandInPages(t *testing.T) {
	e := newEnv(t)
	spice := e.token(state.ConsoleSPICEHTML5)
	resp, body := get(t, e.server.URL+"/spice_auto.html?token="+spice, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "stand-in for a <strong>spice-html5</strong> console")
	assert.NotContains(t, body, "<canvas")

	serial := e.token(state.ConsoleSerial)
	resp, body = get(t, e.server.URL+"/console?token="+serial, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "ws://"+e.server.Listener.Addr().String()+"/?token="+serial)

	mks := e.token(state.ConsoleWebMKS)
	rec := httpRecorder(e, "/?token="+mks)
	assert.Equal(t, http.StatusOK, rec.StatusCode)
}

func httpRecorder(e *env, target string) *http.Response {
	ts := e.server
	req, _ := http.NewRequest(http.MethodGet, ts.URL+target, nil)
	w := httptest.NewRecorder()
	e.proxy.Page().ServeHTTP(w, req)
	return w.Result()
}
