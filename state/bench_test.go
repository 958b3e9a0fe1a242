package state_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/novastub/novastub/state"
)

// Benchmarks of the store alone. Those At a size compare a thousand
// servers with a million in one project (the million's fixture is built
// once per process): the thousand is the floor of the million. The
// parallel ones run with -cpu 1,2 beside a floor that does the same
// bookkeeping under one plain mutex.
//
//	go test -run '^$' -bench . -benchmem ./state/

var storeSizes = []int{1_000, 1_000_000}

type storeFixture struct {
	st      *state.Store
	project string
	target  state.Server
}

var (
	storeMu       sync.Mutex
	storeFixtures = map[int]*storeFixture{}
)

// bigStore returns a store with n servers named vm-0000000 and on, built on
// first use.
func bigStore(b *testing.B, n int) *storeFixture {
	b.Helper()
	storeMu.Lock()
	defer storeMu.Unlock()
	if f := storeFixtures[n]; f != nil {
		return f
	}
	st := state.New()
	p, err := st.AddProject(state.Project{Name: "p"})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.AddHost(state.Host{Name: "h"}); err != nil {
		b.Fatal(err)
	}
	f := &storeFixture{st: st, project: p.ID}
	for i := 0; i < n; i++ {
		srv, err := st.AddServer(state.Server{Name: fmt.Sprintf("vm-%07d", i), ProjectID: p.ID, Host: "h"})
		if err != nil {
			b.Fatal(err)
		}
		if i == n/2 {
			f.target = srv
		}
	}
	storeFixtures[n] = f
	return f
}

// BenchmarkListServersAt lists one server by name among n: ^name$ (the
// index), the plain name (a scan: Nova's search) and a regular
// expression (a scan).
func BenchmarkListServersAt(b *testing.B) {
	for _, kind := range []string{"exact", "plain", "regexp"} {
		for _, n := range storeSizes {
			b.Run(fmt.Sprintf("%s/servers=%d", kind, n), func(b *testing.B) {
				f := bigStore(b, n)
				pattern := map[string]string{"exact": "^" + f.target.Name + "$", "plain": f.target.Name,
					"regexp": "^" + f.target.Name[:len(f.target.Name)-1] + "[0-9]$"}[kind]
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					out, err := f.st.ListServers(state.ServerFilter{ProjectID: f.project, Name: pattern, Limit: 1000})
					if err != nil || len(out) == 0 {
						b.Fatal(len(out), err)
					}
				}
			})
		}
	}
}

// BenchmarkServerAt looks a server up by id.
func BenchmarkServerAt(b *testing.B) {
	for _, n := range storeSizes {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			f := bigStore(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := f.st.Server(f.target.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHeapPerServer adds a million servers and reports the heap they
// hold, per server (B/server): the server, its console log, its place in
// the indexes by id, by project and by name. Then it searches a plain
// name once, which builds the index of substrings, and reports the heap
// again (B/server-searched).
func BenchmarkHeapPerServer(b *testing.B) {
	const n = 1_000_000
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("vm-%07d", i) // the caller's: not counted
	}
	var perServer, searched float64
	for i := 0; i < b.N; i++ {
		st := state.New()
		p, _ := st.AddProject(state.Project{Name: "p"})
		_ = st.AddHost(state.Host{Name: "h"})
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for _, name := range names {
			if _, err := st.AddServer(state.Server{Name: name, ProjectID: p.ID, Host: "h"}); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perServer = float64(after.HeapAlloc-before.HeapAlloc) / n
		if _, err := st.ListServers(state.ServerFilter{ProjectID: p.ID, Name: names[n/2]}); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		searched = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(st)
	}
	b.ReportMetric(perServer, "B/server")
	b.ReportMetric(searched, "B/server-searched")
}

// BenchmarkIssueConsoleParallel issues consoles of one server from every
// goroutine: run with -cpu 1,2.
func BenchmarkIssueConsoleParallel(b *testing.B) {
	st := state.New()
	p, _ := st.AddProject(state.Project{Name: "p"})
	_ = st.AddHost(state.Host{Name: "h"})
	srv, err := st.AddServer(state.Server{Name: "vm", ProjectID: p.ID, Host: "h"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := st.CreateConsole(state.ConsoleRequest{ProjectID: p.ID, ServerID: srv.ID, Type: state.ConsoleNoVNC}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkIssueConsoleParallelFloor does what issuing a token takes at
// least, from every goroutine: a lookup of the server in a map under a
// read lock, a random token, an insert in a map and a queue under a mutex
// (without the bound and expiry of the store).
func BenchmarkIssueConsoleParallelFloor(b *testing.B) {
	servers := map[string]string{"365313c5-5d0c-4c43-af05-16f765c0f2bc": "h"}
	var rw sync.RWMutex
	var mu sync.Mutex
	tokens := map[uuid.UUID]string{}
	var queue []uuid.UUID
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rw.RLock()
			host := servers["365313c5-5d0c-4c43-af05-16f765c0f2bc"]
			rw.RUnlock()
			key := uuid.New()
			mu.Lock()
			tokens[key] = host
			queue = append(queue, key)
			if len(queue) > 200000 {
				delete(tokens, queue[0])
				queue = queue[1:]
			}
			mu.Unlock()
			_ = key.String()
		}
	})
}
