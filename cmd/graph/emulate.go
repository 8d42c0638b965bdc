package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/typedgraph/graph/graphtest"
)

// Limits of graph emulate's flags.
const (
	maxEmulatedUsers  = 100000
	maxEmulatedGroups = 10000
	minTokenLifetime  = time.Second
	maxTokenLifetime  = 24 * time.Hour
	maxLagReads       = 1000
	maxLag            = time.Hour
	shutdownTimeout   = 5 * time.Second
)

// emulatorInfo is what graph emulate prints: everything a client needs to use the emulator. The client
// secret is the fake's fixed, well-known one, not a secret of any real tenant.
type emulatorInfo struct {
	URL           string `json:"url"`
	AuthorityHost string `json:"authorityHost"`
	TokenEndpoint string `json:"tokenEndpoint"`
	GraphBaseURL  string `json:"graphBaseURL"`
	TenantID      string `json:"tenantId"`
	Domain        string `json:"domain"`
	ClientID      string `json:"clientId"`
	ClientSecret  string `json:"clientSecret"`
	Users         int    `json:"users"`
	Groups        int    `json:"groups"`
	CertFile      string `json:"certificateFile,omitempty"`
}

// emulate implements "graph emulate": it serves graphtest's fake identity platform and Graph on one
// address until ctx ends, through the fake's Handler, which routes /v1.0 to Graph and the rest to the
// identity platform. The fake's advertised URLs are pointed at the emulator's address so the absolute
// URLs it writes (token audiences, @odata.nextLink, metadata) name the address clients use. (The
// fake's own loopback listeners stay idle.)
func (c *cli) emulate(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph emulate"
	fs := newFlagSet(cmd)
	g.registerOutput(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`; port 0 picks a free port")
	users := fs.Int("users", embeddedUsers, "seed the directory with `N` generated users")
	groups := fs.Int("groups", embeddedGroups, "seed the directory with `N` generated groups of those users")
	lifetime := fs.Duration("token-lifetime", time.Hour, "lifetime of issued access tokens, `DURATION` such as 5m, to exercise refresh")
	useTLS := fs.Bool("tls", false, "serve https with a self-signed certificate written to --cert-file")
	certFile := fs.String("cert-file", "", "with --tls, write the certificate (PEM) to `FILE`, which must not exist, for clients to trust (default: in a new private directory under $TMPDIR)")
	clientCert := fs.String("client-cert", "", "also accept client assertions signed with the key of the certificate in PEM `FILE`, as for an app registration with a certificate")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --addr: anyone who can reach it may use the well-known credentials")
	quiet := fs.Bool("quiet", false, "do not log each request on standard error")
	lagReads := fs.Int("lag-reads", 0, "replication lag: answer the first `N` requests naming a new or changed object as a replica that has not seen the write (404, 400, old properties)")
	lag := fs.Duration("lag", 0, "replication lag: keep each write unseen for `DURATION`, such as 20s (with --lag-reads, until both have passed)")
	roles := fs.String("roles", "", "give issued tokens only these application permissions, a comma-separated `LIST` such as User.Read.All, to test a client's 403 handling (default: every permission the emulator serves)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return c.flagError(fs, cmd, err, emulateHelp)
	}
	if len(pos) > 0 {
		return usagef(cmd, "unexpected argument %q", pos[0])
	}
	if *users < 0 || *users > maxEmulatedUsers {
		return usagef(cmd, "--users must be between 0 and %d", maxEmulatedUsers)
	}
	if *groups < 0 || *groups > maxEmulatedGroups {
		return usagef(cmd, "--groups must be between 0 and %d", maxEmulatedGroups)
	}
	if *lifetime < minTokenLifetime || *lifetime > maxTokenLifetime {
		return usagef(cmd, "--token-lifetime must be between %v and %v", minTokenLifetime, maxTokenLifetime)
	}
	if *lagReads < 0 || *lagReads > maxLagReads {
		return usagef(cmd, "--lag-reads must be between 0 and %d", maxLagReads)
	}
	if *lag < 0 || *lag > maxLag {
		return usagef(cmd, "--lag must be between 0s and %v", maxLag)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef(cmd, "--addr: %v", err)
	}
	if !isLoopbackHost(host) && !*allowRemote {
		return usagef(cmd, "--addr %s is not a loopback address; the emulator accepts its well-known credentials from anyone who can reach it, so pass --allow-remote to serve beyond this machine", *addr)
	}
	// The emulator offers no way to read graphtest's request log, so it keeps none.
	opts := graphtest.Options{Users: *users, Groups: *groups, TokenLifetime: *lifetime, MaxRecorded: -1,
		Replication: graphtest.Replication{Reads: *lagReads, Delay: *lag}}
	if *roles != "" {
		opts.Roles = []string{}
		for r := range strings.SplitSeq(*roles, ",") {
			if r = strings.TrimSpace(r); r != "" {
				opts.Roles = append(opts.Roles, r)
			}
		}
		if len(opts.Roles) == 0 {
			return usagef(cmd, "--roles names no permission")
		}
	}
	if *clientCert != "" {
		cert, err := readCertificate(*clientCert)
		if err != nil {
			return usagef(cmd, "--client-cert: %v", err)
		}
		opts.Certificate = cert
	}

	stopWithParent() // a go run parent killed alone must not leave us holding the port

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("emulate: %w (hint: another emulator may still be running there, perhaps a "+
				"backgrounded go run whose child outlived it; stop it, or pick another address, e.g. --addr 127.0.0.1:0)", err)
		}
		return fmt.Errorf("emulate: %w", err)
	}
	defer ln.Close()

	fake, err := graphtest.Start(opts)
	if err != nil {
		return fmt.Errorf("emulate: %w", err)
	}
	defer fake.Close()

	scheme := "http"
	if *useTLS {
		scheme = "https"
	}
	base := scheme + "://" + advertisedHost(host, ln.Addr())
	// Point the fake's advertised URLs at the emulator before any request can reach it.
	fake.AuthorityHost = base
	fake.GraphEndpoint = base
	fake.GraphURL = base + "/v1.0"

	info := emulatorInfo{
		URL:           base,
		AuthorityHost: base,
		TokenEndpoint: base + "/" + fake.TenantID + "/oauth2/v2.0/token",
		GraphBaseURL:  fake.GraphURL,
		TenantID:      fake.TenantID,
		Domain:        fake.Domain,
		ClientID:      fake.ClientID,
		ClientSecret:  fake.ClientSecret,
		Users:         *users,
		Groups:        *groups,
	}

	stderr := &lockedWriter{w: c.stderr} // request handlers log concurrently
	handler := fake.Handler()
	if !*quiet {
		handler = logRequests(stderr, handler)
	}
	srv := newEmulatorServer(handler)
	if *useTLS {
		cert, der, err := selfSignedCert(host, ln.Addr())
		if err != nil {
			return fmt.Errorf("emulate: creating the certificate: %w", err)
		}
		path, cleanup, err := writeCertFile(*certFile, der)
		if err != nil {
			return fmt.Errorf("emulate: --cert-file: %w", err)
		}
		defer cleanup()
		info.CertFile = path
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}

	// Text unless --json: the text is a shell script as well as a page for a person, so it serves a
	// pipe as well as a terminal.
	if err := c.printEmulator(g.json.set && g.json.val, info, !isLoopbackHost(host)); err != nil {
		return err
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("emulate: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	<-served
	fmt.Fprintln(stderr, "graph: emulator stopped")
	return nil
}

// logRequests logs one line per request on w: the method, the path and query as sent (OData options
// included, which is what a developer wants to see), the status and the time taken. Headers, and so
// tokens and secrets, are never logged; nor are bodies.
func logRequests(w io.Writer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sr := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(sr, r)
		fmt.Fprintf(w, "%s %s %s %d %v\n", start.Format("15:04:05.000"), r.Method, sanitize(readableURI(r.URL)),
			sr.status, time.Since(start).Round(100*time.Microsecond))
	})
}

// readableURI is the path and query of u as a person reads them: percent-escapes decoded, so that
// $top reads "$top" and not "%24top", and '+' in the query as a space. Escapes that do not decode
// are left as sent. The caller sanitizes control characters the decoding may reveal.
func readableURI(u *url.URL) string {
	s := u.Path
	if s == "" {
		s = "/"
	}
	if u.RawQuery != "" {
		q := strings.ReplaceAll(u.RawQuery, "+", " ")
		if dq, err := url.PathUnescape(q); err == nil {
			q = dq
		}
		s += "?" + q
	}
	return s
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and passes it on.
func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// lockedWriter serializes writes from concurrent request handlers, so log lines do not interleave.
type lockedWriter struct {
	mu sync.Mutex // guards w
	w  io.Writer
}

// Write writes p to the underlying writer under the lock.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// emulatorReady is the last line of the settings graph emulate prints as text: after it, the
// emulator serves.
const emulatorReady = "# Serving until interrupted (Ctrl-C)."

// printEmulator prints the settings a client needs: as JSON with --json, and otherwise as text that
// is also a shell script, on a terminal or not, so that
//
//	graph emulate > emulator.env &
//	. ./emulator.env
//
// configures a shell: everything but the export lines is a comment.
func (c *cli) printEmulator(asJSON bool, info emulatorInfo, remote bool) error {
	if remote {
		fmt.Fprintln(c.stderr, "graph: warning: serving beyond loopback; anyone who reaches this address can use the credentials below")
	}
	if asJSON {
		return newEncoder(c.stdout).Encode(info)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# typedgraph emulator: the identity platform and Graph on %s, %s, %s.\n#\n",
		info.URL, counted(info.Users, "users"), counted(info.Groups, "groups"))
	var t table
	t.add("#   authority host", info.AuthorityHost)
	t.add("#   token endpoint", info.TokenEndpoint)
	t.add("#   Graph base URL", info.GraphBaseURL)
	t.add("#   tenant id", info.TenantID+" (or "+info.Domain+")")
	t.add("#   client id", info.ClientID)
	t.add("#   client secret", info.ClientSecret)
	if info.CertFile != "" {
		t.add("#   certificate", info.CertFile)
	}
	if err := t.write(&b, 0); err != nil {
		return err
	}
	fmt.Fprintf(&b, "#\n# For the graph command and programs that read the Azure SDK variables, run these lines in\n"+
		"# another shell (or source this output):\n")
	fmt.Fprintf(&b, "export %s=%s\n", envTenantID, shellValue(info.TenantID))
	fmt.Fprintf(&b, "export %s=%s\n", envClientID, shellValue(info.ClientID))
	fmt.Fprintf(&b, "export %s=%s\n", envClientSecret, shellValue(info.ClientSecret))
	fmt.Fprintf(&b, "export %s=%s\n", envAuthorityHost, shellValue(info.AuthorityHost))
	fmt.Fprintf(&b, "export %s=%s\n", envGraphBaseURL, shellValue(info.GraphBaseURL))
	if info.CertFile != "" {
		fmt.Fprintf(&b, "# Go and curl then trust the emulator (and only it):\nexport SSL_CERT_FILE=%s\n", shellValue(info.CertFile))
	}
	b.WriteString(emulatorReady + "\n")
	_, err := io.WriteString(c.stdout, b.String())
	return err
}

// shellValue quotes s for a POSIX shell when it holds anything but the characters of URLs, ids and
// paths.
func shellValue(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/@+~%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isLoopbackHost reports whether host (from --addr) names only this machine. An empty host means every
// interface, which is not loopback.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// advertisedHost is the host:port clients should use: the --addr host as given (so "localhost" stays
// "localhost"), the machine's name for an unspecified address, and the listener's port (which port 0
// picks).
func advertisedHost(host string, addr net.Addr) string {
	_, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if name, err := os.Hostname(); err == nil && name != "" {
			host = name
		} else {
			host = "localhost"
		}
	}
	return net.JoinHostPort(host, port)
}

// selfSignedCert makes a short-lived self-signed ECDSA certificate for the emulator's names: loopback,
// localhost, and the --addr host. It is its own trust anchor, so a client can trust exactly it.
func selfSignedCert(host string, addr net.Addr) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "typedgraph emulator", Organization: []string{"typedgraph"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else if ip == nil && host != "" && !strings.EqualFold(host, "localhost") {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	if adv, _, err := net.SplitHostPort(advertisedHost(host, addr)); err == nil && net.ParseIP(adv) == nil && !containsFold(tmpl.DNSNames, adv) {
		tmpl.DNSNames = append(tmpl.DNSNames, adv)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, der, nil
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// readCertificate reads the first certificate of a PEM file; any private key in the file is ignored.
func readCertificate(path string) (*x509.Certificate, error) {
	data, err := readFileLimited(path, maxCertFileBytes)
	if err != nil {
		return nil, err
	}
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("%s holds no PEM CERTIFICATE block", path)
		}
		if block.Type == "CERTIFICATE" {
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			return cert, nil
		}
	}
}

// Timeouts and limits of the emulator's HTTP server, so that slow or idle clients cannot hold
// connections (and their buffers) open indefinitely. The emulator serves small JSON bodies; graphtest
// caps request bodies (4 MiB, decompressed) and the directory itself.
const (
	emulatorReadHeaderTimeout = 10 * time.Second
	emulatorReadTimeout       = time.Minute
	emulatorWriteTimeout      = 2 * time.Minute
	emulatorIdleTimeout       = 2 * time.Minute
	emulatorMaxHeaderBytes    = 64 << 10
)

// newEmulatorServer returns the emulator's http.Server for handler, with its timeouts and limits.
func newEmulatorServer(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: emulatorReadHeaderTimeout,
		ReadTimeout:       emulatorReadTimeout,
		WriteTimeout:      emulatorWriteTimeout,
		IdleTimeout:       emulatorIdleTimeout,
		MaxHeaderBytes:    emulatorMaxHeaderBytes,
		ErrorLog:          log.New(io.Discard, "", 0), // TLS handshake noise from curious clients
	}
}

// writeCertFile writes the certificate as PEM and returns its path and a function that removes what
// it created. Without a path it creates a private directory (mode 0700) under the temporary directory
// and writes the file there, so no other user can place or replace it. With a path the file must not
// exist: it is created exclusively (O_EXCL, which also refuses a symlink planted at the path rather
// than following it) with mode 0600.
func writeCertFile(path string, der []byte) (string, func(), error) {
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if data == nil {
		return "", nil, errors.New("encoding PEM")
	}
	cleanup := func() {}
	if path == "" {
		dir, err := os.MkdirTemp("", "typedgraph-emulator-")
		if err != nil {
			return "", nil, err
		}
		path = filepath.Join(dir, "emulator.pem")
		cleanup = func() { os.RemoveAll(dir) }
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		cleanup()
		if errors.Is(err, fs.ErrExist) {
			return "", nil, fmt.Errorf("%s already exists (a file or a link); remove it or name a new file", path)
		}
		return "", nil, err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Close()
	} else {
		f.Close()
	}
	if err != nil {
		os.Remove(path)
		cleanup()
		return "", nil, err
	}
	removeDir := cleanup
	return path, func() { os.Remove(path); removeDir() }, nil
}
