package graphtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

var b64 = base64.RawURLEncoding

// signJWT returns a compact RS256 JWT of header and claims signed with key.
func signJWT(key *rsa.PrivateKey, header, claims any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signing := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64.EncodeToString(sig), nil
}

// errMalformed is returned for anything that is not a compact JWS.
var errMalformed = errors.New("malformed JWT")

// jwtParts is a compact JWT split and decoded, not yet verified.
type jwtParts struct {
	header  map[string]any
	claims  map[string]any
	signing string // header.payload as sent, the signed input
	sig     []byte
}

// parseJWT splits and decodes a compact JWT without verifying it.
func parseJWT(tok string) (*jwtParts, error) {
	if len(tok) > 16<<10 {
		return nil, errMalformed
	}
	a, rest, ok := strings.Cut(tok, ".")
	if !ok {
		return nil, errMalformed
	}
	b, c, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(c, ".") {
		return nil, errMalformed
	}
	p := &jwtParts{signing: tok[:len(a)+1+len(b)]}
	for _, part := range []struct {
		enc string
		dst *map[string]any
	}{{a, &p.header}, {b, &p.claims}} {
		raw, err := b64.DecodeString(part.enc)
		if err != nil {
			return nil, errMalformed
		}
		if err := json.Unmarshal(raw, part.dst); err != nil || *part.dst == nil {
			return nil, errMalformed
		}
	}
	sig, err := b64.DecodeString(c)
	if err != nil {
		return nil, errMalformed
	}
	p.sig = sig
	return p, nil
}

// verify checks the signature with pub for alg RS256 or PS256.
func (p *jwtParts) verify(pub *rsa.PublicKey) error {
	sum := sha256.Sum256([]byte(p.signing))
	switch alg, _ := p.header["alg"].(string); alg {
	case "RS256":
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], p.sig)
	case "PS256":
		return rsa.VerifyPSS(pub, crypto.SHA256, sum[:], p.sig, nil)
	default:
		return errors.New("unsupported alg")
	}
}

// str returns a string claim.
func (p *jwtParts) str(name string) string {
	s, _ := p.claims[name].(string)
	return s
}

// num returns a numeric claim (NumericDate) and whether it is present.
func (p *jwtParts) num(name string) (int64, bool) {
	f, ok := p.claims[name].(float64)
	return int64(f), ok
}
