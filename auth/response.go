package auth

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/typedgraph/graph/internal/redact"
)

// This file holds the token endpoint's wire formats: the success body, the
// error body and Retry-After. Nothing here does I/O.

// maxBody caps how much of a token endpoint response is read. Real responses
// are a few kilobytes; anything larger is refused, not buffered.
const maxBody = 1 << 20

// MinTokenLifetime is the shortest token lifetime this package accepts. A
// token that expires sooner cannot outlive the margins the Cache keeps before
// expiry: every call would fetch a token and go out with one already expired
// locally. A token response with a shorter expires_in (or JWT lifetime) is an
// *Error wrapping ErrInvalidResponse, and a Cache refuses such a token from
// any source, saying so in its error. Real tokens live an hour or more; test
// fakes issue tokens of a second or two to exercise refresh.
const MinTokenLifetime = time.Second

// maxLifetime bounds expires_in and friends; larger values are bogus and
// would overflow time arithmetic.
const maxLifetime = 366 * 24 * time.Hour

// seconds is a count of seconds that the identity platform sends either as a
// JSON number (3599) or as a JSON string ("3599").
type seconds struct {
	d   time.Duration
	set bool
	bad bool
}

func (s *seconds) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			s.bad = true
			return nil
		}
		b = []byte(strings.TrimSpace(str))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != f || f < 0 || f > maxLifetime.Seconds() {
		s.set, s.bad = true, true // reported by the caller, without echoing the value
		return nil
	}
	s.d, s.set = time.Duration(f*float64(time.Second)), true
	return nil
}

type tokenResponse struct {
	TokenType    string  `json:"token_type"`
	AccessToken  string  `json:"access_token"`
	ExpiresIn    seconds `json:"expires_in"`
	ExtExpiresIn seconds `json:"ext_expires_in"`
	RefreshIn    seconds `json:"refresh_in"`
}

// parseTokenResponse turns a 200 body into a Token. sentAt is the local time
// the request was sent: expiry is measured from it, so time spent in flight
// only shortens the token's local life, never lengthens it.
//
// Expiry is sentAt + expires_in. A JWT exp only lowers it, or stands in when
// expires_in is missing (see jwtLifetime for how clock skew is avoided).
// RefreshOn is sentAt + refresh_in when sent, else 5 minutes before expiry,
// or half the lifetime for tokens shorter than 10 minutes.
func parseTokenResponse(header http.Header, body []byte, sentAt time.Time) (*Token, error) {
	const status = http.StatusOK
	if !isJSON(header) {
		return nil, invalidResponse(status, "content type is not JSON")
	}
	var r tokenResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, invalidResponse(status, "body is not a JSON object")
	}
	if r.AccessToken == "" {
		return nil, invalidResponse(status, "no access_token")
	}
	if r.TokenType != "" && !strings.EqualFold(r.TokenType, "Bearer") {
		return nil, invalidResponse(status, "token_type is not Bearer")
	}
	if r.ExpiresIn.bad {
		return nil, invalidResponse(status, "expires_in is not a valid number of seconds")
	}
	if r.ExpiresIn.set && r.ExpiresIn.d <= 0 {
		return nil, invalidResponse(status, "expires_in is not positive")
	}
	lifetime, ok := r.ExpiresIn.d, r.ExpiresIn.set
	if jl, relative, jok := jwtLifetime(r.AccessToken, sentAt); jok {
		switch {
		case relative && jl <= 0:
			return nil, invalidResponse(status, "access token expires before it was issued")
		case !relative && jl <= 0 && !ok:
			return nil, invalidResponse(status, "access token has expired and no expires_in was sent")
		case jl > 0 && (!ok || jl < lifetime):
			// A bare exp already in the local past, with expires_in present,
			// points at local clock skew rather than a dead token: the server
			// just issued it. Only a positive JWT lifetime may lower expiry.
			lifetime, ok = jl, true
		}
	}
	if !ok {
		return nil, invalidResponse(status, "no expires_in and no readable exp")
	}
	if lifetime < MinTokenLifetime {
		return nil, invalidResponse(status, "token lifetime %v is shorter than the least usable, %v", lifetime, MinTokenLifetime)
	}
	if lifetime > maxLifetime {
		lifetime = maxLifetime
	}
	t := &Token{AccessToken: r.AccessToken, ExpiresOn: sentAt.Add(lifetime)}
	if r.RefreshIn.set && !r.RefreshIn.bad && r.RefreshIn.d > 0 && r.RefreshIn.d < lifetime {
		t.RefreshOn = sentAt.Add(r.RefreshIn.d)
	} else {
		t.RefreshOn = t.ExpiresOn.Add(-defaultRefreshWindow(lifetime))
	}
	return t, nil
}

// defaultRefreshWindow is how long before expiry a proactive refresh starts:
// 5 minutes, or half the lifetime for short-lived tokens.
func defaultRefreshWindow(lifetime time.Duration) time.Duration {
	return min(5*time.Minute, lifetime/2)
}

func isJSON(h http.Header) bool {
	ct := h.Get("Content-Type")
	if ct == "" {
		return true // be liberal: the body still has to parse
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// errorResponse is the identity platform's error body.
type errorResponse struct {
	Error         string          `json:"error"`
	Description   string          `json:"error_description"`
	ErrorCodes    []int           `json:"error_codes"`
	Timestamp     string          `json:"timestamp"`
	TraceID       string          `json:"trace_id"`
	CorrelationID string          `json:"correlation_id"`
	ErrorURI      string          `json:"error_uri"`
	Claims        json.RawMessage `json:"claims"`
}

// parseErrorResponse builds the typed error for a non-200 answer. The body is
// read only for its documented fields; it is never kept or echoed. Each field
// goes through redact: bounded, without control characters, and with secrets
// (the client secret or assertion the request carried) replaced, in case a
// misbehaving endpoint echoes them back.
func parseErrorResponse(status int, header http.Header, body []byte, now time.Time, secrets ...string) *Error {
	e := &Error{StatusCode: status, RetryAfter: parseRetryAfter(header.Get("Retry-After"), now)}
	var r errorResponse
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &r) != nil {
		if len(trimmed) > 0 {
			e.Err = ErrInvalidResponse
			if !isJSON(header) {
				e.Err = errNonJSONError
			}
		}
		return e
	}
	line := func(s string, limit int) string { return redact.Line(s, limit, secrets...) }
	e.Code = line(r.Error, 100)
	e.Description = redact.Text(r.Description, 4096, secrets...)
	e.ErrorCodes = r.ErrorCodes
	if len(e.ErrorCodes) > 16 {
		e.ErrorCodes = e.ErrorCodes[:16]
	}
	e.Timestamp = line(r.Timestamp, 64)
	e.TraceID = line(r.TraceID, 64)
	e.CorrelationID = line(r.CorrelationID, 64)
	e.ErrorURI = line(r.ErrorURI, 512)
	return e
}

var errNonJSONError = errorString("response body is not JSON")

type errorString string

func (e errorString) Error() string        { return string(e) }
func (e errorString) Is(target error) bool { return target == ErrInvalidResponse }

// maxRetryAfter bounds a Retry-After the token endpoint sends; a garbage or
// absurd value is clamped, never trusted blindly.
const maxRetryAfter = 10 * time.Minute

// parseRetryAfter reads Retry-After as seconds (fractions allowed) or as an
// HTTP date. It returns 0 when the header is missing or unusable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f != f || f <= 0 {
			return 0
		}
		if f > maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		d = time.Duration(f * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}
