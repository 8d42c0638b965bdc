package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// emulator is a graph emulate command running in process.
type emulator struct {
	info   emulatorInfo
	text   string // the first part of a table-mode output
	stop   context.CancelFunc
	done   chan int
	stderr *bytes.Buffer // read only after done
}

// startEmulator runs graph emulate with args and waits until it has printed its settings (JSON, or
// the text up to its last line). It stops the emulator at the end of the test.
func startEmulator(t *testing.T, args ...string) *emulator {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	e := &emulator{stop: cancel, done: make(chan int, 1), stderr: new(bytes.Buffer)}
	c := &cli{
		stdin:      strings.NewReader(""),
		stdout:     pw,
		stderr:     e.stderr,
		env:        func(string) string { return "" },
		isTerminal: func(io.Writer) bool { return false },
		now:        time.Now,
	}
	go func() {
		code := c.execute(ctx, append([]string{"emulate"}, args...))
		pw.Close()
		e.done <- code
	}()
	t.Cleanup(func() {
		cancel()
		go io.Copy(io.Discard, pr)
		<-e.done // no deadline of ours: an emulator that ignores its context hangs until go test's -timeout
	})

	br := bufio.NewReader(pr)
	var text strings.Builder
	for {
		line, err := br.ReadString('\n')
		text.WriteString(line)
		if err != nil {
			cancel()
			code := <-e.done
			e.done <- code
			t.Fatalf("emulate exited (%d) before printing its settings: %v\nstdout: %s\nstderr: %s", code, err, text.String(), e.stderr)
		}
		if strings.HasPrefix(line, "{") {
			if err := json.Unmarshal([]byte(line), &e.info); err != nil {
				t.Fatalf("emulate printed invalid JSON: %v\n%s", err, line)
			}
			break
		}
		if strings.HasPrefix(line, emulatorReady) {
			break
		}
	}
	e.text = text.String()
	go io.Copy(io.Discard, br)
	return e
}

// shutdown stops the emulator and returns its exit status.
func (e *emulator) shutdown(t *testing.T) int {
	t.Helper()
	e.stop()
	code := <-e.done
	e.done <- code
	return code
}

// plainClient gets a token from the emulator and lists users with nothing but net/http, as a program
// in another language would.
func plainClient(t *testing.T, hc *http.Client, info emulatorInfo, wantUsers int) {
	t.Helper()
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {info.ClientID},
		"client_secret": {info.ClientSecret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
	resp, err := hc.PostForm(info.TokenEndpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || err != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("token: status %d, token type %q, error %v", resp.StatusCode, tok.TokenType, err)
	}
	if tok.ExpiresIn < 290 || tok.ExpiresIn > 300 {
		t.Errorf("expires_in %d, want about 300 (--token-lifetime 5m)", tok.ExpiresIn)
	}

	get := func(u, bearer string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}

	// Every page, following @odata.nextLink, which must name the emulator's address.
	next := info.GraphBaseURL + "/users?$top=2&$select=id,displayName"
	seen := 0
	for pages := 0; next != ""; pages++ {
		if pages > wantUsers {
			t.Fatal("too many pages")
		}
		resp, body := get(next, tok.AccessToken)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", next, resp.StatusCode, body)
		}
		var page struct {
			Context  string           `json:"@odata.context"`
			NextLink string           `json:"@odata.nextLink"`
			Value    []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("page is not JSON: %v", err)
		}
		if !strings.HasPrefix(page.Context, info.GraphBaseURL+"/$metadata#users") {
			t.Errorf("@odata.context %q is not under %s", page.Context, info.GraphBaseURL)
		}
		if page.NextLink != "" && !strings.HasPrefix(page.NextLink, info.GraphBaseURL+"/") {
			t.Fatalf("@odata.nextLink %q is not under the emulator's Graph URL %s", page.NextLink, info.GraphBaseURL)
		}
		seen += len(page.Value)
		next = page.NextLink
	}
	if seen != wantUsers {
		t.Errorf("listed %d users, want %d", seen, wantUsers)
	}

	// Without a token: Graph's 401 with its headers.
	resp, body := get(info.GraphBaseURL+"/users", "")
	if resp.StatusCode != 401 || !strings.Contains(string(body), "InvalidAuthenticationToken") || resp.Header.Get("request-id") == "" {
		t.Errorf("without a token: %d, request-id %q, %s", resp.StatusCode, resp.Header.Get("request-id"), body)
	}
}

// TestEmulate checks that graph emulate serves: a plain HTTP client gets a token and lists users, and
// the graph command itself works against it, on a loopback port picked at random.
func TestEmulate(t *testing.T) {
	t.Parallel()
	_, pemFile := newCertificate(t)
	e := startEmulator(t, "--addr", "127.0.0.1:0", "--users", "7", "--groups", "4", "--token-lifetime", "5m", "--client-cert", pemFile, "--json")
	info := e.info
	if info.Users != 7 || info.Groups != 4 {
		t.Errorf("settings: %d users, %d groups; want 7 and 4", info.Users, info.Groups)
	}
	if !strings.HasPrefix(info.URL, "http://127.0.0.1:") || info.AuthorityHost != info.URL || info.GraphBaseURL != info.URL+"/v1.0" {
		t.Fatalf("settings: %+v", info)
	}
	if info.TokenEndpoint != info.URL+"/"+info.TenantID+"/oauth2/v2.0/token" || info.ClientID == "" || info.ClientSecret == "" {
		t.Fatalf("settings: %+v", info)
	}
	plainClient(t, &http.Client{}, info, 7)

	// The graph command, configured from the printed settings, pages through the emulator (the SDK
	// refuses a nextLink to any other host, so this also proves the links name the emulator).
	env := map[string]string{
		envTenantID: info.Domain, envClientID: info.ClientID, envClientSecret: info.ClientSecret,
		envAuthorityHost: info.AuthorityHost, envGraphBaseURL: info.GraphBaseURL,
	}
	r := runCLI(t, invocation{env: env}, "users", "list", "--all", "--top", "3", "--select", "id")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 7 {
		t.Errorf("graph users list --all against the emulator: exit %d, %d lines, stderr %q", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}

	// Groups and their members, through the same handler; the members' next links name the emulator too.
	r = runCLI(t, invocation{env: env}, "groups", "list", "--all", "--top", "3", "--select", "id")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 4 {
		t.Errorf("graph groups list --all against the emulator: exit %d, %d lines, stderr %q", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
	var first struct{ ID string }
	if err := json.Unmarshal([]byte(strings.SplitN(r.stdout, "\n", 2)[0]), &first); err != nil {
		t.Fatalf("first group line %q: %v", r.stdout, err)
	}
	r = runCLI(t, invocation{env: env}, "groups", "members", first.ID, "--all", "--top", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "#microsoft.graph.user") || strings.Count(r.stdout, "\n") < 3 {
		t.Errorf("graph groups members --all against the emulator: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// With the certificate registered by --client-cert, the graph command signs in with it.
	delete(env, envClientSecret)
	r = runCLI(t, invocation{env: env}, "users", "count", "--certificate", pemFile)
	if r.code != 0 || r.stdout != "7\n" {
		t.Errorf("graph users count --certificate against the emulator: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	if code := e.shutdown(t); code != 0 {
		t.Errorf("exit %d after the context ended, want 0; stderr %q", code, e.stderr)
	}
	log := e.stderr.String()
	if !strings.Contains(log, "emulator stopped") {
		t.Errorf("stderr %q does not report the stop", log)
	}
	for _, want := range []string{" POST /" + info.TenantID + "/oauth2/v2.0/token 200 ", " GET /v1.0/users?$top=2&$select=id,displayName 200 ", " GET /v1.0/users 401 "} {
		if !strings.Contains(log, want) {
			t.Errorf("the request log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "Bearer") || strings.Contains(log, "eyJ") || strings.Contains(log, info.ClientSecret) {
		t.Errorf("the request log shows a token or the secret:\n%s", log)
	}
	if _, err := http.Get(info.URL + "/v1.0/users"); err == nil {
		t.Error("the emulator still answers after stopping")
	}
}

// TestEmulateTLS checks --tls: the certificate file lets a client trust the emulator over https, and
// is removed when it stops.
func TestEmulateTLS(t *testing.T) {
	t.Parallel()
	certFile := filepath.Join(t.TempDir(), "emulator.pem")
	e := startEmulator(t, "--addr", "127.0.0.1:0", "--tls", "--cert-file", certFile, "--users", "3", "--token-lifetime", "5m", "--json")
	if !strings.HasPrefix(e.info.URL, "https://127.0.0.1:") || e.info.CertFile != certFile {
		t.Fatalf("settings: %+v", e.info)
	}
	pemData, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatalf("%s holds no PEM certificate", certFile)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	plainClient(t, hc, e.info, 3)

	// Without the certificate, a client refuses the emulator.
	if _, err := http.Get(e.info.URL + "/v1.0/users"); err == nil {
		t.Error("a client without the certificate trusted the emulator")
	}
	if code := e.shutdown(t); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if _, err := os.Stat(certFile); !os.IsNotExist(err) {
		t.Errorf("certificate file left behind after stopping: %v", err)
	}

	// Without --cert-file the certificate goes to a private directory of its own, removed on exit.
	e = startEmulator(t, "--addr", "127.0.0.1:0", "--tls", "--users", "1", "--json")
	dir := filepath.Dir(e.info.CertFile)
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 || !strings.Contains(filepath.Base(dir), "typedgraph-emulator-") {
		t.Errorf("default certificate file %s: %v", e.info.CertFile, err)
	}
	if code := e.shutdown(t); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("private directory left behind after stopping: %v", err)
	}
}

// TestEmulateTable checks the settings as printed when standard output is not a terminal and --json
// is not given: the same text as on a terminal, export lines included, and a shell script as a whole.
func TestEmulateTable(t *testing.T) {
	t.Parallel()
	args := []string{"emulate", "--addr", "127.0.0.1:0", "--quiet"}
	e := startEmulator(t, args[1:]...)
	base := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(e.text)
	if base == "" {
		t.Fatalf("no URL in the output: %q", e.text)
	}
	e.shutdown(t)
	for _, line := range strings.Split(strings.TrimSuffix(e.text, "\n"), "\n") {
		if !strings.HasPrefix(line, "#") && !regexp.MustCompile(`^export [A-Z_]+=[^ ]+$`).MatchString(line) {
			t.Errorf("line %q is neither a comment nor an export: the output cannot be sourced", line)
		}
	}
	r := result{code: 0, stdout: e.text, stderr: ""}
	checkGolden(t, "emulate_table", args, r, nil, base, "http://127.0.0.1:<port>")
}

// TestEmulateLog checks the request log: the query as a person reads it, $top and not %24top.
func TestEmulateLog(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, "--addr", "127.0.0.1:0", "--json", "--users", "2")
	resp, err := http.Get(e.info.GraphBaseURL + "/users?%24top=1&%24filter=startsWith(displayName%2C%27A%27)")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e.shutdown(t)
	log := e.stderr.String()
	if !strings.Contains(log, "GET /v1.0/users?$top=1&$filter=startsWith(displayName,'A') 401") {
		t.Errorf("log %q does not show the decoded query", log)
	}

	tests := []struct{ in, want string }{
		{"/v1.0/users?%24top=5", "/v1.0/users?$top=5"},
		{"/v1.0/users?$search=%22displayName:a+b%22", `/v1.0/users?$search="displayName:a b"`},
		{"/v1.0/users?bad=%zz", "/v1.0/users?bad=%zz"},
		{"/v1.0/users/x%0Ay", "/v1.0/users/x\ny"}, // sanitized by the caller
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := readableURI(u); got != tt.want {
			t.Errorf("readableURI(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestUnderGoRun checks how graph emulate recognizes a binary started by go run.
func TestUnderGoRun(t *testing.T) {
	for exe, want := range map[string]bool{
		"/tmp/go-build2731/b001/exe/graph":  true,
		"/home/ada/go/bin/graph":            false,
		"/usr/local/bin/graph":              false,
		"/tmp/go-build2731/b001/graph.test": false,
		filepath.Join("/", "exe", "graph"):  false,
	} {
		if got := underGoRun(exe); got != want {
			t.Errorf("underGoRun(%q) = %v, want %v", exe, got, want)
		}
	}
}

// TestEmulateRefusesRemote checks that the emulator will not listen beyond loopback unless asked, and
// validates its flags, all before listening.
func TestEmulateRefusesRemote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "0.0.0.0:0"}, "--allow-remote"},
		{[]string{"--addr", ":0"}, "--allow-remote"},
		{[]string{"--addr", "192.0.2.10:0"}, "not a loopback address"},
		{[]string{"--addr", "example.com:0"}, "not a loopback address"},
		{[]string{"--addr", "127.0.0.1"}, "--addr"},
		{[]string{"--users", "-1"}, "--users"},
		{[]string{"--token-lifetime", "0s"}, "--token-lifetime"},
		{[]string{"--lag-reads", "-1"}, "--lag-reads"},
		{[]string{"--lag", "-1s"}, "--lag must be"},
		{[]string{"--lag", "2h"}, "--lag must be"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--client-cert", "/nonexistent/cert.pem"}, "--client-cert"},
	}
	for _, tt := range tests {
		r := runCLI(t, invocation{}, append([]string{"emulate"}, tt.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("emulate %s: exit %d, stderr %q; want exit 2 mentioning %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
	}
}

// TestEmulatePortInUse checks that a busy address is a plain error, exit 1, with a hint.
func TestEmulatePortInUse(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, "--addr", "127.0.0.1:0", "--json", "--users", "0")
	u, _ := url.Parse(e.info.URL)
	r := runCLI(t, invocation{}, "emulate", "--addr", u.Host)
	if r.code != exitError || !strings.Contains(r.stderr, "address already in use (hint: another emulator may still be running") ||
		!strings.Contains(r.stderr, "--addr 127.0.0.1:0") {
		t.Errorf("second emulator on %s: exit %d, stderr %q; want exit 1, address in use", u.Host, r.code, r.stderr)
	}
	if _, err := strconv.Atoi(u.Port()); err != nil {
		t.Fatal(err)
	}
}

// TestAdvertisedHost checks the address the emulator tells clients to use.
func TestAdvertisedHost(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 41234}
	name, err := os.Hostname()
	if err != nil || name == "" {
		name = "localhost"
	}
	tests := []struct{ host, want string }{
		{"127.0.0.1", "127.0.0.1:41234"},
		{"localhost", "localhost:41234"},
		{"::1", "[::1]:41234"},
		{"", name + ":41234"},
		{"0.0.0.0", name + ":41234"},
	}
	for _, tt := range tests {
		if got := advertisedHost(tt.host, addr); got != tt.want {
			t.Errorf("advertisedHost(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

// TestIsLoopbackHost checks which --addr hosts the emulator accepts without --allow-remote.
func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true, "LOCALHOST": true,
		"": false, "0.0.0.0": false, "::": false, "192.168.1.10": false, "localhost.example.com": false,
	} {
		if got := isLoopbackHost(host); got != want {
			t.Errorf("isLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestEmulateCertFileSafety: the --tls certificate file is created exclusively with mode 0600,
// never through a symlink or over an existing file, and by default in a private directory that is
// removed on exit.
func TestEmulateCertFileSafety(t *testing.T) {
	t.Parallel()
	der := []byte("not really DER, but PEM-encodable")
	dir := t.TempDir()

	// A symlink planted at the path is refused, and its target left alone.
	target := filepath.Join(dir, "victim")
	if err := os.WriteFile(target, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "emulator.pem")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if _, _, err := writeCertFile(link, der); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("symlink at the path: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Errorf("the symlink's target was overwritten: %q", b)
	}
	// So is a dangling symlink, and an existing file.
	dangling := filepath.Join(dir, "dangling.pem")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	if _, _, err := writeCertFile(dangling, der); err == nil {
		t.Error("a dangling symlink at the path was followed")
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere")); !os.IsNotExist(err) {
		t.Error("the dangling symlink's target was created")
	}
	if _, _, err := writeCertFile(target, der); err == nil {
		t.Error("an existing file was overwritten")
	}

	// A new path: mode 0600, removed by cleanup.
	fresh := filepath.Join(dir, "fresh.pem")
	path, cleanup, err := writeCertFile(fresh, der)
	if err != nil || path != fresh {
		t.Fatalf("new file: %q %v", path, err)
	}
	if st, err := os.Lstat(fresh); err != nil || st.Mode().Perm() != 0o600 || !st.Mode().IsRegular() {
		t.Errorf("new file mode: %v %v", st.Mode(), err)
	}
	cleanup()
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Error("cleanup left the file")
	}

	// The default: a private directory of its own.
	path, cleanup, err = writeCertFile("", der)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Dir(path))
	if err != nil || st.Mode().Perm() != 0o700 || filepath.Dir(filepath.Dir(path)) != filepath.Clean(os.TempDir()) {
		t.Errorf("default directory %s: %v %v", filepath.Dir(path), st.Mode(), err)
	}
	if data, _ := os.ReadFile(path); !strings.HasPrefix(string(data), "-----BEGIN CERTIFICATE-----") {
		t.Errorf("default file: %q", data)
	}
	cleanup()
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Error("cleanup left the private directory")
	}
}

// TestEmulatorServerLimits: the emulator's server bounds how long a client may take to send a
// request and how large its headers may be, so slow clients cannot pin connections.
func TestEmulatorServerLimits(t *testing.T) {
	srv := newEmulatorServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 ||
		srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("server limits: %+v", srv)
	}
}

// TestEmulateRoles: --roles narrows the permissions of issued tokens, so what they do not allow is
// Graph's 403 Authorization_RequestDenied.
func TestEmulateRoles(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, "--addr", "127.0.0.1:0", "--users", "2", "--roles", "User.Read.All, Directory.Read.All", "--json", "--quiet")
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.info.ClientID},
		"client_secret": {e.info.ClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err := http.PostForm(e.info.TokenEndpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	call := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, e.info.GraphBaseURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Error.Code
	}
	if status, _ := call("GET", "/groups", ""); status != 200 {
		t.Errorf("list groups with Directory.Read.All: %d", status)
	}
	if status, code := call("POST", "/groups", `{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`); status != 403 || code != "Authorization_RequestDenied" {
		t.Errorf("create a group with read roles: %d %s", status, code)
	}
	r := runCLI(t, invocation{}, "emulate", "--roles", " , ")
	if r.code != 2 || !strings.Contains(r.stderr, "--roles") {
		t.Errorf("empty --roles: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestEmulateReplicationLag checks --lag-reads: a user just created is Graph's 404 to the first read,
// and there for the next.
func TestEmulateReplicationLag(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, "--addr", "127.0.0.1:0", "--users", "1", "--lag-reads", "1", "--quiet", "--json")
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {e.info.ClientID},
		"client_secret": {e.info.ClientSecret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
	resp, err := http.PostForm(e.info.TokenEndpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	call := func(method, u, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	status, user := call(http.MethodPost, e.info.GraphBaseURL+"/users", `{"accountEnabled":true,"displayName":"Lag",`+
		`"mailNickname":"lag","userPrincipalName":"lag@`+e.info.Domain+`","passwordProfile":{"password":"fake-Passw0rd!"}}`)
	id, _ := user["id"].(string)
	if status != http.StatusCreated || id == "" {
		t.Fatalf("create: %d %v", status, user)
	}
	if status, body := call(http.MethodGet, e.info.GraphBaseURL+"/users/"+id, ""); status != http.StatusNotFound ||
		!strings.Contains(fmt.Sprint(body), "Request_ResourceNotFound") {
		t.Errorf("first read: %d %v, want Graph's 404", status, body)
	}
	if status, _ := call(http.MethodGet, e.info.GraphBaseURL+"/users/"+id, ""); status != http.StatusOK {
		t.Errorf("second read: %d, want the user", status)
	}
}
