package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/graphtest"
)

// TestUserMemberOfIsTyped reads a user's memberships from the fake: each comes back as a Group with the
// displayName and mail Graph sent, one request per page.
func TestUserMemberOfIsTyped(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 1})
	uid := fake.UserIDs()[0]
	want := map[string]string{} // id -> displayName
	for i := range 3 {
		name := fmt.Sprint("group ", i)
		gid, err := fake.AddGroup(map[string]any{"displayName": name, "mail": fmt.Sprintf("g%d@contoso.example", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := fake.AddMember(gid, uid); err != nil {
			t.Fatal(err)
		}
		want[gid] = name
	}
	n := 0
	for obj, err := range client.UserMemberOf(context.Background(), uid, &graph.ListUserMemberOfParams{Top: graph.Ptr(2)}) {
		if err != nil {
			t.Fatal(err)
		}
		g, ok := obj.Group()
		if !ok || obj.Type() != graph.ODataTypeGroup {
			t.Fatalf("@odata.type = %q, Group() ok %v", obj.Type(), ok)
		}
		name, _ := g.DisplayName.Get()
		mail, _ := g.Mail.Get()
		if name != want[obj.ID()] || mail != fmt.Sprintf("g%d@contoso.example", n) {
			t.Errorf("group %s: displayName %q, mail %q", obj.ID(), name, mail)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d memberships, want 3", n)
	}
	if got := fake.Requests(graphtest.OpListUserMemberOf); got != 2 {
		t.Errorf("%d requests, want 2 (one per page)", got)
	}
}

// TestUserMemberOfOtherKinds: a membership of a kind the SDK has no type for (a directory role) comes
// with its type, id and JSON, for the caller to decode.
func TestUserMemberOfOtherKinds(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 1})
	uid := fake.UserIDs()[0]
	role, err := fake.AddGroup(map[string]any{"@odata.type": "#microsoft.graph.directoryRole", "displayName": "Global Reader", "roleTemplateId": "f2ef992c"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.AddMember(role, uid); err != nil {
		t.Fatal(err)
	}
	var items []graph.DirectoryItem
	for m, err := range client.UserMemberOf(context.Background(), uid, nil) {
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, m)
	}
	if len(items) != 1 {
		t.Fatalf("%d memberships", len(items))
	}
	m := items[0]
	_, isUser := m.User()
	_, isGroup := m.Group()
	if m.Type() != "#microsoft.graph.directoryRole" || m.ID() != role || isUser || isGroup {
		t.Fatalf("type %q id %q user %v group %v", m.Type(), m.ID(), isUser, isGroup)
	}
	var r struct {
		DisplayName    string `json:"displayName"`
		RoleTemplateID string `json:"roleTemplateId"`
	}
	if err := json.Unmarshal(m.Raw(), &r); err != nil || r.DisplayName != "Global Reader" || r.RoleTemplateID != "f2ef992c" {
		t.Errorf("Raw() = %s (%v)", m.Raw(), err)
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
