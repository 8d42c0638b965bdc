package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/gen"
	"github.com/typedgraph/graph/graphtest"
)

func TestPath(t *testing.T) {
	for _, tc := range []struct {
		segs []string
		want string
	}{
		{[]string{"users", "alice_contoso.com#EXT#@fabrikam.test", "memberOf"}, "users/alice_contoso.com%23EXT%23@fabrikam.test/memberOf"},
		{[]string{"users", "o'brien@contoso.test"}, "users/o%27brien@contoso.test"},
		{[]string{"users", "a/b?c d%"}, "users/a%2Fb%3Fc%20d%25"},
		{[]string{"applications"}, "applications"},
	} {
		if got := graph.Path(tc.segs...); got != tc.want {
			t.Errorf("Path(%q) = %q, want %q", tc.segs, got, tc.want)
		}
	}
}

func TestGenericCallsOnTheWire(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodDelete, http.MethodPatch:
			w.WriteHeader(http.StatusNoContent)
		default:
			jsonReply(http.StatusOK, `{"id":"x1","displayName":"X","extra":{"a":1}}`)(w, r)
		}
	})
	c := newTestClient(t, f.URL+"/v1.0")
	ctx := context.Background()
	type thing struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}

	got, err := graph.Get[thing](ctx, c, graph.Path("users", "o'neil_contoso.com#EXT#@fabrikam.test"), url.Values{"$select": {"id,displayName"}})
	if err != nil || got != (thing{"x1", "X"}) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	raw, err := graph.Get[json.RawMessage](ctx, c, "users/x1", nil)
	if err != nil || !strings.Contains(string(raw), `"extra":{"a":1}`) {
		t.Fatalf("raw Get = %s, %v", raw, err)
	}
	created, err := graph.Post[thing](ctx, c, "things", map[string]string{"displayName": "X"})
	if err != nil || created.ID != "x1" {
		t.Fatalf("Post = %+v, %v", created, err)
	}
	if _, err := graph.Patch[struct{}](ctx, c, "things/x1", json.RawMessage(`{"displayName":"Y"}`)); err != nil {
		t.Fatalf("Patch: %v", err)
	}
	if err := graph.Delete(ctx, c, "things/x1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	reqs := f.requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests, want 5", len(reqs))
	}
	if want := "/v1.0/users/o%27neil_contoso.com%23EXT%23@fabrikam.test"; reqs[0].RawPath != want {
		t.Errorf("escaped path %q, want %q", reqs[0].RawPath, want)
	}
	if reqs[0].Path != "/v1.0/users/o'neil_contoso.com#EXT#@fabrikam.test" || reqs[0].Query.Get("$select") != "id,displayName" {
		t.Errorf("path %q query %v", reqs[0].Path, reqs[0].Query)
	}
	for i, want := range []string{"GET", "GET", "POST", "PATCH", "DELETE"} {
		r := reqs[i]
		if r.Method != want || r.Header.Get("Authorization") != "Bearer "+testToken || r.Header.Get("User-Agent") != "typedgraph/"+graph.Version {
			t.Errorf("request %d: %s with headers %v", i, r.Method, r.Header)
		}
	}
	if reqs[2].Body != `{"displayName":"X"}` || reqs[2].Header.Get("Content-Type") != "application/json" {
		t.Errorf("POST body %q, content type %q", reqs[2].Body, reqs[2].Header.Get("Content-Type"))
	}
	if reqs[3].Body != `{"displayName":"Y"}` {
		t.Errorf("PATCH body %q", reqs[3].Body)
	}
}

func TestGenericCallsRefuseBadPaths(t *testing.T) {
	f := newFakeGraph(t, jsonReply(http.StatusOK, `{}`))
	c := newTestClient(t, f.URL+"/v1.0")
	ctx := context.Background()
	for _, tc := range []struct {
		path      string
		wantParam bool // *PathParamError, else ErrForeignURL
	}{
		{"https://evil.example/v1.0/users", false},
		{"//evil.example/v1.0/users", false},
		{f.URL + "/beta/users", false},
		{f.URL + "/v1.0/../beta/users", false},
		{"http://user@" + strings.TrimPrefix(f.URL, "http://") + "/v1.0/users", false},
		{"users/../groups", true},
		{"users//x", true},
		{"users/", true},
		{"users/a#EXT#@b", true},
		{"users/%2e%2e/x", true},
		{"users/a%2Fb", true},
	} {
		_, err := graph.Get[json.RawMessage](ctx, c, tc.path, nil)
		var perr *gen.PathParamError
		switch {
		case tc.wantParam && !errors.As(err, &perr):
			t.Errorf("Get(%q) = %v, want *PathParamError", tc.path, err)
		case !tc.wantParam && !errors.Is(err, graph.ErrForeignURL):
			t.Errorf("Get(%q) = %v, want ErrForeignURL", tc.path, err)
		}
		for _, err := range graph.List[json.RawMessage](ctx, c, tc.path, nil) {
			if err == nil {
				t.Errorf("List(%q) yielded an item", tc.path)
			}
			break
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent for refused paths", n)
	}
	// An absolute URL under the base URL (an @odata.id Graph returned) is fine.
	if _, err := graph.Get[json.RawMessage](ctx, c, f.URL+"/v1.0/users/x", nil); err != nil {
		t.Errorf("absolute URL under the base: %v", err)
	}
}

func TestGenericCallsAgainstGraphtest(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 5})
	defer fake.Close()
	_, c := wiredClient(t, fake)
	ctx := context.Background()

	var first graph.User
	n := 0
	for u, err := range graph.List[graph.User](ctx, c, "users", url.Values{"$top": {"2"}}) {
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			first = u
		}
		n++
	}
	if n != 5 || fake.Requests(graphtest.OpListUsers) != 3 {
		t.Fatalf("List gave %d users in %d pages, want 5 in 3", n, fake.Requests(graphtest.OpListUsers))
	}
	got, err := graph.Get[graph.User](ctx, c, graph.Path("users", first.UserPrincipalName.GetOrEmpty()), nil)
	if err != nil || *got.ID != *first.ID {
		t.Fatalf("Get by userPrincipalName = %v, %v", got.ID, err)
	}

	_, err = graph.Get[graph.User](ctx, c, graph.Path("users", "nobody@contoso.test"), nil)
	var gerr *graph.Error
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusNotFound || gerr.Code != "Request_ResourceNotFound" || gerr.RequestID == "" {
		t.Fatalf("missing user: %v, want *graph.Error 404 Request_ResourceNotFound with a request-id", err)
	}

	// A text/plain $count into an int, with the header Graph wants for it; refused without it.
	count, err := graph.Get[int](ctx, c, "users/$count", nil, graph.WithHeader("ConsistencyLevel", graph.ConsistencyEventual))
	if err != nil || count != 5 {
		t.Fatalf("users/$count = %d, %v", count, err)
	}
	if _, err := graph.Get[int](ctx, c, "users/$count", nil); !errors.As(err, &gerr) || gerr.StatusCode != http.StatusBadRequest {
		t.Errorf("users/$count without ConsistencyLevel: %v, want 400", err)
	}
	if _, err := graph.Get[graph.User](ctx, c, "users/$count", nil, graph.WithHeader("ConsistencyLevel", "eventual")); err == nil {
		t.Error("a text/plain count decoded into a User")
	}
	n = 0
	for _, err := range graph.List[json.RawMessage](ctx, c, "users", url.Values{"$search": {`"userPrincipalName:contoso"`}, "$top": {"1"}},
		graph.WithHeader("ConsistencyLevel", graph.ConsistencyEventual)) {
		if err != nil {
			t.Fatalf("$search with ConsistencyLevel on every page: %v", err)
		}
		n++
	}
	if n < 2 {
		t.Errorf("$search found %d users, want at least 2 (pages of 1, so the header was re-sent)", n)
	}

	// Generated builders of any package page through Pages.
	req, err := gen.NewListUsersRequest(c.BaseURL(), &gen.ListUsersParams{Top: graph.Ptr(4)})
	if err != nil {
		t.Fatal(err)
	}
	n = 0
	for _, err := range graph.Pages[graph.User](ctx, c, req) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 5 {
		t.Errorf("Pages gave %d users, want 5", n)
	}
	other, _ := http.NewRequest(http.MethodGet, "https://evil.example/v1.0/users", nil)
	for _, err := range graph.Pages[graph.User](ctx, c, other) {
		if !errors.Is(err, graph.ErrForeignURL) {
			t.Errorf("Pages on another host: %v, want ErrForeignURL", err)
		}
	}
}
