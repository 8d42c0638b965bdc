package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/typedgraph/graph/gen"
)

// pageBody returns a page of n users with Graph's default properties, as Graph sends it.
func pageBody(n int) []byte {
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
	page := struct {
		Context string     `json:"@odata.context"`
		Value   []wireUser `json:"value"`
	}{Context: "https://graph.microsoft.com/v1.0/$metadata#users"}
	for i := range n {
		page.Value = append(page.Value, wireUser{
			BusinessPhones: []string{"+1 425 555 0109"}, DisplayName: fmt.Sprintf("User %d Vance", i), GivenName: "User",
			Mail: fmt.Sprintf("user%d@contoso.test", i), OfficeLocation: "18/2111", PreferredLanguage: "en-US",
			Surname: "Vance", UserPrincipalName: fmt.Sprintf("user%d@contoso.test", i),
			ID: fmt.Sprintf("%08d-44d7-43e1-9a83-5f2406dee5bd", i),
		})
	}
	b, _ := json.Marshal(page)
	return b
}

func staticPageServer(tb testing.TB, body []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
		w.Header().Set("request-id", "2b3c8f4e-0000-0000-0000-000000000000")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// BenchmarkListUsersPage lists one page of users through typedgraph and, beside it, through plain
// net/http + encoding/json decoding the same bytes into the same generated type (the floor).
func BenchmarkListUsersPage(b *testing.B) {
	for _, n := range []int{1, 100, 999} {
		srv := staticPageServer(b, pageBody(n))
		ctx := context.Background()

		b.Run(fmt.Sprintf("floor/%d", n), func(b *testing.B) {
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
		})
		b.Run(fmt.Sprintf("ListUsersWithResponse/%d", n), func(b *testing.B) {
			c := newTestClient(b, srv.URL+"/v1.0")
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.ListUsersWithResponse(ctx, nil)
				if err != nil || len(resp.JSON200.Value) != n {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("Users/%d", n), func(b *testing.B) {
			c := newTestClient(b, srv.URL+"/v1.0")
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
		})
	}
}
