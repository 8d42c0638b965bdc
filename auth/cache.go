package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// CacheOptions tunes a Cache. The zero value (or nil) gives the defaults.
type CacheOptions struct {
	// Clock is the time source; nil means the system clock. Use the same
	// clock as the source's Config.
	Clock Clock
	// Margin is the least remaining life a handed-out token has: a token
	// closer to expiry is never returned, callers wait for a new one instead.
	// Default 30 s. For short-lived tokens it shrinks to a quarter of the
	// lifetime, so a token stays usable for most of its life.
	Margin time.Duration
	// BackgroundRetry is the least time between proactive refresh attempts
	// after one failed. Default 30 s.
	BackgroundRetry time.Duration
	// FailureBackoff is how long a failed fetch is remembered: calls within
	// it get the same error without a request. It doubles with each
	// consecutive failure up to MaxFailureBackoff. Default 1 s.
	FailureBackoff time.Duration
	// MaxFailureBackoff caps FailureBackoff's growth, and is the memo time for
	// configuration errors (invalid_client and the like), which no retry can
	// fix. Default 1 minute.
	MaxFailureBackoff time.Duration
	// FetchTimeout bounds one shared fetch, independent of any caller's
	// context. Default 60 s.
	FetchTimeout time.Duration
	// Logger, when set, receives a warning for each failed fetch.
	Logger *slog.Logger
}

// Cache hands out tokens from a TokenSource, fetching only when needed. It is
// safe for concurrent use and keeps no context: each call's context governs
// only that caller's wait.
//
//   - A fresh token is returned with one atomic load and no allocation.
//   - From the token's RefreshOn (or 5 minutes before expiry, half the
//     lifetime for short tokens) one background fetch runs while callers keep
//     the current token. If it fails, callers are not told while the token is
//     usable, and the next attempt waits BackgroundRetry.
//   - A token within Margin of expiry is never returned. Callers wait for a
//     fetch, and all concurrent waiters share one fetch (single flight).
//   - A failed fetch is remembered for a short, growing, capped time
//     (FailureBackoff), so a failing endpoint sees one request per window,
//     not one per caller.
//   - The shared fetch runs detached from the callers' cancellation with its
//     own FetchTimeout; a caller whose context ends returns ctx.Err() at once.
type Cache struct {
	src   TokenSource
	clock Clock
	opts  CacheOptions // defaults filled in; read-only
	// Times are kept as offsets from base, so that with the system clock the
	// fresh path reads only the monotonic clock (about half the cost of
	// time.Now) and is immune to wall-clock jumps. sys reports that clock is
	// the system clock. Both are read-only.
	base time.Time
	sys  bool

	// cur is the cached token, nil when empty or dropped by Invalidate. It is
	// read without locking on every call and replaced whole, never modified.
	cur atomic.Pointer[entry]
	// bgHold is the time (an offset from base, in nanoseconds) before which
	// no background refresh may start: MaxInt64 while a fetch runs, the end of
	// the BackgroundRetry wait after a failed one, 0 otherwise. It lets
	// callers inside the refresh window skip the mutex.
	bgHold atomic.Int64

	// mu guards flight, fail, failures and challenges, and orders the stores to cur made when a
	// fetch ends; it is never held across a fetch.
	mu       sync.Mutex
	flight   *flight // the fetch in progress, nil when none
	fail     failure // the last failed fetch and its memo window
	failures int     // consecutive failed fetches, for the growing backoff
	// challenges holds the claims fetches (TokenForChallenge) by their claims: in progress, or
	// failed and remembered until their memo window ends. One claims challenge, however many callers
	// hold it, makes one token request.
	challenges map[string]*flight
}

// entry is a cached token with the times derived from it on the cache's clock.
type entry struct {
	tok        *Token
	refreshAt  time.Duration // from here (offset from base) a background refresh is due
	hardExpiry time.Duration // from here the token is never handed out
	claims     string        // the claims it was fetched with, "" for a plain fetch
}

// flight is one shared fetch. tok and err are written before done is closed
// and read only after; until (a claims fetch's memo window for its error) is
// written before done is closed, under mu.
type flight struct {
	done  chan struct{}
	tok   *Token
	err   error
	until time.Duration
}

type failure struct {
	err   error
	until time.Duration // offset from base
}

// never stands in for the refresh and expiry of tokens without a known expiry.
const never = time.Duration(math.MaxInt64)

// NewCache returns a Cache over src. opts may be nil.
func NewCache(src TokenSource, opts *CacheOptions) *Cache {
	var o CacheOptions
	if opts != nil {
		o = *opts
	}
	o.Clock = clockOrSystem(o.Clock)
	setDefault(&o.Margin, 30*time.Second)
	setDefault(&o.BackgroundRetry, 30*time.Second)
	setDefault(&o.FailureBackoff, time.Second)
	setDefault(&o.MaxFailureBackoff, time.Minute)
	setDefault(&o.FetchTimeout, 60*time.Second)
	o.MaxFailureBackoff = max(o.MaxFailureBackoff, o.FailureBackoff)
	_, sys := o.Clock.(systemClock)
	return &Cache{src: src, clock: o.Clock, opts: o, base: o.Clock.Now(), sys: sys}
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Token returns a token with at least the margin of life left, fetching one
// if needed. It returns ctx.Err() as soon as ctx ends, and the remembered
// error of a recent failed fetch without making a request.
func (c *Cache) Token(ctx context.Context) (*Token, error) {
	if e := c.cur.Load(); e != nil {
		now := c.now()
		if now < e.refreshAt {
			return e.tok, nil
		}
		if now < e.hardExpiry && int64(now) < c.bgHold.Load() {
			return e.tok, nil // refresh running or recently failed: keep using this one
		}
	}
	return c.slow(ctx)
}

// now returns the current time as an offset from base.
func (c *Cache) now() time.Duration {
	if c.sys {
		return time.Since(c.base)
	}
	return c.clock.Now().Sub(c.base)
}

func (c *Cache) slow(ctx context.Context) (*Token, error) {
	c.mu.Lock()
	now := c.now()
	if e := c.cur.Load(); e != nil && now < e.hardExpiry {
		if now >= e.refreshAt && c.flight == nil && int64(now) >= c.bgHold.Load() {
			c.startLocked(ctx, now)
		}
		c.mu.Unlock()
		return e.tok, nil
	}
	f := c.flight
	if f == nil {
		if c.fail.err != nil && now < c.fail.until {
			err := c.fail.err
			c.mu.Unlock()
			return nil, err
		}
		f = c.startLocked(ctx, now)
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// startLocked starts the shared fetch. The fetch keeps ctx's values (for
// tracing) but not its cancellation, and has its own timeout.
func (c *Cache) startLocked(ctx context.Context, now time.Duration) *flight {
	f := &flight{done: make(chan struct{})}
	c.flight = f
	c.bgHold.Store(math.MaxInt64)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.FetchTimeout)
	go func() {
		defer cancel()
		c.finish(f, c.base.Add(now), c.fetch(fctx))
	}()
	return f
}

type fetchResult struct {
	tok *Token
	err error
}

func (c *Cache) fetch(ctx context.Context) fetchResult {
	return c.fetchWith(ctx, c.src.Token)
}

// fetchWith runs one fetch with get, turning a panic into an error.
func (c *Cache) fetchWith(ctx context.Context, get func(context.Context) (*Token, error)) (r fetchResult) {
	defer func() {
		if p := recover(); p != nil {
			r = fetchResult{err: fmt.Errorf("auth: token source panicked: %v", p)}
		}
	}()
	tok, err := get(ctx)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("auth: token fetch did not finish within %v: %w", c.opts.FetchTimeout, err)
	}
	return fetchResult{tok, err}
}

func (c *Cache) finish(f *flight, start time.Time, r fetchResult) {
	var e *entry
	if r.err == nil {
		e, r.err = c.newEntry(r.tok, start)
	}
	c.mu.Lock()
	now := c.now()
	if r.err == nil {
		c.cur.Store(e)
		c.fail, c.failures = failure{}, 0
		c.bgHold.Store(0)
		f.tok = r.tok
	} else {
		c.failures++
		c.fail = failure{err: r.err, until: now + c.memoFor(r.err)}
		c.bgHold.Store(int64(now + c.opts.BackgroundRetry))
		f.err = r.err
	}
	failures := c.failures
	c.flight = nil
	c.mu.Unlock()
	close(f.done)
	if r.err != nil && c.opts.Logger != nil {
		c.opts.Logger.LogAttrs(context.Background(), slog.LevelWarn, "auth: token fetch failed",
			slog.Int("consecutive_failures", failures), slog.String("error", r.err.Error()))
	}
}

// memoFor is how long a failed fetch is remembered. Called with mu held.
func (c *Cache) memoFor(err error) time.Duration {
	d := c.opts.FailureBackoff << min(c.failures-1, 20)
	var ae *Error
	if errors.As(err, &ae) {
		if ae.IsConfiguration() {
			d = c.opts.MaxFailureBackoff
		}
		d = max(d, ae.RetryAfter)
	}
	return min(d, c.opts.MaxFailureBackoff)
}

// newEntry derives the refresh and hard-expiry times. Margin and refresh
// window scale with the lifetime as seen from start, the local time the fetch
// began, so a 2 s token is usable for 1.5 s and refreshed after 1 s.
func (c *Cache) newEntry(tok *Token, start time.Time) (*entry, error) {
	if tok == nil || tok.AccessToken == "" {
		return nil, errors.New("auth: token source returned no token")
	}
	if tok.ExpiresOn.IsZero() {
		return &entry{tok: tok, refreshAt: never, hardExpiry: never}, nil
	}
	life := tok.ExpiresOn.Sub(start)
	if life <= 0 {
		return nil, errors.New("auth: token source returned an expired token")
	}
	if life < MinTokenLifetime {
		return nil, fmt.Errorf("auth: token source returned a token that expires %v after the fetch began, less than the least usable lifetime, %v", life, MinTokenLifetime)
	}
	hard := tok.ExpiresOn.Add(-min(c.opts.Margin, life/4))
	refresh := tok.RefreshOn
	if refresh.IsZero() {
		refresh = tok.ExpiresOn.Add(-defaultRefreshWindow(life))
	}
	if refresh.After(hard) {
		refresh = hard
	}
	return &entry{tok: tok, refreshAt: refresh.Sub(c.base), hardExpiry: hard.Sub(c.base)}, nil
}

// Invalidate drops t if it is still the cached token and reports whether it
// did. A transport calls it with the token a request carried when the server
// rejects it (401): of many concurrent calls for the same token, one drops it
// and the next Token call fetches once; calls for an already replaced token
// do nothing.
func (c *Cache) Invalidate(t *Token) bool {
	e := c.cur.Load()
	if t == nil || e == nil || e.tok != t {
		return false
	}
	return c.cur.CompareAndSwap(e, nil)
}

// TokenWithClaims fetches a token carrying claims (a Continuous Access
// Evaluation challenge's decoded claims request) from the source, which must
// implement ClaimsTokenSource, and caches it in place of the current token.
// A call makes a request unless one for the same claims is already in flight,
// which it then shares; to answer a challenge to a request, use
// TokenForChallenge, which also spares the request when the challenge was
// answered meanwhile. An empty claims is the same as Token.
func (c *Cache) TokenWithClaims(ctx context.Context, claims string) (*Token, error) {
	var cur *Token
	if e := c.cur.Load(); e != nil {
		cur = e.tok
	}
	return c.TokenForChallenge(ctx, cur, claims)
}

// TokenForChallenge answers a claims challenge (Continuous Access Evaluation)
// that Graph sent in reply to a request carrying rejected (nil when unknown):
// it returns a token fetched with claims, the challenge's decoded claims
// request, and caches it in place of the current token. The source must
// implement ClaimsTokenSource.
//
// One challenge makes one token request however many callers hold it:
// concurrent calls with the same claims share one fetch (it runs detached
// from their contexts, like Token's), and a call whose rejected token has
// already been replaced by a token fetched with the same claims gets that
// token without a request. A failed fetch is remembered for FailureBackoff
// (callers in that window get its error), so a failing endpoint is not asked
// once per caller. An empty claims is the same as Token.
func (c *Cache) TokenForChallenge(ctx context.Context, rejected *Token, claims string) (*Token, error) {
	if claims == "" {
		return c.Token(ctx)
	}
	cs, ok := c.src.(ClaimsTokenSource)
	if !ok {
		return nil, fmt.Errorf("auth: token source %T cannot request claims", c.src)
	}
	c.mu.Lock()
	now := c.now()
	if e := c.cur.Load(); e != nil && e.claims == claims && e.tok != rejected && now < e.hardExpiry {
		c.mu.Unlock()
		return e.tok, nil // this challenge was answered after the rejected request went out
	}
	f := c.challenges[claims]
	select {
	case <-chanOrNil(f):
		if f.err == nil || now >= f.until {
			f = nil // answered (and since rejected), or failed long enough ago: ask again
		}
	default:
	}
	if f == nil {
		f = c.startChallengeLocked(ctx, cs, claims, now)
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// chanOrNil returns f.done, or nil (a channel never ready) for a nil f.
func chanOrNil(f *flight) chan struct{} {
	if f == nil {
		return nil
	}
	return f.done
}

// startChallengeLocked starts the shared claims fetch. Called with mu held.
func (c *Cache) startChallengeLocked(ctx context.Context, cs ClaimsTokenSource, claims string, now time.Duration) *flight {
	if c.challenges == nil {
		c.challenges = map[string]*flight{}
	}
	for k, old := range c.challenges { // forget finished fetches whose memo window has passed
		select {
		case <-old.done:
			if now >= old.until {
				delete(c.challenges, k)
			}
		default:
		}
	}
	f := &flight{done: make(chan struct{})}
	c.challenges[claims] = f
	start := c.base.Add(now)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.FetchTimeout)
	go func() {
		defer cancel()
		r := c.fetchWith(fctx, func(ctx context.Context) (*Token, error) { return cs.TokenWithClaims(ctx, claims) })
		tok, err := r.tok, r.err
		var e *entry
		if err == nil {
			e, err = c.newEntry(tok, start)
		}
		c.mu.Lock()
		if err == nil {
			e.claims = claims
			c.cur.Store(e)
			f.tok = tok
			delete(c.challenges, claims)
		} else {
			f.err = err
			f.until = c.now() + min(c.opts.FailureBackoff, c.opts.MaxFailureBackoff)
		}
		c.mu.Unlock()
		close(f.done)
	}()
	return f
}
