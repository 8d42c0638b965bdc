package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/graphtest"
)

func TestGroupsPagesCompleteAndInOrder(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 5, Groups: 25, PageSize: 10})
	params := &graph.ListGroupsParams{Select: []string{"id", "displayName"}, ConsistencyLevel: graph.Ptr(graph.ConsistencyEventual)}
	var got []string
	for g, err := range client.Groups(context.Background(), params) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, *g.ID)
	}
	if want := fake.GroupIDs(); !slices.Equal(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	pages := 0
	for _, r := range fake.Recorded() {
		if r.Op != graphtest.OpListGroups {
			continue
		}
		pages++
		if r.Header.Get("ConsistencyLevel") != "eventual" {
			t.Errorf("page %d lost ConsistencyLevel", pages)
		}
	}
	if pages != 3 {
		t.Errorf("%d pages, want 3", pages)
	}
}

func TestGroupMembersPagesWithTypes(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 7})
	gid, err := fake.AddGroup(map[string]any{"displayName": "Team", "mailNickname": "team", "mailEnabled": false, "securityEnabled": true})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fake.AddGroup(map[string]any{"displayName": "Sub", "mailNickname": "sub", "mailEnabled": false, "securityEnabled": true})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range append(fake.UserIDs(), sub) {
		if err := client.AddGroupMember(context.Background(), gid, id); err != nil {
			t.Fatal(err)
		}
	}
	var users, groups int
	for m, err := range client.GroupMembers(context.Background(), gid, &graph.ListGroupMembersParams{Top: graph.Ptr(3)}) {
		if err != nil {
			t.Fatal(err)
		}
		switch m.Type() {
		case "#microsoft.graph.user":
			users++
		case "#microsoft.graph.group":
			groups++
		default:
			t.Errorf("member %s of type %s", m.ID(), m.Type())
		}
	}
	if users != 7 || groups != 1 {
		t.Errorf("%d users and %d groups, want 7 and 1", users, groups)
	}
	if n := fake.Requests(graphtest.OpListGroupMembers); n != 3 {
		t.Errorf("%d member pages, want 3", n)
	}
}

func TestGroupIteratorsRefuseForeignNextLink(t *testing.T) {
	var foreignHits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignHits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	defer foreign.Close()

	iterate := map[string]func(c *graph.Client) (int, error){
		"Groups": func(c *graph.Client) (n int, err error) {
			for _, err := range c.Groups(context.Background(), nil) {
				if err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		},
		"GroupMembers": func(c *graph.Client) (n int, err error) {
			for _, err := range c.GroupMembers(context.Background(), "g1", nil) {
				if err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		},
	}
	for name, it := range iterate {
		for _, link := range []string{foreign.URL + "/v1.0/groups?$skiptoken=x", "/beta/groups?$skiptoken=x"} {
			t.Run(name+" "+link, func(t *testing.T) {
				graphSrv := newFakeGraph(t, jsonReply(200, `{"value":[{"id":"x1"}],"@odata.nextLink":"`+link+`"}`))
				n, err := it(newTestClient(t, graphSrv.URL+"/v1.0"))
				if !errors.Is(err, graph.ErrForeignNextLink) {
					t.Errorf("err = %v, want ErrForeignNextLink", err)
				}
				if n != 1 || len(graphSrv.requests()) != 1 {
					t.Errorf("%d items, %d Graph requests", n, len(graphSrv.requests()))
				}
			})
		}
	}
	if n := foreignHits.Load(); n != 0 {
		t.Errorf("the foreign host received %d requests", n)
	}
}

func TestAddGroupMember(t *testing.T) {
	t.Run("sends the directoryObjects reference", func(t *testing.T) {
		f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
		c := newTestClient(t, f.URL+"/v1.0")
		if err := c.AddGroupMember(context.Background(), "g 1", "u 1"); err != nil {
			t.Fatal(err)
		}
		r := f.requests()[0]
		if r.Method != "POST" || r.RawPath != "/v1.0/groups/g%201/members/$ref" {
			t.Errorf("sent %s %s", r.Method, r.RawPath)
		}
		want := fmt.Sprintf(`{"@odata.id":%q}`, f.URL+"/v1.0/directoryObjects/u%201")
		if !jsonEqual(t, r.Body, want) {
			t.Errorf("body %s, want %s", r.Body, want)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
	})
	t.Run("Graph's answers", func(t *testing.T) {
		client, fake := newFakeClient(t, graphtest.Options{Users: 2, Groups: 1})
		gid := fake.GroupIDs()[0]
		uid := fake.UserIDs()[0]
		_ = client.AddGroupMember(context.Background(), gid, uid) // may already be one
		for _, tc := range []struct {
			name            string
			group, member   string
			status          int
			code, inMessage string
		}{
			{"already a member", gid, uid, 400, "Request_BadRequest", "already exist"},
			{"no such member", gid, "00000000-0000-0000-0000-000000000001", 404, "Request_ResourceNotFound", ""},
			{"no such group", "00000000-0000-0000-0000-000000000002", uid, 404, "Request_ResourceNotFound", ""},
		} {
			err := client.AddGroupMember(context.Background(), tc.group, tc.member)
			var gerr *graph.Error
			if !errors.As(err, &gerr) || gerr.StatusCode != tc.status || gerr.Code != tc.code || !strings.Contains(gerr.Message, tc.inMessage) {
				t.Errorf("%s: err = %v", tc.name, err)
			}
		}
		if !slices.Contains(fake.Members(gid), uid) {
			t.Error("the member was not added")
		}
	})
	t.Run("bad arguments send nothing", func(t *testing.T) {
		f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
		c := newTestClient(t, f.URL+"/v1.0")
		var nilCtx context.Context
		for _, err := range []error{
			c.AddGroupMember(nilCtx, "g", "u"),
			c.AddGroupMember(context.Background(), "", "u"),
			c.AddGroupMember(context.Background(), "g", ""),
		} {
			if err == nil {
				t.Error("no error")
			}
		}
		if n := len(f.requests()); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	})
}
