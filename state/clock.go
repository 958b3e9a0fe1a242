package state

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time. Everything in the model that expires or moves on
// (console tokens, identity tokens, server transitions) reads it, so a test
// that controls the Clock controls time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when told to. It is safe for
// concurrent use; reading it takes no lock.
type ManualClock struct {
	now   atomic.Pointer[time.Time]
	watch atomic.Pointer[func()] // told of every move (a persisted store)
}

// NewManualClock returns a ManualClock that reads start until it is advanced.
func NewManualClock(start time.Time) *ManualClock {
	c := &ManualClock{}
	c.now.Store(&start)
	return c
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time { return *c.now.Load() }

// Advance moves the clock forward by d (a negative d moves it back) and
// returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	for {
		old := c.now.Load()
		next := old.Add(d)
		if c.now.CompareAndSwap(old, &next) {
			c.moved()
			return next
		}
	}
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.now.Store(&t)
	c.moved()
}

// moved tells the watcher, if any, that the clock moved.
func (c *ManualClock) moved() {
	if w := c.watch.Load(); w != nil {
		(*w)()
	}
}

// Advancer is a Clock that can be moved forward: ManualClock and
// OffsetClock. The fake's time controls need one.
type Advancer interface {
	Clock
	Advance(d time.Duration) time.Time
}

// OffsetClock is the wall clock plus an offset that Advance grows: time
// passes as usual and can also jump, which suits a stub that people use by
// hand and tests drive. It is safe for concurrent use.
type OffsetClock struct {
	mu     sync.RWMutex
	offset time.Duration
	watch  atomic.Pointer[func()] // told of every move (a persisted store)
}

// NewOffsetClock returns an OffsetClock that reads the wall clock until it
// is advanced.
func NewOffsetClock() *OffsetClock { return &OffsetClock{} }

// Now returns the wall clock's time plus the offset.
func (c *OffsetClock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return time.Now().Add(c.offset)
}

// Advance jumps the clock forward by d and returns the new time. The
// offset saturates at about 292 years: huge jumps never wrap it backwards.
func (c *OffsetClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.offset = addSaturating(c.offset, d)
	c.mu.Unlock()
	if w := c.watch.Load(); w != nil {
		(*w)()
	}
	return c.Now()
}

// Offset returns how far the clock is ahead of the wall clock.
func (c *OffsetClock) Offset() time.Duration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.offset
}

// setOffset puts the clock at offset from the wall clock, as a state file
// restores it; the watcher is not told.
func (c *OffsetClock) setOffset(offset time.Duration) {
	c.mu.Lock()
	c.offset = offset
	c.mu.Unlock()
}

// addSaturating is a + b, held at the bounds of time.Duration instead of
// wrapping around.
func addSaturating(a, b time.Duration) time.Duration {
	sum := a + b
	switch {
	case b > 0 && sum < a:
		return math.MaxInt64
	case b < 0 && sum > a:
		return math.MinInt64
	}
	return sum
}
