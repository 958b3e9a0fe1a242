package state_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

func TestManualClock(t *testing.T) {
	c := state.NewManualClock(t0)
	assert.Equal(t, t0, c.Now())
	assert.Equal(t, t0, c.Now(), "reading does not move it")

	assert.Equal(t, t0.Add(90*time.Second), c.Advance(90*time.Second))
	assert.Equal(t, t0.Add(90*time.Second), c.Now())

	assert.Equal(t, t0.Add(30*time.Second), c.Advance(-time.Minute), "a negative step moves it back")
	assert.Equal(t, t0.Add(30*time.Second), c.Now())

	later := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	c.Set(later)
	assert.Equal(t, later, c.Now())
	assert.Equal(t, later.Add(time.Nanosecond), c.Advance(time.Nanosecond))
}

func TestManualClockConcurrent(t *testing.T) {
	c := state.NewManualClock(t0)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, t0.Add(8*500*time.Millisecond), c.Now())
}

func TestSystemClock(t *testing.T) {
	before := time.Now()
	got := state.SystemClock{}.Now()
	after := time.Now()
	assert.False(t, got.Before(before), "%v before %v", got, before)
	assert.False(t, got.After(after), "%v after %v", got, after)
}

func TestStoreClock(t *testing.T) {
	_, isSystem := state.New().Clock().(state.SystemClock)
	assert.True(t, isSystem, "the default clock is SystemClock")

	c := state.NewManualClock(t0)
	st := state.New(state.WithClock(c))
	require.Same(t, c, st.Clock())
}
