package graph_test

// Shared pieces of the benchmarks: how typedgraph is configured for them and the static loopback
// servers that serve the same bytes to typedgraph and to its floor. See BENCHMARKS.md.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// userPage returns a page of n users with Graph's default properties (no $select), numbered from
// first, with an @odata.nextLink when next is set. jobTitle and mobilePhone are null, as Graph sends
// them for most users, and every other user has no business phone ([]).
func userPage(first, n int, next string) []byte {
	page := struct {
		Context  string     `json:"@odata.context"`
		NextLink string     `json:"@odata.nextLink,omitempty"`
		Value    []wireUser `json:"value"`
	}{Context: "https://graph.microsoft.com/v1.0/$metadata#users", NextLink: next, Value: []wireUser{}}
	for i := first; i < first+n; i++ {
		phones := []string{"+1 425 555 0109"}
		if i%2 == 1 {
			phones = []string{}
		}
		page.Value = append(page.Value, wireUser{
			BusinessPhones: phones, DisplayName: fmt.Sprintf("User %d Vance", i), GivenName: "User",
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

// benchSelect is the $select of the selected-properties benchmarks, and selectQuery the same in a URL.
var benchSelect = []string{"id", "displayName", "userPrincipalName", "mail"}

const selectQuery = "?%24select=id%2CdisplayName%2CuserPrincipalName%2Cmail"

// selectedUser is what a hand-written client declares for $select=id,displayName,userPrincipalName,mail:
// the four properties, each a *string (Graph may send null for mail). It is the floor's user.
type selectedUser struct {
	ID                *string `json:"id"`
	DisplayName       *string `json:"displayName"`
	UserPrincipalName *string `json:"userPrincipalName"`
	Mail              *string `json:"mail"`
}

// defaultUser is what a hand-written client declares for Graph's default projection (no $select):
// the 11 properties, strings as *string (any of them may be null), businessPhones a slice.
type defaultUser struct {
	BusinessPhones    []string `json:"businessPhones"`
	DisplayName       *string  `json:"displayName"`
	GivenName         *string  `json:"givenName"`
	JobTitle          *string  `json:"jobTitle"`
	Mail              *string  `json:"mail"`
	MobilePhone       *string  `json:"mobilePhone"`
	OfficeLocation    *string  `json:"officeLocation"`
	PreferredLanguage *string  `json:"preferredLanguage"`
	Surname           *string  `json:"surname"`
	UserPrincipalName *string  `json:"userPrincipalName"`
	ID                *string  `json:"id"`
}

// selectedPage returns a page of n users with the four properties of benchSelect, as Graph sends them
// for that $select; every tenth user has no mail (null).
func selectedPage(first, n int, next string) []byte {
	page := struct {
		Context  string         `json:"@odata.context"`
		NextLink string         `json:"@odata.nextLink,omitempty"`
		Value    []selectedUser `json:"value"`
	}{Context: "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,userPrincipalName,mail)", NextLink: next, Value: []selectedUser{}}
	for i := first; i < first+n; i++ {
		u := selectedUser{
			ID:                new(fmt.Sprintf("%08d-44d7-43e1-9a83-5f2406dee5bd", i)),
			DisplayName:       new(fmt.Sprintf("User %d Vance", i)),
			UserPrincipalName: new(fmt.Sprintf("user%d@contoso.test", i)),
		}
		if i%10 != 9 {
			u.Mail = new(fmt.Sprintf("user%d@contoso.test", i))
		}
		page.Value = append(page.Value, u)
	}
	b, err := json.Marshal(page)
	if err != nil {
		panic(err)
	}
	return b
}

// floorPage is the floor's GET of one page: net/http, a static bearer token, encoding/json into a page
// of the caller's own user type U. It returns the page's users and its @odata.nextLink.
func floorPage[U any](ctx context.Context, hc *http.Client, url string) ([]U, string, error) {
	var page struct {
		NextLink *string `json:"@odata.nextLink"`
		Value    []U     `json:"value"`
	}
	err := getDecoded(ctx, hc, url, &page)
	next := ""
	if page.NextLink != nil {
		next = *page.NextLink
	}
	return page.Value, next, err
}

// generatedPage is the same GET decoded into the generated page type, gen.MicrosoftGraphUserCollectionResponse.
func generatedPage(ctx context.Context, hc *http.Client, url string) ([]graph.User, string, error) {
	var page graph.UserCollectionResponse
	err := getDecoded(ctx, hc, url, &page)
	return page.Value, page.ODataNextLink.GetOrEmpty(), err
}

// getDecoded GETs url with a static bearer token and decodes the JSON body into page.
func getDecoded(ctx context.Context, hc *http.Client, url string, page any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	err = json.NewDecoder(resp.Body).Decode(page)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %s", resp.Status)
	}
	return err
}

// pagedServer serves total users in pages of per from pre-rendered bytes: GET /v1.0/users is the
// first page, and each page's @odata.nextLink is an absolute URL carrying $skiptoken=<page index>,
// as Graph's do. It does no work per request beyond writing the bytes, so both clients pay the same
// small server cost. Its query options other than $skiptoken are not read: the pages are already
// what they ask for.
type pagedServer struct {
	*httptest.Server
	pages [][]byte // written before the server starts, read-only after
}

// newPagedServer serves users with Graph's default properties (userPage).
func newPagedServer(tb testing.TB, total, per int) *pagedServer {
	return newPagedServerOf(tb, total, per, userPage)
}

// newPagedServerOf serves pages rendered by render (userPage or selectedPage).
func newPagedServerOf(tb testing.TB, total, per int, render func(first, n int, next string) []byte) *pagedServer {
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
		s.pages = append(s.pages, render(first, n, next))
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
