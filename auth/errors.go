package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalidConfig is wrapped by every error about a bad Config, Credential,
// certificate, cloud name or editor endpoint, so callers can test for it with
// errors.Is.
var ErrInvalidConfig = errors.New("auth: invalid configuration")

// ErrInvalidResponse is wrapped (as Error.Err) when the token endpoint's
// answer cannot be used: a body that is not JSON, too large, or a success
// without a usable token or expiry.
var ErrInvalidResponse = errors.New("invalid token response")

// Error is a failed token request. It carries what the identity platform said
// (its error response fields) and the HTTP status. Callers branch on Code, the
// OAuth "error" value, rather than on ErrorCodes, which Microsoft may change.
//
// Error never holds the secret, the assertion, an access token or the raw
// response body.
type Error struct {
	// StatusCode is the HTTP status of the last response.
	StatusCode int
	// Code is the OAuth "error" value, e.g. "invalid_client".
	Code string
	// Description is the "error_description", which for the identity platform
	// starts with the AADSTS code and continues with trace details.
	Description string
	// ErrorCodes are the AADSTS numbers from "error_codes".
	ErrorCodes []int
	// Timestamp, TraceID, CorrelationID and ErrorURI are the fields of the
	// same names the identity platform sends; quote TraceID and CorrelationID
	// in a support case.
	Timestamp     string
	TraceID       string
	CorrelationID string
	ErrorURI      string
	// RetryAfter is the server's Retry-After, zero when it sent none.
	RetryAfter time.Duration
	// Attempts is how many requests were made before giving up.
	Attempts int
	// Err is the underlying cause when there was no usable answer: a
	// transport failure (StatusCode 0), or an unusable response, in which
	// case it wraps ErrInvalidResponse. It is nil when the identity platform
	// answered with an error of its own.
	Err error
}

// Error returns the status, the OAuth error, the AADSTS code, the first line
// of the description and the trace and correlation ids.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("auth: token request failed")
	// sep is written before each part, so that parts left out leave no empty ": : ".
	sep := ": "
	if e.StatusCode != 0 {
		b.WriteString(sep)
		sep = " "
		b.WriteString(strconv.Itoa(e.StatusCode))
		if t := http.StatusText(e.StatusCode); t != "" {
			b.WriteString(" ")
			b.WriteString(t)
		}
	}
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
		sep = " "
	}
	desc := firstLine(e.Description)
	if len(e.ErrorCodes) > 0 {
		code := "AADSTS" + strconv.Itoa(e.ErrorCodes[0])
		b.WriteString(sep + "(" + code + ")")
		desc = strings.TrimSpace(strings.TrimPrefix(desc, code+":"))
	}
	if desc != "" {
		b.WriteString(": ")
		b.WriteString(desc)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.TraceID != "" {
		b.WriteString(" trace_id=" + e.TraceID)
	}
	if e.CorrelationID != "" {
		b.WriteString(" correlation_id=" + e.CorrelationID)
	}
	if e.Attempts > 1 {
		b.WriteString(" after " + strconv.Itoa(e.Attempts) + " attempts")
	}
	return b.String()
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the same request may succeed later without a
// change of configuration: a 408, 429 or 5xx status, a transport failure or
// a malformed success response.
func (e *Error) Retryable() bool {
	return retryableStatus(e.StatusCode) || (e.Err != nil && e.StatusCode < 400)
}

// IsConfiguration reports whether the identity platform rejected the
// configuration itself (invalid_client, unauthorized_client, invalid_request,
// invalid_scope): retrying cannot help until the configuration changes.
func (e *Error) IsConfiguration() bool {
	switch e.Code {
	case "invalid_client", "unauthorized_client", "invalid_request", "invalid_scope", "unsupported_grant_type":
		return true
	}
	return false
}

func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500 && code <= 599
}

const maxDescription = 300

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > maxDescription {
		i := maxDescription
		for i > 0 && !utf8.RuneStart(s[i]) {
			i-- // cut at a character boundary: the message stays valid UTF-8
		}
		s = s[:i] + "..."
	}
	return s
}

// invalidResponse builds the error for an unusable token response.
func invalidResponse(status int, format string, args ...any) *Error {
	return &Error{StatusCode: status, Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalidResponse}, args...)...)}
}
