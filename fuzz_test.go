package graph

import (
	"context"
	"net/http"
	"slices"
	"strconv"
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

func FuzzParseBatchResponse(f *testing.F) {
	for _, seed := range []string{
		`{"responses":[{"id":"1","status":200,"headers":{"Content-Type":"application/json"},"body":{"id":"u1"}}]}`,
		`{"responses":[{"id":"2","status":429,"headers":{"Retry-After":"3"},"body":{"error":{"code":"TooManyRequests","message":"m"}}},{"id":"1","status":424}]}`,
		`{"responses":[{"id":"1","status":200,"headers":{"Content-Type":"text/plain"},"body":"NDI="}]}`,
		`{"responses":[{"id":"1","status":200,"headers":{"Content-Type":"text/plain"},"body":"not base64!"}]}`,
		`{"responses":[{"id":"","status":200}]}`, `{"responses":[{"id":"1","status":99}]}`, `{"responses":null}`,
		`{"responses":[{"id":"1","status":204,"headers":null,"body":null}]}`, `{}`, `[]`, ``, `{"responses":[1]}`,
	} {
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, data string, chained bool) {
		responses, err := parseBatchResponse([]byte(data))
		if err != nil {
			return
		}
		for i := range responses {
			r := &responses[i]
			if r.ID == "" || r.Status < 100 || r.Status > 599 {
				t.Fatalf("accepted entry %+v", r)
			}
			h := r.header()
			_ = parseError(r.Status, h, r.body(h)).Error()
		}
		// Settling the answer against three requests never panics and leaves each request either
		// final or to be sent again.
		p := &batchPlan{c: &Client{doer: &doer{}}, items: make([]batchItem, 3)}
		for i := range p.items {
			id := strconv.Itoa(i + 1)
			p.items[i] = batchItem{wire: wireRequest{ID: id, Method: "GET", URL: "/users/" + id}, next: -1, resp: BatchResponse{ID: id, Attempts: 1}}
		}
		if chained {
			p.items[0].next, p.items[1].next = 1, 2
		}
		again := p.settle(context.Background(), outcome{items: []int{0, 1, 2}, responses: responses}, RetryPolicy{}.withDefaults(), 0)
		for i := range p.items {
			if !p.items[i].done && !slices.Contains(again, i) && !(chained && len(again) == 1 && i > again[0]) {
				t.Fatalf("item %d neither final nor sent again (again %v)", i, again)
			}
			if p.items[i].done && p.items[i].resp.Err == nil && (p.items[i].resp.StatusCode < 200 || p.items[i].resp.StatusCode > 299) {
				t.Fatalf("item %d final with status %d and no error", i, p.items[i].resp.StatusCode)
			}
		}
	})
}
