package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/typedgraph/graph/gen"
)

// BenchmarkListUsersPage lists one page of users through typedgraph and, beside it, through plain
// net/http + encoding/json decoding the same bytes into the same generated type (the floor).
// Goals (BENCHMARKS.md): pages of 100 and 999 at most 1.10x the floor's time and 1.3x its
// allocations; the page of 1 (the fixed cost of a call) at most 1.10x.
func BenchmarkListUsersPage(b *testing.B) {
	for _, n := range []int{1, 100, 999} {
		srv := newPagedServer(b, n, n)
		ctx := context.Background()

		runCounterbalanced(b,
			benchCase{fmt.Sprintf("users=%d/impl=floor", n), func(b *testing.B) {
				hc := &http.Client{}
				b.ReportAllocs()
				for b.Loop() {
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1.0/users", nil)
					req.Header.Set("Authorization", "Bearer "+testToken)
					resp, err := hc.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					var page gen.MicrosoftGraphUserCollectionResponse
					err = json.NewDecoder(resp.Body).Decode(&page)
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil || len(page.Value) != n {
						b.Fatal(err, len(page.Value))
					}
				}
			}},
			// Not a goal's floor: the same GET decoded into a plain struct of the default properties
			// (strings and pointers, as the figures for Microsoft's SDK were measured against). It
			// shows what the generated types cost: their nullable.Nullable fields are maps, decoded by a
			// nested json.Unmarshal each. See "The generated types" in BENCHMARKS.md.
			benchCase{fmt.Sprintf("users=%d/impl=plainstruct", n), func(b *testing.B) {
				hc := &http.Client{}
				b.ReportAllocs()
				for b.Loop() {
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1.0/users", nil)
					req.Header.Set("Authorization", "Bearer "+testToken)
					resp, err := hc.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					var page struct {
						NextLink string     `json:"@odata.nextLink"`
						Value    []wireUser `json:"value"`
					}
					err = json.NewDecoder(resp.Body).Decode(&page)
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil || len(page.Value) != n {
						b.Fatal(err, len(page.Value))
					}
				}
			}},
			benchCase{fmt.Sprintf("users=%d/impl=ListUsersWithResponse", n), func(b *testing.B) {
				c := newBenchClient(b, srv.URL+"/v1.0")
				b.ReportAllocs()
				for b.Loop() {
					resp, err := c.ListUsersWithResponse(ctx, nil)
					if err != nil || len(resp.JSON200.Value) != n {
						b.Fatal(err)
					}
				}
			}},
			benchCase{fmt.Sprintf("users=%d/impl=Users", n), func(b *testing.B) {
				c := newBenchClient(b, srv.URL+"/v1.0")
				b.ReportAllocs()
				for b.Loop() {
					got := 0
					for _, err := range c.Users(ctx, nil) {
						if err != nil {
							b.Fatal(err)
						}
						got++
					}
					if got != n {
						b.Fatal(got)
					}
				}
			}},
		)
	}
}
