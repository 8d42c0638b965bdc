package graph_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/graphtest"
)

// badIDs are ids no call may send: empty, or changing the request's path.
var badIDs = []string{"", ".", "..", "a/b", "../users", `a\b`, "/"}

// TestBadIDsAreRefusedBeforeSending calls every generated operation that has a path parameter, and
// every helper taking an id, with each of badIDs in each id position: each returns a
// *graph.PathParamError naming the parameter, and the fake sees no request at all.
func TestBadIDsAreRefusedBeforeSending(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 1, Groups: 1})
	ctx := context.Background()
	const ok = "00000000-0000-4000-8000-000000000001"
	drain := func(seq func(yield func(graph.DirectoryItem, error) bool)) error {
		for _, err := range seq {
			if err != nil {
				return err
			}
		}
		return nil
	}
	calls := []struct {
		name, param string
		call        func(id string) error
	}{
		{"GetUserWithResponse", "user-id", func(id string) error { _, err := client.GetUserWithResponse(ctx, id, nil); return err }},
		{"GetUser", "user-id", func(id string) error { _, err := client.GetUser(ctx, id, nil); return err }},
		{"UpdateUserWithResponse", "user-id", func(id string) error { _, err := client.UpdateUserWithResponse(ctx, id, graph.User{}); return err }},
		{"DeleteUserWithResponse", "user-id", func(id string) error { _, err := client.DeleteUserWithResponse(ctx, id, nil); return err }},
		{"ListUserMemberOfWithResponse", "user-id", func(id string) error { _, err := client.ListUserMemberOfWithResponse(ctx, id, nil); return err }},
		{"GetGroupWithResponse", "group-id", func(id string) error { _, err := client.GetGroupWithResponse(ctx, id, nil); return err }},
		{"UpdateGroupWithResponse", "group-id", func(id string) error { _, err := client.UpdateGroupWithResponse(ctx, id, graph.Group{}); return err }},
		{"DeleteGroupWithResponse", "group-id", func(id string) error { _, err := client.DeleteGroupWithResponse(ctx, id, nil); return err }},
		{"ListGroupMembersWithResponse", "group-id", func(id string) error { _, err := client.ListGroupMembersWithResponse(ctx, id, nil); return err }},
		{"AddGroupMemberWithResponse", "group-id", func(id string) error {
			_, err := client.AddGroupMemberWithResponse(ctx, id, graph.ReferenceCreate{})
			return err
		}},
		{"RemoveGroupMemberWithResponse group", "group-id", func(id string) error {
			_, err := client.RemoveGroupMemberWithResponse(ctx, id, ok, nil)
			return err
		}},
		{"RemoveGroupMemberWithResponse member", "directoryObject-id", func(id string) error {
			_, err := client.RemoveGroupMemberWithResponse(ctx, ok, id, nil)
			return err
		}},
		{"UserMemberOf", "user-id", func(id string) error { return drain(client.UserMemberOf(ctx, id, nil)) }},
		{"GroupMembers", "group-id", func(id string) error { return drain(client.GroupMembers(ctx, id, nil)) }},
		{"AddGroupMember group", "group-id", func(id string) error { return client.AddGroupMember(ctx, id, ok) }},
		{"AddGroupMember member", "directoryObject-id", func(id string) error { return client.AddGroupMember(ctx, ok, id) }},
		{"DirectoryObjectURL", "directoryObject-id", func(id string) error { _, err := client.DirectoryObjectURL(id); return err }},
		{"CreateGroup owner", "directoryObject-id", func(id string) error {
			_, err := client.CreateGroup(ctx, graph.Group{}, []string{ok, id}, nil)
			return err
		}},
		{"CreateGroup member", "directoryObject-id", func(id string) error {
			_, err := client.CreateGroup(ctx, graph.Group{}, nil, []string{id})
			return err
		}},
	}
	for _, c := range calls {
		for _, id := range badIDs {
			t.Run(fmt.Sprintf("%s %q", c.name, id), func(t *testing.T) {
				err := c.call(id)
				var perr *graph.PathParamError
				if !errors.As(err, &perr) {
					t.Fatalf("err = %v (%T), want *graph.PathParamError", err, err)
				}
				if perr.Param != c.param || !strings.Contains(err.Error(), c.param) {
					t.Errorf("Param %q, message %q; want %q", perr.Param, err, c.param)
				}
			})
		}
	}
	if n := fake.GraphRequests(); n != 0 {
		t.Errorf("the fake received %d Graph requests, want none", n)
	}
	if n := fake.TokenRequests(); n != 0 {
		t.Errorf("the fake received %d token requests, want none", n)
	}
	// Ids like them that keep the path are sent, escaped: a dot inside an id, and escapes that are
	// the id's own characters.
	for _, id := range []string{"no.such@contoso.example", "%2e%2e", "%2F", "..."} {
		if _, err := client.GetUserWithResponse(ctx, id, nil); !isNotFound(err) {
			t.Errorf("GetUser(%q): %v, want Graph's 404", id, err)
		}
	}
	if n := fake.Requests(graphtest.OpGetUser); n != 4 {
		t.Errorf("%d getUser requests, want 4", n)
	}
}

func isNotFound(err error) bool {
	var gerr *graph.Error
	return errors.As(err, &gerr) && gerr.StatusCode == 404
}
