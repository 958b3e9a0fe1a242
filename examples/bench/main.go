// Command bench measures novastub's speed against the goals of issue 13
// and prints a table of ratios: each call beside its floor (a bare handler
// doing the same work with the standard library), the same call at a
// thousand and a million servers, on one core and two.
//
//	go run ./examples/bench                 # 5 rounds, 1 s a benchmark
//	go run ./examples/bench -rounds 7 -only 'console|GET server'
//	go run ./examples/bench -goose 24600,53 # goose's GET server, measured outside
//
// It builds the test binaries of ./fakenova and ./state once, then runs
// every benchmark once per round, each in a process of its own, the rounds
// one after the other (interleaved: a busy moment of the machine falls on
// every benchmark alike), and prints the median of the rounds. Run it on a
// quiet machine: uptime's load should be near zero.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		// -h: the usage is printed, and asking for it is no failure.
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
}

// options are the command's flags.
type options struct {
	rounds    int
	benchtime string
	only      *regexp.Regexp
	goose     [2]float64 // ns/op, allocs/op; zero when not given
	verbose   bool
	timeout   time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rounds := fs.Int("rounds", 5, "rounds of every benchmark; the table shows their medians")
	benchtime := fs.String("benchtime", "1s", "-test.benchtime of each benchmark (some set their own)")
	only := fs.String("only", "", "run only the rows whose path matches this regular expression")
	goose := fs.String("goose", "", "goose's GET server as ns/op,allocs/op, measured outside the repository")
	verbose := fs.Bool("v", false, "print every benchmark line as it comes")
	timeout := fs.Duration("timeout", 10*time.Minute, "the longest one benchmark process may take")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	o := options{rounds: max(*rounds, 1), benchtime: *benchtime, verbose: *verbose, timeout: *timeout}
	var err error
	if o.only, err = regexp.Compile(*only); err != nil {
		return options{}, fmt.Errorf("-only: %w", err)
	}
	if *goose != "" {
		ns, allocs, ok := strings.Cut(*goose, ",")
		o.goose[0], err = strconv.ParseFloat(ns, 64)
		if err == nil && ok {
			o.goose[1], err = strconv.ParseFloat(allocs, 64)
		}
		if err != nil || !ok {
			return options{}, errors.New("-goose wants ns/op,allocs/op, such as 24600,53")
		}
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	invs, rows := plan()
	rows = slices.DeleteFunc(rows, func(r row) bool { return !o.only.MatchString(r.path) })
	invs = slices.DeleteFunc(invs, func(inv invocation) bool { return !needed(inv, rows) })
	if len(rows) == 0 {
		return errors.New("no row matches -only")
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "novastub-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	binaries := map[string]string{}
	for _, inv := range invs {
		if binaries[inv.pkg] != "" {
			continue
		}
		bin := filepath.Join(tmp, inv.pkg+".test")
		fmt.Fprintf(stderr, "building ./%s\n", inv.pkg)
		cmd := exec.Command("go", "test", "-c", "-o", bin, "./"+inv.pkg)
		cmd.Dir, cmd.Stdout, cmd.Stderr = root, stderr, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building ./%s: %w", inv.pkg, err)
		}
		binaries[inv.pkg] = bin
	}
	samples := map[result][]sample{}
	for round := 1; round <= o.rounds; round++ {
		fmt.Fprintf(stderr, "round %d of %d (load %s)\n", round, o.rounds, loadAverage())
		for _, inv := range invs {
			out, err := runBinary(binaries[inv.pkg], filepath.Join(root, inv.pkg), inv, o)
			if o.verbose {
				stderr.Write(out)
			}
			if err != nil {
				return fmt.Errorf("%s %s: %w\n%s", inv.pkg, inv.pattern, err, out)
			}
			for res, s := range parse(out) {
				samples[res] = append(samples[res], s)
			}
		}
	}
	fmt.Fprintf(stdout, "novastub speed: medians of %d interleaved rounds, -benchtime %s, load %s at the end\n\n",
		o.rounds, o.benchtime, loadAverage())
	failed := writeTable(stdout, rows, medians(samples), o)
	if failed > 0 {
		fmt.Fprintf(stdout, "\n%d of %d rows miss their goal\n", failed, len(rows))
	} else {
		fmt.Fprintf(stdout, "\nevery row meets its goal\n")
	}
	return nil
}

// needed reports whether an invocation measures something a row uses.
func needed(inv invocation, rows []row) bool {
	re := benchRegexp(inv.pattern)
	for _, r := range rows {
		for _, res := range []result{r.call, r.floor} {
			if res.name != "" && re(res.name) {
				return true
			}
		}
	}
	return false
}

// benchRegexp matches a benchmark's name as -test.bench does: each
// slash-separated part of the pattern against the name's part at its
// level.
func benchRegexp(pattern string) func(string) bool {
	var parts []*regexp.Regexp
	for _, p := range strings.Split(pattern, "/") {
		parts = append(parts, regexp.MustCompile(p))
	}
	return func(name string) bool {
		elems := strings.Split(name, "/")
		for i, re := range parts {
			if i < len(elems) && !re.MatchString(elems[i]) {
				return false
			}
		}
		return true
	}
}

// quote makes a literal a regular expression, for -test.bench.
func quote(s string) string { return regexp.QuoteMeta(s) }

// runBinary runs one invocation in the package's directory.
func runBinary(bin, dir string, inv invocation, o options) ([]byte, error) {
	benchtime := inv.benchtime
	if benchtime == "" {
		benchtime = o.benchtime
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^$", "-test.bench="+inv.pattern, "-test.benchmem",
		"-test.benchtime="+benchtime, "-test.cpu="+inv.cpu, "-test.count=1", "-test.timeout=0")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// sample is one benchmark line's figures.
type sample struct {
	nsPerOp, allocsPerOp float64
	metrics              map[string]float64
}

// benchLine is a line of `go test -bench` output: name-CPU, iterations,
// then value-unit pairs.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-(\d+))?\s+\d+\s+(.*)$`)

// parse reads the benchmark lines of out.
func parse(out []byte) map[result]sample {
	found := map[result]sample{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		cpu := 1
		if m[2] != "" {
			cpu, _ = strconv.Atoi(m[2])
		}
		s := sample{metrics: map[string]float64{}}
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch unit := fields[i+1]; unit {
			case "ns/op":
				s.nsPerOp = v
			case "allocs/op":
				s.allocsPerOp = v
			default:
				s.metrics[unit] = v
			}
		}
		found[result{m[1], cpu}] = s
	}
	return found
}

// medians takes the median of each figure over the rounds.
func medians(samples map[result][]sample) map[result]sample {
	out := map[result]sample{}
	for res, list := range samples {
		s := sample{metrics: map[string]float64{}}
		var ns, allocs []float64
		units := map[string][]float64{}
		for _, x := range list {
			ns = append(ns, x.nsPerOp)
			allocs = append(allocs, x.allocsPerOp)
			for u, v := range x.metrics {
				units[u] = append(units[u], v)
			}
		}
		s.nsPerOp, s.allocsPerOp = median(ns), median(allocs)
		for u, vs := range units {
			s.metrics[u] = median(vs)
		}
		out[res] = s
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// moduleRoot is the directory of the module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run it inside the novastub module")
	}
	return filepath.Dir(mod), nil
}

// loadAverage is the machine's 1-minute load, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	first, _, _ := strings.Cut(string(b), " ")
	return first
}
