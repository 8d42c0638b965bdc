package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fakeSource is a TokenSource whose answers the test scripts; n counts calls.
type fakeSource struct {
	n  atomic.Int32
	fn func(ctx context.Context, n int) (*Token, error)
}

func (s *fakeSource) Token(ctx context.Context) (*Token, error) {
	return s.fn(ctx, int(s.n.Add(1)))
}

func (s *fakeSource) calls() int { return int(s.n.Load()) }

// waitIdle waits until the cache has no fetch in flight. Like every wait in these tests it has no
// deadline of its own, which a slow machine could trip: a hang ends at go test's -timeout, with
// every goroutine's stack.
func waitIdle(t *testing.T, c *Cache) {
	t.Helper()
	for {
		c.mu.Lock()
		f := c.flight
		c.mu.Unlock()
		if f == nil {
			return
		}
		<-f.done
	}
}

// waitFor polls cond until it holds; what names it for a reader of a hung test's stacks.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}

// TestCache1000CallersOneRequest: 1,000 concurrent callers on an empty cache
// make exactly one token request and all get the same token.
func TestCache1000CallersOneRequest(t *testing.T) {
	const callers = 1000
	var started atomic.Int32
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		// Hold the answer until every caller has at least been launched, so
		// that a cache without single flight would send many requests.
		waitForCount(&started, callers)
		time.Sleep(5 * time.Millisecond)
		okToken(w, fmt.Sprintf("token-%d", n), 3599)
	})
	c := NewCache(newTestFetcher(t, ts, nil, nil), nil)
	toks := make([]*Token, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Add(1)
			toks[i], errs[i] = c.Token(context.Background())
		}()
	}
	wg.Wait()
	if got := ts.requests(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
	for i := range callers {
		if errs[i] != nil || toks[i] != toks[0] || toks[i].AccessToken != "token-1" {
			t.Fatalf("caller %d got %v, %v", i, toks[i], errs[i])
		}
	}
}

func waitForCount(n *atomic.Int32, want int32) {
	for n.Load() < want {
		time.Sleep(time.Millisecond)
	}
}

// TestCacheFailingEndpoint1000Callers: a 401 invalid_client reaches 1,000
// concurrent callers as 1,000 typed errors from 1 request; a call inside the
// memo window makes no request; after it, one.
func TestCacheFailingEndpoint1000Callers(t *testing.T) {
	const callers = 1000
	clk := newFakeClock()
	var started atomic.Int32
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		waitForCount(&started, callers)
		time.Sleep(5 * time.Millisecond)
		aadError(w, http.StatusUnauthorized, "invalid_client", 7000215)
	})
	c := NewCache(newTestFetcher(t, ts, clk, nil), &CacheOptions{Clock: clk})
	var wg sync.WaitGroup
	var typed atomic.Int32
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Add(1)
			_, err := c.Token(context.Background())
			var ae *Error
			if errors.As(err, &ae) && ae.Code == "invalid_client" && ae.StatusCode == 401 {
				typed.Add(1)
			}
		}()
	}
	wg.Wait()
	if got := ts.requests(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
	if got := typed.Load(); got != callers {
		t.Errorf("typed invalid_client errors = %d, want %d", got, callers)
	}
	// Inside the memo window: the remembered error, no request.
	clk.Advance(30 * time.Second)
	if _, err := c.Token(context.Background()); err == nil {
		t.Fatal("no error inside the memo window")
	}
	if got := ts.requests(); got != 1 {
		t.Errorf("token requests inside memo window = %d, want 1", got)
	}
	// A configuration error is remembered for the maximum backoff (1 min).
	clk.Advance(31 * time.Second)
	_, _ = c.Token(context.Background())
	if got := ts.requests(); got != 2 {
		t.Errorf("token requests after memo window = %d, want 2", got)
	}
}

// TestCacheFailureBackoffGrows: transient failures are remembered for 1 s,
// 2 s, 4 s... capped, and a success resets the growth.
func TestCacheFailureBackoffGrows(t *testing.T) {
	clk := newFakeClock()
	fail := true
	src := &fakeSource{fn: func(_ context.Context, n int) (*Token, error) {
		if fail {
			return nil, &Error{StatusCode: 503}
		}
		return &Token{AccessToken: "ok", ExpiresOn: clk.Now().Add(time.Hour)}, nil
	}}
	c := NewCache(src, &CacheOptions{Clock: clk, FailureBackoff: time.Second, MaxFailureBackoff: 4 * time.Second})
	call := func() error { _, err := c.Token(context.Background()); return err }
	for i, window := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		before := src.calls()
		if err := call(); err == nil {
			t.Fatal("want error")
		}
		if src.calls() != before+1 {
			t.Fatalf("failure %d: no fetch made", i)
		}
		clk.Advance(window - time.Millisecond)
		_ = call()
		if src.calls() != before+1 {
			t.Fatalf("failure %d: fetched again inside the %v window", i, window)
		}
		clk.Advance(time.Millisecond)
	}
	fail = false
	if err := call(); err != nil {
		t.Fatal(err)
	}
}

// TestCacheWaiterDeadline: a waiter with a 10 ms deadline behind a slow
// token request returns its context error at once; another waiter gets the
// token; one request in all. The impatient caller is the one that started
// the fetch, which must not be cancelled with it.
func TestCacheWaiterDeadline(t *testing.T) {
	release := make(chan struct{})
	var finished atomic.Bool
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		// A slow token request: it ends when the test releases it, not before.
		<-release
		finished.Store(true)
		okToken(w, "slow", 3599)
	})
	var releaseOnce sync.Once
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) }) // runs before ts closes, even after a failure
	c := NewCache(newTestFetcher(t, ts, nil, nil), nil)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Token(ctx)
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	// It returned while the token request was still running: it did not wait
	// for the request. (Timing is logged, not asserted: machines are shared.)
	if finished.Load() {
		t.Fatal("impatient waiter returned only after the token request ended")
	}
	t.Logf("impatient waiter returned after %v", elapsed)

	patient := make(chan *Token, 1)
	go func() {
		tok, err := c.Token(context.Background())
		if err != nil {
			t.Error(err)
		}
		patient <- tok
	}()
	time.Sleep(200 * time.Millisecond) // the token request takes 200 ms
	releaseOnce.Do(func() { close(release) })
	if tok := <-patient; tok == nil || tok.AccessToken != "slow" {
		t.Fatalf("patient waiter got %v", tok)
	}
	if got := ts.requests(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

// TestCacheCancelledStarterDoesNotPoisonLaterCalls guards against x/oauth2's
// captured context: a caller whose context is already cancelled still starts
// a fetch that completes for everyone after it.
func TestCacheCancelledStarterDoesNotPoisonLaterCalls(t *testing.T) {
	src := &fakeSource{fn: func(ctx context.Context, n int) (*Token, error) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return &Token{AccessToken: "t", ExpiresOn: time.Now().Add(time.Hour)}, nil
	}}
	c := NewCache(src, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Token(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	waitIdle(t, c)
	tok, err := c.Token(context.Background())
	if err != nil || tok.AccessToken != "t" || src.calls() != 1 {
		t.Fatalf("got %v, %v after %d calls", tok, err, src.calls())
	}
}

// TestCacheRefreshWindow: inside the refresh window callers get the current
// token without waiting while exactly one background request runs.
func TestCacheRefreshWindow(t *testing.T) {
	clk := newFakeClock()
	release := make(chan struct{})
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n > 1 {
			<-release
		}
		okToken(w, fmt.Sprintf("tok-%d", n), 3600)
	})
	c := NewCache(newTestFetcher(t, ts, clk, nil), &CacheOptions{Clock: clk})
	first, err := c.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(56 * time.Minute) // 4 minutes left: inside the 5-minute window
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The background request is blocked, so any caller that waited
			// for it would hang here; each must return the current token.
			tok, err := c.Token(context.Background())
			if err != nil || tok != first {
				wrong.Add(1)
			}
		}()
	}
	wg.Wait()
	if wrong.Load() != 0 {
		t.Errorf("%d callers did not get the current token at once", wrong.Load())
	}
	waitFor(t, "the background request", func() bool { return ts.requests() == 2 })
	close(release)
	waitIdle(t, c)
	tok, err := c.Token(context.Background())
	if err != nil || tok.AccessToken != "tok-2" {
		t.Fatalf("after refresh got %v, %v", tok, err)
	}
	if got := ts.requests(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

// TestCacheBackgroundFailure: a failing background refresh causes no caller
// errors until the hard margin, and is retried no more often than every 30 s.
func TestCacheBackgroundFailure(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			okToken(w, "tok-1", 3600)
			return
		}
		aadError(w, http.StatusInternalServerError, "server_error", 50000)
	})
	c := NewCache(newTestFetcher(t, ts, clk, func(c *Config) { c.MaxRetries = -1 }), &CacheOptions{Clock: clk})
	call := func() (*Token, error) {
		tok, err := c.Token(context.Background())
		waitIdle(t, c)
		return tok, err
	}
	if _, err := call(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(55 * time.Minute) // refresh window opens
	errs := 0
	for now := 55 * time.Minute; now < 59*time.Minute+29*time.Second; now += time.Second {
		if tok, err := call(); err != nil || tok.AccessToken != "tok-1" {
			errs++
		}
		clk.Advance(time.Second)
	}
	if errs != 0 {
		t.Errorf("%d caller errors before the hard margin, want 0", errs)
	}
	// 269 s of failing refreshes, one every 30 s at most: 9 attempts + the first fetch.
	if got := ts.requests(); got < 2 || got > 10 {
		t.Errorf("token requests = %d, want 2..10", got)
	}
	clk.Advance(2 * time.Second) // past expiry - 30 s: the token is no longer handed out
	if tok, err := call(); err == nil {
		t.Fatalf("got %v past the hard margin, want the fetch error", tok)
	}
}

// TestCacheShortLivedTokens: 2 s tokens are used for most of their life,
// never refetched per call, never handed out with less than a quarter of
// their life left.
func TestCacheShortLivedTokens(t *testing.T) {
	clk := newFakeClock()
	src := &fakeSource{fn: func(_ context.Context, n int) (*Token, error) {
		return &Token{AccessToken: fmt.Sprint("t", n), ExpiresOn: clk.Now().Add(2 * time.Second)}, nil
	}}
	c := NewCache(src, &CacheOptions{Clock: clk})
	for step := 0; step < 1000; step++ { // 10 s in 10 ms steps
		tok, err := c.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if left := tok.ExpiresOn.Sub(clk.Now()); left < 500*time.Millisecond {
			t.Fatalf("step %d: token with %v left handed out", step, left)
		}
		waitIdle(t, c)
		clk.Advance(10 * time.Millisecond)
	}
	// A refresh at half life: about one fetch per second.
	if got := src.calls(); got < 9 || got > 12 {
		t.Errorf("fetches in 10 s = %d, want about 10", got)
	}
}

// TestCacheClockSkew: with the local clock 10 minutes off either way, the
// token handed out is never expired by the issuer's clock, and is not
// refetched on every call.
func TestCacheClockSkew(t *testing.T) {
	for _, skew := range []time.Duration{-10 * time.Minute, 10 * time.Minute} {
		for _, tc := range []struct {
			name     string
			lifetime time.Duration
			bareExp  bool // a JWT with exp but no iat or nbf
		}{
			{"1h", time.Hour, false},
			{"1h bare exp", time.Hour, true},
			{"5m bare exp", 5 * time.Minute, true},
			{"2s", 2 * time.Second, false},
		} {
			t.Run(fmt.Sprintf("%v/%s", skew, tc.name), func(t *testing.T) {
				clk := newFakeClock()
				issuerNow := func() time.Time { return clk.Now().Add(-skew) }
				ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
					claims := jwt.MapClaims{"exp": issuerNow().Add(tc.lifetime).Unix(), "n": n}
					if !tc.bareExp {
						claims["iat"] = issuerNow().Unix()
						claims["nbf"] = issuerNow().Unix()
					}
					okToken(w, makeJWT(t, claims), int(tc.lifetime/time.Second))
				})
				c := NewCache(newTestFetcher(t, ts, clk, nil), &CacheOptions{Clock: clk})
				step := tc.lifetime / 50
				for i := 0; i < 200; i++ { // four lifetimes
					tok, err := c.Token(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					claims := jwt.MapClaims{}
					_, _, _ = jwt.NewParser().ParseUnverified(tok.AccessToken, claims)
					exp, _ := claims.GetExpirationTime()
					if !exp.After(issuerNow()) {
						t.Fatalf("step %d: handed out a token the issuer considers expired", i)
					}
					waitIdle(t, c)
					clk.Advance(step)
				}
				if got := ts.requests(); got > 12 {
					t.Errorf("token requests over four lifetimes = %d", got)
				}
			})
		}
	}
}

// TestCacheInvalidate: concurrent compare-and-drop of the same token drops
// it once and causes one refetch; dropping a replaced token does nothing.
func TestCacheInvalidate(t *testing.T) {
	src := &fakeSource{fn: func(_ context.Context, n int) (*Token, error) {
		return &Token{AccessToken: fmt.Sprint("t", n), ExpiresOn: time.Now().Add(time.Hour)}, nil
	}}
	c := NewCache(src, nil)
	old, _ := c.Token(context.Background())
	var dropped atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c.Invalidate(old) {
				dropped.Add(1)
			}
			if tok, err := c.Token(context.Background()); err != nil || tok == old {
				t.Errorf("after invalidate got %v, %v", tok, err)
			}
		}()
	}
	wg.Wait()
	if dropped.Load() != 1 {
		t.Errorf("Invalidate returned true %d times, want 1", dropped.Load())
	}
	if src.calls() != 2 {
		t.Errorf("fetches = %d, want 2", src.calls())
	}
	if c.Invalidate(old) || c.Invalidate(nil) {
		t.Error("Invalidate of a replaced token returned true")
	}
}

func TestCacheBadSources(t *testing.T) {
	tests := []struct {
		name string
		fn   func(context.Context, int) (*Token, error)
	}{
		{"panic", func(context.Context, int) (*Token, error) { panic("boom") }},
		{"nil token", func(context.Context, int) (*Token, error) { return nil, nil }},
		{"expired token", func(context.Context, int) (*Token, error) {
			return &Token{AccessToken: "x", ExpiresOn: time.Now().Add(-time.Second)}, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCache(&fakeSource{fn: tt.fn}, nil)
			if tok, err := c.Token(context.Background()); err == nil {
				t.Fatalf("got %v, want error", tok)
			}
		})
	}
}

func TestCacheStaticSourceNeverRefreshes(t *testing.T) {
	clk := newFakeClock()
	c := NewCache(StaticTokenSource("static"), &CacheOptions{Clock: clk})
	a, err := c.Token(context.Background())
	clk.Advance(1000 * time.Hour)
	b, err2 := c.Token(context.Background())
	if err != nil || err2 != nil || a != b || a.AccessToken != "static" {
		t.Fatalf("got %v %v, %v %v", a, err, b, err2)
	}
}

// TestCacheFetchTimeout: the shared fetch has its own timeout even when no
// caller's context has one.
func TestCacheFetchTimeout(t *testing.T) {
	src := &fakeSource{fn: func(ctx context.Context, _ int) (*Token, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	c := NewCache(src, &CacheOptions{FetchTimeout: 20 * time.Millisecond})
	_, err := c.Token(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

func TestCacheTokenWithClaims(t *testing.T) {
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		okToken(w, "claims="+r.PostForm.Get("claims"), 3599)
	})
	c := NewCache(newTestFetcher(t, ts, nil, nil), nil)
	if _, err := c.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	tok, err := c.TokenWithClaims(context.Background(), `{"x":1}`)
	if err != nil || tok.AccessToken != `claims={"x":1}` {
		t.Fatalf("got %v, %v", tok, err)
	}
	if cur, _ := c.Token(context.Background()); cur != tok {
		t.Error("claims token not cached")
	}
	if _, err := NewCache(StaticTokenSource("s"), nil).TokenWithClaims(context.Background(), "{}"); err == nil {
		t.Error("static source accepted claims")
	}
}

// TestFullStackNoStampede: 100 goroutines editing requests non-stop while
// 2 s tokens expire again and again on the fake clock: no errors, no expired
// token attached, about one token request per second of token life.
func TestFullStackNoStampede(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		okToken(w, fmt.Sprint("tok-", n), 2)
	})
	cache := NewCache(newTestFetcher(t, ts, clk, nil), &CacheOptions{Clock: clk})
	ed, err := NewEditor(cache, "https://graph.microsoft.com")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var edits, failures atomic.Int64
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/users", nil)
				// The clock is read before the edit: the test's loop advances it while this
				// goroutine runs, so a goroutine descheduled after Edit on a busy machine would
				// otherwise see a token that was fresh when attached as expired.
				began := clk.Now()
				err := ed.Edit(context.Background(), req)
				if err != nil || req.Header.Get("Authorization") == "" {
					failures.Add(1)
				}
				// TokenOf finds the token unless a newer one replaced it
				// meanwhile; a found token must not have expired when the edit began.
				if tok, ok := ed.TokenOf(req); ok && !tok.ExpiresOn.After(began) {
					failures.Add(1)
				}
				edits.Add(1)
			}
		}()
	}
	const simulated = 6 * time.Second
	for elapsed := time.Duration(0); elapsed < simulated; elapsed += 50 * time.Millisecond {
		time.Sleep(time.Millisecond)
		waitIdle(t, cache)
		clk.Advance(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if failures.Load() != 0 {
		t.Errorf("%d of %d edits failed or attached an expired token", failures.Load(), edits.Load())
	}
	// A refresh at half life: one request per second of simulated time, plus the first.
	if got := ts.requests(); got > int(simulated/time.Second)+2 {
		t.Errorf("token requests = %d over %v of 2 s tokens: a stampede", got, simulated)
	}
	t.Logf("%d edits, %d token requests", edits.Load(), ts.requests())
}
