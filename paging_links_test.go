package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/typedgraph/graph"
)

// TestUsersEndsNextLinkCycles: a nextLink naming a page already fetched, the current one or one
// further back, ends the iteration with ErrNextLinkCycle (issue 16, point 8). The fake gives up after
// 50 pages with a last page, so a client without the check ends too, with the wrong answer.
func TestUsersEndsNextLinkCycles(t *testing.T) {
	for _, tt := range []struct {
		name  string
		next  func(page int) string // nextLink of page number page (1-based)
		items bool                  // pages carry a user, or are empty
	}{
		{"self, empty pages", func(int) string { return "/v1.0/users" }, false},
		{"self with a skip token", func(int) string { return "/v1.0/users?$skiptoken=a" }, true},
		{"two-page cycle", func(p int) string { return fmt.Sprintf("/v1.0/users?$skiptoken=%d", p%2) }, false},
		{"three-page cycle", func(p int) string { return fmt.Sprintf("/v1.0/users?$skiptoken=%d", p%3) }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var pages atomic.Int32
			f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
				p := int(pages.Add(1))
				value := "[]"
				if tt.items {
					value = fmt.Sprintf(`[{"id":"u%d"}]`, p)
				}
				if p >= 50 {
					jsonReply(200, `{"value":`+value+`}`)(w, r)
					return
				}
				jsonReply(200, `{"value":`+value+`,"@odata.nextLink":"`+f2url(r, tt.next(p))+`"}`)(w, r)
			})
			c := newTestClient(t, f.URL+"/v1.0")
			var err error
			for _, e := range c.Users(context.Background(), nil) {
				if e != nil {
					err = e
				}
			}
			if !errors.Is(err, graph.ErrNextLinkCycle) {
				t.Errorf("err = %v, want ErrNextLinkCycle", err)
			}
			if n := pages.Load(); n > 4 {
				t.Errorf("%d pages fetched before the cycle was seen", n)
			}
		})
	}
}

// f2url makes a nextLink absolute on the server that serves r, as Graph writes them.
func f2url(r *http.Request, link string) string { return "http://" + r.Host + link }

// TestUsersRefusesDotSegmentNextLink: a nextLink whose decoded path climbs out of the base path
// (/v1.0/%2e%2e/beta/users) is foreign, whatever the encoding; one that stays under it is followed in
// its resolved form (issue 16, point 9).
func TestUsersRefusesDotSegmentNextLink(t *testing.T) {
	for _, link := range []string{
		"/v1.0/%2e%2e/beta/users",
		"/v1.0/%2E%2E/beta/users?$skiptoken=x",
		"/v1.0/..%2fbeta/users",
		"/v1.0/users/%2e%2e/%2e%2e/beta/users",
		`/v1.0/..\\beta/users`,
		"/v1.0/%2e%2e%5cbeta/users",
		"/v1.0/.%2e/beta/users",
	} {
		t.Run(link, func(t *testing.T) {
			var n atomic.Int32
			f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) > 1 { // a client that followed the link gets a last page, not a loop
					jsonReply(200, `{"value":[]}`)(w, r)
					return
				}
				jsonReply(200, `{"value":[{"id":"u1"}],"@odata.nextLink":"`+f2url(r, link)+`"}`)(w, r)
			})
			c := newTestClient(t, f.URL+"/v1.0")
			var err error
			for _, e := range c.Users(context.Background(), nil) {
				if e != nil {
					err = e
				}
			}
			if !errors.Is(err, graph.ErrForeignNextLink) {
				t.Errorf("err = %v, want ErrForeignNextLink", err)
			}
			if reqs := f.requests(); len(reqs) != 1 {
				t.Errorf("%d requests; the second went to %s", len(reqs), reqs[len(reqs)-1].RawPath)
			}
		})
	}

	// Dot segments that stay under the base path: followed, resolved.
	var n atomic.Int32
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			jsonReply(200, `{"value":[{"id":"u1"}],"@odata.nextLink":"`+f2url(r, "/v1.0/groups/%2e%2e/users?$skiptoken=x")+`"}`)(w, r)
			return
		}
		jsonReply(200, `{"value":[{"id":"u2"}]}`)(w, r)
	})
	c := newTestClient(t, f.URL+"/v1.0")
	for _, err := range c.Users(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if reqs := f.requests(); len(reqs) != 2 || reqs[1].RawPath != "/v1.0/users" || !strings.Contains(reqs[1].Query.Get("$skiptoken"), "x") {
		t.Errorf("requests %+v", reqs)
	}
}
