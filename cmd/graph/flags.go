package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// globalFlags are accepted before the command words and by every command that uses them, so both
// "graph --json users list" and "graph users list --json" work. A flag given after the command words
// wins.
type globalFlags struct {
	conn connFlags
	json optBool
}

// register adds every global flag to fs.
func (g *globalFlags) register(fs *flag.FlagSet) {
	g.conn.register(fs)
	g.registerOutput(fs)
}

// registerOutput adds the output flags to fs.
func (g *globalFlags) registerOutput(fs *flag.FlagSet) {
	fs.Var(&g.json, "json", "print JSON, one object per line; --json=false prints a table (default: JSON unless stdout is a terminal)")
}

// connFlags say where to send requests and with which credentials. Every field left empty falls back
// to its environment variable.
type connFlags struct {
	tenant     string
	clientID   string
	secretFile string
	certFile   string
	cloud      string
	authority  string
	baseURL    string
	emulator   bool
	timeout    time.Duration
}

// register adds the connection flags to fs.
func (f *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.tenant, "tenant", "", "directory (tenant) `ID` or verified domain [AZURE_TENANT_ID]")
	fs.StringVar(&f.clientID, "client-id", "", "application (client) `ID` of the app registration [AZURE_CLIENT_ID]")
	fs.StringVar(&f.secretFile, "client-secret-file", "", "read the client secret from `FILE` [AZURE_CLIENT_SECRET holds the secret itself]")
	fs.StringVar(&f.certFile, "certificate", "", "PEM `FILE` holding the certificate and its unencrypted private key [AZURE_CLIENT_CERTIFICATE_PATH]")
	fs.StringVar(&f.cloud, "cloud", "", "national cloud `NAME`: global, usgovl4, usgovl5 or china [TYPEDGRAPH_CLOUD] (default global)")
	fs.StringVar(&f.authority, "authority-host", "", "identity platform `URL`, overriding the cloud's [AZURE_AUTHORITY_HOST]")
	fs.StringVar(&f.baseURL, "base-url", "", "Graph base `URL`, overriding the cloud's https://.../v1.0 [TYPEDGRAPH_BASE_URL]")
	fs.BoolVar(&f.emulator, "emulator", false, "use the embedded emulator even when credentials are configured")
	fs.DurationVar(&f.timeout, "timeout", 0, "give up after `DURATION`, e.g. 30s (default: no limit; Ctrl-C stops at any time)")
}

// optBool is a boolean flag that remembers whether it was given, so that --json can default to "decide
// from the terminal".
type optBool struct {
	set, val bool
}

// IsBoolFlag lets the flag be given without a value.
func (b *optBool) IsBoolFlag() bool { return true }

// Set parses the flag's value.
func (b *optBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("want true or false")
	}
	b.set, b.val = true, v
	return nil
}

// String returns the value as given, or "" when the flag was not given.
func (b *optBool) String() string {
	if b == nil || !b.set {
		return ""
	}
	return strconv.FormatBool(b.val)
}

// newFlagSet returns a FlagSet that reports errors to its caller instead of printing or exiting.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseInterleaved parses flags wherever they appear among the positional arguments, which the flag
// package alone stops at, and returns the positional arguments. After "--" everything is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// splitList splits a comma-separated flag value such as "id,displayName", dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// connectionFlags are the names of connFlags' flags, which graph --help describes once for all
// commands.
var connectionFlags = func() map[string]bool {
	fs := newFlagSet("")
	new(connFlags).register(fs)
	m := make(map[string]bool)
	fs.VisitAll(func(f *flag.Flag) { m[f.Name] = true })
	return m
}()

// printOptions writes fs's own flags (not the connection flags) in the style of a manual's OPTIONS
// section, in the order of flag.VisitAll (alphabetical).
func printOptions(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, "\nOPTIONS\n")
	fs.VisitAll(func(f *flag.Flag) {
		if connectionFlags[f.Name] {
			return
		}
		name, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		switch {
		case isBoolFlag(f) && f.Name == "json":
			left += "[=false]"
		case isBoolFlag(f):
		case name != "":
			left += " " + name
		}
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.DefValue != "0s" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "    %s\n        %s\n", left, usage)
	})
}

// isBoolFlag reports whether f takes no value.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
