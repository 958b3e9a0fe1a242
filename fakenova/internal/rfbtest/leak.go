package rfbtest

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// WaitGoroutines waits, up to ten seconds, for the number of goroutines to
// come back to at most n, and fails the test with their stacks if it does
// not: goroutines end a little after the calls that end them return.
func WaitGoroutines(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			stacks := string(buf[:runtime.Stack(buf, true)])
			t.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), n,
				strings.TrimSpace(stacks))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
