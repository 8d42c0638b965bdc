package graph

import (
	"context"
	"fmt"
	"time"
)

// WaitOptions tune WaitUntil. The zero value of each field means its default.
type WaitOptions struct {
	// Consecutive is how many reads in a row must satisfy the condition. Default 5, as Terraform's
	// azuread provider waits for: one replica that has the write says little about the next.
	Consecutive int
	// Interval is the wait between reads. Default 2 s.
	Interval time.Duration
	// Sleep waits d or until ctx ends. Default: a timer. Tests pass their own to run on fake time.
	Sleep func(ctx context.Context, d time.Duration) error
}

// WaitUntil calls read until done holds for opts.Consecutive reads in a row, and returns the last
// read's result. A read for which done does not hold starts the count again. ctx decides how long
// to wait: when it ends first, WaitUntil returns ctx's error (errors.Is finds context.DeadlineExceeded
// or context.Canceled), with the last read's error if it had one.
//
// done sees each read's result and error, so it can wait for an object to appear (err == nil), for a
// property to take a value, or for an object to be gone (a *Error with StatusCode 404). An error that
// done does not accept and that NotReplicated does not recognise ends the wait at once and is
// returned: a 403 will not go away by waiting. A nil opts means the defaults.
//
// The reads are ordinary calls. With a consistency policy on the client, a read that meets lag waits
// inside the call first; give read a context made with
// WithConsistencyPolicy(ctx, ConsistencyPolicy{Window: -1}) to have each read report what one replica
// says and let WaitUntil do the waiting.
func WaitUntil[T any](ctx context.Context, read func(context.Context) (T, error), done func(T, error) bool, opts *WaitOptions) (T, error) {
	var o WaitOptions
	if opts != nil {
		o = *opts
	}
	if o.Consecutive <= 0 {
		o.Consecutive = 5
	}
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleepContext
	}
	var zero T
	if ctx == nil {
		return zero, errNilContext
	}
	if read == nil || done == nil {
		return zero, fmt.Errorf("graph: WaitUntil needs a read and a condition")
	}
	held := 0
	for {
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		v, err := read(ctx)
		if done(v, err) {
			held++
			if held >= o.Consecutive {
				return v, err
			}
		} else {
			held = 0
			if err != nil {
				if cerr := ctx.Err(); cerr != nil {
					return zero, fmt.Errorf("%w (last read: %w)", cerr, err)
				}
				if _, lag := NotReplicated(err); !lag {
					return v, err
				}
			}
		}
		if serr := o.Sleep(ctx, o.Interval); serr != nil {
			if err != nil {
				return zero, fmt.Errorf("%w (last read: %w)", serr, err)
			}
			return zero, serr
		}
	}
}
