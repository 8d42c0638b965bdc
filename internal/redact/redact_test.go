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
		{"secret re-formed by its own replacement", "0000" + "0000REDA", 0, []string{"0000REDA"}, "REDACTEDCTED"},
		{"overlapping occurrences", "abababab-x", 0, []string{"abab-x"}, "ababREDACTED"},
		{"secret re-formed by a token's replacement", "k=abc eyJ0eXAiOiJKV1Qi", 0, []string{"abc REDACTED"}, "k=REDACTED"},
		{"secret that is part of the marker", "REDACTED", 0, []string{"REDACTED"}, "REDACTED"},
		{"cut marker completes a secret", "ab.c..d.zzzzzzzz", 8, []string{"ab.c..."}, "ab...."},
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
	f.Add("00000000REDA\xff\xff0000", "0000REDA", 0) // CI's finding: a replacement re-formed the secret
	f.Add("abcdefg.hijkl", "abcdefg...", 10)
	f.Fuzz(func(t *testing.T, s, secret string, limit int) {
		if norm := strip(secret, true); norm == "" || strings.Contains(Redacted, norm) || strings.Contains("...", norm) {
			return // the markers themselves cannot be hidden
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
		if utf8.ValidString(secret) && strings.Contains(got, secret) || strings.Contains(got, strip(secret, true)) {
			t.Fatalf("secret survives: %q", got)
		}
	})
}
