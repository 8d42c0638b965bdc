package graphtest

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody caps the request bodies the fake reads, after decompression.
const maxBody = 4 << 20

// maxRecordedBody caps the body kept of one recorded request.
const maxRecordedBody = 64 << 10

// maxLine caps the path and query kept of a request recorded as a line.
const maxLine = 2 << 10

// Request is a request recorded by the Server, as received.
//
// Requests the fake authenticated and routed are recorded whole: headers,
// query and the first 64 KiB of the body, decompressed when it was sent
// with Content-Encoding gzip or deflate. Requests without a valid token, or
// to no known operation, are recorded as a line: Op, Method, the first
// 2 KiB of Path, RawPath and RawQuery, and Time; no headers, no body.
type Request struct {
	Op        string // operation name (the Op... constants), "" when no route matched
	Method    string
	Path      string // decoded path
	RawPath   string // path as sent on the wire (escaped)
	RawQuery  string // query as sent, e.g. "$top=5&$select=id"
	Query     url.Values
	Header    http.Header
	Body      []byte
	Truncated bool // Body, Path or RawQuery was cut short, or a line dropped the rest
	Time      time.Time
}

// size approximates the memory rec holds, for Options.MaxRecordedBytes.
func (rec *Request) size() int {
	n := 256 + len(rec.Body) + len(rec.Path) + len(rec.RawPath) + 2*len(rec.RawQuery)
	for k, vs := range rec.Header {
		n += len(k) + 16
		for _, v := range vs {
			n += len(v) + 16
		}
	}
	return n
}

// Errors of readBody, answered by the listeners.
const (
	errBodyTooLarge        = constErr("request body too large")
	errUnsupportedEncoding = constErr("unsupported Content-Encoding")
)

type constErr string

func (e constErr) Error() string { return string(e) }

// readBody reads r's body, decoding a Content-Encoding of gzip or deflate
// (zlib, or raw DEFLATE as some clients send), as Graph does. It returns
// errBodyTooLarge when the body, decoded, exceeds maxBody (so a small
// compressed bomb costs no more than a large plain body),
// errUnsupportedEncoding for any other encoding, or the error reading or
// decoding it.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	defer r.Body.Close()
	raw := &io.LimitedReader{R: r.Body, N: maxBody + 1}
	var src io.Reader = raw
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		src = zr
	case "deflate":
		br := bufio.NewReader(src)
		if h, err := br.Peek(2); err == nil && h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, err
			}
			defer zr.Close()
			src = zr
		} else {
			fr := flate.NewReader(br)
			defer fr.Close()
			src = fr
		}
	default:
		return nil, errUnsupportedEncoding
	}
	body, err := io.ReadAll(io.LimitReader(src, maxBody+1))
	if len(body) > maxBody || raw.N == 0 { // too large decoded, or as sent (whatever decoding made of the cut)
		return nil, errBodyTooLarge
	}
	return body, err
}

// capture counts r under op and records it, whole with its body when full,
// else as a line. When full it reads the body (see readBody) and restores
// it for the interceptor and the handler; it returns the body and any error
// reading it, which the caller answers after the interceptor and
// authentication. When not full the body is left unread, bounded by
// maxBody for an interceptor that reads it.
func (s *Server) capture(op string, w http.ResponseWriter, r *http.Request, full bool) ([]byte, error) {
	if c := s.counts[op]; c != nil {
		c.Add(1)
	}
	var body []byte
	var err error
	rec := Request{Op: op, Method: r.Method, Time: s.now()}
	if full {
		body, err = readBody(r)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec.Path, rec.RawPath, rec.RawQuery = r.URL.Path, r.URL.EscapedPath(), r.URL.RawQuery
		rec.Query, rec.Header = r.URL.Query(), r.Header.Clone()
		rec.Body = body
		if len(body) > maxRecordedBody {
			rec.Body, rec.Truncated = bytes.Clone(body[:maxRecordedBody]), true
		}
	} else {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		rec.Path, rec.RawPath, rec.RawQuery = clip(r.URL.Path), clip(r.URL.EscapedPath()), clip(r.URL.RawQuery)
		rec.Truncated = true
	}
	s.logMu.Lock()
	if max := s.opts.MaxRecorded; max > 0 {
		s.log = append(s.log, rec)
		s.logBytes += rec.size()
		for len(s.log) > max || (s.logBytes > s.opts.MaxRecordedBytes && len(s.log) > 1) {
			s.logBytes -= s.log[0].size()
			s.log[0] = Request{}
			s.log = s.log[1:]
		}
	}
	if op != "" {
		s.last[op] = rec
	}
	s.logMu.Unlock()
	return body, err
}

// clip cuts s to maxLine bytes.
func clip(s string) string {
	if len(s) > maxLine {
		return strings.Clone(s[:maxLine])
	}
	return s
}

// bodyError answers an error of readBody as the listener's service does.
func (s *Server) bodyError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errBodyTooLarge):
		// The rest of the body is left unread, so the connection cannot
		// carry another request.
		w.Header().Set("Connection", "close")
		s.GraphError(w, r, http.StatusRequestEntityTooLarge, "Request_EntityTooLarge", "The request body is too large.")
	case errors.Is(err, errUnsupportedEncoding):
		s.GraphError(w, r, http.StatusUnsupportedMediaType, "UnsupportedMediaType",
			"The Content-Encoding of the request is not supported; send gzip, deflate or none.")
	default:
		s.GraphError(w, r, http.StatusBadRequest, "BadRequest", "The request body could not be read or decoded.")
	}
}

// LastRequest returns the most recent request routed to op, and whether
// there was one.
func (s *Server) LastRequest(op string) (Request, bool) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	r, ok := s.last[op]
	return r, ok
}

// Recorded returns the most recent requests to either listener, oldest
// first: at most Options.MaxRecorded of them, holding at most about
// Options.MaxRecordedBytes. The token requests among them carry the
// credentials the client sent: the fake's own, never a real one.
func (s *Server) Recorded() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return append(make([]Request, 0, len(s.log)), s.log...)
}

// ResetRecorded clears the request log and LastRequest, not the counters.
func (s *Server) ResetRecorded() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	clear(s.log)
	s.log = s.log[:0]
	s.logBytes = 0
	clear(s.last)
}
