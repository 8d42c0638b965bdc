package graph

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/typedgraph/graph/gen"
	"github.com/typedgraph/graph/internal/redact"
)

// Error is an answer from Graph outside 2xx. Every typed call returns it (wrapped or not) for such an
// answer; use errors.As to get at it:
//
//	var gerr *graph.Error
//	if errors.As(err, &gerr) && gerr.StatusCode == http.StatusNotFound { ... }
//
// Branch on StatusCode and Code; Message is for people.
//
// Every text field holds what Graph (or a proxy in front of it) sent, made safe to print: control
// characters and invalid UTF-8 removed, lengths bounded, and the access token the request carried, or
// anything that reads as a token, replaced by "REDACTED", should the server echo it back.
type Error struct {
	StatusCode int    // HTTP status, e.g. 404
	Code       string // Graph's error code, e.g. "Request_ResourceNotFound"; empty when the body was not a Graph error
	Message    string // Graph's message, or the HTTP status text when the body was not a Graph error
	Target     string // the target of the error, when Graph names one
	Details    []ErrorDetail

	RequestID       string    // Graph's request-id, for support cases
	ClientRequestID string    // the client-request-id of the call
	Date            time.Time // when Graph says the error happened (innerError.date, else the Date header); zero if unknown
	RetryAfter      time.Duration

	// Method and Path name the request (no query: it may carry personal data in $filter).
	Method string
	Path   string
	// Attempts is how many times the call was sent, retries included.
	Attempts int

	location string // the Location of a 410 Gone, where a delta round may restart (see ResyncError)
}

// ErrorDetail is one entry of a Graph error's details.
type ErrorDetail struct {
	Code    string
	Message string
	Target  string
}

// Error reads like "graph: 404 Request_ResourceNotFound: Resource 'x' does not exist (request-id 1f2e...)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("graph: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteByte(' ')
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(firstLine(e.Message))
	}
	if e.RequestID != "" {
		b.WriteString(" (request-id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	if e.Attempts > 1 {
		b.WriteString(" after ")
		b.WriteString(strconv.Itoa(e.Attempts))
		b.WriteString(" attempts")
	}
	return b.String()
}

// Is reports whether target is an *Error with the same StatusCode and, when target's Code is set, the
// same Code: errors.Is(err, &graph.Error{StatusCode: 404}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.StatusCode == e.StatusCode && (t.Code == "" || t.Code == e.Code)
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// maxErrorBody caps how much of an error answer is read: Graph's errors are a few hundred bytes, and an
// HTML page from a proxy is of no use past its start.
const maxErrorBody = 64 << 10

// newError builds an *Error from a non-2xx response to req and closes its body. The token req carried
// is redacted from everything the server said.
func newError(resp *http.Response, req *http.Request) *Error {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	// Drain a little more so the connection can be reused; give up on anything larger.
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)

	secret := redact.Secret(req.Header.Get("Authorization"))
	e := parseError(resp.StatusCode, resp.Header, body, secret)
	e.Method = req.Method
	e.Path = req.URL.Path
	if e.ClientRequestID == "" {
		e.ClientRequestID = redact.Line(req.Header.Get("client-request-id"), maxIDLen, secret)
	}
	e.Attempts = 1
	if resp.StatusCode == http.StatusGone {
		e.location = resp.Header.Get("Location")
	}
	return e
}

// Bounds on the text an *Error keeps of what the server sent. Graph's own fields are far shorter.
const (
	maxIDLen      = 128  // code, request-id, client-request-id
	maxTargetLen  = 512  // target
	maxMessageLen = 4096 // message
	maxDetails    = 32   // entries of details
)

// parseError turns a status, headers and a (possibly malformed) body into an *Error. It never fails:
// a body that is not a Graph error still gives the status and the headers' ids. Every text it keeps
// goes through redact, with secrets (the request's token) replaced.
func parseError(status int, h http.Header, body []byte, secrets ...string) *Error {
	e := parseErrorRaw(status, h, body)
	line := func(s string, limit int) string { return redact.Line(s, limit, secrets...) }
	e.Code = line(e.Code, maxIDLen)
	e.Message = redact.Text(e.Message, maxMessageLen, secrets...)
	e.Target = line(e.Target, maxTargetLen)
	e.RequestID = line(e.RequestID, maxIDLen)
	e.ClientRequestID = line(e.ClientRequestID, maxIDLen)
	if len(e.Details) > maxDetails {
		e.Details = e.Details[:maxDetails]
	}
	for i := range e.Details {
		d := &e.Details[i]
		d.Code, d.Message, d.Target = line(d.Code, maxIDLen), redact.Text(d.Message, maxMessageLen, secrets...), line(d.Target, maxTargetLen)
	}
	return e
}

// parseErrorRaw is parseError without the cleaning: the fields as the server sent them.
func parseErrorRaw(status int, h http.Header, body []byte) *Error {
	e := &Error{
		StatusCode:      status,
		RequestID:       h.Get("request-id"),
		ClientRequestID: h.Get("client-request-id"),
		RetryAfter:      parseRetryAfter(h.Get("Retry-After"), time.Now()),
	}
	var odata gen.MicrosoftGraphODataErrorsODataError
	if looksJSON(body) && json.Unmarshal(body, &odata) == nil && odata.Error.Code != "" {
		m := odata.Error
		e.Code = m.Code
		e.Message = m.Message
		e.Target, _ = m.Target.Get()
		for _, d := range m.Details {
			t, _ := d.Target.Get()
			e.Details = append(e.Details, ErrorDetail{Code: d.Code, Message: d.Message, Target: t})
		}
		if in := m.InnerError; in != nil {
			if v, err := in.RequestID.Get(); err == nil && v != "" {
				e.RequestID = v
			}
			if v, err := in.ClientRequestID.Get(); err == nil && v != "" && e.ClientRequestID == "" {
				e.ClientRequestID = v
			}
			if v, err := in.Date.Get(); err == nil {
				e.Date = parseGraphDate(v)
			}
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if e.Date.IsZero() {
		if t, err := http.ParseTime(h.Get("Date")); err == nil {
			e.Date = t
		}
	}
	return e
}

func looksJSON(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		default:
			return false
		}
	}
	return false
}

// parseGraphDate reads innerError.date, which Graph sends without an offset (it is UTC), and also
// accepts RFC 3339.
func parseGraphDate(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t
		}
	}
	return time.Time{}
}

// maxRetryAfter bounds a Retry-After the server sends: a larger or garbage value is not trusted.
const maxRetryAfter = 10 * time.Minute

// parseRetryAfter reads Retry-After as seconds (fractions allowed, as Graph sends them) or as an HTTP
// date. It returns 0 for an absent, negative or unreadable value and clamps large ones to maxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if isDecimal(v) {
		// delay-seconds, with the fraction Graph sometimes sends. Too many digits to parse is huge.
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f >= maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		d = time.Duration(f * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0
	}
	switch {
	case d <= 0:
		return 0
	case d > maxRetryAfter:
		return maxRetryAfter
	}
	return d
}

// isDecimal reports whether s is digits with an optional fraction: "2", "2.128".
func isDecimal(s string) bool {
	digits, frac, hasDot := strings.Cut(s, ".")
	if digits == "" || (hasDot && frac == "") {
		return false
	}
	for _, part := range []string{digits, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// ErrForeignNextLink is returned when Graph's @odata.nextLink points somewhere other than the client's
// base URL. No request is sent to it, so no token can leak to another host.
var ErrForeignNextLink = errors.New("graph: @odata.nextLink is not under the client's base URL")

// ErrForeignURL is returned, before anything is sent, when a request given to Pages or a path given to
// Get, Post, Patch, Delete or List is an absolute URL that is not under the client's base URL (another
// scheme, host or base path), so no token can leak to another host.
var ErrForeignURL = errors.New("graph: URL is not under the client's base URL")

// ErrNextLinkCycle is returned when Graph's @odata.nextLink names a page already fetched in the same
// iteration: following it would loop for ever (with empty pages, without the caller's loop body ever
// running).
var ErrNextLinkCycle = errors.New("graph: @odata.nextLink repeats a page already fetched")

// ErrBodyTooLarge is returned when a response body exceeds the client's limit.
var ErrBodyTooLarge = errors.New("graph: response body too large")

// UnexpectedResponseError reports a 2xx answer whose body the client cannot use: an HTML page where
// JSON was expected, a truncated body, or JSON that does not decode into the operation's type. Typed
// calls (GetUserWithResponse, ...) and iterators (Users, ...) return it alike.
type UnexpectedResponseError struct {
	StatusCode  int
	ContentType string
	RequestID   string
	Reason      string
	// Err is the decoding or reading error behind Reason, if any (a *json.SyntaxError, a
	// *json.UnmarshalTypeError, io.ErrUnexpectedEOF, ...).
	Err error
}

// Unwrap returns Err.
func (e *UnexpectedResponseError) Unwrap() error { return e.Err }

// Error reads like "graph: unexpected 200 response (text/html): the body is not JSON (request-id ...)".
func (e *UnexpectedResponseError) Error() string {
	s := "graph: unexpected " + strconv.Itoa(e.StatusCode) + " response"
	if e.ContentType != "" {
		s += " (" + e.ContentType + ")"
	}
	s += ": " + e.Reason
	if e.RequestID != "" {
		s += " (request-id " + e.RequestID + ")"
	}
	return s
}
