package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/gen"
)

// BenchmarkListUsersParallel is the fixed cost of a call (a page of 1) with many goroutines calling at
// once (b.RunParallel: GOMAXPROCS goroutines; run with -cpu 1,2 to see the scaling): the token cache,
// the editor, the resilience transport and the loopback round trip, beside the floor doing the same
// GET with a static bearer. Goal: the fixed-cost goal, 1.10x the floor, holds under parallel load.
func BenchmarkListUsersParallel(b *testing.B) {
	srv := newPagedServer(b, 1, 1)
	ctx := context.Background()

	runCounterbalanced(b,
		benchCase{"users=1/impl=floor", func(b *testing.B) {
			hc := &http.Client{}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := floorGet(ctx, hc, srv.URL+"/v1.0/users", 1); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}},
		benchCase{"users=1/impl=Users", func(b *testing.B) {
			c := newBenchClient(b, srv.URL+"/v1.0")
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := usersGet(ctx, c, 1); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}},
	)
}

// BenchmarkCallOverhead measures what typedgraph itself adds to a call, without the network: the HTTP
// client's transport is an in-memory http.RoundTripper that answers every request with the same page
// of 1 user, for the floor and typedgraph alike. What remains is request building, the token cache
// and editor, the resilience transport and decoding, serially and in parallel.
func BenchmarkCallOverhead(b *testing.B) {
	rt := &cannedTransport{body: userPage(0, 1, "")}
	hc := &http.Client{Transport: rt}
	ctx := context.Background()
	const url = "https://graph.microsoft.com/v1.0/users"
	c, err := graph.NewClient(graph.Config{HTTPClient: hc, TokenSource: auth.NewCache(benchSource{}, nil)})
	if err != nil {
		b.Fatal(err)
	}

	runCounterbalanced(b,
		benchCase{"mode=serial/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := floorGet(ctx, hc, url, 1); err != nil {
					b.Fatal(err)
				}
			}
		}},
		benchCase{"mode=serial/impl=Users", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := usersGet(ctx, c, 1); err != nil {
					b.Fatal(err)
				}
			}
		}},
		benchCase{"mode=serial/impl=ListUsersWithResponse", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.ListUsersWithResponse(ctx, nil)
				if err != nil || len(resp.JSON200.Value) != 1 {
					b.Fatal(err)
				}
			}
		}},
	)
	runCounterbalanced(b,
		benchCase{"mode=parallel/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := floorGet(ctx, hc, url, 1); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}},
		benchCase{"mode=parallel/impl=Users", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := usersGet(ctx, c, 1); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}},
	)
}

// floorGet is the floor's GET of one page: net/http, a static bearer, encoding/json into the
// generated page type.
func floorGet(ctx context.Context, hc *http.Client, url string, want int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	var page gen.MicrosoftGraphUserCollectionResponse
	err = json.NewDecoder(resp.Body).Decode(&page)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && len(page.Value) != want {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// usersGet iterates one listing through client.Users and checks it yields want users.
func usersGet(ctx context.Context, c *graph.Client, want int) error {
	got := 0
	for _, err := range c.Users(ctx, nil) {
		if err != nil {
			return err
		}
		got++
	}
	if got != want {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// cannedTransport answers every request with body as Graph would, without a network. Each response
// gets its own reader over the shared, read-only body and a header map of its own.
type cannedTransport struct {
	body []byte
}

func (t *cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "Bearer "+testToken {
		return &http.Response{StatusCode: http.StatusUnauthorized, Body: http.NoBody, Header: http.Header{}, Request: req}, nil
	}
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {graphContentType}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)),
		Request:       req,
	}, nil
}
