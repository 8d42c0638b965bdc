package graph_test

// Shared pieces of the benchmarks: how typedgraph is configured for them and the static loopback
// servers that serve the same bytes to typedgraph and to its floor. See BENCHMARKS.md.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
)

// graphContentType is the Content-Type Graph sends with a JSON collection.
const graphContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// benchSource is a token source behind an auth.Cache, as in production (NewClient wraps the
// client-credentials fetcher in a Cache). The cache answers every call from its fast path: the token
// is good for an hour, far from its refresh window.
type benchSource struct{}

func (benchSource) Token(context.Context) (*auth.Token, error) {
	return &auth.Token{AccessToken: testToken, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// newBenchClient returns the client the benchmarks measure: default HTTP client (the floor uses the
// same http.DefaultTransport), default retry policy, and a cached token, so the editor, the cache and
// the resilience transport are all in the numbers.
func newBenchClient(tb testing.TB, baseURL string) *graph.Client {
	tb.Helper()
	c, err := graph.NewClient(graph.Config{BaseURL: baseURL, TokenSource: auth.NewCache(benchSource{}, nil)})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// wireUser is a user with Graph's default properties, as Graph sends it in a list.
type wireUser struct {
	BusinessPhones    []string `json:"businessPhones"`
	DisplayName       string   `json:"displayName"`
	GivenName         string   `json:"givenName"`
	JobTitle          *string  `json:"jobTitle"`
	Mail              string   `json:"mail"`
	MobilePhone       *string  `json:"mobilePhone"`
	OfficeLocation    string   `json:"officeLocation"`
	PreferredLanguage string   `json:"preferredLanguage"`
	Surname           string   `json:"surname"`
	UserPrincipalName string   `json:"userPrincipalName"`
	ID                string   `json:"id"`
}

// userPage returns a page of n users numbered from first, with an @odata.nextLink when next is set.
func userPage(first, n int, next string) []byte {
	page := struct {
		Context  string     `json:"@odata.context"`
		NextLink string     `json:"@odata.nextLink,omitempty"`
		Value    []wireUser `json:"value"`
	}{Context: "https://graph.microsoft.com/v1.0/$metadata#users", NextLink: next, Value: []wireUser{}}
	for i := first; i < first+n; i++ {
		page.Value = append(page.Value, wireUser{
			BusinessPhones: []string{"+1 425 555 0109"}, DisplayName: fmt.Sprintf("User %d Vance", i), GivenName: "User",
			Mail: fmt.Sprintf("user%d@contoso.test", i), OfficeLocation: "18/2111", PreferredLanguage: "en-US",
			Surname: "Vance", UserPrincipalName: fmt.Sprintf("user%d@contoso.test", i),
			ID: fmt.Sprintf("%08d-44d7-43e1-9a83-5f2406dee5bd", i),
		})
	}
	b, err := json.Marshal(page)
	if err != nil {
		panic(err)
	}
	return b
}

// pagedServer serves total users in pages of per from pre-rendered bytes: GET /v1.0/users is the
// first page, and each page's @odata.nextLink is an absolute URL carrying $skiptoken=<page index>,
// as Graph's do. It does no work per request beyond writing the bytes, so both clients pay the same
// small server cost.
type pagedServer struct {
	*httptest.Server
	pages [][]byte // written before the server starts, read-only after
}

func newPagedServer(tb testing.TB, total, per int) *pagedServer {
	tb.Helper()
	s := &pagedServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	base := "http://" + s.Listener.Addr().String() + "/v1.0/users"
	for first := 0; first < total; first += per {
		n := min(per, total-first)
		next := ""
		if first+n < total {
			next = base + "?$skiptoken=" + strconv.Itoa(len(s.pages)+1)
		}
		s.pages = append(s.pages, userPage(first, n, next))
	}
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

func (s *pagedServer) serve(w http.ResponseWriter, r *http.Request) {
	i := 0
	if tok := r.URL.Query().Get("$skiptoken"); tok != "" {
		var err error
		if i, err = strconv.Atoi(tok); err != nil || i < 0 || i >= len(s.pages) {
			http.Error(w, "bad $skiptoken", http.StatusBadRequest)
			return
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		http.Error(w, "no bearer", http.StatusUnauthorized)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{graphContentType}
	h["Request-Id"] = []string{"2b3c8f4e-0000-0000-0000-000000000000"}
	_, _ = w.Write(s.pages[i])
}

// benchCase is one side of a comparison: a sub-benchmark name (key=value parts) and its body.
type benchCase struct {
	name string
	run  func(b *testing.B)
}

// benchRounds counts, per parent benchmark, how many times it has run (one round per -count).
var benchRounds sync.Map // b.Name() and the first case's name -> *atomic.Int64

// runCounterbalanced runs cases as sub-benchmarks of b: in the given order in odd rounds and in
// reverse in even ones. A sub-benchmark that always runs first (or last) in a round is measured on a
// different heap, GC pacing and scheduler state than the others, which on this kind of machine moves
// its time by several percent; alternating the order spreads that over every case, so with an even
// -count each case runs first as often as last.
func runCounterbalanced(b *testing.B, cases ...benchCase) {
	b.Helper()
	v, _ := benchRounds.LoadOrStore(b.Name()+"/"+cases[0].name, new(atomic.Int64))
	order := slices.Clone(cases)
	if v.(*atomic.Int64).Add(1)%2 == 0 {
		slices.Reverse(order)
	}
	for _, c := range order {
		b.Run(c.name, c.run)
	}
}
