package graphtest

import (
	"net/http"
	"strings"
	"sync/atomic"
)

// Operation returns the operation name a request to either listener is
// routed to, as Operation does, including the operations of the entity sets
// registered in Options.EntitySets ("applications.list", ...).
func (s *Server) Operation(r *http.Request) string {
	if op := Operation(r); op != "" {
		return op
	}
	if e, _ := s.routeSet(r, nil); e != nil {
		return e.op
	}
	return ""
}

// Operation returns the operation name (an Op constant) a request to either
// listener is routed to, or "" when none. Interceptors use it to aim faults;
// Server.Operation also knows the registered entity sets.
func Operation(r *http.Request) string {
	if strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") || strings.HasSuffix(r.URL.Path, "/oauth2/token") {
		return OpToken
	}
	if e, _ := route(r, nil); e != nil {
		return e.op
	}
	return ""
}

// FailRequests returns an Interceptor that answers the next n requests to
// operation op ("" for any) with status, setting header (e.g. Retry-After)
// first, then lets every later request through. Graph operations get an
// ODataError body with a code matching the status (TooManyRequests,
// serviceNotAvailable, ...); OpToken gets an AADSTS error body. Install it
// with InterceptGraph or InterceptIdentity.
func (s *Server) FailRequests(op string, n int, status int, header http.Header) Interceptor {
	var left atomic.Int64 // requests still to fail
	left.Store(int64(n))
	return func(w http.ResponseWriter, r *http.Request) bool {
		if op != "" && s.Operation(r) != op {
			return false
		}
		if left.Add(-1) < 0 {
			return false
		}
		for k, vs := range header {
			w.Header()[k] = vs
		}
		if s.Operation(r) == OpToken {
			s.IdentityError(w, r, status, "temporarily_unavailable", 50196, "The server is temporarily unavailable; try again later.")
			return true
		}
		code := "generalException"
		switch status {
		case http.StatusTooManyRequests:
			code = "TooManyRequests"
		case http.StatusServiceUnavailable:
			code = "serviceNotAvailable"
		case http.StatusGatewayTimeout:
			code = "UnknownError"
		case http.StatusUnauthorized:
			code = "InvalidAuthenticationToken"
		}
		s.GraphError(w, r, status, code, http.StatusText(status)+" (injected by graphtest).")
		return true
	}
}
