package graphtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/typedgraph/graph/internal/uuid"
)

// newUUID returns a random version 4 UUID in its canonical text form.
func newUUID() string { return uuid.New() }

// innerErrorDateLayout is the format of innerError.date: Graph sends it
// without a UTC offset (the Date header is RFC 1123 GMT).
const innerErrorDateLayout = "2006-01-02T15:04:05"

// odataError is the body of every Graph error (microsoft.graph.ODataErrors.ODataError).
type odataError struct {
	Error mainError `json:"error"`
}

type mainError struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	InnerError innerError `json:"innerError"`
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

// GraphError writes a Graph-shaped error response: the given status, an
// ODataError body with code and message, and the request-id,
// client-request-id and Date headers of a real Graph answer. Interceptors use
// it to inject faults, e.g. a 429 after setting a Retry-After header.
func (s *Server) GraphError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	reqID, clientReqID := s.graphHeaders(w, r)
	body, _ := json.Marshal(odataError{Error: mainError{
		Code:    code,
		Message: message,
		InnerError: innerError{
			Date:            s.now().UTC().Format(innerErrorDateLayout),
			RequestID:       reqID,
			ClientRequestID: clientReqID,
		},
	}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// graphHeaders sets the correlation headers Graph sends on every response,
// once per response, and returns the request-id and client-request-id.
func (s *Server) graphHeaders(w http.ResponseWriter, r *http.Request) (reqID, clientReqID string) {
	h := w.Header()
	if reqID = h.Get("request-id"); reqID != "" {
		return reqID, h.Get("client-request-id")
	}
	reqID = newUUID()
	clientReqID = r.Header.Get("client-request-id")
	if clientReqID == "" {
		clientReqID = reqID
	}
	h.Set("request-id", reqID)
	h.Set("client-request-id", clientReqID)
	h.Set("Date", s.now().UTC().Format(http.TimeFormat))
	h.Set("x-ms-ags-diagnostic", `{"ServerInfo":{"DataCenter":"Loopback","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"graphtest"}}`)
	h.Set("Strict-Transport-Security", "max-age=31536000")
	h.Set("Cache-Control", "no-cache")
	return reqID, clientReqID
}

// unauthorized answers 401 InvalidAuthenticationToken with the
// WWW-Authenticate challenge Graph sends.
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, message string) {
	challenge := `Bearer realm="", authorization_uri="` + s.AuthorityHost + `/common/oauth2/authorize", client_id="` + graphAppID + `"`
	if claims := s.challenge.Load(); claims != nil && message == caeMessage {
		challenge += `, error="insufficient_claims", claims="` + base64.StdEncoding.EncodeToString([]byte(*claims)) + `"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	s.GraphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", message)
}

// notFound answers Graph's 404 for a missing resource.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, key string) {
	s.GraphError(w, r, http.StatusNotFound, "Request_ResourceNotFound",
		fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", key))
}

// aadError is the identity platform's error body.
type aadError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	ErrorURI         string `json:"error_uri"`
}

// aadTimestampLayout is the identity platform's timestamp format.
const aadTimestampLayout = "2006-01-02 15:04:05Z"

// IdentityError writes an identity platform (AADSTS) error response: status,
// the OAuth error string, and an error_description that starts with
// "AADSTS<code>: " followed by the message and the trace lines, as the real
// token endpoint does. Interceptors on the identity listener can use it.
func (s *Server) IdentityError(w http.ResponseWriter, r *http.Request, status int, oauthErr string, code int, message string) {
	traceID := newUUID()
	corrID := r.Header.Get("client-request-id")
	if corrID == "" {
		corrID = newUUID()
	}
	ts := s.now().UTC().Format(aadTimestampLayout)
	body, _ := json.Marshal(aadError{
		Error: oauthErr,
		ErrorDescription: fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			code, message, traceID, corrID, ts),
		ErrorCodes:    []int{code},
		Timestamp:     ts,
		TraceID:       traceID,
		CorrelationID: corrID,
		ErrorURI:      fmt.Sprintf("%s/error?code=%d", s.AuthorityHost, code),
	})
	s.identityHeaders(w, traceID, corrID)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) identityHeaders(w http.ResponseWriter, traceID, corrID string) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("x-ms-request-id", traceID)
	h.Set("client-request-id", corrID)
	h.Set("Date", s.now().UTC().Format(http.TimeFormat))
}
