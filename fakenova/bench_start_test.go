package fakenova_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// Starting a fake: fakenova.Start (NewCloud: Nova, the identity, image and
// network services, the console proxy; the seeded project, host, token,
// user, image, flavors and network; an httptest server) beside its floor,
// httptest.NewServer of a handler that does nothing. Both close their
// server in the same iteration, so the ratio is what a test pays for a
// whole fake cloud over a bare server.
//
//	go test -run '^$' -bench 'Start' -benchmem ./fakenova/

// iterationTester is a fakenova.Tester whose cleanups run when the
// iteration ends (done), not when the benchmark does, so that b.N fakes
// do not stay open at once.
type iterationTester struct {
	testing.TB
	cleanups []func()
}

func (t *iterationTester) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

func (t *iterationTester) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	t.cleanups = t.cleanups[:0]
}

// BenchmarkStart starts and closes a fake cloud.
func BenchmarkStart(b *testing.B) {
	t := &iterationTester{TB: b}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ts := fakenova.Start(t)
		if ts.ProjectID == "" {
			b.Fatal("no project")
		}
		t.done()
	}
}

// BenchmarkStartFloor starts and closes httptest.NewServer alone.
func BenchmarkStartFloor(b *testing.B) {
	b.ReportAllocs()
	h := http.NotFoundHandler()
	for i := 0; i < b.N; i++ {
		srv := httptest.NewServer(h)
		if srv.URL == "" {
			b.Fatal("no URL")
		}
		srv.Close()
	}
}

// BenchmarkStart100Parallel starts 100 fakes at once in one binary, each
// on its own goroutine, and reports the heap they hold together while all
// are open (heap-MB, and heap-KB per fake), beside the time it took.
func BenchmarkStart100Parallel(b *testing.B) {
	const fakes = 100
	b.ReportAllocs()
	var perFake float64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		testers := make([]*iterationTester, fakes)
		running := make([]*fakenova.Test, fakes)
		var wg sync.WaitGroup
		for j := range testers {
			testers[j] = &iterationTester{TB: b}
			wg.Add(1)
			go func(j int) {
				defer wg.Done()
				running[j] = fakenova.Start(testers[j])
			}(j)
		}
		wg.Wait()
		b.StopTimer()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		perFake = float64(after.HeapAlloc-before.HeapAlloc) / fakes
		for _, ts := range running { // every fake answers
			res, err := http.Get(ts.URL + "/")
			if err != nil {
				b.Fatal(err)
			}
			_ = res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
		for _, t := range testers {
			t.done()
		}
		b.StartTimer()
	}
	b.ReportMetric(perFake/1024, "heap-KB/fake")
	b.ReportMetric(perFake*fakes/(1<<20), "heap-MB/100fakes")
}

// TestHundredFakesInParallel runs 100 fakes as parallel subtests of one
// binary, each creating a server and getting its console, and logs the
// heap they held.
func TestHundredFakesInParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("100 fakes")
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak sync.Map
	t.Run("fakes", func(t *testing.T) {
		for i := 0; i < 100; i++ {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				ts := fakenova.Start(t)
				srv := ts.AddServer("vm1")
				tok, err := ts.State.CreateConsole(state.ConsoleRequest{ProjectID: ts.ProjectID, ServerID: srv.ID,
					Type: state.ConsoleNoVNC})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ts.State.ConsoleToken(tok.Token); err != nil {
					t.Fatal(err)
				}
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak.Store(i, m.HeapAlloc)
			})
		}
	})
	var most uint64
	peak.Range(func(_, v any) bool {
		most = max(most, v.(uint64))
		return true
	})
	if most > before.HeapAlloc {
		t.Logf("100 fakes in parallel: heap grew by at most %.1f MiB (%.0f KiB a fake)",
			float64(most-before.HeapAlloc)/(1<<20), float64(most-before.HeapAlloc)/100/1024)
	}
}
