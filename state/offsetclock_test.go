package state_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/novastub/novastub/state"
)

func TestOffsetClock(t *testing.T) {
	c := state.NewOffsetClock()
	var _ state.Advancer = c
	var _ state.Advancer = state.NewManualClock(time.Time{})
	before := time.Now()
	assert.WithinDuration(t, before, c.Now(), time.Second, "the wall clock until advanced")
	got := c.Advance(time.Hour)
	assert.WithinDuration(t, before.Add(time.Hour), got, time.Second)
	assert.True(t, c.Now().After(before.Add(59*time.Minute)), "the jump stays")
}

// Huge jumps saturate instead of wrapping the clock backwards.
func TestOffsetClockHugeAdvancesDoNotWrap(t *testing.T) {
	c := state.NewOffsetClock()
	first := c.Advance(math.MaxInt64 - time.Hour)
	second := c.Advance(math.MaxInt64 - time.Hour)
	assert.False(t, second.Before(first), "the clock went back: %v then %v", first, second)
	assert.True(t, second.After(time.Now().AddDate(290, 0, 0)))
}
