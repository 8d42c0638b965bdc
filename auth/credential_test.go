package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
	testCert    *x509.Certificate
)

// testCertificate returns a self-signed RSA certificate and its key, made
// once per test binary (RSA key generation is slow under -race).
func testCertificate(t testing.TB) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "typedgraph test"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			panic(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			panic(err)
		}
		testKey, testCert = k, c
	})
	return testCert, testKey
}

// TestCertificateAssertion: the assertion sent to the token endpoint
// verifies with the certificate's public key and has the required header and
// claims.
func TestCertificateAssertion(t *testing.T) {
	cert, key := testCertificate(t)
	clk := newFakeClock()
	var assertion string
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			t.Errorf("client_assertion_type = %q", r.PostForm.Get("client_assertion_type"))
		}
		if r.PostForm.Has("client_secret") {
			t.Error("client_secret sent with a certificate")
		}
		assertion = r.PostForm.Get("client_assertion")
		okToken(w, "tok", 3599)
	})
	cred, err := NewClientCertificate([]*x509.Certificate{cert}, key, &CertificateOptions{SendCertificateChain: true})
	if err != nil {
		t.Fatal(err)
	}
	cc := newTestFetcher(t, ts, clk, func(c *Config) { c.Credential = cred })
	if _, err := cc.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	aud := ts.URL + "/tenant-1/oauth2/v2.0/token"
	claims := jwt.MapClaims{}
	parsed, err := jwt.NewParser(
		jwt.WithValidMethods([]string{"PS256"}),
		jwt.WithAudience(aud), jwt.WithIssuer("client-1"), jwt.WithSubject("client-1"),
		jwt.WithTimeFunc(clk.Now),
	).ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return cert.PublicKey, nil })
	if err != nil || !parsed.Valid {
		t.Fatalf("assertion does not verify: %v", err)
	}
	sum := sha256.Sum256(cert.Raw)
	if got := parsed.Header["x5t#S256"]; got != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Errorf("x5t#S256 = %v", got)
	}
	if x5c, _ := parsed.Header["x5c"].([]any); len(x5c) != 1 || x5c[0] != base64.StdEncoding.EncodeToString(cert.Raw) {
		t.Errorf("x5c = %v", parsed.Header["x5c"])
	}
	if a, _ := claims["aud"].(string); a != aud {
		t.Errorf("aud = %v, want the string %q", claims["aud"], aud)
	}
	now := clk.Now().Unix()
	if nbf, _ := claims.GetNotBefore(); nbf == nil || nbf.Unix() != now {
		t.Errorf("nbf = %v, want now", nbf)
	}
	if exp, _ := claims.GetExpirationTime(); exp == nil || exp.Unix() != now+600 {
		t.Errorf("exp = %v, want now + 10 min", exp)
	}
	if jti, _ := claims["jti"].(string); len(jti) != 36 {
		t.Errorf("jti = %q", jti)
	}
}

func TestAssertionJTIUnique(t *testing.T) {
	cert, key := testCertificate(t)
	cred, err := NewClientCertificate([]*x509.Certificate{cert}, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool, 1000)
	now := time.Now()
	for i := 0; i < 1000; i++ {
		form := url.Values{}
		a, err := cred.authenticate(form, "c", "https://aud", now)
		if err != nil {
			t.Fatal(err)
		}
		var claims jwt.MapClaims
		if _, _, err := jwt.NewParser().ParseUnverified(a, &claims); err != nil {
			t.Fatal(err)
		}
		jti, _ := claims["jti"].(string)
		if jti == "" || seen[jti] {
			t.Fatalf("assertion %d: jti %q empty or repeated", i, jti)
		}
		seen[jti] = true
	}
	if len(seen) != 1000 {
		t.Errorf("%d distinct jti, want 1000", len(seen))
	}
}

func TestNewClientCertificateErrors(t *testing.T) {
	cert, key := testCertificate(t)
	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for name, tc := range map[string]struct {
		certs []*x509.Certificate
		key   any
	}{
		"no certs":     {nil, key},
		"nil key":      {[]*x509.Certificate{cert}, nil},
		"ec key":       {[]*x509.Certificate{cert}, ec},
		"mismatch key": {[]*x509.Certificate{cert}, other},
	} {
		if _, err := NewClientCertificate(tc.certs, tc.key, nil); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestParseCertificatePEM(t *testing.T) {
	cert, key := testCertificate(t)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	pkcs8PEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	pkcs1PEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	encPEM := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	legacyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00"}, Bytes: []byte{1}})
	cat := func(bs ...[]byte) []byte {
		return []byte(strings.Join(func() []string {
			var s []string
			for _, b := range bs {
				s = append(s, string(b))
			}
			return s
		}(), ""))
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr error
	}{
		{"pkcs8 key first", cat(pkcs8PEM, certPEM), nil},
		{"pkcs1", cat(certPEM, pkcs1PEM), nil},
		{"encrypted pkcs8", cat(certPEM, encPEM), ErrEncryptedKey},
		{"legacy encrypted", cat(certPEM, legacyPEM), ErrEncryptedKey},
		{"no key", certPEM, ErrInvalidConfig},
		{"no cert", pkcs8PEM, ErrInvalidConfig},
		{"pfx bytes", []byte{0x30, 0x82, 0x01}, ErrInvalidConfig},
		{"bad key bytes", cat(certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")})), ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, k, err := ParseCertificatePEM(tt.data, []byte("pw"))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := NewClientCertificate(certs, k, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}
