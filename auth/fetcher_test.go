package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestClientCredentialsRequestShape(t *testing.T) {
	var gotMethod, gotCT, gotReqID string
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		gotMethod, gotCT, gotReqID = r.Method, r.Header.Get("Content-Type"), r.Header.Get("client-request-id")
		okToken(w, "tok", 3599)
	})
	cc := newTestFetcher(t, ts, nil, nil)
	if _, err := cc.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if gotMethod != http.MethodPost || gotCT != "application/x-www-form-urlencoded" || gotReqID == "" {
		t.Errorf("method %q content type %q client-request-id %q", gotMethod, gotCT, gotReqID)
	}
	if ts.lastPath != "/tenant-1/oauth2/v2.0/token" {
		t.Errorf("path = %q", ts.lastPath)
	}
	want := map[string]string{
		"grant_type":    "client_credentials",
		"client_id":     "client-1",
		"scope":         "https://graph.microsoft.com/.default",
		"client_secret": sentinelSecret,
	}
	form := ts.form()
	for k, v := range want {
		if got := form[k]; len(got) != 1 || got[0] != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	if _, ok := form["claims"]; ok {
		t.Error("claims sent without a challenge")
	}
	if _, err := cc.TokenWithClaims(context.Background(), `{"access_token":{"nbf":{"essential":true}}}`); err != nil {
		t.Fatal(err)
	}
	if got := ts.form()["claims"]; len(got) != 1 || !strings.Contains(got[0], "essential") {
		t.Errorf("claims = %q", got)
	}
}

// TestTokenExpiry covers expires_in as a number and a string, opaque and
// JWT tokens with and without exp, and exp lowering expiry.
func TestTokenExpiry(t *testing.T) {
	clk := newFakeClock()
	now := clk.Now()
	srvNow := now // the server's clock agrees here; skew has its own test
	tests := []struct {
		name      string
		token     string
		expiresIn any // nil: field omitted
		refreshIn any
		want      time.Duration
		wantErr   bool
	}{
		{name: "number", token: "opaque", expiresIn: 3599, want: 3599 * time.Second},
		{name: "string", token: "opaque", expiresIn: "3599", want: 3599 * time.Second},
		{name: "fraction", token: "opaque", expiresIn: 1.5, want: 1500 * time.Millisecond},
		{name: "opaque without expires_in", token: "opaque", wantErr: true},
		{name: "encrypted 5-part", token: "a.b.c.d.e", expiresIn: 600, want: 600 * time.Second},
		{name: "dots but not a JWT", token: "x.y.z", expiresIn: 600, want: 600 * time.Second},
		{name: "JWT without exp", token: makeJWT(t, jwt.MapClaims{"iat": srvNow.Unix()}), expiresIn: 3599, want: 3599 * time.Second},
		{name: "JWT exp earlier wins", token: makeJWT(t, jwt.MapClaims{"iat": srvNow.Unix(), "exp": srvNow.Add(20 * time.Minute).Unix()}), expiresIn: 3599, want: 20 * time.Minute},
		{name: "JWT exp later ignored", token: makeJWT(t, jwt.MapClaims{"iat": srvNow.Unix(), "exp": srvNow.Add(2 * time.Hour).Unix()}), expiresIn: 3599, want: 3599 * time.Second},
		{name: "JWT exp stands in", token: makeJWT(t, jwt.MapClaims{"iat": srvNow.Unix(), "exp": srvNow.Add(30 * time.Minute).Unix()}), want: 30 * time.Minute},
		{name: "JWT bare exp stands in", token: makeJWT(t, jwt.MapClaims{"exp": srvNow.Add(30 * time.Minute).Unix()}), want: 30 * time.Minute},
		{name: "JWT exp before iat", token: makeJWT(t, jwt.MapClaims{"iat": srvNow.Unix(), "exp": srvNow.Add(-time.Minute).Unix()}), expiresIn: 3599, wantErr: true},
		{name: "zero", token: "opaque", expiresIn: 0, wantErr: true},
		{name: "negative", token: "opaque", expiresIn: -5, wantErr: true},
		{name: "not a number", token: "opaque", expiresIn: "soon", wantErr: true},
		{name: "object", token: "opaque", expiresIn: map[string]int{"s": 1}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				body := map[string]any{"token_type": "Bearer", "access_token": tt.token}
				if tt.expiresIn != nil {
					body["expires_in"] = tt.expiresIn
				}
				writeJSON(w, http.StatusOK, body)
			})
			tok, err := newTestFetcher(t, ts, clk, nil).Token(context.Background())
			if tt.wantErr {
				var ae *Error
				if !errors.As(err, &ae) || !errors.Is(err, ErrInvalidResponse) {
					t.Fatalf("err = %v, want *Error wrapping ErrInvalidResponse", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.ExpiresOn.Sub(now); got != tt.want {
				t.Errorf("lifetime = %v, want %v", got, tt.want)
			}
			if tok.AccessToken != tt.token {
				t.Errorf("access token changed")
			}
			if !tok.RefreshOn.After(now) || tok.RefreshOn.After(tok.ExpiresOn) {
				t.Errorf("RefreshOn %v not within (now, ExpiresOn %v]", tok.RefreshOn, tok.ExpiresOn)
			}
		})
	}
}

func TestRefreshOn(t *testing.T) {
	clk := newFakeClock()
	now := clk.Now()
	tests := []struct {
		name      string
		expiresIn int
		refreshIn any
		want      time.Duration
	}{
		{"refresh_in honoured", 86399, 43199, 43199 * time.Second},
		{"refresh_in as string", 86399, "43199", 43199 * time.Second},
		{"default 5 minutes before", 3600, nil, 55 * time.Minute},
		{"short token: half", 2, nil, time.Second},
		{"refresh_in beyond life ignored", 600, 900, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				body := map[string]any{"token_type": "Bearer", "access_token": "t", "expires_in": tt.expiresIn}
				if tt.refreshIn != nil {
					body["refresh_in"] = tt.refreshIn
				}
				writeJSON(w, http.StatusOK, body)
			})
			tok, err := newTestFetcher(t, ts, clk, nil).Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.RefreshOn.Sub(now); got != tt.want {
				t.Errorf("refresh after %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRetry503Then200 is "503, 503, 200: 3 requests, then success", with
// the backoff waits made on the fake clock.
func TestRetry503Then200(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n <= 2 {
			aadError(w, http.StatusServiceUnavailable, "temporarily_unavailable", 50000)
			return
		}
		okToken(w, "third-time", 3599)
	})
	cc := newTestFetcher(t, ts, clk, nil)
	type result struct {
		tok *Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := cc.Token(context.Background())
		done <- result{tok, err}
	}()
	for i := 0; i < 2; i++ {
		d := clk.waitTimer(t)
		if d <= 0 || d > 8*time.Second {
			t.Errorf("backoff %d = %v", i, d)
		}
		clk.Advance(d)
	}
	r := <-done
	if r.err != nil || r.tok.AccessToken != "third-time" {
		t.Fatalf("got %v, %v", r.tok, r.err)
	}
	if got := ts.requests(); got != 3 {
		t.Errorf("requests = %d, want 3", got)
	}
}

// TestRetryAfterOnFakeClock: a 503 with Retry-After: 2 is retried only once
// the fake clock has moved 2 s.
func TestRetryAfterOnFakeClock(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			aadError(w, http.StatusServiceUnavailable, "temporarily_unavailable", 50000)
			return
		}
		okToken(w, "after-wait", 3599)
	})
	cc := newTestFetcher(t, ts, clk, nil)
	done := make(chan error, 1)
	go func() {
		_, err := cc.Token(context.Background())
		done <- err
	}()
	if d := clk.waitTimer(t); d != 2*time.Second {
		t.Fatalf("waited %v, want Retry-After's 2s", d)
	}
	clk.Advance(1999 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("returned before Retry-After elapsed: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	if got := ts.requests(); got != 1 {
		t.Fatalf("requests before 2s = %d, want 1", got)
	}
	clk.Advance(time.Millisecond)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := ts.requests(); got != 2 {
		t.Errorf("requests = %d, want 2", got)
	}
}

// TestNoRetry: 4xx answers, config errors included, are sent once.
func TestNoRetry(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
	}{
		{400, "invalid_request"},
		{400, "invalid_scope"},
		{401, "invalid_client"},
		{400, "unauthorized_client"},
		{403, "access_denied"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) { aadError(w, tc.status, tc.code, 7000215) })
			_, err := newTestFetcher(t, ts, newFakeClock(), nil).Token(context.Background())
			var ae *Error
			if !errors.As(err, &ae) || ae.Code != tc.code || ae.StatusCode != tc.status {
				t.Fatalf("err = %v", err)
			}
			if got := ts.requests(); got != 1 {
				t.Errorf("requests = %d, want 1", got)
			}
		})
	}
}

func TestRetriesExhausted(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "1")
		aadError(w, http.StatusTooManyRequests, "throttled", 50196)
	})
	cc := newTestFetcher(t, ts, clk, nil)
	done := make(chan error, 1)
	go func() { _, err := cc.Token(context.Background()); done <- err }()
	for i := 0; i < 3; i++ {
		clk.Advance(clk.waitTimer(t))
	}
	err := <-done
	var ae *Error
	if !errors.As(err, &ae) || ae.Attempts != 4 || ae.StatusCode != 429 || ae.RetryAfter != time.Second {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("Error() = %q", err)
	}
	if got := ts.requests(); got != 4 {
		t.Errorf("requests = %d, want 4", got)
	}
}

func TestRetryTransportError(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close() // connection dropped without an answer
			return
		}
		okToken(w, "ok", 3599)
	})
	cc := newTestFetcher(t, ts, clk, nil)
	done := make(chan error, 1)
	go func() { _, err := cc.Token(context.Background()); done <- err }()
	clk.Advance(clk.waitTimer(t))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := ts.requests(); got != 2 {
		t.Errorf("requests = %d, want 2", got)
	}
}

func TestLongRetryAfterNotWaited(t *testing.T) {
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "120")
		aadError(w, http.StatusTooManyRequests, "throttled", 50196)
	})
	_, err := newTestFetcher(t, ts, newFakeClock(), nil).Token(context.Background())
	var ae *Error
	if !errors.As(err, &ae) || ae.RetryAfter != 120*time.Second {
		t.Fatalf("err = %v", err)
	}
	if got := ts.requests(); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
}

func TestFetchContextCancelDuringBackoff(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		aadError(w, http.StatusServiceUnavailable, "temporarily_unavailable", 50000)
	})
	cc := newTestFetcher(t, ts, clk, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := cc.Token(ctx); done <- err }()
	clk.waitTimer(t)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestBadTokenResponses: every unusable answer is a typed *Error, with no
// panic and no hang.
func TestBadTokenResponses(t *testing.T) {
	big := strings.Repeat("x", maxBody+10)
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
	}{
		{"malformed JSON", 200, "application/json", `{"access_token":`},
		{"HTML error page", 502, "text/html", `<html><body>Bad gateway</body></html>`},
		{"HTML on 200", 200, "text/html", `<html>ok</html>`},
		{"truncated body", 200, "application/json", `{"token_type":"Bearer","access_token":"abc","expires_in":35`},
		{"empty 200", 200, "application/json", ``},
		{"JSON array", 200, "application/json", `[]`},
		{"JSON null", 200, "application/json", `null`},
		{"no access_token", 200, "application/json", `{"token_type":"Bearer","expires_in":3599}`},
		{"token_type pop", 200, "application/json", `{"token_type":"pop","access_token":"a","expires_in":3599}`},
		{"expires_in huge", 200, "application/json", `{"access_token":"a","expires_in":1e300}`},
		{"expires_in NaN string", 200, "application/json", `{"access_token":"a","expires_in":"NaN"}`},
		{"error not JSON", 400, "text/plain", `nope`},
		{"empty error", 401, "", ``},
		{"error JSON wrong types", 400, "application/json", `{"error":5,"error_codes":"x"}`},
		{"huge body", 200, "application/json", `{"access_token":"` + big + `"}`},
		{"huge error body", 400, "application/json", big},
		{"redirect", 302, "", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if tt.status == 302 {
					http.Redirect(w, r, "http://127.0.0.1:1/elsewhere", http.StatusFound)
					return
				}
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			tok, err := newTestFetcher(t, ts, newFakeClock(), func(c *Config) { c.MaxRetries = -1 }).Token(context.Background())
			var ae *Error
			if tok != nil || !errors.As(err, &ae) {
				t.Fatalf("got %v, %v; want *Error", tok, err)
			}
			if ae.StatusCode != tt.status {
				t.Errorf("StatusCode = %d, want %d", ae.StatusCode, tt.status)
			}
			if len(err.Error()) > 1000 || strings.Contains(err.Error(), "xxxxxxxx") || strings.Contains(err.Error(), "<html") {
				t.Errorf("error echoes the body: %.200q", err)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{
		StatusCode:    401,
		Code:          "invalid_client",
		Description:   "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: t\r\nCorrelation ID: c",
		ErrorCodes:    []int{7000215},
		TraceID:       "trace-9",
		CorrelationID: "corr-9",
	}
	want := "auth: token request failed: 401 Unauthorized: invalid_client (AADSTS7000215): Invalid client secret provided. trace_id=trace-9 correlation_id=corr-9"
	if got := e.Error(); got != want {
		t.Errorf("Error() =\n%q\nwant\n%q", got, want)
	}
	if !e.IsConfiguration() || e.Retryable() {
		t.Error("invalid_client should be a permanent configuration error")
	}
	if !(&Error{StatusCode: 503}).Retryable() {
		t.Error("503 should be temporary")
	}

	// Parts left out leave no empty ": :", and attempts read as graph's errors read them.
	for _, tt := range []struct {
		e    *Error
		want string
	}{
		{&Error{Err: errors.New("dial tcp: connection refused"), Attempts: 4}, "auth: token request failed: dial tcp: connection refused after 4 attempts"},
		{&Error{Code: "invalid_request"}, "auth: token request failed: invalid_request"},
		{&Error{ErrorCodes: []int{90002}}, "auth: token request failed: (AADSTS90002)"},
		{&Error{StatusCode: 400, ErrorCodes: []int{90002}}, "auth: token request failed: 400 Bad Request (AADSTS90002)"},
		{&Error{Description: "no such tenant", Attempts: 1}, "auth: token request failed: no such tenant"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestNewClientCredentialsValidation(t *testing.T) {
	good := Config{TenantID: "contoso.onmicrosoft.com", ClientID: "c", Credential: NewClientSecret("s")}
	tests := []struct {
		name   string
		mutate func(*Config)
		ok     bool
	}{
		{"defaults", func(*Config) {}, true},
		{"no tenant", func(c *Config) { c.TenantID = "" }, false},
		{"tenant with slash", func(c *Config) { c.TenantID = "a/../b" }, false},
		{"common", func(c *Config) { c.TenantID = "common" }, false},
		{"no client", func(c *Config) { c.ClientID = " " }, false},
		{"no credential", func(c *Config) { c.Credential = nil }, false},
		{"empty secret", func(c *Config) { c.Credential = NewClientSecret("") }, false},
		{"http authority", func(c *Config) { c.AuthorityHost = "http://login.microsoftonline.com" }, false},
		{"http loopback authority", func(c *Config) { c.AuthorityHost = "http://127.0.0.1:9999" }, true},
		{"authority with path", func(c *Config) { c.AuthorityHost = "https://login.microsoftonline.com/tenant" }, false},
		{"authority trailing slash", func(c *Config) { c.AuthorityHost = "https://login.microsoftonline.com/" }, true},
		{"china cloud", func(c *Config) { c.Cloud = CloudChina }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.mutate(&cfg)
			_, err := NewClientCredentials(cfg)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("err %v does not wrap ErrInvalidConfig", err)
			}
		})
	}
	cc, _ := NewClientCredentials(Config{TenantID: "t", ClientID: "c", Credential: NewClientSecret("s"), Cloud: CloudChina})
	if cc.endpoint != "https://login.chinacloudapi.cn/t/oauth2/v2.0/token" || cc.scope != "https://microsoftgraph.chinacloudapi.cn/.default" {
		t.Errorf("china endpoint %q scope %q", cc.endpoint, cc.scope)
	}
}

// TestRedirectNotFollowed: a token endpoint redirecting elsewhere (307 would
// replay the POST body, secret included) gets no second request, and a
// caller's http.Client is not modified.
func TestRedirectNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		okToken(w, "stolen", 3599)
	}))
	defer other.Close()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		http.Redirect(w, r, other.URL+"/token", http.StatusTemporaryRedirect)
	})
	userClient := &http.Client{}
	_, err := newTestFetcher(t, ts, nil, func(c *Config) { c.HTTPClient = userClient }).Token(context.Background())
	var ae *Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("err = %v", err)
	}
	if elsewhere.Load() != 0 {
		t.Errorf("redirect target received %d requests", elsewhere.Load())
	}
	if userClient.CheckRedirect != nil {
		t.Error("caller's http.Client was modified")
	}
}

func TestFetcherLogsEachAttempt(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			aadError(w, http.StatusServiceUnavailable, "temporarily_unavailable", 50000)
			return
		}
		okToken(w, sentinelToken, 3599)
	})
	var logs logCapture
	cc := newTestFetcher(t, ts, clk, func(c *Config) { c.Logger = logs.logger() })
	done := make(chan error, 1)
	go func() { _, err := cc.Token(context.Background()); done <- err }()
	clk.Advance(clk.waitTimer(t))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{"level=WARN", "attempt=1", "status=503", "level=DEBUG", "attempt=2", "status=200", "client_request_id="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, sentinelToken) || strings.Contains(out, sentinelSecret) {
		t.Error("log leaks a secret")
	}
}
