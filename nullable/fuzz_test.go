package nullable_test

import (
	"testing"
	"time"
)

// FuzzUnmarshal feeds arbitrary bytes to Nullable's decoder (the parser of what Graph sends) for the
// kinds it reads itself, and checks it agrees with encoding/json decoding into a pointer: same value,
// same verdict, null for null, never a panic.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{`null`, `"Ada"`, `"a\"b"`, "\"\xff\"", `true`, `false`, `-12`, `01`, `1e2`, `9223372036854775808`, `"2026-12-05T18:00:00Z"`, `{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		compare[string](t, lit)
		compare[bool](t, lit)
		compare[int32](t, lit)
		compare[int64](t, lit)
		compare[time.Time](t, lit)
	})
}
