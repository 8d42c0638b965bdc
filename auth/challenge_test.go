package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// claimsSource is a ClaimsTokenSource that counts its claims fetches and holds each until release
// is closed.
type claimsSource struct {
	plain   atomic.Int32
	claims  atomic.Int32
	release chan struct{}
	fail    bool
}

func (s *claimsSource) Token(context.Context) (*Token, error) {
	return &Token{AccessToken: fmt.Sprint("plain", s.plain.Add(1)), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func (s *claimsSource) TokenWithClaims(ctx context.Context, claims string) (*Token, error) {
	n := s.claims.Add(1)
	<-s.release
	if s.fail {
		return nil, errors.New("claims fetch failed")
	}
	return &Token{AccessToken: fmt.Sprint("claims", n, claims), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// TestTokenForChallengeOneRequest: callers holding one claims challenge, concurrent or late, make one
// token request; a challenge to the token that answered it makes another (issue 16, point 6).
func TestTokenForChallengeOneRequest(t *testing.T) {
	src := &claimsSource{release: make(chan struct{})}
	c := NewCache(src, nil)
	ctx := context.Background()
	rejected, err := c.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const callers = 100
	var wg sync.WaitGroup
	toks := make([]*Token, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks[i], _ = c.TokenForChallenge(ctx, rejected, `{"c":1}`)
		}()
	}
	for src.claims.Load() == 0 { // the fetch has started; the others join it or find its answer
		time.Sleep(time.Millisecond)
	}
	close(src.release)
	wg.Wait()
	for _, tok := range toks {
		if tok == nil || tok != toks[0] {
			t.Fatalf("callers got different tokens: %v, %v", tok, toks[0])
		}
	}
	// A late caller holding the same challenge to the old token: answered already.
	if tok, err := c.TokenForChallenge(ctx, rejected, `{"c":1}`); err != nil || tok != toks[0] {
		t.Errorf("late caller: %v, %v", tok, err)
	}
	if n := src.claims.Load(); n != 1 {
		t.Errorf("%d claims fetches, want 1", n)
	}
	if cur, _ := c.Token(ctx); cur != toks[0] {
		t.Error("the answer is not the cached token")
	}
	// The answer itself challenged with the same claims: a new fetch.
	if tok, err := c.TokenForChallenge(ctx, toks[0], `{"c":1}`); err != nil || tok == toks[0] {
		t.Errorf("challenge to the answer: %v, %v", tok, err)
	}
	if n := src.claims.Load(); n != 2 {
		t.Errorf("%d claims fetches, want 2", n)
	}
	if src.plain.Load() != 1 {
		t.Errorf("%d plain fetches, want 1", src.plain.Load())
	}
}

// TestTokenForChallengeFailureRemembered: a failing claims fetch is not repeated by every caller that
// arrives within the failure memo window.
func TestTokenForChallengeFailureRemembered(t *testing.T) {
	src := &claimsSource{release: make(chan struct{}), fail: true}
	close(src.release)
	c := NewCache(src, &CacheOptions{FailureBackoff: time.Hour, MaxFailureBackoff: time.Hour})
	for range 10 {
		if _, err := c.TokenForChallenge(context.Background(), nil, `{"c":1}`); err == nil {
			t.Fatal("no error")
		}
	}
	if n := src.claims.Load(); n != 1 {
		t.Errorf("%d claims fetches, want 1", n)
	}
}
