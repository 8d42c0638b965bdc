package auth

import "time"

// Clock is the source of time for token expiry, refresh windows, failure
// memos and retry waits. Tests inject a fake one so that nothing has to sleep
// until a token expires. The zero Config and CacheOptions use the system clock.
type Clock interface {
	// Now returns the current local time.
	Now() time.Time
	// After returns a channel that receives once d has elapsed, like time.After.
	After(d time.Duration) <-chan time.Time
}

// systemClock is the real clock.
type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func clockOrSystem(c Clock) Clock {
	if c == nil {
		return systemClock{}
	}
	return c
}
