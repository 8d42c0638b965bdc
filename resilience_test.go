package graph_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// fakeSleep records the waits a client asks for and returns at once.
type fakeSleep struct {
	mu    sync.Mutex // guards waits
	waits []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeSleep) total() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var t time.Duration
	for _, w := range f.waits {
		t += w
	}
	return t
}

// sequence answers each request with the next handler, repeating the last.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		hs[min(i, len(hs)-1)](w, r)
	}
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("request-id", "rid-"+http.StatusText(code))
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"error":{"code":"`+strings.ReplaceAll(http.StatusText(code), " ", "")+`","message":"m","innerError":{"date":"2026-11-26T01:02:03"}}}`)
	}
}

var okPage = jsonReply(200, `{"value":[{"id":"u1"}]}`)

func TestRetries(t *testing.T) {
	tests := []struct {
		name         string
		reply        http.HandlerFunc
		call         func(c *graph.Client) error
		wantAttempts int
		wantErr      int // HTTP status of the typed error, 0 for success
		wantWait     time.Duration
	}{
		{"429 Retry-After 2 then 200", sequence(status(429, "Retry-After", "2"), okPage), listOnce, 2, 0, 2 * time.Second},
		{"429 fractional Retry-After", sequence(status(429, "Retry-After", "2.128"), okPage), listOnce, 2, 0, 2128 * time.Millisecond},
		{"503 three times then 200", sequence(status(503), status(503), status(503), okPage), listOnce, 4, 0, -1},
		{"503 four times", status(503), listOnce, 4, 503, -1},
		{"504 then 200", sequence(status(504, "Retry-After", "1"), okPage), listOnce, 2, 0, time.Second},
		{"POST 503 is not retried", status(503), createOnce, 1, 503, 0},
		{"POST 429 is retried", sequence(status(429, "Retry-After", "1"), jsonReply(201, `{"id":"u1"}`)), createOnce, 2, 0, time.Second},
		{"404 is not retried", status(404), listOnce, 1, 404, 0},
		{"500 is not retried", status(500), listOnce, 1, 500, 0},
		{"garbage Retry-After falls back to backoff", sequence(status(429, "Retry-After", "soon"), okPage), listOnce, 2, 0, -1},
		{"huge Retry-After is more than the budget", status(429, "Retry-After", "999999"), listOnce, 1, 429, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, tt.reply)
			c := newTestClient(t, f.URL+"/v1.0")
			sleeper := &fakeSleep{}
			graph.SetSleep(c, sleeper.sleep)
			err := tt.call(c)
			if n := len(f.requests()); n != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", n, tt.wantAttempts)
			}
			if tt.wantErr == 0 && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr != 0 {
				var gerr *graph.Error
				if !errors.As(err, &gerr) || gerr.StatusCode != tt.wantErr || gerr.Attempts != tt.wantAttempts {
					t.Fatalf("err = %#v, want a %d after %d attempts", err, tt.wantErr, tt.wantAttempts)
				}
				if tt.wantAttempts > 1 && !strings.Contains(err.Error(), "after 4 attempts") {
					t.Errorf("Error() = %q does not name the attempts", err)
				}
			}
			switch got := sleeper.total(); {
			case tt.wantWait >= 0 && got != tt.wantWait:
				t.Errorf("waited %v, want %v", got, tt.wantWait)
			case tt.wantWait < 0 && got <= 0:
				t.Errorf("waited %v, want a backoff", got)
			}
			// Every attempt of one call carries the same client-request-id.
			ids := map[string]bool{}
			for _, r := range f.requests() {
				ids[r.Header.Get("client-request-id")] = true
			}
			if len(ids) != 1 || ids[""] {
				t.Errorf("client-request-ids %v, want one", ids)
			}
		})
	}
}

func listOnce(c *graph.Client) error {
	_, err := c.ListUsersWithResponse(context.Background(), nil)
	return err
}

func createOnce(c *graph.Client) error {
	_, err := c.CreateUserWithResponse(context.Background(), graph.User{DisplayName: graph.Value("Adele")})
	return err
}

func TestRetryReplaysBody(t *testing.T) {
	f := newFakeGraph(t, sequence(status(429, "Retry-After", "1"), jsonReply(201, `{"id":"u1"}`)))
	c := newTestClient(t, f.URL+"/v1.0")
	graph.SetSleep(c, (&fakeSleep{}).sleep)
	long := strings.Repeat("x", 100<<10)
	if _, err := c.CreateUserWithResponse(context.Background(), graph.User{AboutMe: graph.Value(long)}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[0].Body != reqs[1].Body || !strings.Contains(reqs[1].Body, long) {
		t.Fatalf("%d requests; bodies of %d and %d bytes", len(reqs), len(reqs[0].Body), len(reqs[len(reqs)-1].Body))
	}
}

func TestRetryPolicyPerCall(t *testing.T) {
	f := newFakeGraph(t, status(503))
	c := newTestClient(t, f.URL+"/v1.0")
	graph.SetSleep(c, (&fakeSleep{}).sleep)
	ctx := graph.WithRetryPolicy(context.Background(), graph.RetryPolicy{MaxRetries: -1})
	_, err := c.ListUsersWithResponse(ctx, nil)
	if n := len(f.requests()); n != 1 || err == nil {
		t.Fatalf("%d attempts, err %v; want 1 and an error", n, err)
	}
}

func TestCancelEndsRetryAfterWait(t *testing.T) {
	f := newFakeGraph(t, status(429, "Retry-After", "300"))
	c := newTestClient(t, f.URL+"/v1.0")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := c.ListUsersWithResponse(ctx, nil)
		done <- err
	}()
	// No guard of ours: a wait that ignored the context would hang until go test's -timeout.
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRevokedTokenIsReplacedOnce(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 3})
	ctx := context.Background()
	if _, err := client.ListUsersWithResponse(ctx, nil); err != nil {
		t.Fatal(err)
	}
	tokens, lists := fake.TokenRequests(), fake.Requests(graphtest.OpListUsers)
	fake.RevokeTokens()
	if _, err := client.ListUsersWithResponse(ctx, nil); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if n := fake.TokenRequests() - tokens; n != 1 {
		t.Errorf("%d new token requests, want 1", n)
	}
	if n := fake.Requests(graphtest.OpListUsers) - lists; n != 2 {
		t.Errorf("%d list requests, want 2 (the 401 and the replay)", n)
	}
}

func TestTwo401sEndInError(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 3})
	fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", error="invalid_token"`)
		fake.GraphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure.")
		return true
	})
	_, err := client.ListUsersWithResponse(context.Background(), nil)
	var gerr *graph.Error
	if !errors.As(err, &gerr) || gerr.StatusCode != 401 || gerr.Code != "InvalidAuthenticationToken" {
		t.Fatalf("err = %v", err)
	}
	if n := fake.Requests(graphtest.OpListUsers); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestClaimsChallengeFetchesTokenWithClaims(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 3})
	var calls atomic.Int32
	fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		if calls.Add(1) > 1 {
			return false
		}
		// base64 of {"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzAwMDAwMDAwIn19fQ=="`)
		fake.GraphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Continuous access evaluation resulted in challenge.")
		return true
	})
	if _, err := client.ListUsersWithResponse(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	last, ok := fake.LastRequest(graphtest.OpToken)
	if !ok || !bytes.Contains(last.Body, []byte("claims=")) || !bytes.Contains(last.Body, []byte("nbf")) {
		t.Errorf("the last token request did not carry the claims: %s", last.Body)
	}
}

func TestRedirectDropsAuthorizationForOtherHosts(t *testing.T) {
	var sawAuth atomic.Int32
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			sawAuth.Add(1)
		}
		okPage(w, r)
	}))
	defer other.Close()
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/v1.0/users", http.StatusFound)
	})
	c := newTestClient(t, f.URL+"/v1.0")
	if _, err := c.ListUsersWithResponse(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 || sawAuth.Load() != 0 {
		t.Errorf("other host: %d requests, %d with Authorization; want 1 and 0", hits.Load(), sawAuth.Load())
	}
}

func TestLoggingLeaksNothing(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fake := graphtest.NewServer(graphtest.Options{Users: 3})
	defer fake.Close()
	var once atomic.Bool
	fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		if once.Swap(true) {
			return false
		}
		w.Header().Set("Retry-After", "0.01")
		fake.GraphError(w, r, http.StatusTooManyRequests, "TooManyRequests", "slow down")
		return true
	})
	client, err := graph.NewClient(graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ListUsersWithResponse(context.Background(), &graph.ListUsersParams{Filter: graph.Ptr("mail eq 'adele@contoso.test'")}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "graph: throttled") || strings.Count(out, "graph: attempt") != 2 {
		t.Errorf("log lacks the attempts or the throttling warning:\n%s", out)
	}
	for _, secret := range []string{fake.ClientSecret, "eyJ", "Bearer", "adele@contoso.test"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

// hangUp closes the connection without an answer, a transport error for the client.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestTransportErrorsRetriedOnlyWhenIdempotent(t *testing.T) {
	tests := []struct {
		name         string
		call         func(c *graph.Client) error
		wantAttempts int
		wantErr      bool
	}{
		{"GET is retried", listOnce, 2, false},
		{"POST is not", createOnce, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, sequence(hangUp, okPage))
			c := newTestClient(t, f.URL+"/v1.0")
			sleeper := &fakeSleep{}
			graph.SetSleep(c, sleeper.sleep)
			err := tt.call(c)
			if n := len(f.requests()); n != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", n, tt.wantAttempts)
			}
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if sleeper.total() <= 0 { // net/http's own retry would not back off
					t.Error("the retry did not back off")
				}
				return
			}
			var terr *graph.TransportError
			if !errors.As(err, &terr) || terr.Attempts != 1 || terr.Method != http.MethodPost {
				t.Fatalf("err = %#v, want a *graph.TransportError after 1 attempt", err)
			}
			if strings.Contains(err.Error(), f.URL) {
				t.Errorf("Error() repeats the URL: %s", err)
			}
		})
	}
}

// TestErrorsKeepTheirCause checks that a call whose context ends while it waits to retry returns the
// failure that led to the wait, with the context's error still reachable, and that attempts are
// worded as *graph.Error and the auth package word them.
func TestErrorsKeepTheirCause(t *testing.T) {
	unavailable := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":{"code":"serviceNotAvailable","message":"Try later."}}`))
	}
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"503", unavailable, "503 serviceNotAvailable: Try later."},
		{"hang-up", hangUp, "graph: GET /v1.0/users: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, tt.handler)
			c := newTestClient(t, f.URL+"/v1.0")
			graph.SetSleep(c, func(context.Context, time.Duration) error { return context.DeadlineExceeded })
			err := listOnce(c)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want one errors.Is finds context.DeadlineExceeded in", err)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "; stopped waiting to retry: context deadline exceeded") {
				t.Errorf("err = %v, want the cause %q and the context's end", err, tt.want)
			}
		})
	}

	e := &graph.TransportError{Method: "GET", Path: "/v1.0/users", Attempts: 3, Err: errors.New("connection reset")}
	if got, want := e.Error(), "graph: GET /v1.0/users: connection reset after 3 attempts"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.Attempts = 1
	if got, want := e.Error(), "graph: GET /v1.0/users: connection reset"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
