package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/gen"
	"github.com/typedgraph/graph/graphtest"
)

// newBatchClient returns a client of fake with MaxConcurrentRequests 4.
func newBatchClient(t testing.TB, fake *graphtest.Server) *graph.Client {
	t.Helper()
	client, err := graph.NewClient(graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL, MaxConcurrentRequests: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// getUsers returns a batched getUser for each id, the id as the request's ID.
func getUsers(t testing.TB, client *graph.Client, ids []string) []graph.BatchRequest {
	t.Helper()
	reqs := make([]graph.BatchRequest, len(ids))
	for i, id := range ids {
		req, err := gen.NewGetUserRequest(client.BaseURL(), id, nil)
		if err != nil {
			t.Fatal(err)
		}
		reqs[i] = graph.BatchRequest{ID: id, Request: req}
	}
	return reqs
}

func TestBatchThousandGetUsers(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 1000})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake)
	ids := fake.UserIDs()
	resps, err := client.Batch(context.Background(), getUsers(t, client, ids))
	if err != nil {
		t.Fatal(err)
	}
	if n := fake.GraphRequests(); n != 50 {
		t.Errorf("%d HTTP requests to Graph, want 50", n)
	}
	if n, m := fake.Requests(graphtest.OpBatch), fake.Requests(graphtest.OpGetUser); n != 50 || m != 1000 {
		t.Errorf("%d $batch and %d getUser requests, want 50 and 1000", n, m)
	}
	if len(resps) != len(ids) {
		t.Fatalf("%d responses for %d requests", len(resps), len(ids))
	}
	for i, r := range resps {
		u, err := graph.Decode[graph.User](r)
		if err != nil || r.ID != ids[i] || u.ID == nil || *u.ID != ids[i] || r.Attempts != 1 {
			t.Fatalf("response %d: id %q, user %v, attempts %d, err %v; want user %s", i, r.ID, u.ID, r.Attempts, err, ids[i])
		}
		if name, _ := u.DisplayName.Get(); name == "" {
			t.Fatalf("response %d: user without displayName", i)
		}
	}
}

// fakeClock is a clock that only the test's sleeps move; graphtest and the client's retry waits
// share it.
type fakeClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func TestBatchThrottledItemsWaitTheirOwnRetryAfter(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	fake := graphtest.NewServer(graphtest.Options{Users: 200, Now: clock.Now})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake)
	graph.SetSleep(client, clock.sleep)

	ids := fake.UserIDs()
	var mu sync.Mutex // guards seen
	seen := map[string][]time.Time{}
	retryAfter := map[string]time.Duration{}
	for i, id := range ids {
		if i%4 == 1 { // five in every $batch of twenty
			retryAfter[id] = time.Duration(1+i%7) * 500 * time.Millisecond
		}
	}
	fake.ThrottleBatch(func(id string, r *http.Request) (time.Duration, bool) {
		mu.Lock()
		defer mu.Unlock()
		seen[id] = append(seen[id], clock.Now())
		d, ok := retryAfter[id]
		return d, ok && len(seen[id]) == 1 // throttled the first time only
	})
	resps, err := client.Batch(context.Background(), getUsers(t, client, ids))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range resps {
		u, err := graph.Decode[graph.User](r)
		if err != nil || *u.ID != ids[i] {
			t.Fatalf("%s: %v", ids[i], err)
		}
		d, throttled := retryAfter[r.ID]
		times := seen[r.ID]
		switch {
		case !throttled && (r.Attempts != 1 || len(times) != 1):
			t.Errorf("%s: %d attempts, want 1", r.ID, r.Attempts)
		case throttled && (r.Attempts != 2 || len(times) != 2):
			t.Errorf("%s: %d attempts (%d seen), want 2", r.ID, r.Attempts, len(times))
		case throttled && times[1].Sub(times[0]) < d:
			t.Errorf("%s: retried after %v, before its Retry-After %v", r.ID, times[1].Sub(times[0]), d)
		}
	}
	if n := fake.Requests(graphtest.OpGetUser); n != len(ids)+len(retryAfter) {
		t.Errorf("%d getUser requests, want %d", n, len(ids)+len(retryAfter))
	}
}

func TestBatchRetriesWithinPolicy(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 3})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake)
	sleeper := &fakeSleep{}
	graph.SetSleep(client, sleeper.sleep)
	ids := fake.UserIDs()
	fake.ThrottleBatch(func(id string, r *http.Request) (time.Duration, bool) {
		return time.Second, id == ids[1] // always
	})
	ctx := graph.WithRetryPolicy(context.Background(), graph.RetryPolicy{MaxRetries: 2})
	resps, err := client.Batch(ctx, getUsers(t, client, ids))
	if err != nil {
		t.Fatal(err)
	}
	var gerr *graph.Error
	if !errors.As(resps[1].Err, &gerr) || gerr.StatusCode != 429 || gerr.Code != "TooManyRequests" || gerr.RequestID == "" || gerr.Attempts != 3 {
		t.Fatalf("throttled item: %#v", resps[1].Err)
	}
	if resps[0].Err != nil || resps[2].Err != nil {
		t.Errorf("others: %v, %v", resps[0].Err, resps[2].Err)
	}
	if got := sleeper.total(); got != 2*time.Second {
		t.Errorf("waited %v, want 2s (two Retry-After of 1s)", got)
	}
}

func TestBatchChainFailureStopsDependents(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 5})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake)
	reqs := getUsers(t, client, append([]string{"no-such-user"}, fake.UserIDs()...))
	for i := 1; i < len(reqs); i++ {
		reqs[i].DependsOn = []string{reqs[i-1].ID}
	}
	resps, err := client.Batch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	var gerr *graph.Error
	if !errors.As(resps[0].Err, &gerr) || gerr.StatusCode != 404 || gerr.Code != "Request_ResourceNotFound" || gerr.RequestID == "" || gerr.Message == "" {
		t.Fatalf("first: %#v", resps[0].Err)
	}
	for _, r := range resps[1:] {
		if !errors.As(r.Err, &gerr) || r.StatusCode != http.StatusFailedDependency || gerr.StatusCode != http.StatusFailedDependency {
			t.Errorf("%s: status %d, err %v; want 424", r.ID, r.StatusCode, r.Err)
		}
	}
	if n := fake.Requests(graphtest.OpGetUser); n != 1 {
		t.Errorf("%d getUser requests served, want 1 (the dependents are not sent)", n)
	}
	if n := fake.Requests(graphtest.OpBatch); n != 1 {
		t.Errorf("%d $batch requests, want 1", n)
	}
}

func TestBatchChainResumesAfterThrottle(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 4})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake)
	graph.SetSleep(client, (&fakeSleep{}).sleep)
	ids := fake.UserIDs()
	reqs := getUsers(t, client, ids)
	for i := 1; i < len(reqs); i++ {
		reqs[i].DependsOn = []string{reqs[i-1].ID}
	}
	var once sync.Once
	fake.ThrottleBatch(func(id string, r *http.Request) (d time.Duration, hit bool) {
		if id == ids[1] {
			once.Do(func() { hit = true })
		}
		return time.Second, hit
	})
	resps, err := client.Batch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range resps {
		want := 2
		if i == 0 {
			want = 1
		}
		if r.Err != nil || r.Attempts != want {
			t.Errorf("%s: attempts %d, err %v; want %d and success", r.ID, r.Attempts, r.Err, want)
		}
	}
	if n := fake.Requests(graphtest.OpGetUser); n != 5 {
		t.Errorf("%d getUser requests, want 5 (4, and the throttled one again)", n)
	}
}

func TestBatch401RefreshesOnceAndReplays(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 3})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake)
	ctx := context.Background()
	if _, err := client.Batch(ctx, getUsers(t, client, fake.UserIDs())); err != nil {
		t.Fatal(err)
	}
	tokens, batches := fake.TokenRequests(), fake.Requests(graphtest.OpBatch)
	fake.RevokeTokens()
	resps, err := client.Batch(ctx, getUsers(t, client, fake.UserIDs()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resps {
		if r.Err != nil {
			t.Errorf("%s: %v", r.ID, r.Err)
		}
	}
	if n := fake.TokenRequests() - tokens; n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	if n := fake.Requests(graphtest.OpBatch) - batches; n != 2 {
		t.Errorf("%d $batch requests, want 2 (the 401 and the replay)", n)
	}
}

func TestBatchRefusedBeforeSending(t *testing.T) {
	f := newFakeGraph(t, okPage)
	c := newTestClient(t, f.URL+"/v1.0")
	get := func(id string, deps ...string) graph.BatchRequest {
		req, err := gen.NewGetUserRequest(c.BaseURL(), "u"+id, nil)
		if err != nil {
			t.Fatal(err)
		}
		return graph.BatchRequest{ID: id, Request: req, DependsOn: deps}
	}
	chain := func(n int) []graph.BatchRequest {
		reqs := []graph.BatchRequest{get("0")}
		for i := 1; i < n; i++ {
			reqs = append(reqs, get(strconv.Itoa(i), strconv.Itoa(i-1)))
		}
		return reqs
	}
	foreign, _ := http.NewRequest("GET", "https://evil.example/v1.0/users", nil)
	noType, _ := http.NewRequest("POST", c.BaseURL()+"users", strings.NewReader(`{}`))
	badJSON, _ := http.NewRequest("POST", c.BaseURL()+"users", strings.NewReader(`{`))
	badJSON.Header.Set("Content-Type", "application/json")
	tests := []struct {
		name   string
		reqs   []graph.BatchRequest
		id     string
		reason string
	}{
		{"chain of 21", chain(21), "0", "chain of 21"},
		{"duplicate ids", []graph.BatchRequest{get("a"), get("A")}, "A", "duplicate"},
		{"duplicate with a position", []graph.BatchRequest{get(""), get("1")}, "1", "duplicate"},
		{"cycle", []graph.BatchRequest{get("a", "c"), get("b", "a"), get("c", "b")}, "a", "cycle"},
		{"fan-out", []graph.BatchRequest{get("a"), get("b", "a"), get("c", "a")}, "c", "sequence or fully in parallel"},
		{"fan-in", []graph.BatchRequest{get("a"), get("b"), get("c", "a", "b")}, "c", "more than one"},
		{"unknown dependency", []graph.BatchRequest{get("a", "z")}, "a", "unknown"},
		{"self", []graph.BatchRequest{get("a", "A")}, "a", "itself"},
		{"nil request", []graph.BatchRequest{{ID: "x"}}, "x", "nil"},
		{"foreign host", []graph.BatchRequest{{ID: "x", Request: foreign}}, "x", "base URL"},
		{"body without Content-Type", []graph.BatchRequest{{ID: "x", Request: noType}}, "x", "Content-Type"},
		{"body not JSON", []graph.BatchRequest{{ID: "x", Request: badJSON}}, "x", "JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resps, err := c.Batch(context.Background(), tt.reqs)
			var ierr *graph.InvalidBatchError
			if !errors.As(err, &ierr) || ierr.ID != tt.id || !strings.Contains(err.Error(), tt.reason) || resps != nil {
				t.Fatalf("err = %v, want an *InvalidBatchError for %q saying %q", err, tt.id, tt.reason)
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	// Twenty in a chain is fine: one $batch.
	if _, err := c.Batch(context.Background(), chain(20)); err == nil || errors.As(err, new(*graph.InvalidBatchError)) {
		t.Errorf("chain of 20: err = %v, want the fake's non-batch answer", err)
	}
}

func TestBatchOuterErrorIsTyped(t *testing.T) {
	f := newFakeGraph(t, status(400))
	c := newTestClient(t, f.URL+"/v1.0")
	req, _ := gen.NewGetUserRequest(c.BaseURL(), "u1", nil)
	resps, err := c.Batch(context.Background(), []graph.BatchRequest{{Request: req}})
	var gerr *graph.Error
	if !errors.As(err, &gerr) || gerr.StatusCode != 400 || gerr.Path != "/v1.0/$batch" {
		t.Fatalf("err = %v, want a 400 *graph.Error for the $batch", err)
	}
	if len(resps) != 1 || resps[0].ID != "1" || !errors.As(resps[0].Err, &gerr) {
		t.Errorf("responses %+v, want the item to carry the error", resps)
	}
}

func TestBatchCancelEndsWaits(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 2})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake)
	ctx, cancel := context.WithCancel(context.Background())
	graph.SetSleep(client, func(context.Context, time.Duration) error { cancel(); return ctx.Err() })
	ids := fake.UserIDs()
	fake.ThrottleBatch(func(id string, r *http.Request) (time.Duration, bool) { return time.Minute, id == ids[0] })
	resps, err := client.Batch(ctx, getUsers(t, client, ids))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var gerr *graph.Error
	if !errors.Is(resps[0].Err, context.Canceled) || !errors.As(resps[0].Err, &gerr) || gerr.StatusCode != 429 {
		t.Errorf("throttled item: %v, want its 429 and the cancellation", resps[0].Err)
	}
	if resps[1].Err != nil {
		t.Errorf("other item: %v", resps[1].Err)
	}
}

func TestBatchNonJSONBody(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 7})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake)
	req, err := gen.NewCountUsersRequest(client.BaseURL(), &graph.CountUsersParams{ConsistencyLevel: graph.Ptr(graph.ConsistencyEventual)})
	if err != nil {
		t.Fatal(err)
	}
	resps, err := client.Batch(context.Background(), []graph.BatchRequest{{ID: "count", Request: req}})
	if err != nil || resps[0].Err != nil {
		t.Fatal(err, resps[0].Err)
	}
	if got := strings.TrimPrefix(string(resps[0].Body), "\ufeff"); got != "7" {
		t.Errorf("body %q, want 7", got)
	}
	if _, err := graph.Decode[int](resps[0]); err == nil {
		t.Error("Decode of a text body succeeded")
	}
}

func TestBatchLogsThrottling(t *testing.T) {
	var buf bytes.Buffer
	fake := graphtest.NewServer(graphtest.Options{Users: 2})
	t.Cleanup(fake.Close)
	client, err := graph.NewClient(graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL,
		Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	graph.SetSleep(client, (&fakeSleep{}).sleep)
	ids := fake.UserIDs()
	var once sync.Once
	fake.ThrottleBatch(func(id string, r *http.Request) (d time.Duration, hit bool) {
		if id == "second" {
			once.Do(func() { hit = true })
		}
		return 3 * time.Second, hit
	})
	reqs := getUsers(t, client, ids)
	reqs[1].ID = "second"
	if _, err := client.Batch(context.Background(), reqs); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "graph: throttled") || !strings.Contains(out, "batch_id=second") ||
		!strings.Contains(out, "retry_after=3s") || !strings.Contains(out, "path=/v1.0/users/"+ids[1]) {
		t.Errorf("log lacks the throttled request:\n%s", out)
	}
	for _, secret := range []string{fake.ClientSecret, "eyJ", "Bearer"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}

func TestBatchParallelWithinMaxConcurrentRequests(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 200})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake) // MaxConcurrentRequests 4
	var mu sync.Mutex                 // guards inFlight and most
	inFlight, most := 0, 0
	two := make(chan struct{})
	var once sync.Once
	fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		if graphtest.Operation(r) != graphtest.OpBatch {
			return false
		}
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		if inFlight >= 2 {
			once.Do(func() { close(two) })
		}
		mu.Unlock()
		select { // hold the first until a second arrives, so that parallel sending shows
		case <-two:
		case <-time.After(10 * time.Second):
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		return false
	})
	resps, err := client.Batch(context.Background(), getUsers(t, client, fake.UserIDs()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resps {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if most < 2 || most > 4 {
		t.Errorf("at most %d $batch requests in flight, want 2 to 4", most)
	}
}

func TestBatchMalformedAnswer(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reply http.HandlerFunc
	}{
		{"HTML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>proxy</html>"))
		}},
		{"no responses", jsonReply(200, `{"value":[]}`)},
		{"truncated", jsonReply(200, `{"responses":[{"id":"1","status":200,"body":{`)},
		{"bad status", jsonReply(200, `{"responses":[{"id":"1","status":1000}]}`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, tt.reply)
			c := newTestClient(t, f.URL+"/v1.0")
			req, _ := gen.NewGetUserRequest(c.BaseURL(), "u1", nil)
			resps, err := c.Batch(context.Background(), []graph.BatchRequest{{Request: req}})
			var uerr *graph.UnexpectedResponseError
			if !errors.As(err, &uerr) || uerr.StatusCode != 200 || len(resps) != 1 || !errors.As(resps[0].Err, &uerr) {
				t.Fatalf("err = %v, responses %+v; want an *UnexpectedResponseError for both", err, resps)
			}
		})
	}
	// An answer that leaves a request out: that request alone fails.
	f := newFakeGraph(t, jsonReply(200, `{"responses":[{"id":"1","status":200,"headers":{"Content-Type":"application/json"},"body":{"id":"u1"}}]}`))
	c := newTestClient(t, f.URL+"/v1.0")
	r1, _ := gen.NewGetUserRequest(c.BaseURL(), "u1", nil)
	r2, _ := gen.NewGetUserRequest(c.BaseURL(), "u2", nil)
	resps, err := c.Batch(context.Background(), []graph.BatchRequest{{Request: r1}, {Request: r2}})
	var uerr *graph.UnexpectedResponseError
	if err != nil || resps[0].Err != nil || !errors.As(resps[1].Err, &uerr) {
		t.Fatalf("err %v, responses %+v", err, resps)
	}
}

// echoBatch answers a $batch with 204 for each of its requests.
func echoBatch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Requests []struct {
			ID string `json:"id"`
		} `json:"requests"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var out struct {
		Responses []map[string]any `json:"responses"`
	}
	for _, q := range in.Requests {
		out.Responses = append(out.Responses, map[string]any{"id": q.ID, "status": 204})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func TestBatchStaysUnderFourMegabytes(t *testing.T) {
	f := newFakeGraph(t, echoBatch)
	c := newTestClient(t, f.URL+"/v1.0")
	big := graph.User{AboutMe: graph.Value(strings.Repeat("x", 1<<20))}
	update := func(deps ...string) graph.BatchRequest {
		req, err := gen.NewUpdateUserRequest(c.BaseURL(), "u1", big)
		if err != nil {
			t.Fatal(err)
		}
		return graph.BatchRequest{Request: req, DependsOn: deps}
	}
	reqs := []graph.BatchRequest{update(), update(), update(), update(), update()}
	resps, err := c.Batch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resps {
		if r.Err != nil || r.StatusCode != 204 {
			t.Fatalf("%s: %d %v", r.ID, r.StatusCode, r.Err)
		}
	}
	sent := f.requests()
	if len(sent) != 2 {
		t.Errorf("%d $batch requests for 5 MB, want 2", len(sent))
	}
	for _, s := range sent {
		if len(s.Body) > 4<<20 {
			t.Errorf("a $batch of %d bytes", len(s.Body))
		}
	}
	chain := []graph.BatchRequest{update(), update("1"), update("2"), update("3"), update("4")}
	var ierr *graph.InvalidBatchError
	if _, err := c.Batch(context.Background(), chain); !errors.As(err, &ierr) || ierr.ID != "1" {
		t.Errorf("a 5 MB chain: err = %v, want an *InvalidBatchError", err)
	}
	if len(f.requests()) != 2 {
		t.Error("the chain was sent")
	}
}

func TestBatchItemErrorsNeverCarryTheToken(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		echo, _ := json.Marshal(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) // a hostile or broken peer echoes the token
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"responses":[{"id":"1","status":400,"headers":{"request-id":` + string(echo) +
			`,"Content-Type":"application/json"},"body":{"error":{"code":"BadRequest","message":` + string(echo) + `}}}]}`))
	})
	c := newTestClient(t, f.URL+"/v1.0")
	req, _ := gen.NewGetUserRequest(c.BaseURL(), "u1", nil)
	resps, err := c.Batch(context.Background(), []graph.BatchRequest{{Request: req}})
	if err != nil {
		t.Fatal(err)
	}
	var gerr *graph.Error
	if !errors.As(resps[0].Err, &gerr) || gerr.StatusCode != 400 {
		t.Fatalf("err = %v", resps[0].Err)
	}
	if msg := fmt.Sprintf("%v %+v", gerr, *gerr); strings.Contains(msg, testToken) {
		t.Errorf("the error carries the token: %s", msg)
	}
}

func TestBatchGenericRequests(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 3})
	t.Cleanup(fake.Close)
	client := newBatchClient(t, fake)
	ctx := context.Background()
	ids := fake.UserIDs()
	get, err := client.NewRequest(ctx, http.MethodGet, graph.Path("users", ids[0]), url.Values{"$select": {"id,displayName"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	patch, err := client.NewRequest(ctx, http.MethodPatch, graph.Path("users", ids[1]), nil, map[string]string{"jobTitle": "Batched"})
	if err != nil {
		t.Fatal(err)
	}
	count, err := client.NewRequest(ctx, http.MethodGet, "users/$count", nil, nil, graph.WithHeader("ConsistencyLevel", graph.ConsistencyEventual))
	if err != nil {
		t.Fatal(err)
	}
	resps, err := client.Batch(ctx, []graph.BatchRequest{{ID: "get", Request: get}, {ID: "patch", Request: patch}, {ID: "count", Request: count}})
	if err != nil {
		t.Fatal(err)
	}
	type who struct{ ID, DisplayName string }
	if w, err := graph.Decode[who](resps[0]); err != nil || w.ID != ids[0] || w.DisplayName == "" {
		t.Errorf("get: %+v, %v", w, err)
	}
	if resps[1].Err != nil || resps[1].StatusCode != 204 {
		t.Errorf("patch: %d %v", resps[1].StatusCode, resps[1].Err)
	}
	if u, _ := fake.User(ids[1]); u["jobTitle"] != "Batched" {
		t.Errorf("jobTitle %v", u["jobTitle"])
	}
	if got := strings.TrimPrefix(string(resps[2].Body), "\ufeff"); resps[2].Err != nil || got != "3" {
		t.Errorf("count: %q %v", got, resps[2].Err)
	}
	for _, bad := range []string{"", "users/..", "https://evil.example/v1.0/users"} {
		if _, err := client.NewRequest(ctx, http.MethodGet, bad, nil, nil); err == nil {
			t.Errorf("NewRequest(%q) built a request", bad)
		}
	}
	if n := fake.GraphRequests(); n != 1 {
		t.Errorf("%d HTTP requests, want 1 $batch", n)
	}
}

// batchEcho answers a $batch with 200 and {"id":ID} for each of its requests.
func batchEcho(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Requests []struct{ ID string } `json:"requests"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	var out bytes.Buffer
	out.WriteString(`{"responses":[`)
	for i, q := range in.Requests {
		if i > 0 {
			out.WriteByte(',')
		}
		fmt.Fprintf(&out, `{"id":%q,"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":%q}}`, q.ID, q.ID)
	}
	out.WriteString(`]}`)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out.Bytes())
}

// A $batch answered 503 or 504 as a whole is sent again only when each of its requests may be: all
// idempotent. One with a POST in it may have been applied, so its error is returned.
func TestBatchOuterUnavailable(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		methods     []string
		wantBatches int
		wantErr     int // the status of the error Batch returns, 0 for none
	}{
		{"GETs after 503", 503, []string{"GET", "GET"}, 2, 0},
		{"GET and DELETE after 504", 504, []string{"GET", "DELETE"}, 2, 0},
		{"a POST among them", 503, []string{"GET", "POST"}, 1, 503},
		{"PATCH alone", 504, []string{"PATCH"}, 1, 504},
		{"GETs after 500", 500, []string{"GET"}, 1, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, sequence(status(tt.status), batchEcho))
			c := newTestClient(t, f.URL+"/v1.0")
			graph.SetSleep(c, (&fakeSleep{}).sleep)
			reqs := make([]graph.BatchRequest, len(tt.methods))
			for i, m := range tt.methods {
				var body io.Reader // nil for GET and DELETE
				if m == "POST" || m == "PATCH" {
					body = strings.NewReader(`{}`)
				}
				req, err := http.NewRequest(m, c.BaseURL()+"users/u"+strconv.Itoa(i), body)
				if err != nil {
					t.Fatal(err)
				}
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				reqs[i] = graph.BatchRequest{Request: req}
			}
			resps, err := c.Batch(context.Background(), reqs)
			if n := len(f.requests()); n != tt.wantBatches {
				t.Errorf("%d $batch requests, want %d", n, tt.wantBatches)
			}
			var gerr *graph.Error
			switch {
			case tt.wantErr == 0 && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != 0 && (!errors.As(err, &gerr) || gerr.StatusCode != tt.wantErr):
				t.Fatalf("err = %v, want a %d *graph.Error", err, tt.wantErr)
			}
			for _, r := range resps {
				if (r.Err == nil) != (tt.wantErr == 0) {
					t.Errorf("%s: err %v", r.ID, r.Err)
				}
			}
		})
	}
}
