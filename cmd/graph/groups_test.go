package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/typedgraph/graph/graphtest"
)

// newGroupsFake starts a fake with users and groups of them.
func newGroupsFake(t *testing.T, users, groups int) *graphtest.Server {
	t.Helper()
	f := graphtest.NewServer(graphtest.Options{Users: users, Groups: groups, PageSize: 3, Now: func() time.Time { return fixedNow }})
	t.Cleanup(f.Close)
	return f
}

// TestGroupReadCommands runs the groups commands that change nothing and compares their whole output
// with golden files.
func TestGroupReadCommands(t *testing.T) {
	t.Parallel()
	f := newGroupsFake(t, 6, 5)
	env := fakeEnv(f)
	gid := f.GroupIDs()[1]
	// The members of another group are users and a group, which each print as their own kind.
	mixed := f.GroupIDs()[2]
	if err := f.AddMember(mixed, f.GroupIDs()[3]); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"groups_list_table", []string{"groups", "list", "--json=false"}, 0},
		{"groups_list_json", []string{"groups", "list", "--top", "2"}, 0},
		{"groups_list_all_count", []string{"groups", "list", "--all", "--count", "--select", "displayName,mail", "--json=false"}, 0},
		{"groups_list_filter_count", []string{"groups", "list", "--filter", "securityEnabled eq true", "--count", "--select", "id,displayName", "--json=false"}, 0},
		{"groups_get_table", []string{"groups", "get", gid, "--json=false"}, 0},
		{"groups_get_select_json", []string{"groups", "get", gid, "--select", "displayName,groupTypes,unseenCount"}, 0},
		{"groups_members_table", []string{"groups", "members", gid, "--json=false", "--count"}, 0},
		{"groups_members_all_json", []string{"groups", "members", gid, "--all", "--top", "2"}, 0},
		{"groups_members_select_table", []string{"groups", "members", mixed, "--select", "id,displayName,mail", "--top", "5", "--json=false"}, 0},
		{"groups_members_select_all_json", []string{"groups", "members", mixed, "--select", "id,displayName,mail,userPrincipalName", "--all"}, 0},
		{"error_groups_get_missing", []string{"groups", "get", "00000000-0000-0000-0000-000000000000"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, invocation{env: env}, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			checkGolden(t, tt.name, tt.args, r, f)
		})
	}
}

// TestGroupWriteCommands creates a group, changes it, adds and removes a member and deletes it,
// checking the output and the directory.
func TestGroupWriteCommands(t *testing.T) {
	t.Parallel()
	f := newGroupsFake(t, 3, 0)
	env := fakeEnv(f)
	uid := f.UserIDs()[0]

	args := []string{"groups", "create", "--input", "-"}
	r := runCLI(t, invocation{env: env, stdin: `{"displayName": "Operations", "mailEnabled": false,
		"mailNickname": "operations", "securityEnabled": true, "description": "Ops"}`}, args...)
	if r.code != 0 {
		t.Fatalf("create: exit %d: %s", r.code, r.stderr)
	}
	if len(f.GroupIDs()) != 1 {
		t.Fatalf("create: %d groups in the directory", len(f.GroupIDs()))
	}
	gid := f.GroupIDs()[0]
	checkGolden(t, "groups_create_json", args, r, f, gid, "<new-id>")
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out["id"] != gid {
		t.Errorf("create printed %q (%v)", r.stdout, err)
	}

	steps := []struct {
		name string
		args []string
		in   string
		code int
	}{
		{"groups_update_table", []string{"--json=false", "groups", "update", gid, "--input", "-"}, `{"description": null, "visibility": "Private"}`, 0},
		{"groups_add_member_table", []string{"--json=false", "groups", "add-member", gid, uid}, "", 0},
		{"error_groups_add_member_again", []string{"groups", "add-member", gid, uid}, "", 1},
		{"groups_add_member_if_absent_table", []string{"--json=false", "groups", "add-member", gid, uid, "--if-absent"}, "", 0},
		{"groups_remove_member_table", []string{"--json=false", "groups", "remove-member", gid, uid}, "", 0},
		{"error_groups_remove_member_again", []string{"groups", "remove-member", gid, uid}, "", 1},
		{"groups_remove_member_if_present_table", []string{"--json=false", "groups", "remove-member", gid, uid, "--if-present"}, "", 0},
		{"groups_delete_table", []string{"--json=false", "groups", "delete", gid}, "", 0},
	}
	for _, s := range steps {
		r := runCLI(t, invocation{env: env, stdin: s.in}, s.args...)
		if r.code != s.code {
			t.Fatalf("%s: exit %d, want %d: %s", s.name, r.code, s.code, r.stderr)
		}
		if s.code == 1 && (r.stdout != "" || !strings.Contains(r.stderr, "request-id")) {
			t.Errorf("%s: stdout %q, stderr %q; want only the error with its request-id", s.name, r.stdout, r.stderr)
		}
		checkGolden(t, s.name, s.args, r, f, gid, "<new-id>", uid, "<user-id>")
		switch s.name {
		case "groups_update_table":
			g, _ := f.Group(gid)
			if _, has := g["description"]; has || g["visibility"] != "Private" {
				t.Errorf("after update: %v", g)
			}
		case "groups_add_member_table", "groups_add_member_if_absent_table":
			if !slices.Equal(f.Members(gid), []string{uid}) {
				t.Errorf("members after add: %v", f.Members(gid))
			}
			if req, _ := f.LastRequest(graphtest.OpAddGroupMember); !strings.Contains(string(req.Body), f.GraphURL+"/directoryObjects/"+uid) {
				t.Errorf("add-member sent %s", req.Body)
			}
		case "groups_remove_member_table", "groups_remove_member_if_present_table":
			if len(f.Members(gid)) != 0 {
				t.Errorf("members after remove: %v", f.Members(gid))
			}
		}
	}
	if _, ok := f.Group(gid); ok {
		t.Error("the group still exists after delete")
	}
}

// TestGroupCreateInputErrors checks that a group file naming a user property is refused before any
// request, as for users.
func TestGroupCreateInputErrors(t *testing.T) {
	t.Parallel()
	f := newGroupsFake(t, 0, 0)
	r := runCLI(t, invocation{env: fakeEnv(f), stdin: `{"displayName":"x","jobTitle":"y"}`}, "groups", "create", "--input", "-")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown property "jobTitle"`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if n := f.TokenRequests() + f.Requests(graphtest.OpCreateGroup); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestGroupCreateWithOwnersAndMembers creates a group with --owner and --member: one request sets
// both, and Graph's 400 for an id that names nothing is exit 1 with no group created.
func TestGroupCreateWithOwnersAndMembers(t *testing.T) {
	t.Parallel()
	f := newGroupsFake(t, 4, 0)
	env := fakeEnv(f)
	users := f.UserIDs()
	const group = `{"displayName": "Falcon", "mailEnabled": false, "mailNickname": "falcon", "securityEnabled": true}`
	r := runCLI(t, invocation{env: env, stdin: group},
		"groups", "create", "--input", "-", "--owner", users[0], "--member", users[1]+","+users[2], "--member", users[3])
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	gid := f.GroupIDs()[0]
	if got := f.Owners(gid); !slices.Equal(got, users[:1]) {
		t.Errorf("owners %v", got)
	}
	if got := f.Members(gid); !slices.Equal(got, users[1:]) {
		t.Errorf("members %v", got)
	}
	if n := f.Requests(graphtest.OpCreateGroup); n != 1 {
		t.Errorf("%d createGroup requests", n)
	}

	r = runCLI(t, invocation{env: env, stdin: strings.ReplaceAll(group, "falcon", "owl")},
		"groups", "create", "--input", "-", "--member", "00000000-0000-4000-8000-000000000000")
	if r.code != 1 || !strings.Contains(r.stderr, "400") || len(f.GroupIDs()) != 1 {
		t.Errorf("unknown member: exit %d, stderr %q, %d groups", r.code, r.stderr, len(f.GroupIDs()))
	}
	r = runCLI(t, invocation{env: env, stdin: group}, "groups", "create", "--input", "-", "--member", ",")
	if r.code != 2 {
		t.Errorf("empty --member: exit %d, stderr %q", r.code, r.stderr)
	}
}
