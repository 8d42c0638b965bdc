package specslice

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzSlice feeds arbitrary documents to Slice and Merge: they must return a result or an error,
// never panic or hang, and whatever Slice returns must parse and merge into itself unchanged.
func FuzzSlice(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "rules", "*.yaml"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "/**")
	}
	f.Add([]byte("openapi: 3.0.1\npaths:\n  /x:\n    get:\n      responses:\n        2XX:\n          $ref: '#/components/responses/a'\ncomponents:\n  responses:\n    a:\n      $ref: '#/components/responses/a'\n"), "/x")
	f.Add([]byte("paths: {/a: {get: {responses: {default: {description: x}}}}}"), "/*")
	f.Add([]byte("openapi: 3.0.1\npaths:\n  /x:\n    get:\n      responses:\n        2XX:\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/a'\ncomponents:\n  schemas:\n    a:\n      allOf:\n        - $ref: '#/components/schemas/a'\n"), "/x")
	f.Fuzz(func(t *testing.T, doc []byte, pattern string) {
		res, err := Slice(doc, Options{Paths: []string{pattern}})
		if err != nil {
			return
		}
		if _, err := parseDoc(res.YAML, "output"); err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, res.YAML)
		}
		if _, _, err := Merge(res.YAML, res.YAML); err != nil {
			t.Fatalf("merging the output into itself: %v", err)
		}
		_, _, _ = Merge(doc, res.YAML)
	})
}
