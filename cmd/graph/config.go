package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
	"github.com/typedgraph/graph/internal/redact"
)

// The environment variables graph reads: those of auth.ConfigFromEnv (the Azure SDKs' AZURE_* names
// and TYPEDGRAPH_CLOUD), plus the azidentity option to send the certificate chain and our
// TYPEDGRAPH_BASE_URL for the Graph base URL.
const (
	envTenantID      = auth.EnvTenantID
	envClientID      = auth.EnvClientID
	envClientSecret  = auth.EnvClientSecret
	envCertPath      = auth.EnvCertificatePath
	envCertPassword  = auth.EnvCertificatePassword
	envAuthorityHost = auth.EnvAuthorityHost
	envCloud         = auth.EnvCloud
	envSendCertChain = "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"
	envGraphBaseURL  = "TYPEDGRAPH_BASE_URL"
)

// Limits and sizes.
const (
	embeddedUsers      = 20       // size of the embedded emulator's sample directory
	embeddedGroups     = 5        // and its sample groups, each with a few of the users
	maxSecretFileBytes = 64 << 10 // a client secret is tens of bytes
	maxCertFileBytes   = 1 << 20  // a PEM chain and key are a few kilobytes
)

// target is a resolved connection: what graph.NewClient and auth.NewClientCredentials need. fake is the
// embedded emulator when one was started; close stops it.
type target struct {
	graph graph.Config
	auth  auth.Config
	fake  *graphtest.Server
}

// close releases the embedded emulator, if any.
func (t *target) close() {
	if t.fake != nil {
		t.fake.Close()
	}
}

// connect resolves flags and environment into a target. With no credentials configured at all (or with
// --emulator) it starts the embedded emulator and says so on stderr. A partial configuration is a usage
// error naming what is missing, never a silent fall back to the emulator.
func (c *cli) connect(f *connFlags, cmd string) (*target, error) {
	pick := func(flagValue, envName string) string {
		if flagValue != "" {
			return flagValue
		}
		return strings.TrimSpace(c.env(envName))
	}
	tenant := pick(f.tenant, envTenantID)
	clientID := pick(f.clientID, envClientID)
	envSecret := c.env(envClientSecret) // not trimmed: a secret is used exactly as given
	envCert := strings.TrimSpace(c.env(envCertPath))

	configured := tenant != "" || clientID != "" || f.secretFile != "" || f.certFile != "" || envSecret != "" || envCert != ""
	if f.emulator || !configured {
		return c.embedded(f.emulator)
	}

	var missing []string
	if tenant == "" {
		missing = append(missing, "--tenant or "+envTenantID)
	}
	if clientID == "" {
		missing = append(missing, "--client-id or "+envClientID)
	}
	if f.secretFile == "" && f.certFile == "" && envSecret == "" && envCert == "" {
		missing = append(missing, "a secret (--client-secret-file or "+envClientSecret+") or a certificate (--certificate or "+envCertPath+")")
	}
	if len(missing) > 0 {
		return nil, usagef(cmd, "incomplete credentials: missing %s (configure none of them to use the embedded emulator)", strings.Join(missing, ", "))
	}

	cred, err := c.credential(f, envSecret, envCert, cmd)
	if err != nil {
		return nil, err
	}
	authority := pick(f.authority, envAuthorityHost)
	cloudName := pick(f.cloud, envCloud)
	cloud, err := auth.CloudByName(cloudName)
	if err != nil {
		return nil, usagef(cmd, "--cloud: %s", strings.TrimPrefix(err.Error(), auth.ErrInvalidConfig.Error()+": "))
	}
	if cloudName == "" && authority != "" {
		cloud = cloudForAuthority(authority) // as auth.ConfigFromEnv does
	}
	t := &target{
		graph: graph.Config{
			TenantID:      tenant,
			ClientID:      clientID,
			Credential:    cred,
			Cloud:         cloud,
			AuthorityHost: authority,
			BaseURL:       pick(f.baseURL, envGraphBaseURL),
		},
		auth: auth.Config{
			TenantID:      tenant,
			ClientID:      clientID,
			Credential:    cred,
			Cloud:         cloud,
			AuthorityHost: authority,
		},
	}
	return t, nil
}

// credential builds the secret or certificate credential. A flag beats an environment variable; among
// the environment variables a secret beats a certificate, as in the Azure SDKs.
func (c *cli) credential(f *connFlags, envSecret, envCert, cmd string) (auth.Credential, error) {
	if f.secretFile != "" && f.certFile != "" {
		return nil, usagef(cmd, "--client-secret-file and --certificate are mutually exclusive")
	}
	switch {
	case f.secretFile != "":
		b, err := readFileLimited(f.secretFile, maxSecretFileBytes)
		if err != nil {
			return nil, usagef(cmd, "--client-secret-file: %s (the flag takes the path of a file holding the secret)", redact.FileError(f.secretFile, err))
		}
		secret := strings.TrimSpace(string(b))
		if secret == "" {
			return nil, usagef(cmd, "--client-secret-file: %s is empty", f.secretFile)
		}
		return auth.NewClientSecret(secret), nil
	case f.certFile != "":
		return c.certificate(f.certFile, "--certificate", cmd)
	case envSecret != "":
		return auth.NewClientSecret(envSecret), nil
	default:
		return c.certificate(envCert, envCertPath, cmd)
	}
}

// certificate reads a PEM certificate and key from path.
func (c *cli) certificate(path, source, cmd string) (auth.Credential, error) {
	b, err := readFileLimited(path, maxCertFileBytes)
	if err != nil {
		return nil, usagef(cmd, "%s: %s (it takes the path of a PEM file holding the certificate and its key)", source, redact.FileError(path, err))
	}
	certs, key, err := auth.ParseCertificatePEM(b, []byte(c.env(envCertPassword)))
	if err != nil {
		return nil, usagef(cmd, "%s: %s: %v", source, path, err)
	}
	sendChain, _ := strconv.ParseBool(c.env(envSendCertChain))
	cred, err := auth.NewClientCertificate(certs, key, &auth.CertificateOptions{SendCertificateChain: sendChain})
	if err != nil {
		return nil, usagef(cmd, "%s: %s: %v", source, path, err)
	}
	return cred, nil
}

// embedded starts the embedded emulator and points the target at it.
func (c *cli) embedded(forced bool) (*target, error) {
	fake := graphtest.NewServer(graphtest.Options{Users: embeddedUsers, Groups: embeddedGroups})
	why := "no credentials configured"
	if forced {
		why = "--emulator"
	}
	fmt.Fprintf(c.stderr, "graph: %s: using the embedded emulator (%d sample users, %d groups; changes last until the command exits).\n"+
		"graph: set %s, %s and %s to use your tenant.\n",
		why, embeddedUsers, embeddedGroups, envTenantID, envClientID, envClientSecret)
	cred := auth.NewClientSecret(fake.ClientSecret)
	return &target{
		graph: graph.Config{
			TenantID:      fake.TenantID,
			ClientID:      fake.ClientID,
			Credential:    cred,
			AuthorityHost: fake.AuthorityHost,
			BaseURL:       fake.GraphURL,
		},
		auth: auth.Config{
			TenantID:      fake.TenantID,
			ClientID:      fake.ClientID,
			Credential:    cred,
			AuthorityHost: fake.AuthorityHost,
		},
		fake: fake,
	}, nil
}

// client resolves the connection and returns a Graph client for it. The caller must call the returned
// target's close.
func (c *cli) client(f *connFlags, cmd string) (*graph.Client, *target, error) {
	t, err := c.connect(f, cmd)
	if err != nil {
		return nil, nil, err
	}
	client, err := graph.NewClient(t.graph)
	if err != nil {
		t.close()
		return nil, nil, err
	}
	return client, t, nil
}

// cloudForAuthority picks the national cloud whose identity platform is authority, so that setting
// only AZURE_AUTHORITY_HOST to a national cloud's host also gets that cloud's Graph and scope, as with
// auth.ConfigFromEnv. Any other host (the global cloud's, an emulator's) means the global cloud.
func cloudForAuthority(authority string) auth.Cloud {
	u, err := url.Parse(authority)
	if err != nil {
		return auth.CloudGlobal
	}
	switch strings.ToLower(u.Hostname()) {
	case "login.microsoftonline.us":
		return auth.CloudUSGovL4
	case "login.chinacloudapi.cn", "login.partner.microsoftonline.cn":
		return auth.CloudChina
	}
	return auth.CloudGlobal
}

// readFileLimited reads path, refusing files larger than limit bytes. "-" is not special here.
func readFileLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, limit, path)
}

// readLimited reads r to the end, refusing more than limit bytes; name describes r in errors.
func readLimited(r io.Reader, limit int64, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return b, nil
}

// errNoBody reports a 2xx answer without the JSON body the command needs.
var errNoBody = errors.New("graph: the response has no JSON body")
