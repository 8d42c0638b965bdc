package specslice

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mergeInputs(t *testing.T) (existing, slice []byte) {
	t.Helper()
	existing, err := os.ReadFile(filepath.Join("testdata", "merge", "existing.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Slice(readInput(t, "10-responses"), Options{Paths: []string{"/widgets/**"}})
	if err != nil {
		t.Fatal(err)
	}
	return existing, res.YAML
}

func TestMerge(t *testing.T) {
	existing, slice := mergeInputs(t)
	got, conflicts, err := Merge(existing, slice)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	golden := filepath.Join("testdata", "merge", "merged.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("merged output differs from %s:\n%s", golden, lineDiff(string(want), string(got)))
	}

	// Every line of the existing spec is still there, in order: nothing was rewritten.
	if missing := notSubsequence(strings.Split(string(existing), "\n"), strings.Split(string(got), "\n")); missing != "" {
		t.Errorf("existing line %q lost or moved", missing)
	}

	wantConflicts := []string{
		"paths /widgets get: existing entry kept; the slice's differs",
		"paths /widgets post: operationId createWidget is already used by POST /gadgets; operation not added (rename it with -op)",
		"components schemas microsoft.graph.widget: existing entry kept; the slice's differs",
	}
	var gotConflicts []string
	for _, c := range conflicts {
		gotConflicts = append(gotConflicts, c.String())
	}
	if strings.Join(gotConflicts, "\n") != strings.Join(wantConflicts, "\n") {
		t.Errorf("conflicts:\n%s\nwant:\n%s", strings.Join(gotConflicts, "\n"), strings.Join(wantConflicts, "\n"))
	}

	for _, w := range []string{
		"  /widgets/{widget-id}:\n", "  /widgets/{widget-id}/polish:\n", "  /widgets/{widget-id}/settings:\n",
		"    microsoft.graph.ODataErrors.ODataError:\n", "    microsoft.graph.widgetCollectionResponse:\n",
		"  parameters:\n    widget-id:\n", "operationId: updateWidget",
	} {
		if !strings.Contains(string(got), w) {
			t.Errorf("merged output lacks %q", w)
		}
	}
	if strings.Count(string(got), "operationId: createWidget") != 1 {
		t.Errorf("createWidget added twice:\n%s", got)
	}
	if _, err := parseDoc(got, "merged"); err != nil {
		t.Fatal(err)
	}
}

// The path item /widgets exists with get only; the slice's post is added into it, not beside it.
func TestMergeAddsOperationToExistingPath(t *testing.T) {
	existing, slice := mergeInputs(t)
	existing = bytes.Replace(existing, []byte("operationId: createWidget"), []byte("operationId: createGadget"), 1)
	got, _, err := Merge(existing, slice)
	if err != nil {
		t.Fatal(err)
	}
	want := "      x-ms-docs-operation-type: operation\n    post:\n      operationId: createWidget\n"
	if !strings.Contains(string(got), want) {
		t.Errorf("post not added under /widgets; output:\n%s", got)
	}
	if i, j := strings.Index(string(got), want), strings.Index(string(got), "  # Gadgets came first"); i > j {
		t.Errorf("post added after the next path")
	}
}

func TestMergeIsIdempotent(t *testing.T) {
	existing, slice := mergeInputs(t)
	once, _, err := Merge(existing, slice)
	if err != nil {
		t.Fatal(err)
	}
	twice, conflicts, err := Merge(once, slice)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(once, twice) {
		t.Errorf("second merge changed the output:\n%s", lineDiff(string(once), string(twice)))
	}
	for _, c := range conflicts {
		if strings.Contains(c.Where, "ODataError") || strings.Contains(c.Where, "polish") {
			t.Errorf("entry added by the first merge reported as a conflict: %s", c)
		}
	}
}

func TestMergeIntoEmptySections(t *testing.T) {
	_, slice := mergeInputs(t)
	existing := []byte("# only a header\nopenapi: 3.0.3\ninfo:\n  title: Empty\n  version: v1.0\n")
	got, conflicts, err := Merge(existing, slice)
	if err != nil {
		t.Fatal(err)
	}
	if len(conflicts) != 0 {
		t.Errorf("conflicts %v, want none", conflicts)
	}
	if !strings.HasPrefix(string(got), string(existing)) {
		t.Errorf("existing text not kept as the start of the output:\n%s", got)
	}
	for _, w := range []string{"\npaths:\n  /widgets:\n", "\ncomponents:\n  schemas:\n"} {
		if !strings.Contains(string(got), w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
}

func TestMergeErrors(t *testing.T) {
	_, slice := mergeInputs(t)
	tests := []struct {
		name, existing, slice, where string
	}{
		{"existing not yaml", "paths: [", string(slice), "existing"},
		{"slice not yaml", "openapi: 3.0.3\n", "paths: [", "slice"},
		{"flow mapping", "openapi: 3.0.3\npaths: {/a: {}}\n", string(slice), "existing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Merge([]byte(tt.existing), []byte(tt.slice))
			var se *Error
			if !errors.As(err, &se) || se.Where != tt.where {
				t.Fatalf("error %v, want *Error at %s", err, tt.where)
			}
		})
	}
}

// notSubsequence returns the first line of sub that does not appear, in order, in all.
func notSubsequence(sub, all []string) string {
	j := 0
	for _, s := range sub {
		for j < len(all) && all[j] != s {
			j++
		}
		if j == len(all) {
			return s
		}
		j++
	}
	return ""
}
