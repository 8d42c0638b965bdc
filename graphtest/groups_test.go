package graphtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestGroupsSeededAndListed(t *testing.T) {
	s := newTestServer(t, Options{Users: 30, Groups: 9})
	ids := s.GroupIDs()
	if len(ids) != 9 {
		t.Fatalf("%d groups seeded", len(ids))
	}
	again := newTestServer(t, Options{Users: 30, Groups: 9})
	if !slices.Equal(ids, again.GroupIDs()) {
		t.Error("the same options seed different group ids")
	}
	c := newGraphClient(t, s)
	r := c.get("/groups")
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	body := r.json(t)
	if got, want := body["@odata.context"], s.GraphURL+"/$metadata#groups"; got != want {
		t.Errorf("@odata.context %v, want %s", got, want)
	}
	vals := values(t, r)
	if len(vals) != 9 {
		t.Fatalf("%d groups listed", len(vals))
	}
	for i, g := range vals {
		if g["id"] != ids[i] {
			t.Errorf("group %d id %v, want %s", i, g["id"], ids[i])
		}
		for _, p := range groupDefaultSelect {
			if _, ok := g[p]; !ok {
				t.Errorf("group %d lacks default property %s", i, p)
			}
		}
		if _, ok := g["unseenCount"]; ok {
			t.Errorf("group %d has unseenCount, which only a single read returns", i)
		}
		if len(s.Members(ids[i])) < 3 {
			t.Errorf("group %d has %d members, want at least 3", i, len(s.Members(ids[i])))
		}
	}
}

func TestGroupsQuery(t *testing.T) {
	s := newTestServer(t, Options{Users: 5, Groups: 14, PageSize: 4})
	c := newGraphClient(t, s)
	for _, tc := range []struct {
		name   string
		query  string
		header []string
		want   int // items on the first page; -1 for an error
		status int
		code   string
	}{
		{name: "default page size", query: "", want: 4},
		{name: "top", query: "?$top=10", want: 10},
		{name: "select", query: "?$select=id,displayName&$top=1", want: 1},
		{name: "select properties only the CSDL has", query: "?$select=accessType,resourceProvisioningOptions,onPremisesExtensionAttributes&$top=1", want: 1},
		{name: "filter bool", query: "?$filter=securityEnabled eq true&$top=999", want: 7},
		{name: "filter startswith", query: "?$filter=startswith(displayName,'sales')", want: 2},
		{name: "filter any", query: "?$filter=groupTypes/any(t:t eq 'Unified')&$top=999", want: 7},
		{name: "orderby displayName", query: "?$orderby=displayName desc&$top=3", want: 3},
		{name: "count without eventual is ignored", query: "?$count=true", want: 4},
		{name: "count", query: "?$count=true&$top=1", header: []string{"ConsistencyLevel: eventual"}, want: 1},
		{name: "search", query: `?$search="displayName:fin"`, header: []string{"ConsistencyLevel: eventual"}, want: 2},
		{name: "skip refused", query: "?$skip=2", want: -1, status: 400, code: "Request_BadRequest"},
		{name: "unknown property", query: "?$select=jobTitle", want: -1, status: 400, code: "BadRequest"},
		{name: "single-only property", query: "?$select=unseenCount", want: -1, status: 501, code: "NotImplemented"},
		{name: "top too big", query: "?$top=1000", want: -1, status: 400, code: "Request_BadRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.get("/groups"+strings.ReplaceAll(tc.query, " ", "%20"), tc.header...)
			if tc.want < 0 {
				if code, _ := graphErr(t, r); r.status != tc.status || code != tc.code {
					t.Errorf("%d %s, want %d %s", r.status, code, tc.status, tc.code)
				}
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if got := len(values(t, r)); got != tc.want {
				t.Errorf("%d groups, want %d", got, tc.want)
			}
		})
	}

	// Paging follows nextLink through every group, in order.
	var got []string
	next := "/groups?$select=id"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		r := c.get(next)
		for _, g := range values(t, r) {
			got = append(got, g["id"].(string))
		}
		next, _ = r.json(t)["@odata.nextLink"].(string)
	}
	if !slices.Equal(got, s.GroupIDs()) {
		t.Errorf("paged ids %v, want %v", got, s.GroupIDs())
	}

	// $count with a filter counts the matches.
	r := c.get("/groups?$count=true&$filter=mailEnabled%20eq%20true", "ConsistencyLevel: eventual")
	if n, _ := r.json(t)["@odata.count"].(float64); n != 7 {
		t.Errorf("@odata.count %v, want 7", n)
	}
}

func TestGroupLifecycle(t *testing.T) {
	s := newTestServer(t, Options{Users: 3})
	c := newGraphClient(t, s)

	// Each required property is required.
	full := map[string]string{
		"displayName": `"Ops"`, "mailEnabled": "false", "mailNickname": `"ops"`, "securityEnabled": "true",
	}
	for missing := range full {
		var parts []string
		for k, v := range full {
			if k != missing {
				parts = append(parts, fmt.Sprintf("%q:%s", k, v))
			}
		}
		r := c.call("POST", "/groups", "{"+strings.Join(parts, ",")+"}")
		if code, msg := graphErr(t, r); r.status != 400 || code != "Request_BadRequest" || !strings.Contains(msg, missing) {
			t.Errorf("without %s: %d %s %s", missing, r.status, code, msg)
		}
	}
	r := c.call("POST", "/groups", `{"displayName":"Ops","mailEnabled":false,"mailNickname":"ops","securityEnabled":true,"jobTitle":"x"}`)
	if code, _ := graphErr(t, r); r.status != 400 || code != "BadRequest" {
		t.Errorf("unknown property: %d %s", r.status, code)
	}

	r = c.call("POST", "/groups", `{"displayName":"Ops","mailEnabled":true,"mailNickname":"ops","securityEnabled":false,"groupTypes":["Unified"],"description":null}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	g := r.json(t)
	id, _ := g["id"].(string)
	if id == "" || g["mail"] != "ops@"+s.Domain || g["description"] != nil || g["@odata.context"] != s.GraphURL+"/$metadata#groups/$entity" {
		t.Errorf("created %v", g)
	}
	if !strings.Contains(r.header.Get("Location"), id) {
		t.Errorf("Location %q", r.header.Get("Location"))
	}
	r = c.call("POST", "/groups", `{"displayName":"Ops 2","mailEnabled":false,"mailNickname":"OPS","securityEnabled":true}`)
	if code, _ := graphErr(t, r); r.status != 400 || code != "Request_BadRequest" {
		t.Errorf("duplicate mailNickname: %d %s", r.status, code)
	}

	r = c.call("PATCH", "/groups/"+id, `{"description":"Operations","visibility":null}`)
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	r = c.get("/groups/" + id + "?$select=description,visibility,unseenCount")
	got := r.json(t)
	if got["description"] != "Operations" || got["visibility"] != nil || len(got) != 4 {
		t.Errorf("after update %v", got)
	}
	if r := c.call("PATCH", "/groups/"+id, `{"mailEnabled":"yes"}`); r.status != 400 {
		t.Errorf("bad type: %d", r.status)
	}

	if r := c.call("DELETE", "/groups/"+id, ""); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	for _, method := range []string{"GET", "PATCH", "DELETE"} {
		r := c.call(method, "/groups/"+id, map[string]string{"PATCH": `{"description":"x"}`}[method])
		if code, _ := graphErr(t, r); r.status != 404 || code != "Request_ResourceNotFound" {
			t.Errorf("%s after delete: %d %s", method, r.status, code)
		}
	}
	if n := s.Requests(OpCreateGroup); n != 7 {
		t.Errorf("Requests(OpCreateGroup) = %d, want 7", n)
	}
}

func TestGroupMembers(t *testing.T) {
	s := newTestServer(t, Options{Users: 12, PageSize: 5})
	users := s.UserIDs()
	gid, err := s.AddGroup(map[string]any{"displayName": "Team", "mailNickname": "team", "mailEnabled": false, "securityEnabled": true})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := s.AddGroup(map[string]any{"displayName": "Inner", "mailNickname": "inner", "mailEnabled": false, "securityEnabled": true})
	if err != nil {
		t.Fatal(err)
	}
	c := newGraphClient(t, s)
	ref := func(id string) string {
		return `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/` + id + `"}`
	}

	for _, u := range users {
		if r := c.call("POST", "/groups/"+gid+"/members/$ref", ref(u)); r.status != http.StatusNoContent {
			t.Fatalf("add %s: %d %s", u, r.status, r.body)
		}
	}
	if r := c.call("POST", "/groups/"+gid+"/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/groups/`+inner+`"}`); r.status != http.StatusNoContent {
		t.Fatalf("add group: %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		code, msg  string
	}{
		{"again", ref(users[0]), 400, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'."},
		{"no such object", ref("00000000-0000-0000-0000-000000000000"), 404, "Request_ResourceNotFound", ""},
		{"not a reference", `{"@odata.id":"https://graph.microsoft.com/v1.0/applications/x"}`, 400, "BadRequest", ""},
		{"no body", `{}`, 400, "BadRequest", ""},
	} {
		r := c.call("POST", "/groups/"+gid+"/members/$ref", tc.body)
		code, msg := graphErr(t, r)
		if r.status != tc.status || code != tc.code || (tc.msg != "" && msg != tc.msg) {
			t.Errorf("%s: %d %s %q", tc.name, r.status, code, msg)
		}
	}
	if r := c.call("POST", "/groups/nope/members/$ref", ref(users[0])); r.status != 404 {
		t.Errorf("add to a missing group: %d", r.status)
	}

	// Paged listing, every member once, in order, each with its @odata.type.
	var got []string
	next := "/groups/" + gid + "/members"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		r := c.get(next)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		for _, m := range values(t, r) {
			want := "#microsoft.graph.user"
			if m["id"] == inner {
				want = "#microsoft.graph.group"
			}
			if m["@odata.type"] != want {
				t.Errorf("member %v: @odata.type %v, want %s", m["id"], m["@odata.type"], want)
			}
			got = append(got, m["id"].(string))
		}
		next, _ = r.json(t)["@odata.nextLink"].(string)
	}
	if want := append(slices.Clone(users), inner); !slices.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
	r := c.get("/groups/"+gid+"/members?$count=true&$top=1&$select=id", "ConsistencyLevel: eventual")
	if n, _ := r.json(t)["@odata.count"].(float64); n != 13 {
		t.Errorf("@odata.count %v, want 13", n)
	}
	if m := values(t, r)[0]; len(m) != 2 {
		t.Errorf("$select=id member %v", m)
	}

	// The user's memberOf shows the group; removing the member undoes both.
	if r := c.get("/users/" + users[1] + "/memberOf"); len(values(t, r)) != 1 {
		t.Errorf("memberOf %s", r.body)
	}
	if r := c.call("DELETE", "/groups/"+gid+"/members/"+users[1]+"/$ref", ""); r.status != http.StatusNoContent {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	if r := c.call("DELETE", "/groups/"+gid+"/members/"+users[1]+"/$ref", ""); r.status != 404 {
		t.Errorf("remove again: %d, want 404", r.status)
	}
	if r := c.get("/users/" + users[1] + "/memberOf"); len(values(t, r)) != 0 {
		t.Errorf("memberOf after removal %s", r.body)
	}
	if slices.Contains(s.Members(gid), users[1]) {
		t.Error("Members still lists the removed user")
	}

	// Deleting a user or a group drops it from the groups it was in.
	if r := c.call("DELETE", "/users/"+users[2], ""); r.status != 204 {
		t.Fatal(r.status)
	}
	if r := c.call("DELETE", "/groups/"+inner, ""); r.status != 204 {
		t.Fatal(r.status)
	}
	if m := s.Members(gid); slices.Contains(m, users[2]) || slices.Contains(m, inner) || len(m) != 10 {
		t.Errorf("members after deletes %v", m)
	}
	for op, want := range map[string]int{OpAddGroupMember: 18, OpRemoveGroupMember: 2, OpListGroupMembers: 4} {
		if n := s.Requests(op); n != want {
			t.Errorf("Requests(%s) = %d, want %d", op, n, want)
		}
	}
}
