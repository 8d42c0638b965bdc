package graph_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/gen"
	"github.com/typedgraph/graph/graphtest"
)

// wiredClient builds, on a typedgraph Client, a second generated client the way a user wires their own
// generated package (here gen, built anew: it shares nothing with the Client's embedded one but the
// three things the wiring passes).
func wiredClient(t *testing.T, fake *graphtest.Server) (*gen.ClientWithResponses, *graph.Client) {
	t.Helper()
	gc, err := graph.NewClient(graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	own, err := gen.NewClientWithResponses(gc.BaseURL(), gen.WithHTTPClient(gc.Doer()), gen.WithRequestEditorFn(gc.RequestEditor()))
	if err != nil {
		t.Fatal(err)
	}
	return own, gc
}

func TestWiredClientRetriesThrottling(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 2})
	defer fake.Close()
	own, _ := wiredClient(t, fake)
	fake.InterceptGraph(fake.FailRequests(graphtest.OpListUsers, 1, http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}))

	resp, err := own.ListUsersWithResponse(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != http.StatusOK || resp.JSON200 == nil || len(resp.JSON200.Value) != 2 {
		t.Fatalf("status %d, body %s", resp.StatusCode(), resp.Body)
	}
	if n := fake.Requests(graphtest.OpListUsers); n != 2 {
		t.Errorf("list users sent %d times, want 2 (throttled, then retried)", n)
	}
}

func TestWiredClientReplaysAfterRevokedToken(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 1})
	defer fake.Close()
	own, _ := wiredClient(t, fake)
	ctx := context.Background()
	if _, err := own.ListUsersWithResponse(ctx, nil); err != nil {
		t.Fatal(err)
	}
	fake.RevokeTokens()

	resp, err := own.ListUsersWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != http.StatusOK {
		t.Fatalf("status %d after the token was revoked", resp.StatusCode())
	}
	if n := fake.TokenRequests(); n != 2 {
		t.Errorf("%d token requests, want 2 (the first, then one refresh)", n)
	}
	if n := fake.Requests(graphtest.OpListUsers); n != 3 {
		t.Errorf("list users sent %d times, want 3 (ok, 401, replay)", n)
	}
}

func TestWiredClientTypedErrors(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 1})
	defer fake.Close()
	own, _ := wiredClient(t, fake)

	resp, err := own.GetUserWithResponse(context.Background(), "no-such-user", nil)
	var gerr *graph.Error
	if !errors.As(err, &gerr) {
		t.Fatalf("err = %v (response %v), want *graph.Error", err, resp)
	}
	if gerr.StatusCode != http.StatusNotFound || gerr.Code != "Request_ResourceNotFound" || gerr.RequestID == "" {
		t.Errorf("got status %d code %q request-id %q", gerr.StatusCode, gerr.Code, gerr.RequestID)
	}
}

func TestWiredClientUserAgentAndNoTokenElsewhere(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 1})
	defer fake.Close()
	_, gc := wiredClient(t, fake)

	req, _ := http.NewRequest(http.MethodGet, fake.GraphURL+"/users", nil)
	if err := gc.RequestEditor()(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("Authorization") == "" || req.Header.Get("User-Agent") != "typedgraph/"+graph.Version {
		t.Errorf("headers %v", req.Header)
	}
	other, _ := http.NewRequest(http.MethodGet, "https://example.com/x", nil)
	if err := gc.RequestEditor()(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if other.Header.Get("Authorization") != "" {
		t.Error("a token was attached to a request for another host")
	}
}
