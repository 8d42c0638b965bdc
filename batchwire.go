package graph

// This file is the wire format of JSON batching: how one *http.Request becomes an entry of a $batch
// body, and how the $batch answer is read back. Batch.go schedules; nothing else knows the format.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// maxBatchSize is how many requests Graph accepts in one $batch.
const maxBatchSize = 20

// maxBatchBytes is Graph's limit on the body of a $batch: requests are packed to stay under it.
const maxBatchBytes = 4 << 20

// maxBatchItemBody caps the body of one batched request, leaving room in its $batch for the rest of
// the entry.
const maxBatchItemBody = maxBatchBytes - 64<<10

// size estimates the bytes w takes in a $batch body, from above.
func (w *wireRequest) size() int {
	n := 64 + len(w.ID) + len(w.Method) + len(w.URL) + len(w.Body)
	for k, v := range w.Headers {
		n += 8 + len(k) + len(v)
	}
	return n
}

// wireRequest is one entry of a $batch body's "requests".
type wireRequest struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	DependsOn []string          `json:"dependsOn,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
}

// wireResponse is one entry of a $batch answer's "responses".
type wireResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// skippedHeaders are the headers of a request that do not travel inside a batch: the outer request
// carries the token and the client's identity, and lengths and encodings are the outer body's.
var skippedHeaders = map[string]bool{
	"Authorization": true, "User-Agent": true, "Content-Length": true, "Accept-Encoding": true,
	"Connection": true, "Host": true, clientRequestIDKey: true,
}

// toWire turns req into a batch entry with id. base is the client's base URL (with a trailing slash):
// req must address a path under it, or be a relative URL such as "/users/x", taken as relative to it.
// The body, if any, is read (req.GetBody is preferred, so req stays usable) and embedded: as JSON when
// the Content-Type says JSON, else base64-encoded, as Graph expects.
func toWire(id string, req *http.Request, base string) (wireRequest, error) {
	w := wireRequest{ID: id, Method: req.Method}
	if w.Method == "" {
		w.Method = http.MethodGet
	}
	u := req.URL
	if u == nil {
		return w, errors.New("the request has no URL")
	}
	var rel string
	if u.Scheme == "" && u.Host == "" {
		rel = u.EscapedPath()
		if !strings.HasPrefix(rel, "/") {
			rel = "/" + rel
		}
	} else {
		full := u.Scheme + "://" + u.Host + u.EscapedPath()
		if len(full) < len(base) || !strings.EqualFold(full[:len(base)], base) {
			return w, errors.New("the request's URL is not under the client's base URL")
		}
		rel = "/" + full[len(base):]
	}
	if u.RawQuery != "" {
		rel += "?" + u.RawQuery
	}
	w.URL = rel

	for k, vs := range req.Header {
		if skippedHeaders[http.CanonicalHeaderKey(k)] || len(vs) == 0 {
			continue
		}
		if w.Headers == nil {
			w.Headers = make(map[string]string, len(req.Header))
		}
		w.Headers[k] = strings.Join(vs, ", ")
	}

	body, err := readBody(req)
	if err != nil {
		return w, err
	}
	if len(body) == 0 {
		return w, nil
	}
	ct := req.Header.Get("Content-Type")
	switch {
	case ct == "":
		return w, errors.New("a request with a body needs a Content-Type header")
	case isJSON(ct):
		if !json.Valid(body) {
			return w, errors.New("the request's body is not valid JSON")
		}
		w.Body = body
	default:
		w.Body, _ = json.Marshal(base64.StdEncoding.EncodeToString(body))
	}
	return w, nil
}

// readBody returns req's body without consuming req when it can be replayed.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	rc := req.Body
	if req.GetBody != nil {
		var err error
		if rc, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxBatchItemBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBatchItemBody {
		return nil, errors.New("the request's body is larger than a batch can carry")
	}
	return b, nil
}

// batchBody encodes a $batch body.
func batchBody(reqs []wireRequest) ([]byte, error) {
	return json.Marshal(struct {
		Requests []wireRequest `json:"requests"`
	}{reqs})
}

// errBatchAnswer is the reason given for a $batch answer that is not {"responses": [...]}.
var errBatchAnswer = errors.New("the body is not a $batch answer")

// parseBatchResponse reads a $batch answer: {"responses": [{id, status, headers, body}, ...]}. It
// never panics; an answer that is not JSON, has no responses array, or holds an entry without an id
// or with a status outside 100-599 is errBatchAnswer (or a JSON error).
func parseBatchResponse(data []byte) ([]wireResponse, error) {
	var answer struct {
		Responses *[]wireResponse `json:"responses"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return nil, err
	}
	if answer.Responses == nil {
		return nil, errBatchAnswer
	}
	for _, r := range *answer.Responses {
		if r.ID == "" || r.Status < 100 || r.Status > 599 {
			return nil, errBatchAnswer
		}
	}
	return *answer.Responses, nil
}

// header returns the entry's headers as an http.Header with canonical keys.
func (r *wireResponse) header() http.Header {
	h := make(http.Header, len(r.Headers))
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	return h
}

// body returns the entry's body as the caller would have read it from a single call: JSON as sent, a
// string body of a non-JSON Content-Type base64-decoded (as Graph encodes it), nil for none.
func (r *wireResponse) body(h http.Header) []byte {
	b := bytes.TrimSpace(r.Body)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil
	}
	if b[0] == '"' && !isJSON(h.Get("Content-Type")) {
		var s string
		if json.Unmarshal(b, &s) == nil {
			if raw, err := base64.StdEncoding.DecodeString(s); err == nil {
				return raw
			}
			return []byte(s)
		}
	}
	return b
}
