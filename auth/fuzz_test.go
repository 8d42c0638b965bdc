package auth

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var fuzzNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func FuzzParseTokenResponse(f *testing.F) {
	jwtTok := makeJWT(f, jwt.MapClaims{"iat": fuzzNow.Unix(), "exp": fuzzNow.Add(time.Hour).Unix()})
	for _, seed := range []string{
		`{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"abc"}`,
		`{"token_type":"Bearer","expires_in":"3599","ext_expires_in":"3599","refresh_in":"1800","access_token":"abc"}`,
		`{"token_type":"Bearer","access_token":"` + jwtTok + `"}`,
		`{"token_type":"Bearer","expires_in":600,"access_token":"a.b.c.d.e"}`,
		`{"access_token":"abc","expires_in":-1}`,
		`{"access_token":"abc","expires_in":"NaN"}`,
		`{"access_token":"abc","expires_in":1e308}`,
		`{"access_token":"x.eyJleHAiOjF9.y","expires_in":5}`,
		`{"token_type":"pop","access_token":"abc","expires_in":1}`,
		`{}`, `[]`, `null`, ``, `{"access_token":`,
	} {
		f.Add([]byte(seed), "application/json")
	}
	f.Add([]byte(`<html></html>`), "text/html")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		h := http.Header{"Content-Type": {contentType}}
		tok, err := parseTokenResponse(h, body, fuzzNow)
		if err != nil {
			var ae *Error
			if tok != nil || !errors.As(err, &ae) || !errors.Is(err, ErrInvalidResponse) {
				t.Fatalf("got %v, %v: want a typed invalid-response error", tok, err)
			}
			if msg := err.Error(); len(msg) > 200 || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("error message too long or multi-line: %q", msg)
			}
			return
		}
		if tok.AccessToken == "" {
			t.Fatal("token without access token")
		}
		if !tok.ExpiresOn.After(fuzzNow) || tok.ExpiresOn.Sub(fuzzNow) > maxLifetime {
			t.Fatalf("ExpiresOn %v out of range", tok.ExpiresOn)
		}
		if !tok.RefreshOn.After(fuzzNow) || tok.RefreshOn.After(tok.ExpiresOn) {
			t.Fatalf("RefreshOn %v not in (now, ExpiresOn %v]", tok.RefreshOn, tok.ExpiresOn)
		}
	})
}

func FuzzParseErrorResponse(f *testing.F) {
	f.Add(401, []byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret.\r\nTrace ID: x","error_codes":[7000215],"timestamp":"2026-01-01 00:00:00Z","trace_id":"t","correlation_id":"c","error_uri":"https://login.microsoftonline.com/error?code=7000215"}`), "")
	f.Add(429, []byte(`{"error":"temporarily_unavailable"}`), "2.128")
	f.Add(503, []byte(`<html>busy</html>`), "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(400, []byte(`{"error":5,"error_codes":"x"}`), "-1")
	f.Add(400, []byte(`{"error":"a\nb","trace_id":"\u001b[31m"}`), "1e400")
	f.Add(0, []byte{}, "")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		e := parseErrorResponse(status, http.Header{"Retry-After": {retryAfter}}, body, fuzzNow)
		if e == nil || e.StatusCode != status {
			t.Fatalf("got %#v", e)
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter {
			t.Fatalf("RetryAfter %v out of range", e.RetryAfter)
		}
		msg := e.Error()
		if strings.ContainsAny(msg, "\r\n\x1b") {
			t.Fatalf("Error() has line breaks or control characters: %q", msg)
		}
		if len(msg) > 2000 {
			t.Fatalf("Error() is %d bytes", len(msg))
		}
	})
}

func FuzzJWTLifetime(f *testing.F) {
	f.Add(makeJWT(f, jwt.MapClaims{"iat": fuzzNow.Unix(), "exp": fuzzNow.Add(time.Hour).Unix()}))
	f.Add(makeJWT(f, jwt.MapClaims{"exp": fuzzNow.Add(time.Hour).Unix()}))
	f.Add(makeJWT(f, jwt.MapClaims{"nbf": 1e300, "exp": -1e300}))
	f.Add(makeJWT(f, jwt.MapClaims{"exp": "soon"}))
	f.Add("a.b.c.d.e")
	f.Add("opaque")
	f.Add("..")
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOjk5OTk5OTk5OTk5OX0.")
	f.Fuzz(func(t *testing.T, tok string) {
		life, _, ok := jwtLifetime(tok, fuzzNow)
		if !ok && life != 0 {
			t.Fatalf("not ok but lifetime %v", life)
		}
		if ok && strings.Count(tok, ".") != 2 {
			t.Fatal("accepted a token that is not a three-part JWT")
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"2", "2.128", "0", "-1", "NaN", "Inf", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 02 Jan 2026 03:05:00 GMT", "soon", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if d := parseRetryAfter(v, fuzzNow); d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v", v, d)
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"2", 2 * time.Second},
		{"2.128", 2128 * time.Millisecond},
		{"", 0},
		{"-3", 0},
		{"garbage", 0},
		{"NaN", 0},
		{"100000", maxRetryAfter},
		{"Fri, 02 Jan 2026 03:05:05 GMT", time.Minute},
		{"Fri, 02 Jan 2026 03:00:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, fuzzNow); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
