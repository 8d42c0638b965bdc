package graphtest

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// tokenResponse is the token endpoint's success body.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
}

// serveIdentity is the identity platform listener.
func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request) {
	segs, ok := pathSegments(r.URL.EscapedPath())
	op := ""
	v1 := ok && len(segs) == 3 && segs[1] == "oauth2" && segs[2] == "token"
	if v1 || ok && len(segs) == 4 && segs[1] == "oauth2" && segs[2] == "v2.0" && segs[3] == "token" {
		op = OpToken
	}
	body, err := s.capture(op, w, r, op != "")
	if intercept(&s.identityHook, w, r, body) {
		return
	}
	if err != nil {
		w.Header().Set("Connection", "close") // the rest of the body is left unread
		s.IdentityError(w, r, http.StatusRequestEntityTooLarge, "invalid_request", 900144, "The request body is too large or could not be read.")
		return
	}
	switch {
	case op == OpToken:
		s.token(w, r, segs[0], v1)
	case ok && len(segs) == 4 && segs[1] == "v2.0" && segs[2] == ".well-known" && segs[3] == "openid-configuration":
		s.openIDConfig(w, r, segs[0], true)
	case ok && len(segs) == 3 && segs[1] == ".well-known" && segs[2] == "openid-configuration":
		s.openIDConfig(w, r, segs[0], false)
	case ok && len(segs) == 4 && segs[1] == "discovery" && segs[2] == "v2.0" && segs[3] == "keys",
		ok && len(segs) == 3 && segs[1] == "discovery" && segs[2] == "keys":
		s.jwks(w, r)
	case ok && len(segs) == 3 && segs[1] == "discovery" && segs[2] == "instance" && (segs[0] == "common" || s.knownTenant(segs[0])):
		s.instanceDiscovery(w, r)
	default:
		http.NotFound(w, r)
	}
}

// multiTenant reports whether t is one of the identity platform's
// multi-tenant authorities.
func multiTenant(t string) bool {
	return strings.EqualFold(t, "common") || strings.EqualFold(t, "organizations") || strings.EqualFold(t, "consumers")
}

// knownTenant reports whether t names this server's tenant (by id or domain).
func (s *Server) knownTenant(t string) bool {
	return strings.EqualFold(t, s.TenantID) || strings.EqualFold(t, s.Domain)
}

// token implements POST /{tenant}/oauth2/v2.0/token for client credentials.
func (s *Server) token(w http.ResponseWriter, r *http.Request, tenant string, v1 bool) {
	if r.Method != http.MethodPost {
		s.IdentityError(w, r, http.StatusBadRequest, "invalid_request", 900561,
			fmt.Sprintf("The endpoint only accepts POST requests. Received a %s request.", r.Method))
		return
	}
	if !s.knownTenant(tenant) {
		s.IdentityError(w, r, http.StatusBadRequest, "invalid_request", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		s.IdentityError(w, r, http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'grant_type'.")
		return
	}
	if err := r.ParseForm(); err != nil {
		s.IdentityError(w, r, http.StatusBadRequest, "invalid_request", 900144,
			"The request body could not be parsed as a form.")
		return
	}
	f := r.PostForm
	missing := func(name string) {
		s.IdentityError(w, r, http.StatusBadRequest, "invalid_request", 900144,
			fmt.Sprintf("The request body must contain the following parameter: '%s'.", name))
	}
	grant := f.Get("grant_type")
	if grant == "" {
		missing("grant_type")
		return
	}
	if grant != "client_credentials" {
		s.IdentityError(w, r, http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'.", grant))
		return
	}
	clientID := f.Get("client_id")
	secret, assertion := f.Get("client_secret"), f.Get("client_assertion")
	// client_secret_basic: RFC 6749 section 2.3.1 form-encodes both parts.
	if user, pass, ok := r.BasicAuth(); ok {
		user, _ = url.QueryUnescape(user)
		pass, _ = url.QueryUnescape(pass)
		if clientID == "" {
			clientID = user
		}
		if secret == "" && user == clientID {
			secret = pass
		}
	}
	if clientID == "" {
		missing("client_id")
		return
	}
	// The v1 endpoint (/{tenant}/oauth2/token, which the v1 metadata names)
	// takes the resource itself instead of a scope.
	scope := f.Get("scope")
	if v1 {
		if scope = f.Get("resource"); scope == "" {
			missing("resource")
			return
		}
		scope = strings.TrimSuffix(scope, "/") + "/.default"
	}
	if scope == "" {
		missing("scope")
		return
	}
	if !strings.EqualFold(clientID, s.ClientID) {
		s.IdentityError(w, r, http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. The app may not be installed in this tenant, or the request went to the wrong tenant.", clientID, tenant))
		return
	}
	resource, ok := defaultScope(scope)
	if !ok {
		s.IdentityError(w, r, http.StatusBadRequest, "invalid_scope", 1002012,
			fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a single scope value with /.default suffixed to the resource identifier (application ID URI).", scope))
		return
	}
	if resource == graphAppID {
		resource = graphResource
	}
	appidacr := "1"
	switch {
	case secret != "" && assertion != "":
		s.IdentityError(w, r, http.StatusUnauthorized, "invalid_client", 7000219,
			"The request body must contain only one of the following parameters: 'client_assertion' or 'client_secret'.")
		return
	case secret != "":
		if secret != s.ClientSecret {
			s.IdentityError(w, r, http.StatusUnauthorized, "invalid_client", 7000215,
				fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", s.ClientID))
			return
		}
	case assertion != "":
		if f.Get("client_assertion_type") != assertionType {
			s.IdentityError(w, r, http.StatusBadRequest, "invalid_request", 50027,
				"The client_assertion_type must be '"+assertionType+"'.")
			return
		}
		if code, msg := s.checkAssertion(assertion, tenant); code != 0 {
			s.IdentityError(w, r, http.StatusUnauthorized, "invalid_client", code, msg)
			return
		}
		appidacr = "2"
	default:
		s.IdentityError(w, r, http.StatusUnauthorized, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
		return
	}

	tok, expiresIn, err := s.issue(resource, appidacr)
	if err != nil {
		s.IdentityError(w, r, http.StatusInternalServerError, "server_error", 50000, "There was an error issuing a token.")
		return
	}
	body, _ := json.Marshal(tokenResponse{TokenType: "Bearer", ExpiresIn: expiresIn, ExtExpiresIn: expiresIn, AccessToken: tok})
	corrID := r.Header.Get("client-request-id")
	if corrID == "" {
		corrID = newUUID()
	}
	s.identityHeaders(w, newUUID(), corrID)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// oidcScopes are the OpenID Connect scopes that MSAL adds to every request
// and that Entra ignores in a client credentials grant.
var oidcScopes = []string{"openid", "profile", "offline_access", "email"}

// defaultScope reads a client credentials scope: exactly one
// "{resource}/.default", beside which only the OpenID Connect scopes may
// stand (ignored, as Entra ignores them). It returns the resource.
func defaultScope(scope string) (string, bool) {
	resource := ""
	for _, sc := range strings.Fields(scope) {
		if slices.ContainsFunc(oidcScopes, func(o string) bool { return strings.EqualFold(o, sc) }) {
			continue
		}
		r, ok := strings.CutSuffix(sc, "/.default")
		if !ok || r == "" || resource != "" {
			return "", false
		}
		resource = r
	}
	return resource, resource != ""
}

// checkAssertion validates a client_assertion JWT; it returns 0 when good,
// else the AADSTS code and message.
func (s *Server) checkAssertion(assertion, tenant string) (int, string) {
	cert := s.opts.Certificate
	if cert == nil {
		return 700027, "Client assertion contains an invalid signature: no certificate is registered for the application."
	}
	p, err := parseJWT(assertion)
	if err != nil {
		return 50027, "JWT token is invalid or malformed."
	}
	if code, msg := s.checkThumbprint(p.header); code != 0 {
		return code, msg
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return 700027, "Client assertion failed signature validation: the registered certificate has no RSA key."
	}
	if err := p.verify(pub); err != nil {
		return 700027, "Client assertion failed signature validation."
	}
	if p.str("iss") != s.ClientID || p.str("sub") != s.ClientID {
		return 700021, "Client assertion application identifier doesn't match 'client_id' parameter: iss and sub must be the client id."
	}
	aud := p.str("aud")
	validAud := []string{
		s.AuthorityHost + "/" + tenant + "/oauth2/v2.0/token",
		s.AuthorityHost + "/" + s.TenantID + "/oauth2/v2.0/token",
		s.AuthorityHost + "/" + tenant + "/oauth2/token",
		s.AuthorityHost + "/" + s.TenantID + "/oauth2/token",
		s.AuthorityHost + "/" + s.TenantID + "/v2.0",
	}
	audOK := false
	for _, v := range validAud {
		audOK = audOK || strings.EqualFold(aud, v)
	}
	if !audOK {
		return 700212, fmt.Sprintf("No matching federated identity record found for presented assertion audience '%s'.", aud)
	}
	now := s.now().Unix()
	exp, ok := p.num("exp")
	if !ok || exp <= now {
		return 700024, "Client assertion is not within its valid time range."
	}
	if nbf, ok := p.num("nbf"); ok && nbf > now+300 {
		return 700024, "Client assertion is not within its valid time range."
	}
	return 0, ""
}

// checkThumbprint checks that a client assertion's header names the
// registered certificate: by x5t#S256 (SHA-256) or x5t (SHA-1), compared as
// bytes whatever base64 alphabet and padding the client chose, and by the
// first certificate of x5c when the header carries one.
func (s *Server) checkThumbprint(h map[string]any) (int, string) {
	cert := s.opts.Certificate
	if x5c, ok := h["x5c"]; ok {
		var first any
		if chain, _ := x5c.([]any); len(chain) > 0 {
			first = chain[0]
		}
		der, ok := decodeB64(first)
		if !ok || !bytes.Equal(der, cert.Raw) {
			return 700027, "Client assertion failed signature validation: the certificate in x5c is not a registered certificate."
		}
	}
	s256, hasS256 := h["x5t#S256"]
	s1, hasS1 := h["x5t"]
	switch {
	case hasS256:
		sum := sha256.Sum256(cert.Raw)
		if got, ok := decodeB64(s256); !ok || !bytes.Equal(got, sum[:]) {
			return 700027, "Client assertion failed signature validation: the certificate thumbprint (x5t#S256) does not match a registered certificate."
		}
	case hasS1:
		sum := sha1.Sum(cert.Raw)
		if got, ok := decodeB64(s1); !ok || !bytes.Equal(got, sum[:]) {
			return 700027, "Client assertion failed signature validation: the certificate thumbprint (x5t) does not match a registered certificate."
		}
	default:
		if _, ok := h["x5c"]; !ok {
			return 700027, "Client assertion failed signature validation: the header names no certificate thumbprint (x5t#S256 or x5t)."
		}
	}
	return 0, ""
}

// decodeB64 decodes a JSON string in any of base64's four forms: standard
// or URL alphabet, padded or not.
func decodeB64(v any) ([]byte, bool) {
	s, ok := v.(string)
	if !ok || s == "" {
		return nil, false
	}
	s = strings.TrimRight(s, "=")
	s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}

// accessClaims are the claims of an issued access token (a v1.0 token, as
// Graph receives for app-only calls).
type accessClaims struct {
	Aud      string   `json:"aud"`
	Iss      string   `json:"iss"`
	Iat      int64    `json:"iat"`
	Nbf      int64    `json:"nbf"`
	Exp      int64    `json:"exp"`
	AppName  string   `json:"app_displayname"`
	AppID    string   `json:"appid"`
	AppIDAcr string   `json:"appidacr"`
	IdP      string   `json:"idp"`
	IDTyp    string   `json:"idtyp"`
	OID      string   `json:"oid"`
	Roles    []string `json:"roles"`
	Sub      string   `json:"sub"`
	TID      string   `json:"tid"`
	UTI      string   `json:"uti"`
	Ver      string   `json:"ver"`
}

// issue signs a new access token for resource and returns it with its
// expires_in.
func (s *Server) issue(resource, appidacr string) (string, int64, error) {
	now := s.now()
	lifetime := int64(s.opts.TokenLifetime / time.Second)
	if lifetime < 1 {
		lifetime = 1
	}
	// exp is rounded up to the second, so the token is valid for at least the whole lifetime from now
	// and expires_in below never overstates it.
	expAt := now.Add(time.Duration(lifetime) * time.Second)
	exp := expAt.Unix()
	if expAt.Nanosecond() > 0 {
		exp++
	}
	// uti carries the token's sequence number, so revocation needs no table.
	var uti [16]byte
	binary.BigEndian.PutUint64(uti[:8], s.tokenSeq.Add(1))
	copy(uti[8:], newUUID()[:8])
	iss := "https://sts.windows.net/" + s.TenantID + "/"
	c := accessClaims{
		Aud: resource, Iss: iss, Iat: now.Unix(), Nbf: now.Unix(), Exp: exp,
		AppName: "graphtest client", AppID: s.ClientID, AppIDAcr: appidacr, IdP: iss,
		IDTyp: "app", OID: s.spID, Roles: s.opts.Roles, Sub: s.spID, TID: s.TenantID,
		UTI: b64.EncodeToString(uti[:]), Ver: "1.0",
	}
	h := map[string]string{"typ": "JWT", "alg": "RS256", "x5t": s.kid, "kid": s.kid}
	tok, err := signJWT(s.key, h, c)
	// The real service reports one second less than the lifetime (3599 for an
	// hour); short test lifetimes (Options.TokenLifetime of a few seconds) are
	// reported whole, so a 2 s token is a 2 s token to the client.
	expiresIn := lifetime
	if lifetime >= 60 {
		expiresIn--
	}
	return tok, expiresIn, err
}

// Token issues an access token for Graph directly, without an HTTP round
// trip, for tests that need a valid bearer token. It does not count as a
// token request.
func (s *Server) Token() string {
	tok, _, err := s.issue(graphResource, "1")
	if err != nil {
		panic("graphtest: signing token: " + err.Error())
	}
	return tok
}

// checkBearer validates the Authorization header of a Graph call; it returns
// the token's roles and "" when the token is good, else the 401 message.
func (s *Server) checkBearer(r *http.Request) ([]string, string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, "Access token is empty."
	}
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return nil, "Access token is empty."
	}
	tok = strings.TrimSpace(tok)
	v, msg := s.verifiedToken(tok)
	if msg != "" {
		return nil, msg
	}
	now := s.now().Unix()
	if now >= v.exp {
		return nil, "Lifetime validation failed, the token is expired."
	}
	if now < v.nbf {
		return nil, "Lifetime validation failed, the token is not yet valid."
	}
	if v.seq < s.revokedBelow.Load() {
		if s.challenge.Load() != nil {
			return nil, caeMessage
		}
		return nil, "Access token has been revoked."
	}
	return v.roles, ""
}

// caeMessage is the 401 message of a Continuous Access Evaluation challenge.
const caeMessage = "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp"

// verified is what Graph needs of a token whose signature and claims have
// been checked: the time-dependent checks run on every call.
type verified struct {
	exp, nbf int64
	seq      uint64   // issue sequence number, from uti
	roles    []string // the roles claim; shared, never modified
}

// maxVerified bounds the cache of verified tokens.
const maxVerified = 4096

// verifiedToken checks tok's signature, audience and tenant, caching the
// result so that a burst of calls with one token verifies it once.
func (s *Server) verifiedToken(tok string) (verified, string) {
	if v, ok := s.verifiedCache.Load(tok); ok {
		return v.(verified), ""
	}
	p, err := parseJWT(tok)
	if err != nil {
		return verified{}, "IDX14100: JWT is not well formed, there are no dots (.)."
	}
	if kid, _ := p.header["kid"].(string); kid != s.kid || p.verify(&s.key.PublicKey) != nil {
		return verified{}, "Access token validation failure. Invalid signature."
	}
	if aud := p.str("aud"); aud != graphResource && aud != graphAppID && aud != graphResource+"/" {
		return verified{}, "Access token validation failure. Invalid audience."
	}
	if p.str("tid") != s.TenantID {
		return verified{}, "Access token validation failure. Invalid issuer."
	}
	exp, ok := p.num("exp")
	if !ok {
		return verified{}, "Lifetime validation failed, the token is expired."
	}
	nbf, _ := p.num("nbf")
	uti, err := b64.DecodeString(p.str("uti"))
	if err != nil || len(uti) < 8 {
		return verified{}, "Access token validation failure. Invalid signature."
	}
	v := verified{exp: exp, nbf: nbf, seq: binary.BigEndian.Uint64(uti[:8])}
	if roles, ok := p.claims["roles"].([]any); ok {
		for _, r := range roles {
			if r, ok := r.(string); ok {
				v.roles = append(v.roles, r)
			}
		}
	}
	if s.verifiedCount.Add(1) > maxVerified {
		s.verifiedCache.Clear()
		s.verifiedCount.Store(0)
	}
	s.verifiedCache.Store(tok, v)
	return v, ""
}

// openIDConfig serves the OpenID Connect metadata that MSAL-based clients
// fetch before asking for a token: v2 (/{tenant}/v2.0/.well-known/...) or
// v1 (/{tenant}/.well-known/...). As Entra does, a tenant's document names
// the tenant's id in every URL and its issuer, while the multi-tenant
// authorities' (common, organizations) keep their own name in the endpoints
// and the {tenantid} placeholder in the issuer.
func (s *Server) openIDConfig(w http.ResponseWriter, r *http.Request, tenant string, v2 bool) {
	if !s.knownTenant(tenant) && !multiTenant(tenant) {
		s.IdentityError(w, r, http.StatusBadRequest, "invalid_tenant", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
		return
	}
	tid := s.TenantID
	if multiTenant(tenant) {
		tid = "{tenantid}"
	} else {
		tenant = s.TenantID
	}
	base := s.AuthorityHost + "/" + tenant
	doc := map[string]any{
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
	}
	if multiTenant(tenant) {
		doc["tenant_region_scope"] = nil
	}
	if v2 {
		doc["token_endpoint"] = base + "/oauth2/v2.0/token"
		doc["token_endpoint_auth_methods_supported"] = []string{"client_secret_post", "private_key_jwt", "client_secret_basic"}
		doc["jwks_uri"] = base + "/discovery/v2.0/keys"
		doc["scopes_supported"] = []string{"openid", "profile", "email", "offline_access"}
		doc["issuer"] = s.AuthorityHost + "/" + tid + "/v2.0"
		doc["authorization_endpoint"] = base + "/oauth2/v2.0/authorize"
		doc["device_authorization_endpoint"] = base + "/oauth2/v2.0/devicecode"
		doc["end_session_endpoint"] = base + "/oauth2/v2.0/logout"
		doc["userinfo_endpoint"] = "https://graph.microsoft.com/oidc/userinfo"
	} else {
		doc["token_endpoint"] = base + "/oauth2/token"
		doc["token_endpoint_auth_methods_supported"] = []string{"client_secret_post", "private_key_jwt", "client_secret_basic"}
		doc["jwks_uri"] = s.AuthorityHost + "/common/discovery/keys"
		doc["issuer"] = "https://sts.windows.net/" + tid + "/"
		doc["authorization_endpoint"] = base + "/oauth2/authorize"
		doc["device_authorization_endpoint"] = base + "/oauth2/devicecode"
		doc["end_session_endpoint"] = base + "/oauth2/logout"
		doc["userinfo_endpoint"] = base + "/openid/userinfo"
		doc["microsoft_multi_refresh_token"] = true
	}
	writeJSON(w, http.StatusOK, doc)
}

// jwks serves the key that signs access tokens.
func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "kid": s.kid, "x5t": s.kid,
		"n":      base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
	}}})
}

// instanceDiscovery answers MSAL's authority validation
// (/common/discovery/instance?api-version=1.1&authorization_endpoint=...):
// the metadata document of the authorization endpoint's tenant (v2 or v1,
// as the endpoint is) and this host as its only alias.
func (s *Server) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	host := strings.TrimPrefix(strings.TrimPrefix(s.AuthorityHost, "http://"), "https://")
	tenant, v2 := s.TenantID, true
	if ae, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil && ae.Path != "" {
		segs := strings.Split(strings.Trim(ae.Path, "/"), "/")
		if segs[0] != "" {
			tenant = segs[0]
		}
		v2 = slices.Contains(segs, "v2.0")
	}
	discovery := s.AuthorityHost + "/" + url.PathEscape(tenant) + "/v2.0/.well-known/openid-configuration"
	if !v2 {
		discovery = s.AuthorityHost + "/" + url.PathEscape(tenant) + "/.well-known/openid-configuration"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": discovery,
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host, "preferred_cache": host, "aliases": []string{host},
		}},
	})
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
