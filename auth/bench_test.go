package auth

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func freshCache(b *testing.B) *Cache {
	src := &fakeSource{fn: func(context.Context, int) (*Token, error) {
		return &Token{AccessToken: "bench-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
	}}
	c := NewCache(src, nil)
	if _, err := c.Token(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkCacheToken: a fresh token from the cache. Goal: <= 50 ns/op, 0 allocs/op.
func BenchmarkCacheToken(b *testing.B) {
	c := freshCache(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCacheTokenParallel(b *testing.B) {
	c := freshCache(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEditorEdit: the whole editor on a request with a fresh token.
// Goal: <= 1 alloc/op (the header's value slice).
func BenchmarkEditorEdit(b *testing.B) {
	ed, err := NewEditor(freshCache(b), "https://graph.microsoft.com")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req, _ := http.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/users", nil)
	b.ReportAllocs()
	for b.Loop() {
		if err := ed.Edit(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEditorEditParallel(b *testing.B) {
	ed, err := NewEditor(freshCache(b), "https://graph.microsoft.com")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/users", nil)
		for pb.Next() {
			if err := ed.Edit(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
