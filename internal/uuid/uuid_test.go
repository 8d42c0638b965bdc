package uuid

import (
	"regexp"
	"testing"
)

var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNew(t *testing.T) {
	for name, newUUID := range map[string]func() string{"New": New, "NewID": NewID} {
		seen := map[string]bool{}
		for range 1000 {
			id := newUUID()
			if !v4.MatchString(id) {
				t.Fatalf("%s: %q is not a version 4 UUID", name, id)
			}
			if seen[id] {
				t.Fatalf("%s: %q repeated", name, id)
			}
			seen[id] = true
		}
	}
}

func TestFormat(t *testing.T) {
	var b [16]byte
	for i := range b {
		b[i] = 0xff
	}
	if got, want := Format(b), "ffffffff-ffff-4fff-bfff-ffffffffffff"; got != want {
		t.Errorf("Format(ff...) = %s, want %s", got, want)
	}
	if got, want := Format([16]byte{}), "00000000-0000-4000-8000-000000000000"; got != want {
		t.Errorf("Format(00...) = %s, want %s", got, want)
	}
}
