package auth

import (
	"cmp"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config configures a ClientCredentials token fetcher. It holds a secret (in
// Credential) yet is safe to print: %v, %+v, %#v and slog show it redacted.
type Config struct {
	// TenantID is the directory (tenant) ID or a verified domain. The
	// multi-tenant aliases "common", "organizations" and "consumers" cannot
	// be used with client credentials and are refused.
	TenantID string
	// ClientID is the application (client) ID.
	ClientID string
	// Credential proves the application's identity.
	Credential Credential
	// Cloud picks the authority host, the Graph endpoint and the scope
	// together. The zero value means CloudGlobal. AuthorityHost and Scope,
	// when set, override it.
	Cloud Cloud
	// AuthorityHost is the identity platform's base URL, e.g.
	// "https://login.microsoftonline.com". It must be https, except plain http
	// to a loopback address, for tests. Default: Cloud.AuthorityHost.
	AuthorityHost string
	// Scope is the requested scope. Default: Cloud.Scope(), e.g.
	// "https://graph.microsoft.com/.default".
	Scope string
	// HTTPClient sends token requests. Default: a client with a 30 s
	// per-request timeout over http.DefaultTransport. Whatever client is
	// given, redirects are never followed: a token request carries the
	// secret and must reach only the authority.
	HTTPClient *http.Client
	// MaxRetries is how many times a token request is retried after a 408,
	// 429, 5xx or transport error. Zero means the default, 3; a negative
	// value disables retries.
	MaxRetries int
	// Logger, when set, receives one line per token request: debug for a
	// success, warning for a failure (attempt, status, duration,
	// client-request-id and the error's text); never a secret or token.
	Logger *slog.Logger
	// Clock is the time source; nil means the system clock.
	Clock Clock
}

// GraphEndpoint returns the Graph base URL the configuration's scope is for:
// Cloud.GraphEndpoint, or the scope without its "/.default" suffix when Scope
// names an https resource, or CloudGlobal's endpoint.
func (c Config) GraphEndpoint() string {
	if c.Scope != "" {
		if s, ok := strings.CutSuffix(c.Scope, "/.default"); ok && strings.Contains(s, "://") {
			return s
		}
	}
	if c.Cloud.GraphEndpoint != "" {
		return c.Cloud.GraphEndpoint
	}
	return CloudGlobal.GraphEndpoint
}

// String returns a description of c with the credential redacted.
func (c Config) String() string {
	cred := "<nil>"
	if c.Credential != nil {
		cred = fmt.Sprint(c.Credential)
	}
	return fmt.Sprintf("auth.Config{TenantID:%q, ClientID:%q, Credential:%s, Cloud:%q, AuthorityHost:%q, Scope:%q}",
		c.TenantID, c.ClientID, cred, c.Cloud.Name, c.AuthorityHost, c.Scope)
}

// GoString implements fmt.GoStringer with the credential redacted.
func (c Config) GoString() string { return c.String() }

// Format implements fmt.Formatter: every verb prints the redacted form.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue implements slog.LogValuer with the credential redacted.
func (c Config) LogValue() slog.Value {
	cred := "none"
	switch c.Credential.(type) {
	case *clientSecret:
		cred = "client_secret"
	case *clientCertificate:
		cred = "certificate"
	}
	return slog.GroupValue(
		slog.String("tenant_id", c.TenantID),
		slog.String("client_id", c.ClientID),
		slog.String("credential", cred),
		slog.String("cloud", c.Cloud.Name),
		slog.String("authority_host", c.AuthorityHost),
		slog.String("scope", c.Scope),
	)
}

// defaultHTTPTimeout bounds each token request when Config.HTTPClient is nil.
const defaultHTTPTimeout = 30 * time.Second

// tokenEndpoint validates c and returns the token URL and the scope.
func (c Config) tokenEndpoint() (endpoint, scope string, err error) {
	bad := func(format string, args ...any) (string, string, error) {
		return "", "", fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if c.TenantID == "" {
		return bad("TenantID is empty")
	}
	if !validTenant(c.TenantID) {
		return bad("TenantID %q is not a tenant ID or domain", c.TenantID)
	}
	switch strings.ToLower(c.TenantID) {
	case "common", "organizations", "consumers":
		return bad("TenantID %q is a multi-tenant alias; client credentials need a specific tenant", c.TenantID)
	}
	if strings.TrimSpace(c.ClientID) == "" || strings.ContainsFunc(c.ClientID, isControl) {
		return bad("ClientID is empty or malformed")
	}
	if c.Credential == nil {
		return bad("Credential is nil")
	}
	if sec, ok := c.Credential.(*clientSecret); ok && sec.secret() == "" {
		return bad("client secret is empty")
	}
	authority := c.AuthorityHost
	if authority == "" {
		authority = cmp.Or(c.Cloud.AuthorityHost, CloudGlobal.AuthorityHost)
	}
	base, err := baseURL(authority)
	if err != nil {
		return bad("AuthorityHost: %v", err)
	}
	scope = c.Scope
	if scope == "" {
		scope = Cloud{GraphEndpoint: cmp.Or(c.Cloud.GraphEndpoint, CloudGlobal.GraphEndpoint)}.Scope()
	}
	if strings.ContainsFunc(scope, isControl) {
		return bad("Scope is malformed")
	}
	return base + "/" + c.TenantID + "/oauth2/v2.0/token", scope, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func validTenant(t string) bool {
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return t != "" && t != "." && t != ".."
}

// baseURL checks that raw is an https URL, or http to a loopback host, with
// no path beyond "/", no query and no credentials, and returns it as
// scheme://host.
func baseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("%q is not a URL", raw)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("%q must be scheme://host[:port] with no path, query or user", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return "", fmt.Errorf("%q must use https (plain http only to a loopback address)", raw)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// MarshalJSON encodes c with the credential redacted, so a Config inside a
// value logged as JSON does not leak.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		TenantID, ClientID, Credential, Cloud, AuthorityHost, Scope string
	}{c.TenantID, c.ClientID, c.LogValue().Group()[2].Value.String(), c.Cloud.Name, c.AuthorityHost, c.Scope})
}
