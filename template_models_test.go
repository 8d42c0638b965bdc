package graph_test

// The patches of the model templates (see templatePatches and "Generator settings" in api/README.md).
var (
	// importsTemplatePatch: the generated models' nullable.Nullable is ours, not oapi-codegen's map.
	importsTemplatePatch = [][2]string{{`"github.com/oapi-codegen/nullable"`, `"github.com/typedgraph/graph/nullable"`}}
	// typedefTemplatePatch: every struct model gets a Format method that prints only the properties set,
	// and every page type (a struct with a "value" array) an UnmarshalJSON that allocates the page's
	// slice once.
	typedefTemplatePatch = [][2]string{{"type {{.TypeName}} {{if .IsAlias }}={{end}} {{.Schema.TypeDecl}}\n", "type {{.TypeName}} {{if .IsAlias }}={{end}} {{.Schema.TypeDecl}}\n" +
		`{{- if and (not .IsAlias) (ge (len .Schema.TypeDecl) 8) (eq (slice .Schema.TypeDecl 0 8) "struct {")}}

// Format prints the properties that are set, by name with %+v: what Graph sent, or what a request will send.
func (v {{.TypeName}}) Format(f fmt.State, verb rune) { nullable.FormatFields(f, verb, v) }
{{- $type := .TypeName}}
{{- range .Schema.Properties}}
{{- if and (eq .JsonFieldName "value") (ge (len .GoTypeDef) 2) (eq (slice .GoTypeDef 0 2) "[]")}}

// UnmarshalJSON decodes a page with its {{.GoFieldName}} allocated once, at the page's length (at most 1,000,
// above Graph's largest page), instead of grown item by item.
func (v *{{$type}}) UnmarshalJSON(b []byte) error {
	type page {{$type}}
	if n := nullable.ArrayLen(b, "value", 1000); n > 0 {
		v.{{.GoFieldName}} = make({{.GoTypeDef}}, 0, n)
	}
	return json.Unmarshal(b, (*page)(v))
}
{{- end}}
{{- end}}
{{- end}}
`}}
)
