package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/typedgraph/graph/graphtest"
)

// TestUsageErrors checks that every kind of bad invocation exits 2 with a message and a pointer to
// the help, and sends no request.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	f := newFake(t, 1)
	env := fakeEnv(f)
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"help command with flag", []string{"help", "--json"}, "graph help takes command words only"},
		{"unknown command", []string{"applications"}, `unknown command "applications"`},
		{"misspelt command", []string{"user", "list"}, `unknown command "user"; did you mean "users"?`},
		{"misspelt users command", []string{"users", "lst"}, `unknown users command "lst"; did you mean "list"?`},
		{"no groups command", []string{"groups"}, "missing groups command"},
		{"unknown groups command", []string{"groups", "add"}, `unknown groups command "add"`},
		{"group get without id", []string{"groups", "get"}, "missing group id"},
		{"add-member without member", []string{"groups", "add-member", "g"}, "missing member id"},
		{"add-member extra", []string{"groups", "add-member", "g", "m", "x"}, `unexpected argument "x"`},
		{"remove-member empty", []string{"groups", "remove-member", "g", " "}, "empty member id"},
		{"group create argument", []string{"groups", "create", "x", "--input", "-"}, `unexpected argument "x"`},
		{"group create without input", []string{"groups", "create"}, "missing --input FILE"},
		{"members top", []string{"groups", "members", "g", "--top", "0"}, "--top must be between 1 and 999"},
		{"emulate groups", []string{"emulate", "--groups", "-1"}, "--groups must be between 0"},
		{"no users command", []string{"users"}, "missing users command"},
		{"unknown users command", []string{"users", "lsit"}, `unknown users command "lsit"`},
		{"unknown flag", []string{"users", "list", "--fliter", "x"}, "unknown flag --fliter; did you mean --filter?"},
		{"unknown global flag", []string{"--bogus", "users", "list"}, "unknown flag --bogus\n"},
		{"bad int", []string{"users", "list", "--top", "many"}, `invalid value "many" for --top: want a whole number`},
		{"top out of range", []string{"users", "list", "--top", "1000"}, "--top must be between 1 and 999"},
		{"list argument", []string{"users", "list", "extra"}, `unexpected argument "extra"`},
		{"get without id", []string{"users", "get"}, "missing user id"},
		{"get two ids", []string{"users", "get", "a", "b"}, `unexpected argument "b"`},
		{"create without input", []string{"users", "create"}, "missing --input FILE"},
		{"create missing file", []string{"users", "create", "--input", filepath.Join(t.TempDir(), "none.json")}, "no such file"},
		{"update without input", []string{"users", "update", "x"}, "missing --input FILE"},
		{"bad json value", []string{"users", "list", "--json=maybe"}, `invalid value "maybe" for --json: want true or false`},
		{"unitless timeout", []string{"users", "count", "--timeout", "5"}, `invalid value "5" for --timeout: a duration needs a unit, e.g. 5s`},
		{"misspelt top", []string{"users", "list", "--tpo", "5"}, "unknown flag --tpo; did you mean --top?"},
		{"missing value", []string{"users", "list", "--top"}, "--top needs a value: want a whole number"},
		{"bad bool", []string{"users", "list", "--all=sure"}, `invalid value "sure" for --all: want true or false`},
		{"old --json input", []string{"users", "create", "--json", "user.json"}, `unexpected argument "user.json" (the input is given with --input FILE`},
		{"version argument", []string{"version", "now"}, `unexpected argument "now"`},
		{"bad timeout", []string{"users", "count", "--timeout", "soon"}, `invalid value "soon" for --timeout: want a duration such as 30s`},
		{"token argument", []string{"token", "now"}, `unexpected argument "now"`},
		{"unknown cloud", []string{"users", "count", "--cloud", "mars"}, `unknown cloud "mars"`},
		{"http base url", []string{"users", "count", "--base-url", "http://graph.example/v1.0"}, "BaseURL"},
	}
	for _, tt := range tests {
		r := runCLI(t, invocation{env: env}, tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: graph %s: exit %d, stderr %q; want exit 2 mentioning %q", tt.name, strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
		if r.stdout != "" {
			t.Errorf("%s: a usage error printed to stdout: %q", tt.name, r.stdout)
		}
	}
	if n := f.TokenRequests() + len(f.Recorded()); n != 0 {
		t.Errorf("usage errors sent %d requests", n)
	}

	// One golden file shows the whole message.
	args := []string{"users", "list", "--top", "0"}
	checkGolden(t, "usage_error", args, runCLI(t, invocation{env: env}, args...), f)
}

// TestHelp checks that --help prints the manual page on stdout and exits 0, for every command.
func TestHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"help", []string{"--help"}},
		{"help_users", []string{"users", "--help"}},
		{"help_users_list", []string{"users", "list", "--help"}},
		{"help_users_get", []string{"users", "get", "-h"}},
		{"help_users_create", []string{"users", "create", "--help"}},
		{"help_users_update", []string{"users", "update", "--help"}},
		{"help_users_delete", []string{"users", "delete", "--help"}},
		{"help_users_count", []string{"users", "count", "--help"}},
		{"help_groups", []string{"groups", "--help"}},
		{"help_groups_list", []string{"groups", "list", "--help"}},
		{"help_groups_get", []string{"groups", "get", "--help"}},
		{"help_groups_create", []string{"groups", "create", "--help"}},
		{"help_groups_update", []string{"groups", "update", "--help"}},
		{"help_groups_delete", []string{"groups", "delete", "--help"}},
		{"help_groups_members", []string{"groups", "members", "--help"}},
		{"help_groups_add_member", []string{"groups", "add-member", "--help"}},
		{"help_groups_remove_member", []string{"groups", "remove-member", "--help"}},
		{"help_token", []string{"token", "--help"}},
		{"help_emulate", []string{"emulate", "--help"}},
	}
	for _, tt := range tests {
		r := runCLI(t, invocation{}, tt.args...)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "SYNOPSIS") {
			t.Errorf("graph %s: exit %d, stderr %q; want the manual on stdout and exit 0", strings.Join(tt.args, " "), r.code, r.stderr)
		}
		checkGolden(t, tt.name, tt.args, r, nil)
	}
}

// TestEmbeddedEmulator runs the newcomer's first command through run itself: with no configuration at
// all, graph lists the embedded emulator's users and says so on stderr.
func TestEmbeddedEmulator(t *testing.T) {
	t.Parallel()
	args := []string{"users", "list", "--json=false"}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	if code != 0 {
		t.Fatalf("exit %d: %s", code, r.stderr)
	}
	if !strings.Contains(r.stderr, "embedded emulator") {
		t.Errorf("stderr does not say the emulator is used: %q", r.stderr)
	}
	if lines := strings.Count(r.stdout, "\n"); lines != embeddedUsers+1 {
		t.Errorf("%d lines, want a header and %d users:\n%s", lines, embeddedUsers, r.stdout)
	}
	checkGolden(t, "embedded_list_table", args, r, nil)

	// --emulator wins over configured credentials, which are then not used.
	f := newFake(t, 0)
	r = runCLI(t, invocation{env: fakeEnv(f)}, "users", "count", "--emulator")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "20" || !strings.Contains(r.stderr, "--emulator") {
		t.Errorf("--emulator: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if f.TokenRequests() != 0 {
		t.Errorf("--emulator still asked the configured tenant for a token")
	}
}

// TestConfiguration covers where credentials come from: flags over environment, secret files,
// certificates, and incomplete configurations.
func TestConfiguration(t *testing.T) {
	t.Parallel()
	cert, pemFile := newCertificate(t)
	f := graphtest.NewServer(graphtest.Options{Users: 3, Certificate: cert})
	t.Cleanup(f.Close)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte(f.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	hosts := []string{"--authority-host", f.AuthorityHost, "--base-url", f.GraphURL}
	idFlags := append([]string{"--tenant", f.Domain, "--client-id", f.ClientID}, hosts...)

	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string // in stdout for 0, stderr otherwise
	}{
		{"environment", fakeEnv(f), nil, 0, "3"},
		{"flags only", nil, append([]string{"--client-secret-file", secretFile}, idFlags...), 0, "3"},
		{"certificate flag", nil, append([]string{"--certificate", pemFile}, idFlags...), 0, "3"},
		{"certificate env", map[string]string{envTenantID: f.TenantID, envClientID: f.ClientID, envCertPath: pemFile,
			envAuthorityHost: f.AuthorityHost, envGraphBaseURL: f.GraphURL}, nil, 0, "3"},
		{"flag beats env", withEnv(fakeEnv(f), envClientID, "wrong-client"), []string{"--client-id", f.ClientID}, 0, "3"},
		{"env tenant wrong", withEnv(fakeEnv(f), envTenantID, "other.example"), nil, 1, "AADSTS90002"},
		{"wrong secret", withEnv(fakeEnv(f), envClientSecret, "not-the-secret-4f2a"), nil, 1, "AADSTS7000215"},
		{"missing secret", map[string]string{envTenantID: f.TenantID, envClientID: f.ClientID}, nil, 2, "missing a secret"},
		{"missing tenant", map[string]string{envClientID: f.ClientID, envClientSecret: "s"}, nil, 2, "missing --tenant or AZURE_TENANT_ID"},
		{"empty secret file", nil, append([]string{"--client-secret-file", emptyFile}, idFlags...), 2, "is empty"},
		{"secret and certificate flags", nil, append([]string{"--client-secret-file", secretFile, "--certificate", pemFile}, idFlags...), 2, "mutually exclusive"},
		{"not a certificate", nil, append([]string{"--certificate", secretFile}, idFlags...), 2, "no PEM CERTIFICATE"},
	}
	for _, tt := range tests {
		args := append([]string{"users", "count"}, tt.args...)
		r := runCLI(t, invocation{env: tt.env}, args...)
		out := r.stdout
		if tt.code != 0 {
			out = r.stderr
		}
		if r.code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", tt.name, r.code, r.stdout, r.stderr, tt.code, tt.want)
		}
		if strings.Contains(r.stdout+r.stderr, "not-the-secret-4f2a") || strings.Contains(r.stdout+r.stderr, f.ClientSecret) {
			t.Errorf("%s: a secret was printed: %s%s", tt.name, r.stdout, r.stderr)
		}
		if strings.Contains(r.stderr, "using the embedded emulator") {
			t.Errorf("%s: fell back to the embedded emulator", tt.name)
		}
	}
}

// withEnv returns a copy of env with k set to v.
func withEnv(env map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for key, val := range env {
		out[key] = val
	}
	out[k] = v
	return out
}

// newCertificate makes a self-signed RSA certificate and writes it with its key to a PEM file.
func newCertificate(t *testing.T) (*x509.Certificate, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "graph cli test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)
	path := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, path
}

// TestInterrupted checks that a command stopped by --timeout exits 1 and says why, and one stopped by
// its context ending (Ctrl-C) exits 130.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	f := newFake(t, 1)
	f.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		<-r.Context().Done() // Graph never answers
		return true
	})
	r := runCLI(t, invocation{env: fakeEnv(f)}, "users", "list", "--timeout", "200ms")
	// The message keeps the cause: what was being done when the time ran out. That is the Graph call,
	// unless a machine so busy that the token request outlasted 200 ms ran out during that.
	want := "graph: gave up after --timeout 200ms: GET /v1.0/users: context deadline exceeded\n"
	if tokenStage := "graph: gave up after --timeout 200ms: context deadline exceeded\n"; r.stderr == tokenStage {
		want = tokenStage
	}
	if r.code != exitError || r.stderr != want {
		t.Errorf("--timeout: exit %d, stderr %q", r.code, r.stderr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	go func() {
		for f.Requests(graphtest.OpCountUsers) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	env := fakeEnv(f)
	code := run(ctx, []string{"users", "count"}, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	if code != exitInterrupted || stderr.String() != "graph: interrupted\n" {
		t.Errorf("cancelled: exit %d, stderr %q", code, stderr.String())
	}
}

// TestTokenNeverPrinted checks that graph token shows claims but not the token, in either format.
func TestTokenNeverPrinted(t *testing.T) {
	t.Parallel()
	f := newFake(t, 0)
	for _, format := range []string{"--json", "--json=false"} {
		r := runCLI(t, invocation{env: fakeEnv(f)}, "token", format)
		if r.code != 0 {
			t.Fatalf("token %s: exit %d: %s", format, r.code, r.stderr)
		}
		// Every JWT starts with the base64 of `{"`: eyJ.
		if strings.Contains(r.stdout+r.stderr, "eyJ") {
			t.Errorf("token %s printed something like a JWT:\n%s%s", format, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "User.ReadWrite.All") || !strings.Contains(r.stdout, f.TenantID) {
			t.Errorf("token %s does not show the roles and the tenant:\n%s", format, r.stdout)
		}
	}
}

// TestProgress checks the live count of --all on a terminal: it counts on stderr, overwriting one
// line, and erases itself at the end.
func TestProgress(t *testing.T) {
	t.Parallel()
	f := newFake(t, 250)
	r := runCLI(t, invocation{env: fakeEnv(f), terminal: true}, "users", "list", "--all", "--count", "--select", "id")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := "\r100 of 250 users\r200 of 250 users\r\x1b[Kgraph: 250 users match\n"
	if r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if lines := strings.Count(r.stdout, "\n"); lines != 251 {
		t.Errorf("%d lines of table, want 251", lines)
	}

	// Not on a terminal, or with JSON streaming to the terminal: no count.
	for _, inv := range []invocation{{env: fakeEnv(f)}, {env: fakeEnv(f), terminal: true}} {
		args := []string{"users", "list", "--all", "--select", "id"}
		if inv.terminal {
			args = append(args, "--json")
		}
		if r := runCLI(t, inv, args...); r.code != 0 || r.stderr != "" {
			t.Errorf("terminal=%v: exit %d, stderr %q; want no live count", inv.terminal, r.code, r.stderr)
		}
	}
}

// TestParseInterleaved checks that flags are found before, between and after positional arguments.
func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args    []string
		pos     []string
		selectV string
	}{
		{[]string{"a"}, []string{"a"}, ""},
		{[]string{"--select", "x", "a"}, []string{"a"}, "x"},
		{[]string{"a", "--select", "x"}, []string{"a"}, "x"},
		{[]string{"a", "--select=x", "b"}, []string{"a", "b"}, "x"},
		{[]string{"--", "--select", "x"}, []string{"--select", "x"}, ""},
		{[]string{"a", "--", "-b"}, []string{"a", "-b"}, ""},
		{nil, nil, ""},
	}
	for _, tt := range tests {
		fs := newFlagSet("test")
		sel := fs.String("select", "", "")
		pos, err := parseInterleaved(fs, tt.args)
		if err != nil || !reflect.DeepEqual(pos, tt.pos) || *sel != tt.selectV {
			t.Errorf("parseInterleaved(%q) = %q, select %q, %v; want %q, select %q", tt.args, pos, *sel, err, tt.pos, tt.selectV)
		}
	}
}

// TestCell checks how property values appear in a table.
func TestCell(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"Adele", "Adele"},
		{true, "true"},
		{[]any{"+1 425", "+1 206"}, "+1 425, +1 206"},
		{[]any{}, ""},
		{map[string]any{"costCenter": "42"}, `{"costCenter":"42"}`},
		{[]any{map[string]any{"a": "b"}}, `[{"a":"b"}]`},
		{"tab\there", "tab\ufffdhere"},
		{"evil\x1b[2Jname\r\n", "evil\ufffd[2Jname\ufffd\ufffd"},
		{"\u009bC1", "\ufffdC1"},
	}
	for _, tt := range tests {
		if got := cell(tt.in); got != tt.want {
			t.Errorf("cell(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSearchParam checks that a bare $search clause is quoted as Graph requires.
func TestSearchParam(t *testing.T) {
	tests := []struct{ in, want string }{
		{"displayName:adele", `"displayName:adele"`},
		{`"displayName:adele" OR "mail:adele"`, `"displayName:adele" OR "mail:adele"`},
	}
	for _, tt := range tests {
		q := queryFlags{search: tt.in}
		if got := *q.searchParam(); got != tt.want {
			t.Errorf("searchParam(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if (&queryFlags{}).searchParam() != nil {
		t.Error("an empty --search sends $search")
	}
}
