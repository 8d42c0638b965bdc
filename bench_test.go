package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
)

// BenchmarkListUsersPage lists one page of users with $select=id,displayName,userPrincipalName,mail
// through typedgraph and, beside it, through what a Go developer writes by hand (the floor): net/http +
// encoding/json into a plain struct of the four properties as *string. impl=generated is a second
// reference: the floor's hand-written GET decoding into the generated types, which shows the models'
// own cost apart from the client's.
// Goals (BENCHMARKS.md): pages of 1, 100 and 999 at most 1.20x the floor's time and 1.30x its
// allocations.
func BenchmarkListUsersPage(b *testing.B) {
	for _, n := range []int{1, 100, 999} {
		srv := newPagedServerOf(b, n, n, selectedPage)
		ctx := context.Background()
		url := srv.URL + "/v1.0/users" + selectQuery
		params := &graph.ListUsersParams{Select: benchSelect}

		runCounterbalanced(b,
			benchCase{fmt.Sprintf("users=%d/impl=floor", n), func(b *testing.B) {
				benchPage(b, ctx, url, n, floorPage[selectedUser])
			}},
			benchCase{fmt.Sprintf("users=%d/impl=generated", n), func(b *testing.B) {
				benchPage(b, ctx, url, n, generatedPage)
			}},
			benchCase{fmt.Sprintf("users=%d/impl=ListUsersWithResponse", n), func(b *testing.B) {
				c := newBenchClient(b, srv.URL+"/v1.0")
				b.ReportAllocs()
				for b.Loop() {
					resp, err := c.ListUsersWithResponse(ctx, params)
					if err != nil || len(resp.JSON200.Value) != n {
						b.Fatal(err)
					}
				}
			}},
			benchCase{fmt.Sprintf("users=%d/impl=Users", n), func(b *testing.B) {
				benchUsers(b, ctx, srv.URL, params, n)
			}},
		)
	}
}

// BenchmarkListUsersDefault is the page of 100 without $select: Graph's 11 default user properties,
// nulls and empty arrays included, against a floor that declares those 11 (strings as *string).
// Goal: at most 1.30x the floor's time.
func BenchmarkListUsersDefault(b *testing.B) {
	const n = 100
	srv := newPagedServer(b, n, n)
	ctx := context.Background()
	url := srv.URL + "/v1.0/users"

	runCounterbalanced(b,
		benchCase{"users=100/impl=floor", func(b *testing.B) {
			benchPage(b, ctx, url, n, floorPage[defaultUser])
		}},
		benchCase{"users=100/impl=generated", func(b *testing.B) {
			benchPage(b, ctx, url, n, generatedPage)
		}},
		benchCase{"users=100/impl=Users", func(b *testing.B) {
			benchUsers(b, ctx, srv.URL, nil, n)
		}},
	)
}

// benchPage measures get, a hand-written GET of one page, returning n users.
func benchPage[U any](b *testing.B, ctx context.Context, url string, n int, get func(context.Context, *http.Client, string) ([]U, string, error)) {
	hc := newFloorClient()
	b.ReportAllocs()
	for b.Loop() {
		users, _, err := get(ctx, hc, url)
		if err != nil || len(users) != n {
			b.Fatal(err, len(users))
		}
	}
}

// benchUsers measures client.Users yielding n users.
func benchUsers(b *testing.B, ctx context.Context, base string, params *graph.ListUsersParams, n int) {
	c := newBenchClient(b, base+"/v1.0")
	b.ReportAllocs()
	for b.Loop() {
		got := 0
		for u, err := range c.Users(ctx, params) {
			if err != nil {
				b.Fatal(err)
			}
			if u.ID == nil {
				b.Fatal("user without id")
			}
			got++
		}
		if got != n {
			b.Fatal(got)
		}
	}
}

// BenchmarkListUsersPageNoSocket is the page of 1 of BenchmarkListUsersPage (the fixed cost of a call)
// with an in-memory http.RoundTripper instead of the loopback socket, for the plain-struct floor and
// client.Users alike: what typedgraph adds to a hand-written call, without the network's noise.
func BenchmarkListUsersPageNoSocket(b *testing.B) {
	hc := &http.Client{Transport: &cannedTransport{body: selectedPage(0, 1, "")}}
	ctx := context.Background()
	const base = "https://graph.microsoft.com/v1.0"
	c, err := graph.NewClient(graph.Config{HTTPClient: hc, TokenSource: auth.NewCache(benchSource{}, nil)})
	if err != nil {
		b.Fatal(err)
	}
	params := &graph.ListUsersParams{Select: benchSelect}
	runCounterbalanced(b,
		benchCase{"users=1/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				users, _, err := floorPage[selectedUser](ctx, hc, base+"/users"+selectQuery)
				if err != nil || len(users) != 1 {
					b.Fatal(err)
				}
			}
		}},
		benchCase{"users=1/impl=Users", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for _, err := range c.Users(ctx, params) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 1 {
					b.Fatal(n)
				}
			}
		}},
	)
}
