package fakenova_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// The calls at a thousand and at a million servers of one project: GET of
// a server, a console, and the list by name (^name$, and the plain name
// openstacksdk and novaclient send, which Nova searches as a regular
// expression). Each size is its own sub-benchmark: the ratio of the
// million to the thousand is what the store's size costs. The big fakes
// are built once per process (a million servers take a few seconds) and
// only read, but for the console tokens the calls add.
//
//	go test -run '^$' -bench 'At$' -benchmem ./fakenova/

// scaleSizes are the store sizes the scale benchmarks compare.
var scaleSizes = []int{1_000, 1_000_000}

// scaleFixture is a fake with n servers named vm-0000000 and on, with a
// port on the first.
type scaleFixture struct {
	ts     *fakenova.Test
	target state.Server // the server in the middle
}

var (
	scaleMu       sync.Mutex
	scaleFixtures = map[int]*scaleFixture{}
)

// foreverTester is a fakenova.Tester for a fake that lives as long as the
// process: its cleanups never run.
type foreverTester struct{ testing.TB }

func (foreverTester) Cleanup(func()) {}

// scaleFake returns the fake with n servers, built on first use.
func scaleFake(b *testing.B, n int) *scaleFixture {
	b.Helper()
	scaleMu.Lock()
	defer scaleMu.Unlock()
	if f := scaleFixtures[n]; f != nil {
		return f
	}
	ts := fakenova.Start(foreverTester{b})
	f := &scaleFixture{ts: ts}
	for i := 0; i < n; i++ {
		srv, err := ts.State.AddServer(state.Server{Name: fmt.Sprintf("vm-%07d", i), ProjectID: ts.ProjectID,
			Host: fakenova.TestHost, ImageID: fakenova.TestImageID})
		if err != nil {
			b.Fatal(err)
		}
		if i == n/2 {
			f.target = srv
		}
	}
	if _, err := ts.State.AllocatePorts(f.target.ID, state.Viewer{ProjectID: ts.ProjectID},
		[]state.NetworkRequest{{NetworkID: fakenova.TestNetworkID}}); err != nil {
		b.Fatal(err)
	}
	if err := ts.State.AddToken(state.AuthToken{Token: benchAdminToken, ProjectID: ts.ProjectID,
		Roles: []string{"admin", "member", "reader"}}); err != nil {
		b.Fatal(err)
	}
	scaleFixtures[n] = f
	return f
}

func sizeName(n int) string { return fmt.Sprintf("servers=%d", n) }

// BenchmarkShowServerAt is GET of a server at the latest microversion.
func BenchmarkShowServerAt(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			f := scaleFake(b, n)
			runGet(b, f.ts.Nova, "/v2.1/servers/"+f.target.ID, f.ts.Token, "latest")
		})
	}
}

// BenchmarkConsoleAt is the legacy console call.
func BenchmarkConsoleAt(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			f := scaleFake(b, n)
			consoleVariants[0].harness(f.ts.ProjectID, f.target.ID, f.ts.Token).run(b, f.ts.Nova)
		})
	}
}

// BenchmarkListByExactNameAt is GET /servers/detail?name=^vm-NNNNNNN$,
// one server of n: the index by name.
func BenchmarkListByExactNameAt(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			f := scaleFake(b, n)
			runGet(b, f.ts.Nova, "/v2.1/servers/detail?name=%5E"+f.target.Name+"$", f.ts.Token, "latest")
		})
	}
}

// BenchmarkListByPlainNameAt is GET /servers/detail?name=vm-NNNNNNN, as
// clients look a server up by name: Nova searches it as a regular
// expression, a substring of any name, so the fake scans the names.
func BenchmarkListByPlainNameAt(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			f := scaleFake(b, n)
			runGet(b, f.ts.Nova, "/v2.1/servers/detail?name="+f.target.Name, f.ts.Token, "latest")
		})
	}
}

// BenchmarkListByRegexpAt is GET /servers?name=^vm-000050[0-9]$, a
// regular expression over every name.
func BenchmarkListByRegexpAt(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			f := scaleFake(b, n)
			runGet(b, f.ts.Nova, "/v2.1/servers?name=%5Evm-000050%5B0-9%5D$", f.ts.Token, "")
		})
	}
}

// While one goroutine scans a million names with a regular expression,
// another gets consoles (and the other way round): with the console
// tokens under a lock of their own, neither waits for the other. Each
// benchmark is beside the same call alone at the same size
// (BenchmarkConsoleAt, BenchmarkListByRegexpAt): the ratio is what the
// other costs it, which on two cores should be little more than sharing
// the memory bus.

// BenchmarkConsoleWhileListing is the console call at a million servers
// while lists scan them.
func BenchmarkConsoleWhileListing(b *testing.B) {
	f := scaleFake(b, scaleSizes[len(scaleSizes)-1])
	stop := background(b, func() int {
		return get(f.ts.Nova, "/v2.1/servers?name=%5Evm-000050%5B0-9%5D$", f.ts.Token)
	})
	defer stop()
	consoleVariants[0].harness(f.ts.ProjectID, f.target.ID, f.ts.Token).run(b, f.ts.Nova)
}

// BenchmarkListWhileConsoles is the scan of a million names while
// consoles are issued.
func BenchmarkListWhileConsoles(b *testing.B) {
	f := scaleFake(b, scaleSizes[len(scaleSizes)-1])
	h := consoleVariants[0].harness(f.ts.ProjectID, f.target.ID, f.ts.Token)
	stop := background(b, func() int {
		h.body.Seek(0, 0)
		h.req.Body = readCloser{h.body}
		clear(h.w.h)
		h.w.code = 0
		f.ts.Nova.ServeHTTP(h.w, h.req)
		return h.w.code
	})
	defer stop()
	runGet(b, f.ts.Nova, "/v2.1/servers?name=%5Evm-000050%5B0-9%5D$", f.ts.Token, "")
}

// background runs call in a loop on another goroutine until stop, which
// reports how many calls it made and fails the benchmark if one did not
// answer 200.
func background(b *testing.B, call func() int) (stop func()) {
	var done atomic.Bool
	var calls atomic.Int64
	var failed atomic.Int64
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for !done.Load() {
			if code := call(); code != http.StatusOK {
				failed.Store(int64(code))
				return
			}
			calls.Add(1)
		}
	}()
	return func() {
		done.Store(true)
		<-finished
		if code := failed.Load(); code != 0 {
			b.Fatalf("background call: status %d", code)
		}
		b.ReportMetric(float64(calls.Load()), "background-calls")
	}
}

// get answers GET path with token, for a background loop.
func get(h http.Handler, path, token string) int {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("X-Auth-Token", token)
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, req)
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
