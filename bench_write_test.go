package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/gen"
)

// benchNewUser is what a provisioning job sends to create a user: the five required properties and a
// few common ones.
func benchNewUser() graph.User {
	return graph.User{
		AccountEnabled:    graph.Value(true),
		DisplayName:       graph.Value("Adele Vance"),
		GivenName:         graph.Value("Adele"),
		Surname:           graph.Value("Vance"),
		MailNickname:      graph.Value("adele"),
		UserPrincipalName: graph.Value("adele@contoso.test"),
		JobTitle:          graph.Value("Retail Manager"),
		Department:        graph.Value("Retail"),
		UsageLocation:     graph.Value("US"),
		PasswordProfile: graph.Value(graph.PasswordProfile{
			Password:                      graph.Value("a-long-generated-password"),
			ForceChangePasswordNextSignIn: graph.Value(true),
		}),
	}
}

// benchPatch is an update: one property set, one cleared.
func benchPatch() graph.User {
	return graph.User{JobTitle: graph.Value("Engineer"), OfficeLocation: graph.Null[string]()}
}

// newWriteServer answers POST /v1.0/users with 201 and the created user, PATCH /v1.0/users/{id} with
// 204, after reading the whole request body and checking it is a JSON object with a bearer.
func newWriteServer(tb testing.TB) *httptest.Server {
	created := []byte(`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users/$entity","id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd",` +
		`"businessPhones":[],"displayName":"Adele Vance","givenName":"Adele","jobTitle":"Retail Manager","mail":null,` +
		`"mobilePhone":null,"officeLocation":null,"preferredLanguage":null,"surname":"Vance","userPrincipalName":"adele@contoso.test"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		switch {
		case err != nil || len(body) < 2 || body[0] != '{' || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
			http.Error(w, "bad body", http.StatusBadRequest)
		case r.Header.Get("Authorization") != "Bearer "+testToken:
			http.Error(w, "no bearer", http.StatusUnauthorized)
		case r.Method == http.MethodPost && r.URL.Path == "/v1.0/users":
			w.Header()["Content-Type"] = []string{"application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"}
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(created)
		case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/v1.0/users/"):
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, "not found", http.StatusNotFound)
		}
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// BenchmarkCreateUser creates a user through CreateUserWithResponse and, beside it, through the floor:
// encoding/json encodes the same graph.User, net/http POSTs it with a static bearer, and the 201 body
// is decoded into a graph.User. The encode sub-benchmarks isolate building the request (generated
// code vs json.Marshal + http.NewRequest), without a round trip.
func BenchmarkCreateUser(b *testing.B) {
	srv := newWriteServer(b)
	ctx := context.Background()
	user := benchNewUser()
	url := srv.URL + "/v1.0/users"

	runCounterbalanced(b,
		benchCase{"op=call/impl=floor", func(b *testing.B) {
			hc := &http.Client{}
			b.ReportAllocs()
			for b.Loop() {
				var got graph.User
				status, err := floorSend(ctx, hc, http.MethodPost, url, &user, &got)
				if err != nil || status != http.StatusCreated || got.ID == nil {
					b.Fatal(status, err)
				}
			}
		}},
		benchCase{"op=call/impl=typedgraph", func(b *testing.B) {
			c := newBenchClient(b, srv.URL+"/v1.0")
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.CreateUserWithResponse(ctx, user)
				if err != nil || resp.StatusCode() != http.StatusCreated || resp.JSON201 == nil || resp.JSON201.ID == nil {
					b.Fatal(err)
				}
			}
		}},
		benchCase{"op=encode/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf, err := json.Marshal(&user)
				if err != nil {
					b.Fatal(err)
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(buf))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
			}
		}},
		benchCase{"op=encode/impl=typedgraph", func(b *testing.B) {
			server := srv.URL + "/v1.0/"
			b.ReportAllocs()
			for b.Loop() {
				if _, err := gen.NewCreateUserRequest(server, user); err != nil {
					b.Fatal(err)
				}
			}
		}},
	)
}

// BenchmarkUpdateUser updates a user (PATCH, 204 No Content) through UpdateUserWithResponse and the
// floor, as BenchmarkCreateUser does for create.
func BenchmarkUpdateUser(b *testing.B) {
	srv := newWriteServer(b)
	ctx := context.Background()
	patch := benchPatch()
	const id = "87d349ed-44d7-43e1-9a83-5f2406dee5bd"
	url := srv.URL + "/v1.0/users/" + id

	runCounterbalanced(b,
		benchCase{"op=call/impl=floor", func(b *testing.B) {
			hc := &http.Client{}
			b.ReportAllocs()
			for b.Loop() {
				status, err := floorSend(ctx, hc, http.MethodPatch, url, &patch, nil)
				if err != nil || status != http.StatusNoContent {
					b.Fatal(status, err)
				}
			}
		}},
		benchCase{"op=call/impl=typedgraph", func(b *testing.B) {
			c := newBenchClient(b, srv.URL+"/v1.0")
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.UpdateUserWithResponse(ctx, id, patch)
				if err != nil || resp.StatusCode() != http.StatusNoContent {
					b.Fatal(err)
				}
			}
		}},
		benchCase{"op=encode/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf, err := json.Marshal(&patch)
				if err != nil {
					b.Fatal(err)
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodPatch, url, bytes.NewReader(buf))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
			}
		}},
		benchCase{"op=encode/impl=typedgraph", func(b *testing.B) {
			server := srv.URL + "/v1.0/"
			b.ReportAllocs()
			for b.Loop() {
				if _, err := gen.NewUpdateUserRequest(server, id, patch); err != nil {
					b.Fatal(err)
				}
			}
		}},
	)
}

// floorSend is the floor's write: encoding/json encodes in, net/http sends it with a static bearer,
// and a JSON answer is decoded into out when out is not nil.
func floorSend(ctx context.Context, hc *http.Client, method, url string, in, out any) (int, error) {
	buf, err := json.Marshal(in)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(buf))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil {
		err = json.NewDecoder(resp.Body).Decode(out)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}
