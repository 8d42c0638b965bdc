package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/typedgraph/graph"
)

// newDeltaServer serves a users delta round of total users with the four properties of benchSelect,
// per a page (selectedPage), the last page carrying an @odata.deltaLink.
func newDeltaServer(tb testing.TB, total, per int) *pagedServer {
	tb.Helper()
	s := &pagedServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	base := "http://" + s.Listener.Addr().String() + "/v1.0/users/delta()"
	for first := 0; first < total; first += per {
		n := min(per, total-first)
		next := ""
		if first+n < total {
			next = base + "?$skiptoken=" + strconv.Itoa(len(s.pages)+1)
		}
		page := selectedPage(first, n, next)
		if next == "" {
			page = append([]byte(`{"@odata.deltaLink":"`+base+`?$deltatoken=bench",`), page[1:]...)
		}
		s.pages = append(s.pages, page)
	}
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

// deltaUser is what a hand-written delta round declares: the selected properties and @removed.
type deltaUser struct {
	selectedUser
	Removed *struct {
		Reason string `json:"reason"`
	} `json:"@removed"`
}

// BenchmarkUsersDelta reads a full sync of 1,000 users ($select of 4) over 10 pages of 100 through
// client.UsersDelta and, beside it, through the floor: a hand-written round with net/http +
// encoding/json into a plain page struct (the four properties, @removed, the next and delta links)
// that follows @odata.nextLink and keeps the last page's @odata.deltaLink.
func BenchmarkUsersDelta(b *testing.B) {
	const total, per = 1000, 100
	srv := newDeltaServer(b, total, per)
	ctx := context.Background()

	runCounterbalanced(b,
		benchCase{"pages=10x100/impl=floor", func(b *testing.B) {
			hc := &http.Client{}
			b.ReportAllocs()
			for b.Loop() {
				got := 0
				next, delta := srv.URL+"/v1.0/users/delta()"+selectQuery, ""
				for next != "" {
					req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
					if err != nil {
						b.Fatal(err)
					}
					req.Header.Set("Authorization", "Bearer "+testToken)
					resp, err := hc.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					var page struct {
						NextLink  string      `json:"@odata.nextLink"`
						DeltaLink string      `json:"@odata.deltaLink"`
						Value     []deltaUser `json:"value"`
					}
					err = json.NewDecoder(resp.Body).Decode(&page)
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Fatal(resp.Status, err)
					}
					for _, u := range page.Value {
						if u.ID == nil || u.Removed != nil {
							b.Fatal("not an upsert with an id")
						}
						got++
					}
					next, delta = page.NextLink, page.DeltaLink
				}
				if got != total || delta == "" {
					b.Fatal(got, delta)
				}
			}
		}},
		benchCase{"pages=10x100/impl=UsersDelta", func(b *testing.B) {
			c := newBenchClient(b, srv.URL+"/v1.0")
			b.ReportAllocs()
			for b.Loop() {
				got := 0
				round := c.UsersDelta(ctx, &graph.DeltaOptions{Select: benchSelect})
				for ch, err := range round.Changes() {
					if err != nil {
						b.Fatal(err)
					}
					if ch.ID == "" || ch.IsRemoval() {
						b.Fatal("not an upsert with an id")
					}
					got++
				}
				if _, err := round.State(); err != nil || got != total {
					b.Fatal(got, err)
				}
			}
		}},
	)
}
