package graph

// This file is the one error model for the body of a 2xx answer, shared by the iterators (getPage) and
// the typed calls (the generated client's ResponseError hook, set by NewClient).

import (
	"errors"
	"net"
	"net/http"

	"github.com/typedgraph/graph/gen"
)

// bodyError is the error for a 2xx answer whose body could not be read or decoded (err), one model
// for the iterators and the typed calls (whose generated client hands it its Parse functions'
// errors): the context's error when the caller's context ended while the body was read,
// ErrBodyTooLarge, or an *UnexpectedResponseError wrapping err.
func bodyError(resp *http.Response, err error) error {
	if resp.Request != nil {
		if cerr := resp.Request.Context().Err(); cerr != nil {
			return cerr
		}
	}
	if errors.Is(err, ErrBodyTooLarge) {
		return ErrBodyTooLarge
	}
	var (
		reason string
		netErr net.Error
	)
	switch {
	case errors.Is(err, gen.ErrUnexpectedBody):
		reason = "the body is not JSON"
		if isJSON(canonicalGet(resp.Header, "Content-Type")) {
			reason = "the body is not the JSON the operation declares"
		}
	case errors.As(err, &netErr):
		reason = "reading the body: " + err.Error()
	default: // a syntax or type error, or a body cut short (io.ErrUnexpectedEOF)
		reason = "malformed JSON: " + err.Error()
	}
	e := unexpected(resp, reason)
	e.Err = err
	return e
}

// ResponseError is this package's error for a 2xx answer whose body could not be read or is not the
// JSON the operation declares: the context's error when the call's context ended while the body was
// read, ErrBodyTooLarge, or an *UnexpectedResponseError. A client generated in your own module with
// typedgraph's templates (graphspec -package) has a ResponseError hook: set it to this, and its calls
// fail on such bodies as this package's do.
func ResponseError(resp *http.Response, err error) error { return bodyError(resp, err) }
