package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/typedgraph/graph/graphtest"
)

func TestBatchCommand(t *testing.T) {
	t.Parallel()
	f := newGroupsFake(t, 45, 0)
	env := fakeEnv(f)
	ids := f.UserIDs()
	var in strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&in, "{\"method\":\"GET\",\"url\":\"/users/%s?$select=id\"}\n\n", id)
	}
	in.WriteString(`{"id":"patch","method":"PATCH","url":"/users/` + ids[0] + `","body":{"jobTitle":"Batched"}}` + "\n")
	in.WriteString(`{"id":"missing","method":"get","url":"users/nobody"}` + "\n")
	in.WriteString(`{"id":"after","method":"GET","url":"/users/nobody/memberOf","dependsOn":["missing"]}` + "\n")

	r := runCLI(t, invocation{env: env, stdin: in.String()}, "batch", "--input", "-")
	if r.code != 1 || !strings.Contains(r.stderr, "2 of 48 requests failed") {
		t.Fatalf("exit %d, stderr %q; want 1 and the failures counted", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 48 {
		t.Fatalf("%d output lines, want 48:\n%s", len(lines), r.stdout)
	}
	for i, line := range lines {
		var out struct {
			ID     string          `json:"id"`
			Status int             `json:"status"`
			Body   json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal([]byte(line), &out); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		switch {
		case i < len(ids) && (out.ID != fmt.Sprint(i+1) || out.Status != 200 || !strings.Contains(string(out.Body), ids[i])):
			t.Errorf("line %d: %s, want user %s", i+1, line, ids[i])
		case i == len(ids) && (out.ID != "patch" || out.Status != 204):
			t.Errorf("patch: %s", line)
		case i == len(ids)+1 && (out.ID != "missing" || out.Status != 404 || !strings.Contains(string(out.Body), "Request_ResourceNotFound")):
			t.Errorf("missing: %s", line)
		case i == len(ids)+2 && (out.ID != "after" || out.Status != 424):
			t.Errorf("after: %s", line)
		}
	}
	if u, _ := f.User(ids[0]); u["jobTitle"] != "Batched" {
		t.Errorf("jobTitle %v after the batched PATCH", u["jobTitle"])
	}
	if n := f.Requests(graphtest.OpBatch); n != 4 { // 46 independent in 3, the chain in 1
		t.Errorf("%d $batch requests, want 4", n)
	}

	// A table on request, and success.
	file := filepath.Join(t.TempDir(), "requests.jsonl")
	if err := os.WriteFile(file, []byte(`{"method":"GET","url":"/users/`+ids[1]+`?$select=displayName"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, invocation{env: env}, "batch", "--input", file, "--json=false")
	if r.code != 0 || !strings.Contains(r.stdout, "STATUS") && !strings.Contains(r.stdout, "status") || !strings.Contains(r.stdout, "200") {
		t.Errorf("table: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestBatchCommandRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := newGroupsFake(t, 1, 0)
	env := fakeEnv(f)
	chain := `{"id":"0","method":"GET","url":"/users"}` + "\n"
	for i := 1; i < 21; i++ {
		chain += fmt.Sprintf(`{"id":"%d","method":"GET","url":"/users","dependsOn":["%d"]}`+"\n", i, i-1)
	}
	tests := []struct{ name, stdin, want string }{
		{"not JSON", "GET /users\n", "line 1"},
		{"unknown field", `{"method":"GET","url":"/users","bdy":{}}`, `line 1: unknown property "bdy"`},
		{"no method", `{"url":"/users"}`, "line 1: missing method"},
		{"no url", "\n" + `{"method":"GET"}`, "line 2: missing url"},
		{"two objects", `{"method":"GET","url":"/users"} {}`, "more than one"},
		{"empty", "\n\n", "no requests"},
		{"duplicate ids", `{"id":"a","method":"GET","url":"/users"}` + "\n" + `{"id":"A","method":"GET","url":"/users"}`, "duplicate id"},
		{"chain of 21", chain, "chain of 21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, invocation{env: env, stdin: tt.stdin}, "batch", "--input", "-")
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.want)
			}
		})
	}
	if n := f.Requests(graphtest.OpBatch); n != 0 {
		t.Errorf("%d $batch requests sent for bad input", n)
	}
	if r := runCLI(t, invocation{env: env}, "batch"); r.code != 2 || !strings.Contains(r.stderr, "missing --input") {
		t.Errorf("no --input: exit %d, %q", r.code, r.stderr)
	}
}
