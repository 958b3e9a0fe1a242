package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The lines of `go test -bench` are read by name, -cpu and unit (custom
// metrics kept by their unit); medians are taken figure by figure.
func TestParseAndMedians(t *testing.T) {
	out := []byte(strings.Join([]string{
		"goos: linux",
		"BenchmarkConsole/legacy-vnc-2   	  567333	      2217 ns/op	     427 B/op	       3 allocs/op",
		"BenchmarkHeapPerServer-2   	       1	6109082950 ns/op	       512.4 B/server",
		"BenchmarkConsoleParallel   	  100	      1900 ns/op	       5 allocs/op",
		"PASS",
	}, "\n"))
	got := parse(out)
	require.Len(t, got, 3)
	assert.Equal(t, 2217.0, got[result{"BenchmarkConsole/legacy-vnc", 2}].nsPerOp)
	assert.Equal(t, 3.0, got[result{"BenchmarkConsole/legacy-vnc", 2}].allocsPerOp)
	assert.Equal(t, 512.4, got[result{"BenchmarkHeapPerServer", 2}].metrics["B/server"])
	assert.Equal(t, 1900.0, got[result{"BenchmarkConsoleParallel", 1}].nsPerOp, "no -N suffix: one CPU")

	m := medians(map[result][]sample{{"B", 2}: {{nsPerOp: 3, allocsPerOp: 1}, {nsPerOp: 1, allocsPerOp: 5}, {nsPerOp: 2, allocsPerOp: 3}}})
	assert.Equal(t, sample{nsPerOp: 2, allocsPerOp: 3, metrics: map[string]float64{}}, m[result{"B", 2}])
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))
}

// A row passes or fails on its ratio and its allocations, is "missing"
// without its figures, and a speedup is one core's time over two cores'.
func TestEvaluate(t *testing.T) {
	m := map[result]sample{
		{"Call", 2}:  {nsPerOp: 1300, allocsPerOp: 3},
		{"Floor", 2}: {nsPerOp: 1000, allocsPerOp: 15},
		{"Par", 2}:   {nsPerOp: 600},
		{"Par", 1}:   {nsPerOp: 1000},
	}
	mk := func(k kind, goal, allocs float64, floor string) row {
		return row{kind: k, call: result{"Call", 2}, floor: result{floor, 2}, goal: goal, maxAllocs: allocs}
	}
	assert.Equal(t, "pass", evaluate(mk(overFloor, 1.3, 12, "Floor"), m, options{}).verdict)
	assert.Equal(t, "1.30x", evaluate(mk(overFloor, 1.3, 12, "Floor"), m, options{}).ratio)
	assert.Equal(t, "FAIL", evaluate(mk(overFloor, 1.2, 12, "Floor"), m, options{}).verdict, "over the ratio")
	assert.Equal(t, "FAIL", evaluate(mk(overFloor, 1.3, 2, "Floor"), m, options{}).verdict, "over the allocations")
	assert.Equal(t, "missing", evaluate(mk(overFloor, 1.3, 0, "Nothing"), m, options{}).verdict)
	assert.Equal(t, "pass", evaluate(mk(allocsFlat, 0, 0, "Floor"), m, options{}).verdict)
	diagnostic := evaluate(mk(overSmall, 0, 0, "Floor"), m, options{})
	assert.Equal(t, "info", diagnostic.verdict, "a row without a goal is shown, not judged")
	assert.Equal(t, "1.30x", diagnostic.ratio)

	speed := evaluate(row{kind: speedup, call: result{"Par", 2}, floor: result{"Par", 1}, goal: 1.6}, m, options{})
	assert.Equal(t, "1.67x", speed.ratio)
	assert.Equal(t, "pass", speed.verdict)

	goose := row{kind: overGoose, call: result{"Call", 2}, goal: 4}
	assert.Equal(t, "no -goose figures", evaluate(goose, m, options{}).verdict)
	assert.Equal(t, "pass", evaluate(goose, m, options{goose: [2]float64{24600, 53}}).verdict)
	assert.Equal(t, "FAIL", evaluate(goose, m, options{goose: [2]float64{4000, 53}}).verdict, "3.1x is not 4x")
}
