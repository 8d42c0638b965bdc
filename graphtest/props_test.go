package graphtest

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/typedgraph/graph/gen"
)

// TestPropsMatchGeneratedModels keeps the fake's property tables in step with the generated models
// (which TestModelsMatchCSDL keeps in step with Microsoft's CSDL): every JSON property of the model
// but @odata.type is in the table, and nothing else, so $select accepts what the SDK can decode.
func TestPropsMatchGeneratedModels(t *testing.T) {
	tests := []struct {
		et    *entityType
		model reflect.Type
	}{
		{userType, reflect.TypeFor[gen.MicrosoftGraphUser]()},
		{groupType, reflect.TypeFor[gen.MicrosoftGraphGroup]()},
	}
	for _, tt := range tests {
		t.Run(tt.et.name, func(t *testing.T) {
			var model, table []string
			for i := range tt.model.NumField() {
				name, _, _ := strings.Cut(tt.model.Field(i).Tag.Get("json"), ",")
				if name != "" && name != "-" && name != "@odata.type" {
					model = append(model, name)
				}
			}
			for p := range tt.et.props {
				table = append(table, p)
			}
			slices.Sort(model)
			slices.Sort(table)
			if !slices.Equal(model, table) {
				t.Errorf("%s: the fake's table has\n%q\nthe generated model\n%q", tt.et.name, table, model)
			}
		})
	}
}
