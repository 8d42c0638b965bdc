package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/gen"
)

// testToken is the bearer every test client sends.
const testToken = "test-access-token"

type staticSource struct{}

func (staticSource) Token(context.Context) (*auth.Token, error) {
	return &auth.Token{AccessToken: testToken, ExpiresOn: time.Now().Add(time.Hour), RefreshOn: time.Now().Add(time.Hour)}, nil
}

// recorded is what a fake Graph saw of one request.
type recorded struct {
	Method, Path, RawPath string
	Query                 url.Values
	Header                http.Header
	Body                  string
}

// fakeGraph is an httptest server that records each request and answers with the handler's reply.
type fakeGraph struct {
	*httptest.Server
	mu   sync.Mutex // guards reqs
	reqs []recorded
}

func newFakeGraph(t *testing.T, reply http.HandlerFunc) *fakeGraph {
	t.Helper()
	f := &fakeGraph{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body)) // for a reply that reads it
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.EscapedPath(), r.URL.Query(), r.Header.Clone(), string(body)})
		f.mu.Unlock()
		reply(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGraph) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func newTestClient(t testing.TB, baseURL string) *graph.Client {
	t.Helper()
	c, err := graph.NewClient(graph.Config{BaseURL: baseURL, TokenSource: staticSource{}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func jsonReply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
		w.Header().Set("request-id", "rid-1")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func TestOperations(t *testing.T) {
	ctx := context.Background()
	const userJSON = `{"id":"u1","displayName":"Adele Vance","userPrincipalName":"adele@contoso.test","accountEnabled":true}`
	const groupJSON = `{"id":"g1","displayName":"Sales","mailEnabled":true,"mailNickname":"sales","securityEnabled":false,
		"groupTypes":["Unified"],"visibility":null,"unseenCount":3}`
	tests := []struct {
		name       string
		reply      http.HandlerFunc
		call       func(c *graph.Client) (any, error)
		wantMethod string
		wantPath   string // escaped path
		wantQuery  url.Values
		wantHeader map[string]string
		wantBody   string // JSON compared semantically; "" means no body
		check      func(t *testing.T, got any)
	}{
		{
			name:  "listUsers",
			reply: jsonReply(200, `{"@odata.count":1,"value":[`+userJSON+`]}`),
			call: func(c *graph.Client) (any, error) {
				return c.ListUsersWithResponse(ctx, &graph.ListUsersParams{
					Top: graph.Ptr(5), Filter: graph.Ptr("startswith(displayName,'A')"), Search: graph.Ptr(`"displayName:Adele"`),
					Count: graph.Ptr(true), Orderby: []string{"displayName"}, Select: []string{"id", "displayName"},
					Expand: []string{"manager"}, ConsistencyLevel: graph.Ptr("eventual"),
				})
			},
			wantMethod: "GET", wantPath: "/v1.0/users",
			wantQuery: url.Values{"$top": {"5"}, "$filter": {"startswith(displayName,'A')"}, "$search": {`"displayName:Adele"`},
				"$count": {"true"}, "$orderby": {"displayName"}, "$select": {"id,displayName"}, "$expand": {"manager"}},
			wantHeader: map[string]string{"ConsistencyLevel": "eventual", "Authorization": "Bearer " + testToken},
			check: func(t *testing.T, got any) {
				p := got.(*gen.ListUsersResponse).JSON200
				if n, _ := p.ODataCount.Get(); n != 1 || len(p.Value) != 1 || *p.Value[0].ID != "u1" {
					t.Errorf("page = %+v", p)
				}
			},
		},
		{
			name:  "getUser guest UPN",
			reply: jsonReply(200, userJSON),
			call: func(c *graph.Client) (any, error) {
				return c.GetUserWithResponse(ctx, "adele_fabrikam.test#EXT#@contoso.test", &graph.GetUserParams{Select: []string{"id", "signInActivity"}})
			},
			wantMethod: "GET", wantPath: "/v1.0/users/adele_fabrikam.test%23EXT%23@contoso.test",
			wantQuery: url.Values{"$select": {"id,signInActivity"}},
			check: func(t *testing.T, got any) {
				u := got.(*gen.GetUserResponse).JSON200
				if name, _ := u.DisplayName.Get(); name != "Adele Vance" {
					t.Errorf("displayName = %q", name)
				}
			},
		},
		{
			name:  "createUser",
			reply: jsonReply(201, userJSON),
			call: func(c *graph.Client) (any, error) {
				return c.CreateUserWithResponse(ctx, graph.User{
					AccountEnabled:    graph.Value(true),
					DisplayName:       graph.Value("Adele Vance"),
					MailNickname:      graph.Value("adele"),
					UserPrincipalName: graph.Value("adele@contoso.test"),
					PasswordProfile: graph.Value(graph.PasswordProfile{
						Password: graph.Value("xWwvJ]6NMw+bWH-d"), ForceChangePasswordNextSignIn: graph.Value(true),
					}),
				})
			},
			wantMethod: "POST", wantPath: "/v1.0/users",
			wantHeader: map[string]string{"Content-Type": "application/json"},
			wantBody: `{"accountEnabled":true,"displayName":"Adele Vance","mailNickname":"adele","userPrincipalName":"adele@contoso.test",
				"passwordProfile":{"password":"xWwvJ]6NMw+bWH-d","forceChangePasswordNextSignIn":true}}`,
			check: func(t *testing.T, got any) {
				if u := got.(*gen.CreateUserResponse).JSON201; u == nil || *u.ID != "u1" {
					t.Errorf("created = %+v", u)
				}
			},
		},
		{
			name:  "updateUser sets one and clears one",
			reply: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			call: func(c *graph.Client) (any, error) {
				return c.UpdateUserWithResponse(ctx, "u1", graph.User{JobTitle: graph.Value("Engineer"), OfficeLocation: graph.Null[string]()})
			},
			wantMethod: "PATCH", wantPath: "/v1.0/users/u1",
			wantBody: `{"jobTitle":"Engineer","officeLocation":null}`,
			check: func(t *testing.T, got any) {
				if s := got.(*gen.UpdateUserResponse).StatusCode(); s != 204 {
					t.Errorf("status = %d", s)
				}
			},
		},
		{
			name:  "deleteUser with If-Match",
			reply: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			call: func(c *graph.Client) (any, error) {
				return c.DeleteUserWithResponse(ctx, "u1", &graph.DeleteUserParams{IfMatch: graph.Ptr(`W/"abc"`)})
			},
			wantMethod: "DELETE", wantPath: "/v1.0/users/u1",
			wantHeader: map[string]string{"If-Match": `W/"abc"`},
			check: func(t *testing.T, got any) {
				if s := got.(*gen.DeleteUserResponse).StatusCode(); s != 204 {
					t.Errorf("status = %d", s)
				}
			},
		},
		{
			name: "countUsers",
			reply: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, "\ufeff42")
			},
			call: func(c *graph.Client) (any, error) {
				return c.CountUsers(ctx, &graph.CountUsersParams{Filter: graph.Ptr("accountEnabled eq true")})
			},
			wantMethod: "GET", wantPath: "/v1.0/users/$count",
			wantQuery:  url.Values{"$filter": {"accountEnabled eq true"}},
			wantHeader: map[string]string{"ConsistencyLevel": "eventual"},
			check: func(t *testing.T, got any) {
				if got.(int) != 42 {
					t.Errorf("count = %v", got)
				}
			},
		},
		{
			name:  "deltaUsers",
			reply: jsonReply(200, `{"value":[`+userJSON+`],"@odata.deltaLink":"https://graph.microsoft.com/v1.0/users/delta()?$deltatoken=abc"}`),
			call: func(c *graph.Client) (any, error) {
				return c.DeltaUsersWithResponse(ctx, &graph.DeltaUsersParams{Select: []string{"displayName", "jobTitle"}})
			},
			wantMethod: "GET", wantPath: "/v1.0/users/delta()",
			wantQuery: url.Values{"$select": {"displayName,jobTitle"}},
			check: func(t *testing.T, got any) {
				p := got.(*gen.DeltaUsersResponse).JSON200
				if link, _ := p.ODataDeltaLink.Get(); !strings.Contains(link, "deltatoken=abc") || len(p.Value) != 1 {
					t.Errorf("delta page = %+v", p)
				}
			},
		},
		{
			name: "listUserMemberOf",
			reply: jsonReply(200, `{"value":[{"@odata.type":"#microsoft.graph.group","id":"g1","displayName":"Sales"},
				{"@odata.type":"#microsoft.graph.directoryRole","id":"r1"}]}`),
			call: func(c *graph.Client) (any, error) {
				return c.ListUserMemberOfWithResponse(ctx, "u1", &graph.ListUserMemberOfParams{Top: graph.Ptr(2)})
			},
			wantMethod: "GET", wantPath: "/v1.0/users/u1/memberOf",
			wantQuery: url.Values{"$top": {"2"}},
			check: func(t *testing.T, got any) {
				v := got.(*gen.ListUserMemberOfResponse).JSON200.Value
				if len(v) != 2 || *v[0].ODataType != "#microsoft.graph.group" || *v[1].ID != "r1" {
					t.Errorf("memberOf = %+v", v)
				}
			},
		},
		{
			name:  "listGroups",
			reply: jsonReply(200, `{"@odata.count":1,"value":[`+groupJSON+`]}`),
			call: func(c *graph.Client) (any, error) {
				return c.ListGroupsWithResponse(ctx, &graph.ListGroupsParams{
					Top: graph.Ptr(5), Filter: graph.Ptr("groupTypes/any(c:c eq 'Unified')"), Search: graph.Ptr(`"displayName:Sales"`),
					Count: graph.Ptr(true), Orderby: []string{"displayName"}, Select: []string{"id", "displayName", "groupTypes"},
					Expand: []string{"owners"}, ConsistencyLevel: graph.Ptr("eventual"),
				})
			},
			wantMethod: "GET", wantPath: "/v1.0/groups",
			wantQuery: url.Values{"$top": {"5"}, "$filter": {"groupTypes/any(c:c eq 'Unified')"}, "$search": {`"displayName:Sales"`},
				"$count": {"true"}, "$orderby": {"displayName"}, "$select": {"id,displayName,groupTypes"}, "$expand": {"owners"}},
			wantHeader: map[string]string{"ConsistencyLevel": "eventual"},
			check: func(t *testing.T, got any) {
				p := got.(*gen.ListGroupsResponse).JSON200
				if n, _ := p.ODataCount.Get(); n != 1 || len(p.Value) != 1 || *p.Value[0].ID != "g1" || p.Value[0].GroupTypes[0] != "Unified" {
					t.Errorf("page = %+v", p)
				}
			},
		},
		{
			name:  "getGroup",
			reply: jsonReply(200, groupJSON),
			call: func(c *graph.Client) (any, error) {
				return c.GetGroupWithResponse(ctx, "g1", &graph.GetGroupParams{Select: []string{"id", "unseenCount"}})
			},
			wantMethod: "GET", wantPath: "/v1.0/groups/g1",
			wantQuery: url.Values{"$select": {"id,unseenCount"}},
			check: func(t *testing.T, got any) {
				g := got.(*gen.GetGroupResponse).JSON200
				name, _ := g.DisplayName.Get()
				mailEnabled, _ := g.MailEnabled.Get()
				unseen, _ := g.UnseenCount.Get()
				if name != "Sales" || !mailEnabled || unseen != 3 || !g.Visibility.IsNull() {
					t.Errorf("group = %+v", g)
				}
			},
		},
		{
			name:  "createGroup",
			reply: jsonReply(201, groupJSON),
			call: func(c *graph.Client) (any, error) {
				return c.CreateGroupWithResponse(ctx, graph.Group{
					DisplayName: graph.Value("Sales"), MailEnabled: graph.Value(true), MailNickname: graph.Value("sales"),
					SecurityEnabled: graph.Value(false), GroupTypes: []string{"Unified"},
				})
			},
			wantMethod: "POST", wantPath: "/v1.0/groups",
			wantHeader: map[string]string{"Content-Type": "application/json"},
			wantBody:   `{"displayName":"Sales","mailEnabled":true,"mailNickname":"sales","securityEnabled":false,"groupTypes":["Unified"]}`,
			check: func(t *testing.T, got any) {
				if g := got.(*gen.CreateGroupResponse).JSON201; g == nil || *g.ID != "g1" {
					t.Errorf("created = %+v", g)
				}
			},
		},
		{
			name:  "updateGroup sets one and clears one",
			reply: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			call: func(c *graph.Client) (any, error) {
				return c.UpdateGroupWithResponse(ctx, "g1", graph.Group{Description: graph.Value("Sales team"), Classification: graph.Null[string]()})
			},
			wantMethod: "PATCH", wantPath: "/v1.0/groups/g1",
			wantBody: `{"description":"Sales team","classification":null}`,
			check: func(t *testing.T, got any) {
				if s := got.(*gen.UpdateGroupResponse).StatusCode(); s != 204 {
					t.Errorf("status = %d", s)
				}
			},
		},
		{
			name:  "deleteGroup with If-Match",
			reply: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			call: func(c *graph.Client) (any, error) {
				return c.DeleteGroupWithResponse(ctx, "g1", &graph.DeleteGroupParams{IfMatch: graph.Ptr(`W/"abc"`)})
			},
			wantMethod: "DELETE", wantPath: "/v1.0/groups/g1",
			wantHeader: map[string]string{"If-Match": `W/"abc"`},
			check: func(t *testing.T, got any) {
				if s := got.(*gen.DeleteGroupResponse).StatusCode(); s != 204 {
					t.Errorf("status = %d", s)
				}
			},
		},
		{
			name: "listGroupMembers",
			reply: jsonReply(200, `{"@odata.count":2,"value":[{"@odata.type":"#microsoft.graph.user","id":"u1","displayName":"Adele Vance"},
				{"@odata.type":"#microsoft.graph.group","id":"g2"}]}`),
			call: func(c *graph.Client) (any, error) {
				return c.ListGroupMembersWithResponse(ctx, "g1", &graph.ListGroupMembersParams{
					Top: graph.Ptr(2), Count: graph.Ptr(true), Select: []string{"id"}, ConsistencyLevel: graph.Ptr("eventual"),
				})
			},
			wantMethod: "GET", wantPath: "/v1.0/groups/g1/members",
			wantQuery:  url.Values{"$top": {"2"}, "$count": {"true"}, "$select": {"id"}},
			wantHeader: map[string]string{"ConsistencyLevel": "eventual"},
			check: func(t *testing.T, got any) {
				v := got.(*gen.ListGroupMembersResponse).JSON200.Value
				if len(v) != 2 || *v[0].ODataType != "#microsoft.graph.user" || *v[1].ID != "g2" {
					t.Errorf("members = %+v", v)
				}
			},
		},
		{
			name:  "addGroupMember raw",
			reply: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			call: func(c *graph.Client) (any, error) {
				return c.AddGroupMemberWithResponse(ctx, "g1", graph.ReferenceCreate{ODataID: graph.Ptr("https://graph.microsoft.com/v1.0/directoryObjects/u1")})
			},
			wantMethod: "POST", wantPath: "/v1.0/groups/g1/members/$ref",
			wantHeader: map[string]string{"Content-Type": "application/json"},
			wantBody:   `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/u1"}`,
			check: func(t *testing.T, got any) {
				if s := got.(*gen.AddGroupMemberResponse).StatusCode(); s != 204 {
					t.Errorf("status = %d", s)
				}
			},
		},
		{
			name:  "removeGroupMember",
			reply: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			call: func(c *graph.Client) (any, error) {
				return c.RemoveGroupMemberWithResponse(ctx, "g1", "u1", nil)
			},
			wantMethod: "DELETE", wantPath: "/v1.0/groups/g1/members/u1/$ref",
			check: func(t *testing.T, got any) {
				if s := got.(*gen.RemoveGroupMemberResponse).StatusCode(); s != 204 {
					t.Errorf("status = %d", s)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, tt.reply)
			c := newTestClient(t, f.URL+"/v1.0")
			got, err := tt.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tt.wantMethod || r.RawPath != tt.wantPath {
				t.Errorf("sent %s %s, want %s %s", r.Method, r.RawPath, tt.wantMethod, tt.wantPath)
			}
			if tt.wantQuery == nil {
				tt.wantQuery = url.Values{}
			}
			if !reflect.DeepEqual(r.Query, tt.wantQuery) {
				t.Errorf("query = %v, want %v", r.Query, tt.wantQuery)
			}
			if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
				t.Errorf("Authorization = %q", got)
			}
			if got := r.Header.Get("User-Agent"); !strings.HasPrefix(got, "typedgraph/") {
				t.Errorf("User-Agent = %q", got)
			}
			for k, v := range tt.wantHeader {
				if got := r.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.wantBody == "" {
				if r.Body != "" {
					t.Errorf("body = %q, want none", r.Body)
				}
			} else if !jsonEqual(t, r.Body, tt.wantBody) {
				t.Errorf("body = %s\nwant %s", r.Body, tt.wantBody)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("bad JSON %q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("bad JSON %q: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestErrorIsTyped(t *testing.T) {
	// A real Graph 404: innerError.date has no UTC offset.
	body := `{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present.",
		"innerError":{"date":"2021-07-02T01:40:19","request-id":"1f2e0000-aaaa","client-request-id":"c0ffee00-bbbb"}}}`
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3")
		jsonReply(404, body)(w, r)
	})
	c := newTestClient(t, f.URL+"/v1.0")
	resp, err := c.GetUserWithResponse(context.Background(), "x", nil)
	if resp != nil {
		t.Errorf("response = %+v, want nil with the error", resp)
	}
	var gerr *graph.Error
	if !errors.As(err, &gerr) {
		t.Fatalf("err = %T %v, want *graph.Error", err, err)
	}
	want := &graph.Error{
		StatusCode: 404, Code: "Request_ResourceNotFound",
		Message:   "Resource 'x' does not exist or one of its queried reference-property objects are not present.",
		RequestID: "1f2e0000-aaaa", ClientRequestID: "c0ffee00-bbbb",
		Date:       time.Date(2021, 7, 2, 1, 40, 19, 0, time.UTC),
		RetryAfter: 3 * time.Second, Method: "GET", Path: "/v1.0/users/x", Attempts: 1,
	}
	if !reflect.DeepEqual(gerr, want) {
		t.Errorf("error =\n%#v\nwant\n%#v", gerr, want)
	}
	const wantMsg = "graph: 404 Request_ResourceNotFound: Resource 'x' does not exist or one of its queried reference-property objects are not present. (request-id 1f2e0000-aaaa)"
	if err.Error() != wantMsg {
		t.Errorf("Error() = %q\nwant %q", err.Error(), wantMsg)
	}
	if !errors.Is(err, &graph.Error{StatusCode: 404}) || errors.Is(err, &graph.Error{StatusCode: 404, Code: "Other"}) {
		t.Error("errors.Is does not match on status and code")
	}
}

func TestErrorWithoutGraphBody(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("request-id", "rid-html")
		w.WriteHeader(502)
		_, _ = io.WriteString(w, "<html><body>Bad gateway "+strings.Repeat("x", 200<<10)+"</body></html>")
	})
	c := newTestClient(t, f.URL+"/v1.0")
	_, err := c.ListUsersWithResponse(context.Background(), nil)
	var gerr *graph.Error
	if !errors.As(err, &gerr) || gerr.StatusCode != 502 || gerr.Code != "" || gerr.RequestID != "rid-html" {
		t.Fatalf("err = %#v", err)
	}
	if got := err.Error(); got != "graph: 502: Bad Gateway (request-id rid-html)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestNewClientConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		cfg   graph.Config
		field string
	}{
		{"no tenant", graph.Config{ClientID: "c", Credential: auth.NewClientSecret("s")}, "TenantID"},
		{"no client", graph.Config{TenantID: "t", Credential: auth.NewClientSecret("s")}, "ClientID"},
		{"no credential", graph.Config{TenantID: "t", ClientID: "c"}, "Credential"},
		{"plain http off loopback", graph.Config{TokenSource: staticSource{}, BaseURL: "http://graph.example.com/v1.0"}, "BaseURL"},
		{"no host", graph.Config{TokenSource: staticSource{}, BaseURL: "/v1.0"}, "BaseURL"},
		{"query", graph.Config{TokenSource: staticSource{}, BaseURL: "https://graph.microsoft.com/v1.0?x=1"}, "BaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := graph.NewClient(tt.cfg)
			var cerr *graph.ConfigError
			if !errors.As(err, &cerr) || cerr.Field != tt.field {
				t.Fatalf("err = %v, want ConfigError for %s", err, tt.field)
			}
		})
	}
}

func TestConfigRedacted(t *testing.T) {
	const secret = "SENTINEL-SECRET-1b9e"
	cfg := graph.Config{TenantID: "t", ClientID: "c", Credential: auth.NewClientSecret(secret), TokenSource: staticSource{}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, cfg); strings.Contains(s, secret) || strings.Contains(s, testToken) {
			t.Errorf("%s leaks: %s", verb, s)
		}
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		slog.New(h).Info("config", "cfg", cfg)
	}
	if out := buf.String(); strings.Contains(out, secret) || !strings.Contains(out, `TenantID:\"t\"`) {
		t.Errorf("slog output leaks or lacks the config: %s", out)
	}
}
