package main

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// TestHelpAndVersion checks the ways to ask graph about itself: graph alone, graph help [COMMAND],
// graph version and --version.
func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string // the start of stdout
	}{
		{nil, topHelp},
		{[]string{"help"}, topHelp},
		{[]string{"help", "help"}, topHelp},
		{[]string{"help", "users"}, usersHelp},
		{[]string{"help", "users", "list"}, usersListHelp},
		{[]string{"help", "groups", "members"}, groupsMembersHelp},
		{[]string{"help", "token"}, tokenHelp},
		{[]string{"help", "emulate"}, emulateHelp},
		{[]string{"help", "version"}, versionHelp},
	}
	for _, tt := range tests {
		r := runCLI(t, invocation{}, tt.args...)
		if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, tt.want) {
			t.Errorf("graph %s: exit %d, stderr %q, stdout starting %.60q", strings.Join(tt.args, " "), r.code, r.stderr, r.stdout)
		}
	}
	r := runCLI(t, invocation{}, "help", "usres")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "usres"; did you mean "users"?`) {
		t.Errorf("graph help usres: exit %d, stderr %q", r.code, r.stderr)
	}

	line := regexp.MustCompile(`^graph \S+( [0-9a-f]{1,12}(\+modified)?)? \(go\S+ \w+/\w+\)\n$`)
	for _, args := range [][]string{{"version"}, {"--version"}, {"version", "--json=false"}} {
		r := runCLI(t, invocation{}, args...)
		if r.code != 0 || !line.MatchString(r.stdout) {
			t.Errorf("graph %s: exit %d, stdout %q", strings.Join(args, " "), r.code, r.stdout)
		}
	}
	r = runCLI(t, invocation{}, "version", "--json")
	if r.code != 0 || !strings.HasPrefix(r.stdout, `{"version":`) || !strings.Contains(r.stdout, `"go":"go`) {
		t.Errorf("graph version --json: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestEventual checks that --eventual makes an advanced query work: Graph (and the fake) want both
// ConsistencyLevel: eventual and $count=true, and the count is not reported unless asked for. Without
// it, Graph's Request_UnsupportedQuery comes with a hint.
func TestEventual(t *testing.T) {
	t.Parallel()
	f := newFake(t, 40)
	env := fakeEnv(f)
	filter := "endsWith(mail,'@fabrikam.example')"

	args := []string{"users", "list", "--filter", filter, "--select", "displayName,mail", "--json=false"}
	r := runCLI(t, invocation{env: env}, args...)
	checkGolden(t, "error_advanced_query", args, r, f)
	if r.code != exitError || !strings.Contains(r.stderr, "Request_UnsupportedQuery") || !strings.Contains(r.stderr, "hint: advanced queries") {
		t.Errorf("without --eventual: exit %d, stderr %q; want Graph's error and a hint", r.code, r.stderr)
	}

	args = append(args, "--eventual")
	r = runCLI(t, invocation{env: env}, args...)
	checkGolden(t, "list_eventual", args, r, f)
	if r.code != 0 || strings.Count(r.stdout, "fabrikam.example") != 2 || r.stderr != "" {
		t.Errorf("--eventual: exit %d, stdout %q, stderr %q; want the 2 guests and nothing on stderr", r.code, r.stdout, r.stderr)
	}
	req, _ := f.LastRequest(graphtest.OpListUsers)
	if req.Header.Get("ConsistencyLevel") != "eventual" || req.Query.Get("$count") != "true" {
		t.Errorf("--eventual sent ConsistencyLevel %q and $count %q", req.Header.Get("ConsistencyLevel"), req.Query.Get("$count"))
	}

	// --count makes an advanced query work too, on every page with --all.
	r = runCLI(t, invocation{env: env}, "users", "list", "--filter", filter, "--all", "--top", "1", "--count", "--select", "mail")
	if r.code != 0 || strings.Count(r.stdout, "fabrikam.example") != 2 || r.stderr != "graph: 2 users match\n" {
		t.Errorf("--all --count: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// An advanced query Graph refuses even so gets no hint to add what is there.
	r = runCLI(t, invocation{env: env}, "users", "list", "--search", "accountEnabled:true")
	if r.code != exitError || strings.Contains(r.stderr, "hint") {
		t.Errorf("refused with --eventual: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestTableWidth checks that tables fit the terminal: long cells are cut with "…", widest columns
// first, from $COLUMNS or the terminal's width; a table piped elsewhere is not cut.
func TestTableWidth(t *testing.T) {
	t.Parallel()
	f := newFake(t, 20)
	env := fakeEnv(f)
	env["COLUMNS"] = "100"
	args := []string{"users", "list", "--json=false"}
	r := runCLI(t, invocation{env: env, terminal: true}, args...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	checkGolden(t, "list_table_100_columns", args, r, f)
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("line of %d columns in a 100-column terminal: %q", n, line)
		}
	}
	if !strings.Contains(r.stdout, "…") {
		t.Error("no cell was cut")
	}

	// get's property list is cut too.
	id := f.UserIDs()[0]
	r = runCLI(t, invocation{env: env, terminal: true}, "users", "get", id, "--select", "id,displayName,businessPhones")
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if utf8.RuneCountInString(line) > 100 {
			t.Errorf("get: line wider than 100: %q", line)
		}
	}

	// Not a terminal and no $COLUMNS: nothing is cut.
	delete(env, "COLUMNS")
	r = runCLI(t, invocation{env: env}, args...)
	if r.code != 0 || strings.Contains(r.stdout, "…") {
		t.Errorf("piped table was cut: %q", r.stdout)
	}
}

// TestTerminalColumns checks where the width comes from.
func TestTerminalColumns(t *testing.T) {
	env := func(cols string) func(string) string {
		return func(k string) string {
			if k == "COLUMNS" {
				return cols
			}
			return ""
		}
	}
	var w strings.Builder
	tests := []struct {
		cols     string
		terminal bool
		want     int
	}{
		{"120", false, 120},
		{"120", true, 120},
		{"", false, 0},
		{"", true, defaultTerminalWidth}, // a strings.Builder has no size to ask
		{"wide", true, defaultTerminalWidth},
		{"-3", false, 0},
	}
	for _, tt := range tests {
		if got := terminalColumns(&w, env(tt.cols), tt.terminal); got != tt.want {
			t.Errorf("COLUMNS=%q terminal=%v: %d, want %d", tt.cols, tt.terminal, got, tt.want)
		}
	}
}

// TestFitWidths checks how columns are narrowed.
func TestFitWidths(t *testing.T) {
	tests := []struct {
		widths []int
		avail  int
		want   []int
	}{
		{[]int{10, 20}, 40, []int{10, 20}},
		{[]int{36, 16, 52, 20}, 80 - 6, []int{20, 16, 19, 19}}, // limit 19, the spare column to the first cut
		{[]int{5, 50}, 30, []int{5, 25}},
		{[]int{30, 30}, 5, []int{4, 4}}, // never below minColumn
	}
	for _, tt := range tests {
		got := fitWidths(tt.widths, tt.avail)
		sum := 0
		for _, w := range got {
			sum += w
		}
		if !equalInts(got, tt.want) {
			t.Errorf("fitWidths(%v, %d) = %v (sum %d), want %v", tt.widths, tt.avail, got, sum, tt.want)
		}
	}
	// The first column, the id to copy, is kept whole while the rest can be fitted.
	if got := fitColumns([]int{36, 16, 52, 20}, 60); !equalInts(got, []int{36, 4, 4, 4}) && got[0] != 36 {
		t.Errorf("fitColumns cut the id column: %v", got)
	}
	if got := cut("Henrietta Mensah", 8); got != "Henriet…" {
		t.Errorf("cut = %q", got)
	}
	if got := cut("Zoë", 3); got != "Zoë" {
		t.Errorf("cut counts bytes, not characters: %q", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPlurals checks that counts read as English: "1 user shown", "1 group matches".
func TestPlurals(t *testing.T) {
	t.Parallel()
	f := newFake(t, 3)
	env := fakeEnv(f)
	r := runCLI(t, invocation{env: env}, "users", "list", "--top", "1", "--select", "id")
	if r.code != 0 || r.stderr != "graph: 1 user shown, more remain; --all lists every page\n" {
		t.Errorf("--top 1: stderr %q", r.stderr)
	}
	r = runCLI(t, invocation{env: env}, "users", "list", "--top", "1", "--count", "--select", "id")
	if r.code != 0 || r.stderr != "graph: 1 of 3 users shown; --all lists every page\n" {
		t.Errorf("--top 1 --count: stderr %q", r.stderr)
	}
	upn := userPrincipalName(t, f, f.UserIDs()[0])
	r = runCLI(t, invocation{env: env}, "users", "list", "--filter", "userPrincipalName eq '"+upn+"'", "--count", "--select", "id")
	if r.code != 0 || r.stderr != "graph: 1 user matches\n" {
		t.Errorf("one match: stderr %q", r.stderr)
	}
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 groups match"}, {1, "1 group matches"}, {2, "2 groups match"}} {
		if got := matching(tt.n, "groups"); got != tt.want {
			t.Errorf("matching(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestErrorWording checks the messages of issue 17: no empty ": :" in the identity platform's
// errors, attempts said one way by auth and graph, and a timeout that keeps its cause.
func TestErrorWording(t *testing.T) {
	t.Parallel()
	e := &auth.Error{Err: errors.New(`Post "http://127.0.0.1:1/t/oauth2/v2.0/token": connection refused`), Attempts: 4}
	if got := e.Error(); strings.Contains(got, ": :") || !strings.HasSuffix(got, " after 4 attempts") {
		t.Errorf("auth error reads %q", got)
	}

	// Graph answers 503 until --timeout: the message says what failed, and how often.
	f := newFake(t, 1)
	f.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "1")
		f.GraphError(w, r, http.StatusServiceUnavailable, "serviceNotAvailable", "Try again later.")
		return true
	})
	r := runCLI(t, invocation{env: fakeEnv(f)}, "users", "list", "--timeout", "1500ms")
	// Usually two attempts fit in 1.5 s; on a busy machine (a slow token request) one, or none.
	want := regexp.MustCompile(`^graph: gave up after --timeout 1.5s: (503 serviceNotAvailable: Try again later\. \(request-id [0-9a-f-]+\)( after [0-9] attempts)?; stopped waiting to retry: )?context deadline exceeded\n$`)
	if r.code != exitError || !want.MatchString(r.stderr) {
		t.Errorf("--timeout over 503s: exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "attempt(s)") {
		t.Errorf("attempts worded differently: %q", r.stderr)
	}
}
