package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestEditorAttachesOnlyToGraphHost(t *testing.T) {
	tests := []struct {
		endpoint string
		url      string
		attach   bool
	}{
		{"https://graph.microsoft.com", "https://graph.microsoft.com/v1.0/users", true},
		{"https://graph.microsoft.com/", "https://GRAPH.microsoft.com:443/v1.0/me", true},
		{"https://graph.microsoft.com", "http://graph.microsoft.com/v1.0/users", false},
		{"https://graph.microsoft.com", "https://graph.microsoft.com.evil.example/v1.0/users", false},
		{"https://graph.microsoft.com", "https://evil.example/graph.microsoft.com", false},
		{"https://graph.microsoft.com", "https://graph.microsoft.com:8443/v1.0/users", false},
		{"https://graph.microsoft.us", "https://graph.microsoft.com/v1.0/users", false},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/v1.0/users", true},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8081/v1.0/users", false},
		{"http://localhost:8080", "http://localhost:8080/x", true},
		{"http://[::1]:8080", "http://[::1]:8080/x", true},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint+" "+tt.url, func(t *testing.T) {
			ed, err := NewEditor(StaticTokenSource("tok"), tt.endpoint)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, tt.url, nil)
			if err := ed.Edit(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			got := req.Header.Get("Authorization")
			if tt.attach && got != "Bearer tok" || !tt.attach && got != "" {
				t.Errorf("Authorization = %q, attach=%v", got, tt.attach)
			}
		})
	}
}

func TestNewEditorRejectsUnsafeEndpoints(t *testing.T) {
	for _, ep := range []string{
		"", "graph.microsoft.com", "http://graph.microsoft.com", "ftp://graph.microsoft.com",
		"https://graph.microsoft.com/v1.0", "https://user:pw@graph.microsoft.com", "http://10.0.0.1",
		"https://graph.microsoft.com?x=1",
	} {
		if _, err := NewEditor(StaticTokenSource("t"), ep); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewEditor(%q) err = %v", ep, err)
		}
	}
	if _, err := NewEditor(nil, "https://graph.microsoft.com"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("nil source: %v", err)
	}
}

func TestEditorReturnsSourceError(t *testing.T) {
	want := &Error{StatusCode: 401, Code: "invalid_client"}
	src := &fakeSource{fn: func(context.Context, int) (*Token, error) { return nil, want }}
	ed, _ := NewEditor(src, "https://graph.microsoft.com")
	req := httptest.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/users", nil)
	if err := ed.Edit(context.Background(), req); !errors.Is(err, want) {
		t.Fatalf("err = %v", err)
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("header set despite error")
	}
}

// TestEditor401CompareAndDrop: many requests rejected with the same token
// drop it once; the next Edit attaches a new token; a request that carried
// an older token drops nothing.
func TestEditor401CompareAndDrop(t *testing.T) {
	var n atomic.Int32
	src := &fakeSource{fn: func(context.Context, int) (*Token, error) {
		return &Token{AccessToken: "t" + string(rune('0'+n.Add(1))), ExpiresOn: time.Now().Add(time.Hour)}, nil
	}}
	cache := NewCache(src, nil)
	ed, _ := NewEditor(cache, "https://graph.microsoft.com")
	newReq := func() *http.Request {
		req := httptest.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/users", nil)
		if err := ed.Edit(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		return req
	}
	reqs := []*http.Request{newReq(), newReq(), newReq()}
	tok, ok := ed.TokenOf(reqs[0])
	if !ok || tok.AccessToken != "t1" {
		t.Fatalf("TokenOf = %v, %v", tok, ok)
	}
	drops := 0
	for _, r := range reqs {
		if ed.InvalidateRequest(r) {
			drops++
		}
	}
	if drops != 1 {
		t.Errorf("drops = %d, want 1", drops)
	}
	fresh := newReq()
	if got := fresh.Header.Get("Authorization"); got != "Bearer t2" {
		t.Errorf("after 401 got %q, want Bearer t2", got)
	}
	if ed.InvalidateRequest(reqs[0]) {
		t.Error("stale token dropped the new one")
	}
	if src.calls() != 2 {
		t.Errorf("fetches = %d, want 2", src.calls())
	}
	// A token source without Invalidate: nothing to drop.
	static, _ := NewEditor(StaticTokenSource("s"), "https://graph.microsoft.com")
	if static.Invalidate(&Token{}) {
		t.Error("static source invalidated")
	}
}
