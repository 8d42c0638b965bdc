// Package redact makes text that came from outside the program (a server's error fields, a
// configuration value) safe to put in an error message or a log line. It is the one place where
// typedgraph decides what such text may contain: graph.Error, auth.Error and the transport's log
// lines all go through it.
package redact

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"
)

// Redacted replaces a secret, a token or an assertion.
const Redacted = "REDACTED"

// Text returns s fit to show: every occurrence of a secret, and anything that reads as a bearer
// token or a JWT, is replaced by Redacted; control characters (C0 other than tab and line breaks,
// DEL, C1) and the bidirectional overrides that reorder a terminal line are removed; invalid UTF-8
// becomes U+FFFD; and the result is at most limit bytes (cut at a character boundary and marked with
// "..."). A limit of 0 or less means no limit.
//
// The order matters: control characters go first, so a secret echoed with one inserted is still
// found; secrets go before the cut, so a secret cut at the limit cannot leave its start behind; and
// neither a Redacted nor the cut's "..." can join the text beside it into a secret (see hide and
// cut).
func Text(s string, limit int, secrets ...string) string {
	return text(s, false, limit, secrets)
}

// Line is Text for a single-line field: tabs and line breaks become spaces too.
func Line(s string, limit int, secrets ...string) string {
	return text(s, true, limit, secrets)
}

// text is Text, and Line when oneLine is set.
func text(s string, oneLine bool, limit int, secrets []string) string {
	s = strip(s, oneLine)
	// A secret is looked for as it would read after strip: an echo of one that holds a control
	// character or invalid UTF-8 has been changed the same way, and a match is then whole characters,
	// so replacing it cannot leave half a character behind. Secrets are copied only when one changes.
	for i, sec := range secrets {
		if norm := strip(sec, oneLine); norm != sec {
			secrets = slices.Clone(secrets)
			for j := i; j < len(secrets); j++ {
				secrets[j] = strip(secrets[j], oneLine)
			}
			break
		}
	}
	s = hide(s, secrets) // first, so that the token pass cannot split a secret and show part of it
	s = tokens(s)
	s = hide(s, secrets) // again, for a secret that a token's Redacted completes
	return cut(s, limit, secrets)
}

// hide replaces every occurrence of each secret with Redacted, until none is left. One pass is not
// enough: with the secret "0000REDA", "0000" + "0000REDA" becomes "0000" + Redacted, which holds it.
// Each further pass merges at least one byte outside the earlier replacements into a Redacted, so it
// ends. A secret that is part of Redacted itself ("REDACTED", "ACT") cannot be hidden by it and is
// left alone; so is the empty string.
func hide(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec == "" || strings.Contains(Redacted, sec) {
			continue
		}
		for strings.Contains(s, sec) {
			s = hideOnce(s, sec)
		}
	}
	return s
}

// hideOnce replaces each run of bytes covered by some occurrence of sec, overlapping ones included,
// with a single Redacted.
func hideOnce(s, sec string) string {
	var b strings.Builder
	b.Grow(len(s))
	start, end := -1, -1 // the covered run being built: s[start:end]
	for i := 0; ; {
		j := strings.Index(s[i:], sec)
		if j < 0 {
			break
		}
		at := i + j
		switch {
		case start < 0:
			b.WriteString(s[:at])
			start, end = at, at+len(sec)
		case at <= end: // overlaps or touches the run
			end = max(end, at+len(sec))
		default:
			b.WriteString(Redacted)
			b.WriteString(s[end:at])
			start, end = at, at+len(sec)
		}
		i = at + 1
	}
	if start < 0 {
		return s
	}
	b.WriteString(Redacted)
	b.WriteString(s[end:])
	return b.String()
}

// strip removes control and bidi-override characters and replaces invalid UTF-8. With oneLine,
// tab, CR and LF become spaces; otherwise they stay.
func strip(s string, oneLine bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s // the common case: printable ASCII, no allocation
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t' || r == '\n' || r == '\r':
			if oneLine {
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		case r < 0x20 || r >= 0x7f && r <= 0x9f, isBidiControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isBidiControl reports the embedding, override and isolate controls, which can make a terminal
// show text in another order than it has (U+202A-U+202E, U+2066-U+2069).
func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// tokens replaces what reads as a credential even when it is not a secret this process knows:
// a JWT or JWS/JWE (base64url of a JSON object, which starts "eyJ") and a token-like word of at
// least minBearer characters after "Bearer ".
func tokens(s string) string {
	if !strings.Contains(s, "eyJ") && !containsFold(s, "bearer ") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "eyJ") && (i == 0 || !isTokenByte(s[i-1])):
			j := i
			for j < len(s) && isTokenByte(s[j]) {
				j++
			}
			if j-i >= 10 {
				b.WriteString(Redacted)
				i = j
				continue
			}
		case i+7 <= len(s) && strings.EqualFold(s[i:i+7], "bearer "):
			j := i + 7
			for j < len(s) && s[j] == ' ' {
				j++
			}
			k := j
			for k < len(s) && isTokenByte(s[k]) {
				k++
			}
			if k-j >= minBearer && s[j:k] != Redacted { // "Bearer token is invalid" keeps its words
				b.WriteString(s[i:j])
				b.WriteString(Redacted)
				i = k
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// minBearer is the shortest word after "Bearer " taken for a token: real ones are far longer, and
// prose ("Bearer token expired") is not redacted.
const minBearer = 16

// isTokenByte reports the bytes of base64, base64url and a JWT's dots: what a token is made of.
func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '+' || c == '/' || c == '=' || c == '~'
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// cut bounds s to limit bytes at a character boundary, marking a cut with "...". s holds none of
// secrets; if the marker would complete one with the text before it (a secret ending in "."), the
// cut moves back a character at a time until it does not.
func cut(s string, limit int, secrets []string) string {
	if limit <= 0 || len(s) <= limit {
		return s
	}
	i := max(limit-3, 0)
	for {
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		out := s[:i] + "..."
		if i == 0 || !containsAny(out, secrets) {
			return out
		}
		i--
	}
}

// containsAny reports whether s holds one of the non-empty secrets.
func containsAny(s string, secrets []string) bool {
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// Secret returns the credential an Authorization header value carries (the token after "Bearer "),
// or the whole value for another scheme; "" when v is empty. Callers pass it to Text and Line, so
// that a server echoing the header back cannot put the token into an error.
func Secret(authorization string) string {
	if len(authorization) > 7 && strings.EqualFold(authorization[:7], "bearer ") {
		return strings.TrimSpace(authorization[7:])
	}
	return strings.TrimSpace(authorization)
}

// FileError describes the failure to read the file a setting names, without repeating the setting's
// value: a secret or a PEM certificate and key put where a path belongs would otherwise be echoed in
// the error (os.Open's error holds the name it was given). It keeps the operation and the reason
// ("open: no such file or directory") and says so when the value is plainly not a path.
func FileError(value string, err error) string {
	switch {
	case strings.Contains(value, "-----BEGIN"):
		return "the value is PEM data, not the path of a file"
	case strings.ContainsAny(value, "\r\n") || len(value) > 4096:
		return "the value is not a file path"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return Line(err.Error(), 512) // not a *fs.PathError: the file was opened, so value is a path
}
