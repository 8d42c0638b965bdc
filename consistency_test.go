package graph_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/gen"
	"github.com/typedgraph/graph/graphtest"
)

// sleeps records the waits of a client on fake time: nothing sleeps.
type sleeps struct {
	mu    sync.Mutex // guards waits
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) total() (n int, sum time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.waits {
		sum += w
	}
	return len(s.waits), sum
}

// laggingClient returns a fake whose writes are unseen for reads requests per object, and a client of
// it with the consistency policy p (nil: none) whose waits are recorded, not slept.
func laggingClient(t *testing.T, reads int, p *graph.ConsistencyPolicy, logger *slog.Logger) (*graph.Client, *graphtest.Server, *sleeps) {
	t.Helper()
	fake := graphtest.NewServer(graphtest.Options{Users: 2, Replication: graphtest.Replication{Reads: reads}})
	t.Cleanup(fake.Close)
	c, err := graph.NewClient(graph.Config{
		TenantID:      fake.TenantID,
		ClientID:      fake.ClientID,
		Credential:    auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost,
		BaseURL:       fake.GraphURL,
		Consistency:   p,
		Logger:        logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &sleeps{}
	graph.SetSleep(c, s.sleep)
	return c, fake, s
}

func newUser(t *testing.T, ctx context.Context, c *graph.Client, nick string) string {
	t.Helper()
	resp, err := c.CreateUserWithResponse(ctx, graph.User{
		AccountEnabled:    graph.Value(true),
		DisplayName:       graph.Value(nick),
		MailNickname:      graph.Value(nick),
		UserPrincipalName: graph.Value(nick + "@" + graphtest.DefaultDomain),
		PasswordProfile: graph.Value(graph.PasswordProfile{
			Password: graph.Value("fake-Passw0rd!"),
		}),
	})
	if err != nil {
		t.Fatalf("creating user: %v", err)
	}
	return *resp.JSON201.ID
}

func newGroup(t *testing.T, ctx context.Context, c *graph.Client, nick string) string {
	t.Helper()
	g, err := c.CreateGroup(ctx, graph.Group{
		DisplayName:     graph.Value(nick),
		MailEnabled:     graph.Value(false),
		MailNickname:    graph.Value(nick),
		SecurityEnabled: graph.Value(true),
	}, nil, nil)
	if err != nil {
		t.Fatalf("creating group: %v", err)
	}
	return *g.ID
}

func TestConsistencyCreateThenUpdate(t *testing.T) {
	const lag = 3
	for _, tc := range []struct {
		name    string
		client  *graph.ConsistencyPolicy
		perCall *graph.ConsistencyPolicy
		wantOK  bool
	}{
		{name: "off by default", wantOK: false},
		{name: "client policy", client: &graph.ConsistencyPolicy{}, wantOK: true},
		{name: "per-call policy", perCall: &graph.ConsistencyPolicy{}, wantOK: true},
		{name: "per-call off beats client policy", client: &graph.ConsistencyPolicy{}, perCall: &graph.ConsistencyPolicy{Window: -1}, wantOK: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fake, slept := laggingClient(t, lag, tc.client, nil)
			ctx := context.Background()
			id := newUser(t, ctx, c, "lagging")
			if tc.perCall != nil {
				ctx = graph.WithConsistencyPolicy(ctx, *tc.perCall)
			}
			_, err := c.UpdateUserWithResponse(ctx, id, graph.User{JobTitle: graph.Value("Engineer")})
			waits, _ := slept.total()
			if !tc.wantOK {
				var gerr *graph.Error
				if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusNotFound || gerr.Code != "Request_ResourceNotFound" {
					t.Fatalf("err = %v, want Graph's 404 Request_ResourceNotFound", err)
				}
				if n := fake.Requests(graphtest.OpUpdateUser); n != 1 || waits != 0 {
					t.Errorf("%d requests, %d waits; want 1 and 0", n, waits)
				}
				return
			}
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			if n := fake.Requests(graphtest.OpUpdateUser); n != lag+1 || waits != lag {
				t.Errorf("%d requests, %d waits; want %d and %d", n, waits, lag+1, lag)
			}
			// The change itself lags: reads see the old properties first, which is what WaitUntil is for.
			jobTitle := func(ctx context.Context) (string, error) {
				resp, err := c.GetUserWithResponse(ctx, id, nil)
				if err != nil {
					return "", err
				}
				v, _ := resp.JSON200.JobTitle.Get()
				return v, nil
			}
			reads := fake.Requests(graphtest.OpGetUser)
			got, err := graph.WaitUntil(context.Background(), jobTitle,
				func(v string, err error) bool { return err == nil && v == "Engineer" },
				&graph.WaitOptions{Consecutive: 2, Sleep: slept.sleep})
			if err != nil || got != "Engineer" {
				t.Fatalf("WaitUntil = %q, %v", got, err)
			}
			if n := fake.Requests(graphtest.OpGetUser) - reads; n != lag+2 {
				t.Errorf("%d reads until the change held twice, want %d", n, lag+2)
			}
		})
	}
}

func TestConsistencyAddJustCreatedMember(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy *graph.ConsistencyPolicy
	}{{"with policy", &graph.ConsistencyPolicy{}}, {"without", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			c, fake, slept := laggingClient(t, 2, tc.policy, nil)
			ctx := context.Background()
			user := newUser(t, ctx, c, "newhire")
			group := newGroup(t, ctx, c, "newteam")
			err := c.AddGroupMember(ctx, group, user)
			if tc.policy == nil {
				// The group is unseen first: Graph's 404 about it.
				var gerr *graph.Error
				if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusNotFound {
					t.Fatalf("err = %v, want a 404 *graph.Error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("AddGroupMember: %v", err)
			}
			// Two 404s for the group, two 400s for the member, then the add.
			waits, _ := slept.total()
			if n := fake.Requests(graphtest.OpAddGroupMember); n != 5 || waits != 4 {
				t.Errorf("%d requests, %d waits; want 5 and 4", n, waits)
			}
			if got := memberIDs(t, context.Background(), c, group); len(got) != 1 || got[0] != user {
				t.Errorf("members = %v, want [%s]", got, user)
			}
		})
	}
}

// CreateGroup binding a user created a moment ago: Graph's 400 for the reference, retried.
func TestConsistencyBindJustCreatedMember(t *testing.T) {
	c, fake, slept := laggingClient(t, 2, &graph.ConsistencyPolicy{}, nil)
	ctx := context.Background()
	user := newUser(t, ctx, c, "bound")
	g, err := c.CreateGroup(ctx, graph.Group{
		DisplayName:     graph.Value("bound"),
		MailEnabled:     graph.Value(false),
		MailNickname:    graph.Value("bound"),
		SecurityEnabled: graph.Value(true),
	}, nil, []string{user})
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	if waits, _ := slept.total(); waits != 2 || fake.Requests(graphtest.OpCreateGroup) != 3 {
		t.Errorf("%d waits, %d requests; want 2 and 3", waits, fake.Requests(graphtest.OpCreateGroup))
	}
	fake.SetReplication(graphtest.Replication{})
	ctx = graph.WithConsistencyPolicy(ctx, graph.ConsistencyPolicy{}) // the group itself lags 2 reads
	if got := memberIDs(t, ctx, c, *g.ID); len(got) != 1 || got[0] != user {
		t.Errorf("members = %v, want [%s]", got, user)
	}
}

func memberIDs(t *testing.T, ctx context.Context, c *graph.Client, group string) []string {
	t.Helper()
	var ids []string
	for m, err := range c.GroupMembers(ctx, group, nil) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID())
	}
	return ids
}

func TestIdempotentMembership(t *testing.T) {
	c, fake, _ := laggingClient(t, 0, nil, nil)
	ctx := context.Background()
	group := newGroup(t, ctx, c, "idem")
	user := fake.UserIDs()[0]

	for i := range 2 {
		if err := c.AddGroupMemberIfAbsent(ctx, group, user); err != nil {
			t.Fatalf("AddGroupMemberIfAbsent #%d: %v", i+1, err)
		}
	}
	if got := memberIDs(t, context.Background(), c, group); len(got) != 1 || got[0] != user {
		t.Fatalf("members = %v, want one: %s", got, user)
	}
	// Without the option the typed error is there.
	err := c.AddGroupMember(ctx, group, user)
	var gerr *graph.Error
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusBadRequest || !graph.AlreadyMember(err) {
		t.Fatalf("second AddGroupMember: %v, want Graph's 400 that AlreadyMember recognises", err)
	}

	for i := range 2 {
		if err := c.RemoveGroupMemberIfPresent(ctx, group, user); err != nil {
			t.Fatalf("RemoveGroupMemberIfPresent #%d: %v", i+1, err)
		}
	}
	if got := memberIDs(t, context.Background(), c, group); len(got) != 0 {
		t.Fatalf("members = %v, want none", got)
	}
	err = c.RemoveGroupMember(ctx, group, user)
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusNotFound || !graph.NotMember(err, user) {
		t.Fatalf("RemoveGroupMember of a non-member: %v, want a 404 that NotMember recognises", err)
	}
	// A group that does not exist is not "not a member".
	err = c.RemoveGroupMemberIfPresent(ctx, "00000000-0000-4000-8000-00000000dead", user)
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusNotFound {
		t.Fatalf("RemoveGroupMemberIfPresent on a missing group: %v, want its 404", err)
	}
}

// An idempotent remove of a non-member does not wait out the window with a policy on: the 404 names
// the member and is the answer.
func TestRemoveIfPresentWithPolicyDoesNotWait(t *testing.T) {
	c, fake, slept := laggingClient(t, 0, &graph.ConsistencyPolicy{}, nil)
	ctx := context.Background()
	group := newGroup(t, ctx, c, "nowait")
	if err := c.RemoveGroupMemberIfPresent(ctx, group, fake.UserIDs()[0]); err != nil {
		t.Fatal(err)
	}
	if waits, _ := slept.total(); waits != 0 || fake.Requests(graphtest.OpRemoveGroupMember) != 1 {
		t.Errorf("%d waits, %d requests; want 0 and 1", waits, fake.Requests(graphtest.OpRemoveGroupMember))
	}
}

func TestConsistencyWindowExhausted(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := &graph.ConsistencyPolicy{Window: 10 * time.Second, BaseDelay: time.Second, MaxDelay: 2 * time.Second}
	c, fake, slept := laggingClient(t, 1000, p, logger)
	ctx := context.Background()
	id := newUser(t, ctx, c, "neverseen")
	_, err := c.GetUserWithResponse(ctx, id, nil)

	var cerr *graph.ConsistencyError
	if !errors.As(err, &cerr) {
		t.Fatalf("err = %v, want a *graph.ConsistencyError", err)
	}
	var gerr *graph.Error
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusNotFound {
		t.Fatalf("the last answer is not reachable as *graph.Error: %v", err)
	}
	if !strings.Contains(err.Error(), "consistency window of 10s exhausted") {
		t.Errorf("message %q does not say the window was exhausted", err)
	}
	waits, sum := slept.total()
	if sum != p.Window {
		t.Errorf("waited %v in all, want the whole window %v", sum, p.Window)
	}
	if n := fake.Requests(graphtest.OpGetUser); n != waits+1 || cerr.Attempts != n {
		t.Errorf("%d requests, %d waits, Attempts %d", n, waits, cerr.Attempts)
	}
	if got := strings.Count(logs.String(), "not replicated yet, retrying"); got != waits {
		t.Errorf("%d debug lines for %d retries:\n%s", got, waits, logs.String())
	}
	if !strings.Contains(logs.String(), "reason=\"404 Request_ResourceNotFound") {
		t.Errorf("debug lines do not give the reason:\n%s", logs.String())
	}
}

// The context ends during a wait for replication: Graph's answer stays the cause, and errors.Is finds
// the context's error.
func TestConsistencyContextEnds(t *testing.T) {
	c, _, _ := laggingClient(t, 1000, &graph.ConsistencyPolicy{}, nil)
	id := newUser(t, context.Background(), c, "cancelled")
	ctx, cancel := context.WithCancel(context.Background())
	graph.SetSleep(c, func(context.Context, time.Duration) error { cancel(); return ctx.Err() })
	_, err := c.GetUserWithResponse(ctx, id, nil)
	var gerr *graph.Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &gerr) || gerr.StatusCode != http.StatusNotFound {
		t.Fatalf("err = %v, want the 404 and context.Canceled", err)
	}
}

// Answers that are not replication lag are returned at once, and a 404 to a DELETE is the answer when
// an earlier attempt of the call may have deleted the object.
func TestConsistencyAnswersNotRetried(t *testing.T) {
	notFound := `{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present."}}`
	for _, tc := range []struct {
		name     string
		replies  []int // status of each answer in turn; the last repeats
		call     func(ctx context.Context, c *graph.Client) error
		wantReqs int
		wantCode int
	}{
		{
			name:    "403 is not lag",
			replies: []int{http.StatusForbidden},
			call: func(ctx context.Context, c *graph.Client) error {
				_, err := c.GetUserWithResponse(ctx, "x", nil)
				return err
			},
			wantReqs: 1, wantCode: http.StatusForbidden,
		},
		{
			name:    "delete after a 503 that may have deleted",
			replies: []int{http.StatusServiceUnavailable, http.StatusNotFound},
			call: func(ctx context.Context, c *graph.Client) error {
				_, err := c.DeleteUserWithResponse(ctx, "x", nil)
				return err
			},
			wantReqs: 2, wantCode: http.StatusNotFound,
		},
		{
			name:    "delete 404 first is lag",
			replies: []int{http.StatusNotFound, http.StatusNotFound, http.StatusNoContent},
			call: func(ctx context.Context, c *graph.Client) error {
				_, err := c.DeleteUserWithResponse(ctx, "x", nil)
				return err
			},
			wantReqs: 3, wantCode: 0,
		},
		{
			name:    "delete after a 429 is still lag",
			replies: []int{http.StatusTooManyRequests, http.StatusNotFound, http.StatusNoContent},
			call: func(ctx context.Context, c *graph.Client) error {
				_, err := c.DeleteUserWithResponse(ctx, "x", nil)
				return err
			},
			wantReqs: 3, wantCode: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex // guards n
			n := 0
			f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				status := tc.replies[min(n, len(tc.replies)-1)]
				n++
				mu.Unlock()
				switch status {
				case http.StatusNoContent:
					w.WriteHeader(status)
				case http.StatusNotFound:
					jsonReply(status, notFound)(w, r)
				default:
					jsonReply(status, `{"error":{"code":"Other","message":"no"}}`)(w, r)
				}
			})
			c, err := graph.NewClient(graph.Config{BaseURL: f.URL, TokenSource: staticSource{}, Consistency: &graph.ConsistencyPolicy{}})
			if err != nil {
				t.Fatal(err)
			}
			slept := &sleeps{}
			graph.SetSleep(c, slept.sleep)
			err = tc.call(context.Background(), c)
			var gerr *graph.Error
			switch {
			case tc.wantCode == 0 && err != nil:
				t.Errorf("err = %v, want success", err)
			case tc.wantCode != 0 && (!errors.As(err, &gerr) || gerr.StatusCode != tc.wantCode):
				t.Errorf("err = %v, want a %d *graph.Error", err, tc.wantCode)
			}
			var cerr *graph.ConsistencyError
			if errors.As(err, &cerr) {
				t.Errorf("err = %v: an answer taken for lag", err)
			}
			if got := len(f.requests()); got != tc.wantReqs {
				t.Errorf("%d requests, want %d", got, tc.wantReqs)
			}
		})
	}
}

// Waits for replication do not use up the throttling retries.
func TestConsistencyRetriesAreNotThrottleRetries(t *testing.T) {
	var mu sync.Mutex // guards n
	n := 0
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		i := n
		mu.Unlock()
		switch {
		case i <= 6:
			jsonReply(http.StatusNotFound, `{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist"}}`)(w, r)
		case i == 7:
			w.Header().Set("Retry-After", "1")
			jsonReply(http.StatusTooManyRequests, `{"error":{"code":"TooManyRequests","message":"slow down"}}`)(w, r)
		default:
			jsonReply(http.StatusOK, `{"id":"x"}`)(w, r)
		}
	})
	c, err := graph.NewClient(graph.Config{BaseURL: f.URL, TokenSource: staticSource{},
		Retry: graph.RetryPolicy{MaxRetries: 1}, Consistency: &graph.ConsistencyPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	graph.SetSleep(c, (&sleeps{}).sleep)
	if _, err := c.GetUserWithResponse(context.Background(), "x", nil); err != nil {
		t.Fatalf("err = %v, want success after 6 lag retries and 1 throttling retry", err)
	}
}

func TestNotReplicated(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"404 Request_ResourceNotFound", &graph.Error{StatusCode: 404, Code: "Request_ResourceNotFound"}, true},
		{"404 other code", &graph.Error{StatusCode: 404, Code: "itemNotFound"}, false},
		{"400 reference not present", &graph.Error{StatusCode: 400, Code: "Request_BadRequest",
			Message: "Resource 'u1' does not exist or one of its queried reference-property objects are not present."}, true},
		{"400 NoBackingApplicationObject code", &graph.Error{StatusCode: 400, Code: "NoBackingApplicationObject"}, true},
		{"400 no valid application object", &graph.Error{StatusCode: 400, Code: "Request_BadRequest",
			Message: "The appId 'a' of the service principal does not reference a valid application object."}, true},
		{"400 already member", &graph.Error{StatusCode: 400, Code: "Request_BadRequest",
			Message: "One or more added object references already exist for the following modified properties: 'members'."}, false},
		{"424 from a batch", &graph.Error{StatusCode: 424, Code: "FailedDependency"}, true},
		{"wrapped", errors.Join(errors.New("step 2"), &graph.Error{StatusCode: 404, Code: "Request_ResourceNotFound"}), true},
		{"403", &graph.Error{StatusCode: 403, Code: "Authorization_RequestDenied"}, false},
		{"not a Graph error", errors.New("boom"), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason, ok := graph.NotReplicated(tc.err)
			if ok != tc.want || (ok && reason == "") || (!ok && reason != "") {
				t.Errorf("NotReplicated = %q, %v; want ok %v with a reason", reason, ok, tc.want)
			}
		})
	}
}

// TestConsistencyBatchItems: a batched read of a user not replicated yet is sent again in a later
// $batch within the client's consistency policy, and answers Graph's 404 without one.
func TestConsistencyBatchItems(t *testing.T) {
	const lag = 2
	for _, tc := range []struct {
		name   string
		policy *graph.ConsistencyPolicy
		wantOK bool
	}{
		{name: "off by default", wantOK: false},
		{name: "client policy", policy: &graph.ConsistencyPolicy{}, wantOK: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fake, slept := laggingClient(t, lag, tc.policy, nil)
			ctx := context.Background()
			id := newUser(t, ctx, c, "batched")
			req, err := gen.NewGetUserRequest(c.BaseURL(), id, nil)
			if err != nil {
				t.Fatal(err)
			}
			resps, err := c.Batch(ctx, []graph.BatchRequest{{ID: "1", Request: req}})
			if err != nil {
				t.Fatal(err)
			}
			u, err := graph.Decode[graph.User](resps[0])
			waits, _ := slept.total()
			if !tc.wantOK {
				var gerr *graph.Error
				if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusNotFound {
					t.Fatalf("err = %v, want Graph's 404", err)
				}
				if n := fake.Requests(graphtest.OpBatch); n != 1 || waits != 0 {
					t.Errorf("%d batches, %d waits; want 1 and 0", n, waits)
				}
				return
			}
			if err != nil || u.ID == nil || *u.ID != id {
				t.Fatalf("batched getUser: %v", err)
			}
			if n := fake.Requests(graphtest.OpBatch); n != lag+1 || waits != lag {
				t.Errorf("%d batches, %d waits; want %d and %d", n, waits, lag+1, lag)
			}
		})
	}
}
