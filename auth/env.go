package auth

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/typedgraph/graph/internal/redact"
)

// Environment variable names read by ConfigFromEnv. The AZURE_* names are
// those azidentity's EnvironmentCredential reads.
const (
	EnvTenantID            = "AZURE_TENANT_ID"
	EnvClientID            = "AZURE_CLIENT_ID"
	EnvClientSecret        = "AZURE_CLIENT_SECRET"
	EnvCertificatePath     = "AZURE_CLIENT_CERTIFICATE_PATH"
	EnvCertificatePassword = "AZURE_CLIENT_CERTIFICATE_PASSWORD"
	EnvAuthorityHost       = "AZURE_AUTHORITY_HOST"
	// EnvSendCertificateChain, when true, sends the certificate chain (x5c)
	// with a certificate credential, as azidentity's variable of that name.
	EnvSendCertificateChain = "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"
	// EnvCloud names the cloud (see CloudByName); it picks the authority
	// host, Graph endpoint and scope together. typedgraph's own addition.
	EnvCloud = "TYPEDGRAPH_CLOUD"
)

// ConfigFromEnv builds a Config from the environment: AZURE_TENANT_ID and
// AZURE_CLIENT_ID (required), AZURE_CLIENT_SECRET or
// AZURE_CLIENT_CERTIFICATE_PATH (a PEM file with the certificate and an
// unencrypted key; the secret wins when both are set, as in azidentity),
// AZURE_CLIENT_CERTIFICATE_PASSWORD (encrypted keys yield ErrEncryptedKey),
// AZURE_CLIENT_SEND_CERTIFICATE_CHAIN, AZURE_AUTHORITY_HOST and
// TYPEDGRAPH_CLOUD. graph.ConfigFromEnv reads the same variables and
// TYPEDGRAPH_BASE_URL.
//
// Without TYPEDGRAPH_CLOUD, an AZURE_AUTHORITY_HOST of a national cloud picks
// that cloud; login.microsoftonline.us picks US Government L4 (set
// TYPEDGRAPH_CLOUD=usgovl5 for DoD). Errors wrap ErrInvalidConfig and never
// contain a secret or key material.
func ConfigFromEnv() (Config, error) {
	return configFromEnv(os.Getenv, os.ReadFile)
}

// ConfigFromLookup is ConfigFromEnv reading the variables through lookup
// instead of os.Getenv: for tests, and for programs that layer their own
// settings (command-line flags, say) over the environment. An empty value
// counts as unset.
func ConfigFromLookup(lookup func(name string) string) (Config, error) {
	return configFromEnv(lookup, os.ReadFile)
}

func configFromEnv(getenv func(string) string, readFile func(string) ([]byte, error)) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	cfg := Config{TenantID: get(EnvTenantID), ClientID: get(EnvClientID)}
	var missing []string
	if cfg.TenantID == "" {
		missing = append(missing, EnvTenantID)
	}
	if cfg.ClientID == "" {
		missing = append(missing, EnvClientID)
	}
	secret, certPath := getenv(EnvClientSecret), get(EnvCertificatePath)
	if secret == "" && certPath == "" {
		missing = append(missing, EnvClientSecret+" or "+EnvCertificatePath)
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("%w: environment variable %s not set", ErrInvalidConfig, strings.Join(missing, ", "))
	}

	authority := get(EnvAuthorityHost)
	cloud, err := CloudByName(get(EnvCloud))
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", EnvCloud, err)
	}
	if get(EnvCloud) == "" && authority != "" {
		cloud = cloudForAuthority(authority)
	}
	cfg.Cloud = cloud
	if authority != "" {
		base, err := baseURL(authority)
		if err != nil {
			return Config{}, fmt.Errorf("%w: %s: %v", ErrInvalidConfig, EnvAuthorityHost, err)
		}
		cfg.AuthorityHost = base
	}

	if secret != "" {
		cfg.Credential = NewClientSecret(secret)
		return cfg, nil
	}
	data, err := readFile(certPath)
	if err != nil {
		// Not the value: it may be the PEM data (certificate and key) set where a path belongs.
		return Config{}, fmt.Errorf("%w: %s: reading the certificate file: %s", ErrInvalidConfig, EnvCertificatePath, redact.FileError(certPath, err))
	}
	certs, key, err := ParseCertificatePEM(data, []byte(getenv(EnvCertificatePassword)))
	if err != nil {
		return Config{}, fmt.Errorf("%s %q: %w", EnvCertificatePath, certPath, err)
	}
	sendChain, _ := strconv.ParseBool(get(EnvSendCertificateChain))
	cred, err := NewClientCertificate(certs, key, &CertificateOptions{SendCertificateChain: sendChain})
	if err != nil {
		return Config{}, fmt.Errorf("%s %q: %w", EnvCertificatePath, certPath, err)
	}
	cfg.Credential = cred
	return cfg, nil
}

// cloudForAuthority maps a national cloud's authority host to its cloud;
// anything else is the global cloud.
func cloudForAuthority(authority string) Cloud {
	u, err := url.Parse(authority)
	if err != nil {
		return CloudGlobal
	}
	switch strings.ToLower(u.Hostname()) {
	case "login.microsoftonline.us":
		return CloudUSGovL4
	case "login.chinacloudapi.cn", "login.partner.microsoftonline.cn":
		return CloudChina
	}
	return CloudGlobal
}
