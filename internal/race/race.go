//go:build race

// Package race tells whether the race detector is built in: under it,
// sync.Pool drops items at random and allocation counts say nothing, so
// the tests that count allocations skip.
package race

// Enabled is true in a binary built with -race.
const Enabled = true
