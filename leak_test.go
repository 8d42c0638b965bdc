package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// TestUnexportedFieldsDoNotLeak: a caller's struct holding a Config or a Client in unexported fields,
// printed with any verb (fmt reaches such fields by reflection, without their Format methods), shows
// neither the secret nor the cached token (issue 16, point 3).
func TestUnexportedFieldsDoNotLeak(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 1})
	defer fake.Close()
	cfg := graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL,
	}
	client, err := graph.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ListUsersWithResponse(context.Background(), nil); err != nil { // a token in the cache
		t.Fatal(err)
	}
	static := graph.Config{BaseURL: fake.GraphURL, TokenSource: auth.StaticTokenSource(fake.Token())}
	type holder struct {
		cfg, static graph.Config
		client      *graph.Client
	}
	h := holder{cfg, static, client}
	secrets := []string{fake.ClientSecret, "eyJ", fmt.Sprintf("%x", fake.ClientSecret)}
	for _, v := range []any{h, &h} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%t", "%d", "%x"} {
			out := strings.ToLower(fmt.Sprintf(verb, v))
			for _, s := range secrets {
				if strings.Contains(out, strings.ToLower(s)) {
					t.Errorf("%s of %T shows %.12q: %.300s", verb, v, s, out)
				}
			}
		}
	}
}
