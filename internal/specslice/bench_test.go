package specslice

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSliceUsersFile measures a slice of Microsoft's 1.2 MB Users.yml, the size of a
// PowerShell module file; most of the time goes to parsing it.
func BenchmarkSliceUsersFile(b *testing.B) {
	src, err := os.ReadFile(sharedRef(b, realUsersFile))
	if errors.Is(err, fs.ErrNotExist) {
		b.Skipf("%s is absent", sharedRef(b, realUsersFile))
	}
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{Paths: []string{"/users", "/users/{user-id}"}, NullableRefs: true}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Slice(src, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMerge measures merging a small slice into a small spec.
func BenchmarkMerge(b *testing.B) {
	existing, err := os.ReadFile(filepath.Join("testdata", "merge", "existing.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "rules", "10-responses.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	res, err := Slice(src, Options{Paths: []string{"/widgets/**"}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Merge(existing, res.YAML); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSliceUsersFileWithCSDL is BenchmarkSliceUsersFile with Microsoft's CSDL (parsed once,
// outside the loop; BenchmarkParseCSDL measures that): the cost of rule 17 on a real slice.
func BenchmarkSliceUsersFileWithCSDL(b *testing.B) {
	src, err := os.ReadFile(sharedRef(b, realUsersFile))
	if errors.Is(err, fs.ErrNotExist) {
		b.Skipf("%s is absent", sharedRef(b, realUsersFile))
	}
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(realCSDL(b))
	if err != nil {
		b.Fatal(err)
	}
	c, err := ParseCSDL(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{Paths: []string{"/users", "/users/{user-id}"}, NullableRefs: true, CSDL: c}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Slice(src, opt); err != nil {
			b.Fatal(err)
		}
	}
}
