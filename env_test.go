package graph_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
)

// TestConfigFromEnv checks the variables graph.ConfigFromEnv reads beyond auth.ConfigFromEnv's (the
// Graph base URL), and that a partial configuration names every missing variable.
func TestConfigFromEnv(t *testing.T) {
	t.Setenv("AZURE_TENANT_ID", "contoso.example")
	t.Setenv("AZURE_CLIENT_ID", "app-id")
	t.Setenv("AZURE_CLIENT_SECRET", "not-a-real-secret-9f3e")
	t.Setenv("AZURE_AUTHORITY_HOST", "http://127.0.0.1:8080")
	t.Setenv("TYPEDGRAPH_BASE_URL", " http://127.0.0.1:8080/v1.0 ")
	t.Setenv("TYPEDGRAPH_CLOUD", "")
	cfg, err := graph.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TenantID != "contoso.example" || cfg.ClientID != "app-id" || cfg.Credential == nil ||
		cfg.AuthorityHost != "http://127.0.0.1:8080" || cfg.BaseURL != "http://127.0.0.1:8080/v1.0" || cfg.Cloud != auth.CloudGlobal {
		t.Errorf("ConfigFromEnv() = %v", cfg)
	}
	if _, err := graph.NewClient(cfg); err != nil {
		t.Errorf("NewClient refuses ConfigFromEnv's config: %v", err)
	}

	_, err = graph.ConfigFromLookup(func(k string) string {
		return map[string]string{"TYPEDGRAPH_BASE_URL": "http://127.0.0.1:8080/v1.0"}[k]
	})
	if !errors.Is(err, auth.ErrInvalidConfig) {
		t.Fatalf("endpoints without credentials: %v, want auth.ErrInvalidConfig", err)
	}
	for _, name := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}
