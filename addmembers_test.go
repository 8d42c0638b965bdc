package graph_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/graphtest"
)

func TestAddGroupMembersChunksOf20(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 1000})
	gid, err := fake.AddGroup(map[string]any{"displayName": "All", "mailEnabled": false, "mailNickname": "all", "securityEnabled": true})
	if err != nil {
		t.Fatal(err)
	}
	ids := fake.UserIDs()
	if err := client.AddGroupMembers(context.Background(), gid, append(ids, strings.ToUpper(ids[0]))); err != nil {
		t.Fatal(err)
	}
	if n := fake.Requests(graphtest.OpUpdateGroup); n != 50 {
		t.Errorf("%d PATCH requests, want 50", n)
	}
	if n := len(fake.Members(gid)); n != 1000 {
		t.Errorf("%d members, want 1000", n)
	}
}

func TestAddGroupMembersNamesTheFailingChunk(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 100})
	gid, err := fake.AddGroup(map[string]any{"displayName": "Some", "mailEnabled": false, "mailNickname": "some", "securityEnabled": true})
	if err != nil {
		t.Fatal(err)
	}
	ids := fake.UserIDs()
	if err := fake.AddMember(gid, ids[45]); err != nil { // makes the third chunk (40-59) fail
		t.Fatal(err)
	}
	err = client.AddGroupMembers(context.Background(), gid, ids)
	var merr *graph.AddMembersError
	if !errors.As(err, &merr) {
		t.Fatalf("err = %v, want an *AddMembersError", err)
	}
	if len(merr.MemberIDs) != 20 || merr.MemberIDs[0] != ids[40] || merr.MemberIDs[19] != ids[59] || merr.GroupID != gid {
		t.Errorf("failing chunk %v, want ids 40 to 59", merr.MemberIDs)
	}
	for _, id := range ids[40:60] {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("the error does not name %s: %v", id, err)
		}
	}
	var gerr *graph.Error
	if !errors.As(err, &gerr) || gerr.StatusCode != 400 {
		t.Errorf("cause %v, want Graph's 400", err)
	}
	if n := len(fake.Members(gid)); n != 81 {
		t.Errorf("%d members, want 81 (80 added, the failed chunk's one already there)", n)
	}
}

func TestAddGroupMembersStopsWithContext(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 50})
	gid, _ := fake.AddGroup(map[string]any{"displayName": "G", "mailEnabled": false, "mailNickname": "g", "securityEnabled": true})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ids := fake.UserIDs()
	err := client.AddGroupMembers(ctx, gid, ids)
	var merr *graph.AddMembersError
	if !errors.As(err, &merr) || len(merr.MemberIDs) != 50 || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want every id named with context.Canceled", err)
	}
	if err := client.AddGroupMembers(context.Background(), gid, []string{""}); err == nil {
		t.Error("an empty id was accepted")
	}
}
