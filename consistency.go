package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// ConsistencyPolicy says how a call is retried when Graph's answer means that the directory has not
// yet replicated an object the call refers to. Microsoft Entra is eventually consistent: a write
// succeeds on one replica, and the next request, which may reach another, can be told that the object
// it names does not exist. The answers retried are:
//
//   - 404 Request_ResourceNotFound, on a read, an update, a delete or a membership change;
//   - 400 "... does not exist or one of its queried reference-property objects are not present", the
//     answer to a reference (a member to add, an @odata.bind) that is not there yet;
//   - 400 NoBackingApplicationObject, a service principal for an application just created;
//   - 424 Failed Dependency, a batch item whose dependency failed.
//
// A 404 is never retried as lag for a DELETE when an earlier attempt of the same call may have
// reached Graph (it failed in transport or with a 503 or 504): the object may be gone because that
// attempt deleted it, and the 404 is then the answer.
//
// The policy is off by default: the answers above also mean "there is no such object", and a client
// that waited out a window on each of them would turn every true Not Found into a slow one. Turn it on
// for a client that writes and then uses what it wrote (Config.Consistency), or for the calls that
// follow a write (WithConsistencyPolicy).
//
// The zero value of each field means its default.
type ConsistencyPolicy struct {
	// Window is the total time a call may spend waiting for replication, summed over its waits.
	// A wait that would pass it is shortened to what is left; when nothing is left the call fails
	// with a *ConsistencyError. Default 2 minutes, well past the 15 to 30 seconds reported for a
	// new user to be found everywhere. Negative means no consistency retries.
	Window time.Duration
	// BaseDelay is the first wait. Default 1 s; it doubles with each retry, with jitter, up to
	// MaxDelay (default 15 s).
	BaseDelay time.Duration
	MaxDelay  time.Duration
}

// enabled reports whether p retries at all.
func (p ConsistencyPolicy) enabled() bool { return p.Window >= 0 }

func (p ConsistencyPolicy) withDefaults() ConsistencyPolicy {
	if p.Window == 0 {
		p.Window = 2 * time.Minute
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 15 * time.Second
	}
	return p
}

type consistencyKey struct{}

// WithConsistencyPolicy returns a context that makes the calls made with it use p instead of the
// client's consistency policy: ConsistencyPolicy{} turns retries on with the defaults,
// ConsistencyPolicy{Window: -1} turns them off.
func WithConsistencyPolicy(ctx context.Context, p ConsistencyPolicy) context.Context {
	return context.WithValue(ctx, consistencyKey{}, p)
}

// answerKey carries, for one call, the id whose "does not exist" is the answer rather than lag
// (RemoveGroupMemberIfPresent: the member not being one).
type answerKey struct{}

// ConsistencyError reports a call that kept getting an answer meaning "not replicated yet" until its
// consistency window ran out. Err is Graph's last answer, so errors.As(err, &gerr) with a *Error
// still finds its status and code.
type ConsistencyError struct {
	Window   time.Duration // the policy's window, all of it waited
	Attempts int           // attempts of the call, the first one included
	Reason   string        // why the last answer was taken for replication lag
	Err      *Error        // Graph's last answer
}

// Error reads like "graph: PATCH /v1.0/users/1f2e...: consistency window of 2m0s exhausted waiting for
// replication: graph: 404 Request_ResourceNotFound: Resource '1f2e...' does not exist ... after 9
// attempts".
func (e *ConsistencyError) Error() string {
	return "graph: " + e.Err.Method + " " + e.Err.Path + ": consistency window of " + e.Window.String() +
		" exhausted waiting for replication: " + e.Err.Error()
}

// Unwrap returns Graph's last answer.
func (e *ConsistencyError) Unwrap() error { return e.Err }

// refNotPresent is the part of Graph's message for a reference to an object it cannot find.
const refNotPresent = "does not exist or one of its queried reference-property objects are not present"

// NotReplicated reports whether err is an answer of Graph that means an object the request named has
// not reached the replica that served it (see ConsistencyPolicy for the list), and why, in a few words
// fit for a log line. It looks only at the answer: whether to retry is the caller's decision, since
// the same answers also mean the object does not exist. Batch items and bulk operations use it to
// decide their own retries.
func NotReplicated(err error) (reason string, ok bool) {
	var e *Error
	if !errors.As(err, &e) {
		return "", false
	}
	switch {
	case e.StatusCode == http.StatusNotFound && e.Code == "Request_ResourceNotFound":
		return "404 Request_ResourceNotFound: object not replicated yet", true
	case e.StatusCode == http.StatusBadRequest && strings.Contains(e.Message, refNotPresent):
		return "400 reference not present: referenced object not replicated yet", true
	case e.StatusCode == http.StatusBadRequest && (e.Code == "NoBackingApplicationObject" ||
		strings.Contains(e.Message, "NoBackingApplicationObject") ||
		strings.Contains(e.Message, "does not reference a valid application object")):
		return "400 NoBackingApplicationObject: application not replicated yet", true
	case e.StatusCode == http.StatusFailedDependency:
		return "424 Failed Dependency: a dependency not replicated yet", true
	}
	return "", false
}

// consistencyRun is the consistency state of one call: its policy and what it has waited so far.
type consistencyRun struct {
	policy  ConsistencyPolicy // defaults applied
	answer  string            // an id whose "does not exist" is an answer; "" for none
	waited  time.Duration
	retries int
}

// startConsistency returns the consistency state of a call made with ctx, or nil when the call has
// no consistency retries. client is the client's policy (nil: off).
func startConsistency(ctx context.Context, client *ConsistencyPolicy) *consistencyRun {
	var p ConsistencyPolicy
	if v, ok := ctx.Value(consistencyKey{}).(ConsistencyPolicy); ok {
		p = v
	} else if client != nil {
		p = *client
	} else {
		return nil
	}
	if !p.enabled() {
		return nil
	}
	run := &consistencyRun{policy: p.withDefaults()}
	run.answer, _ = ctx.Value(answerKey{}).(string)
	return run
}

// next decides about gerr, Graph's answer to attempt number gerr.Attempts of the request gerr.Method
// gerr.Path: a wait before another attempt (retry true), or the error to return. mayHaveApplied says
// whether an earlier attempt of the call may have been processed by Graph. Each retry is logged at
// debug with its reason. The doer calls it for every call; a batch calls it for each item, with an
// *Error built from the item's answer.
func (r *consistencyRun) next(ctx context.Context, logger *slog.Logger, gerr *Error, mayHaveApplied bool) (wait time.Duration, retry bool, err error) {
	reason, ok := NotReplicated(gerr)
	if !ok {
		return 0, false, gerr
	}
	if gerr.StatusCode == http.StatusNotFound && gerr.Method == http.MethodDelete && mayHaveApplied {
		return 0, false, gerr // an earlier attempt may have deleted it: the 404 is the answer
	}
	if r.answer != "" && strings.Contains(strings.ToLower(gerr.Message), "'"+strings.ToLower(r.answer)+"'") {
		return 0, false, gerr
	}
	left := r.policy.Window - r.waited
	if left <= 0 {
		return 0, false, &ConsistencyError{Window: r.policy.Window, Attempts: gerr.Attempts, Reason: reason, Err: gerr}
	}
	r.retries++
	wait = min(backoff(RetryPolicy{BaseDelay: r.policy.BaseDelay, MaxDelay: r.policy.MaxDelay}, r.retries), left)
	r.waited += wait
	if logger != nil && logger.Enabled(ctx, slog.LevelDebug) {
		logger.LogAttrs(ctx, slog.LevelDebug, "graph: not replicated yet, retrying",
			slog.String("method", gerr.Method), slog.String("path", gerr.Path),
			slog.String("reason", reason), slog.Int("status", gerr.StatusCode), slog.String("code", gerr.Code),
			slog.Int("attempt", gerr.Attempts), slog.Duration("wait", wait),
			slog.Duration("window_left", left-wait), slog.String("request_id", gerr.RequestID))
	}
	return wait, true, nil
}

// consistencyCandidate reports whether status can be an answer NotReplicated accepts, so the doer
// reads the body of no other error before it has to.
func consistencyCandidate(status int) bool {
	return status == http.StatusNotFound || status == http.StatusBadRequest || status == http.StatusFailedDependency
}

// stoppedWaiting is the error of a call whose context ended while it waited for replication.
func stoppedWaiting(last *Error, err error) error {
	return fmt.Errorf("%w; stopped waiting for replication: %w", last, err)
}
