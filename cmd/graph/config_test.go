package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedgraph/graph"
)

// TestConfigFromEnvMatchesCLI shows that a program configured with graph.ConfigFromEnv and the graph
// command read the same environment variables the same way: for each environment both arrive at the
// same configuration, or both refuse it, and over all of them both read the same variables.
func TestConfigFromEnvMatchesCLI(t *testing.T) {
	t.Parallel()
	_, pemFile := newCertificate(t)
	base := map[string]string{envTenantID: "contoso.example", envClientID: "app-id", envClientSecret: "s3cret-value"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{"secret", base, true},
		{"certificate", with(envClientSecret, "", envCertPath, pemFile), true},
		{"certificate with chain", with(envClientSecret, "", envCertPath, pemFile, envSendCertChain, "true"), true},
		{"secret beats certificate", with(envCertPath, pemFile), true},
		{"emulator endpoints", with(envAuthorityHost, "http://127.0.0.1:8080", envGraphBaseURL, "http://127.0.0.1:8080/v1.0"), true},
		{"national cloud", with(envCloud, "china"), true},
		{"cloud from authority", with(envAuthorityHost, "https://login.microsoftonline.us"), true},
		{"unknown cloud", with(envCloud, "mars"), false},
		{"missing secret", with(envClientSecret, ""), false},
		{"endpoints only", map[string]string{envAuthorityHost: "http://127.0.0.1:8080", envGraphBaseURL: "http://127.0.0.1:8080/v1.0"}, false},
		{"base URL only", map[string]string{envGraphBaseURL: "http://127.0.0.1:8080/v1.0"}, false},
		{"bad certificate", with(envClientSecret, "", envCertPath, "/nonexistent/app.pem"), false},
	}
	sdkAsked, cliAsked := &asked{}, &asked{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sdk, sdkErr := graph.ConfigFromLookup(sdkAsked.lookup(tt.env))

			c := &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
				env: cliAsked.lookup(tt.env), isTerminal: func(io.Writer) bool { return false }, now: time.Now}
			target, cliErr := c.connect(&connFlags{}, "graph users list")
			if target != nil {
				defer target.close()
				if target.fake != nil {
					t.Fatal("the command fell back to the embedded emulator")
				}
			}
			if (sdkErr == nil) != tt.ok || (cliErr == nil) != tt.ok {
				t.Fatalf("ConfigFromEnv error %v, command error %v; want success %v from both", sdkErr, cliErr, tt.ok)
			}
			if tt.ok {
				if got, want := describeConfig(target.graph), describeConfig(sdk); got != want {
					t.Errorf("the command configured\n  %s\nConfigFromEnv\n  %s", got, want)
				}
			}
		})
	}
	if !slices.Equal(cliAsked.names(), sdkAsked.names()) {
		t.Errorf("the command read %v\nConfigFromEnv read %v", cliAsked.names(), sdkAsked.names())
	}
	if len(sdkAsked.names()) < 9 {
		t.Errorf("ConfigFromEnv read only %v", sdkAsked.names())
	}
}

// describeConfig renders what a Config connects to and with which kind of credential.
func describeConfig(c graph.Config) string {
	return fmt.Sprintf("tenant %q client %q credential %T cloud %q authority %q base %q",
		c.TenantID, c.ClientID, c.Credential, c.Cloud.Name, c.AuthorityHost, c.BaseURL)
}

// asked records the environment variables a lookup was asked for.
type asked struct {
	mu  sync.Mutex // guards set
	set map[string]bool
}

func (a *asked) lookup(env map[string]string) func(string) string {
	return func(k string) string {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.set == nil {
			a.set = map[string]bool{}
		}
		a.set[k] = true
		return env[k]
	}
}

func (a *asked) names() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for k := range a.set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestIncompleteConfiguration checks that endpoints, a cloud or part of the credentials, given
// without the rest, are a usage error naming what is given and what is missing, never a silent
// switch to the embedded emulator; and that the message points to graph --help, where the
// connection options are.
func TestIncompleteConfiguration(t *testing.T) {
	t.Parallel()
	const url = "http://127.0.0.1:8080"
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"endpoint flags", nil, []string{"--base-url", url + "/v1.0", "--authority-host", url},
			[]string{"--authority-host, --base-url are set, but missing --tenant or AZURE_TENANT_ID, --client-id or AZURE_CLIENT_ID, a secret"}},
		{"authority host variable", map[string]string{envAuthorityHost: url}, nil,
			[]string{"AZURE_AUTHORITY_HOST is set, but missing --tenant"}},
		{"base URL variable", map[string]string{envGraphBaseURL: url + "/v1.0"}, nil,
			[]string{"TYPEDGRAPH_BASE_URL is set, but missing"}},
		{"cloud", map[string]string{envCloud: "china"}, nil, []string{"TYPEDGRAPH_CLOUD is set"}},
		{"tenant only", nil, []string{"--tenant", "contoso.example"}, []string{"--tenant is set, but missing --client-id or AZURE_CLIENT_ID, a secret"}},
	}
	for _, tt := range tests {
		args := append([]string{"users", "count"}, tt.args...)
		r := runCLI(t, invocation{env: tt.env}, args...)
		if r.code != exitUsage {
			t.Errorf("%s: exit %d, want 2; stdout %q stderr %q", tt.name, r.code, r.stdout, r.stderr)
		}
		for _, w := range append(tt.want, "Run 'graph --help' for usage.") {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr %q does not say %q", tt.name, r.stderr, w)
			}
		}
		if strings.Contains(r.stderr, "embedded emulator (") || r.stdout != "" {
			t.Errorf("%s: ran against the embedded emulator: %q %q", tt.name, r.stdout, r.stderr)
		}
	}

	// A certificate given by flag is named as the flag in errors.
	r := runCLI(t, invocation{}, "users", "count", "--tenant", "t", "--client-id", "c", "--certificate", "/nonexistent/app.pem")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--certificate") || strings.Contains(r.stderr, envCertPath) {
		t.Errorf("bad --certificate: exit %d, stderr %q", r.code, r.stderr)
	}
}
