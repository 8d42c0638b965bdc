// Command graphspec cuts endpoints out of Microsoft's Graph OpenAPI description and adds them,
// normalised for oapi-codegen, to typedgraph's spec.
//
// Usage:
//
//	graphspec -in FILE -path PATTERN [-path PATTERN ...] [-op 'METHOD /path=operationId' ...]
//	          [-status 'METHOD /path=CODE' ...] [-merge SPEC] [-out FILE] [-nullable-refs]
//	          [-csdl FILE] [-keep-descriptions] [-title TEXT] [-package DIR [-package-name NAME]]
//
// With -package, graphspec writes a package of your own module instead of a spec to merge: DIR gets
// the slice (openapi.yaml), the oapi-codegen config, generate.go, and the templates and overlay gen/ is
// generated with, so that go generate in your module builds a client that runs on typedgraph's
// (README's "Extending from your own module" walks through examples/applications).
//
// For example, groups were added from the PowerShell SDK's Groups.yml with (README's "Adding an
// endpoint" has the whole procedure):
//
//	go run ./cmd/graphspec -in ../Groups.yml -nullable-refs -csdl ../cleanMetadata.xml \
//	    -path /groups -path '/groups/{group-id}' -path '/groups/{group-id}/members' \
//	    -path '/groups/{group-id}/members/$ref#POST' \
//	    -path '/groups/{group-id}/members/{directoryObject-id}/$ref' \
//	    -merge api/graph.yaml -out api/graph.yaml
//
// With -csdl, Microsoft's CSDL (its $metadata, or cleanMetadata.xml of msgraph-metadata) is the
// authority on properties: what the OpenAPI file lacks is added from it (rule 17), and each addition
// is listed on standard error.
//
// The normalisation rules are those of api/README.md; see package internal/specslice.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/typedgraph/graph/internal/specslice"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: graphspec -in FILE -path PATTERN [-path PATTERN ...] [flags]

graphspec keeps the operations of a Microsoft Graph OpenAPI document (openapi.yaml, or a
PowerShell SDK module file such as Users.yml) whose paths match the patterns, with every
component they reference, rewritten by the rules of api/README.md. The result goes to
standard output, or to -out; with -merge it is added to an existing spec, whose entries win.
With -csdl, properties and types the OpenAPI document lacks are added from
Microsoft's CSDL. Kept operations, additions, notes and merge conflicts are
listed on standard error.

Patterns: /users exact; /users/* one segment; /groups/** any depth (/groups included);
/users#GET,POST only those methods. Paths match with or without the microsoft.graph. prefix
of bound functions (/users/delta() or /users/microsoft.graph.delta()).

Flags:
`

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ", ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("graphspec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var paths, ops, statuses multi
	in := fs.String("in", "", "Microsoft's OpenAPI `file` to read (YAML or JSON)")
	fs.Var(&paths, "path", "path `pattern` to keep; repeatable")
	fs.Var(&ops, "op", "override one derived operationId: `'METHOD /path=ID'`; repeatable")
	fs.Var(&statuses, "status", "set the code that replaces 2XX for one operation: `'METHOD /path=CODE'`; repeatable")
	merge := fs.String("merge", "", "add the slice to this existing `spec`, keeping its entries and layout")
	out := fs.String("out", "", "write to this `file` (it may be the -merge spec) instead of standard output")
	nullRefs := fs.Bool("nullable-refs", false, "write plain $ref properties as nullable references: use with the PowerShell SDK's files, which drop that nullability")
	csdlFile := fs.String("csdl", "", "Microsoft's CSDL `file` ($metadata, or msgraph-metadata's cleanMetadata.xml): add the structural properties and types the OpenAPI document lacks")
	keep := fs.Bool("keep-descriptions", false, "keep Microsoft's descriptions (rule 16 drops them); for reading, not committing")
	title := fs.String("title", "", "info.title of the output (default: the input's)")
	pkgDir := fs.String("package", "", "write a package of your module into this `directory`: the slice as openapi.yaml, with the oapi-codegen config, generate.go, templates and overlay that generate it by typedgraph's rules")
	pkgName := fs.String("package-name", "", "the package's `name` with -package (default: the directory's base name)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *in == "" || len(paths) == 0 {
		fmt.Fprintln(stderr, "graphspec: -in and at least one -path are required")
		fs.Usage()
		return 2
	}
	opt := specslice.Options{Paths: paths, KeepDescriptions: *keep, Title: *title, NullableRefs: *nullRefs,
		OperationIDs: map[string]string{}, Statuses: map[string]int{}}
	for _, o := range ops {
		k, v, err := keyValue(o)
		if err != nil {
			fmt.Fprintf(stderr, "graphspec: -op %q: %v\n", o, err)
			return 2
		}
		opt.OperationIDs[k] = v
	}
	for _, s := range statuses {
		k, v, err := keyValue(s)
		code, cerr := strconv.Atoi(v)
		if err == nil && (cerr != nil || code < 200 || code > 299) {
			err = errors.New("CODE must be a 2xx status")
		}
		if err != nil {
			fmt.Fprintf(stderr, "graphspec: -status %q: %v\n", s, err)
			return 2
		}
		opt.Statuses[k] = code
	}

	if *csdlFile != "" {
		var err error
		if opt.CSDL, err = readCSDL(*csdlFile); err != nil {
			fmt.Fprintln(stderr, "graphspec:", err)
			return 1
		}
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(stderr, "graphspec:", err)
		return 1
	}
	res, err := specslice.Slice(src, opt)
	if err != nil {
		fmt.Fprintln(stderr, "graphspec:", err)
		return 1
	}
	doc := res.YAML
	var conflicts []specslice.Conflict
	if *merge != "" {
		existing, err := os.ReadFile(*merge)
		if err != nil {
			fmt.Fprintln(stderr, "graphspec:", err)
			return 1
		}
		if doc, conflicts, err = specslice.Merge(existing, res.YAML); err != nil {
			fmt.Fprintln(stderr, "graphspec:", err)
			return 1
		}
	}
	for _, o := range res.Operations {
		fmt.Fprintln(stderr, "kept:", o)
	}
	for _, a := range res.FromCSDL {
		fmt.Fprintln(stderr, "from csdl:", a)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(stderr, "note:", n)
	}
	for _, c := range conflicts {
		fmt.Fprintln(stderr, "conflict:", c)
	}
	if *pkgDir != "" {
		if *out != "" || *merge != "" {
			fmt.Fprintln(stderr, "graphspec: -package writes openapi.yaml itself: use it without -out and -merge")
			return 2
		}
		if err := writePackage(*pkgDir, *pkgName, doc); err != nil {
			fmt.Fprintln(stderr, "graphspec:", err)
			return 1
		}
		return 0
	}
	if *out == "" {
		if _, err := stdout.Write(doc); err != nil {
			fmt.Fprintln(stderr, "graphspec:", err)
			return 1
		}
		return 0
	}
	if err := writeFile(*out, doc); err != nil {
		fmt.Fprintln(stderr, "graphspec:", err)
		return 1
	}
	return 0
}

// readCSDL parses the CSDL file name.
func readCSDL(name string) (*specslice.CSDL, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return specslice.ParseCSDL(f)
}

// keyValue splits 'METHOD /path=value' into "METHOD /path" and value. The value follows the last
// '=', since paths such as /users('{id}') may hold one.
func keyValue(s string) (key, value string, err error) {
	i := strings.LastIndex(s, "=")
	if i < 0 {
		return "", "", errors.New("want 'METHOD /path=VALUE'")
	}
	key, value = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	method, path, ok := strings.Cut(key, " ")
	if !ok || value == "" || !strings.HasPrefix(strings.TrimSpace(path), "/") {
		return "", "", errors.New("want 'METHOD /path=VALUE'")
	}
	return strings.ToUpper(method) + " " + strings.TrimSpace(path), value, nil
}

// writeFile replaces name atomically, so a failed run never leaves half a spec behind.
func writeFile(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".graphspec-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
