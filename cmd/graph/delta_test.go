package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/graphtest"
)

// newDeltaFake starts a fake with users and groups on the fixed clock.
func newDeltaFake(t *testing.T, opts graphtest.Options) *graphtest.Server {
	t.Helper()
	opts.Now = func() time.Time { return fixedNow }
	f := graphtest.NewServer(opts)
	t.Cleanup(f.Close)
	return f
}

// mustRun runs graph and fails the test unless it exits 0.
func mustRun(t *testing.T, inv invocation, args ...string) result {
	t.Helper()
	r := runCLI(t, inv, args...)
	if r.code != 0 {
		t.Fatalf("graph %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// jsonLines parses output of one JSON object a line.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON object: %v\n%s", err, l)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestDeltaCommands runs rounds of graph users delta and graph groups delta and compares their JSON
// lines with golden files: the full first round, the changes of the next, an empty one, and a
// resync error that leaves the state file alone.
func TestDeltaCommands(t *testing.T) {
	t.Parallel()
	f := newDeltaFake(t, graphtest.Options{Users: 4, Groups: 2})
	env := fakeEnv(f)
	inv := invocation{env: env}
	dir := t.TempDir()
	users := filepath.Join(dir, "users.state")
	groups := filepath.Join(dir, "groups.state")
	ids := f.UserIDs()

	args := []string{"users", "delta", "--state", users, "--select", "id,displayName,jobTitle"}
	r := mustRun(t, inv, args...)
	checkGolden(t, "delta_users_first", args, r, f, dir, "<dir>")
	if n := len(jsonLines(t, r.stdout)); n != 4 {
		t.Errorf("first round: %d lines, want 4", n)
	}
	first, err := os.ReadFile(users)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := graph.ParseDeltaState(string(first)); err != nil {
		t.Fatalf("state file: %v", err)
	}

	mustRun(t, invocation{env: env, stdin: `{"jobTitle":"Delta tester"}`}, "users", "update", ids[1], "--input", "-")
	mustRun(t, inv, "users", "delete", ids[3])
	args = []string{"users", "delta", "--state", users, "--minimal"}
	r = mustRun(t, inv, args...)
	checkGolden(t, "delta_users_changes", args, r, f, dir, "<dir>")
	second, _ := os.ReadFile(users)
	if bytes.Equal(first, second) {
		t.Error("the state file was not replaced after a complete round")
	}

	args = []string{"users", "delta", "--state", users}
	r = mustRun(t, inv, args...)
	if r.stdout != "" {
		t.Errorf("a round with nothing changed printed %q", r.stdout)
	}

	args = []string{"groups", "delta", "--state", groups, "--select", "displayName,members"}
	r = mustRun(t, inv, args...)
	checkGolden(t, "delta_groups_first", args, r, f, dir, "<dir>")
	g := f.GroupIDs()[0]
	member := f.Members(g)[0]
	mustRun(t, inv, "groups", "remove-member", g, member)
	mustRun(t, inv, "groups", "add-member", g, ids[0])
	args = []string{"groups", "delta", "--state", groups}
	r = mustRun(t, inv, args...)
	checkGolden(t, "delta_groups_changes", args, r, f, dir, "<dir>")

	// Graph says the state is gone: exit 1, the --full hint, the state file untouched.
	f.ForceDeltaResync()
	before, _ := os.ReadFile(users)
	args = []string{"users", "delta", "--state", users}
	r = runCLI(t, inv, args...)
	checkGolden(t, "delta_users_resync", args, r, f, dir, "<dir>")
	if after, _ := os.ReadFile(users); !bytes.Equal(before, after) {
		t.Error("a failed round changed the state file")
	}
	r = mustRun(t, inv, "users", "delta", "--state", users, "--full")
	if n := len(jsonLines(t, r.stdout)); n != 3 {
		t.Errorf("--full after the resync error: %d lines, want the 3 users left", n)
	}
}

// TestDeltaStateIntactWhenCancelled cancels graph users delta part-way through a round (the second
// page of three) and finds the previous state file byte for byte, no temporary file left beside it;
// the next run prints the changes again and replaces the state. A first round cancelled the same way
// leaves no state file at all.
func TestDeltaStateIntactWhenCancelled(t *testing.T) {
	t.Parallel()
	f := newDeltaFake(t, graphtest.Options{Users: 30, PageSize: 10})
	env := fakeEnv(f)
	dir := t.TempDir()
	state := filepath.Join(dir, "users.state")

	// cancelOnPage runs graph users delta with a context that the fake cancels when the round asks
	// for its second page, and returns the result.
	cancelOnPage := func() result {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var once sync.Once
		f.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Query().Get("$skiptoken") != "" {
				once.Do(cancel)
			}
			return false
		})
		defer f.InterceptGraph(nil)
		var stdout, stderr bytes.Buffer
		c := &cli{
			stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
			env:        func(k string) string { return env[k] },
			isTerminal: func(io.Writer) bool { return false },
			now:        func() time.Time { return fixedNow },
		}
		code := c.execute(ctx, []string{"users", "delta", "--state", state})
		return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	}

	r := cancelOnPage()
	if r.code != exitInterrupted {
		t.Fatalf("first round cancelled: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Fatalf("a cancelled first round left a state file: %v", err)
	}

	mustRun(t, invocation{env: env}, "users", "delta", "--state", state)
	prev, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range f.UserIDs()[:25] {
		mustRun(t, invocation{env: env, stdin: `{"jobTitle":"Changed"}`}, "users", "update", id, "--input", "-")
	}

	r = cancelOnPage()
	if r.code != exitInterrupted || !strings.Contains(r.stderr, "interrupted") {
		t.Fatalf("cancelled round: exit %d, stderr %q", r.code, r.stderr)
	}
	if n := len(jsonLines(t, r.stdout)); n > 10 {
		t.Errorf("cancelled round printed %d changes, more than its first page", n)
	}
	now, err := os.ReadFile(state)
	if err != nil || !bytes.Equal(now, prev) {
		t.Fatalf("state file after a cancelled round: %q, %v; want the previous %q", now, err, prev)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files beside the state: %v", names)
	}

	r = mustRun(t, invocation{env: env}, "users", "delta", "--state", state)
	if n := len(jsonLines(t, r.stdout)); n != 25 {
		t.Errorf("the round after the cancelled one printed %d changes, want the 25", n)
	}
	if now, _ := os.ReadFile(state); bytes.Equal(now, prev) {
		t.Error("the completed round did not replace the state")
	}
}

func TestDeltaUsageErrors(t *testing.T) {
	t.Parallel()
	f := newDeltaFake(t, graphtest.Options{Users: 2})
	env := fakeEnv(f)
	dir := t.TempDir()
	state := filepath.Join(dir, "s")
	mustRun(t, invocation{env: env}, "users", "delta", "--state", state)
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("not a state\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "delta"}, "missing --state FILE"},
		{[]string{"users", "delta", "--state", state, "x"}, `unexpected argument "x"`},
		{[]string{"users", "delta", "--state", state, "--select", "id"}, "--select applies to a full sync"},
		{[]string{"users", "delta", "--state", garbage}, "is not a delta state"},
		{[]string{"groups", "delta", "--state", state}, "not a groups delta link"},
	} {
		r := runCLI(t, invocation{env: env}, tt.args...)
		if r.code == 0 || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
			t.Errorf("graph %s: exit %d, stdout %q, stderr %q; want an error mentioning %q", strings.Join(tt.args, " "), r.code, r.stdout, r.stderr, tt.want)
		}
	}
}
