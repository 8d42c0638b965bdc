package graphtest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBearerValidation(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)}
	s := newTestServer(t, Options{Users: 1, Now: clock.Now, TokenLifetime: 10 * time.Minute})
	other := newTestServer(t, Options{})
	good := fetchToken(t, s)

	otherAud := func() string {
		f := tokenForm(s)
		f.Set("scope", "http://127.0.0.1:1234/.default")
		r := postForm(t, s.TokenEndpoint(), f)
		return r.json(t)["access_token"].(string)
	}()
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))

	tests := []struct {
		name, auth, msg string
	}{
		{"missing", "", "Access token is empty."},
		{"not bearer", "Basic " + good, "Access token is empty."},
		{"garbage", "Bearer not-a-jwt", "IDX14100"},
		{"bad signature", "Bearer " + tampered, "Invalid signature"},
		{"other server", "Bearer " + fetchToken(t, other), "Invalid signature"},
		{"scope from base URL", "Bearer " + otherAud, "Invalid audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			checkUnauthorized(t, do(t, "GET", s.GraphURL+"/users", h, ""), tt.msg)
		})
	}

	c := &graphClient{t: t, s: s, token: good}
	if r := c.get("/users"); r.status != 200 {
		t.Fatalf("good token: %d %s", r.status, r.body)
	}
	clock.Advance(10*time.Minute - time.Second)
	if r := c.get("/users"); r.status != 200 {
		t.Fatalf("token 1s before expiry: %d %s", r.status, r.body)
	}
	clock.Advance(time.Second)
	checkUnauthorized(t, c.get("/users"), "Lifetime validation failed, the token is expired.")

	// Revocation: tokens issued before fail, tokens issued after work.
	c.token = fetchToken(t, s)
	s.RevokeTokens()
	checkUnauthorized(t, c.get("/users"), "revoked")
	c.token = fetchToken(t, s)
	if r := c.get("/users"); r.status != 200 {
		t.Errorf("token issued after revocation: %d %s", r.status, r.body)
	}
	if s.Requests(OpListUsers) != len(tests)+5 {
		t.Errorf("Requests(listUsers) = %d: rejected calls must count", s.Requests(OpListUsers))
	}
}

func checkUnauthorized(t *testing.T, r response, msg string) {
	t.Helper()
	if r.status != http.StatusUnauthorized {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	code, m := graphErr(t, r)
	if code != "InvalidAuthenticationToken" || !strings.Contains(m, msg) {
		t.Errorf("got %s %q, want InvalidAuthenticationToken containing %q", code, m, msg)
	}
	if wa := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(wa, "Bearer ") || !strings.Contains(wa, "authorization_uri=") {
		t.Errorf("WWW-Authenticate %q", wa)
	}
}

func TestRecording(t *testing.T) {
	s := newTestServer(t, Options{Users: 3, MaxRecorded: 4})
	c := newGraphClient(t, s)
	if _, ok := s.LastRequest(OpListUsers); ok {
		t.Fatal("LastRequest before any request")
	}
	c.get("/users?$top=2&$select=id,displayName&$filter=startswith(displayName,%27A%27)",
		"ConsistencyLevel: eventual", "client-request-id: abc")
	r, ok := s.LastRequest(OpListUsers)
	if !ok {
		t.Fatal("no listUsers recorded")
	}
	if r.Op != OpListUsers || r.Method != "GET" || r.Path != "/v1.0/users" ||
		r.RawQuery != "$top=2&$select=id,displayName&$filter=startswith(displayName,%27A%27)" ||
		r.Query.Get("$filter") != "startswith(displayName,'A')" ||
		r.Header.Get("ConsistencyLevel") != "eventual" || r.Header.Get("Authorization") != "Bearer "+c.token {
		t.Errorf("recorded %+v", r)
	}
	guest := "x_y.example#EXT#@contoso.example"
	c.get("/users/" + url.PathEscape(guest))
	if r, _ := s.LastRequest(OpGetUser); r.Path != "/v1.0/users/"+guest || r.RawPath != "/v1.0/users/x_y.example%23EXT%23@contoso.example" {
		t.Errorf("path %q raw %q", r.Path, r.RawPath)
	}
	tok, _ := s.LastRequest(OpToken)
	if tok.Method != "POST" || !strings.Contains(string(tok.Body), "grant_type=client_credentials") {
		t.Errorf("token request %+v", tok)
	}
	for range 5 {
		c.get("/users/$count", "ConsistencyLevel: eventual")
	}
	rec := s.Recorded()
	if len(rec) != 4 {
		t.Fatalf("Recorded kept %d, want 4", len(rec))
	}
	for _, r := range rec {
		if r.Op != OpCountUsers {
			t.Errorf("Recorded should hold the 4 most recent: %v", r.Op)
		}
	}
	if s.TokenRequests() != 1 || s.Requests(OpCountUsers) != 5 || s.Requests("nope") != 0 {
		t.Errorf("counters: token %d count %d", s.TokenRequests(), s.Requests(OpCountUsers))
	}
	s.ResetRecorded()
	if len(s.Recorded()) != 0 {
		t.Error("ResetRecorded left requests")
	}
	if _, ok := s.LastRequest(OpListUsers); ok {
		t.Error("ResetRecorded left LastRequest")
	}
	if s.Requests(OpCountUsers) != 5 {
		t.Error("ResetRecorded reset the counters")
	}
}

func TestRecordedOrder(t *testing.T) {
	s := newTestServer(t, Options{Users: 1, MaxRecorded: 3})
	c := newGraphClient(t, s)
	for i := range 7 {
		c.get(fmt.Sprintf("/users?$top=%d", i+1))
	}
	var got []string
	for _, r := range s.Recorded() {
		got = append(got, r.RawQuery)
	}
	if strings.Join(got, " ") != "$top=5 $top=6 $top=7" {
		t.Errorf("Recorded order %v", got)
	}
}

func TestInterceptGraph(t *testing.T) {
	s := newTestServer(t, Options{Users: 1})
	c := newGraphClient(t, s)
	var mu sync.Mutex // guards fails and seenBody
	fails := 2
	var seenBody string
	s.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		b, _ := io.ReadAll(r.Body)
		seenBody = string(b)
		if fails > 0 {
			fails--
			w.Header().Set("Retry-After", "2")
			s.GraphError(w, r, http.StatusTooManyRequests, "TooManyRequests", "Too many requests.")
			return true
		}
		return false
	})
	body := `{"accountEnabled":true,"displayName":"T","mailNickname":"t","userPrincipalName":"t@contoso.example","passwordProfile":{"password":"p"}}`
	for i, want := range []int{429, 429, 201} {
		r := c.call("POST", "/users", body, "client-request-id: same")
		if r.status != want {
			t.Fatalf("attempt %d: %d %s", i, r.status, r.body)
		}
		if want == 429 {
			if code, _ := graphErr(t, r); code != "TooManyRequests" || r.header.Get("Retry-After") != "2" {
				t.Errorf("429: %s %q", code, r.header.Get("Retry-After"))
			}
		}
	}
	if seenBody != body {
		t.Errorf("interceptor saw body %q", seenBody)
	}
	if s.Requests(OpCreateUser) != 3 || s.UserCount() != 2 {
		t.Errorf("Requests(createUser) = %d, users %d", s.Requests(OpCreateUser), s.UserCount())
	}
	s.InterceptGraph(nil)
	if r := c.get("/users"); r.status != 200 {
		t.Errorf("after removing interceptor: %d", r.status)
	}
}

func TestInterceptIdentity(t *testing.T) {
	s := newTestServer(t, Options{})
	s.InterceptIdentity(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "<html>down</html>")
		return true
	})
	r := postForm(t, s.TokenEndpoint(), tokenForm(s))
	if r.status != 503 || string(r.body) != "<html>down</html>" || s.TokenRequests() != 1 {
		t.Errorf("%d %q, token requests %d", r.status, r.body, s.TokenRequests())
	}
	s.InterceptIdentity(nil)
	if r := postForm(t, s.TokenEndpoint(), tokenForm(s)); r.status != 200 {
		t.Errorf("after removing interceptor: %d", r.status)
	}
}

func TestServerToken(t *testing.T) {
	s := newTestServer(t, Options{Users: 1})
	c := &graphClient{t: t, s: s, token: s.Token()}
	if r := c.get("/users"); r.status != 200 {
		t.Errorf("Server.Token rejected: %d %s", r.status, r.body)
	}
	if s.TokenRequests() != 0 {
		t.Errorf("Server.Token counted as a token request")
	}
}

func TestDeterministicSeed(t *testing.T) {
	a := NewServer(Options{Users: 50, Seed: 42})
	defer a.Close()
	b := NewServer(Options{Users: 50, Seed: 42})
	defer b.Close()
	d := NewServer(Options{Users: 50, Seed: 43})
	defer d.Close()
	ua, _ := a.User(a.UserIDs()[17])
	ub, _ := b.User(b.UserIDs()[17])
	ud, _ := d.User(d.UserIDs()[17])
	if fmt.Sprint(ua) != fmt.Sprint(ub) {
		t.Errorf("same seed, different users:\n%v\n%v", ua, ub)
	}
	if ua["id"] == ud["id"] {
		t.Error("different seeds, same id")
	}
	upns := map[string]bool{}
	for _, id := range a.UserIDs() {
		u, _ := a.User(id)
		upn := strings.ToLower(u["userPrincipalName"].(string))
		if upns[upn] {
			t.Errorf("duplicate UPN %s", upn)
		}
		upns[upn] = true
	}
}

func TestAddUser(t *testing.T) {
	s := newTestServer(t, Options{})
	id, err := s.AddUser(map[string]any{"displayName": "A", "userPrincipalName": "a@contoso.example", "deviceEnrollmentLimit": 5})
	if err != nil || id == "" {
		t.Fatal(id, err)
	}
	if _, err := s.AddUser([]byte(`{"id":"fixed","userPrincipalName":"b@contoso.example"}`)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []any{
		map[string]any{"shoeSize": 1},
		map[string]any{"id": "FIXED"},
		map[string]any{"userPrincipalName": "A@contoso.example"},
		map[string]any{"accountEnabled": "yes"},
		"not an object",
	} {
		if _, err := s.AddUser(bad); err == nil {
			t.Errorf("AddUser(%v) succeeded", bad)
		}
	}
	u, ok := s.User("fixed")
	if !ok || u["userPrincipalName"] != "b@contoso.example" {
		t.Errorf("User: %v %v", u, ok)
	}
	u["displayName"] = "mutated"
	if again, _ := s.User("fixed"); again["displayName"] != nil {
		t.Error("User returned the stored map, not a copy")
	}
	if s.UserCount() != 2 {
		t.Errorf("UserCount %d", s.UserCount())
	}
}

// TestConcurrent drives every operation from many goroutines; run with -race.
func TestConcurrent(t *testing.T) {
	s := newTestServer(t, Options{Users: 300})
	c := newGraphClient(t, s)
	ids := s.UserIDs()
	var wg sync.WaitGroup
	errs := make(chan string, 1000)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				id := ids[(g*10+i)%len(ids)]
				var status, want int
				switch i % 5 {
				case 0:
					status, want = c.getQuiet("GET", "/users?$top=50", ""), 200
				case 1:
					status, want = c.getQuiet("PATCH", "/users/"+id, `{"jobTitle":"J"}`), 204
				case 2:
					status, want = c.getQuiet("POST", "/users", fmt.Sprintf(`{"accountEnabled":true,"displayName":"C","mailNickname":"c","userPrincipalName":"c%d.%d@contoso.example","passwordProfile":{"password":"p"}}`, g, i)), 201
				case 3:
					status, want = c.getQuiet("GET", "/users/delta()", ""), 200
				case 4:
					status, want = c.getQuiet("DELETE", "/users/"+id, ""), 204
				}
				if status != want {
					errs <- fmt.Sprintf("goroutine %d op %d: %d", g, i, status)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if want := 300 + 16*2 - 16*2; s.UserCount() != want {
		t.Errorf("UserCount %d, want %d", s.UserCount(), want)
	}
}

// getQuiet sends a request and returns only the status; safe from goroutines.
func (c *graphClient) getQuiet(method, path, body string) int {
	req, _ := http.NewRequest(method, c.s.GraphURL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func TestTLSAndAddresses(t *testing.T) {
	s, err := Start(Options{TLS: true, Users: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.AuthorityHost, "https://127.0.0.1:") || !strings.HasPrefix(s.GraphURL, "https://127.0.0.1:") || s.TLSCertificate() == nil {
		t.Fatalf("%s %s", s.AuthorityHost, s.GraphURL)
	}
	hc := s.Client()
	res, err := hc.PostForm(s.TokenEndpoint(), tokenForm(s))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	req, _ := http.NewRequest("GET", s.GraphURL+"/users", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	res, err = hc.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("graph over TLS: %v %v", res, err)
	}
	res.Body.Close()
	// A busy address is an error, not a panic.
	addr := strings.TrimPrefix(s.GraphEndpoint, "https://")
	if _, err := Start(Options{GraphAddr: addr}); err == nil {
		t.Error("Start on a busy address succeeded")
	}
}

func TestFailRequests(t *testing.T) {
	s := newTestServer(t, Options{Users: 1})
	c := newGraphClient(t, s)
	s.InterceptGraph(s.FailRequests(OpListUsers, 2, 503, http.Header{"Retry-After": {"1"}}))
	var got []int
	for range 3 {
		got = append(got, c.get("/users").status)
	}
	if r := c.get("/users/$count", "ConsistencyLevel: eventual"); r.status != 200 {
		t.Errorf("other operation failed: %d", r.status)
	}
	if fmt.Sprint(got) != "[503 503 200]" {
		t.Errorf("statuses %v", got)
	}
	s.InterceptGraph(s.FailRequests("", 1, 429, http.Header{"Retry-After": {"2.128"}}))
	r := c.get("/users/" + s.UserIDs()[0])
	if code, _ := graphErr(t, r); r.status != 429 || code != "TooManyRequests" || r.header.Get("Retry-After") != "2.128" {
		t.Errorf("429: %d %s %q", r.status, code, r.header.Get("Retry-After"))
	}
	s.InterceptIdentity(s.FailRequests(OpToken, 1, 503, nil))
	checkAADError(t, postForm(t, s.TokenEndpoint(), tokenForm(s)), 503, "temporarily_unavailable", 50196)
	if r := postForm(t, s.TokenEndpoint(), tokenForm(s)); r.status != 200 {
		t.Errorf("second token request: %d", r.status)
	}
}

func TestOperation(t *testing.T) {
	for path, want := range map[string]string{
		"/v1.0/users":               OpListUsers,
		"/v1.0/users/$count":        OpCountUsers,
		"/v1.0/users/delta()":       OpDeltaUsers,
		"/v1.0/users/x":             OpGetUser,
		"/v1.0/users/x/memberOf":    OpListUserMemberOf,
		"/tenant/oauth2/v2.0/token": OpToken,
		"/tenant/oauth2/token":      OpToken,
		"/v1.0/groups":              OpListGroups,
		"/v1.0/groups/g":            OpGetGroup,
		"/v1.0/groups/g/members":    OpListGroupMembers,
		"/v1.0/applications":        "",
		"/beta/users":               "",
	} {
		r, _ := http.NewRequest("GET", "http://h"+path, nil)
		if got := Operation(r); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

func TestHandlerOneHost(t *testing.T) {
	s := newTestServer(t, Options{Users: 150})
	one := httptest.NewServer(s.Handler())
	defer one.Close()
	s.AuthorityHost, s.GraphEndpoint, s.GraphURL = one.URL, one.URL, one.URL+"/v1.0"
	c := newGraphClient(t, s) // token from one.URL
	r := c.get("/users")
	next, _ := r.json(t)["@odata.nextLink"].(string)
	if r.status != 200 || !strings.HasPrefix(next, one.URL+"/v1.0/users?") {
		t.Fatalf("%d nextLink %q", r.status, next)
	}
	if r := c.get(next); r.status != 200 || len(values(t, r)) != 50 {
		t.Errorf("page 2: %d", r.status)
	}
	if r := c.get(one.URL + "/beta/users"); r.status != 400 {
		t.Errorf("beta: %d", r.status)
	}
	if s.TokenRequests() != 1 || s.Requests(OpListUsers) != 2 {
		t.Errorf("counters %d %d", s.TokenRequests(), s.Requests(OpListUsers))
	}
}

func TestRevokeTokensWithClaims(t *testing.T) {
	s := newTestServer(t, Options{Users: 1})
	c := newGraphClient(t, s)
	claims := `{"access_token":{"nbf":{"essential":true,"value":"1764118923"}}}`
	s.RevokeTokensWithClaims(claims)
	r := c.get("/users")
	checkUnauthorized(t, r, "TokenIssuedBeforeRevocationTimestamp")
	wa := r.header.Get("WWW-Authenticate")
	want := `error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzY0MTE4OTIzIn19fQ=="`
	if !strings.HasSuffix(wa, want) {
		t.Errorf("WWW-Authenticate %q", wa)
	}
	f := tokenForm(s)
	f.Set("claims", claims)
	r = postForm(t, s.TokenEndpoint(), f)
	if r.status != 200 {
		t.Fatalf("token with claims: %d %s", r.status, r.body)
	}
	if last, _ := s.LastRequest(OpToken); !strings.Contains(string(last.Body), "claims=") {
		t.Error("claims not recorded")
	}
	c.token = r.json(t)["access_token"].(string)
	if r := c.get("/users"); r.status != 200 {
		t.Errorf("new token: %d", r.status)
	}
	// A plain revocation drops the claims challenge.
	s.RevokeTokens()
	r = c.get("/users")
	checkUnauthorized(t, r, "revoked")
	if strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_claims") {
		t.Error("plain revocation sent a claims challenge")
	}
}
