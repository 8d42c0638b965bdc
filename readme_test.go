package graph_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestReadmeQuickStart copies README's quick start program, as a new user would, into a scratch
// package of this module and runs it: it must list the fake's users with no network.
func TestReadmeQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Quick start")
	if !ok {
		t.Fatal("README has no Quick start section")
	}
	_, code, ok := strings.Cut(after, "```go\n")
	if !ok {
		t.Fatal("Quick start has no Go block")
	}
	code, _, _ = strings.Cut(code, "```")
	if !strings.Contains(code, "package main") {
		t.Fatalf("the first Go block of Quick start is not a program:\n%s", code)
	}

	dir, err := os.MkdirTemp(".", "quickstart-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./"+filepath.Base(dir))
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 3 {
		t.Errorf("quick start printed %d lines, want 3 users:\n%s", len(lines), out)
	}
}

// readmeGraphspec returns the arguments of README's graphspec command (step 2 of "Adding an
// endpoint"), after "go run ./cmd/graphspec", as a shell would split them.
func readmeGraphspec(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Adding an endpoint")
	if !ok {
		t.Fatal("README has no Adding an endpoint section")
	}
	for rest := section; ; {
		var block string
		if _, rest, ok = strings.Cut(rest, "```sh\n"); !ok {
			t.Fatal("Adding an endpoint has no sh block running cmd/graphspec with -merge")
		}
		block, rest, _ = strings.Cut(rest, "```")
		if strings.Contains(block, "./cmd/graphspec") && strings.Contains(block, "-merge") {
			words, err := shellWords(strings.ReplaceAll(block, "\\\n", " "))
			if err != nil {
				t.Fatalf("README's graphspec command: %v", err)
			}
			if len(words) < 3 || words[0] != "go" || words[1] != "run" || words[2] != "./cmd/graphspec" {
				t.Fatalf("README's command does not start with go run ./cmd/graphspec: %q", words)
			}
			return words[3:]
		}
	}
}

// shellWords splits a POSIX shell command line of plain words, 'single' and "double" quotes.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c quote", c)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// flagValues returns the values of -name in args (flag value pairs, as README writes them).
func flagValues(args []string, name string) []string {
	var vals []string
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-"+name {
			vals = append(vals, args[i+1])
		}
	}
	return vals
}

// TestReadmeAddingAnEndpoint checks that README's graphspec command reproduces the groups part of
// api/graph.yaml. Without Microsoft's Groups.yml and CSDL (TYPEDGRAPH_GROUPS_YML names the first,
// TYPEDGRAPH_CSDL the second, else it is looked for in ../shared/reference or TYPEDGRAPH_SHARED's;
// both live outside the repository) it checks only that the command names every groups path of the
// spec, reads a CSDL and merges into the spec. With the files it runs the command twice: as written, with -out redirected to a scratch file,
// which must reproduce api/graph.yaml byte for byte (a re-run changes nothing) and report no conflict
// but the two README names; and without -merge, whose paths and components must each be in
// api/graph.yaml unchanged (prose aside), those two components excepted: so the groups part of the
// spec is what the tool makes of Microsoft's file, with no hand edit.
func TestReadmeAddingAnEndpoint(t *testing.T) {
	args := readmeGraphspec(t)
	if m, o := flagValues(args, "merge"), flagValues(args, "out"); len(m) != 1 || m[0] != "api/graph.yaml" || len(o) != 1 || o[0] != "api/graph.yaml" {
		t.Fatalf("README's command must merge into and write api/graph.yaml: -merge %q -out %q", m, o)
	}
	if !slices.Contains(args, "-nullable-refs") {
		t.Error("README's command on a PowerShell file lacks -nullable-refs")
	}
	if len(flagValues(args, "csdl")) != 1 {
		t.Error("README's command lacks -csdl: the PowerShell files lag Microsoft's CSDL (api/README.md, rule 17)")
	}
	spec, err := os.ReadFile("api/graph.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	for p, item := range doc.Paths {
		if !strings.HasPrefix(p, "/groups") {
			continue
		}
		for method := range item {
			if method != "parameters" {
				want = append(want, strings.ToUpper(method)+" "+p)
			}
		}
	}
	var named []string
	for _, pat := range flagValues(args, "path") {
		path, methods, found := strings.Cut(pat, "#")
		for _, m := range []string{"GET", "POST", "PATCH", "DELETE"} {
			if _, ok := doc.Paths[path][strings.ToLower(m)]; ok && (!found || slices.Contains(strings.Split(methods, ","), m)) {
				named = append(named, m+" "+path)
			}
		}
	}
	slices.Sort(want)
	slices.Sort(named)
	if !slices.Equal(want, named) || len(want) != 8 {
		t.Errorf("README's -path patterns name %q; the spec's groups operations are %q", named, want)
	}

	src := os.Getenv("TYPEDGRAPH_GROUPS_YML")
	if src == "" {
		t.Skip("set TYPEDGRAPH_GROUPS_YML to Microsoft's Groups.yml to replay README's command")
	}
	if testing.Short() {
		t.Skip("runs go run ./cmd/graphspec")
	}
	if _, err := os.Stat(src); err != nil {
		t.Fatal(err)
	}
	csdl := os.Getenv("TYPEDGRAPH_CSDL")
	if csdl == "" {
		shared := os.Getenv("TYPEDGRAPH_SHARED")
		if shared == "" {
			shared = filepath.Join("..", "shared")
		}
		csdl = filepath.Join(shared, "reference", "graph-v1.0-csdl-cleanMetadata.xml")
	}
	if _, err := os.Stat(csdl); err != nil {
		t.Skipf("Microsoft's CSDL is needed to replay README's command (set TYPEDGRAPH_CSDL): %v", err)
	}
	dir := t.TempDir()
	withFlags := func(replace map[string]string, drop ...string) []string {
		var out []string
		for i := 0; i < len(args); i++ {
			if slices.Contains(drop, args[i]) {
				i++
				continue
			}
			out = append(out, args[i])
			if v, ok := replace[args[i]]; ok && i+1 < len(args) {
				out = append(out, v)
				i++
			}
		}
		return out
	}
	graphspec := func(args []string) (stderr string) {
		cmd := exec.Command("go", append([]string{"run", "./cmd/graphspec"}, args...)...)
		var errb strings.Builder
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("graphspec %q: %v\n%s", args, err, errb.String())
		}
		return errb.String()
	}

	// The conflicts README's step 2 names: entries where the spec's own, stricter version is kept.
	keptOurs := map[string]bool{"parameters top": true, "schemas microsoft.graph.ODataErrors.InnerError": true}
	merged := filepath.Join(dir, "graph.yaml")
	log := graphspec(withFlags(map[string]string{"-in": src, "-csdl": csdl, "-out": merged}))
	for _, line := range strings.Split(log, "\n") {
		if where, ok := strings.CutPrefix(line, "conflict: components "); ok {
			if name, _, _ := strings.Cut(where, ":"); !keptOurs[name] {
				t.Errorf("README's command reports a conflict it does not mention: %s", line)
			}
		} else if strings.HasPrefix(line, "conflict:") {
			t.Errorf("README's command reports a conflict: %s", line)
		}
	}
	got, err := os.ReadFile(merged)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(spec) {
		t.Errorf("README's command on %s changes api/graph.yaml (diff %s api/graph.yaml)", src, merged)
	}

	sliced := filepath.Join(dir, "slice.yaml")
	graphspec(withFlags(map[string]string{"-in": src, "-csdl": csdl, "-out": sliced}, "-merge"))
	var s, full map[string]any
	b, err := os.ReadFile(sliced)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(spec, &full); err != nil {
		t.Fatal(err)
	}
	for p, item := range s["paths"].(map[string]any) {
		if !reflect.DeepEqual(withoutProse(item), withoutProse(full["paths"].(map[string]any)[p])) {
			t.Errorf("path %s of the slice differs in api/graph.yaml", p)
		}
	}
	for kind, entries := range s["components"].(map[string]any) {
		have, _ := full["components"].(map[string]any)[kind].(map[string]any)
		for name, entry := range entries.(map[string]any) {
			if reflect.DeepEqual(withoutProse(entry), withoutProse(have[name])) {
				continue
			}
			if !keptOurs[kind+" "+name] {
				t.Errorf("component %s %s of the slice differs in api/graph.yaml", kind, name)
			}
		}
	}
}

// withoutProse returns v without descriptions, summaries and examples, which api/README.md's rule 16
// makes ours: the merge, too, compares entries without them.
func withoutProse(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			switch k {
			case "description", "summary", "example", "examples":
				continue
			}
			out[k] = withoutProse(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = withoutProse(e)
		}
		return out
	}
	return v
}
