package graphtest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRoles: Graph answers 403 Authorization_RequestDenied to a token whose
// roles include none of an operation's permissions; the default roles allow
// everything the fake serves.
func TestRoles(t *testing.T) {
	user := `{"accountEnabled":true,"displayName":"R","mailNickname":"r","userPrincipalName":"r@contoso.example","passwordProfile":{"password":"x-1-Y"}}`
	group := `{"displayName":"G","mailEnabled":false,"mailNickname":"g-roles","securityEnabled":true}`
	type req struct{ method, path, body string }
	reads := []req{{"GET", "/users", ""}, {"GET", "/users/{user}", ""}, {"GET", "/users/{user}/memberOf", ""}}
	groupReads := []req{{"GET", "/groups", ""}, {"GET", "/groups/{group}", ""}, {"GET", "/groups/{group}/members", ""}}
	userWrites := []req{{"PATCH", "/users/{user}", `{"city":"Oslo"}`}, {"POST", "/users", user}}
	groupWrites := []req{{"PATCH", "/groups/{group}", `{"description":"d"}`}, {"POST", "/groups", group}}
	memberWrites := []req{{"POST", "/groups/{group}/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/{other}"}`}}
	tests := []struct {
		name          string
		roles         []string
		allow, forbid []req
	}{
		{"default", nil, append(append(append(append(reads, groupReads...), userWrites...), groupWrites...), memberWrites...), nil},
		{"User.ReadWrite.All may not change groups", []string{"User.ReadWrite.All"}, append(reads, userWrites...), append(append(groupReads, groupWrites...), memberWrites...)},
		{"User.Read.All reads users only", []string{"User.Read.All"}, reads, append(append(groupReads, userWrites...), groupWrites...)},
		{"GroupMember.ReadWrite.All", []string{"GroupMember.ReadWrite.All"}, append(groupReads, memberWrites...), append(userWrites, groupWrites...)},
		{"Directory.Read.All", []string{"Directory.Read.All"}, append(reads, groupReads...), append(append(userWrites, groupWrites...), memberWrites...)},
		{"no roles", []string{}, nil, append(reads, groupReads...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Options{Users: 5, Groups: 2, Roles: tt.roles})
			c := newGraphClient(t, s)
			ids := map[string]string{"{user}": s.dir.users[0].id, "{group}": s.dir.groups[0].id, "{other}": s.dir.users[4].id}
			expand := func(p string) string {
				for k, v := range ids {
					p = strings.ReplaceAll(p, k, v)
				}
				return p
			}
			s.dir.mu.Lock()
			s.dir.removeMember(ids["{group}"], ids["{other}"])
			s.dir.mu.Unlock()
			for _, q := range tt.allow {
				if r := c.call(q.method, expand(q.path), expand(q.body)); r.status >= 300 {
					t.Errorf("%s %s: %d %s", q.method, q.path, r.status, r.body)
				}
			}
			for _, q := range tt.forbid {
				r := c.call(q.method, expand(q.path), expand(q.body))
				if code, msg := graphErr(t, r); r.status != http.StatusForbidden || code != "Authorization_RequestDenied" || msg != "Insufficient privileges to complete the operation." {
					t.Errorf("%s %s: %d %s %s", q.method, q.path, r.status, code, msg)
				}
			}
		})
	}
}

// TestLambdaOnComplexCollections: any() over the collections of complex
// values Graph filters, with GUID literals unquoted as OData writes them.
func TestLambdaOnComplexCollections(t *testing.T) {
	s := newTestServer(t, Options{})
	c := newGraphClient(t, s)
	sku := "184efa21-98c3-4e5d-95ab-d07053a96e67"
	add := func(nick string, extra map[string]any) string {
		u := map[string]any{"displayName": nick, "userPrincipalName": nick + "@contoso.example", "accountEnabled": true}
		for k, v := range extra {
			u[k] = v
		}
		id, err := s.AddUser(u)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	licensed := add("licensed", map[string]any{"assignedLicenses": []any{map[string]any{"skuId": sku, "disabledPlans": []any{}}}})
	social := add("social", map[string]any{"identities": []any{
		map[string]any{"signInType": "emailAddress", "issuer": "contoso.example", "issuerAssignedId": "j.smith@yahoo.com"},
	}})
	add("plain", nil)
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{"assignedLicenses/any(x:x/skuId eq " + sku + ")", []string{licensed}},
		{"assignedLicenses/any(x:x/skuId eq " + strings.ToUpper(sku) + ")", []string{licensed}},
		{"assignedLicenses/any(x:x/skuId eq '" + sku + "')", []string{licensed}},
		{"assignedLicenses/any(x:x/skuId eq 00000000-0000-0000-0000-000000000000)", nil},
		{"identities/any(c:c/issuerAssignedId eq 'j.smith@yahoo.com' and c/issuer eq 'contoso.example')", []string{social}},
		{"identities/any(c:c/issuerAssignedId eq 'j.smith@yahoo.com' and c/issuer eq 'other.example')", nil},
		{"id eq '" + social + "' or assignedLicenses/any(x:x/skuId eq " + sku + ")", []string{licensed, social}},
	} {
		r := c.get("/users?$select=id&$filter=" + url.QueryEscape(tc.filter))
		if r.status != 200 {
			t.Errorf("%s: %d %s", tc.filter, r.status, r.body)
			continue
		}
		var got []string
		for _, v := range values(t, r) {
			got = append(got, v["id"].(string))
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %v, want %v", tc.filter, got, tc.want)
		}
	}
}

// TestCounts: $count segments on every collection served, and $count=true
// without ConsistencyLevel ignored as Graph ignores it.
func TestCounts(t *testing.T) {
	s := newTestServer(t, Options{Users: 30, Groups: 3})
	c := newGraphClient(t, s)
	g := s.dir.groups[0].id
	members := len(s.dir.members[strings.ToLower(g)])
	u := s.dir.members[strings.ToLower(g)][0]
	memberOf := len(s.dir.memberOf[strings.ToLower(u)])
	ev := "ConsistencyLevel: eventual"
	for path, want := range map[string]int{
		"/users/$count":  30,
		"/groups/$count": 3,
		"/groups/$count?$filter=securityEnabled%20eq%20true":     2,
		"/groups/" + g + "/members/$count":                       members,
		"/groups/" + g + "/members/microsoft.graph.user/$count":  members,
		"/groups/" + g + "/members/microsoft.graph.group/$count": 0,
		"/groups/" + g + "/members/graph.user/$count":            members,
		"/users/" + u + "/memberOf/$count":                       memberOf,
		"/users/" + u + "/memberOf/microsoft.graph.group/$count": memberOf,
	} {
		r := c.get(path, ev)
		if r.status != 200 || string(r.body) != strconv.Itoa(want) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s: %d %q, want %d", path, r.status, r.body, want)
		}
		if r := c.get(path); r.status != 400 {
			t.Errorf("%s without ConsistencyLevel: %d", path, r.status)
		}
	}
	for _, path := range []string{"/users?$count=true", "/groups?$count=true", "/groups/" + g + "/members?$count=true", "/users/" + u + "/memberOf?$count=true"} {
		r := c.get(path)
		if _, has := r.json(t)["@odata.count"]; r.status != 200 || has {
			t.Errorf("%s without ConsistencyLevel: %d, @odata.count present %v", path, r.status, has)
		}
		r = c.get(path, ev)
		if _, has := r.json(t)["@odata.count"]; r.status != 200 || !has {
			t.Errorf("%s with ConsistencyLevel: %d, @odata.count present %v", path, r.status, has)
		}
	}
	if s.Requests(OpCountGroups) != 4 || s.Requests(OpCountGroupMembers) != 8 || s.Requests(OpCountUserMemberOf) != 4 {
		t.Errorf("counters: %d %d %d", s.Requests(OpCountGroups), s.Requests(OpCountGroupMembers), s.Requests(OpCountUserMemberOf))
	}
	if r := c.get("/groups/nope/members/$count", ev); r.status != 404 {
		t.Errorf("count of a missing group's members: %d", r.status)
	}
	if r := c.call("POST", "/groups/$count", "{}"); r.status != 405 {
		t.Errorf("POST /groups/$count: %d", r.status)
	}
}

// TestMemberQueries: casts, and $filter, $search, $orderby and $count on
// members and memberOf as Graph allows them (advanced queries only).
func TestMemberQueries(t *testing.T) {
	s := newTestServer(t, Options{Users: 10})
	c := newGraphClient(t, s)
	ids := s.UserIDs()
	group := func(name string) string {
		r := c.call("POST", "/groups", `{"displayName":"`+name+`","mailEnabled":false,"mailNickname":"`+strings.ToLower(name)+`","securityEnabled":true}`)
		if r.status != 201 {
			t.Fatalf("create group: %d %s", r.status, r.body)
		}
		return r.json(t)["id"].(string)
	}
	g, inner := group("Outer"), group("Inner")
	add := func(member string) {
		if r := c.call("POST", "/groups/"+g+"/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/`+member+`"}`); r.status != 204 {
			t.Fatalf("add: %d %s", r.status, r.body)
		}
	}
	for _, id := range ids[:6] {
		add(id)
	}
	add(inner)
	prop := func(id, name string) string { // "" when the object has none, which sorts first
		s.dir.mu.RLock()
		defer s.dir.mu.RUnlock()
		props, _ := s.dir.objectByID(id)
		v, _ := props[name].(string)
		return v
	}
	name := func(id string) string { return prop(id, "displayName") }
	ev := "ConsistencyLevel: eventual"
	base := "/groups/" + g + "/members"
	for _, tc := range []struct {
		name, path string
		headers    []string
		want       func(id string) bool // which of the 7 members, in order
		sortBy     string               // the property the members come sorted by, "" for insertion order
	}{
		{"all", base, nil, func(string) bool { return true }, ""},
		{"users cast", base + "/microsoft.graph.user", nil, func(id string) bool { return id != inner }, ""},
		{"groups cast", base + "/microsoft.graph.group", nil, func(id string) bool { return id == inner }, ""},
		{"filter", base + "?$count=true&$filter=startswith(displayName,'" + name(ids[2])[:3] + "')", []string{ev},
			func(id string) bool {
				return strings.HasPrefix(strings.ToLower(name(id)), strings.ToLower(name(ids[2])[:3]))
			}, ""},
		{"filter on a cast", base + "/microsoft.graph.user?$count=true&$filter=userType eq 'Member'", []string{ev},
			func(id string) bool { return id != inner }, ""},
		{"search", base + `?$count=true&$search="displayName:inner"`, []string{ev}, func(id string) bool { return id == inner }, ""},
		{"orderby", base + "?$count=true&$orderby=displayName", []string{ev}, func(string) bool { return true }, "displayName"},
		// A user-only property: the group has none, sorts first, and stays.
		{"orderby a property of one type", base + "?$count=true&$orderby=userPrincipalName", []string{ev}, func(string) bool { return true }, "userPrincipalName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.get(strings.ReplaceAll(tc.path, " ", "%20"), tc.headers...)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var want, got []string
			for _, id := range append(ids[:6:6], inner) {
				if tc.want(id) {
					want = append(want, id)
				}
			}
			if tc.sortBy != "" {
				slices.SortStableFunc(want, func(a, b string) int {
					return strings.Compare(strings.ToLower(prop(a, tc.sortBy)), strings.ToLower(prop(b, tc.sortBy)))
				})
			}
			for _, v := range values(t, r) {
				got = append(got, v["id"].(string))
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("members %v, want %v", got, want)
			}
			if n, ok := r.json(t)["@odata.count"]; strings.Contains(tc.path, "$count=true") && (!ok || n != float64(len(want))) {
				t.Errorf("@odata.count %v, want %d", n, len(want))
			}
		})
	}
	// Without the advanced query headers, Graph refuses these on members.
	for _, tc := range []struct {
		query, code, msg string
		headers          []string
	}{
		{"$filter=startswith(displayName,'a')", "Request_UnsupportedQuery", "reference property", nil},
		{"$filter=startswith(displayName,'a')", "Request_UnsupportedQuery", "reference property", []string{ev}},
		{"$orderby=displayName", "Request_UnsupportedQuery", "Sorting not supported", nil},
		{`$search="displayName:a"`, "Request_UnsupportedQuery", "ConsistencyLevel", nil},
		{"$filter=shoeSize eq 1&$count=true", "BadRequest", "shoeSize", []string{ev}},
	} {
		r := c.get(strings.ReplaceAll(base+"?"+tc.query, " ", "%20"), tc.headers...)
		if code, msg := graphErr(t, r); r.status != 400 || code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s %v: %d %s %q", tc.query, tc.headers, r.status, code, msg)
		}
	}
	// Items of a mixed collection carry their type; a cast's do not need to.
	v := values(t, c.get(base+"?$select=id,displayName,mailEnabled"))
	if len(v) != 7 || v[0]["@odata.type"] != "#microsoft.graph.user" || v[6]["@odata.type"] != "#microsoft.graph.group" ||
		v[6]["mailEnabled"] != false || v[0]["displayName"] == nil {
		t.Errorf("mixed items: %v", v)
	}
	if r := c.get(base + "/microsoft.graph.user?$select=id,mailEnabled"); r.status != 400 {
		t.Errorf("a user cast selecting a group property: %d", r.status)
	}
	if ctx := c.get(base + "/microsoft.graph.user").json(t)["@odata.context"]; ctx != s.GraphURL+"/$metadata#users" {
		t.Errorf("cast context %v", ctx)
	}
	// memberOf: casts and paging.
	r := c.get("/users/" + ids[0] + "/memberOf/microsoft.graph.group?$top=1")
	if v := values(t, r); r.status != 200 || len(v) != 1 || v[0]["id"] != g {
		t.Errorf("memberOf cast: %d %s", r.status, r.body)
	}
	if v := values(t, c.get("/users/"+ids[0]+"/memberOf/graph.group")); len(v) != 1 {
		t.Errorf("memberOf graph.group (the namespace alias): %v", v)
	}
	if v := values(t, c.get("/users/"+ids[0]+"/memberOf/microsoft.graph.user")); len(v) != 0 {
		t.Errorf("memberOf users: %v", v)
	}
	if r := c.get(base + "/microsoft.graph.device"); r.status != 400 {
		t.Errorf("cast to a type not served: %d", r.status)
	}
}
