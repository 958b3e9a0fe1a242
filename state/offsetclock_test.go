package state_test

import (
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
