package graphtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestPatchGroupMembersBind(t *testing.T) {
	s := newTestServer(t, Options{Users: 30})
	c := newGraphClient(t, s)
	gid, err := s.AddGroup(map[string]any{"displayName": "G", "mailEnabled": false, "mailNickname": "g", "securityEnabled": true})
	if err != nil {
		t.Fatal(err)
	}
	ids := s.UserIDs()
	bind := func(ids ...string) string {
		refs := make([]string, len(ids))
		for i, id := range ids {
			refs[i] = fmt.Sprintf("%q", s.GraphURL+"/directoryObjects/"+id)
		}
		return `{"members@odata.bind":[` + strings.Join(refs, ",") + `]}`
	}
	tests := []struct {
		name       string
		body       string
		status     int
		code       string
		wantMember int
	}{
		{"twenty", bind(ids[:20]...), 204, "", 20},
		{"twenty-one", bind(ids[:21]...), 400, "Request_BadRequest", 20},
		{"already a member: none added", bind(ids[20], ids[0]), 400, "Request_BadRequest", 20},
		{"unknown: none added", bind(ids[20], "00000000-0000-0000-0000-000000000000"), 400, "Request_BadRequest", 20},
		{"named twice", bind(ids[20], ids[20]), 400, "Request_BadRequest", 20},
		{"not an array", `{"members@odata.bind":"x"}`, 400, "BadRequest", 20},
		{"with a property", `{"description":"d","members@odata.bind":["` + s.GraphURL + `/users/` + ids[25] + `"]}`, 204, "", 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.call(http.MethodPatch, "/groups/"+gid, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if tt.code != "" {
				if code, _ := graphErr(t, r); code != tt.code {
					t.Errorf("code %s, want %s", code, tt.code)
				}
			}
			if n := len(s.Members(gid)); n != tt.wantMember {
				t.Errorf("%d members, want %d", n, tt.wantMember)
			}
		})
	}
	if g, _ := s.Group(gid); g["description"] != "d" {
		t.Errorf("description %v, want the PATCH's", g["description"])
	}
}
