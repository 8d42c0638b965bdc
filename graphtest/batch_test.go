package graphtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// batchResult is a decoded $batch answer, by lower-cased id.
type batchResult map[string]struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func decodeBatch(t *testing.T, r response) batchResult {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var answer struct {
		Responses []struct {
			ID      string            `json:"id"`
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(r.body, &answer); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	out := batchResult{}
	for _, a := range answer.Responses {
		out[strings.ToLower(a.ID)] = struct {
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		}{a.Status, a.Headers, a.Body}
	}
	return out
}

func TestBatchServesThroughTheSingleCallHandlers(t *testing.T) {
	s := newTestServer(t, Options{Users: 3, Groups: 1})
	c := newGraphClient(t, s)
	ids := s.UserIDs()
	body := fmt.Sprintf(`{"requests":[
		{"id":"get","method":"GET","url":"/users/%s?$select=id,displayName"},
		{"id":"missing","method":"GET","url":"users/nobody"},
		{"id":"count","method":"GET","url":"/users/$count","headers":{"ConsistencyLevel":"eventual"}},
		{"id":"patch","method":"PATCH","url":"/users/%s","headers":{"Content-Type":"application/json"},"body":{"jobTitle":"Batched"}},
		{"id":"after","method":"GET","url":"/users/%s?$select=jobTitle","dependsOn":["patch"]}
	]}`, ids[0], ids[1], ids[1])
	got := decodeBatch(t, c.call(http.MethodPost, "/$batch", body))
	if len(got) != 5 {
		t.Fatalf("%d answers, want 5", len(got))
	}
	if a := got["get"]; a.Status != 200 || !strings.Contains(string(a.Body), ids[0]) || headerValue(a.Headers, "request-id") == "" {
		t.Errorf("get: %d %s %v", a.Status, a.Body, a.Headers)
	}
	if a := got["missing"]; a.Status != 404 || !strings.Contains(string(a.Body), "Request_ResourceNotFound") {
		t.Errorf("missing: %d %s", a.Status, a.Body)
	}
	if a := got["count"]; a.Status != 200 || string(a.Body) != `"Mw=="` { // base64 of "3"
		t.Errorf("count: %d %s, want the text body base64-encoded", a.Status, a.Body)
	}
	if a := got["patch"]; a.Status != 204 {
		t.Errorf("patch: %d %s", a.Status, a.Body)
	}
	if a := got["after"]; a.Status != 200 || !strings.Contains(string(a.Body), "Batched") {
		t.Errorf("after: %d %s, want the patched jobTitle", a.Status, a.Body)
	}
	if s.Requests(OpBatch) != 1 || s.Requests(OpGetUser) != 3 || s.Requests(OpUpdateUser) != 1 || s.GraphRequests() != 1 {
		t.Errorf("counts: batch %d, getUser %d, updateUser %d, HTTP %d", s.Requests(OpBatch), s.Requests(OpGetUser),
			s.Requests(OpUpdateUser), s.GraphRequests())
	}
}

func TestBatchDependentsOfAFailureGet424(t *testing.T) {
	s := newTestServer(t, Options{Users: 1})
	c := newGraphClient(t, s)
	got := decodeBatch(t, c.call(http.MethodPost, "/$batch", `{"requests":[
		{"id":"1","method":"GET","url":"/users/nobody"},
		{"id":"2","method":"GET","url":"/users","dependsOn":["1"]},
		{"id":"3","method":"GET","url":"/users","dependsOn":["2"]},
		{"id":"4","method":"GET","url":"/users"}
	]}`))
	for id, want := range map[string]int{"1": 404, "2": 424, "3": 424, "4": 200} {
		if got[id].Status != want {
			t.Errorf("%s: %d, want %d", id, got[id].Status, want)
		}
	}
	if !strings.Contains(string(got["2"].Body), "FailedDependency") {
		t.Errorf("424 body: %s", got["2"].Body)
	}
	if n := s.Requests(OpListUsers); n != 1 {
		t.Errorf("%d listUsers served, want 1 (the dependents are not)", n)
	}
}

func TestBatchThrottleKnob(t *testing.T) {
	s := newTestServer(t, Options{Users: 2})
	c := newGraphClient(t, s)
	s.ThrottleBatch(func(id string, r *http.Request) (time.Duration, bool) {
		return 2500 * time.Millisecond, id == "a"
	})
	got := decodeBatch(t, c.call(http.MethodPost, "/$batch", `{"requests":[
		{"id":"a","method":"GET","url":"/users"},
		{"id":"b","method":"GET","url":"/users","dependsOn":["a"]},
		{"id":"c","method":"GET","url":"/users"}
	]}`))
	if a := got["a"]; a.Status != 429 || a.Headers["Retry-After"] != "2.5" || !strings.Contains(string(a.Body), "TooManyRequests") {
		t.Errorf("a: %d %v %s", a.Status, a.Headers, a.Body)
	}
	if got["b"].Status != 424 || got["c"].Status != 200 {
		t.Errorf("b %d, c %d; want 424 and 200", got["b"].Status, got["c"].Status)
	}
	if n := s.Requests(OpListUsers); n != 2 {
		t.Errorf("%d listUsers counted, want 2 (a throttled, c served)", n)
	}
	s.ThrottleBatch(nil)
	if got := decodeBatch(t, c.call(http.MethodPost, "/$batch", `{"requests":[{"id":"a","method":"GET","url":"/users"}]}`)); got["a"].Status != 200 {
		t.Errorf("after removing the knob: %d", got["a"].Status)
	}
}

func TestBatchBadRequests(t *testing.T) {
	s := newTestServer(t, Options{Users: 1})
	c := newGraphClient(t, s)
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf(`{"id":"%d","method":"GET","url":"/users"}`, i)
	}
	tests := []struct {
		name, body, want string
	}{
		{"more than 20", `{"requests":[` + strings.Join(many, ",") + `]}`, "exceeds the maximum of 20"},
		{"duplicate ids", `{"requests":[{"id":"a","method":"GET","url":"/users"},{"id":"A","method":"GET","url":"/users"}]}`, "unique"},
		{"body without headers", `{"requests":[{"id":"1","method":"POST","url":"/users","body":{"displayName":"x"}}]}`,
			"Write request id : 1 does not contain Content-Type header or body."},
		{"write without body", `{"requests":[{"id":"1","method":"PATCH","url":"/users/x","headers":{"Content-Type":"application/json"}}]}`,
			"does not contain Content-Type header or body"},
		{"not a batch", `[]`, "Invalid batch payload format."},
		{"no id", `{"requests":[{"method":"GET","url":"/users"}]}`, "needs an id"},
		{"absolute url", `{"requests":[{"id":"1","method":"GET","url":"https://graph.microsoft.com/v1.0/users"}]}`, "relative"},
		{"unknown dependency", `{"requests":[{"id":"1","method":"GET","url":"/users","dependsOn":["9"]}]}`, "not a request of the batch"},
		{"cycle", `{"requests":[{"id":"0","method":"GET","url":"/users"},{"id":"1","method":"GET","url":"/users","dependsOn":["2"]},{"id":"2","method":"GET","url":"/users","dependsOn":["1"]}]}`, "cycle"},
		{"nested batch", `{"requests":[{"id":"1","method":"POST","url":"/$batch","headers":{"Content-Type":"application/json"},"body":{"requests":[]}}]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.call(http.MethodPost, "/$batch", tt.body)
			if tt.want == "" { // refused inside: the nested $batch answers 400 on its own
				if got := decodeBatch(t, r); got["1"].Status != 400 {
					t.Errorf("nested: %d %s", got["1"].Status, got["1"].Body)
				}
				return
			}
			code, msg := graphErr(t, r)
			if r.status != 400 || code != "BadRequest" || !strings.Contains(msg, tt.want) {
				t.Errorf("%d %s %q, want 400 BadRequest saying %q", r.status, code, msg, tt.want)
			}
		})
	}
	if n := s.Requests(OpListUsers); n != 0 {
		t.Errorf("%d requests of refused batches were served", n)
	}
}

func TestBatchNeedsAToken(t *testing.T) {
	s := newTestServer(t, Options{Users: 1})
	r := do(t, http.MethodPost, s.GraphURL+"/$batch", map[string]string{"Content-Type": "application/json"},
		`{"requests":[{"id":"1","method":"GET","url":"/users"}]}`)
	if code, _ := graphErr(t, r); r.status != 401 || code != "InvalidAuthenticationToken" {
		t.Errorf("%d %s, want 401", r.status, code)
	}
	if n := s.Requests(OpListUsers); n != 0 {
		t.Errorf("%d served without a token", n)
	}
}
