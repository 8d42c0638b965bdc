package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/typedgraph/graph/graphtest"
)

// TestReadCommands runs the commands that do not change the directory against one shared fake and
// compares their whole output with golden files.
func TestReadCommands(t *testing.T) {
	t.Parallel()
	f := newFake(t, 5)
	env := fakeEnv(f)
	id := f.UserIDs()[1]
	upn := userPrincipalName(t, f, id)

	tests := []struct {
		name string
		args []string
		code int
	}{
		{"list_table", []string{"users", "list", "--json=false"}, 0},
		{"list_json", []string{"users", "list"}, 0},
		{"list_select_top", []string{"users", "list", "--select", "displayName,accountEnabled,city", "--top", "2", "--json=false"}, 0},
		{"list_orderby_count", []string{"users", "list", "--orderby", "displayName desc", "--count", "--select", "displayName", "--json=false"}, 0},
		{"list_filter", []string{"users", "list", "--filter", "startsWith(displayName,'" + firstWord(t, f, id) + "')", "--select", "id,displayName", "--json=false"}, 0},
		{"list_all_count_json", []string{"--json", "users", "list", "--all", "--top", "2", "--count", "--select", "id,displayName"}, 0},
		{"get_table", []string{"users", "get", id, "--json=false"}, 0},
		{"get_upn_select_json", []string{"users", "get", upn, "--select", "id,displayName,accountEnabled,createdDateTime"}, 0},
		{"count", []string{"users", "count"}, 0},
		{"count_search", []string{"users", "count", "--search", "displayName:" + firstWord(t, f, id)}, 0},
		{"token_table", []string{"token", "--json=false"}, 0},
		{"token_json", []string{"token"}, 0},

		// Graph refuses: exit 1 with the typed error's message and its request-id.
		{"error_get_missing", []string{"users", "get", "nobody@" + f.Domain}, 1},
		{"error_bad_filter", []string{"users", "list", "--filter", "displayName eq"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, invocation{env: env}, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.code == 1 && !regexp.MustCompile(`\(request-id [0-9a-f-]{36}\)`).MatchString(r.stderr) {
				t.Errorf("the error message names no request-id: %q", r.stderr)
			}
			checkGolden(t, tt.name, tt.args, r, f)
		})
	}
}

// userPrincipalName returns the UPN of the fake's user id.
func userPrincipalName(t *testing.T, f *graphtest.Server, id string) string {
	t.Helper()
	u, ok := f.User(id)
	if !ok {
		t.Fatalf("no user %s", id)
	}
	return u["userPrincipalName"].(string)
}

// firstWord returns the given name of the fake's user id, for filters that must match it.
func firstWord(t *testing.T, f *graphtest.Server, id string) string {
	t.Helper()
	u, _ := f.User(id)
	return u["givenName"].(string)
}

// TestJSONLines checks the JSON output: exactly one valid JSON object per line, one per user, every
// page followed.
func TestJSONLines(t *testing.T) {
	t.Parallel()
	f := newFake(t, 23)
	r := runCLI(t, invocation{env: fakeEnv(f)}, "users", "list", "--all", "--top", "5")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.HasSuffix(r.stdout, "\n") {
		t.Fatalf("output does not end with a newline: %q", r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	seen := map[string]bool{}
	for i, line := range lines {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		id, _ := obj["id"].(string)
		if id == "" || seen[id] {
			t.Errorf("line %d: missing or repeated id %q", i+1, id)
		}
		seen[id] = true
	}
	if len(lines) != 23 {
		t.Errorf("%d lines, want 23 (one per user)", len(lines))
	}
	if got := f.Requests(graphtest.OpListUsers); got != 5 {
		t.Errorf("%d list requests, want 5 pages of 5", got)
	}
}

// TestWriteCommands creates, reads, updates and deletes a user, checking both the output and the
// directory.
func TestWriteCommands(t *testing.T) {
	t.Parallel()
	f := newFake(t, 2)
	env := fakeEnv(f)
	upn := "new.user@" + f.Domain

	newUser := `{"accountEnabled": true, "displayName": "New User", "mailNickname": "new.user",
	  "userPrincipalName": "` + upn + `", "jobTitle": "Tester",
	  "passwordProfile": {"password": "Fake-Passw0rd!", "forceChangePasswordNextSignIn": true}}`
	args := []string{"users", "create", "--input", "-"}
	r := runCLI(t, invocation{env: env, stdin: newUser}, args...)
	if r.code != 0 {
		t.Fatalf("create: exit %d: %s", r.code, r.stderr)
	}
	created, ok := f.User(upn)
	if !ok {
		t.Fatalf("create: no user %s in the directory", upn)
	}
	id := created["id"].(string)
	checkGolden(t, "create_json", args, r, f, id, "<new-id>")
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out["id"] != id {
		t.Errorf("create printed %q, want the created user with id %s (%v)", r.stdout, id, err)
	}
	if strings.Contains(r.stdout+r.stderr, "Fake-Passw0rd!") {
		t.Errorf("create echoed the password: %s%s", r.stdout, r.stderr)
	}

	patch := filepath.Join(t.TempDir(), "patch.json")
	if err := os.WriteFile(patch, []byte(`{"jobTitle": "Lead Tester", "officeLocation": "Lab", "mobilePhone": null}`), 0o600); err != nil {
		t.Fatal(err)
	}
	args = []string{"--json=false", "users", "update", id, "--input", patch}
	r = runCLI(t, invocation{env: env}, args...)
	if r.code != 0 {
		t.Fatalf("update: exit %d: %s", r.code, r.stderr)
	}
	checkGolden(t, "update_table", args, r, f, id, "<new-id>", patch, "<patch.json>")
	u, _ := f.User(id)
	if u["jobTitle"] != "Lead Tester" || u["officeLocation"] != "Lab" || u["mobilePhone"] != nil {
		t.Errorf("after update: jobTitle %v, officeLocation %v, mobilePhone %v", u["jobTitle"], u["officeLocation"], u["mobilePhone"])
	}
	if req, _ := f.LastRequest(graphtest.OpUpdateUser); !strings.Contains(string(req.Body), `"mobilePhone":null`) {
		t.Errorf("update did not send null to clear mobilePhone: %s", req.Body)
	}

	args = []string{"users", "delete", upn, "--json=false"}
	r = runCLI(t, invocation{env: env}, args...)
	if r.code != 0 {
		t.Fatalf("delete: exit %d: %s", r.code, r.stderr)
	}
	checkGolden(t, "delete_table", args, r, f)
	if _, ok := f.User(id); ok {
		t.Errorf("user %s still exists after delete", id)
	}

	// Deleting it again is Graph's 404: exit 1.
	r = runCLI(t, invocation{env: env}, "users", "delete", id)
	if r.code != 1 || !strings.Contains(r.stderr, "404 Request_ResourceNotFound") || !strings.Contains(r.stderr, "request-id") {
		t.Errorf("second delete: exit %d, stderr %q; want exit 1 with the 404 and its request-id", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("a failed command printed to stdout: %q", r.stdout)
	}
}

// TestCreateInputErrors checks that a bad --json input is a usage error found before any request.
func TestCreateInputErrors(t *testing.T) {
	t.Parallel()
	f := newFake(t, 0)
	env := fakeEnv(f)
	tests := []struct {
		name, stdin, want string
	}{
		{"empty", "", "want a JSON object"},
		{"array", `[{"displayName":"x"}]`, "want a JSON object"},
		{"unknown property", `{"displayNam":"x"}`, `unknown property "displayNam"; did you mean "displayName"?`},
		{"nested unknown property", `{"displayName":"x","passwordProfile":{"pasword":"p"}}`, `unknown property "passwordProfile.pasword"; did you mean "password"?`},
		{"unknown property in an array", `{"identities":[{"issuer":"x"},{"signInTyp":"y"}]}`, `unknown property "identities[1].signInTyp"; did you mean "signInType"?`},
		{"unknown property, nothing near", `{"employeeOrgData":{"zzz":1}}`, `unknown property "employeeOrgData.zzz"` + "\n"},
		{"wrong type", `{"accountEnabled":"yes"}`, `property "accountEnabled": want true or false, not a string`},
		{"string for a list", `{"businessPhones":"+1 425 555 0100"}`, `property "businessPhones": want an array of strings, not a string`},
		{"nested wrong type", `{"passwordProfile":{"forceChangePasswordNextSignIn":"yes"}}`, `want true or false, not a string`},
		{"truncated", `{"displayName":"x"`, "truncated JSON"},
		{"trailing data", `{"displayName":"x"} {}`, "data after the JSON object"},
		{"syntax", `{"displayName":x}`, "invalid JSON"},
	}
	for _, tt := range tests {
		r := runCLI(t, invocation{env: env, stdin: tt.stdin}, "users", "create", "--input", "-")
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 mentioning %q", tt.name, r.code, r.stderr, tt.want)
		}
	}
	if n := f.Requests(graphtest.OpCreateUser) + f.TokenRequests(); n != 0 {
		t.Errorf("bad input reached the server (%d requests)", n)
	}
}
