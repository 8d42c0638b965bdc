package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/typedgraph/graph/internal/redact"
	"github.com/typedgraph/graph/internal/uuid"
)

// ClientCredentials fetches app-only tokens from the identity platform with
// the client credentials grant. Every call to Token makes a token request; it
// does not cache. Wrap it in a Cache. It is safe for concurrent use.
//
// A request answered with 408, 429 or 5xx, or failing in transport, is retried
// up to Config.MaxRetries times with jittered exponential backoff, or after
// the server's Retry-After when it sends one (a Retry-After beyond 30 s ends
// the retries and is reported in Error.RetryAfter instead). Other answers,
// including configuration errors such as invalid_client, are not retried.
type ClientCredentials struct {
	// All fields are set by NewClientCredentials and read-only afterwards.
	clientID   string
	cred       Credential
	endpoint   string // {authority}/{tenant}/oauth2/v2.0/token
	scope      string
	client     *http.Client // a copy of the configured client that never follows redirects
	logger     *slog.Logger // nil: no logging
	clock      Clock
	maxRetries int
}

// maxRetryWait is the longest Retry-After a token request waits out itself.
const maxRetryWait = 30 * time.Second

// NewClientCredentials validates cfg and returns a fetcher for it. Errors
// wrap ErrInvalidConfig.
func NewClientCredentials(cfg Config) (*ClientCredentials, error) {
	endpoint, scope, err := cfg.tokenEndpoint()
	if err != nil {
		return nil, err
	}
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient // shallow copy: we change only the redirect policy
	} else {
		hc.Timeout = defaultHTTPTimeout
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	retries := cfg.MaxRetries
	switch {
	case retries == 0:
		retries = 3
	case retries < 0:
		retries = 0
	}
	return &ClientCredentials{
		clientID:   cfg.ClientID,
		cred:       cfg.Credential,
		endpoint:   endpoint,
		scope:      scope,
		client:     &hc,
		logger:     cfg.Logger,
		clock:      clockOrSystem(cfg.Clock),
		maxRetries: retries,
	}, nil
}

// Token requests a new token. Errors are *Error for anything the token
// endpoint said or a transport failure, or wrap ctx.Err() when ctx ended.
func (c *ClientCredentials) Token(ctx context.Context) (*Token, error) {
	return c.fetch(ctx, "")
}

// TokenWithClaims requests a new token carrying the given claims, as a
// Continuous Access Evaluation challenge demands. claims is the JSON claims
// request (already decoded from the challenge's base64). An empty claims is
// the same as Token.
func (c *ClientCredentials) TokenWithClaims(ctx context.Context, claims string) (*Token, error) {
	return c.fetch(ctx, claims)
}

// String describes the fetcher without its credential's secret.
func (c *ClientCredentials) String() string {
	return fmt.Sprintf("auth.ClientCredentials{Endpoint:%q, ClientID:%q, Scope:%q, Credential:%v}", c.endpoint, c.clientID, c.scope, c.cred)
}

// Format implements fmt.Formatter: every verb prints the redacted form.
func (c *ClientCredentials) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

func (c *ClientCredentials) fetch(ctx context.Context, claims string) (*Token, error) {
	for attempt := 1; ; attempt++ {
		tok, retry, err := c.attempt(ctx, claims, attempt)
		if err == nil {
			return tok, nil
		}
		var ae *Error
		isAE := errors.As(err, &ae)
		if isAE {
			ae.Attempts = attempt
		}
		if !retry || attempt > c.maxRetries {
			return nil, err
		}
		wait := backoff(attempt)
		if isAE && ae.RetryAfter > 0 {
			wait = ae.RetryAfter
		}
		if wait > maxRetryWait {
			return nil, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, err // the wait would outlast the caller: report now
		}
		select {
		case <-c.clock.After(wait):
		case <-ctx.Done():
			return nil, fmt.Errorf("auth: token request: %w", ctx.Err())
		}
	}
}

// backoff is the jittered exponential wait before retry number attempt:
// between half and all of 500 ms, 1 s, 2 s, ... capped at 8 s.
func backoff(attempt int) time.Duration {
	d := 500 * time.Millisecond << min(attempt-1, 4)
	return d/2 + rand.N(d/2+1)
}

// attempt makes one token request. retry reports whether a failure may be
// retried.
func (c *ClientCredentials) attempt(ctx context.Context, claims string, n int) (tok *Token, retry bool, err error) {
	form := url.Values{}
	form.Set("grant_type", "client_credentials")
	form.Set("client_id", c.clientID)
	form.Set("scope", c.scope)
	if claims != "" {
		form.Set("claims", claims)
	}
	secret, err := c.cred.authenticate(form, c.clientID, c.endpoint, c.clock.Now())
	if err != nil {
		return nil, false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, false, fmt.Errorf("%w: token endpoint: %v", ErrInvalidConfig, err)
	}
	requestID := uuid.New()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("client-request-id", requestID)
	req.Header.Set("return-client-request-id", "true")

	sentAt := c.clock.Now()
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, fmt.Errorf("auth: token request: %w", ctx.Err())
		}
		e := &Error{Err: scrubError(err, secret)}
		c.log(ctx, n, 0, start, requestID, e)
		return nil, true, e
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, fmt.Errorf("auth: token request: %w", ctx.Err())
		}
		e := &Error{StatusCode: resp.StatusCode, Err: scrubError(err, secret)}
		c.log(ctx, n, resp.StatusCode, start, requestID, e)
		return nil, true, e
	}
	if len(body) > maxBody {
		e := invalidResponse(resp.StatusCode, "body larger than %d bytes", maxBody)
		c.log(ctx, n, resp.StatusCode, start, requestID, e)
		return nil, false, e
	}
	if resp.StatusCode == http.StatusOK {
		tok, err := parseTokenResponse(resp.Header, body, sentAt)
		if err != nil {
			c.log(ctx, n, resp.StatusCode, start, requestID, err)
			return nil, false, err
		}
		c.log(ctx, n, resp.StatusCode, start, requestID, nil)
		return tok, false, nil
	}
	e := parseErrorResponse(resp.StatusCode, resp.Header, body, c.clock.Now(), secret)
	c.log(ctx, n, resp.StatusCode, start, requestID, e)
	return nil, retryableStatus(resp.StatusCode), e
}

func (c *ClientCredentials) log(ctx context.Context, attempt, status int, start time.Time, requestID string, err error) {
	if c.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("endpoint", c.endpoint),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.String("client_request_id", requestID),
	}
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, level, "auth: token request", attrs...)
}

// scrubError returns err, or a stand-in with the secret cut out when err's
// text contains it.
func scrubError(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return scrubbedError{msg: redact.Text(err.Error(), 0, secret)}
}

// scrubbedError deliberately does not unwrap: the wrapped error's text holds
// the secret.
type scrubbedError struct{ msg string }

func (e scrubbedError) Error() string { return e.msg }
