// Package graphtest provides an in-process fake of the Microsoft identity
// platform and of the Microsoft Graph v1.0 users and groups API, for tests.
//
// Like net/http/httptest, it starts real HTTP listeners on the loopback
// interface: one plays the identity platform (the authority host, serving
// /{tenant}/oauth2/v2.0/token), the other plays Graph (serving /v1.0/users
// and friends). Keeping them on separate hosts lets a test prove that a
// client never sends a token, or anything else, to the wrong one.
//
// The fake speaks the wire formats of the real services: client credentials
// with a secret or a certificate-signed assertion, signed JWT access tokens,
// AADSTS error bodies, OData query options with their $ names, @odata.context,
// @odata.nextLink with opaque skip tokens, @odata.count, delta links, Graph's
// ODataError bodies and its request-id, client-request-id and Date headers,
// and 401 InvalidAuthenticationToken for a missing, bad, expired or revoked
// token. Its directory is in memory, seeded with deterministic users.
//
// Tests observe what clients sent through counters ([Server.TokenRequests],
// [Server.Requests], [Server.GraphRequests]) and the request log ([Server.LastRequest],
// [Server.Recorded]), and inject faults through interceptors
// ([Server.InterceptGraph], [Server.InterceptIdentity]) and
// [Server.RevokeTokens].
//
// # What is faked
//
// Identity platform (AuthorityHost): POST /{tenant}/oauth2/v2.0/token with
// grant_type=client_credentials, exactly one scope ending in /.default
// (beside which openid, profile, offline_access and email, which MSAL adds,
// are ignored, as Entra ignores them), and either client_secret (in the
// form or HTTP Basic) or a client_assertion signed by Options.Certificate
// and naming it by x5t#S256 or x5t (any base64 form) or x5c; the OpenID
// Connect metadata of v2.0 (/{tenant}/v2.0/.well-known/openid-configuration)
// and v1 (/{tenant}/.well-known/openid-configuration), with common and
// organizations answered as Entra does ({tenantid} in the issuer), their
// keys, and /common/discovery/instance for clients built on MSAL; the v1
// token endpoint, /{tenant}/oauth2/token, takes a resource for the scope. Tokens
// are RS256 JWTs with the claims of an app-only Graph token (aud, iss, tid,
// appid, roles, oid, iat, nbf, exp, ...).
//
// Graph (GraphURL): GET /users ($top 1-999, $select, $filter, $search,
// $count, $orderby, $skiptoken), GET /users/$count, GET /users/delta(),
// GET, PATCH and DELETE /users/{id or userPrincipalName}, POST /users and
// GET /users/{id}/memberOf; GET and POST /groups (POST requires
// displayName, mailEnabled, mailNickname and securityEnabled, and applies
// owners@odata.bind and members@odata.bind: 400 for an id that names no
// user or group, or for more than 20 of them together), GET /groups/$count,
// GET, PATCH and DELETE /groups/{id}, GET /groups/{id}/members (paged, each
// member with its @odata.type), POST /groups/{id}/members/$ref (400 when
// already a member) and DELETE /groups/{id}/members/{member-id}/$ref (404
// when not one). GET /groups takes the same query options as GET /users.
// members and memberOf take type casts (/members/microsoft.graph.user) and
// $count segments, and $filter, $search and $orderby as advanced queries.
// PATCH /groups/{id} also adds up to 20 members (and owners) with
// members@odata.bind, all or none. POST /$batch serves up to 20 of these
// requests through the same handlers (each counted under its own operation),
// honours dependsOn with 424 for the dependents of a failed request, answers
// Graph's 400s for a malformed batch, and throttles the requests
// [Server.ThrottleBatch] picks. The routing table is in route.go.
//
// $filter understands eq, ne, gt, ge, lt, le, in, not, and, or, parentheses,
// startswith, endswith, null, and any() over string collections and over
// assignedLicenses, assignedPlans, provisionedPlans and identities, on the
// scalar properties of microsoft.graph.user or microsoft.graph.group;
// string comparisons ignore case, as the directory's do. Queries that need
// Graph's advanced query capabilities (ne, not, endswith, $search, $count,
// $filter with $orderby, $orderby on other properties than displayName and
// userPrincipalName, any query on members and memberOf) are refused with
// Graph's 400 errors unless the request sends ConsistencyLevel: eventual
// (and $count=true where Graph wants it); $count=true without the header is
// ignored, as Graph ignores it.
//
// As Graph does, the fake reads request bodies sent with Content-Encoding
// gzip or deflate, enforces the roles of the token (403
// Authorization_RequestDenied; Options.Roles narrows them), requires a
// password on POST /users and refuses null for the properties POST requires.
// Its memory is bounded whatever clients send: bodies are capped at 4 MiB
// after decoding, the request log in count and bytes (requests without a
// valid token are logged as a line, their bodies never read), the directory
// and each object in size (Options.MaxObjects, Options.MaxObjectBytes).
//
// Other entity sets (applications, servicePrincipals, a type of your own)
// are served when registered in Options.EntitySets: list with the same
// query options and paging, $count, get (also by an alternate key such as
// servicePrincipals(appId='...')), create with required properties checked,
// update, delete, and bound actions through a handler; see EntitySet.
//
// Not faked: other resources, delegated (user) tokens, $expand (accepted and
// ignored), If-Match (recorded, not checked), throttling (except
// inside a $batch, with ThrottleBatch) and Continuous
// Access Evaluation (inject them with an Interceptor). By default a write is
// visible to the next read; Options.Replication makes the fake lag as the
// real directory does.
//
// A Server is safe for concurrent use.
package graphtest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Default credentials of a Server whose Options leave them empty. They are
// fixed fake values, so a test can spell them out.
const (
	DefaultTenantID     = "00000000-0000-4000-8000-00000000face"
	DefaultClientID     = "00000000-0000-4000-8000-0000000c1e47"
	DefaultClientSecret = "graphtest-fake-client-secret"
	DefaultDomain       = "contoso.example"
)

// graphAppID is the well-known application id of Microsoft Graph.
const graphAppID = "00000003-0000-0000-c000-000000000000"

// graphResource is the audience of access tokens for Graph.
const graphResource = "https://graph.microsoft.com"

// Operation names, the operationIds of the Graph users and groups API in
// api/graph.yaml, as counted by [Server.Requests] and recorded in
// [Request.Op]. Requests to the token endpoint are recorded as OpToken.
const (
	OpListUsers        = "listUsers"
	OpGetUser          = "getUser"
	OpCreateUser       = "createUser"
	OpUpdateUser       = "updateUser"
	OpDeleteUser       = "deleteUser"
	OpCountUsers       = "countUsers"
	OpDeltaUsers       = "deltaUsers"
	OpDeltaGroups      = "deltaGroups"
	OpListUserMemberOf = "listUserMemberOf"

	OpCountUserMemberOf = "countUserMemberOf" // GET /users/{id}/memberOf/$count, with or without a type cast
	OpCountGroups       = "countGroups"       // GET /groups/$count
	OpCountGroupMembers = "countGroupMembers" // GET /groups/{id}/members/$count, with or without a type cast

	OpListGroups        = "listGroups"
	OpGetGroup          = "getGroup"
	OpCreateGroup       = "createGroup"
	OpUpdateGroup       = "updateGroup"
	OpDeleteGroup       = "deleteGroup"
	OpListGroupMembers  = "listGroupMembers"
	OpAddGroupMember    = "addGroupMember"
	OpRemoveGroupMember = "removeGroupMember"

	// OpBatch is POST /$batch, counted once per HTTP request; the requests inside it are counted
	// under their own operations.
	OpBatch = "batch"

	OpToken = "token"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// TenantID, ClientID and ClientSecret are the credentials the token
	// endpoint accepts. Empty fields take DefaultTenantID, DefaultClientID and
	// DefaultClientSecret.
	TenantID, ClientID, ClientSecret string

	// Domain is the tenant's verified domain, used in seeded
	// userPrincipalNames; the token endpoint also accepts it in place of the
	// tenant id. Default DefaultDomain.
	Domain string

	// Certificate, when set, makes the token endpoint also accept a
	// client_assertion JWT signed (RS256 or PS256) by the certificate's RSA
	// key, carrying the certificate's x5t#S256 (or x5t) thumbprint, with
	// iss and sub the client id, aud the token endpoint URL and a valid exp.
	Certificate *x509.Certificate

	// Users is how many generated users to seed the directory with. The same
	// Users and Seed always give the same users, ids included.
	Users int
	// Groups is how many generated groups to seed (after the users), each
	// with a few of the generated users as members. Deterministic like Users.
	Groups int
	// Seed varies the generated users and groups.
	Seed int64

	// TokenLifetime is the lifetime of issued access tokens. Default 1h.
	TokenLifetime time.Duration

	// Roles are the application roles put in access tokens' roles claim,
	// which Graph enforces: an operation none of whose permissions the
	// token holds is answered 403 Authorization_RequestDenied. Default
	// (nil) every permission the operations served need (Directory.ReadWrite.All,
	// Group.ReadWrite.All, GroupMember.ReadWrite.All, User.ReadWrite.All);
	// narrow them (e.g. to User.Read.All) to test a client's 403 handling.
	Roles []string

	// PageSize is the page size of collections when the request has no $top
	// (or Prefer: odata.maxpagesize for delta). Default 100, as Graph.
	PageSize int

	// DeltaMembersPerItem is how many members@delta entries a group carries
	// in one groups delta item; a group with more member changes is repeated
	// in further items, which may fall on later pages, as Graph does with
	// large groups. Default DefaultDeltaMembersPerItem.
	DeltaMembersPerItem int

	// MaxRecorded bounds the request log returned by Recorded: the most
	// recent MaxRecorded requests are kept. Default 1000; negative keeps none.
	// Counters and LastRequest are not bounded by it.
	MaxRecorded int

	// MaxRecordedBytes bounds the bytes the request log holds (bodies,
	// headers, paths), so that memory stays bounded whatever clients send:
	// the oldest requests leave the log first. Each recorded body keeps at
	// most its first 64 KiB (Request.Truncated tells). Default 8 MiB.
	MaxRecordedBytes int

	// MaxObjects bounds the directory: a create that would make it hold
	// more users, groups and objects of EntitySets is refused with Graph's 400
	// Directory_QuotaExceeded. Default 100,000 beyond those seeded.
	MaxObjects int

	// MaxObjectBytes bounds one object: a create or update that would make
	// an object's JSON larger is refused with 413 Request_EntityTooLarge.
	// Default 64 KiB.
	MaxObjectBytes int

	// TLS serves both listeners over HTTPS with httptest's self-signed
	// certificate; Client trusts it and TLSCertificate returns it. For
	// clients that refuse plain HTTP.
	TLS bool

	// IdentityAddr and GraphAddr are the addresses to listen on, e.g.
	// "127.0.0.1:8080". Default "127.0.0.1:0", a free port each.
	IdentityAddr, GraphAddr string

	// Latency, when positive, delays every HTTP request to Graph by that much before it is served
	// (a $batch once, not once per request inside it), to compare strategies in benchmarks.
	Latency time.Duration

	// EntitySets are the entity sets served beside users and groups (applications,
	// servicePrincipals, ...), each with its properties, required ones and
	// seed objects; see EntitySet. An invalid one makes Start fail.
	EntitySets []EntitySet

	// Now, when set, is the server's clock: token issue and expiry, Date
	// headers, timestamps, Replication.Delay. Default time.Now.
	Now func() time.Time

	// Replication, when set, makes writes through the Graph API visible to
	// later requests only after a number of reads or a delay, answering as
	// Graph does meanwhile; see Replication. Objects seeded or added with
	// AddUser and AddGroup are visible at once. SetReplication changes it
	// on a running Server.
	Replication Replication
}

// Interceptor inspects a request before the fake handles it. It returns true
// when it has written the response itself (a fault), false to let the fake
// answer normally. The request body may be read: for a request with a
// valid token to a known operation the fake has buffered it (decompressed)
// and restores it for the normal handler; for any other request it is the
// body as sent, unread and capped at 4 MiB, which the fake will not read.
type Interceptor func(w http.ResponseWriter, r *http.Request) bool

// Server is a running fake of the identity platform and Graph. Create it
// with NewServer and stop it with Close.
type Server struct {
	// AuthorityHost is the identity platform's base URL, e.g.
	// "http://127.0.0.1:38711". The token endpoint is
	// AuthorityHost + "/" + TenantID + "/oauth2/v2.0/token".
	AuthorityHost string
	// GraphEndpoint is Graph's base URL without version, e.g.
	// "http://127.0.0.1:38712".
	GraphEndpoint string
	// GraphURL is GraphEndpoint + "/v1.0", the base of every Graph call.
	GraphURL string
	// TenantID, ClientID and ClientSecret are the accepted credentials.
	TenantID, ClientID, ClientSecret string

	// The URL fields above are what the fake writes into absolute URLs
	// (nextLinks, Location, discovery documents) and expects as a client
	// assertion's audience. A program serving the fake behind a proxy or
	// through Handler may repoint them at its own address, but only before
	// the first request: they are read without locking.
	// Domain is the tenant's domain.
	Domain string

	identity, graph *httptest.Server
	opts            Options
	key             *rsa.PrivateKey // signs access tokens; immutable
	kid             string
	spID            string // object id of the app's service principal (oid claim)

	dir *directory

	// repl holds the writes not yet visible (Options.Replication).
	repl replication

	// counts maps each operation name to its request counter. The map is
	// built once in NewServer and never changed; the counters are atomic.
	counts map[string]*atomic.Int64
	// graphTotal counts every HTTP request to the Graph listener, routed or not (a $batch once).
	graphTotal atomic.Int64
	// tokenSeq numbers issued tokens; revokedBelow is the first sequence
	// number still valid after RevokeTokens.
	tokenSeq, revokedBelow atomic.Uint64
	// challenge holds the claims of the CAE challenge sent for revoked
	// tokens, nil for a plain 401.
	challenge atomic.Pointer[string]
	// verifiedCache maps a token already verified to its verified claims;
	// verifiedCount approximates its size so it can be cleared when large.
	verifiedCache sync.Map
	verifiedCount atomic.Int64
	// graphHook and identityHook hold the current Interceptor of each listener.
	graphHook, identityHook atomic.Pointer[Interceptor]
	// batchThrottle holds the current BatchThrottle, nil for none.
	batchThrottle atomic.Pointer[BatchThrottle]

	// logMu guards log, logBytes and last.
	logMu    sync.Mutex
	log      []Request // the most recent requests, oldest first
	logBytes int       // what the requests in log hold, as Request.size counts it
	last     map[string]Request
}

// signingKey returns the RSA key that signs access tokens. Generating a
// 2048-bit key takes tens of milliseconds, so one key serves every Server of
// the process; each Server still has its own key id, and Graph rejects
// tokens carrying another Server's.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("graphtest: generating signing key: " + err.Error())
	}
	return key
})

// NewServer starts a Server on two loopback listeners. It panics if it
// cannot listen, like httptest.NewServer; Start returns the error instead.
func NewServer(opts Options) *Server {
	s, err := Start(opts)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// Start starts a Server like NewServer, returning an error if it cannot
// listen on Options.IdentityAddr or Options.GraphAddr.
func Start(opts Options) (*Server, error) {
	if opts.TenantID == "" {
		opts.TenantID = DefaultTenantID
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.Domain == "" {
		opts.Domain = DefaultDomain
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.Roles == nil {
		opts.Roles = defaultRoles
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.PageSize > 999 {
		opts.PageSize = 999
	}
	if opts.MaxRecorded == 0 {
		opts.MaxRecorded = 1000
	}
	if opts.MaxRecordedBytes <= 0 {
		opts.MaxRecordedBytes = 8 << 20
	}
	if opts.MaxObjects <= 0 {
		opts.MaxObjects = opts.Users + opts.Groups + 100_000
		for _, set := range opts.EntitySets {
			opts.MaxObjects += len(set.Seed)
		}
	}
	if opts.MaxObjectBytes <= 0 {
		opts.MaxObjectBytes = 64 << 10
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	key := signingKey()
	s := &Server{
		TenantID:     opts.TenantID,
		ClientID:     opts.ClientID,
		ClientSecret: opts.ClientSecret,
		Domain:       opts.Domain,
		opts:         opts,
		key:          key,
		dir:          newDirectory(),
		counts:       make(map[string]*atomic.Int64, len(allOps)),
		last:         make(map[string]Request),
		spID:         seededUUID(opts.Seed, -1),
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	s.kid = b64.EncodeToString(n.Bytes())
	for _, op := range allOps {
		s.counts[op] = new(atomic.Int64)
	}
	s.repl.cfg = opts.Replication
	s.seed(opts.Users, opts.Seed)
	s.seedGroups(opts.Groups, opts.Seed)
	if err := s.registerSets(opts.EntitySets); err != nil {
		return nil, err
	}

	var err error
	if s.identity, err = listen(opts.IdentityAddr, opts.TLS, http.HandlerFunc(s.serveIdentity)); err != nil {
		return nil, err
	}
	if s.graph, err = listen(opts.GraphAddr, opts.TLS, http.HandlerFunc(s.serveGraphHTTP)); err != nil {
		s.identity.Close()
		return nil, err
	}
	s.AuthorityHost = s.identity.URL
	s.GraphEndpoint = s.graph.URL
	s.GraphURL = s.graph.URL + "/v1.0"
	return s, nil
}

// listen starts an httptest server for h on addr.
func listen(addr string, useTLS bool, h http.Handler) (*httptest.Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("graphtest: listening on %s: %w", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	// A slow or idle client cannot hold a connection, and its buffers, for long.
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	srv.Config.ReadTimeout = time.Minute
	srv.Config.IdleTimeout = 2 * time.Minute
	srv.Config.MaxHeaderBytes = 256 << 10
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	return srv, nil
}

// Handler returns a handler serving both the identity platform and Graph on
// one host, routed by path: /v1.0/... (and /beta/..., which Graph answers
// with an error) to Graph, everything else to the identity platform. It
// shares the Server's directory, counters, log and interceptors. A program
// serving it on its own listener (an emulator) should set AuthorityHost,
// GraphEndpoint and GraphURL to that listener's URL first.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/v1.0" || strings.HasPrefix(p, "/v1.0/") || p == "/beta" || strings.HasPrefix(p, "/beta/") {
			s.serveGraphHTTP(w, r)
			return
		}
		s.serveIdentity(w, r)
	})
}

// TLSCertificate returns the certificate both listeners serve with
// Options.TLS, or nil without it.
func (s *Server) TLSCertificate() *x509.Certificate {
	return s.graph.Certificate()
}

// Close shuts both listeners down and waits for outstanding requests.
func (s *Server) Close() {
	s.identity.Close()
	s.graph.Close()
}

// TokenEndpoint returns the URL of the tenant's token endpoint.
func (s *Server) TokenEndpoint() string {
	return s.AuthorityHost + "/" + s.TenantID + "/oauth2/v2.0/token"
}

// Client returns an *http.Client for the Server's listeners, trusting their
// certificate with Options.TLS. Without TLS any client works.
func (s *Server) Client() *http.Client {
	return s.graph.Client()
}

func (s *Server) now() time.Time { return s.opts.Now() }

// serveGraphHTTP is the entry of an HTTP request to Graph: it counts it and adds Options.Latency.
// The requests inside a $batch go to serveGraph directly.
func (s *Server) serveGraphHTTP(w http.ResponseWriter, r *http.Request) {
	s.graphTotal.Add(1)
	if d := s.opts.Latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	s.serveGraph(w, r)
}

// TokenRequests returns how many requests reached the token endpoint,
// successful or not.
func (s *Server) TokenRequests() int { return int(s.counts[OpToken].Load()) }

// Requests returns how many requests were routed to the operation op (an Op
// constant), counting every attempt: those answered by an interceptor, with
// 401 or with any other error included. Unknown names count zero.
func (s *Server) Requests(op string) int {
	if c := s.counts[op]; c != nil {
		return int(c.Load())
	}
	return 0
}

// GraphRequests returns how many requests reached the Graph listener, whatever their method and
// path: those routed to an operation and those answered 400, 404 or 405 alike. A $batch counts once,
// however many requests it carries (Requests counts those under their operations). A test that
// expects a client to refuse a call before sending it checks that this does not move.
func (s *Server) GraphRequests() int { return int(s.graphTotal.Load()) }

// InterceptGraph installs fn in front of every request to the Graph listener,
// replacing any previous one; nil removes it. The request has been counted
// and recorded when fn runs, and is not yet authenticated.
func (s *Server) InterceptGraph(fn Interceptor) { s.graphHook.Store(hookPtr(fn)) }

// InterceptIdentity installs fn in front of every request to the identity
// listener, replacing any previous one; nil removes it.
func (s *Server) InterceptIdentity(fn Interceptor) { s.identityHook.Store(hookPtr(fn)) }

func hookPtr(fn Interceptor) *Interceptor {
	if fn == nil {
		return nil
	}
	return &fn
}

// RevokeTokens makes every access token issued so far invalid: Graph answers
// them with 401 InvalidAuthenticationToken even before they expire, as after
// a revocation. Tokens issued afterwards work.
func (s *Server) RevokeTokens() {
	s.challenge.Store(nil)
	s.revokedBelow.Store(s.tokenSeq.Load() + 1)
}

// RevokeTokensWithClaims is RevokeTokens as Continuous Access Evaluation
// reports it: the 401 for a revoked token also carries
// error="insufficient_claims" and claims (claims, a JSON claims request,
// base64-encoded) in its WWW-Authenticate challenge, which a client answers
// by requesting a new token with that claims parameter. The token endpoint
// accepts the parameter; tests read it from LastRequest(OpToken).
func (s *Server) RevokeTokensWithClaims(claims string) {
	s.challenge.Store(&claims)
	s.revokedBelow.Store(s.tokenSeq.Load() + 1)
}

// intercept runs the listener's interceptor, if any, with a fresh body
// reader, and restores the body for the handler.
func intercept(hook *atomic.Pointer[Interceptor], w http.ResponseWriter, r *http.Request, body []byte) bool {
	fn := hook.Load()
	if fn == nil {
		return false
	}
	handled := (*fn)(w, r)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return handled
}

// pathSegments splits an escaped path into unescaped segments, so that an
// escaped "/" (%2F) stays inside its segment and "#" (%23) decodes.
func pathSegments(escaped string) ([]string, bool) {
	parts := strings.Split(strings.Trim(escaped, "/"), "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, false
		}
		parts[i] = u
	}
	return parts, true
}
