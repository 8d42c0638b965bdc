package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
)

// BenchmarkGenericGet is what a generic call costs next to the generated one and the plain-struct
// floor, on one canned page of one user (no socket): graph.Get into the generated page type and into
// json.RawMessage, ListUsersWithResponse, and floorGet (net/http + encoding/json by hand).
func BenchmarkGenericGet(b *testing.B) {
	hc := &http.Client{Transport: &cannedTransport{body: userPage(0, 1, "")}}
	ctx := context.Background()
	const url = "https://graph.microsoft.com/v1.0/users"
	c, err := graph.NewClient(graph.Config{HTTPClient: hc, TokenSource: auth.NewCache(benchSource{}, nil)})
	if err != nil {
		b.Fatal(err)
	}
	runCounterbalanced(b,
		benchCase{"impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := floorGet(ctx, hc, url, 1); err != nil {
					b.Fatal(err)
				}
			}
		}},
		benchCase{"impl=Get", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				page, err := graph.Get[graph.UserCollectionResponse](ctx, c, "users", nil)
				if err != nil || len(page.Value) != 1 {
					b.Fatal(err)
				}
			}
		}},
		benchCase{"impl=GetRaw", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				raw, err := graph.Get[json.RawMessage](ctx, c, "users", nil)
				if err != nil || len(raw) == 0 {
					b.Fatal(err)
				}
			}
		}},
		benchCase{"impl=ListUsersWithResponse", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.ListUsersWithResponse(ctx, nil)
				if err != nil || len(resp.JSON200.Value) != 1 {
					b.Fatal(err)
				}
			}
		}},
	)
}
