package graphtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestCreateGroupBinds posts groups with owners@odata.bind and members@odata.bind and checks what the
// fake stored and answered, Graph's 400s included.
func TestCreateGroupBinds(t *testing.T) {
	s := newTestServer(t, Options{Users: 25})
	users := s.UserIDs()
	sub, err := s.AddGroup(map[string]any{"displayName": "Sub"})
	if err != nil {
		t.Fatal(err)
	}
	c := newGraphClient(t, s)
	urls := func(base string, ids ...string) string {
		var parts []string
		for _, id := range ids {
			parts = append(parts, fmt.Sprintf("%q", s.GraphURL+"/"+base+"/"+id))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	body := func(nick, extra string) string {
		return `{"displayName":"G","mailEnabled":false,"mailNickname":"` + nick + `","securityEnabled":true` + extra + `}`
	}
	for _, tc := range []struct {
		name          string
		extra         string
		status        int
		code, message string
		owners        []string
		members       []string
	}{
		{name: "owners and members", extra: `,"owners@odata.bind":` + urls("directoryObjects", users[0]) +
			`,"members@odata.bind":` + urls("directoryObjects", users[1], users[2], sub),
			status: 201, owners: users[:1], members: []string{users[1], users[2], sub}},
		{name: "users and groups URLs", extra: `,"owners@odata.bind":` + urls("users", users[3]) + `,"members@odata.bind":` + urls("groups", sub),
			status: 201, owners: users[3:4], members: []string{sub}},
		{name: "exactly 20", extra: `,"owners@odata.bind":` + urls("directoryObjects", users[0]) + `,"members@odata.bind":` + urls("directoryObjects", users[1:20]...),
			status: 201, owners: users[:1], members: users[1:20]},
		{name: "21 link changes", extra: `,"owners@odata.bind":` + urls("directoryObjects", users[0]) + `,"members@odata.bind":` + urls("directoryObjects", users[1:21]...),
			status: 400, code: "Request_BadRequest", message: "more than 20 link changes"},
		{name: "unknown member", extra: `,"members@odata.bind":` + urls("directoryObjects", users[0], "00000000-0000-0000-0000-00000000dead"),
			status: 400, code: "Request_BadRequest", message: "00000000-0000-0000-0000-00000000dead"},
		{name: "a group as owner", extra: `,"owners@odata.bind":` + urls("directoryObjects", sub),
			status: 400, code: "Request_BadRequest", message: sub},
		{name: "not an array", extra: `,"members@odata.bind":"x"`, status: 400, code: "BadRequest", message: "array"},
		{name: "not a reference", extra: `,"members@odata.bind":["https://example.test/nothing"]`, status: 400, code: "BadRequest", message: "reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.GroupIDs())
			nick := strings.ReplaceAll(tc.name, " ", "-")
			r := c.call("POST", "/groups", body(nick, tc.extra))
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status != 201 {
				code, msg := graphErr(t, r)
				if code != tc.code || !strings.Contains(msg, tc.message) {
					t.Errorf("error %s %q, want %s containing %q", code, msg, tc.code, tc.message)
				}
				if n := len(s.GroupIDs()); n != before {
					t.Errorf("a failed request created a group (%d groups, were %d)", n, before)
				}
				return
			}
			id, _ := r.json(t)["id"].(string)
			if got := s.Owners(id); !slices.Equal(got, tc.owners) {
				t.Errorf("owners %v, want %v", got, tc.owners)
			}
			if got := s.Members(id); !slices.Equal(got, tc.members) {
				t.Errorf("members %v, want %v", got, tc.members)
			}
			if g, _ := s.Group(id); g["members@odata.bind"] != nil || g["owners@odata.bind"] != nil {
				t.Errorf("the binds were stored as properties: %v", g)
			}
		})
	}
	if r := c.call("DELETE", "/users/"+users[0], ""); r.status != http.StatusNoContent {
		t.Fatalf("delete user: %d", r.status)
	}
	for _, g := range s.GroupIDs() {
		if slices.Contains(s.Owners(g), users[0]) {
			t.Errorf("a deleted user still owns group %s", g)
		}
	}
}

func FuzzTakeBinds(f *testing.F) {
	for _, s := range []string{
		`{"members@odata.bind":["https://graph.microsoft.com/v1.0/directoryObjects/u1"],"owners@odata.bind":["https://graph.microsoft.com/v1.0/users/u2"]}`,
		`{"members@odata.bind":"x"}`, `{"members@odata.bind":[1,null,{}]}`, `{"owners@odata.bind":["http://[::1"]}`,
		`{"members@odata.bind":["/groups/"]}`, `{}`, `{"members@odata.bind":null}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		m, qerr := decodeObject([]byte(body))
		if qerr != nil {
			return
		}
		b, qerr := takeBinds(m)
		if qerr != nil {
			return
		}
		if len(b.owners)+len(b.members) > maxLinkChanges {
			t.Fatalf("%d binds accepted", len(b.owners)+len(b.members))
		}
		for _, id := range append(b.owners, b.members...) {
			if id == "" {
				t.Fatal("an empty id accepted")
			}
		}
		if _, ok := m["members@odata.bind"]; ok {
			t.Fatal("members@odata.bind left in the body")
		}
	})
}
