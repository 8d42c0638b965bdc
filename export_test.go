package graph

import (
	"context"
	"time"
)

// SetSleep replaces the client's wait between attempts, so tests run on fake time.
func SetSleep(c *Client, sleep func(ctx context.Context, d time.Duration) error) {
	c.doer.sleep = sleep
}

// ParseRetryAfter exposes parseRetryAfter to the tests.
var ParseRetryAfter = parseRetryAfter
