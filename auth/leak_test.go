package auth

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestConfigFromEnvDoesNotEchoPEM: AZURE_CLIENT_CERTIFICATE_PATH holding the PEM text (certificate
// and private key) instead of a path must not put that text into the error (issue 16, point 1).
func TestConfigFromEnvDoesNotEchoPEM(t *testing.T) {
	cert, key := testCertificate(t)
	pemData := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	env := map[string]string{EnvTenantID: "t", EnvClientID: "c", EnvCertificatePath: pemData}
	_, err := configFromEnv(func(k string) string { return env[k] }, os.ReadFile)
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
	if strings.Contains(err.Error(), "BEGIN") || strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Errorf("the error shows the PEM data: %.300q", err.Error())
	}
	if !strings.Contains(err.Error(), EnvCertificatePath) {
		t.Errorf("the error does not name the variable: %v", err)
	}
}

// holder is a caller's struct keeping our values in unexported fields, which fmt prints by
// reflection without calling their methods.
type holder struct {
	cfg   Config
	pcfg  *Config
	cred  Credential
	src   TokenSource
	cache *Cache
	cc    *ClientCredentials
}

// TestUnexportedFieldsDoNotLeak: %s, %q, %t and the other verbs of a struct that holds a Config, a
// Credential or a token source in unexported fields never print the secret or the token (issue 16,
// point 3): fmt's bad-verb path prints what a pointer points at without calling Format.
func TestUnexportedFieldsDoNotLeak(t *testing.T) {
	cfg := Config{TenantID: "t", ClientID: "c", Credential: NewClientSecret(sentinelSecret)}
	cc, err := NewClientCredentials(cfg)
	if err != nil {
		t.Fatal(err)
	}
	static := StaticTokenSource(sentinelToken)
	cache := NewCache(static, nil)
	if _, err := cache.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := holder{cfg: cfg, pcfg: &cfg, cred: cfg.Credential, src: static, cache: cache, cc: cc}
	for _, v := range []any{h, &h, struct{ h holder }{h}, []holder{h}, map[string]holder{"h": h}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%t", "%d", "%x", "%X", "%T", "%p"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, sentinelSecret) || strings.Contains(out, sentinelToken) ||
				strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", sentinelSecret)) || strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", sentinelToken)) {
				t.Errorf("%s of %T leaks: %.300s", verb, v, out)
			}
		}
	}
}

// TestErrorTextValidUTF8: a long description of multi-byte characters is cut at a character
// boundary in Error, so the message stays valid UTF-8 (issue 16, point 10).
func TestErrorTextValidUTF8(t *testing.T) {
	e := &Error{StatusCode: 400, Code: "invalid_request", Description: "x" + strings.Repeat("é", 400)}
	if msg := e.Error(); !utf8.ValidString(msg) {
		t.Errorf("Error() is not valid UTF-8: %q", msg)
	}
}
