package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// writeTable prints the rows with what was measured, and returns how many
// miss their goal.
func writeTable(w io.Writer, rows []row, m map[result]sample, o options) (failed int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "path\tns/op\tallocs/op\tfloor\tratio\tgoal\tresult")
	for _, r := range rows {
		c := evaluate(r, m, o)
		if c.verdict == "FAIL" || c.verdict == "missing" {
			failed++
		}
		verdict := c.verdict
		if r.note != "" {
			verdict += " (" + r.note + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.path, c.value, c.allocs, c.floor, c.ratio, c.goal, verdict)
	}
	_ = tw.Flush()
	return failed
}

// cells are a row's printed figures.
type cells struct {
	value, allocs, floor, ratio, goal, verdict string
}

// evaluate computes a row's ratio and whether it meets its goal.
func evaluate(r row, m map[result]sample, o options) cells {
	call, ok := m[r.call]
	if !ok {
		return cells{"-", "-", "-", "-", "-", "missing"}
	}
	c := cells{value: ns(call.nsPerOp), allocs: count(call.allocsPerOp), floor: "-", ratio: "-", goal: "-", verdict: "info"}
	pass := func(ok bool) string {
		if ok {
			return "pass"
		}
		return "FAIL"
	}
	floor, hasFloor := m[r.floor]
	switch r.kind {
	case overFloor, overSmall:
		if !hasFloor {
			c.verdict = "missing"
			return c
		}
		ratio := call.nsPerOp / floor.nsPerOp
		c.floor, c.ratio = ns(floor.nsPerOp), fmt.Sprintf("%.2fx", ratio)
		if r.goal == 0 {
			return c // shown, with no bound
		}
		c.goal = fmt.Sprintf("<= %.1fx", r.goal)
		ok := ratio <= r.goal
		if r.maxAllocs > 0 {
			c.goal += fmt.Sprintf(", <= %.0f allocs", r.maxAllocs)
			ok = ok && call.allocsPerOp <= r.maxAllocs
		}
		c.verdict = pass(ok)
	case allocsFlat:
		if !hasFloor {
			c.verdict = "missing"
			return c
		}
		c.floor = count(floor.allocsPerOp) + " allocs"
		c.ratio = fmt.Sprintf("%.0fx time", call.nsPerOp/floor.nsPerOp)
		c.goal = "allocs flat"
		c.verdict = pass(call.allocsPerOp <= floor.allocsPerOp)
	case speedup:
		if !hasFloor {
			c.verdict = "missing"
			return c
		}
		ratio := floor.nsPerOp / call.nsPerOp
		c.floor, c.ratio = ns(floor.nsPerOp)+" (1 core)", fmt.Sprintf("%.2fx", ratio)
		if r.goal > 0 {
			c.goal = fmt.Sprintf(">= %.1fx", r.goal)
			c.verdict = pass(ratio >= r.goal)
		}
	case metricAtMost, reported:
		v, ok := call.metrics[r.metric]
		if !ok {
			c.verdict = "missing"
			return c
		}
		c.value, c.allocs = fmt.Sprintf("%.0f %s", v, r.metric), "-"
		if r.kind == metricAtMost {
			c.goal = fmt.Sprintf("<= %.0f", r.goal)
			c.verdict = pass(v <= r.goal)
		}
	case overGoose:
		if o.goose[0] == 0 {
			c.goal, c.verdict = fmt.Sprintf(">= %.0fx faster, < half the allocs", r.goal), "no -goose figures"
			return c
		}
		ratio := o.goose[0] / call.nsPerOp
		c.floor = ns(o.goose[0]) + ", " + count(o.goose[1]) + " allocs"
		c.ratio = fmt.Sprintf("%.1fx faster", ratio)
		c.goal = fmt.Sprintf(">= %.0fx faster, < half the allocs", r.goal)
		c.verdict = pass(ratio >= r.goal && call.allocsPerOp < o.goose[1]/2)
	}
	return c
}

// ns writes a time per operation in a readable unit.
func ns(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1f µs", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.2f µs", v/1e3)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.0f ns", v), ".0")
}

func count(v float64) string { return fmt.Sprintf("%.0f", v) }
