package graph

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func FuzzParseError(f *testing.F) {
	for _, seed := range []string{
		`{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist.","innerError":{"date":"2021-07-02T01:40:19","request-id":"r","client-request-id":"c"}}}`,
		`{"error":{"code":"x","message":"y","details":[{"code":"a","message":"b","target":"t"}],"innerError":{"date":"2021-07-02T01:40:19Z"}}}`,
		`{"error":{"code":"","message":null}}`,
		`{"error":"invalid_client"}`,
		`<html><body>502</body></html>`,
		``, `{`, `null`, `[]`, `{"error":{"innerError":{"date":12}}}`,
	} {
		f.Add(503, seed, "2")
	}
	f.Fuzz(func(t *testing.T, status int, body, retryAfter string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		e := parseError(status, h, []byte(body))
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter {
			t.Fatalf("RetryAfter %v out of bounds", e.RetryAfter)
		}
		if strings.ContainsAny(firstLine(e.Message), "\r\n") {
			t.Fatal("first line has a line break")
		}
		_ = e.Error()
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []string{"2", "2.128", "0", "-1", "NaN", "Inf", "1e309", "999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", " 3 ", ""} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d := parseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v, out of [0, %v]", v, d, maxRetryAfter)
		}
	})
}

func FuzzClaimsChallenge(f *testing.F) {
	for _, seed := range []string{
		`Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="`,
		`Bearer error="invalid_token"`, `Basic realm="x"`, `Bearer claims="\"`, `Bearer a=b, c="d\"e", error=insufficient_claims, claims=abc`, `Bearer`, ``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("WWW-Authenticate", v)
		claims, ok := claimsChallenge(h)
		if ok && claims == "" {
			t.Fatal("challenge without claims")
		}
		_, _ = decodeClaims(claims)
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"2", 2 * time.Second},
		{"2.128", 2128 * time.Millisecond},
		{" 7 ", 7 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"NaN", 0},
		{"soon", 0},
		{"", 0},
		{"86400", maxRetryAfter},
		{"1e309", 0},
		{"Inf", 0},
		{"99999999999999999999999999999999999999999999999999", maxRetryAfter},
		{"1.", 0},
		{"Thu, 26 Nov 2026 00:00:30 GMT", 30 * time.Second},
		{"Wed, 25 Nov 2026 00:00:30 GMT", 0},
		{"Fri, 27 Nov 2026 00:00:00 GMT", maxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
