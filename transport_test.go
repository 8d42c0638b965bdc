package graph_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// bodyReader is a caller's RoundTripper that reads each request body before passing the request on,
// as a logging, signing or recording transport does; net/http allows it.
type bodyReader struct{ next http.RoundTripper }

func (b bodyReader) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	out := r.Clone(r.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	return b.next.RoundTrip(out)
}

// TestReplayAfter401SendsTheBody: the replay of a POST after a 401 (a revoked token) carries the whole
// body again, with net/http's transport and with a caller's RoundTripper that reads bodies (issue 16,
// point 5).
func TestReplayAfter401SendsTheBody(t *testing.T) {
	for _, tt := range []struct {
		name      string
		transport http.RoundTripper
	}{
		{"net/http transport", nil},
		{"body-reading RoundTripper", bodyReader{http.DefaultTransport}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := graphtest.NewServer(graphtest.Options{Users: 1})
			t.Cleanup(fake.Close)
			client, err := graph.NewClient(graph.Config{
				TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
				AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL, HTTPClient: &http.Client{Transport: tt.transport},
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := client.ListUsersWithResponse(ctx, nil); err != nil { // a token in the cache
				t.Fatal(err)
			}
			fake.RevokeTokens()
			user := graph.User{
				AccountEnabled: graph.Value(true), DisplayName: graph.Value("Replay Test"), MailNickname: graph.Value("replay"),
				UserPrincipalName: graph.Value("replay@" + fake.Domain),
				PasswordProfile:   graph.Value(graph.PasswordProfile{Password: graph.Value("Pa55-w0rd-Replay!")}),
			}
			resp, err := client.CreateUserWithResponse(ctx, user)
			if err != nil {
				t.Fatalf("create after revocation: %v", err)
			}
			if resp.StatusCode() != http.StatusCreated {
				t.Fatalf("status %d", resp.StatusCode())
			}
			last, _ := fake.LastRequest(graphtest.OpCreateUser)
			if !bytes.Contains(last.Body, []byte("Replay Test")) {
				t.Errorf("the replay carried %q, want the user", last.Body)
			}
		})
	}
}

// TestRedirectToOtherHostKeepsTheBody: a 307 or 308 to another host on a POST is not followed, so the
// body (a new user's password) never reaches that host; a same-host 307 is followed with the body
// (issue 16, point 4).
func TestRedirectToOtherHostKeepsTheBody(t *testing.T) {
	const password = "Pa55-w0rd-Redirect!"
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		var otherHits atomic.Int32
		var otherBody atomic.Value
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			otherHits.Add(1)
			b, _ := io.ReadAll(r.Body)
			otherBody.Store(string(b))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id":"u1"}`)
		}))
		f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/v1.0/users", code)
		})
		c := newTestClient(t, f.URL+"/v1.0")
		_, err := c.CreateUserWithResponse(context.Background(), graph.User{
			DisplayName:     graph.Value("Redirect Test"),
			PasswordProfile: graph.Value(graph.PasswordProfile{Password: graph.Value(password)}),
		})
		other.Close()
		if b, _ := otherBody.Load().(string); strings.Contains(b, password) || otherHits.Load() != 0 {
			t.Errorf("%d: the other host got %d requests, body %q", code, otherHits.Load(), b)
		}
		var gerr *graph.Error
		if !errors.As(err, &gerr) || gerr.StatusCode != code {
			t.Errorf("%d: err = %v, want the redirect as an *Error", code, err)
		}
	}

	// The same host: followed, body and all.
	var n atomic.Int32
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.Redirect(w, r, "/v1.0/users2", http.StatusTemporaryRedirect)
			return
		}
		jsonReply(http.StatusCreated, `{"id":"u1"}`)(w, r)
	})
	c := newTestClient(t, f.URL+"/v1.0")
	if _, err := c.CreateUserWithResponse(context.Background(), graph.User{DisplayName: graph.Value("Same Host")}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || !strings.Contains(reqs[1].Body, "Same Host") || reqs[1].Header.Get("Authorization") == "" {
		t.Errorf("same-host redirect: %d requests, second body %q", len(reqs), reqs[len(reqs)-1].Body)
	}
}

// TestClaimsChallengeOneTokenRequest: 200 concurrent calls answered with the same claims challenge
// make one token request, as plain 401s do (issue 16, point 6).
func TestClaimsChallengeOneTokenRequest(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 3})
	ctx := context.Background()
	if _, err := client.ListUsersWithResponse(ctx, nil); err != nil {
		t.Fatal(err)
	}
	before := fake.TokenRequests()
	fake.RevokeTokensWithClaims(`{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`)
	const callers = 200
	errs := make(chan error, callers)
	start := make(chan struct{})
	for range callers {
		go func() {
			<-start
			_, err := client.ListUsersWithResponse(ctx, nil)
			errs <- err
		}()
	}
	close(start)
	for range callers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.TokenRequests() - before; n != 1 {
		t.Errorf("%d token requests for one claims challenge held by %d callers, want 1", n, callers)
	}
	if last, _ := fake.LastRequest(graphtest.OpToken); !bytes.Contains(last.Body, []byte("claims=")) {
		t.Errorf("the token request did not carry the claims: %s", last.Body)
	}
}
