package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
	"github.com/typedgraph/graph/internal/redact"
)

// The environment variables graph reads: exactly those of graph.ConfigFromEnv (the Azure SDKs'
// AZURE_* names, TYPEDGRAPH_CLOUD and TYPEDGRAPH_BASE_URL), which builds the configuration once the
// flags are laid over them.
const (
	envTenantID      = auth.EnvTenantID
	envClientID      = auth.EnvClientID
	envClientSecret  = auth.EnvClientSecret
	envCertPath      = auth.EnvCertificatePath
	envCertPassword  = auth.EnvCertificatePassword
	envAuthorityHost = auth.EnvAuthorityHost
	envCloud         = auth.EnvCloud
	envSendCertChain = auth.EnvSendCertificateChain
	envGraphBaseURL  = graph.EnvBaseURL
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

// setting is one connection setting: its environment variable and the flag that overrides it.
type setting struct {
	env, flag string
}

// settings are the connection settings in the order messages name them.
var settings = []setting{
	{envTenantID, "--tenant"},
	{envClientID, "--client-id"},
	{envClientSecret, "--client-secret-file"},
	{envCertPath, "--certificate"},
	{envCloud, "--cloud"},
	{envAuthorityHost, "--authority-host"},
	{envGraphBaseURL, "--base-url"},
}

// lookup lays the connection flags over the environment: it returns the value graph.ConfigFromLookup
// should see for each variable, and from reports where each set value came from (a flag's name or
// the variable's). A credential flag replaces both credential variables, so that --certificate wins
// over an AZURE_CLIENT_SECRET in the environment.
func (c *cli) lookup(f *connFlags, cmd string) (vals, from map[string]string, err error) {
	vals, from = map[string]string{}, map[string]string{}
	env := func(name string) {
		v := c.env(name)
		if name != envClientSecret { // a secret is used exactly as given
			v = strings.TrimSpace(v)
		}
		if v != "" {
			vals[name], from[name] = v, name
		}
	}
	for _, name := range []string{envTenantID, envClientID, envClientSecret, envCertPath, envCertPassword,
		envSendCertChain, envCloud, envAuthorityHost, envGraphBaseURL} {
		env(name)
	}
	flagged := func(name, flagName, v string) {
		if v != "" {
			vals[name], from[name] = v, flagName
		}
	}
	flagged(envTenantID, "--tenant", f.tenant)
	flagged(envClientID, "--client-id", f.clientID)
	flagged(envCloud, "--cloud", f.cloud)
	flagged(envAuthorityHost, "--authority-host", f.authority)
	flagged(envGraphBaseURL, "--base-url", f.baseURL)
	switch {
	case f.secretFile != "" && f.certFile != "":
		return nil, nil, usagef(cmd, "--client-secret-file and --certificate are mutually exclusive")
	case f.secretFile != "":
		b, err := readFileLimited(f.secretFile, maxSecretFileBytes)
		if err != nil {
			return nil, nil, usagef(cmd, "--client-secret-file: %s (the flag takes the path of a file holding the secret)", redact.FileError(f.secretFile, err))
		}
		secret := strings.TrimSpace(string(b))
		if secret == "" {
			return nil, nil, usagef(cmd, "--client-secret-file: %s is empty", f.secretFile)
		}
		delete(vals, envCertPath)
		flagged(envClientSecret, "--client-secret-file", secret)
	case f.certFile != "":
		delete(vals, envClientSecret)
		flagged(envCertPath, "--certificate", f.certFile)
	}
	return vals, from, nil
}

// connect resolves flags and environment into a target. With nothing configured at all (or with
// --emulator) it starts the embedded emulator and says so on stderr. A partial configuration, such as
// endpoints without credentials, is a usage error naming what is missing, never a silent fall back to
// the emulator.
func (c *cli) connect(f *connFlags, cmd string) (*target, error) {
	if f.emulator {
		return c.embedded(true)
	}
	vals, from, err := c.lookup(f, cmd)
	if err != nil {
		return nil, err
	}
	var given, missing []string
	for _, s := range settings {
		if src, ok := from[s.env]; ok {
			given = append(given, src)
		}
	}
	if len(given) == 0 {
		return c.embedded(false)
	}
	if vals[envTenantID] == "" {
		missing = append(missing, "--tenant or "+envTenantID)
	}
	if vals[envClientID] == "" {
		missing = append(missing, "--client-id or "+envClientID)
	}
	if vals[envClientSecret] == "" && vals[envCertPath] == "" {
		missing = append(missing, "a secret (--client-secret-file or "+envClientSecret+") or a certificate (--certificate or "+envCertPath+")")
	}
	if len(missing) > 0 {
		return nil, usagef("graph", "incomplete configuration: %s %s set, but missing %s; configure none of them (or pass --emulator) to use the embedded emulator",
			strings.Join(given, ", "), plural(len(given), "is", "are"), strings.Join(missing, ", "))
	}
	cfg, err := graph.ConfigFromLookup(func(name string) string { return vals[name] })
	if err != nil {
		return nil, usagef("graph", "%s", configMessage(err, from))
	}
	return &target{
		graph: cfg,
		auth: auth.Config{
			TenantID:      cfg.TenantID,
			ClientID:      cfg.ClientID,
			Credential:    cfg.Credential,
			Cloud:         cfg.Cloud,
			AuthorityHost: cfg.AuthorityHost,
		},
	}, nil
}

// configMessage words a configuration error for the command line: the variable at fault is named as
// the flag it came from, when it came from one.
func configMessage(err error, from map[string]string) string {
	msg := strings.ReplaceAll(err.Error(), auth.ErrInvalidConfig.Error()+": ", "")
	for _, s := range settings {
		if from[s.env] == s.flag {
			msg = strings.ReplaceAll(msg, s.env, s.flag)
		}
	}
	return msg
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
