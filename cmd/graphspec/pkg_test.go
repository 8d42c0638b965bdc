package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/typedgraph/graph/api"
)

func TestPackageMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "myapi")
	matches := []string{filepath.Join("..", "..", "internal", "specslice", "testdata", "rules", "11-operation-ids.yaml")}
	var stderr bytes.Buffer
	const path = "/groups"
	if code := run([]string{"-in", matches[0], "-path", path, "-package", dir}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, name := range []string{"openapi.yaml", "oapi-codegen.yaml", "generate.go", "overlay.yaml", "templates/client.tmpl", "templates/imports.tmpl"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	gen, _ := os.ReadFile(filepath.Join(dir, "generate.go"))
	cfg, _ := os.ReadFile(filepath.Join(dir, "oapi-codegen.yaml"))
	if !strings.HasPrefix(string(gen), "package myapi\n") || !strings.Contains(string(gen), "//go:generate go tool oapi-codegen -config oapi-codegen.yaml -templates templates openapi.yaml") {
		t.Errorf("generate.go:\n%s", gen)
	}
	if !strings.Contains(string(cfg), "package: myapi\noutput: myapi.gen.go\n") || !strings.Contains(string(cfg), "nullable-type: true") {
		t.Errorf("oapi-codegen.yaml:\n%s", cfg)
	}

	for _, args := range [][]string{
		{"-in", matches[0], "-path", path, "-package", filepath.Join(t.TempDir(), "My-API")},
		{"-in", matches[0], "-path", path, "-package", dir, "-out", filepath.Join(dir, "x.yaml")},
	} {
		if code := run(args, &bytes.Buffer{}, &bytes.Buffer{}); code == 0 {
			t.Errorf("%q: accepted", args)
		}
	}
}

// The example's generated package uses typedgraph's current templates and overlay.
func TestExampleTemplatesInSync(t *testing.T) {
	root := filepath.Join("..", "..", "examples", "applications", "apps")
	err := fs.WalkDir(api.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want, _ := api.Files.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("examples/applications/apps/%s differs from api/%s: rerun the graphspec -package command of README's \"Extending from your own module\"", p, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
