package graphtest

import (
	"net/http"
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
