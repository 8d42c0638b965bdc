package specslice

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMicrosoftModuleFiles slices a few paths of each of Microsoft's per-module OpenAPI files
// (../shared/reference/openapi-v1.0/*.yml, the same as Microsoft's openApiDocs/v1.0/) without error,
// twice, and checks that both runs give the same bytes. It skips when the files are absent.
func TestMicrosoftModuleFiles(t *testing.T) {
	dir := filepath.Dir(sharedRef(t, filepath.Join("openapi-v1.0", "x")))
	files, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			t.Skipf("%s is absent (it lives outside the repository)", dir)
		}
		t.Fatalf("no .yml file in %s", dir)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			paths := somePaths(string(src), 4)
			if len(paths) == 0 {
				t.Fatal("no path found")
			}
			t.Logf("paths %q", paths)
			opt := Options{Paths: paths, NullableRefs: true}
			first, err := Slice(src, opt)
			if err != nil {
				t.Fatalf("Slice(%q): %v", paths, err)
			}
			if len(first.Operations) == 0 {
				t.Errorf("Slice(%q) kept no operation", paths)
			}
			again, err := Slice(src, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.YAML, again.YAML) {
				t.Errorf("Slice(%q) is not deterministic", paths)
			}
		})
	}
}

// somePaths returns up to n path keys of an OpenAPI document, spread over its paths section: the
// first, then every len/n-th, so that short and deep paths, functions and key segments are tried.
func somePaths(doc string, n int) []string {
	_, rest, ok := strings.Cut(doc, "\npaths:\n")
	if !ok {
		return nil
	}
	var all []string
	for line := range strings.Lines(rest) {
		if !strings.HasPrefix(line, "  ") {
			if strings.TrimSpace(line) != "" {
				break // the end of paths
			}
			continue
		}
		key := strings.TrimSpace(line)
		if strings.HasPrefix(line, "   ") || !strings.HasSuffix(key, ":") {
			continue
		}
		key = strings.TrimSuffix(key, ":")
		if strings.HasPrefix(key, "'") {
			key = strings.ReplaceAll(strings.Trim(key, "'"), "''", "'")
		}
		if strings.HasPrefix(key, "/") {
			all = append(all, key)
		}
	}
	var out []string
	for i := 0; i < len(all) && len(out) < n; i += max(1, len(all)/n) {
		out = append(out, all[i])
	}
	return out
}
