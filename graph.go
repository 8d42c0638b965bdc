package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/gen"
)

// Version is typedgraph's version, sent in the User-Agent header.
const Version = "0.1.0"

// Config configures a Client. TenantID, ClientID and Credential are required unless TokenSource is set.
//
// A Config prints redacted: its Credential and TokenSource never appear in %v, %+v, %#v or slog output.
type Config struct {
	// TenantID is the directory (tenant) id or a verified domain of the tenant.
	TenantID string
	// ClientID is the application (client) id of the app registration.
	ClientID string
	// Credential proves the app's identity: auth.NewClientSecret or auth.NewClientCertificate.
	Credential auth.Credential

	// Cloud picks the identity platform host, the Graph host and the token scope together.
	// The zero value means auth.CloudGlobal.
	Cloud auth.Cloud
	// AuthorityHost overrides the cloud's identity platform host, e.g. "http://127.0.0.1:8081" in tests.
	AuthorityHost string
	// BaseURL overrides the cloud's Graph base URL, "https://graph.microsoft.com/v1.0" for the global
	// cloud. Changing it does not change the token scope, which always comes from Cloud.
	BaseURL string

	// HTTPClient sends every request, to Graph and to the identity platform. Nil means a client of
	// our own built on http.DefaultTransport, without a timeout: contexts govern how long calls take.
	HTTPClient *http.Client

	// TokenSource, when set, supplies the tokens instead of a client-credentials flow built from
	// TenantID, ClientID and Credential. Tokens are attached only to requests for the Graph host.
	TokenSource auth.TokenSource

	// MaxConcurrentRequests, when positive, bounds the requests in flight; further calls wait (as long
	// as their context allows) before a token is attached. Set it to your transport's MaxConnsPerHost,
	// so that no request waits for a connection holding a token that may expire meanwhile.
	MaxConcurrentRequests int

	// Retry is how calls are retried when Graph throttles them or is unavailable; see RetryPolicy.
	// The zero value means the defaults: 3 retries within 5 minutes of waiting.
	Retry RetryPolicy

	// Consistency, when set, retries the answers that mean the directory has not yet replicated an
	// object a call names (a 404 right after the object was created, ...), within its window; see
	// ConsistencyPolicy. Nil means off, the default: those answers also mean "no such object".
	// WithConsistencyPolicy sets it per call.
	Consistency *ConsistencyPolicy

	// Logger, when set, receives a debug line per attempt (method, path, status, duration, attempt,
	// request-id), a warning when Graph throttles, and the auth package's lines. It never receives a
	// header value, a body, a secret or a token.
	Logger *slog.Logger
}

// Format prints the Config with its secrets redacted, for every verb.
func (c Config) Format(f fmt.State, verb rune) {
	_, _ = fmt.Fprint(f, c.redacted())
}

// LogValue makes slog print the Config redacted.
func (c Config) LogValue() slog.Value {
	return slog.StringValue(c.redacted())
}

func (c Config) redacted() string {
	set := func(ok bool) string {
		if ok {
			return "[set]"
		}
		return "[none]"
	}
	return fmt.Sprintf("graph.Config{TenantID:%q ClientID:%q Credential:%s Cloud:%q AuthorityHost:%q BaseURL:%q TokenSource:%s}",
		c.TenantID, c.ClientID, set(c.Credential != nil), c.Cloud.Name, c.AuthorityHost, c.BaseURL, set(c.TokenSource != nil))
}

// ConfigError reports a Config that NewClient cannot use.
type ConfigError struct {
	Field  string // the Config field at fault
	Reason string
}

func (e *ConfigError) Error() string {
	return "graph: invalid Config." + e.Field + ": " + e.Reason
}

// Client calls Microsoft Graph. Every generated typed call is available on it
// (ListUsersWithResponse, GetUserWithResponse, ListGroupsWithResponse, ...), alongside the helpers
// of this package (Users, CountUsers, UserMemberOf, Groups, GroupMembers, AddGroupMember, CreateGroup,
// DirectoryObjectURL; RemoveGroupMember, AddGroupMemberIfAbsent and RemoveGroupMemberIfPresent). The package documentation's Operations section lists every call with its
// method and path; go doc lists the generated ones under gen.ClientWithResponses, which Client embeds.
//
// Any answer from Graph outside 2xx is returned as an error that errors.As turns into *Error, so the
// generated responses' JSONDefault field stays nil. A 2xx answer whose body is not the JSON the
// operation declares is an *UnexpectedResponseError, and an id that is empty or would change the
// request's path a *PathParamError, sent nowhere.
type Client struct {
	*gen.ClientWithResponses

	base    *url.URL              // Graph base URL, with a trailing slash
	server  string                // base.String(): what generated request builders take
	doer    *doer                 // sends requests: retries, 401 recovery, typed errors
	editors []gen.RequestEditorFn // run on every request: the generated client's and send's
}

// NewClient returns a Client for cfg. It sends no request: the first token is fetched by the first call.
func NewClient(cfg Config) (*Client, error) {
	cloud := cfg.Cloud
	if cloud == (auth.Cloud{}) {
		cloud = auth.CloudGlobal
	}
	baseURL := cfg.BaseURL
	if baseURL == "" {
		baseURL = cloud.GraphEndpoint + "/v1.0"
	}
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}

	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	graphClient := protectRedirects(hc, base.Scheme, base.Host)

	tokens := cfg.TokenSource
	if tokens == nil {
		switch {
		case cfg.TenantID == "":
			return nil, &ConfigError{Field: "TenantID", Reason: "required"}
		case cfg.ClientID == "":
			return nil, &ConfigError{Field: "ClientID", Reason: "required"}
		case cfg.Credential == nil:
			return nil, &ConfigError{Field: "Credential", Reason: "required"}
		}
		authority := cfg.AuthorityHost
		if authority == "" {
			authority = cloud.AuthorityHost
		}
		cc, err := auth.NewClientCredentials(auth.Config{
			TenantID:      cfg.TenantID,
			ClientID:      cfg.ClientID,
			Credential:    cfg.Credential,
			AuthorityHost: authority,
			Scope:         cloud.Scope(),
			HTTPClient:    hc,
			Logger:        cfg.Logger,
		})
		if err != nil {
			return nil, err
		}
		tokens = auth.NewCache(cc, &auth.CacheOptions{Logger: cfg.Logger})
	}

	editor, err := auth.NewEditor(tokens, base.Scheme+"://"+base.Host)
	if err != nil {
		return nil, err
	}

	c := &Client{
		base:   base,
		server: base.String(),
		doer: &doer{
			client:    graphClient,
			retry:     cfg.Retry.withDefaults(),
			logger:    cfg.Logger,
			authorize: editor.Edit,
			reauth:    reauthFunc(editor, tokens),
			sleep:     sleepContext,
		},
		// The auth editor is the generated client's RequestEditorFn: it checks the token before each
		// call. doer.Do sets it again only when time passed before an attempt (a retry, a wait for a
		// slot), so the header is set once per call on the common path.
		editors: []gen.RequestEditorFn{editor.Edit, setUserAgent},
	}
	if cfg.Consistency != nil {
		p := *cfg.Consistency // a copy: the caller's value may change after NewClient
		c.doer.consistency = &p
	}
	if cfg.MaxConcurrentRequests > 0 {
		c.doer.slots = make(chan struct{}, cfg.MaxConcurrentRequests)
	}
	opts := []gen.ClientOption{gen.WithHTTPClient(c.doer)}
	for _, e := range c.editors {
		opts = append(opts, gen.WithRequestEditorFn(e))
	}
	c.ClientWithResponses, err = gen.NewClientWithResponses(c.server, opts...)
	if err != nil {
		return nil, err
	}
	// A typed call whose 2xx body is not what its operation declares fails as an iterator does.
	c.ClientWithResponses.ResponseError = bodyError
	return c, nil
}

// reauthFunc returns the doer's 401 recovery: drop the token the request carried (compare-and-drop,
// so concurrent 401s for one token cause one refetch), get a new one, with the challenge's claims when
// Graph sent a Continuous Access Evaluation challenge, and set it on the request. A claims challenge
// goes to the cache's TokenForChallenge with the token the request carried, so however many calls
// hold the same challenge, one token request answers it. Nil when tokens cannot drop a token, since
// replaying with the same token would only fail again.
func reauthFunc(editor *auth.Editor, tokens auth.TokenSource) func(context.Context, *http.Request, string) error {
	if _, ok := tokens.(auth.Invalidator); !ok {
		return nil
	}
	type challengeAnswerer interface {
		TokenForChallenge(ctx context.Context, rejected *auth.Token, claims string) (*auth.Token, error)
	}
	return func(ctx context.Context, req *http.Request, claims string) error {
		decoded, err := decodeClaims(claims)
		switch src := tokens.(type) {
		case challengeAnswerer:
			if claims != "" && err == nil {
				rejected, _ := editor.TokenOf(req)
				if _, err := src.TokenForChallenge(ctx, rejected, decoded); err != nil {
					return err
				}
				break // the answer replaced the token: no drop, or callers between would fetch without claims
			}
			editor.InvalidateRequest(req)
		case auth.ClaimsTokenSource:
			editor.InvalidateRequest(req)
			if claims != "" && err == nil {
				if _, err := src.TokenWithClaims(ctx, decoded); err != nil {
					return err
				}
			}
		default:
			editor.InvalidateRequest(req)
		}
		req.Header.Del("Authorization")
		return editor.Edit(ctx, req)
	}
}

// decodeClaims decodes a challenge's claims parameter, which is base64 (padded or not) of a JSON
// claims request.
func decodeClaims(s string) (string, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && json.Valid(b) {
			return string(b), nil
		}
	}
	return "", errors.New("graph: undecodable claims challenge")
}

// BaseURL returns the Graph base URL the client sends requests to, with a trailing slash.
func (c *Client) BaseURL() string { return c.server }

func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, &ConfigError{Field: "BaseURL", Reason: "not a URL"}
	}
	switch {
	case u.Host == "":
		return nil, &ConfigError{Field: "BaseURL", Reason: "needs a scheme and a host"}
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, &ConfigError{Field: "BaseURL", Reason: "must not carry user info, a query or a fragment"}
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, &ConfigError{Field: "BaseURL", Reason: "must be https (plain http only on loopback)"}
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var userAgent = "typedgraph/" + Version

// userAgentValue is the User-Agent header's value slice, shared by every request: it is never modified
// in place (Header.Set and Add replace or grow a slice, len == cap forces a copy, and net/http copies
// headers before it changes them), so each request is spared an allocation.
var userAgentValue = []string{userAgent}[:1:1]

func setUserAgent(_ context.Context, req *http.Request) error {
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	req.Header["User-Agent"] = userAgentValue
	return nil
}

// send applies the client's editors to req and sends it, for requests the generated code does not
// build (next pages).
func (c *Client) send(ctx context.Context, req *http.Request) (*http.Response, error) {
	if err := c.edit(ctx, req); err != nil {
		return nil, err
	}
	return c.doer.Do(req)
}

// errNilContext guards helpers against a nil context, which would otherwise panic deep in net/http.
var errNilContext = errors.New("graph: nil context")
