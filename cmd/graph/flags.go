package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
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

// The flag package's error messages, which spell flags with one dash and say "parse error" without
// saying what was wanted.
var (
	reUndefined  = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	reBadValue   = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]+): (.*)$`)
	reNeedsValue = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
)

// flagMessage rewords a flag parsing error of fs in graph's words: flags spelt with two dashes, a
// suggestion for a misspelt flag, and what a value should look like.
func flagMessage(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if m := reUndefined.FindStringSubmatch(msg); m != nil {
		var names []string
		if fs != nil {
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		}
		hint := ""
		if best := closest(m[1], names); best != "" {
			hint = "; did you mean --" + best + "?"
		}
		return "unknown flag --" + m[1] + hint
	}
	if m := reNeedsValue.FindStringSubmatch(msg); m != nil {
		return "--" + m[1] + " needs a value" + wantOf(fs, m[1], "")
	}
	if m := reBadValue.FindStringSubmatch(msg); m != nil {
		value, name, why := m[1], m[2], m[3]
		want := wantOf(fs, name, value)
		if want == "" {
			want = ": " + why
		}
		return fmt.Sprintf("invalid value %q for --%s%s", value, name, want)
	}
	return msg
}

// wantOf says what the flag name of fs takes, after a colon: ": want a whole number", or "" when the
// flag's own error says it better. value is what was given, if anything.
func wantOf(fs *flag.FlagSet, name, value string) string {
	if fs == nil {
		return ""
	}
	f := fs.Lookup(name)
	if f == nil {
		return ""
	}
	getter, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch getter.Get().(type) {
	case int, int64, uint, uint64:
		return ": want a whole number"
	case float64:
		return ": want a number"
	case bool:
		return ": want true or false"
	case time.Duration:
		if _, err := strconv.ParseFloat(value, 64); err == nil {
			return ": a duration needs a unit, e.g. " + value + "s, 2m or 1h30m"
		}
		return ": want a duration such as 30s, 2m or 1h30m"
	}
	return ""
}
