package graph_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeExtending checks README's "Extending from your own module" against examples/applications:
// the wiring it shows is the example's and takes at most 5 lines, and its graphspec command, replayed
// into a scratch directory (when Microsoft's Applications.yml is in ../shared or TYPEDGRAPH_SHARED),
// writes exactly the files committed in examples/applications/apps.
func TestReadmeExtending(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Extending from your own module")
	if !ok {
		t.Fatal(`README has no "Extending from your own module" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")

	// The wiring: README's block is the example's code, in at most 5 lines.
	_, wiring, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal("the section has no Go block")
	}
	wiring, _, _ = strings.Cut(wiring, "```")
	lines := strings.Split(strings.TrimSpace(wiring), "\n")
	if len(lines) > 5 || !strings.Contains(wiring, "graph.NewClient") {
		t.Errorf("README's wiring takes %d lines, want graph.NewClient and at most 5:\n%s", len(lines), wiring)
	}
	example, err := os.ReadFile(filepath.Join("examples", "applications", "applications.go"))
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(example)), " ")
	for _, l := range lines[1:] {
		if !strings.Contains(flat, strings.Join(strings.Fields(l), " ")) {
			t.Errorf("README's wiring line %q is not in examples/applications/applications.go", strings.TrimSpace(l))
		}
	}

	// The graphspec command.
	var args []string
	for rest := section; args == nil; {
		var block string
		if _, rest, ok = strings.Cut(rest, "```sh\n"); !ok {
			t.Fatal("the section has no sh block running cmd/graphspec with -package")
		}
		block, rest, _ = strings.Cut(rest, "```")
		if !strings.Contains(block, "./cmd/graphspec") || !strings.Contains(block, "-package") {
			continue
		}
		words, err := shellWords(strings.ReplaceAll(block, "\\\n", " "))
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range words {
			if w == "./cmd/graphspec" {
				args = words[i+1:]
			}
		}
	}
	const pkg = "examples/applications/apps"
	if p := flagValues(args, "package"); len(p) != 1 || p[0] != pkg {
		t.Fatalf("README's command writes -package %q, want %s", p, pkg)
	}
	in := flagValues(args, "in")
	if len(in) != 1 || filepath.Base(in[0]) != "Applications.yml" {
		t.Fatalf("README's command reads -in %q, want Microsoft's Applications.yml", in)
	}

	shared := os.Getenv("TYPEDGRAPH_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "shared")
	}
	src := filepath.Join(shared, strings.TrimPrefix(filepath.ToSlash(in[0]), "../shared/"))
	if _, err := os.Stat(src); err != nil {
		t.Skipf("Microsoft's Applications.yml is needed to replay README's command (set TYPEDGRAPH_SHARED): %v", err)
	}
	if testing.Short() {
		t.Skip("runs go run ./cmd/graphspec")
	}
	dir := filepath.Join(t.TempDir(), "apps")
	for i := range args {
		switch {
		case i > 0 && args[i-1] == "-in":
			args[i] = src
		case i > 0 && args[i-1] == "-package":
			args[i] = dir
		}
	}
	cmd := exec.Command("go", append([]string{"run", "./cmd/graphspec"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("graphspec: %v\n%s", err, stderr.String())
	}
	n := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		got, _ := os.ReadFile(p)
		want, err := os.ReadFile(filepath.Join(pkg, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s/%s differs from what README's command writes", pkg, filepath.ToSlash(rel))
		}
		n++
		return nil
	})
	if err != nil || n < 5 {
		t.Fatalf("README's command wrote %d files (%v)", n, err)
	}
}
