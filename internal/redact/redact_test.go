package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl"

func TestText(t *testing.T) {
	tests := []struct {
		name, in string
		limit    int
		secrets  []string
		want     string
	}{
		{"plain", "Resource 'x' does not exist.", 0, nil, "Resource 'x' does not exist."},
		{"secret", "bad token abc123secret here", 0, []string{"abc123secret"}, "bad token REDACTED here"},
		{"secret split by a control character", "abc\x00123secret", 0, []string{"abc123secret"}, "REDACTED"},
		{"secret cut at the limit", "xxxx abc123secret", 12, []string{"abc123secret"}, "xxxx REDA..."},
		{"JWT", "token " + jwt + " rejected", 0, nil, "token REDACTED rejected"},
		{"start of a JWT", "echo: eyJ0eXAiOiJKV1Qi", 0, nil, "echo: REDACTED"},
		{"bearer", "Authorization: Bearer opaque-token.123 was sent", 0, nil, "Authorization: Bearer REDACTED was sent"},
		{"BEARER", "BEARER  opaque-0123456789abcdef", 0, nil, "BEARER  REDACTED"},
		{"bearer in prose", "Bearer token expired", 0, nil, "Bearer token expired"},
		{"escape sequences", "a\x1b[31mred\x1b]0;title\x07b", 0, nil, "a[31mred]0;titleb"},
		{"C1 CSI", "a\u009b31mb", 0, nil, "a31mb"},
		{"bidi override", "abc\u202edcba", 0, nil, "abcdcba"},
		{"invalid UTF-8", "a\xffb", 0, nil, "a\uFFFDb"},
		{"line breaks kept", "one\r\ntwo\tthree", 0, nil, "one\r\ntwo\tthree"},
		{"cut at a rune boundary", "ééééé", 6, nil, "é..."},
		{"word starting eyJ too short to be a token", "eyJx", 0, nil, "eyJx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in, tt.limit, tt.secrets...); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	if got := Line("a\r\nb\tc\x1bd", 0); got != "a  b cd" {
		t.Errorf("Line = %q", got)
	}
}

func TestSecret(t *testing.T) {
	for in, want := range map[string]string{"Bearer abc": "abc", "bearer  abc ": "abc", "Basic xyz": "Basic xyz", "": ""} {
		if got := Secret(in); got != want {
			t.Errorf("Secret(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzText checks what every caller relies on: the result is valid UTF-8 without control
// characters, within the limit, and never holds the secret.
func FuzzText(f *testing.F) {
	f.Add("hello", "s3cr3t-value", 20)
	f.Add("x s3cr3t-value\x1b[2J", "s3cr3t-value", 8)
	f.Add("Bearer "+jwt, "zzzzzzzz", 0)
	f.Fuzz(func(t *testing.T, s, secret string, limit int) {
		if len(secret) < 8 || strings.ContainsFunc(secret, func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
			return // secrets are printable and long; a short one can be re-formed around REDACTED
		}
		limit %= 1 << 12
		got := Line(s, limit, secret)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f }) {
			t.Fatalf("control character: %q", got)
		}
		if limit > 3 && len(got) > limit {
			t.Fatalf("len %d > limit %d", len(got), limit)
		}
		if strings.Contains(got, secret) {
			t.Fatalf("secret survives: %q", got)
		}
	})
}
