package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/typedgraph/graph/internal/redact"
	"github.com/typedgraph/graph/internal/uuid"
)

// maxBody caps a successful response body. A page of 999 users with every property selected is a few
// megabytes; anything past this limit is an error rather than memory the process cannot spare.
const maxBody = 64 << 20

// RetryPolicy says how a call is retried when Graph throttles it (429) or is unavailable (503, 504),
// and when a request fails in transport. A 429 is retried for any method, since Graph did not process
// the request; the other cases only for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, and a
// $batch whose requests all have one of them). Graph's Retry-After is honoured; without one the wait
// grows exponentially with jitter.
//
// The zero value of each field means its default. Set it per client in Config.Retry, or per call with
// WithRetryPolicy.
type RetryPolicy struct {
	// MaxRetries is how many times a call is retried after its first attempt. Default 3; negative
	// means no retries.
	MaxRetries int
	// MaxWait is the total time a call may spend waiting between attempts. A wait that would exceed
	// it is not started: the last answer is returned instead. Default 5 minutes.
	MaxWait time.Duration
	// BaseDelay is the first backoff delay when Graph sends no Retry-After. Default 1 s; it doubles
	// with each retry, with full jitter, up to MaxDelay (default 30 s).
	BaseDelay time.Duration
	MaxDelay  time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	switch {
	case p.MaxRetries == 0:
		p.MaxRetries = 3
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 5 * time.Minute
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	return p
}

type retryKey struct{}

// WithRetryPolicy returns a context that makes the calls made with it use p instead of the client's
// policy.
func WithRetryPolicy(ctx context.Context, p RetryPolicy) context.Context {
	return context.WithValue(ctx, retryKey{}, p)
}

// doer sends the requests of the generated client and of the helpers. One concern per step:
//   - a client-request-id per logical call, kept across its attempts;
//   - retries of 429, 503, 504 and transport errors, waiting as Graph asks, never past the caller's
//     context or the wait budget;
//   - one token refresh and replay on a 401 InvalidAuthenticationToken or a claims challenge;
//   - every answer outside 2xx becomes an *Error, so no caller inspects JSONDefault;
//   - the body of the others is capped.
//
// A doer is immutable after NewClient and safe for concurrent use.
type doer struct {
	client *http.Client // has redirect protection installed (see protectRedirects)
	retry  RetryPolicy  // the client's policy, defaults applied
	logger *slog.Logger // nil: no logging

	// authorize sets the current token on req (the auth editor). The generated client runs it before
	// Do; Do runs it again before an attempt that follows a wait (a retry, a wait for a slot), so no
	// token ages in a queue and a replay never carries a token that expired while it waited.
	authorize func(ctx context.Context, req *http.Request) error

	// reauth drops the token req carried, gets a new one (with claims, when not empty) and sets it on
	// req. Nil when the client has no way to refresh (a static TokenSource).
	reauth func(ctx context.Context, req *http.Request, claims string) error

	// slots bounds the requests in flight (Config.MaxConcurrentRequests); nil means no bound. A slot is
	// held from just before the token is attached until the response body is closed.
	slots chan struct{}

	// sleep waits d or until ctx ends; a test seam.
	sleep func(ctx context.Context, d time.Duration) error

	// consistency is the client's ConsistencyPolicy (consistency.go); nil means off.
	consistency *ConsistencyPolicy
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	policy := d.policy(ctx)
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	// The key is canonical, so the map is indexed directly: Header.Get and Set would check that again.
	if v := req.Header[clientRequestIDKey]; len(v) == 0 || v[0] == "" {
		req.Header[clientRequestIDKey] = []string{uuid.NewID()}
	}
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	logging := d.logger != nil && d.logger.Enabled(ctx, slog.LevelDebug)

	var waited time.Duration
	reauthed := false
	sent := false // whether req went out before: every later send, retry or 401 replay, rewinds first
	// lag is the call's consistency state (nil: no consistency retries). Its retries do not count
	// against policy, so lagRetries is taken off attempt where the throttling budget is checked.
	// mayHaveApplied records an attempt that Graph may have processed (transport error, 503, 504).
	lag := startConsistency(ctx, d.consistency)
	lagRetries, mayHaveApplied := 0, false
	for attempt := 1; ; attempt++ {
		// The body is rewound before each send after the first, whatever the attempt count says (the
		// 401 replay does not count as an attempt) and whatever the transport did with it: a caller's
		// RoundTripper may read it (logging, signing, recording), as net/http allows.
		if sent {
			if err := rewind(req); err != nil {
				return nil, err
			}
		}
		sent = true
		release, queued, err := d.acquire(ctx)
		if err != nil {
			return nil, err
		}
		if d.authorize != nil && (attempt > 1 || queued) {
			if err := d.authorize(ctx, req); err != nil {
				release()
				return nil, err
			}
		}
		var start time.Time
		if logging {
			start = time.Now()
		}
		resp, err := d.client.Do(req)
		if logging {
			d.logAttempt(ctx, req, resp, err, attempt, time.Since(start))
		}
		if err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
			release() // error bodies are read at once below
		}

		if err != nil {
			if ctx.Err() != nil {
				// Keep what was being done when the context ended: "GET /v1.0/users: context deadline
				// exceeded" says more than the bare context error.
				return nil, &TransportError{Method: req.Method, Path: req.URL.Path, Attempts: attempt, Err: ctx.Err()}
			}
			if !replaySafe(req) || !replayable || attempt-lagRetries > policy.MaxRetries {
				return nil, &TransportError{Method: req.Method, Path: req.URL.Path, Attempts: attempt, Err: err}
			}
			mayHaveApplied = true
			delay := backoff(policy, attempt-lagRetries)
			if waited+delay > policy.MaxWait {
				return nil, &TransportError{Method: req.Method, Path: req.URL.Path, Attempts: attempt, Err: err}
			}
			if serr := d.sleep(ctx, delay); serr != nil {
				// The failure that led to the wait is the cause worth reporting; the context error stays
				// reachable with errors.Is.
				return nil, fmt.Errorf("%w; stopped waiting to retry: %w",
					&TransportError{Method: req.Method, Path: req.URL.Path, Attempts: attempt, Err: err}, serr)
			}
			waited += delay
			continue
		}

		status := resp.StatusCode
		if status >= 200 && status <= 299 {
			return d.capBody(resp, release)
		}

		if status == http.StatusUnauthorized && !reauthed && d.reauth != nil && replayable {
			gerr := newError(resp, req)
			claims, challenged := claimsChallenge(resp.Header)
			if gerr.Code == "InvalidAuthenticationToken" || challenged {
				reauthed = true
				if err := d.reauth(ctx, req, claims); err != nil {
					return nil, err
				}
				attempt-- // the replay with a new token is not a retry
				continue
			}
			gerr.Attempts = attempt
			return nil, gerr
		}

		if lag != nil && replayable && consistencyCandidate(status) {
			gerr := newError(resp, req)
			gerr.Attempts = attempt
			wait, retry, err := lag.next(ctx, d.logger, gerr, mayHaveApplied)
			if !retry {
				return nil, err
			}
			if err := d.sleep(ctx, wait); err != nil {
				return nil, stoppedWaiting(gerr, err)
			}
			lagRetries++
			continue
		}

		if !retryableStatus(status, replaySafe(req)) || !replayable || attempt-lagRetries > policy.MaxRetries {
			gerr := newError(resp, req)
			gerr.Attempts = attempt
			return nil, gerr
		}
		delay, ok := policy.retryDelay(resp.Header, attempt-lagRetries, waited)
		mayHaveApplied = mayHaveApplied || status != http.StatusTooManyRequests
		if !ok {
			gerr := newError(resp, req)
			gerr.Attempts = attempt
			return nil, gerr
		}
		if status == http.StatusTooManyRequests && d.logger != nil {
			d.logger.LogAttrs(ctx, slog.LevelWarn, "graph: throttled",
				slog.String("method", req.Method), slog.String("path", req.URL.Path),
				slog.Duration("retry_after", delay), slog.Int("attempt", attempt),
				slog.String("request_id", logRequestID(resp, req)))
		}
		last := newError(resp, req) // reads and closes the body
		last.Attempts = attempt
		if err := d.sleep(ctx, delay); err != nil {
			// Keep Graph's answer that led to the wait as the cause; errors.Is still finds the
			// context's error.
			return nil, fmt.Errorf("%w; stopped waiting to retry: %w", last, err)
		}
		waited += delay
	}
}

// acquire takes a slot when requests in flight are bounded, and returns its release (idempotent) and
// whether it had to wait for it.
func (d *doer) acquire(ctx context.Context) (release func(), queued bool, err error) {
	if d.slots == nil {
		return noRelease, false, nil
	}
	select {
	case d.slots <- struct{}{}:
	default:
		queued = true
		select {
		case d.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, true, ctx.Err()
		}
	}
	var once sync.Once
	return func() { once.Do(func() { <-d.slots }) }, queued, nil
}

func noRelease() {}

// capBody bounds the body of a successful answer to maxBody and ties the release of the request's
// slot to its Close. A body whose Content-Length is declared and within the limit needs neither when
// there is no slot to release: net/http's transports end such a body at its declared length (and fail
// a connection that sends more), so it is returned as it is, without a wrapper to allocate and call
// through. A declared length over the limit fails at once, before anything is read. (A RoundTripper of
// the caller's own that sends more than it declares is trusted code, like the rest of the program.)
func (d *doer) capBody(resp *http.Response, release func()) (*http.Response, error) {
	if resp.ContentLength > maxBody {
		resp.Body.Close() // not drained: the connection goes, rather than read what was refused
		release()
		return nil, ErrBodyTooLarge
	}
	if resp.ContentLength >= 0 && d.slots == nil {
		return resp, nil
	}
	resp.Body = &cappedBody{rc: resp.Body, left: maxBody, release: release}
	return resp, nil
}

// logAttempt writes the debug line of one attempt; Do calls it only when debug logging is enabled.
func (d *doer) logAttempt(ctx context.Context, req *http.Request, resp *http.Response, err error, attempt int, took time.Duration) {
	attrs := []slog.Attr{
		slog.String("method", req.Method), slog.String("path", req.URL.Path),
		slog.Int("attempt", attempt), slog.Duration("duration", took),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", logRequestID(resp, req)))
	}
	if err != nil {
		// Transport errors from net/http name the URL; keep only the kind of failure.
		attrs = append(attrs, slog.String("error", transportErrorKind(err)))
	}
	d.logger.LogAttrs(ctx, slog.LevelDebug, "graph: attempt", attrs...)
}

// logRequestID is the response's request-id made safe for a log line: a proxy that echoes the
// Authorization header into it must not put the token into the log.
func logRequestID(resp *http.Response, req *http.Request) string {
	return redact.Line(resp.Header.Get("request-id"), maxIDLen, redact.Secret(req.Header.Get("Authorization")))
}

func transportErrorKind(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed"
	}
	return "transport error"
}

// rewind resets req's body for another attempt.
func rewind(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	if req.GetBody == nil {
		return errors.New("graph: request body cannot be replayed")
	}
	body, err := req.GetBody()
	if err != nil {
		return err
	}
	req.Body = body
	return nil
}

// retryableStatus reports whether an answer with status is worth retrying: a 429 always, since Graph
// did not process the request; a 503 or 504 only when sending the request again is safe (safe).
func retryableStatus(status int, safe bool) bool {
	return status == http.StatusTooManyRequests ||
		((status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout) && safe)
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// replaySafeKey marks the context of a request whose method is not idempotent but whose sending twice
// changes nothing more than sending it once: a $batch of idempotent requests only.
type replaySafeKey struct{}

// replaySafe reports whether req may be sent again after a 503, a 504 or a transport error, when
// Graph may have acted on it already: an idempotent method, or a request marked with replaySafeKey.
func replaySafe(req *http.Request) bool {
	return idempotent(req.Method) || req.Context().Value(replaySafeKey{}) != nil
}

// policy returns the retry policy of calls made with ctx: WithRetryPolicy's, else the client's.
func (d *doer) policy(ctx context.Context) RetryPolicy {
	if p, ok := ctx.Value(retryKey{}).(RetryPolicy); ok {
		return p.withDefaults()
	}
	return d.retry
}

// retryDelay returns the wait before retrying an answer with header h that was attempt number attempt
// (1-based), after waited in earlier waits: Graph's Retry-After, else backoff. ok is false when the
// wait would take the total past MaxWait. Single calls and the items of a batch share it, so both
// honour Graph the same way.
func (p RetryPolicy) retryDelay(h http.Header, attempt int, waited time.Duration) (delay time.Duration, ok bool) {
	delay = parseRetryAfter(h.Get("Retry-After"), time.Now())
	if delay == 0 {
		delay = backoff(p, attempt)
	}
	return delay, waited+delay <= p.MaxWait
}

// backoff returns the wait before retry number attempt (1-based) when Graph sent no Retry-After:
// full jitter over an exponentially growing ceiling.
func backoff(p RetryPolicy, attempt int) time.Duration {
	ceiling := p.BaseDelay << min(attempt-1, 20)
	if ceiling <= 0 || ceiling > p.MaxDelay {
		ceiling = p.MaxDelay
	}
	return ceiling/2 + rand.N(ceiling/2+1)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// claimsChallenge reads a Continuous Access Evaluation challenge,
// WWW-Authenticate: Bearer error="insufficient_claims", claims="<base64>", and returns the claims
// parameter as sent.
func claimsChallenge(h http.Header) (string, bool) {
	for _, v := range h.Values("WWW-Authenticate") {
		params := authParams(v)
		if params["error"] == "insufficient_claims" && params["claims"] != "" {
			return params["claims"], true
		}
	}
	return "", false
}

// authParams parses the auth-params of a Bearer challenge (RFC 7235): key=value or key="value" pairs
// separated by commas.
func authParams(v string) map[string]string {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	params := map[string]string{}
	for rest != "" {
		rest = strings.TrimLeft(rest, " ,")
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		key = strings.ToLower(strings.TrimSpace(key))
		var val string
		if strings.HasPrefix(after, `"`) {
			after = after[1:]
			var b strings.Builder
			i := 0
			for ; i < len(after); i++ {
				if after[i] == '\\' && i+1 < len(after) {
					i++
					b.WriteByte(after[i])
					continue
				}
				if after[i] == '"' {
					break
				}
				b.WriteByte(after[i])
			}
			val = b.String()
			if i < len(after) {
				i++
			}
			rest = after[i:]
		} else {
			val, rest, _ = strings.Cut(after, ",")
			val = strings.TrimSpace(val)
		}
		params[key] = val
	}
	return params
}

// clientRequestIDKey is client-request-id in net/http's canonical form: Header.Get and Set canonicalize
// a key, which costs an allocation per call unless it is already canonical.
const clientRequestIDKey = "Client-Request-Id"

// protectRedirects returns a copy of hc whose redirects never carry Authorization, nor a request
// body, to a host other than graphHost. A 307 or 308 keeps the method and the body (a new user's
// password, say), so such a redirect to another host is not followed: the call ends with the
// redirect as an *Error. A 301, 302 or 303 turns the request into a body-less GET and is followed
// without the header. The caller's client is not modified.
func protectRedirects(hc *http.Client, scheme, graphHost string) *http.Client {
	c := *hc
	next := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !strings.EqualFold(req.URL.Host, graphHost) || !strings.EqualFold(req.URL.Scheme, scheme) {
			if req.Body != nil && req.Body != http.NoBody {
				return http.ErrUseLastResponse
			}
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// TransportError reports a request that got no HTTP answer, after Attempts attempts.
type TransportError struct {
	Method, Path string
	Attempts     int
	Err          error
}

func (e *TransportError) Error() string {
	cause := e.Err
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = ue.Err // url.Error repeats the URL, query included
	}
	msg := fmt.Sprintf("graph: %s %s: %v", e.Method, e.Path, cause)
	if e.Attempts > 1 {
		msg += " after " + strconv.Itoa(e.Attempts) + " attempts" // as *Error and auth's errors say it
	}
	return msg
}

// Unwrap returns the underlying error, for errors.Is(err, context.DeadlineExceeded) and the like.
func (e *TransportError) Unwrap() error { return e.Err }

func drainAndClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 4<<10)
	_ = body.Close()
}

// cappedBody fails with ErrBodyTooLarge once more than its limit has been read, and releases the
// request's slot when closed.
type cappedBody struct {
	rc      io.ReadCloser
	left    int64
	release func()
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Check whether the body really goes on before failing.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, ErrBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error {
	err := b.rc.Close()
	b.release()
	return err
}
