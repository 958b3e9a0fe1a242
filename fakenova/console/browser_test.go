package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/console/guest"
	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/state"
)

// The browser tests run stock noVNC (from npm, at test time) and the
// console's own viewer in headless Chromium against the proxy, and check
// what their canvases show against what the guest drew. They run when
// chromium and npm are installed, and must run (fail, not skip) when
// NOVASTUB_BROWSER_TESTS=1, as in CI.

// noVNCVersion is the noVNC the test installs: the one the reference
// describes.
const noVNCVersion = "1.7.0"

// browserTimeout bounds one browser test.
const browserTimeout = 90 * time.Second

func browserTools(t *testing.T) (chromium, npm string) {
	t.Helper()
	required := os.Getenv("NOVASTUB_BROWSER_TESTS") == "1"
	var missing []string
	for _, name := range []string{"chromium", "npm"} {
		p, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, name)
			continue
		}
		if name == "chromium" {
			chromium = p
		} else {
			npm = p
		}
	}
	if len(missing) > 0 {
		if required {
			t.Fatalf("NOVASTUB_BROWSER_TESTS=1 but %s not installed", strings.Join(missing, " and "))
		}
		t.Skipf("%s not installed (NOVASTUB_BROWSER_TESTS=1 makes this a failure)", strings.Join(missing, " and "))
	}
	return chromium, npm
}

// installNoVNC installs @novnc/novnc into a cache directory outside the
// repository (once per machine) and returns the package's directory.
func installNoVNC(t *testing.T, npm string) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "novastub-novnc-"+noVNCVersion)
	pkg := filepath.Join(dir, "node_modules", "@novnc", "novnc")
	if _, err := os.Stat(filepath.Join(pkg, "core", "rfb.js")); err == nil {
		return pkg
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", dir,
		"@novnc/novnc@"+noVNCVersion)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "npm install: %s", out)
	return pkg
}

// step is what the page does next.
type step struct {
	Action  string   `json:"action"` // check, type, done
	Rect    rfb.Rect `json:"rect"`
	Keys    []string `json:"keys,omitempty"` // key names, as KeyboardEvent.key has them
	Keysyms []uint32 `json:"keysyms,omitempty"`
}

// script is a browser test's steps, driven over HTTP by the page: the
// page asks for the next step, posts a region of its canvas for a check
// (the step passes when it equals what the guest drew there), and says
// when it typed.
type script struct {
	mu      sync.Mutex
	steps   []step
	want    [][]uint32 // expected pixels of each check step
	i       int
	done    chan struct{}
	logs    []string
	lastErr string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/test/next":
		st := step{Action: "done"}
		if s.i < len(s.steps) {
			st = s.steps[s.i]
		}
		_ = json.NewEncoder(w).Encode(st)
	case "/test/typed":
		if s.i < len(s.steps) && s.steps[s.i].Action == "type" {
			s.advance()
		}
	case "/test/pixels":
		b, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		if s.i >= len(s.steps) || s.steps[s.i].Action != "check" {
			return
		}
		want := s.want[s.i]
		if len(b) != 4*len(want) {
			s.lastErr = fmt.Sprintf("got %d bytes of pixels, want %d", len(b), 4*len(want))
			return
		}
		for k, p := range want {
			if b[4*k] != byte(p>>16) || b[4*k+1] != byte(p>>8) || b[4*k+2] != byte(p) {
				s.lastErr = fmt.Sprintf("pixel %d is %v, want %06x", k, b[4*k:4*k+4], p)
				return
			}
		}
		s.advance()
	case "/test/log":
		b, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		s.logs = append(s.logs, string(b))
	}
}

func (s *script) advance() {
	s.i++
	s.lastErr = ""
	if s.i == len(s.steps) {
		close(s.done)
	}
}

// steps: find the server's name where the guest drew it, type a login
// name, and see the password prompt drawn.
func loginScript(t *testing.T, e *env) *script {
	m := e.guestOf()
	nameRect := textRect(t, m, "server  vm1")
	s := &script{done: make(chan struct{})}
	s.steps = append(s.steps, step{Action: "check", Rect: nameRect})
	s.want = append(s.want, picture(m, nameRect))
	kb := m.Keyboard()
	for _, k := range []uint32{'r', 'o', 'o', 't', 0xff0d} {
		kb.Key(true, k)
		kb.Key(false, k)
	}
	s.steps = append(s.steps, step{Action: "type", Keys: []string{"r", "o", "o", "t", "Enter"},
		Keysyms: []uint32{'r', 'o', 'o', 't', 0xff0d}})
	s.want = append(s.want, nil)
	loginRect := textRect(t, m, "vm1 login: root")
	loginRect.H = 2 * guest.CellHeight // and the Password: line below
	loginRect.W = 16 * guest.CellWidth
	s.steps = append(s.steps, step{Action: "check", Rect: loginRect})
	s.want = append(s.want, picture(m, loginRect))
	return s
}

// runChromium opens url in headless Chromium until the script is done.
func runChromium(t *testing.T, chromium, url string, s *script) {
	t.Helper()
	profile := t.TempDir()
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--user-data-dir="+profile, "--window-size=1280,1024", url)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // chromium and the children it started
		_ = cmd.Wait()
	}()
	select {
	case <-s.done:
	case <-time.After(browserTimeout):
		s.mu.Lock()
		defer s.mu.Unlock()
		t.Fatalf("the page did not finish: at step %d of %d (%s); page log: %q", s.i, len(s.steps), s.lastErr, s.logs)
	}
}

// testPage drives a canvas: the steps from /test/next, keys typed by
// type(keys, keysyms), the canvas read by canvas().
const testPageScript = `
async function post(path, body) { await fetch(path, {method: "POST", body: body}); }
window.onerror = (msg, src, line) => { post("/test/log", msg + " at " + src + ":" + line); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function drive(canvas, type) {
  for (;;) {
    const st = await (await fetch("/test/next")).json();
    if (st.action === "done") return;
    if (st.action === "type") { await type(st.keys, st.keysyms); await post("/test/typed", ""); continue; }
    const c = canvas();
    if (c && c.width > 0) {
      const r = st.rect;
      await post("/test/pixels", c.getContext("2d").getImageData(r.X, r.Y, r.W, r.H).data);
    }
    await sleep(100);
  }
}
`

func TestNoVNCRendersTheConsole(t *testing.T) {
	chromium, npm := browserTools(t)
	pkg := installNoVNC(t, npm)
	e := newEnv(t)
	tok := e.token(state.ConsoleNoVNC)
	s := loginScript(t, e)
	page := `<!DOCTYPE html><html><body><div id="screen"></div><script type="module">` + testPageScript + `
import RFB from "/novnc/core/rfb.js";
const wsURL = "ws://" + location.host + "/?token=" + new URLSearchParams(location.search).get("token");
const rfb = new RFB(document.getElementById("screen"), wsURL);
rfb.addEventListener("disconnect", (e) => post("/test/log", "disconnect " + JSON.stringify(e.detail)));
rfb.addEventListener("connect", () => drive(() => document.querySelector("#screen canvas"),
  async (keys, keysyms) => { for (const k of keysyms) rfb.sendKey(k); }));
</script></body></html>`
	mux := http.NewServeMux()
	mux.Handle("/novnc/", http.StripPrefix("/novnc/", http.FileServer(http.Dir(pkg))))
	mux.Handle("/test/", s)
	mux.HandleFunc("/test/novnc.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})
	ts := httptest.NewServer(e.proxy.Wrap(mux))
	defer ts.Close()
	runChromium(t, chromium, ts.URL+"/test/novnc.html?token="+tok, s)
}

func TestOwnViewerRendersTheConsole(t *testing.T) {
	chromium, _ := browserTools(t)
	e := newEnv(t)
	tok := e.token(state.ConsoleNoVNC)
	s := loginScript(t, e)
	// The viewer in a frame of the same origin, opened with Nova's URL form.
	page := `<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" style="width:1200px;height:900px;border:0" src="/vnc_auto.html?path=` +
		url.QueryEscape("?token="+tok) + `"></iframe><script type="module">` + testPageScript + `
const frame = document.getElementById("f");
const api = () => frame.contentWindow && frame.contentWindow.novastubConsole;
while (!api() || api().state !== "connected") {
  if (api() && api().state === "closed") { post("/test/log", "closed " + api().closeCode); break; }
  await sleep(50);
}
drive(() => api().canvas, async (keys) => {
  const c = api().canvas;
  for (const k of keys) {
    for (const type of ["keydown", "keyup"]) c.dispatchEvent(new KeyboardEvent(type, {key: k, code: k === "Enter" ? "Enter" : "Key" + k.toUpperCase(), bubbles: true}));
  }
});
</script></body></html>`
	mux := http.NewServeMux()
	mux.Handle("/test/", s)
	mux.HandleFunc("/test/own.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})
	ts := httptest.NewServer(e.proxy.Wrap(mux))
	defer ts.Close()
	runChromium(t, chromium, ts.URL+"/test/own.html", s)
}
