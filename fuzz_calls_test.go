package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
)

// FuzzGenericPath: whatever path a generic call is given (a caller's string, or an @odata.id Graph
// returned), it is refused or sent under the client's base URL, never to another host or API.
func FuzzGenericPath(f *testing.F) {
	for _, s := range []string{
		"users", "users/a%23EXT%23@b", "servicePrincipals(appId='x')", "https://graph.microsoft.com/v1.0/users",
		"https://evil.example/v1.0/users", "//evil.example/x", "users/../../beta", "users/%2e%2e/x", "/users?$top=1",
		"users#x", "users\\..\\beta", "https://graph.microsoft.com/v1.0/%2e%2e/beta", "http://graph.microsoft.com/v1.0/users",
	} {
		f.Add(s)
	}
	sent := &pathCheck{}
	c, err := graph.NewClient(graph.Config{HTTPClient: &http.Client{Transport: sent}, TokenSource: staticSource{}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p string) {
		sent.bad = ""
		_, _ = graph.Get[json.RawMessage](context.Background(), c, p, nil)
		if sent.bad != "" {
			t.Fatalf("path %q was sent to %s", p, sent.bad)
		}
	})
}

// pathCheck answers every request with {} and notes one that left https://graph.microsoft.com/v1.0/.
type pathCheck struct{ bad string }

func (p *pathCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	clean := path.Clean("/" + strings.ReplaceAll(req.URL.Path, `\`, "/"))
	if req.URL.Scheme != "https" || req.URL.Host != "graph.microsoft.com" || !strings.HasPrefix(clean+"/", "/v1.0/") || clean == "/v1.0" && req.URL.Path != "/v1.0/" {
		p.bad = req.URL.String()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}
