package graphtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBatchRequests is how many requests Graph accepts in one $batch.
const maxBatchRequests = 20

// BatchThrottle chooses requests inside a $batch for the fake to throttle. It is called with each
// request's id and the request as the fake is about to serve it; it returns the Retry-After to
// answer 429 TooManyRequests with and true, or false to serve the request normally.
type BatchThrottle func(id string, r *http.Request) (retryAfter time.Duration, throttle bool)

// ThrottleBatch installs fn to throttle chosen requests inside $batch requests, replacing any
// previous one; nil removes it. A throttled request is counted and recorded under its operation like
// a served one, and its dependents get 424, as Graph does.
func (s *Server) ThrottleBatch(fn BatchThrottle) {
	if fn == nil {
		s.batchThrottle.Store(nil)
		return
	}
	s.batchThrottle.Store(&fn)
}

// batchStep is one entry of a $batch body.
type batchStep struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	DependsOn []string          `json:"dependsOn"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
}

// batchAnswer is one entry of a $batch answer.
type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// serveBatch implements POST /$batch: each request is served by the same handlers as a single call
// (counted, recorded and intercepted like one), those without dependsOn in parallel, the others
// after what they depend on, with 424 when that failed. The answers come back in the order they
// complete, as Graph's may come in any order.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request, body []byte) {
	var payload struct {
		Requests []batchStep `json:"requests"`
	}
	if err := json.Unmarshal(body, &payload); err != nil || payload.Requests == nil {
		s.GraphError(w, r, http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
		return
	}
	steps := payload.Requests
	if len(steps) > maxBatchRequests {
		s.GraphError(w, r, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("The number of requests in the batch (%d) exceeds the maximum of %d.", len(steps), maxBatchRequests))
		return
	}
	index := make(map[string]int, len(steps)) // lower-cased id -> position
	for i, st := range steps {
		switch {
		case st.ID == "" || st.Method == "" || st.URL == "":
			s.GraphError(w, r, http.StatusBadRequest, "BadRequest", "Each request of a batch needs an id, a method and a url.")
			return
		case strings.HasPrefix(strings.ToLower(st.URL), "http:") || strings.HasPrefix(strings.ToLower(st.URL), "https:"):
			s.GraphError(w, r, http.StatusBadRequest, "BadRequest", "Request id "+st.ID+": the url must be relative to the version, such as /users.")
			return
		}
		key := strings.ToLower(st.ID)
		if _, dup := index[key]; dup {
			s.GraphError(w, r, http.StatusBadRequest, "BadRequest", "Batch request ids must be unique; "+st.ID+" appears more than once.")
			return
		}
		index[key] = i
		hasBody := len(bytes.TrimSpace(st.Body)) > 0 && !bytes.Equal(bytes.TrimSpace(st.Body), []byte("null"))
		write := st.Method == http.MethodPost || st.Method == http.MethodPatch || st.Method == http.MethodPut
		if (hasBody || write) && (!hasBody || headerValue(st.Headers, "Content-Type") == "") {
			s.GraphError(w, r, http.StatusBadRequest, "BadRequest",
				"Write request id : "+st.ID+" does not contain Content-Type header or body.")
			return
		}
	}
	deps := make([][]int, len(steps))
	for i, st := range steps {
		for _, d := range st.DependsOn {
			j, ok := index[strings.ToLower(d)]
			if !ok || j == i {
				s.GraphError(w, r, http.StatusBadRequest, "BadRequest",
					"Request id "+st.ID+" depends on "+strconv.Quote(d)+", which is not a request of the batch.")
				return
			}
			deps[i] = append(deps[i], j)
		}
	}
	if hasCycle(deps) {
		s.GraphError(w, r, http.StatusBadRequest, "BadRequest", "The dependencies of the batch's requests form a cycle.")
		return
	}

	// Serve in waves: every request whose dependencies have all been answered, in parallel.
	status := make([]int, len(steps)) // 0 until answered
	var mu sync.Mutex                 // guards answers, appended to as requests complete
	answers := make([]batchAnswer, 0, len(steps))
	for left := len(steps); left > 0; {
		var wave []int
		for i := range steps {
			if status[i] != 0 {
				continue
			}
			ready := true
			for _, j := range deps[i] {
				ready = ready && status[j] != 0
			}
			if ready {
				wave = append(wave, i)
			}
		}
		results := make([]batchAnswer, len(wave))
		var wg sync.WaitGroup
		for n, i := range wave {
			failed := false
			for _, j := range deps[i] {
				failed = failed || status[j] < 200 || status[j] > 299
			}
			if failed {
				results[n] = s.failedDependency(r, steps[i])
				mu.Lock()
				answers = append(answers, results[n])
				mu.Unlock()
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := s.serveStep(r, steps[i])
				results[n] = a
				mu.Lock()
				answers = append(answers, a)
				mu.Unlock()
			}()
		}
		wg.Wait()
		for n, i := range wave {
			status[i] = results[n].Status
		}
		left -= len(wave)
	}
	s.writeOData(w, r, http.StatusOK, struct {
		Responses []batchAnswer `json:"responses"`
	}{answers})
}

// hasCycle reports whether the dependencies deps (positions each request depends on) form a cycle,
// checked before anything is served, as Graph refuses such a batch whole.
func hasCycle(deps [][]int) bool {
	done := make([]bool, len(deps))
	for left := len(deps); left > 0; {
		progress := false
		for i := range deps {
			if done[i] {
				continue
			}
			ready := true
			for _, j := range deps[i] {
				ready = ready && done[j]
			}
			if ready {
				done[i], progress = true, true
				left--
			}
		}
		if !progress {
			return true
		}
	}
	return false
}

// failedDependency is Graph's answer to a request whose dependency failed: it is not served.
func (s *Server) failedDependency(r *http.Request, st batchStep) batchAnswer {
	rec := httptest.NewRecorder()
	s.GraphError(rec, r, http.StatusFailedDependency, "FailedDependency",
		"The request was not run because a request it depends on failed.")
	return answerOf(st.ID, rec)
}

// serveStep serves one request of a $batch through serveGraph, with the outer request's token.
func (s *Server) serveStep(outer *http.Request, st batchStep) batchAnswer {
	u := st.URL
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	var body []byte
	if b := bytes.TrimSpace(st.Body); len(b) > 0 && !bytes.Equal(b, []byte("null")) {
		body = b
		if b[0] == '"' && !strings.Contains(strings.ToLower(headerValue(st.Headers, "Content-Type")), "json") {
			var str string
			_ = json.Unmarshal(b, &str)
			if raw, err := base64.StdEncoding.DecodeString(str); err == nil {
				body = raw
			}
		}
	}
	rec := httptest.NewRecorder()
	inner, err := http.NewRequestWithContext(outer.Context(), st.Method, "/v1.0"+u, bytes.NewReader(body))
	if err != nil {
		s.GraphError(rec, outer, http.StatusBadRequest, "BadRequest", "Invalid request URL.")
		return answerOf(st.ID, rec)
	}
	inner.Host, inner.RemoteAddr = outer.Host, outer.RemoteAddr
	for k, v := range st.Headers {
		inner.Header.Set(k, v)
	}
	inner.Header.Set("Authorization", outer.Header.Get("Authorization"))
	op := Operation(inner)
	if op == OpBatch {
		s.GraphError(rec, inner, http.StatusBadRequest, "BadRequest", "A batch cannot hold another batch.")
		return answerOf(st.ID, rec)
	}
	if fn := s.batchThrottle.Load(); fn != nil {
		if after, ok := (*fn)(st.ID, inner); ok {
			_, _ = s.capture(op, rec, inner, true)
			rec.Header().Set("Retry-After", strconv.FormatFloat(after.Seconds(), 'f', -1, 64))
			s.GraphError(rec, inner, http.StatusTooManyRequests, "TooManyRequests",
				"Too many requests (throttled by graphtest).")
			return answerOf(st.ID, rec)
		}
	}
	s.serveGraph(rec, inner)
	return answerOf(st.ID, rec)
}

// answerOf turns a recorded answer into a $batch entry: its status, its headers (those of the
// connection left out), and its body as JSON, or base64 for any other content.
func answerOf(id string, rec *httptest.ResponseRecorder) batchAnswer {
	a := batchAnswer{ID: id, Status: rec.Code}
	for k, vs := range rec.Header() {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Date", "Strict-Transport-Security", "X-Ms-Ags-Diagnostic":
			continue
		}
		if a.Headers == nil {
			a.Headers = make(map[string]string)
		}
		a.Headers[k] = strings.Join(vs, ", ")
	}
	body := rec.Body.Bytes()
	switch {
	case len(body) == 0:
	case strings.Contains(strings.ToLower(rec.Header().Get("Content-Type")), "json") && json.Valid(body):
		a.Body = body
	default:
		a.Body = marshal(base64.StdEncoding.EncodeToString(body))
	}
	return a
}

// headerValue looks a header up in a $batch entry's headers, ignoring case.
func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
