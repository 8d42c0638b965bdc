package nullable_test

import (
	"fmt"
	"testing"

	"github.com/typedgraph/graph/nullable"
)

type inner struct {
	Division nullable.Nullable[string]
}

func (v inner) Format(f fmt.State, verb rune) { nullable.FormatFields(f, verb, v) }

type model struct {
	ID         *string
	Name       nullable.Nullable[string]
	Title      nullable.Nullable[string]
	Phones     []string
	Org        nullable.Nullable[inner]
	Count      *int32
	Password   nullable.Nullable[string]
	SecretText *string
	internal   string
}

func (v model) Format(f fmt.State, verb rune) { nullable.FormatFields(f, verb, v) }

func TestFormatFields(t *testing.T) {
	id := "87d3"
	secret := "Qx8~app-secret"
	full := model{ID: &id, Name: nullable.Value("Ada"), Title: nullable.Null[string](), Phones: []string{},
		Org: nullable.Value(inner{Division: nullable.Value("Cloud")}), internal: "hidden"}
	tests := []struct {
		format string
		v      any
		want   string
	}{
		{"%+v", model{}, "{}"},
		{"%v", model{}, "{}"},
		{"%+v", model{Name: nullable.Value("Ada"), Title: nullable.Null[string]()}, "{Name:Ada Title:<null>}"},
		{"%v", model{Name: nullable.Value("Ada"), Title: nullable.Null[string]()}, "{Ada <null>}"},
		{"%+v", full, "{ID:87d3 Name:Ada Title:<null> Phones:[] Org:{Division:Cloud}}"},
		{"%s", model{Phones: []string{"a", "b"}}, "{[a b]}"},
		{"%#v", model{Name: nullable.Value("Ada")}, `nullable_test.model{Name:"Ada"}`},
		{"%+v", []model{{Name: nullable.Value("a")}, {}}, "[{Name:a} {}]"},
		{"%v", &model{Name: nullable.Value("p")}, "{p}"},
		{"%d", 5, "5"},
		{"%+v", model{Password: nullable.Value("s3cret!")}, "{Password:[redacted]}"},
		{"%#v", model{Password: nullable.Value("s3cret!")}, "nullable_test.model{Password:[redacted]}"},
		{"%+v", model{SecretText: &secret}, "{SecretText:[redacted]}"},
		{"%v", model{SecretText: &secret}, "{[redacted]}"},
	}
	for _, tt := range tests {
		var got string
		if m, ok := tt.v.(int); ok {
			got = fmt.Sprint(fmtFields{m})
		} else {
			got = fmt.Sprintf(tt.format, tt.v)
		}
		if got != tt.want {
			t.Errorf("Sprintf(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}

// fmtFields calls FormatFields with a value that is not a struct: it prints as fmt would.
type fmtFields struct{ n int }

func (v fmtFields) Format(f fmt.State, verb rune) { nullable.FormatFields(f, verb, v.n) }
