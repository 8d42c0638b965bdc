package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/typedgraph/graph/gen"
)

// newDeltaServer is newPagedServer for a users delta round: the same pages, the last one carrying an
// @odata.deltaLink instead of no link.
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
		page := userPage(first, n, next)
		if next == "" {
			page = append([]byte(`{"@odata.deltaLink":"`+base+`?$deltatoken=bench",`), page[1:]...)
		}
		s.pages = append(s.pages, page)
	}
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

// BenchmarkUsersDelta reads a full sync of 1,000 users over 10 pages of 100 through client.UsersDelta
// and, beside it, through a hand-written round: net/http + encoding/json into the generated delta page
// type, following @odata.nextLink and keeping the last page's @odata.deltaLink (the floor, which
// does not look for @removed items, as a real round must).
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
				next, delta := srv.URL+"/v1.0/users/delta()", ""
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
					var page gen.MicrosoftGraphUserDeltaResponse
					err = json.NewDecoder(resp.Body).Decode(&page)
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Fatal(resp.Status, err)
					}
					for _, u := range page.Value {
						if u.ID == nil {
							b.Fatal("user without id")
						}
						got++
					}
					next = page.ODataNextLink.GetOrEmpty()
					delta = page.ODataDeltaLink.GetOrEmpty()
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
				round := c.UsersDelta(ctx, nil)
				for ch, err := range round.Changes() {
					if err != nil {
						b.Fatal(err)
					}
					if ch.ID == "" {
						b.Fatal("change without id")
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
