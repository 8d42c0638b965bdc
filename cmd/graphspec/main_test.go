package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const rules = "../../internal/specslice/testdata/rules/"

func TestRun(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "spec.yaml")
	base, err := os.ReadFile("../../internal/specslice/testdata/merge/existing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    []string // substrings
		stderr    []string
		outFile   string // when set, the file that must hold stdout-like output
		outHas    []string
		setupSpec bool
	}{
		{name: "help", args: []string{"-h"}, code: 0, stderr: []string{"usage: graphspec -in FILE -path PATTERN", "-merge spec", "/groups/**"}},
		{name: "missing -in", args: []string{"-path", "/x"}, code: 2, stderr: []string{"-in and at least one -path are required"}},
		{name: "missing -path", args: []string{"-in", "x.yaml"}, code: 2, stderr: []string{"required"}},
		{name: "stray argument", args: []string{"-in", "x.yaml", "-path", "/x", "extra"}, code: 2, stderr: []string{"required"}},
		{name: "bad -op", args: []string{"-in", "x.yaml", "-path", "/x", "-op", "listX"}, code: 2, stderr: []string{`-op "listX"`, "METHOD /path=VALUE"}},
		{name: "bad -status", args: []string{"-in", "x.yaml", "-path", "/x", "-status", "GET /x=404"}, code: 2, stderr: []string{"2xx"}},
		{name: "missing input", args: []string{"-in", filepath.Join(dir, "nope.yaml"), "-path", "/x"}, code: 1, stderr: []string{"nope.yaml"}},
		{name: "no match", args: []string{"-in", rules + "10-responses.yaml", "-path", "/gizmos"}, code: 1, stderr: []string{"-path /gizmos: pattern matches no path"}},
		{name: "slice to stdout", code: 0,
			args:   []string{"-in", rules + "11-operation-ids.yaml", "-path", "/groups", "-path", "/groups/{group-id}/members/**", "-op", "get /groups=listAllGroups"},
			stdout: []string{"operationId: listAllGroups", "operationId: addGroupMember", "operationId: removeGroupMember"},
			stderr: []string{"kept: GET /groups listAllGroups", "kept: POST /groups/{group-id}/members/$ref addGroupMember"}},
		{name: "with a CSDL", code: 0,
			args:   []string{"-in", rules + "17-csdl.yaml", "-path", "/widgets/{widget-id}", "-csdl", rules + "17-csdl.xml"},
			stdout: []string{"batch:\n            type: integer\n            format: int64", "microsoft.graph.finish:"},
			stderr: []string{"from csdl: microsoft.graph.widget.batch", "from csdl: microsoft.graph.finish",
				"note: /components/schemas/microsoft.graph.widget/properties/location: CSDL type Edm.GeographyPoint has no rule; not added"}},
		{name: "missing CSDL", args: []string{"-in", rules + "17-csdl.yaml", "-path", "/x", "-csdl", filepath.Join(dir, "nope.xml")}, code: 1,
			stderr: []string{"graphspec: open ", "nope.xml"}},
		{name: "not a CSDL", args: []string{"-in", rules + "17-csdl.yaml", "-path", "/x", "-csdl", rules + "17-csdl.yaml"}, code: 1,
			stderr: []string{"graphspec: specslice: csdl: not an OData CSDL document"}},
		{name: "merge into file", code: 0, setupSpec: true,
			args:    []string{"-in", rules + "10-responses.yaml", "-path", "/widgets/**", "-merge", existing, "-out", existing, "-status", "DELETE /widgets/{widget-id}=202"},
			stderr:  []string{"conflict: paths /widgets post: operationId createWidget is already used by POST /gadgets"},
			outFile: existing, outHas: []string{"# A spec kept by hand", "  /widgets/{widget-id}/polish:", "'202':\n          description: Accepted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setupSpec {
				if err := os.WriteFile(existing, base, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if tt.outFile != "" {
				if stdout.Len() != 0 {
					t.Errorf("stdout not empty with -out: %q", stdout.String())
				}
				got, err := os.ReadFile(tt.outFile)
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range tt.outHas {
					if !strings.Contains(string(got), w) {
						t.Errorf("%s lacks %q:\n%s", tt.outFile, w, got)
					}
				}
				leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(tt.outFile), ".graphspec-*"))
				if len(leftovers) > 0 {
					t.Errorf("temporary files left: %v", leftovers)
				}
			}
		})
	}
}

// A second run with the same arguments leaves the merged spec byte for byte as it was.
func TestRunTwiceIsStable(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	base, err := os.ReadFile("../../internal/specslice/testdata/merge/existing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spec, base, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-in", rules + "15-collection-responses.yaml", "-path", "/widgets/delta()", "-merge", spec, "-out", spec}
	var out, errs bytes.Buffer
	if code := run(args, &out, &errs); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, errs.String())
	}
	first, _ := os.ReadFile(spec)
	if code := run(args, &out, &errs); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, errs.String())
	}
	second, _ := os.ReadFile(spec)
	if !bytes.Equal(first, second) {
		t.Errorf("second run changed the spec")
	}
	if !bytes.Contains(first, []byte("  /widgets/delta():\n")) || !bytes.Contains(first, []byte("    microsoft.graph.widgetDeltaResponse:\n")) {
		t.Errorf("delta path or its response schema not merged:\n%s", first)
	}
}

func TestKeyValue(t *testing.T) {
	tests := []struct {
		in, key, value string
		ok             bool
	}{
		{"GET /users=listUsers", "GET /users", "listUsers", true},
		{" patch  /users/{user-id} = updateUser ", "PATCH /users/{user-id}", "updateUser", true},
		{"GET /users(id='{id}')=getUserByID", "GET /users(id='{id}')", "getUserByID", true},
		{"GET /users", "", "", false},
		{"/users=x", "", "", false},
		{"GET users=x", "", "", false},
		{"GET /users=", "", "", false},
	}
	for _, tt := range tests {
		k, v, err := keyValue(tt.in)
		if (err == nil) != tt.ok || k != tt.key || v != tt.value {
			t.Errorf("keyValue(%q) = %q, %q, %v; want %q, %q, ok=%v", tt.in, k, v, err, tt.key, tt.value, tt.ok)
		}
	}
}
