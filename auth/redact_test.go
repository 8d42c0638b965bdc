package auth

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// renderings returns every way a value commonly reaches a log or terminal.
func renderings(v any) []string {
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", v)
	return []string{
		fmt.Sprint(v), fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v),
		fmt.Sprintf("%q", v), fmt.Sprintf("%x", v), text.String(), js.String(),
	}
}

func assertNoSecret(t *testing.T, what string, outputs []string, secrets ...string) {
	t.Helper()
	for _, out := range outputs {
		for _, s := range secrets {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("%s leaks %.12q...: %.300q", what, s, out)
			}
		}
	}
}

func TestRedactedValues(t *testing.T) {
	cert, key := testCertificate(t)
	certCred, err := NewClientCertificate([]*x509.Certificate{cert}, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	keyD := key.D.String()
	secretCfg := Config{TenantID: "t", ClientID: "c", Credential: NewClientSecret(sentinelSecret)}
	certCfg := Config{TenantID: "t", ClientID: "c", Credential: certCred}
	tok := Token{AccessToken: sentinelToken}
	cc, _ := NewClientCredentials(secretCfg)
	for name, v := range map[string]any{
		"Config":               secretCfg,
		"*Config":              &secretCfg,
		"cert Config":          certCfg,
		"secret Credential":    secretCfg.Credential,
		"cert Credential":      certCred,
		"Token":                tok,
		"*Token":               &tok,
		"struct with Token":    struct{ T Token }{tok},
		"StaticTokenSource":    StaticTokenSource(sentinelToken),
		"*ClientCredentials":   cc,
		"struct with Config":   struct{ C Config }{secretCfg},
		"slice of Credentials": []Credential{secretCfg.Credential, certCred},
	} {
		assertNoSecret(t, name, renderings(v), sentinelSecret, sentinelToken, keyD)
	}
	// The redacted renderings still say something useful.
	if s := fmt.Sprintf("%+v", secretCfg); !strings.Contains(s, "REDACTED") || !strings.Contains(s, `ClientID:"c"`) {
		t.Errorf("Config renders as %q", s)
	}
}

// TestNoSecretsInFailurePaths drives every failure path with a hostile token
// endpoint that echoes what it received, and checks errors and logs.
func TestNoSecretsInFailurePaths(t *testing.T) {
	cert, key := testCertificate(t)
	certCred, _ := NewClientCertificate([]*x509.Certificate{cert}, key, nil)
	var mu sync.Mutex
	var assertions []string
	echo := func(r *http.Request) string {
		v := r.PostForm.Get("client_secret") + r.PostForm.Get("client_assertion")
		if a := r.PostForm.Get("client_assertion"); a != "" {
			mu.Lock()
			assertions = append(assertions, a)
			mu.Unlock()
		}
		return v
	}
	paths := map[string]func(w http.ResponseWriter, r *http.Request){
		"echo in error fields": func(w http.ResponseWriter, r *http.Request) {
			s := echo(r)
			writeJSON(w, 401, map[string]any{"error": "invalid_client " + s, "error_description": "AADSTS7000215: bad " + s + "\r\nmore " + s,
				"error_codes": []int{7000215}, "trace_id": s, "correlation_id": s, "error_uri": "https://x/?" + s, "timestamp": s})
		},
		"echo in HTML": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html>%s %s</html>", echo(r), sentinelToken)
		},
		"token with bad type": func(w http.ResponseWriter, r *http.Request) {
			echo(r)
			writeJSON(w, 200, map[string]any{"token_type": "pop", "access_token": sentinelToken, "expires_in": 3599})
		},
		"token with bad expiry": func(w http.ResponseWriter, r *http.Request) {
			echo(r)
			writeJSON(w, 200, map[string]any{"access_token": sentinelToken, "expires_in": sentinelToken})
		},
		"token truncated": func(w http.ResponseWriter, r *http.Request) {
			echo(r)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":"%s","expires_in":`, sentinelToken)
		},
		"token not JSON": func(w http.ResponseWriter, r *http.Request) {
			echo(r)
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "access_token=%s", sentinelToken)
		},
		"dropped connection": func(w http.ResponseWriter, r *http.Request) {
			echo(r)
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		},
		"success": func(w http.ResponseWriter, r *http.Request) {
			echo(r)
			okToken(w, sentinelToken, 3599)
		},
	}
	for name, handle := range paths {
		for credName, cred := range map[string]Credential{"secret": NewClientSecret(sentinelSecret), "cert": certCred} {
			t.Run(name+"/"+credName, func(t *testing.T) {
				var logs logCapture
				ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int) { handle(w, r) })
				cc := newTestFetcher(t, ts, nil, func(c *Config) {
					c.Credential, c.MaxRetries, c.Logger = cred, -1, logs.logger()
				})
				cache := NewCache(cc, &CacheOptions{Logger: logs.logger()})
				ed, _ := NewEditor(cache, "https://graph.microsoft.com")
				req, _ := http.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/users", nil)
				err := ed.Edit(context.Background(), req)
				var outs []string
				if err != nil {
					outs = append(outs, renderings(err)...)
				} else if name != "success" {
					t.Fatal("want an error")
				}
				outs = append(outs, logs.String(), fmt.Sprintf("%+v", cc), fmt.Sprintf("%#v", cache))
				mu.Lock()
				secrets := append([]string{sentinelSecret, sentinelToken}, assertions...)
				mu.Unlock()
				assertNoSecret(t, "failure output", outs, secrets...)
				if name == "success" && logs.String() == "" {
					t.Error("no debug log line captured; the log check proves nothing")
				}
			})
		}
	}
	if len(assertions) == 0 {
		t.Fatal("no assertion captured; the assertion checks prove nothing")
	}
}
