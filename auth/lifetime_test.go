package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTokenLifetimeTooShort: a token whose lifetime is shorter than the least usable is refused with
// an error that says so, from the token endpoint and from any source; it is never handed out
// (issue 16, point 7).
func TestTokenLifetimeTooShort(t *testing.T) {
	for _, body := range []string{
		`{"token_type":"Bearer","access_token":"opaque","expires_in":1e-9}`,
		`{"token_type":"Bearer","access_token":"opaque","expires_in":0.5}`,
	} {
		_, err := parseTokenResponse(http.Header{"Content-Type": {"application/json"}}, []byte(body), time.Now())
		var ae *Error
		if !errors.As(err, &ae) || !errors.Is(err, ErrInvalidResponse) || !strings.Contains(err.Error(), "lifetime") {
			t.Errorf("%s: err = %v, want an *Error about the lifetime", body, err)
		}
	}

	var calls int
	src := &fakeSource{fn: func(ctx context.Context, n int) (*Token, error) {
		calls++
		return &Token{AccessToken: "short", ExpiresOn: time.Now().Add(time.Nanosecond)}, nil
	}}
	c := NewCache(src, &CacheOptions{FailureBackoff: time.Hour, MaxFailureBackoff: time.Hour})
	for range 3 {
		tok, err := c.Token(context.Background())
		if err == nil || !strings.Contains(err.Error(), "lifetime") {
			t.Fatalf("Token = %v, %v; want an error about the lifetime", tok, err)
		}
	}
	if calls != 1 {
		t.Errorf("%d fetches, want 1 (the failure is remembered)", calls)
	}

	// The least usable lifetime itself is accepted.
	_, err := parseTokenResponse(http.Header{"Content-Type": {"application/json"}},
		[]byte(`{"token_type":"Bearer","access_token":"opaque","expires_in":1}`), time.Now())
	if err != nil {
		t.Errorf("1 s token: %v", err)
	}
}
