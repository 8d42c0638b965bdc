package nullable_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/typedgraph/graph/nullable"
)

func TestStates(t *testing.T) {
	tests := []struct {
		name                  string
		n                     nullable.Nullable[string]
		wantErr               error
		want                  string
		null, specified, zero bool
		json                  string // as a field tagged omitzero, in {}
		v, plusV              string
	}{
		{"unset", nullable.Nullable[string]{}, nullable.ErrUnset, "", false, false, true, `{}`, "<unset>", "<unset>"},
		{"null", nullable.Null[string](), nullable.ErrNull, "", true, true, false, `{"p":null}`, "<null>", "<null>"},
		{"value", nullable.Value("Ada"), nil, "Ada", false, true, false, `{"p":"Ada"}`, "Ada", "Ada"},
		{"empty value", nullable.Value(""), nil, "", false, true, false, `{"p":""}`, "", ""},
		{"old names", nullable.NewNullableWithValue("x"), nil, "x", false, true, false, `{"p":"x"}`, "x", "x"},
		{"old null", nullable.NewNullNullable[string](), nullable.ErrNull, "", true, true, false, `{"p":null}`, "<null>", "<null>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.n.Get()
			if got != tt.want || err != tt.wantErr {
				t.Errorf("Get() = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
			if g := tt.n.GetOrEmpty(); g != tt.want {
				t.Errorf("GetOrEmpty() = %q", g)
			}
			if tt.n.IsNull() != tt.null || tt.n.IsSpecified() != tt.specified || reflect.ValueOf(tt.n).IsZero() != tt.zero {
				t.Errorf("IsNull, IsSpecified, zero = %v, %v, %v", tt.n.IsNull(), tt.n.IsSpecified(), reflect.ValueOf(tt.n).IsZero())
			}
			b, err := json.Marshal(struct {
				P nullable.Nullable[string] `json:"p,omitzero"`
			}{tt.n})
			if err != nil || string(b) != tt.json {
				t.Errorf("json = %s, %v; want %s", b, err, tt.json)
			}
			if s := fmt.Sprintf("%v", tt.n); s != tt.v {
				t.Errorf("%%v = %q, want %q", s, tt.v)
			}
			if s := fmt.Sprintf("%+v", tt.n); s != tt.plusV {
				t.Errorf("%%+v = %q, want %q", s, tt.plusV)
			}
		})
	}
}

func TestSetters(t *testing.T) {
	var n nullable.Nullable[int32]
	n.Set(7)
	if v := n.MustGet(); v != 7 {
		t.Fatal(v)
	}
	n.SetNull()
	if !n.IsNull() || n.GetOrEmpty() != 0 {
		t.Fatal("SetNull")
	}
	n.SetUnspecified()
	if n != (nullable.Nullable[int32]{}) || n.IsSpecified() {
		t.Fatal("SetUnspecified")
	}
	defer func() {
		if r := recover(); r != nullable.ErrUnset {
			t.Fatalf("MustGet on unset panicked with %v", r)
		}
	}()
	n.MustGet()
}

func TestFormatVerbs(t *testing.T) {
	type pair struct {
		A, B string
	}
	tests := []struct {
		format string
		arg    any
		want   string
	}{
		{"%d", nullable.Value(int32(42)), "42"},
		{"%5d|", nullable.Value(42), "   42|"},
		{"%q", nullable.Value("a b"), `"a b"`},
		{"%t", nullable.Value(true), "true"},
		{"%+v", nullable.Value(pair{"x", "y"}), "{A:x B:y}"},
		{"%v", nullable.Null[pair](), "<null>"},
		{"%+v", struct{ Name, Title nullable.Nullable[string] }{nullable.Value("Ada"), nullable.Null[string]()}, "{Name:Ada Title:<null>}"},
	}
	for _, tt := range tests {
		if got := fmt.Sprintf(tt.format, tt.arg); got != tt.want {
			t.Errorf("Sprintf(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}

// TestMarshalUnset: an unset Nullable outside an omitzero field has no JSON form and says so.
func TestMarshalUnset(t *testing.T) {
	_, err := json.Marshal(struct {
		P nullable.Nullable[string] `json:"p"`
	}{})
	if err == nil {
		t.Fatal("no error")
	}
}

func TestMarshalValues(t *testing.T) {
	when := time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)
	type inner struct {
		N nullable.Nullable[int64] `json:"n,omitzero"`
	}
	tests := []struct {
		name string
		v    any
		want string // what encoding/json writes for the plain value
	}{
		{"plain string", nullable.Value("Adele Vance"), `"Adele Vance"`},
		{"html", nullable.Value("<a&b>"), `"\u003ca\u0026b\u003e"`},
		{"quote and backslash", nullable.Value(`a"b\c`), `"a\"b\\c"`},
		{"unicode", nullable.Value("Zoë 日本"), `"Zoë 日本"`},
		{"line separator", nullable.Value("a\u2028b"), `"a\u2028b"`},
		{"invalid utf8", nullable.Value("a\xffb"), `"a\ufffdb"`},
		{"control", nullable.Value("a\nb\x01"), `"a\nb\u0001"`},
		{"true", nullable.Value(true), `true`},
		{"false", nullable.Value(false), `false`},
		{"int32", nullable.Value(int32(-2147483648)), `-2147483648`},
		{"int64", nullable.Value(int64(9007199254740993)), `9007199254740993`},
		{"int", nullable.Value(0), `0`},
		{"float", nullable.Value(1.5e300), `1.5e+300`},
		{"time", nullable.Value(when), `"2026-12-05T18:00:00Z"`},
		{"struct", nullable.Value(inner{N: nullable.Value(int64(3))}), `{"n":3}`},
		{"empty struct", nullable.Value(inner{}), `{}`},
		{"slice", nullable.Value([]string{}), `[]`},
		{"null", nullable.Null[time.Time](), `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil || string(b) != tt.want {
				t.Errorf("Marshal = %s, %v; want %s", b, err, tt.want)
			}
		})
	}
}

// TestUnmarshal decodes each literal into a Nullable and, for comparison, into a pointer of the same
// type (what encoding/json does without Nullable): the two agree on the value and on whether it is an
// error, and null gives the null state.
func TestUnmarshal(t *testing.T) {
	literals := []string{
		`null`, `"Ada"`, `""`, `"a\"b"`, `"\u00e9t\u00e9"`, `"Zoë"`, "\"a\xffb\"", `"a/b"`, `"\ud800"`,
		`true`, `false`, `0`, `-0`, `7`, `-2147483648`, `2147483648`, `9223372036854775807`,
		`9223372036854775808`, `-9223372036854775809`, `1.5`, `1e3`, `01`, `-`, `[]`, `{}`, `[1]`,
		`"2026-12-05T18:00:00Z"`, `"2026-12-05"`, ` "spaced" `, `tru`, `"unterminated`, `nul`,
	}
	for _, lit := range literals {
		t.Run(lit, func(t *testing.T) {
			compare[string](t, lit)
			compare[bool](t, lit)
			compare[int32](t, lit)
			compare[int64](t, lit)
			compare[int](t, lit)
			compare[float64](t, lit)
			compare[time.Time](t, lit)
			compare[[]int](t, lit)
		})
	}
}

// compare checks that lit decodes into a Nullable[T] as it does into a *T, both through json.Unmarshal
// and by calling UnmarshalJSON directly.
func compare[T comparableJSON](t *testing.T, lit string) {
	t.Helper()
	var p *T
	wantErr := json.Unmarshal([]byte(lit), &p)
	check := func(how string, n nullable.Nullable[T], err error) {
		t.Helper()
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%T %s: error %v, encoding/json's %v", n, how, err, wantErr)
			return
		}
		if err != nil {
			if n.IsSpecified() {
				t.Errorf("%T %s: error %v left the state %v", n, how, err, n)
			}
			return
		}
		if p == nil {
			if !n.IsNull() {
				t.Errorf("%T %s: null decoded as %v", n, how, n)
			}
			return
		}
		got, gerr := n.Get()
		if gerr != nil || fmt.Sprint(got) != fmt.Sprint(*p) {
			t.Errorf("%T %s: got %v (%v), want %v", n, how, got, gerr, *p)
		}
	}
	var outer nullable.Nullable[T]
	check("json.Unmarshal", outer, json.Unmarshal([]byte(lit), &outer))
	var direct nullable.Nullable[T]
	check("UnmarshalJSON", direct, direct.UnmarshalJSON([]byte(lit)))
}

// comparableJSON lists the types TestUnmarshal and the fuzz target try.
type comparableJSON interface {
	string | bool | int32 | int64 | int | float64 | time.Time | []int
}

func TestUnmarshalKeepsStateOnNull(t *testing.T) {
	n := nullable.Value("x")
	if err := json.Unmarshal([]byte("null"), &n); err != nil || !n.IsNull() {
		t.Fatalf("null into a value: %v, %v", n, err)
	}
	var s struct {
		P nullable.Nullable[string] `json:"p,omitzero"`
	}
	if err := json.Unmarshal([]byte(`{}`), &s); err != nil || s.P.IsSpecified() {
		t.Fatalf("absent: %v, %v", s.P, err)
	}
}

func TestUnmarshalTypeError(t *testing.T) {
	var s struct {
		P nullable.Nullable[int32] `json:"p,omitzero"`
	}
	err := json.Unmarshal([]byte(`{"p":"seven"}`), &s)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || s.P.IsSpecified() {
		t.Fatalf("err %v (%T), state %v", err, err, s.P)
	}
}

// TestAllocations holds the promise of the package: decoding a property allocates only what its value
// needs, and nothing for null, booleans and integers.
func TestAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	tests := []struct {
		name string
		lit  string
		dst  interface{ UnmarshalJSON([]byte) error }
		max  float64
	}{
		{"string", `"Adele Vance"`, new(nullable.Nullable[string]), 1},
		{"null string", `null`, new(nullable.Nullable[string]), 0},
		{"true", `true`, new(nullable.Nullable[bool]), 0},
		{"int32", `12345`, new(nullable.Nullable[int32]), 0},
		{"int64", `-12345678901`, new(nullable.Nullable[int64]), 0},
	}
	for _, tt := range tests {
		data := []byte(tt.lit)
		got := testing.AllocsPerRun(100, func() {
			if err := tt.dst.UnmarshalJSON(data); err != nil {
				t.Fatal(err)
			}
		})
		if got > tt.max {
			t.Errorf("%s: %v allocations, want at most %v", tt.name, got, tt.max)
		}
	}
	v := nullable.Value(true)
	if got := testing.AllocsPerRun(100, func() { _, _ = v.Get() }); got != 0 {
		t.Errorf("Get: %v allocations", got)
	}
	// encoding/json's omitzero test on a Nullable field allocates nothing, through a pointer or not.
	type withFields struct {
		A, B, C, D, E, F nullable.Nullable[string] `json:",omitzero"`
		G                nullable.Nullable[bool]   `json:",omitzero"`
	}
	w := withFields{B: nullable.Value("x")}
	for name, v := range map[string]any{"value": w, "pointer": &w} {
		// The result and encoding/json's own (2, 3 under the race detector); a field boxed to test it
		// would add one per field.
		if got := testing.AllocsPerRun(100, func() { _, _ = json.Marshal(v) }); got > 3 {
			t.Errorf("json.Marshal(%s) of 7 fields, 1 set: %v allocations, want at most 3", name, got)
		}
	}
	// Encoding allocates the bytes it returns, and nothing else.
	for _, m := range []interface{ MarshalJSON() ([]byte, error) }{
		nullable.Value("Adele Vance"), nullable.Value(true), nullable.Value(int32(7)), nullable.Value(int64(-7)), nullable.Null[string](),
	} {
		if got := testing.AllocsPerRun(100, func() { _, _ = m.MarshalJSON() }); got > 1 {
			t.Errorf("%#v.MarshalJSON: %v allocations, want at most 1", m, got)
		}
	}
}
