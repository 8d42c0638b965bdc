package graphtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func tokenForm(s *Server) url.Values {
	return url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {s.ClientID},
		"client_secret": {s.ClientSecret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
}

func postForm(t *testing.T, u string, form url.Values, headers ...string) response {
	t.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ":")
		h[k] = strings.TrimSpace(v)
	}
	return do(t, http.MethodPost, u, h, form.Encode())
}

func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	p, err := parseJWT(tok)
	if err != nil {
		t.Fatalf("access token is not a JWT: %v", err)
	}
	return p.claims
}

func TestTokenSuccess(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 26, 1, 2, 3, 0, time.UTC)}
	s := newTestServer(t, Options{Now: clock.Now})
	r := postForm(t, s.TokenEndpoint(), tokenForm(s), "client-request-id: corr-1")
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"access_token", "expires_in", "ext_expires_in", "token_type"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if string(raw["token_type"]) != `"Bearer"` || string(raw["expires_in"]) != "3599" || string(raw["ext_expires_in"]) != "3599" {
		t.Errorf("body %s", r.body)
	}
	if got := r.header.Get("client-request-id"); got != "corr-1" {
		t.Errorf("client-request-id %q", got)
	}
	var tok string
	_ = json.Unmarshal(raw["access_token"], &tok)
	c := claimsOf(t, tok)
	now := float64(clock.Now().Unix())
	for k, want := range map[string]any{
		"aud": "https://graph.microsoft.com", "iss": "https://sts.windows.net/" + s.TenantID + "/",
		"tid": s.TenantID, "appid": s.ClientID, "appidacr": "1", "iat": now, "nbf": now, "exp": now + 3600,
		"idtyp": "app", "ver": "1.0",
	} {
		if c[k] != want {
			t.Errorf("claim %s = %v, want %v", k, c[k], want)
		}
	}
	if roles, _ := c["roles"].([]any); len(roles) != len(defaultRoles) || roles[0] != defaultRoles[0] {
		t.Errorf("roles %v", c["roles"])
	}
	if c["oid"] == "" || c["oid"] == nil {
		t.Error("no oid")
	}
	if s.TokenRequests() != 1 {
		t.Errorf("TokenRequests %d", s.TokenRequests())
	}
	// The tenant's domain works in place of its id, and Graph's app id URI
	// form of the scope is accepted.
	f := tokenForm(s)
	f.Set("scope", "00000003-0000-0000-c000-000000000000/.default")
	if r := postForm(t, s.AuthorityHost+"/"+s.Domain+"/oauth2/v2.0/token", f); r.status != http.StatusOK {
		t.Errorf("domain tenant: %d %s", r.status, r.body)
	}
}

func TestTokenLifetime(t *testing.T) {
	// A short test lifetime is reported whole; exp rounds up, so the token is valid for at least
	// the lifetime from the moment it is issued, and expires_in never overstates it.
	clock := &fakeClock{t: time.Unix(1_800_000_000, 250_000_000)}
	s := newTestServer(t, Options{TokenLifetime: 2 * time.Second, Now: clock.Now})
	r := postForm(t, s.TokenEndpoint(), tokenForm(s))
	m := r.json(t)
	if m["expires_in"] != 2.0 {
		t.Errorf("expires_in %v, want 2", m["expires_in"])
	}
	c := claimsOf(t, m["access_token"].(string))
	if c["iat"].(float64) != 1_800_000_000 || c["exp"].(float64) != 1_800_000_003 {
		t.Errorf("iat %v, exp %v; want 1800000000 and 1800000003", c["iat"], c["exp"])
	}
	// An hour is reported as 3599, as the real service does.
	s = newTestServer(t, Options{Now: clock.Now})
	if m := postForm(t, s.TokenEndpoint(), tokenForm(s)).json(t); m["expires_in"] != 3599.0 {
		t.Errorf("expires_in %v, want 3599", m["expires_in"])
	}
}

var aadDescription = regexp.MustCompile(`^AADSTS(\d+): .+\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: \S+\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$`)

func TestTokenErrors(t *testing.T) {
	s := newTestServer(t, Options{})
	tests := []struct {
		name   string
		method string
		tenant string
		edit   func(url.Values)
		ctype  string
		status int
		err    string
		code   int
	}{
		{"wrong secret", "POST", "", func(f url.Values) { f.Set("client_secret", "nope") }, "", 401, "invalid_client", 7000215},
		{"no credential", "POST", "", func(f url.Values) { f.Del("client_secret") }, "", 401, "invalid_client", 7000218},
		{"unknown tenant", "POST", "11111111-2222-3333-4444-555555555555", nil, "", 400, "invalid_request", 90002},
		{"missing grant_type", "POST", "", func(f url.Values) { f.Del("grant_type") }, "", 400, "invalid_request", 900144},
		{"password grant", "POST", "", func(f url.Values) { f.Set("grant_type", "password") }, "", 400, "unsupported_grant_type", 70003},
		{"scope without .default", "POST", "", func(f url.Values) { f.Set("scope", "https://graph.microsoft.com/User.Read.All") }, "", 400, "invalid_scope", 1002012},
		{"two .default scopes", "POST", "", func(f url.Values) {
			f.Set("scope", "https://graph.microsoft.com/.default https://management.azure.com/.default")
		}, "", 400, "invalid_scope", 1002012},
		{"a delegated scope beside .default", "POST", "", func(f url.Values) { f.Set("scope", "https://graph.microsoft.com/.default User.Read") }, "", 400, "invalid_scope", 1002012},
		{"only OpenID Connect scopes", "POST", "", func(f url.Values) { f.Set("scope", "openid profile offline_access") }, "", 400, "invalid_scope", 1002012},
		{"missing scope", "POST", "", func(f url.Values) { f.Del("scope") }, "", 400, "invalid_request", 900144},
		{"unknown client", "POST", "", func(f url.Values) { f.Set("client_id", "99999999-0000-0000-0000-000000000000") }, "", 400, "unauthorized_client", 700016},
		{"missing client_id", "POST", "", func(f url.Values) { f.Del("client_id") }, "", 400, "invalid_request", 900144},
		{"json body", "POST", "", nil, "application/json", 400, "invalid_request", 900144},
		{"GET", "GET", "", nil, "", 400, "invalid_request", 900561},
		{"assertion without certificate", "POST", "", func(f url.Values) {
			f.Del("client_secret")
			f.Set("client_assertion", "a.b.c")
			f.Set("client_assertion_type", assertionType)
		}, "", 401, "invalid_client", 700027},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tokenForm(s)
			if tt.edit != nil {
				tt.edit(f)
			}
			tenant := s.TenantID
			if tt.tenant != "" {
				tenant = tt.tenant
			}
			ctype := "application/x-www-form-urlencoded"
			if tt.ctype != "" {
				ctype = tt.ctype
			}
			r := do(t, tt.method, s.AuthorityHost+"/"+tenant+"/oauth2/v2.0/token",
				map[string]string{"Content-Type": ctype, "client-request-id": "corr-9"}, f.Encode())
			checkAADError(t, r, tt.status, tt.err, tt.code)
			if m := r.json(t); m["correlation_id"] != "corr-9" {
				t.Errorf("correlation_id %v", m["correlation_id"])
			}
		})
	}
}

// TestTokenV1: the v1 token endpoint, which the v1 metadata names, takes a
// resource in place of a scope.
func TestTokenV1(t *testing.T) {
	s := newTestServer(t, Options{})
	v1 := s.AuthorityHost + "/" + s.TenantID + "/oauth2/token"
	for _, resource := range []string{"https://graph.microsoft.com", "https://graph.microsoft.com/", graphAppID} {
		f := tokenForm(s)
		f.Del("scope")
		f.Set("resource", resource)
		r := postForm(t, v1, f)
		if r.status != 200 {
			t.Errorf("resource %q: %d %s", resource, r.status, r.body)
			continue
		}
		if aud := claimsOf(t, r.json(t)["access_token"].(string))["aud"]; aud != graphResource {
			t.Errorf("resource %q: aud %v", resource, aud)
		}
	}
	f := tokenForm(s)
	r := postForm(t, v1, f) // a scope, no resource
	checkAADError(t, r, 400, "invalid_request", 900144)
	if s.TokenRequests() != 4 {
		t.Errorf("TokenRequests %d", s.TokenRequests())
	}
}

// TestTokenOIDCScopes: MSAL (azidentity, MSAL Python and Node) adds the
// OpenID Connect scopes to a client credentials request; Entra ignores them.
func TestTokenOIDCScopes(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, scope := range []string{
		"https://graph.microsoft.com/.default openid offline_access profile",
		"openid https://graph.microsoft.com/.default email",
		"  https://graph.microsoft.com/.default   OpenID  ",
		"00000003-0000-0000-c000-000000000000/.default offline_access",
	} {
		f := tokenForm(s)
		f.Set("scope", scope)
		r := postForm(t, s.TokenEndpoint(), f)
		if r.status != 200 {
			t.Errorf("scope %q: %d %s", scope, r.status, r.body)
			continue
		}
		if aud := claimsOf(t, r.json(t)["access_token"].(string))["aud"]; aud != graphResource {
			t.Errorf("scope %q: aud %v", scope, aud)
		}
	}
}

func checkAADError(t *testing.T, r response, status int, oauthErr string, code int) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d: %s", r.status, status, r.body)
	}
	var e aadError
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("not an AADSTS error: %v: %s", err, r.body)
	}
	if e.Error != oauthErr {
		t.Errorf("error %q, want %q", e.Error, oauthErr)
	}
	if len(e.ErrorCodes) != 1 || e.ErrorCodes[0] != code {
		t.Errorf("error_codes %v, want [%d]", e.ErrorCodes, code)
	}
	m := aadDescription.FindStringSubmatch(e.ErrorDescription)
	if m == nil || m[1] != itoa(code) {
		t.Errorf("error_description %q", e.ErrorDescription)
	}
	if _, err := time.Parse(aadTimestampLayout, e.Timestamp); err != nil {
		t.Errorf("timestamp %q: %v", e.Timestamp, err)
	}
	if e.TraceID == "" || e.CorrelationID == "" || !strings.HasSuffix(e.ErrorURI, "/error?code="+itoa(code)) {
		t.Errorf("trace/correlation/uri: %+v", e)
	}
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
	}
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// testCert returns a self-signed certificate and its key.
func testCert(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) { return testCertF(t) }

func testCertF(t testing.TB) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "graphtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// assertion builds a client assertion; alg is RS256 or PS256.
func assertion(t *testing.T, key *rsa.PrivateKey, alg string, header, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	signing := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	sum := sha256.Sum256([]byte(signing))
	var sig []byte
	var err error
	if alg == "PS256" {
		sig, err = rsa.SignPSS(rand.Reader, key, crypto.SHA256, sum[:], nil)
	} else {
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + b64.EncodeToString(sig)
}

func TestClientAssertion(t *testing.T) {
	cert, key := testCert(t)
	otherCert, otherKey := testCert(t)
	s := newTestServer(t, Options{Certificate: cert})
	thumb := sha256.Sum256(cert.Raw)
	otherThumb := sha256.Sum256(otherCert.Raw)
	now := time.Now().Unix()
	goodHeader := func(alg string) map[string]any {
		return map[string]any{"alg": alg, "typ": "JWT", "x5t#S256": b64.EncodeToString(thumb[:])}
	}
	goodClaims := func() map[string]any {
		return map[string]any{"aud": s.TokenEndpoint(), "iss": s.ClientID, "sub": s.ClientID,
			"jti": "1", "nbf": now - 10, "exp": now + 600}
	}
	tests := []struct {
		name   string
		key    *rsa.PrivateKey
		alg    string
		header func(map[string]any)
		claims func(map[string]any)
		code   int // 0: success
	}{
		{"RS256", key, "RS256", nil, nil, 0},
		{"PS256", key, "PS256", nil, nil, 0},
		{"wrong key", otherKey, "RS256", nil, nil, 700027},
		{"other thumbprint", key, "RS256", func(h map[string]any) { h["x5t#S256"] = b64.EncodeToString(otherThumb[:]) }, nil, 700027},
		{"no thumbprint", key, "RS256", func(h map[string]any) { delete(h, "x5t#S256") }, nil, 700027},
		{"expired", key, "RS256", nil, func(c map[string]any) { c["exp"] = now - 1 }, 700024},
		{"wrong audience", key, "RS256", nil, func(c map[string]any) { c["aud"] = "https://login.microsoftonline.com/x/oauth2/v2.0/token" }, 700212},
		{"wrong issuer", key, "RS256", nil, func(c map[string]any) { c["iss"] = "someone" }, 700021},
		{"alg none", key, "RS256", func(h map[string]any) { h["alg"] = "none" }, nil, 700027},
		{"x5t SHA-1", key, "RS256", func(h map[string]any) {
			delete(h, "x5t#S256")
			sum := sha1.Sum(cert.Raw)
			h["x5t"] = b64.EncodeToString(sum[:])
		}, nil, 0},
		{"wrong x5t SHA-1", key, "RS256", func(h map[string]any) { delete(h, "x5t#S256"); h["x5t"] = "AAAA" }, nil, 700027},
		// MSAL Python: x5t in base64url with padding; MSAL Go: x5t#S256 in
		// standard base64 with padding. Thumbprints compare as bytes.
		{"x5t base64url padded", key, "RS256", func(h map[string]any) {
			delete(h, "x5t#S256")
			sum := sha1.Sum(cert.Raw)
			h["x5t"] = base64.URLEncoding.EncodeToString(sum[:])
		}, nil, 0},
		{"x5t#S256 standard padded", key, "RS256", func(h map[string]any) { h["x5t#S256"] = base64.StdEncoding.EncodeToString(thumb[:]) }, nil, 0},
		{"x5t#S256 standard unpadded", key, "RS256", func(h map[string]any) { h["x5t#S256"] = base64.RawStdEncoding.EncodeToString(thumb[:]) }, nil, 0},
		{"x5t#S256 hex", key, "RS256", func(h map[string]any) { h["x5t#S256"] = hex.EncodeToString(thumb[:]) }, nil, 700027},
		{"x5t#S256 not a string", key, "RS256", func(h map[string]any) { h["x5t#S256"] = 7 }, nil, 700027},
		{"x5c with x5t#S256", key, "RS256", func(h map[string]any) { h["x5c"] = []any{base64.StdEncoding.EncodeToString(cert.Raw)} }, nil, 0},
		{"x5c alone", key, "RS256", func(h map[string]any) {
			delete(h, "x5t#S256")
			h["x5c"] = []any{base64.StdEncoding.EncodeToString(cert.Raw)}
		}, nil, 0},
		{"x5c of another certificate", key, "RS256", func(h map[string]any) { h["x5c"] = []any{base64.StdEncoding.EncodeToString(otherCert.Raw)} }, nil, 700027},
		{"x5c empty", key, "RS256", func(h map[string]any) { h["x5c"] = []any{} }, nil, 700027},
		{"not yet valid", key, "RS256", nil, func(c map[string]any) { c["nbf"] = now + 3600 }, 700024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, c := goodHeader(tt.alg), goodClaims()
			if tt.header != nil {
				tt.header(h)
			}
			if tt.claims != nil {
				tt.claims(c)
			}
			f := url.Values{
				"grant_type": {"client_credentials"}, "client_id": {s.ClientID},
				"scope":                 {"https://graph.microsoft.com/.default"},
				"client_assertion_type": {assertionType},
				"client_assertion":      {assertion(t, tt.key, tt.alg, h, c)},
			}
			r := postForm(t, s.TokenEndpoint(), f)
			if tt.code != 0 {
				checkAADError(t, r, 401, "invalid_client", tt.code)
				return
			}
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if c := claimsOf(t, r.json(t)["access_token"].(string)); c["appidacr"] != "2" {
				t.Errorf("appidacr %v", c["appidacr"])
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	s := newTestServer(t, Options{})
	get := func(path string) map[string]any {
		t.Helper()
		r := do(t, "GET", s.AuthorityHost+path, nil, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		return r.json(t)
	}
	tenantBase := s.AuthorityHost + "/" + s.TenantID
	tests := []struct {
		path                      string
		token, issuer, jwks, auth string
	}{
		{"/" + s.TenantID + "/v2.0/.well-known/openid-configuration", s.TokenEndpoint(), tenantBase + "/v2.0",
			tenantBase + "/discovery/v2.0/keys", tenantBase + "/oauth2/v2.0/authorize"},
		{"/" + s.Domain + "/v2.0/.well-known/openid-configuration", s.TokenEndpoint(), tenantBase + "/v2.0",
			tenantBase + "/discovery/v2.0/keys", tenantBase + "/oauth2/v2.0/authorize"},
		{"/common/v2.0/.well-known/openid-configuration", s.AuthorityHost + "/common/oauth2/v2.0/token",
			s.AuthorityHost + "/{tenantid}/v2.0", s.AuthorityHost + "/common/discovery/v2.0/keys", s.AuthorityHost + "/common/oauth2/v2.0/authorize"},
		{"/" + s.TenantID + "/.well-known/openid-configuration", tenantBase + "/oauth2/token",
			"https://sts.windows.net/" + s.TenantID + "/", s.AuthorityHost + "/common/discovery/keys", tenantBase + "/oauth2/authorize"},
		{"/organizations/.well-known/openid-configuration", s.AuthorityHost + "/organizations/oauth2/token",
			"https://sts.windows.net/{tenantid}/", s.AuthorityHost + "/common/discovery/keys", s.AuthorityHost + "/organizations/oauth2/authorize"},
	}
	for _, tt := range tests {
		m := get(tt.path)
		if m["token_endpoint"] != tt.token || m["issuer"] != tt.issuer || m["jwks_uri"] != tt.jwks || m["authorization_endpoint"] != tt.auth {
			t.Errorf("%s: token %v issuer %v jwks %v authorize %v", tt.path, m["token_endpoint"], m["issuer"], m["jwks_uri"], m["authorization_endpoint"])
		}
	}
	for _, path := range []string{"/" + s.TenantID + "/discovery/v2.0/keys", "/common/discovery/v2.0/keys", "/common/discovery/keys"} {
		if keys, _ := get(path)["keys"].([]any); len(keys) != 1 {
			t.Errorf("%s: %d keys", path, len(keys))
		}
	}
	if r := do(t, "GET", s.AuthorityHost+"/someone-else/v2.0/.well-known/openid-configuration", nil, ""); r.status != 400 {
		t.Errorf("unknown tenant metadata: %d", r.status)
	}
	// Instance discovery points at the metadata of the authorization
	// endpoint's tenant, v2 or v1 as that endpoint is.
	host := strings.TrimPrefix(s.AuthorityHost, "http://")
	for ae, want := range map[string]string{
		"": tenantBase + "/v2.0/.well-known/openid-configuration",
		"https://" + host + "/common/oauth2/v2.0/authorize":             s.AuthorityHost + "/common/v2.0/.well-known/openid-configuration",
		"https://" + host + "/" + s.TenantID + "/oauth2/v2.0/authorize": tenantBase + "/v2.0/.well-known/openid-configuration",
		"https://" + host + "/" + s.TenantID + "/oauth2/authorize":      tenantBase + "/.well-known/openid-configuration",
	} {
		m := get("/common/discovery/instance?api-version=1.1&authorization_endpoint=" + url.QueryEscape(ae))
		if m["tenant_discovery_endpoint"] != want {
			t.Errorf("authorization_endpoint %q: tenant_discovery_endpoint %v, want %s", ae, m["tenant_discovery_endpoint"], want)
		}
		md, _ := m["metadata"].([]any)
		if len(md) != 1 || !slices.Contains(md[0].(map[string]any)["aliases"].([]any), any(host)) {
			t.Errorf("metadata %v", m["metadata"])
		}
	}
}

func TestTokenBasicAuth(t *testing.T) {
	s := newTestServer(t, Options{})
	f := url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}}
	req, _ := http.NewRequest("POST", s.TokenEndpoint(), strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(s.ClientID), url.QueryEscape(s.ClientSecret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("client_secret_basic: %d", res.StatusCode)
	}
}
