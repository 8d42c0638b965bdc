package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
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

// TestGroupMembersAreTyped reads a group's members, users and a group, from the fake: each comes back
// as a User or a Group with the properties Graph sent, one request per page and none per member.
func TestGroupMembersAreTyped(t *testing.T) {
	for _, sel := range [][]string{nil, {"id", "displayName", "mail", "userPrincipalName"}} {
		t.Run(fmt.Sprint("select ", sel), func(t *testing.T) {
			client, fake := newFakeClient(t, graphtest.Options{Users: 7})
			gid, err := fake.AddGroup(map[string]any{"displayName": "Team", "mailNickname": "team", "mailEnabled": false, "securityEnabled": true})
			if err != nil {
				t.Fatal(err)
			}
			sub, err := fake.AddGroup(map[string]any{"displayName": "Sub", "mail": "sub@contoso.example", "mailNickname": "sub", "mailEnabled": true, "securityEnabled": false})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range append(fake.UserIDs(), sub) {
				if err := client.AddGroupMember(context.Background(), gid, id); err != nil {
					t.Fatal(err)
				}
			}
			var users, groups int
			for m, err := range client.GroupMembers(context.Background(), gid, &graph.ListGroupMembersParams{Top: graph.Ptr(3), Select: sel}) {
				if err != nil {
					t.Fatal(err)
				}
				switch m.Type() {
				case graph.ODataTypeUser:
					users++
					u, ok := m.User()
					if _, isGroup := m.Group(); !ok || isGroup {
						t.Fatalf("user member: User() ok %v, Group() ok %v", ok, isGroup)
					}
					want, _ := fake.User(m.ID())
					if u.ID == nil || *u.ID != want["id"] {
						t.Errorf("ID() %q, User().ID %v", m.ID(), u.ID)
					}
					for prop, got := range map[string]graph.Nullable[string]{"displayName": u.DisplayName, "mail": u.Mail, "userPrincipalName": u.UserPrincipalName} {
						if v, err := got.Get(); err != nil || v != want[prop] {
							t.Errorf("user %s: %s = %q (%v), want %v", m.ID(), prop, v, err, want[prop])
						}
					}
				case graph.ODataTypeGroup:
					groups++
					g, ok := m.Group()
					if !ok || m.ID() != sub {
						t.Fatalf("group member %q: Group() ok %v", m.ID(), ok)
					}
					if name, _ := g.DisplayName.Get(); name != "Sub" {
						t.Errorf("group displayName = %q", name)
					}
					if mail, _ := g.Mail.Get(); mail != "sub@contoso.example" {
						t.Errorf("group mail = %q", mail)
					}
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
			for _, op := range []string{graphtest.OpGetUser, graphtest.OpGetGroup} {
				if n := fake.Requests(op); n != 0 {
					t.Errorf("%d %s requests, want none", n, op)
				}
			}
		})
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

// TestCreateGroupWithOwnersAndMembers creates groups with owners and members in one POST against the
// fake: the binds carry directoryObjects URLs under the client's base URL, the fake applies them, and
// its 400s (an unknown id, more than 20 link changes) come back as *graph.Error with no group made.
func TestCreateGroupWithOwnersAndMembers(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 25})
	ctx := context.Background()
	users := fake.UserIDs()
	newGroup := func(nick string) graph.Group {
		return graph.Group{DisplayName: graph.Value("Project " + nick), MailEnabled: graph.Value(false),
			MailNickname: graph.Value(nick), SecurityEnabled: graph.Value(true)}
	}

	g, err := client.CreateGroup(ctx, newGroup("p1"), users[:2], users[2:5])
	if err != nil {
		t.Fatal(err)
	}
	if name, _ := g.DisplayName.Get(); g.ID == nil || name != "Project p1" {
		t.Fatalf("created %+v", g)
	}
	if got := fake.Owners(*g.ID); !slices.Equal(got, users[:2]) {
		t.Errorf("owners %v, want %v", got, users[:2])
	}
	if got := fake.Members(*g.ID); !slices.Equal(got, users[2:5]) {
		t.Errorf("members %v, want %v", got, users[2:5])
	}
	if n := fake.Requests(graphtest.OpCreateGroup); n != 1 {
		t.Errorf("%d createGroup requests, want 1", n)
	}
	if n := fake.Requests(graphtest.OpAddGroupMember); n != 0 {
		t.Errorf("%d addGroupMember requests, want none", n)
	}
	sent, _ := fake.LastRequest(graphtest.OpCreateGroup)
	var body map[string]any
	if err := json.Unmarshal(sent.Body, &body); err != nil {
		t.Fatal(err)
	}
	if got, want := body["owners@odata.bind"], []any{fake.GraphURL + "/directoryObjects/" + users[0], fake.GraphURL + "/directoryObjects/" + users[1]}; !reflect.DeepEqual(got, want) {
		t.Errorf("owners@odata.bind %v, want %v", got, want)
	}
	if body["displayName"] != "Project p1" || body["mailNickname"] != "p1" {
		t.Errorf("the group's properties were not sent: %s", sent.Body)
	}

	// Without owners or members the body is the group alone.
	g2, err := client.CreateGroup(ctx, newGroup("p2"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ = fake.LastRequest(graphtest.OpCreateGroup)
	if strings.Contains(string(sent.Body), "odata.bind") || len(fake.Members(*g2.ID)) != 0 {
		t.Errorf("sent %s", sent.Body)
	}

	for _, tc := range []struct {
		name            string
		owners, members []string
		inMessage       string
	}{
		{"unknown member", users[:1], []string{users[1], "00000000-0000-4000-8000-00000000dead"}, "00000000-0000-4000-8000-00000000dead"},
		{"21 link changes", users[:1], users[1:21], "more than 20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(fake.GroupIDs())
			_, err := client.CreateGroup(ctx, newGroup(strings.ReplaceAll(tc.name, " ", "-")), tc.owners, tc.members)
			var gerr *graph.Error
			if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusBadRequest || !strings.Contains(gerr.Message, tc.inMessage) {
				t.Fatalf("err = %v, want Graph's 400 mentioning %q", err, tc.inMessage)
			}
			if n := len(fake.GroupIDs()); n != before {
				t.Errorf("%d groups, were %d: a refused request created one", n, before)
			}
		})
	}
}
