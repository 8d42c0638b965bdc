package auth

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/typedgraph/graph/internal/uuid"
)

// Credential proves the application's identity to the token endpoint: a
// client secret (NewClientSecret) or a certificate (NewClientCertificate).
// The set is closed; a Credential prints redacted in fmt and slog.
type Credential interface {
	// authenticate adds the credential's form fields for one token request
	// to audience (the token endpoint URL) and returns the secret value it
	// added, so the caller can make sure it never echoes back in an error.
	authenticate(form url.Values, clientID, audience string, now time.Time) (secret string, err error)
}

// NewClientSecret returns a Credential that sends secret as client_secret.
func NewClientSecret(secret string) Credential {
	return &clientSecret{secret: func() string { return secret }}
}

// clientSecret keeps the secret behind a function rather than in a string field. fmt prints a
// value held in an unexported field by reflection, without calling its String or Format methods,
// and a verb that does not fit a pointer (%s, %q, %t of a caller's struct) prints the struct the
// pointer points at: a string field would show the secret, a func shows only an address.
type clientSecret struct{ secret func() string }

func (c *clientSecret) authenticate(form url.Values, _, _ string, _ time.Time) (string, error) {
	secret := c.secret()
	if secret == "" {
		return "", fmt.Errorf("%w: client secret is empty", ErrInvalidConfig)
	}
	form.Set("client_secret", secret)
	return secret, nil
}

func (c *clientSecret) String() string             { return "auth.ClientSecret(REDACTED)" }
func (c *clientSecret) GoString() string           { return c.String() }
func (c *clientSecret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }
func (c *clientSecret) LogValue() slog.Value       { return slog.StringValue(c.String()) }

// CertificateOptions tunes a certificate credential. The zero value is ready
// to use.
type CertificateOptions struct {
	// SendCertificateChain adds the certificates as the assertion's x5c header,
	// which subject-name/issuer authentication (SNI) requires.
	SendCertificateChain bool
	// AssertionLifetime is how long each client assertion is valid. Default
	// 10 minutes.
	AssertionLifetime time.Duration
}

// clientCertificate signs a fresh client_assertion JWT for every token
// request.
type clientCertificate struct {
	key      *rsa.PrivateKey
	x5t      string   // base64url SHA-256 of the leaf's DER
	x5c      []string // base64 DER chain, leaf first; nil unless requested
	lifetime time.Duration
	subject  string // leaf subject, for diagnostics only
}

// NewClientCertificate returns a Credential that authenticates with a
// client_assertion JWT signed by key (PS256), naming the certificate by its
// SHA-256 thumbprint (x5t#S256). certs must include the certificate whose
// public key matches key; it is used as the leaf wherever it appears. Only RSA
// keys are supported, as the identity platform requires.
func NewClientCertificate(certs []*x509.Certificate, key crypto.PrivateKey, opts *CertificateOptions) (Credential, error) {
	if opts == nil {
		opts = &CertificateOptions{}
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok || rsaKey == nil {
		return nil, fmt.Errorf("%w: certificate key must be an RSA private key, got %T", ErrInvalidConfig, key)
	}
	leaf := -1
	for i, c := range certs {
		if c == nil {
			continue
		}
		if pub, ok := c.PublicKey.(*rsa.PublicKey); ok && pub.Equal(&rsaKey.PublicKey) {
			leaf = i
			break
		}
	}
	if leaf < 0 {
		return nil, fmt.Errorf("%w: no certificate matches the private key", ErrInvalidConfig)
	}
	ordered := append([]*x509.Certificate{certs[leaf]}, certs[:leaf]...)
	ordered = append(ordered, certs[leaf+1:]...)
	sum := sha256.Sum256(ordered[0].Raw)
	c := &clientCertificate{
		key:      rsaKey,
		x5t:      base64.RawURLEncoding.EncodeToString(sum[:]),
		lifetime: opts.AssertionLifetime,
		subject:  ordered[0].Subject.String(),
	}
	if c.lifetime <= 0 {
		c.lifetime = 10 * time.Minute
	}
	if opts.SendCertificateChain {
		for _, cert := range ordered {
			if cert != nil {
				c.x5c = append(c.x5c, base64.StdEncoding.EncodeToString(cert.Raw))
			}
		}
	}
	return c, nil
}

func (c *clientCertificate) authenticate(form url.Values, clientID, audience string, now time.Time) (string, error) {
	jti := uuid.New()
	tok := jwt.NewWithClaims(jwt.SigningMethodPS256, jwt.MapClaims{
		"aud": audience,
		"iss": clientID,
		"sub": clientID,
		"jti": jti,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(c.lifetime).Unix(),
	})
	tok.Header["x5t#S256"] = c.x5t
	if c.x5c != nil {
		tok.Header["x5c"] = c.x5c
	}
	assertion, err := tok.SignedString(c.key)
	if err != nil {
		return "", fmt.Errorf("auth: signing client assertion: %w", err)
	}
	form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	form.Set("client_assertion", assertion)
	return assertion, nil
}

func (c *clientCertificate) String() string {
	return fmt.Sprintf("auth.ClientCertificate{Subject:%q, x5t#S256:%s, Key:REDACTED}", c.subject, c.x5t)
}
func (c *clientCertificate) GoString() string           { return c.String() }
func (c *clientCertificate) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }
func (c *clientCertificate) LogValue() slog.Value       { return slog.StringValue(c.String()) }

// ErrEncryptedKey is returned by ParseCertificatePEM for a password-protected
// private key: decrypting PEM keys needs either insecure legacy ciphers or a
// dependency this module does not take. Store the key unencrypted (PKCS#8 or
// PKCS#1) in a file only the service can read, or in a secret store.
var ErrEncryptedKey = fmt.Errorf("%w: encrypted private keys are not supported; provide an unencrypted PKCS#8 or PKCS#1 key", ErrInvalidConfig)

// ParseCertificatePEM reads the certificates and the private key from PEM
// data, as in a file holding "CERTIFICATE" blocks and one "PRIVATE KEY"
// (PKCS#8) or "RSA PRIVATE KEY" (PKCS#1) block, in any order. An encrypted key
// yields ErrEncryptedKey; password is accepted for symmetry with
// AZURE_CLIENT_CERTIFICATE_PASSWORD and ignored for unencrypted keys.
// PKCS#12 (.pfx) files are not supported: convert them to PEM.
func ParseCertificatePEM(data, password []byte) ([]*x509.Certificate, crypto.PrivateKey, error) {
	_ = password
	var (
		certs []*x509.Certificate
		key   crypto.PrivateKey
	)
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: parsing certificate: %v", ErrInvalidConfig, err)
			}
			certs = append(certs, c)
		case "ENCRYPTED PRIVATE KEY":
			return nil, nil, ErrEncryptedKey
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if _, ok := block.Headers["DEK-Info"]; ok {
				return nil, nil, ErrEncryptedKey
			}
			if key != nil {
				return nil, nil, fmt.Errorf("%w: PEM data holds more than one private key", ErrInvalidConfig)
			}
			k, err := parseKey(block)
			if err != nil {
				return nil, nil, err
			}
			key = k
		}
	}
	if len(certs) == 0 {
		return nil, nil, fmt.Errorf("%w: no PEM CERTIFICATE block found (PKCS#12/PFX files are not supported; convert them to PEM)", ErrInvalidConfig)
	}
	if key == nil {
		return nil, nil, fmt.Errorf("%w: no PEM private key block found", ErrInvalidConfig)
	}
	return certs, key, nil
}

func parseKey(block *pem.Block) (crypto.PrivateKey, error) {
	var (
		k   crypto.PrivateKey
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		k, err = x509.ParseECPrivateKey(block.Bytes)
	}
	if err != nil {
		// x509's messages describe the structure, never the key material.
		return nil, fmt.Errorf("%w: parsing %s: %v", ErrInvalidConfig, block.Type, err)
	}
	return k, nil
}
