package graph_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// reply writes status, content type and body; a nil body writes nothing.
func reply(status int, contentType, body string) graphtest.Interceptor {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Set("request-id", "rid-bad")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		return true
	}
}

// hugeBody streams a JSON body larger than any limit the client has.
func hugeBody(status int) graphtest.Interceptor {
	return func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"access_token":"`)
		chunk := strings.Repeat("a", 1<<20)
		for range 80 {
			if _, err := io.WriteString(w, chunk); err != nil {
				return true
			}
		}
		_, _ = io.WriteString(w, `"}`)
		return true
	}
}

const (
	jsonCT = "application/json; charset=utf-8"
	tokOK  = `"token_type":"Bearer","access_token":"eyJ0eXAiOiJKV1QifQ.e30.sig"`
)

// TestBadInput feeds the full client malformed, hostile or odd answers from the token endpoint and
// from Graph. Every row must end in a typed error (or, where marked, succeed), never panic or hang,
// and no error may show the secret or a token.
func TestBadInput(t *testing.T) {
	type want int
	const (
		authErr want = iota + 1
		graphErr
		unexpected
		jsonErr
		tooLarge
		foreign
	)
	tests := []struct {
		name     string
		identity graphtest.Interceptor // answers the token request
		graph    graphtest.Interceptor // answers the Graph request
		count    bool                  // call CountUsers instead of iterating Users
		want     want
	}{
		// The identity platform.
		{name: "token: malformed JSON", identity: reply(200, jsonCT, `{"access_token":`), want: authErr},
		{name: "token: HTML error page", identity: reply(400, "text/html", `<html><body>Sorry</body></html>`), want: authErr},
		{name: "token: truncated body", identity: reply(200, jsonCT, `{`+tokOK+`,"expires_in":35`), want: authErr},
		{name: "token: empty 200", identity: reply(200, jsonCT, ``), want: authErr},
		{name: "token: wrong content type", identity: reply(200, "text/html", `<html>`+tokOK+`</html>`), want: authErr},
		{name: "token: no access_token", identity: reply(200, jsonCT, `{"token_type":"Bearer","expires_in":3599}`), want: authErr},
		{name: "token: token_type not Bearer", identity: reply(200, jsonCT, `{"token_type":"pop","access_token":"x","expires_in":3599}`), want: authErr},
		{name: "token: expires_in zero", identity: reply(200, jsonCT, `{`+tokOK+`,"expires_in":0}`), want: authErr},
		{name: "token: expires_in negative", identity: reply(200, jsonCT, `{`+tokOK+`,"expires_in":-5}`), want: authErr},
		{name: "token: expires_in not a number", identity: reply(200, jsonCT, `{`+tokOK+`,"expires_in":"soon"}`), want: authErr},
		{name: "token: expires_in shorter than usable", identity: reply(200, jsonCT, `{`+tokOK+`,"expires_in":1e-9}`), want: authErr},
		{name: "token: JSON array", identity: reply(200, jsonCT, `[]`), want: authErr},
		{name: "token: error without fields", identity: reply(400, jsonCT, `{}`), want: authErr},
		{name: "token: invalid_client", identity: reply(401, jsonCT, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: t\r\nCorrelation ID: c","error_codes":[7000215],"trace_id":"t","correlation_id":"c"}`), want: authErr},
		{name: "token: body far larger than sane", identity: hugeBody(200), want: authErr},

		// Graph.
		{name: "graph: malformed JSON", graph: reply(200, jsonCT, `{"value":[{"id":`), want: unexpected},
		{name: "graph: HTML error page", graph: reply(500, "text/html", `<html><body>Internal error</body></html>`), want: graphErr},
		{name: "graph: truncated body", graph: reply(200, jsonCT, `{"value":[{"id":"u1"},{"id":"u`), want: unexpected},
		{name: "graph: empty 200", graph: reply(200, jsonCT, ``), want: unexpected},
		{name: "graph: wrong content type", graph: reply(200, "text/html", `<html>{"value":[]}</html>`), want: unexpected},
		{name: "graph: no content type", graph: reply(200, "", `{"value":[]}`), want: unexpected},
		{name: "graph: wrong JSON types", graph: reply(200, jsonCT, `{"value":[{"id":42,"accountEnabled":"yes"}]}`), want: unexpected},
		{name: "graph: error without innerError", graph: reply(404, jsonCT, `{"error":{"code":"Request_ResourceNotFound","message":"gone"}}`), want: graphErr},
		{name: "graph: error date without offset", graph: reply(404, jsonCT, `{"error":{"code":"x","message":"y","innerError":{"date":"2021-07-02T01:40:19"}}}`), want: graphErr},
		{name: "graph: error body not JSON", graph: reply(403, "text/plain", `Forbidden`), want: graphErr},
		{name: "graph: 429 without Retry-After", graph: reply(429, jsonCT, `{"error":{"code":"TooManyRequests","message":"slow down"}}`), want: graphErr},
		{name: "graph: garbage Retry-After", graph: func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Retry-After", "tomorrow-ish")
			return reply(429, jsonCT, `{}`)(w, r)
		}, want: graphErr},
		{name: "graph: body far larger than sane", graph: hugeBody(200), want: tooLarge},
		{name: "graph: declared length far larger than sane", graph: func(w http.ResponseWriter, r *http.Request) bool {
			// Refused on the header alone: the server sends 2 of the 200 MiB it declares and then waits
			// until the client hangs up, so a client that read (or drained) the body would hang (until go
			// test's -timeout: the test has no deadline of its own, which a slow machine could trip).
			w.Header().Set("Content-Type", jsonCT)
			w.Header().Set("Content-Length", strconv.Itoa(200<<20))
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"`)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return true
		}, want: tooLarge},
		{name: "graph: unparsable nextLink", graph: reply(200, jsonCT, `{"value":[],"@odata.nextLink":"http://[::1"}`), want: foreign},
		{name: "graph: count not a number", graph: reply(200, "text/plain", `lots`), count: true, want: unexpected},
		{name: "graph: count overflows", graph: reply(200, "text/plain", `999999999999999999999999`), count: true, want: unexpected},
		{name: "graph: 401 with a non-Graph body", graph: reply(401, "text/plain", `nope`), want: graphErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No deadline: reading 64 MiB under -race on a busy machine takes what it takes (a 20 s
			// guard once failed "body far larger than sane" there). A hang meets go test's -timeout.
			ctx := context.Background()
			fake := graphtest.NewServer(graphtest.Options{Users: 3})
			defer fake.Close()
			if tt.identity != nil {
				fake.InterceptIdentity(tt.identity)
			}
			if tt.graph != nil {
				fake.InterceptGraph(tt.graph)
			}
			client, err := graph.NewClient(graph.Config{
				TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
				AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL,
			})
			if err != nil {
				t.Fatal(err)
			}
			graph.SetSleep(client, (&fakeSleep{}).sleep)

			if tt.count {
				_, err = client.CountUsers(ctx, nil)
			} else {
				for _, e := range client.Users(ctx, nil) {
					if e != nil {
						err = e
					}
				}
			}
			if err == nil {
				t.Fatal("no error")
			}
			var (
				aerr *auth.Error
				gerr *graph.Error
				uerr *graph.UnexpectedResponseError
			)
			ok := false
			switch tt.want {
			case authErr:
				ok = errors.As(err, &aerr)
			case graphErr:
				ok = errors.As(err, &gerr)
			case unexpected:
				ok = errors.As(err, &uerr)
			case tooLarge:
				ok = errors.Is(err, graph.ErrBodyTooLarge)
			case foreign:
				ok = errors.Is(err, graph.ErrForeignNextLink)
			}
			if !ok {
				t.Fatalf("err = %T %v", err, err)
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if strings.Contains(s, fake.ClientSecret) || strings.Contains(s, "eyJ") || strings.Contains(s, "Bearer ") {
					t.Errorf("error leaks a secret or token: %s", s)
				}
			}
		})
	}
	if len(tests) < 20 {
		t.Errorf("only %d rows", len(tests))
	}
}
