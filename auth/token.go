package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token is an access token and the local times that govern its use.
//
// AccessToken is a secret: Token's String, GoString, Format and LogValue
// methods print it as "REDACTED", so %v, %+v, %#v and slog never show it.
// A Token is shared between goroutines once handed out; treat it as
// read-only.
type Token struct {
	// AccessToken is the bearer token sent in the Authorization header.
	AccessToken string
	// ExpiresOn is when the token stops being valid, on the local clock. The
	// zero time means the expiry is unknown and the token never expires (see
	// StaticTokenSource).
	ExpiresOn time.Time
	// RefreshOn is when a proactive refresh should start, on the local clock.
	// The zero time lets the Cache choose.
	RefreshOn time.Time
}

const redacted = "REDACTED"

// String returns a description of t with the access token redacted.
func (t Token) String() string {
	return fmt.Sprintf("auth.Token{AccessToken:%s, ExpiresOn:%s, RefreshOn:%s}",
		redactedOrEmpty(t.AccessToken), fmtTime(t.ExpiresOn), fmtTime(t.RefreshOn))
}

// GoString implements fmt.GoStringer with the access token redacted.
func (t Token) GoString() string { return t.String() }

// Format implements fmt.Formatter so that every verb, including %+v and %#v,
// prints the redacted form.
func (t Token) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue implements slog.LogValuer with the access token redacted.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_token", redactedOrEmpty(t.AccessToken)),
		slog.Time("expires_on", t.ExpiresOn),
		slog.Time("refresh_on", t.RefreshOn),
	)
}

func redactedOrEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return redacted
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format(time.RFC3339)
}

// TokenSource supplies access tokens. Implementations must be safe for
// concurrent use. A TokenSource may return the same *Token to many callers;
// callers must not modify it.
type TokenSource interface {
	// Token returns a token valid for use now. It returns early with the
	// context's error when ctx ends.
	Token(ctx context.Context) (*Token, error)
}

// ClaimsTokenSource is a TokenSource that can fetch a token carrying extra
// claims, as a Continuous Access Evaluation challenge demands. claims is the
// JSON claims request, decoded from the challenge's base64.
type ClaimsTokenSource interface {
	TokenSource
	TokenWithClaims(ctx context.Context, claims string) (*Token, error)
}

// Invalidator is implemented by token sources that can drop a token the
// server rejected. Invalidate drops t only if t is still the cached token and
// reports whether it did, so that many concurrent 401s for one token cause a
// single refetch.
type Invalidator interface {
	Invalidate(t *Token) bool
}

// StaticTokenSource returns a TokenSource that always returns the same token,
// for tests and for callers who obtain tokens themselves. The token has no
// known expiry (zero ExpiresOn), so a Cache never refreshes it.
func StaticTokenSource(token string) TokenSource {
	t := &Token{AccessToken: token}
	return staticSource{t: func() *Token { return t }}
}

// staticSource keeps its token behind a function, for the reason clientSecret does: a *Token in a
// field would print whole through a caller's struct that holds the source in an unexported field.
type staticSource struct{ t func() *Token }

func (s staticSource) Token(ctx context.Context) (*Token, error) { return s.t(), nil }

func (s staticSource) String() string             { return "auth.StaticTokenSource(REDACTED)" }
func (s staticSource) GoString() string           { return s.String() }
func (s staticSource) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }
func (s staticSource) LogValue() slog.Value       { return slog.StringValue(s.String()) }

// jwtLifetime reads the validity of an access token without verifying it:
// we are not the token's audience, so we cannot and need not check its
// signature; we only want to know when the issuer says it ends.
//
// When the token carries iat (or, failing that, nbf), the lifetime is exp minus
// that, both on the issuer's clock, so skew between the issuer's clock and
// ours cancels out. With exp alone, the lifetime is measured from the local
// clock's now. ok is false for opaque tokens, encrypted (5-part) tokens, JWTs
// without exp, and JWTs whose times are unusable.
func jwtLifetime(accessToken string, now time.Time) (lifetime time.Duration, relative bool, ok bool) {
	if strings.Count(accessToken, ".") != 2 {
		return 0, false, false // opaque or encrypted (JWE has five parts)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(accessToken, claims); err != nil {
		return 0, false, false
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil || !saneUnix(exp.Time) {
		return 0, false, false
	}
	start, err := claims.GetIssuedAt()
	if err != nil || start == nil || !saneUnix(start.Time) {
		start, err = claims.GetNotBefore()
		if err != nil || start == nil || !saneUnix(start.Time) {
			start = nil
		}
	}
	if start != nil {
		return exp.Sub(start.Time), true, true
	}
	return exp.Sub(now), false, true
}

// saneUnix rejects times that would overflow durations or are plainly bogus.
func saneUnix(t time.Time) bool {
	return t.After(time.Unix(0, 0)) && t.Before(time.Unix(1<<35, 0))
}

// MarshalJSON encodes t with the access token redacted, so that a Token
// inside a value logged as JSON does not leak. Persisting a token is not a
// goal of this type; copy its fields if you must.
func (t Token) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AccessToken string
		ExpiresOn   time.Time
		RefreshOn   time.Time
	}{redactedOrEmpty(t.AccessToken), t.ExpiresOn, t.RefreshOn})
}
