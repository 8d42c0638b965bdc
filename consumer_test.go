package graph_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsumerRequiresOnlyWhatItLinks builds a program's module that imports graph, auth and
// graphtest from this checkout (through replace), runs go mod tidy, and checks that its go.mod lists
// only modules providing packages the program links: nothing of the code generator (oapi-codegen
// itself, kin-openapi, x/tools), which go mod tidy, considering every build tag, would otherwise add
// (issue 16, point 13). It uses the module cache, and the module proxy when the cache lacks a go.mod,
// as go itself does.
func TestConsumerRequiresOnlyWhatItLinks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy in a temporary module, which may download go.mod files from the module proxy; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	root, err := os.Getwd() // the module root: this package's directory
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/consumer\n\ngo 1.26.0\n\nrequire github.com/typedgraph/graph v0.0.0\n\n"+
		"replace github.com/typedgraph/graph => "+filepath.ToSlash(root)+"\n")
	write("main.go", `package main

import (
	"context"
	"fmt"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

func main() {
	fake := graphtest.NewServer(graphtest.Options{Users: 1})
	defer fake.Close()
	client, err := graph.NewClient(graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL,
	})
	if err != nil {
		panic(err)
	}
	n, err := client.CountUsers(context.Background(), nil)
	fmt.Println(n, err)
}
`)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(goBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return string(out)
	}
	run("mod", "tidy")
	linked := map[string]bool{}
	for _, m := range strings.Fields(run("list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", ".")) {
		linked[m] = true
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	required := requiredModules(string(gomod))
	for _, m := range required {
		if !linked[m] {
			t.Errorf("go.mod requires %s, which provides no package the program links", m)
		}
		for _, gen := range []string{"github.com/oapi-codegen/oapi-codegen/v2", "github.com/getkin/kin-openapi", "golang.org/x/tools"} {
			if m == gen {
				t.Errorf("go.mod requires the code generator's %s", m)
			}
		}
	}
	if len(required) == 0 || t.Failed() {
		t.Logf("go.mod:\n%s", gomod)
	}
}

// requiredModules returns the module paths of a go.mod's require directives, one-line and block.
func requiredModules(gomod string) []string {
	var mods []string
	inBlock := false
	sc := bufio.NewScanner(strings.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0:
		case inBlock && f[0] == ")":
			inBlock = false
		case inBlock:
			mods = append(mods, f[0])
		case f[0] == "require" && len(f) >= 2 && f[1] == "(":
			inBlock = true
		case f[0] == "require" && len(f) >= 3:
			mods = append(mods, f[1])
		}
	}
	return mods
}
