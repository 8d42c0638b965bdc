package graph_test

import (
	"context"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// TestUsersLoopBodyMayCall: a page is read and closed before its first item is yielded, so a loop body
// that calls Graph itself gets a connection and a slot even with MaxConcurrentRequests 1. (Were the
// page's response still open while the body ran, this test would never end.)
func TestUsersLoopBodyMayCall(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 5})
	t.Cleanup(fake.Close)
	client, err := graph.NewClient(graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL, MaxConcurrentRequests: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := 0
	for u, err := range client.Users(ctx, &graph.ListUsersParams{Top: graph.Ptr(2), Select: []string{"id"}}) {
		if err != nil {
			t.Fatal(err)
		}
		got, err := client.GetUserWithResponse(ctx, *u.ID, nil)
		if err != nil || got.JSON200 == nil || *got.JSON200.ID != *u.ID {
			t.Fatalf("GetUser(%s) inside the loop: %v", *u.ID, err)
		}
		n++
	}
	if n != 5 {
		t.Fatalf("%d users, want 5", n)
	}
}
