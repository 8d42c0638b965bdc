package specslice

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// refChain is a document whose one operation reaches n schemas, each referring to the next.
func refChain(n int) []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.0.1\ninfo: {title: t, version: v}\npaths:\n  /x:\n    get:\n      responses:\n" +
		"        2XX:\n          description: ok\n          content:\n            application/json:\n              schema:\n" +
		"                $ref: '#/components/schemas/s0'\ncomponents:\n  schemas:\n")
	for i := range n {
		fmt.Fprintf(&b, "    s%d:\n      type: object\n      properties:\n        next:\n          $ref: '#/components/schemas/s%d'\n", i, i+1)
	}
	fmt.Fprintf(&b, "    s%d:\n      type: object\n", n)
	return []byte(b.String())
}

// closureWork resolves the components a chain of n references reaches, as Slice does, and returns
// the work its lookups took.
func closureWork(t *testing.T, n int) int {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(refChain(n), &doc); err != nil {
		t.Fatal(err)
	}
	s := &slicer{
		srcComps: mapGet(doc.Content[0], "components"),
		out:      map[string]map[string]*yaml.Node{}, queued: map[compRef]bool{},
		entity: map[string]bool{}, notes: map[string]bool{}, opIDs: map[string]string{}, usedOver: map[string]bool{},
	}
	s.use("schemas", "s0")
	if err := s.drain(); err != nil {
		t.Fatal(err)
	}
	if got := len(s.out["schemas"]); got != n+1 {
		t.Fatalf("%d schemas reached, want %d", got, n+1)
	}
	return s.work
}

// TestComponentLookupsLinear: resolving a chain of references costs work linear in its length
// (issue 16, point 11: a scan of the components per lookup made 80,000 schemas take minutes). The
// work is counted, not timed.
func TestComponentLookupsLinear(t *testing.T) {
	small, large := closureWork(t, 1000), closureWork(t, 8000)
	if small == 0 || large > 10*small { // linear: 8 times; quadratic: 64 times
		t.Errorf("work %d for 1,000 schemas, %d for 8,000: not linear", small, large)
	}
}

// TestSliceRefusesDeepNesting: a document nested far deeper than any real description (a 9,000-deep
// items chain, 194 KiB written in flow style, became 158 MiB of block-style output; a deep anyOf chain
// 72 MB of notes) is refused with an error; nesting within the bound slices, with output and notes
// in proportion to the input (issue 16, point 11).
func TestSliceRefusesDeepNesting(t *testing.T) {
	deep := func(key string, n int) []byte {
		inner := strings.Repeat("{"+key+": ", n) + "{type: string}" + strings.Repeat("}", n)
		if key == "anyOf" {
			inner = strings.Repeat("{anyOf: [", n) + "{type: string}" + strings.Repeat("]}", n)
		}
		return []byte("openapi: 3.0.1\ninfo: {title: t, version: v}\npaths:\n  /x:\n    get:\n      responses:\n" +
			"        2XX:\n          description: ok\n          content:\n            application/json:\n              schema: " +
			"{$ref: '#/components/schemas/a'}\ncomponents:\n  schemas:\n    a: " + inner + "\n")
	}
	for _, key := range []string{"items", "anyOf", "not"} {
		n := 9000
		if key == "anyOf" {
			n = 4500 // two levels a step; the YAML parser itself stops at 10,000
		}
		src := deep(key, n)
		res, err := Slice(src, Options{Paths: []string{"/x"}})
		if err == nil {
			notes := 0
			for _, n := range res.Notes {
				notes += len(n)
			}
			t.Errorf("%s %d deep: no error; %d bytes in, %d out, %d of notes", key, n, len(src), len(res.YAML), notes)
		} else if !strings.Contains(err.Error(), "levels deep") {
			t.Errorf("%s %d deep: err = %v", key, n, err)
		}

		src = deep(key, 20)
		res, err = Slice(src, Options{Paths: []string{"/x"}})
		if err != nil {
			t.Errorf("%s 20 deep: %v", key, err)
			continue
		}
		if len(res.YAML) > 20*len(src) {
			t.Errorf("%s 20 deep: %d bytes in, %d out", key, len(src), len(res.YAML))
		}
	}
}

// TestSliceBoundsNotes: notes are bounded in number and in length, whatever the input (issue 16,
// point 11).
func TestSliceBoundsNotes(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.1\ninfo: {title: t, version: v}\npaths:\n  /x:\n    get:\n      responses:\n" +
		"        2XX:\n          description: ok\n          content:\n            application/json:\n              schema:\n" +
		"                type: object\n                properties:\n")
	long := strings.Repeat("p", 100_000)
	fmt.Fprintf(&b, "                  ? %s\n                  : {anyOf: [{type: string}, {type: integer}]}\n", long) // a key past 1,024 bytes must be explicit
	for i := range 3000 {
		fmt.Fprintf(&b, "                  p%d: {anyOf: [{type: string}, {type: integer}]}\n", i)
	}
	res, err := Slice([]byte(b.String()), Options{Paths: []string{"/x"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) > maxNotes+1 || !strings.Contains(res.Notes[len(res.Notes)-1], "more notes") {
		t.Errorf("%d notes, want at most %d and a count of the rest", len(res.Notes), maxNotes+1)
	}
	for _, n := range res.Notes {
		if len(n) > maxNoteSize {
			t.Errorf("a note of %d bytes", len(n))
		}
	}
}

// BenchmarkSliceRefChain slices chains of references of growing length: time per schema stays flat
// (it grew with the length before components were indexed).
func BenchmarkSliceRefChain(b *testing.B) {
	for _, n := range []int{10_000, 40_000, 80_000} {
		src := refChain(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := Slice(src, Options{Paths: []string{"/x"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
