package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

func newFakeClient(t testing.TB, opts graphtest.Options) (*graph.Client, *graphtest.Server) {
	t.Helper()
	fake := graphtest.NewServer(opts)
	t.Cleanup(fake.Close)
	client, err := graph.NewClient(graph.Config{
		TenantID:      fake.TenantID,
		ClientID:      fake.ClientID,
		Credential:    auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost,
		BaseURL:       fake.GraphURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client, fake
}

func TestUsersPagesCompleteAndInOrder(t *testing.T) {
	const total = 2500
	client, fake := newFakeClient(t, graphtest.Options{Users: total})
	want := fake.UserIDs()
	if len(want) != total {
		t.Fatalf("fake has %d users", len(want))
	}
	for _, tt := range []struct {
		top, pages int
	}{{999, 3}, {100, 25}} {
		t.Run(fmt.Sprint("top=", tt.top), func(t *testing.T) {
			before := fake.Requests(graphtest.OpListUsers)
			var got []string
			for u, err := range client.Users(context.Background(), &graph.ListUsersParams{Top: graph.Ptr(tt.top), Select: []string{"id"}}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, *u.ID)
			}
			if len(got) != total {
				t.Fatalf("got %d users, want %d", len(got), total)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("user %d = %s, want %s", i, got[i], want[i])
				}
			}
			if n := fake.Requests(graphtest.OpListUsers) - before; n != tt.pages {
				t.Errorf("%d page requests, want %d", n, tt.pages)
			}
		})
	}
}

func TestUsersResendsConsistencyLevel(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 30})
	n := 0
	params := &graph.ListUsersParams{Top: graph.Ptr(10), Count: graph.Ptr(true), ConsistencyLevel: graph.Ptr(graph.ConsistencyEventual)}
	for _, err := range client.Users(context.Background(), params) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 30 {
		t.Fatalf("%d users", n)
	}
	pages := 0
	for _, r := range fake.Recorded() {
		if r.Op != graphtest.OpListUsers {
			continue
		}
		pages++
		if got := r.Header.Get("ConsistencyLevel"); got != "eventual" {
			t.Errorf("page %d ConsistencyLevel = %q", pages, got)
		}
	}
	if pages != 3 {
		t.Errorf("%d pages, want 3", pages)
	}
}

func TestUsersStopsEarly(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 500})
	n := 0
	for _, err := range client.Users(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 150 {
			break
		}
	}
	if got := fake.Requests(graphtest.OpListUsers); got != 2 {
		t.Errorf("%d page requests for 150 users of 100 a page, want 2", got)
	}
}

func TestUsersRefusesForeignNextLink(t *testing.T) {
	var foreignHits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignHits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	defer foreign.Close()

	for _, tt := range []struct{ name, link string }{
		{"other host", foreign.URL + "/v1.0/users?$skiptoken=x"},
		{"other scheme", "https://" + strings.TrimPrefix(foreign.URL, "http://") + "/v1.0/users"},
		{"protocol-relative", "//" + strings.TrimPrefix(foreign.URL, "http://") + "/v1.0/users"},
		{"outside base path", "/beta/users?$skiptoken=x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			graphSrv := newFakeGraph(t, jsonReply(200, `{"value":[{"id":"u1"}],"@odata.nextLink":"`+tt.link+`"}`))
			client := newTestClient(t, graphSrv.URL+"/v1.0")
			var ids []string
			var gotErr error
			for u, err := range client.Users(context.Background(), nil) {
				if err != nil {
					gotErr = err
					break
				}
				ids = append(ids, *u.ID)
			}
			if !errors.Is(gotErr, graph.ErrForeignNextLink) {
				t.Errorf("err = %v, want ErrForeignNextLink", gotErr)
			}
			if len(ids) != 1 || len(graphSrv.requests()) != 1 {
				t.Errorf("users %v, Graph requests %d", ids, len(graphSrv.requests()))
			}
		})
	}
	if n := foreignHits.Load(); n != 0 {
		t.Errorf("the foreign host received %d requests", n)
	}
}

func TestUsersYieldsErrorOnce(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 250})
	fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("$skiptoken") == "" {
			return false
		}
		fake.GraphError(w, r, http.StatusServiceUnavailable, "serviceNotAvailable", "try later")
		return true
	})
	n, errs := 0, 0
	for _, err := range client.Users(context.Background(), nil) {
		if err != nil {
			errs++
			var gerr *graph.Error
			if !errors.As(err, &gerr) || gerr.StatusCode != 503 || gerr.Code != "serviceNotAvailable" {
				t.Errorf("err = %v", err)
			}
			continue
		}
		n++
	}
	if n != 100 || errs != 1 {
		t.Errorf("%d users and %d errors, want 100 and 1", n, errs)
	}
}

func TestUserMemberOf(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 1})
	uid := fake.UserIDs()[0]
	for i := range 3 {
		gid, err := fake.AddGroup(map[string]any{"displayName": fmt.Sprint("group ", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := fake.AddMember(gid, uid); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for obj, err := range client.UserMemberOf(context.Background(), uid, &graph.ListUserMemberOfParams{Top: graph.Ptr(2)}) {
		if err != nil {
			t.Fatal(err)
		}
		if obj.Type() != graph.ODataTypeGroup {
			t.Errorf("@odata.type = %v", obj.Type())
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d memberships, want 3", n)
	}
}
