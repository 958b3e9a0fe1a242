package fakenova

import (
	"errors"
	"fmt"
	"time"

	"github.com/novastub/novastub/state"
)

// ErrClockFixed is returned by Advance when the store's clock cannot be
// moved (the system clock): give the store a state.ManualClock or a
// state.OffsetClock.
var ErrClockFixed = errors.New("fakenova: the store's clock cannot be advanced")

// Advance moves the store's clock forward by d, so that server transitions
// and token expiries due by then happen, and returns the new time.
func (n *Nova) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("fakenova: the clock only moves forward, not by %v", d)
	}
	adv, ok := n.store.Clock().(state.Advancer)
	if !ok {
		return time.Time{}, fmt.Errorf("%w (it is a %T)", ErrClockFixed, n.store.Clock())
	}
	return adv.Advance(d), nil
}
