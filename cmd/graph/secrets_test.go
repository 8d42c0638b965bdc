package main

import (
	"os"
	"strings"
	"testing"
)

// TestMisplacedSecretsAreNotEchoed: a secret given where the path of the file holding it belongs, or
// the PEM text of a certificate and key given where its path belongs, must not be printed back in
// the error (issue 16, point 1).
func TestMisplacedSecretsAreNotEchoed(t *testing.T) {
	t.Parallel()
	f := newFake(t, 1)
	_, pemFile := newCertificate(t)
	pemData, err := os.ReadFile(pemFile)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Xq8~s3cr3t.value_that-is-not-a-path"
	ids := []string{"--tenant", f.Domain, "--client-id", f.ClientID, "--authority-host", f.AuthorityHost, "--base-url", f.GraphURL}
	base := map[string]string{envTenantID: f.TenantID, envClientID: f.ClientID, envAuthorityHost: f.AuthorityHost, envGraphBaseURL: f.GraphURL}
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		secret string
	}{
		{"secret as --client-secret-file", nil, append([]string{"--client-secret-file", secret}, ids...), secret},
		{"PEM as --certificate", nil, append([]string{"--certificate", string(pemData)}, ids...), string(pemData)},
		{"PEM as " + envCertPath, withEnv(base, envCertPath, string(pemData)), nil, string(pemData)},
	}
	for _, tt := range tests {
		r := runCLI(t, invocation{env: tt.env}, append([]string{"users", "count"}, tt.args...)...)
		if r.code != exitUsage {
			t.Errorf("%s: exit %d, stderr %q; want a usage error", tt.name, r.code, r.stderr)
		}
		out := r.stdout + r.stderr
		for _, leak := range []string{tt.secret, "PRIVATE KEY", "-----BEGIN"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s: the output shows %.20q...: %.200q", tt.name, leak, out)
			}
		}
	}
}
