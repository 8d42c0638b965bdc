package graph

import (
	"os"
	"strings"

	"github.com/typedgraph/graph/auth"
)

// EnvBaseURL is the environment variable that overrides the Graph base URL (Config.BaseURL), for
// an emulator or a proxy: TYPEDGRAPH_BASE_URL=http://127.0.0.1:8080/v1.0.
const EnvBaseURL = "TYPEDGRAPH_BASE_URL"

// ConfigFromEnv builds a Config from the environment variables the graph command reads, so a program
// is configured the way the command is:
//
//   - AZURE_TENANT_ID and AZURE_CLIENT_ID, required;
//   - AZURE_CLIENT_SECRET, or AZURE_CLIENT_CERTIFICATE_PATH (a PEM file with the certificate and its
//     unencrypted key) with AZURE_CLIENT_CERTIFICATE_PASSWORD and AZURE_CLIENT_SEND_CERTIFICATE_CHAIN;
//     the secret wins when both are set;
//   - TYPEDGRAPH_CLOUD (global, usgovl4, usgovl5 or china) and AZURE_AUTHORITY_HOST, as
//     auth.ConfigFromEnv reads them;
//   - TYPEDGRAPH_BASE_URL (EnvBaseURL), the Graph base URL.
//
// A partial configuration (endpoints without credentials, a tenant without a secret) is an error
// naming every variable missing; the error wraps auth.ErrInvalidConfig and never contains a secret.
// The fields ConfigFromEnv does not set (HTTPClient, Retry, Logger, ...) can be set on the result
// before NewClient.
func ConfigFromEnv() (Config, error) {
	return ConfigFromLookup(os.Getenv)
}

// ConfigFromLookup is ConfigFromEnv reading the variables through lookup instead of os.Getenv: for
// tests, and for programs that layer their own settings (command-line flags, say) over the
// environment, as the graph command does. An empty value counts as unset.
func ConfigFromLookup(lookup func(name string) string) (Config, error) {
	ac, err := auth.ConfigFromLookup(lookup)
	if err != nil {
		return Config{}, err
	}
	return Config{
		TenantID:      ac.TenantID,
		ClientID:      ac.ClientID,
		Credential:    ac.Credential,
		Cloud:         ac.Cloud,
		AuthorityHost: ac.AuthorityHost,
		BaseURL:       strings.TrimSpace(lookup(EnvBaseURL)),
	}, nil
}
