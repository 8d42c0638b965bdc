package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Sentinels that must never show up in errors, logs or formatted values.
const (
	sentinelSecret = "SENTINEL-SECRET-7f3a9c"
	sentinelToken  = "SENTINEL-ACCESS-TOKEN-51be0d"
)

// fakeClock is a Clock whose time moves only when the test says so. After
// registers a timer that fires when Advance passes its deadline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	added  chan time.Duration // receives each After duration, if non-nil
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), added: make(chan time.Duration, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
	} else {
		c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	}
	c.mu.Unlock()
	select {
	case c.added <- d:
	default:
	}
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
}

// waitTimer waits until some goroutine calls After and returns its duration. It has no deadline of
// its own: a timer that is never started hangs the test until go test's -timeout, which reports
// every goroutine's stack, where a deadline of ours would trip on a slow machine.
func (c *fakeClock) waitTimer(t *testing.T) time.Duration {
	t.Helper()
	return <-c.added
}

// tokenServer is a token endpoint run by a test: handle answers request n
// (1-based). It counts requests and keeps the last form it received.
type tokenServer struct {
	*httptest.Server
	n        atomic.Int32
	mu       sync.Mutex
	lastForm map[string][]string
	lastPath string
}

func newTokenServer(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, n int)) *tokenServer {
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(ts.n.Add(1))
		_ = r.ParseForm()
		ts.mu.Lock()
		ts.lastForm, ts.lastPath = r.PostForm, r.URL.Path
		ts.mu.Unlock()
		handle(w, r, n)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) requests() int { return int(ts.n.Load()) }

func (ts *tokenServer) form() map[string][]string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.lastForm
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func okToken(w http.ResponseWriter, token string, expiresIn any) {
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "access_token": token, "expires_in": expiresIn, "ext_expires_in": expiresIn})
}

func aadError(w http.ResponseWriter, status int, code string, aadsts int) {
	writeJSON(w, status, map[string]any{
		"error":             code,
		"error_description": fmt.Sprintf("AADSTS%d: Something went wrong.\r\nTrace ID: trace-1\r\nCorrelation ID: corr-1\r\nTimestamp: 2026-01-01 00:00:00Z", aadsts),
		"error_codes":       []int{aadsts},
		"timestamp":         "2026-01-01 00:00:00Z",
		"trace_id":          "trace-1",
		"correlation_id":    "corr-1",
		"error_uri":         "https://login.example/error?code=" + fmt.Sprint(aadsts),
	})
}

// newTestFetcher returns a ClientCredentials with the sentinel secret against ts.
func newTestFetcher(t testing.TB, ts *tokenServer, clk Clock, mutate func(*Config)) *ClientCredentials {
	t.Helper()
	cfg := Config{
		TenantID:      "tenant-1",
		ClientID:      "client-1",
		Credential:    NewClientSecret(sentinelSecret),
		AuthorityHost: ts.URL,
		Scope:         "https://graph.microsoft.com/.default",
		Clock:         clk,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	cc, err := NewClientCredentials(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cc
}

// makeJWT returns a signed (HS256, irrelevant to us) JWT with claims.
func makeJWT(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("test-key"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// logCapture is a slog logger writing everything, at every level, to a buffer.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logCapture) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func sortedDurations(ds []time.Duration) []time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds
}
