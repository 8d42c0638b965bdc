package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/typedgraph/graph/graphtest"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files from the current output")

// fixedNow is the clock of the test fakes and of graph token, so that times in golden files are stable.
var fixedNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// result is what one run of the command produced.
type result struct {
	code           int
	stdout, stderr string
}

// invocation describes one run of the command in process.
type invocation struct {
	env      map[string]string
	stdin    string
	terminal bool // whether stdout and stderr pretend to be terminals
}

// runCLI runs graph with args in process, with the given environment and nothing else: the test
// process's own AZURE_* variables never leak in.
func runCLI(t *testing.T, inv invocation, args ...string) result {
	t.Helper()
	ctx := context.Background() // no deadline: a slow machine must not fail a command; a hang meets go test's -timeout
	var stdout, stderr bytes.Buffer
	c := &cli{
		stdin:      strings.NewReader(inv.stdin),
		stdout:     &stdout,
		stderr:     &stderr,
		env:        func(k string) string { return inv.env[k] },
		isTerminal: func(io.Writer) bool { return inv.terminal },
		now:        func() time.Time { return fixedNow },
	}
	c.columns = func() int { return terminalColumns(&stdout, c.env, inv.terminal) }
	code := c.execute(ctx, args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// newFake starts a graphtest server on the fixed clock, closed at the end of the test.
func newFake(t *testing.T, users int) *graphtest.Server {
	t.Helper()
	f := graphtest.NewServer(graphtest.Options{Users: users, Now: func() time.Time { return fixedNow }})
	t.Cleanup(f.Close)
	return f
}

// fakeEnv is the environment that points graph at f.
func fakeEnv(f *graphtest.Server) map[string]string {
	return map[string]string{
		envTenantID:      f.TenantID,
		envClientID:      f.ClientID,
		envClientSecret:  f.ClientSecret,
		envAuthorityHost: f.AuthorityHost,
		envGraphBaseURL:  f.GraphURL,
	}
}

// volatile matches the per-request ids the fake makes up.
var volatile = regexp.MustCompile(`(request-id |trace_id=|correlation_id=)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// normalize replaces what differs between runs (ports, request ids, the given strings) with
// placeholders.
func normalize(s string, f *graphtest.Server, replace ...string) string {
	if f != nil {
		s = strings.ReplaceAll(s, f.GraphURL, "<graph-url>")
		s = strings.ReplaceAll(s, f.AuthorityHost, "<authority-host>")
	}
	for i := 0; i+1 < len(replace); i += 2 {
		s = strings.ReplaceAll(s, replace[i], replace[i+1])
	}
	return volatile.ReplaceAllString(s, "$1<id>")
}

// checkGolden compares a run with testdata/name.golden, or rewrites the file with -update.
func checkGolden(t *testing.T, name string, args []string, r result, f *graphtest.Server, replace ...string) {
	t.Helper()
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	got := "$ graph " + strings.Join(quoted, " ") + "\n" +
		"-- exit " + strconv.Itoa(r.code) + "\n" +
		"-- stdout\n" + r.stdout +
		"-- stderr\n" + r.stderr
	got = normalize(got, f, replace...)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output (run go test -update after checking the change):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// shellQuote quotes s for a POSIX shell when it needs it, so golden files show runnable commands.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/@<>") == "" {
		return s
	}
	if strings.Contains(s, "'") && !strings.ContainsAny(s, "\"$`\\!") {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
