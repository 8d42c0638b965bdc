package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/gen"
	"github.com/typedgraph/graph/graphtest"
)

// BenchmarkBatchGets is 1,000 getUser calls against a graphtest that adds 2 ms to every HTTP
// request, with MaxConcurrentRequests 4: through Client.Batch (50 $batch requests, 4 in flight), as
// 1,000 single calls from 4 goroutines, and the floor of those single calls written with net/http and
// encoding/json (4 goroutines). One op is the 1,000 calls.
func BenchmarkBatchGets(b *testing.B) {
	const users, workers = 1000, 4
	fake := graphtest.NewServer(graphtest.Options{Users: users, Latency: 2 * time.Millisecond, MaxRecorded: -1})
	b.Cleanup(fake.Close)
	client, err := graph.NewClient(graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL, MaxConcurrentRequests: workers,
	})
	if err != nil {
		b.Fatal(err)
	}
	ids := fake.UserIDs()
	ctx := context.Background()

	// fanOut runs call for every id from 4 goroutines.
	fanOut := func(b *testing.B, call func(id string) error) {
		next := make(chan string)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for id := range next {
					if err := call(id); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for _, id := range ids {
			next <- id
		}
		close(next)
		wg.Wait()
	}
	token := fake.Token()
	runCounterbalanced(b,
		benchCase{"impl=floor-single", func(b *testing.B) {
			for b.Loop() {
				fanOut(b, func(id string) error {
					req, err := http.NewRequestWithContext(ctx, http.MethodGet, fake.GraphURL+"/users/"+id, nil)
					if err != nil {
						return err
					}
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						return err
					}
					defer resp.Body.Close()
					var u graph.User
					return json.NewDecoder(resp.Body).Decode(&u)
				})
			}
		}},
		benchCase{"impl=single", func(b *testing.B) {
			for b.Loop() {
				fanOut(b, func(id string) error {
					_, err := client.GetUserWithResponse(ctx, id, nil)
					return err
				})
			}
		}},
		benchCase{"impl=batch", func(b *testing.B) {
			for b.Loop() {
				reqs := make([]graph.BatchRequest, len(ids))
				for i, id := range ids {
					req, err := gen.NewGetUserRequest(client.BaseURL(), id, nil)
					if err != nil {
						b.Fatal(err)
					}
					reqs[i] = graph.BatchRequest{ID: id, Request: req}
				}
				resps, err := client.Batch(ctx, reqs)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range resps {
					if _, err := graph.Decode[graph.User](r); err != nil {
						b.Fatal(err)
					}
				}
			}
		}},
	)
}
