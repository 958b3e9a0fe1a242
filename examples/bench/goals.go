package main

// The goals of issue 13, each a row of the table: a benchmark of the
// repository beside its floor (or the same call at another size, or on
// one core), a ratio, and the bound the ratio must keep.

// kind is how a row turns measurements into a ratio.
type kind int

const (
	// overFloor: ns/op of the call over ns/op of its floor, at most goal;
	// allocs/op at most maxAllocs (when set).
	overFloor kind = iota
	// overSmall: ns/op at a million servers over ns/op at a thousand, at
	// most goal.
	overSmall
	// allocsFlat: allocs/op at a million servers at most allocs/op at a
	// thousand (the ratio shown is of ns/op, for information).
	allocsFlat
	// speedup: the throughput on two cores over one (ns/op at -cpu 1
	// over ns/op at -cpu 2), at least goal.
	speedup
	// metricAtMost: a reported metric, at most goal.
	metricAtMost
	// reported: a metric shown, with no bound.
	reported
	// overGoose: GET of a server against goose's figures given by the
	// -goose flag (measured outside the repository): at least goal times
	// faster, fewer than half its allocations.
	overGoose
)

// result names one benchmark's line of output: its full name without the
// -GOMAXPROCS suffix, and the -cpu it ran at.
type result struct {
	name string
	cpu  int
}

// row is one line of the table.
type row struct {
	path      string
	kind      kind
	call      result
	floor     result // the floor, the small size, or one core
	goal      float64
	maxAllocs float64 // 0: no bound
	metric    string  // for metricAtMost and reported
	note      string
}

// invocation is one run of a test binary: the benchmarks a pattern
// selects, at the given -cpu values. Each round runs every invocation once,
// in order, each in a process of its own.
type invocation struct {
	pkg       string // "fakenova" or "state"
	pattern   string // -test.bench
	cpu       string // -test.cpu
	benchtime string // "" for the -benchtime flag's
}

// The console calls and views the rows name, as the benchmarks name them.
var (
	consoleCalls = []string{"legacy-vnc", "legacy-vnc-2.5", "legacy-spice", "legacy-serial",
		"remote-vnc-2.6", "remote-vnc-2.8", "remote-spice-direct-2.99", "remote-serial-latest"}
	views = []string{"2.1", "2.47", "2.98-admin", "latest", "latest-admin"}
)

const (
	small = "servers=1000"
	big   = "servers=1000000"
)

// plan returns the invocations to run and the rows to print.
func plan() ([]invocation, []row) {
	var inv []invocation
	var rows []row
	for _, c := range consoleCalls {
		inv = append(inv, invocation{pkg: "fakenova", pattern: "^BenchmarkConsole(Floor)?$/^" + quote(c) + "$", cpu: "2"})
		rows = append(rows, row{path: "console " + c, kind: overFloor,
			call: result{"BenchmarkConsole/" + c, 2}, floor: result{"BenchmarkConsoleFloor/" + c, 2},
			goal: 1.3, maxAllocs: 12})
	}
	for _, v := range views {
		inv = append(inv, invocation{pkg: "fakenova", pattern: "^BenchmarkShowServer(Floor)?$/^" + quote(v) + "$", cpu: "2"})
		rows = append(rows, row{path: "GET server " + v, kind: overFloor,
			call: result{"BenchmarkShowServer/" + v, 2}, floor: result{"BenchmarkShowServerFloor/" + v, 2},
			goal: 1.5, maxAllocs: 20})
	}
	for _, v := range views {
		inv = append(inv, invocation{pkg: "fakenova", pattern: "^BenchmarkListServersDetail(Floor)?$/^" + quote(v) + "$", cpu: "2"})
		rows = append(rows, row{path: "GET servers/detail (20) " + v, kind: overFloor,
			call: result{"BenchmarkListServersDetail/" + v, 2}, floor: result{"BenchmarkListServersDetailFloor/" + v, 2},
			goal: 1.5, maxAllocs: 20})
	}
	rows = append(rows, row{path: "GET server latest vs goose", kind: overGoose,
		call: result{"BenchmarkShowServer/latest", 2}, goal: 4,
		note: "goose measured outside the repository (-goose)"})

	inv = append(inv,
		invocation{pkg: "fakenova", pattern: "^BenchmarkStart(Floor)?$", cpu: "2"},
		invocation{pkg: "fakenova", pattern: "^BenchmarkStart100Parallel$", cpu: "2", benchtime: "3x"})
	rows = append(rows,
		row{path: "start a fake (Start)", kind: overFloor,
			call: result{"BenchmarkStart", 2}, floor: result{"BenchmarkStartFloor", 2}, goal: 2,
			note: "floor: httptest.NewServer alone"},
		row{path: "100 fakes at once: heap per fake", kind: reported,
			call: result{"BenchmarkStart100Parallel", 2}, metric: "heap-KB/fake"})

	inv = append(inv, invocation{pkg: "fakenova", cpu: "2",
		pattern: "^(BenchmarkShowServerAt|BenchmarkConsoleAt|BenchmarkListByExactNameAt|BenchmarkListByPlainNameAt|" +
			"BenchmarkListByRegexpAt|BenchmarkConsoleWhileListing|BenchmarkListWhileConsoles)$"})
	rows = append(rows,
		row{path: "GET server, 1e6 vs 1e3 servers", kind: overSmall,
			call: result{"BenchmarkShowServerAt/" + big, 2}, floor: result{"BenchmarkShowServerAt/" + small, 2}, goal: 1.2},
		row{path: "console, 1e6 vs 1e3 servers", kind: overSmall,
			call: result{"BenchmarkConsoleAt/" + big, 2}, floor: result{"BenchmarkConsoleAt/" + small, 2}, goal: 1.2},
		row{path: "list ^name$, 1e6 vs 1e3 servers", kind: overSmall,
			call: result{"BenchmarkListByExactNameAt/" + big, 2}, floor: result{"BenchmarkListByExactNameAt/" + small, 2}, goal: 1.5},
		row{path: "list plain name, 1e6 vs 1e3 servers", kind: overSmall,
			call: result{"BenchmarkListByPlainNameAt/" + big, 2}, floor: result{"BenchmarkListByPlainNameAt/" + small, 2}, goal: 1.5,
			note: "Nova searches it as a regular expression: the index of substrings"},
		row{path: "list regexp: allocs 1e6 vs 1e3 servers", kind: allocsFlat,
			call: result{"BenchmarkListByRegexpAt/" + big, 2}, floor: result{"BenchmarkListByRegexpAt/" + small, 2}},
		row{path: "console while lists scan 1e6", kind: overFloor,
			call: result{"BenchmarkConsoleWhileListing", 2}, floor: result{"BenchmarkConsoleAt/" + big, 2}, goal: 2,
			note: "floor: the console alone at 1e6"},
		row{path: "list scan of 1e6 while consoles", kind: overFloor,
			call: result{"BenchmarkListWhileConsoles", 2}, floor: result{"BenchmarkListByRegexpAt/" + big, 2}, goal: 2,
			note: "floor: the scan alone"})

	inv = append(inv, invocation{pkg: "fakenova", pattern: "^BenchmarkConsoleParallel(Floor)?$", cpu: "1,2"})
	rows = append(rows,
		row{path: "console, 2 cores vs 1 (throughput)", kind: speedup,
			call: result{"BenchmarkConsoleParallel", 2}, floor: result{"BenchmarkConsoleParallel", 1}, goal: 1.6},
		row{path: "console floor, 2 cores vs 1 (throughput)", kind: speedup,
			call: result{"BenchmarkConsoleParallelFloor", 2}, floor: result{"BenchmarkConsoleParallelFloor", 1},
			note: "what the machine gives"})

	inv = append(inv,
		invocation{pkg: "state", pattern: "^(BenchmarkListServersAt|BenchmarkServerAt)$", cpu: "2"},
		invocation{pkg: "state", pattern: "^BenchmarkHeapPerServer$", cpu: "2", benchtime: "1x"},
		invocation{pkg: "state", pattern: "^BenchmarkIssueConsoleParallel(Floor)?$", cpu: "1,2"})
	rows = append(rows,
		row{path: "store: ^name$, 1e6 vs 1e3", kind: overSmall,
			call: result{"BenchmarkListServersAt/exact/" + big, 2}, floor: result{"BenchmarkListServersAt/exact/" + small, 2},
			note: "a diagnostic, not a goal: the goal is the HTTP row; at the store, the copy of the answer is most of the call, and collecting a heap of a million servers costs more a byte"},
		row{path: "store: plain name, 1e6 vs 1e3", kind: overSmall,
			call: result{"BenchmarkListServersAt/plain/" + big, 2}, floor: result{"BenchmarkListServersAt/plain/" + small, 2},
			note: "a diagnostic, not a goal: the goal is the HTTP row; as ^name$ above"},
		row{path: "store: regexp allocs, 1e6 vs 1e3", kind: allocsFlat,
			call: result{"BenchmarkListServersAt/regexp/" + big, 2}, floor: result{"BenchmarkListServersAt/regexp/" + small, 2}},
		row{path: "store: lookup by id, 1e6 vs 1e3", kind: overSmall,
			call: result{"BenchmarkServerAt/" + big, 2}, floor: result{"BenchmarkServerAt/" + small, 2}, goal: 1.2},
		row{path: "heap per server (1e6)", kind: metricAtMost,
			call: result{"BenchmarkHeapPerServer", 2}, metric: "B/server", goal: 512},
		row{path: "heap per server, names searched (1e6)", kind: metricAtMost,
			call: result{"BenchmarkHeapPerServer", 2}, metric: "B/server-searched", goal: 512,
			note: "with the index of substrings a plain-name search builds"},
		row{path: "store: issue console, 2 cores vs 1", kind: speedup,
			call: result{"BenchmarkIssueConsoleParallel", 2}, floor: result{"BenchmarkIssueConsoleParallel", 1},
			note: "a diagnostic, not a goal: the goal is the HTTP row; tokens are issued under one lock"},
		row{path: "store: issue floor, 2 cores vs 1", kind: speedup,
			call: result{"BenchmarkIssueConsoleParallelFloor", 2}, floor: result{"BenchmarkIssueConsoleParallelFloor", 1},
			note: "what the machine gives"})
	return inv, rows
}
