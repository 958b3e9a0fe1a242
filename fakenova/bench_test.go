package fakenova_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// The benchmarks measure a successful os-getVNCConsole through the whole
// stack in process (request ids, panic recovery, body limit, token check,
// routing, the pipeline's checks, decoding, the store, encoding) beside a
// floor: a bare handler that decodes the same body with encoding/json, does
// one map lookup and encodes the same response. Both run through the same
// harness, so the ratio of their ns/op is the cost of being Nova.
//
//	go test -run '^$' -bench . -benchmem ./fakenova/

const benchBody = `{"os-getVNCConsole": {"type": "novnc"}}`

// benchHarness replays one request without allocating per iteration.
type benchHarness struct {
	req  *http.Request
	body *bytes.Reader
	w    *discardWriter
}

func newBenchHarness(path, token string) *benchHarness {
	return newBenchHarnessBody(path, token, benchBody)
}

func newBenchHarnessBody(path, token, body string) *benchHarness {
	h := &benchHarness{body: bytes.NewReader([]byte(body)), w: &discardWriter{h: http.Header{}}}
	h.req = httptest.NewRequest(http.MethodPost, path, nil)
	h.req.Body = readCloser{h.body}
	h.req.ContentLength = int64(len(body))
	h.req.Header.Set("Content-Type", "application/json")
	h.req.Header.Set("X-Auth-Token", token)
	return h
}

func (h *benchHarness) run(b *testing.B, handler http.Handler) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.body.Seek(0, 0)
		h.req.Body = readCloser{h.body} // a middleware may have wrapped it
		for k := range h.w.h {
			delete(h.w.h, k)
		}
		h.w.code = 0
		handler.ServeHTTP(h.w, h.req)
		if h.w.code != http.StatusOK {
			b.Fatalf("status %d", h.w.code)
		}
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	w.code = code
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(p), nil
}

func BenchmarkGetVNCConsole(b *testing.B) {
	ts := fakenova.Start(b)
	srv := ts.AddServer("vm1")
	h := newBenchHarness("/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/action", ts.Token)
	h.run(b, ts.Nova)
}

// BenchmarkGetVNCConsoleAt25 is the legacy action with the microversion
// headers a client sends: parsing them and echoing them back.
func BenchmarkGetVNCConsoleAt25(b *testing.B) {
	ts := fakenova.Start(b)
	srv := ts.AddServer("vm1")
	h := newBenchHarness("/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/action", ts.Token)
	h.req.Header.Set("OpenStack-API-Version", "compute 2.5")
	h.req.Header.Set("X-OpenStack-Nova-API-Version", "2.5")
	h.run(b, ts.Nova)
}

// BenchmarkCreateConsoleAt28 is POST /servers/{id}/remote-consoles at 2.8,
// the API that replaced the legacy action.
func BenchmarkCreateConsoleAt28(b *testing.B) {
	ts := fakenova.Start(b)
	srv := ts.AddServer("vm1")
	h := newBenchHarnessBody("/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/remote-consoles", ts.Token,
		`{"remote_console": {"protocol": "vnc", "type": "novnc"}}`)
	h.req.Header.Set("OpenStack-API-Version", "compute 2.8")
	h.req.Header.Set("X-OpenStack-Nova-API-Version", "2.8")
	h.run(b, ts.Nova)
}

// BenchmarkGetVNCConsoleNoJournal is the same with the journal off, to
// show what keeping it costs.
func BenchmarkGetVNCConsoleNoJournal(b *testing.B) {
	ts := fakenova.Start(b, fakenova.WithJournalSize(0))
	srv := ts.AddServer("vm1")
	h := newBenchHarness("/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/action", ts.Token)
	h.run(b, ts.Nova)
}

// BenchmarkGetVNCConsoleLogged is the console call with a request log
// line for each, to a text handler that discards it: what logging costs
// (beside BenchmarkGetVNCConsole, logging off).
func BenchmarkGetVNCConsoleLogged(b *testing.B) {
	ts := fakenova.Start(b, fakenova.WithRequestLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	srv := ts.AddServer("vm1")
	h := newBenchHarness("/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/action", ts.Token)
	h.run(b, ts.Nova)
}

// BenchmarkFloor is the same request through a bare handler: decode, one
// map lookup, encode.
func BenchmarkFloor(b *testing.B) {
	servers := map[string]string{"365313c5-5d0c-4c43-af05-16f765c0f2bc": "http://127.0.0.1:6080/vnc_auto.html?token=075023ba-ccd3-4c4b-a15d-7efc0319a9df"}
	type request struct {
		Console struct {
			Type string `json:"type"`
		} `json:"os-getVNCConsole"`
	}
	type response struct {
		Console struct {
			URL  string `json:"url"`
			Type string `json:"type"`
		} `json:"console"`
	}
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var resp response
		resp.Console.URL = servers[r.URL.Path[len("/v2.1/1ab83fbf1b594600bfa618dc33694dd6/servers/"):len(r.URL.Path)-len("/action")]]
		resp.Console.Type = req.Console.Type
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(&resp)
	})
	h := newBenchHarness("/v2.1/1ab83fbf1b594600bfa618dc33694dd6/servers/365313c5-5d0c-4c43-af05-16f765c0f2bc/action", "t")
	h.run(b, floor)
}

// BenchmarkGetVNCConsoleParallel runs the whole stack from every core at
// once, on one store.
func BenchmarkGetVNCConsoleParallel(b *testing.B) {
	ts := fakenova.Start(b, fakenova.WithState(state.New()))
	srv := ts.AddServer("vm1")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		h := newBenchHarness("/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/action", ts.Token)
		for pb.Next() {
			h.body.Seek(0, 0)
			h.req.Body = readCloser{h.body}
			for k := range h.w.h {
				delete(h.w.h, k)
			}
			h.w.code = 0
			ts.Nova.ServeHTTP(h.w, h.req)
			if h.w.code != http.StatusOK {
				b.Errorf("status %d", h.w.code)
				return
			}
		}
	})
}

// consoleVariant is a console call: its path under the server, body and
// microversion, and the JSON shape of its answer (legacy or
// remote-consoles), for the floor.
type consoleVariant struct {
	name, path, body, version string
	remote                    bool
}

// consoleVariants are the console calls of every API and protocol: the
// legacy actions (2.1 to 2.5) and remote-consoles (2.6 on).
var consoleVariants = []consoleVariant{
	{"legacy-vnc", "/action", `{"os-getVNCConsole": {"type": "novnc"}}`, "", false},
	{"legacy-vnc-2.5", "/action", `{"os-getVNCConsole": {"type": "novnc"}}`, "2.5", false},
	{"legacy-spice", "/action", `{"os-getSPICEConsole": {"type": "spice-html5"}}`, "", false},
	{"legacy-serial", "/action", `{"os-getSerialConsole": {"type": "serial"}}`, "", false},
	{"remote-vnc-2.6", "/remote-consoles", `{"remote_console": {"protocol": "vnc", "type": "novnc"}}`, "2.6", true},
	{"remote-vnc-2.8", "/remote-consoles", `{"remote_console": {"protocol": "vnc", "type": "novnc"}}`, "2.8", true},
	{"remote-spice-direct-2.99", "/remote-consoles", `{"remote_console": {"protocol": "spice", "type": "spice-direct"}}`, "2.99", true},
	{"remote-serial-latest", "/remote-consoles", `{"remote_console": {"protocol": "serial", "type": "serial"}}`, "latest", true},
}

// harness returns the request of v for server id of project.
func (v consoleVariant) harness(project, id, token string) *benchHarness {
	h := newBenchHarnessBody("/v2.1/"+project+"/servers/"+id+v.path, token, v.body)
	if v.version != "" {
		h.req.Header.Set("OpenStack-API-Version", "compute "+v.version)
		h.req.Header.Set("X-OpenStack-Nova-API-Version", v.version)
	}
	return h
}

// consoleFake is a fake with every console protocol enabled and a server.
func consoleFake(b *testing.B) (*fakenova.Test, state.Server) {
	b.Helper()
	ts := fakenova.Start(b, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	return ts, ts.AddServer("vm1")
}

// BenchmarkConsole is each console call through the whole stack.
func BenchmarkConsole(b *testing.B) {
	for _, v := range consoleVariants {
		b.Run(v.name, func(b *testing.B) {
			ts, srv := consoleFake(b)
			v.harness(ts.ProjectID, srv.ID, ts.Token).run(b, ts.Nova)
		})
	}
}

// BenchmarkConsoleFloor is each console call through a bare handler that
// decodes the same body with encoding/json, does one map lookup and
// encodes the same answer.
func BenchmarkConsoleFloor(b *testing.B) {
	for _, v := range consoleVariants {
		b.Run(v.name, func(b *testing.B) {
			const id = "365313c5-5d0c-4c43-af05-16f765c0f2bc"
			h := v.harness("1ab83fbf1b594600bfa618dc33694dd6", id, "t")
			h.run(b, consoleFloor(v.remote, map[string]string{
				id: "http://127.0.0.1:6080/vnc_auto.html?token=075023ba-ccd3-4c4b-a15d-7efc0319a9df"}))
		})
	}
}

// consoleFloor is the floor handler of a console call: legacy or
// remote-consoles.
func consoleFloor(remote bool, urls map[string]string) http.Handler {
	type args struct {
		Protocol string `json:"protocol,omitempty"`
		Type     string `json:"type"`
		URL      string `json:"url"`
	}
	type legacyRequest struct {
		VNC    *args `json:"os-getVNCConsole"`
		SPICE  *args `json:"os-getSPICEConsole"`
		Serial *args `json:"os-getSerialConsole"`
	}
	const prefix = len("/v2.1/1ab83fbf1b594600bfa618dc33694dd6/servers/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _, _ := strings.Cut(r.URL.Path[prefix:], "/")
		var out any
		if remote {
			var req struct {
				Console args `json:"remote_console"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			req.Console.URL = urls[id]
			out = &struct {
				Console args `json:"remote_console"`
			}{req.Console}
		} else {
			var req legacyRequest
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			a := req.VNC
			if a == nil {
				a = req.SPICE
			}
			if a == nil {
				a = req.Serial
			}
			if a == nil {
				http.Error(w, "no action", http.StatusBadRequest)
				return
			}
			a.URL = urls[id]
			out = &struct {
				Console *args `json:"console"`
			}{a}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
}

// runParallel replays the request of newHarness from every goroutine of
// b.RunParallel against handler.
func runParallel(b *testing.B, handler http.Handler, newHarness func() *benchHarness) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		h := newHarness()
		for pb.Next() {
			h.body.Seek(0, 0)
			h.req.Body = readCloser{h.body}
			for k := range h.w.h {
				delete(h.w.h, k)
			}
			h.w.code = 0
			handler.ServeHTTP(h.w, h.req)
			if h.w.code != http.StatusOK {
				b.Errorf("status %d", h.w.code)
				return
			}
		}
	})
}

// BenchmarkConsoleParallel is the legacy console call from every
// goroutine at once, on one store: run with -cpu 1,2 and compare the
// throughput (ns/op at 1 over ns/op at 2).
func BenchmarkConsoleParallel(b *testing.B) {
	ts, srv := consoleFake(b)
	runParallel(b, ts.Nova, func() *benchHarness { return consoleVariants[0].harness(ts.ProjectID, srv.ID, ts.Token) })
}

// BenchmarkConsoleParallelFloor is the floor from every goroutine at once.
func BenchmarkConsoleParallelFloor(b *testing.B) {
	const id = "365313c5-5d0c-4c43-af05-16f765c0f2bc"
	floor := consoleFloor(false, map[string]string{id: "http://127.0.0.1:6080/vnc_auto.html?token=075023ba-ccd3-4c4b-a15d-7efc0319a9df"})
	runParallel(b, floor, func() *benchHarness {
		return consoleVariants[0].harness("1ab83fbf1b594600bfa618dc33694dd6", id, "t")
	})
}
