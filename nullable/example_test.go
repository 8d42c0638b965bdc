package nullable_test

import (
	"encoding/json"
	"fmt"

	"github.com/typedgraph/graph/nullable"
)

// A struct field of type Nullable is tagged omitzero: unset is left out, null is written as null.
func Example() {
	type patch struct {
		Name  nullable.Nullable[string] `json:"name,omitzero"`
		Title nullable.Nullable[string] `json:"title,omitzero"`
		Level nullable.Nullable[int32]  `json:"level,omitzero"`
	}
	b, _ := json.Marshal(patch{Name: nullable.Value("Ada"), Title: nullable.Null[string]()})
	fmt.Println(string(b))

	var p patch
	_ = json.Unmarshal([]byte(`{"title":"Countess","level":null}`), &p)
	fmt.Println(p.Name.IsSpecified(), p.Title.GetOrEmpty(), p.Level.IsNull())
	// Output:
	// {"name":"Ada","title":null}
	// false Countess true
}
