package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// bodyCallers are the typed calls, helpers and iterators that read a JSON body from a 2xx answer,
// each reduced to the error it returns.
func bodyCallers() map[string]func(ctx context.Context, c *graph.Client) error {
	const id = "00000000-0000-4000-8000-000000000001"
	iterate := func(seq func(func(graph.DirectoryItem, error) bool)) error {
		for _, err := range seq {
			if err != nil {
				return err
			}
		}
		return nil
	}
	group := graph.Group{DisplayName: graph.Value("G"), MailEnabled: graph.Value(false), MailNickname: graph.Value("g"), SecurityEnabled: graph.Value(true)}
	return map[string]func(ctx context.Context, c *graph.Client) error{
		"GetUserWithResponse": func(ctx context.Context, c *graph.Client) error {
			_, err := c.GetUserWithResponse(ctx, id, nil)
			return err
		},
		"ListUsersWithResponse": func(ctx context.Context, c *graph.Client) error {
			_, err := c.ListUsersWithResponse(ctx, nil)
			return err
		},
		"CreateUserWithResponse": func(ctx context.Context, c *graph.Client) error {
			_, err := c.CreateUserWithResponse(ctx, graph.User{DisplayName: graph.Value("A")})
			return err
		},
		"DeltaUsersWithResponse": func(ctx context.Context, c *graph.Client) error {
			_, err := c.DeltaUsersWithResponse(ctx, nil)
			return err
		},
		"ListUserMemberOfWithResponse": func(ctx context.Context, c *graph.Client) error {
			_, err := c.ListUserMemberOfWithResponse(ctx, id, nil)
			return err
		},
		"GetGroupWithResponse": func(ctx context.Context, c *graph.Client) error {
			_, err := c.GetGroupWithResponse(ctx, id, nil)
			return err
		},
		"ListGroupsWithResponse": func(ctx context.Context, c *graph.Client) error {
			_, err := c.ListGroupsWithResponse(ctx, nil)
			return err
		},
		"CreateGroupWithResponse": func(ctx context.Context, c *graph.Client) error {
			_, err := c.CreateGroupWithResponse(ctx, group)
			return err
		},
		"ListGroupMembersWithResponse": func(ctx context.Context, c *graph.Client) error {
			_, err := c.ListGroupMembersWithResponse(ctx, id, nil)
			return err
		},
		"CreateGroup": func(ctx context.Context, c *graph.Client) error {
			_, err := c.CreateGroup(ctx, group, []string{id}, nil)
			return err
		},
		"Users": func(ctx context.Context, c *graph.Client) error {
			for _, err := range c.Users(ctx, nil) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"Groups": func(ctx context.Context, c *graph.Client) error {
			for _, err := range c.Groups(ctx, nil) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"GroupMembers": func(ctx context.Context, c *graph.Client) error {
			return iterate(c.GroupMembers(ctx, id, nil))
		},
		"UserMemberOf": func(ctx context.Context, c *graph.Client) error {
			return iterate(c.UserMemberOf(ctx, id, nil))
		},
	}
}

// successStatus is the status Graph answers a successful request with: 201 for a POST that creates.
func successStatus(r *http.Request) int {
	if r.Method == http.MethodPost {
		return http.StatusCreated
	}
	return http.StatusOK
}

// TestOneErrorModelForBadBodies answers every typed call and iterator 2xx with a body that is not the
// JSON its operation promises: each returns *graph.UnexpectedResponseError carrying the status,
// content type and request-id, and, for JSON that does not decode, the decoder's error.
func TestOneErrorModelForBadBodies(t *testing.T) {
	const jsonCT = "application/json;odata.metadata=minimal;charset=utf-8"
	bodies := []struct {
		name, contentType, body string
		decodeErr               any // the type errors.As must find in the chain, or nil (the page's own
		// structure may be read by other code than encoding/json)
	}{
		{"HTML page", "text/html; charset=utf-8", `<html><body>{"value":[]}</body></html>`, nil},
		{"no content type", "", `{"id":"x","value":[]}`, nil},
		{"plain text", "text/plain", `{"id":"x","value":[]}`, nil},
		{"truncated", jsonCT, `{"id":"u1","value":[{"@odata.type":"#microsoft.graph.user","id":"u1"},{"id":"u`, nil},
		{"empty", jsonCT, ``, nil},
		{"wrong JSON types", jsonCT, `{"id":42,"value":[{"@odata.type":"#microsoft.graph.user","id":42}]}`, new(*json.UnmarshalTypeError)},
		{"array instead of an object", jsonCT, `[{"id":"u1"}]`, nil},
		{"not JSON at all", jsonCT, `<html>oops</html>`, nil},
	}
	for _, b := range bodies {
		for name, call := range bodyCallers() {
			t.Run(b.name+"/"+name, func(t *testing.T) {
				fake := graphtest.NewServer(graphtest.Options{})
				t.Cleanup(fake.Close)
				fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
					w.Header()["Content-Type"] = nil // no sniffing: what the row says, or nothing
					if b.contentType != "" {
						w.Header().Set("Content-Type", b.contentType)
					}
					w.Header().Set("request-id", "rid-body")
					w.WriteHeader(successStatus(r))
					_, _ = io.WriteString(w, b.body)
					return true
				})
				client := fakeClientFor(t, fake, nil)
				err := call(context.Background(), client)
				var uerr *graph.UnexpectedResponseError
				if !errors.As(err, &uerr) {
					t.Fatalf("err = %T %v, want *graph.UnexpectedResponseError", err, err)
				}
				if uerr.StatusCode/100 != 2 || uerr.ContentType != b.contentType || uerr.RequestID != "rid-body" || uerr.Reason == "" {
					t.Errorf("error %+v", uerr)
				}
				if b.contentType == jsonCT && uerr.Err == nil {
					t.Errorf("error %v does not wrap the decoder's error", err)
				}
				if b.decodeErr != nil && !errors.As(err, b.decodeErr) {
					t.Errorf("err %v does not wrap a %T", err, b.decodeErr)
				}
				if errors.Is(err, context.Canceled) {
					t.Errorf("err %v claims a cancelled context", err)
				}
			})
		}
	}
}

// TestContextEndedWhileBodyRead cancels the caller's context as the first bytes of a 2xx body are
// read: every typed call and iterator returns an error that errors.Is context.Canceled, not one
// about the body.
func TestContextEndedWhileBodyRead(t *testing.T) {
	for name, call := range bodyCallers() {
		t.Run(name, func(t *testing.T) {
			fake := graphtest.NewServer(graphtest.Options{})
			t.Cleanup(fake.Close)
			done := make(chan struct{})
			t.Cleanup(func() { close(done) })
			fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
				// Half a body, then nothing until the client gives up on the connection.
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(successStatus(r))
				_, _ = io.WriteString(w, `{"id":"u1","value":[{"@odata.type":"#microsoft.graph.user","id":"u1"},`)
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-done:
				}
				return true
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			client := fakeClientFor(t, fake, &http.Client{Transport: cancelOnRead{http.DefaultTransport, cancel}})
			err := call(ctx, client)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %T %v, want one that is context.Canceled", err, err)
			}
			// A cancelled call is the caller's doing, not a bad answer from Graph.
			if uerr := (*graph.UnexpectedResponseError)(nil); errors.As(err, &uerr) {
				t.Errorf("err = %v, an UnexpectedResponseError", err)
			}
		})
	}
}

// cancelOnRead is a RoundTripper whose answers' bodies call cancel when they are first read: the
// caller's context ends while the body is being read.
type cancelOnRead struct {
	rt     http.RoundTripper
	cancel context.CancelFunc
}

func (c cancelOnRead) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	if err != nil || req.URL.Path == "" || resp.StatusCode/100 != 2 || !isGraphPath(req.URL.Path) {
		return resp, err
	}
	resp.Body = &cancellingBody{ReadCloser: resp.Body, cancel: c.cancel}
	return resp, nil
}

func isGraphPath(p string) bool { return len(p) >= 5 && p[:5] == "/v1.0" }

type cancellingBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancellingBody) Read(p []byte) (int, error) {
	b.cancel()
	return b.ReadCloser.Read(p)
}

// fakeClientFor returns a client of fake, sending with hc (nil: the default).
func fakeClientFor(t *testing.T, fake *graphtest.Server, hc *http.Client) *graph.Client {
	t.Helper()
	client, err := graph.NewClient(graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL, HTTPClient: hc,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// TestUndeclaredSuccessStatus answers typed calls that promise a JSON body with a 2xx their operation
// does not declare: no body, or one that is not the declared kind. Each is an
// *UnexpectedResponseError, not a response whose JSON200 is nil.
func TestUndeclaredSuccessStatus(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
	}{
		{"204 without a body", http.StatusNoContent, "", ""},
		{"202 with JSON", http.StatusAccepted, "application/json", `{"id":"u1"}`},
		{"203 with HTML", http.StatusNonAuthoritativeInfo, "text/html", `<html></html>`},
	} {
		for _, name := range []string{"GetUserWithResponse", "ListUsersWithResponse", "CreateGroupWithResponse", "ListGroupMembersWithResponse"} {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				fake := graphtest.NewServer(graphtest.Options{})
				t.Cleanup(fake.Close)
				fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
					w.Header()["Content-Type"] = nil
					if tc.contentType != "" {
						w.Header().Set("Content-Type", tc.contentType)
					}
					w.WriteHeader(tc.status)
					_, _ = io.WriteString(w, tc.body)
					return true
				})
				err := bodyCallers()[name](context.Background(), fakeClientFor(t, fake, nil))
				var uerr *graph.UnexpectedResponseError
				if !errors.As(err, &uerr) || uerr.StatusCode != tc.status {
					t.Fatalf("err = %T %v, want *graph.UnexpectedResponseError for %d", err, err, tc.status)
				}
			})
		}
	}
}
