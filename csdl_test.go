package graph_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/typedgraph/graph"
)

// csdlFile is Microsoft's full v1.0 CSDL, kept beside the repository (not in it). TYPEDGRAPH_CSDL
// names another copy, or TYPEDGRAPH_SHARED another directory standing for ../shared.
const csdlFile = "../shared/reference/graph-v1.0-csdl-cleanMetadata.xml"

// csdlDoc is the part of a CSDL document the comparison reads. It is parsed here with
// encoding/xml's Unmarshal, independently of internal/specslice's parser, so that the test checks
// graphspec rather than repeating it.
type csdlDoc struct {
	Schemas []struct {
		Namespace string            `xml:"Namespace,attr"`
		Alias     string            `xml:"Alias,attr"`
		Entities  []csdlStructured  `xml:"EntityType"`
		Complexes []csdlStructured  `xml:"ComplexType"`
		Enums     []csdlEnumeration `xml:"EnumType"`
	} `xml:"DataServices>Schema"`
}

type csdlStructured struct {
	Name     string `xml:"Name,attr"`
	BaseType string `xml:"BaseType,attr"`
	Props    []struct {
		Name     string `xml:"Name,attr"`
		Type     string `xml:"Type,attr"`
		Nullable string `xml:"Nullable,attr"`
	} `xml:"Property"`
}

type csdlEnumeration struct {
	Name    string `xml:"Name,attr"`
	Members []struct {
		Name string `xml:"Name,attr"`
	} `xml:"Member"`
}

// csdlModel indexes a csdlDoc by qualified type name.
type csdlModel struct {
	structured map[string]csdlStructured
	entity     map[string]bool
	enums      map[string]csdlEnumeration
	aliases    map[string]string
}

func loadCSDL(t *testing.T) *csdlModel {
	t.Helper()
	path := os.Getenv("TYPEDGRAPH_CSDL")
	if dir := os.Getenv("TYPEDGRAPH_SHARED"); path == "" && dir != "" {
		path = filepath.Join(dir, "reference", filepath.Base(csdlFile))
	}
	if path == "" {
		path = csdlFile
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent (it lives outside the repository; TYPEDGRAPH_CSDL may name a copy)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseCSDLModel(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func parseCSDLModel(raw []byte) (*csdlModel, error) {
	var doc csdlDoc
	if err := xml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	m := &csdlModel{structured: map[string]csdlStructured{}, entity: map[string]bool{},
		enums: map[string]csdlEnumeration{}, aliases: map[string]string{}}
	for _, s := range doc.Schemas {
		if s.Alias != "" {
			m.aliases[s.Alias] = s.Namespace
		}
		for _, e := range s.Entities {
			m.structured[s.Namespace+"."+e.Name] = e
			m.entity[s.Namespace+"."+e.Name] = true
		}
		for _, c := range s.Complexes {
			m.structured[s.Namespace+"."+c.Name] = c
		}
		for _, e := range s.Enums {
			m.enums[s.Namespace+"."+e.Name] = e
		}
	}
	return m, nil
}

// qualify resolves an alias: graph.user -> microsoft.graph.user.
func (m *csdlModel) qualify(name string) string {
	i := strings.LastIndexByte(name, '.')
	if ns, ok := m.aliases[name[:max(i, 0)]]; ok && i > 0 {
		return ns + name[i:]
	}
	return name
}

// csdlProperty is a structural property with its type resolved.
type csdlProperty struct {
	name, typ  string
	collection bool
	nullable   bool
}

// properties returns the structural properties of a type and its base types, base first.
func (m *csdlModel) properties(t *testing.T, name string) []csdlProperty {
	var chain []csdlStructured
	for n := name; n != ""; {
		st, ok := m.structured[n]
		if !ok {
			t.Fatalf("CSDL has no entity or complex type %s", n)
		}
		chain = append(chain, st)
		if len(chain) > 20 {
			t.Fatalf("BaseType chain of %s does not end", name)
		}
		n = ""
		if st.BaseType != "" {
			n = m.qualify(st.BaseType)
		}
	}
	var out []csdlProperty
	for i := len(chain) - 1; i >= 0; i-- {
		for _, p := range chain[i].Props {
			typ, coll := p.Type, false
			if inner, ok := strings.CutPrefix(typ, "Collection("); ok {
				typ, coll = strings.TrimSuffix(inner, ")"), true
			}
			out = append(out, csdlProperty{name: p.Name, typ: m.qualify(typ), collection: coll, nullable: p.Nullable != "false"})
		}
	}
	return out
}

// edmGo is the Go type api/README.md's rule 8 and oapi-codegen give each CSDL primitive type that
// User and Group reach (others fail the test until added here).
var edmGo = map[string]reflect.Type{
	"Edm.String":         reflect.TypeFor[string](),
	"Edm.Boolean":        reflect.TypeFor[bool](),
	"Edm.Int32":          reflect.TypeFor[int32](),
	"Edm.Int64":          reflect.TypeFor[int64](),
	"Edm.Double":         reflect.TypeFor[float64](),
	"Edm.Guid":           reflect.TypeFor[openapi_types.UUID](),
	"Edm.DateTimeOffset": reflect.TypeFor[time.Time](),
	"Edm.Date":           reflect.TypeFor[openapi_types.Date](),
	"Edm.TimeOfDay":      reflect.TypeFor[string](),
}

// typeName is how a type appears as a type argument in reflect's name of a generic type:
// Nullable[string], Nullable[time.Time], Nullable[github.com/typedgraph/graph/gen.X].
func typeName(t reflect.Type) string {
	if t.PkgPath() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}

// nullableArg returns the type argument of a Nullable[T] (any package's), or "" when t is not one.
func nullableArg(t reflect.Type) string {
	arg, ok := strings.CutPrefix(t.Name(), "Nullable[")
	if !ok || !strings.HasSuffix(arg, "]") {
		return ""
	}
	return strings.TrimSuffix(arg, "]")
}

// typeArgOf finds the reflect.Type of a Nullable's type argument, named arg, without knowing how
// the Nullable is built: its element (a map, like oapi-codegen's), a field, or a method's result.
func typeArgOf(t reflect.Type, arg string) reflect.Type {
	var cands []reflect.Type
	switch t.Kind() {
	case reflect.Map, reflect.Pointer, reflect.Slice, reflect.Array:
		cands = append(cands, t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			cands = append(cands, t.Field(i).Type)
		}
	}
	for _, tt := range []reflect.Type{t, reflect.PointerTo(t)} {
		for i := range tt.NumMethod() {
			mt := tt.Method(i).Type
			for j := range mt.NumOut() {
				cands = append(cands, mt.Out(j))
			}
		}
	}
	for _, c := range cands {
		if typeName(c) == arg {
			return c
		}
	}
	return nil
}

// csdlComparison walks the generated types from User and Group through every complex and enum
// type they reach, collecting differences from the CSDL.
type csdlComparison struct {
	t       *testing.T
	m       *csdlModel
	genPkg  string
	seen    map[string]bool
	diffs   []string
	checked map[string]int // qualified type name -> properties compared
}

func (c *csdlComparison) difff(format string, args ...any) {
	c.diffs = append(c.diffs, fmt.Sprintf(format, args...))
}

// goName is oapi-codegen's name for a schema: microsoft.graph.passwordProfile -> MicrosoftGraphPasswordProfile.
func goName(qualified string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(qualified, ".") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// structType compares a generated struct with the CSDL entity or complex type name.
func (c *csdlComparison) structType(name string, gt reflect.Type) {
	if c.seen[name] {
		return
	}
	c.seen[name] = true
	if gt.Kind() != reflect.Struct {
		c.difff("%s: generated %s is a %s, not a struct", name, gt, gt.Kind())
		return
	}
	fields := map[string]reflect.StructField{}
	for i := range gt.NumField() {
		f := gt.Field(i)
		jn, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if jn == "" || jn == "-" {
			continue
		}
		fields[jn] = f
	}
	props := c.m.properties(c.t, name)
	want := map[string]bool{}
	for _, p := range props {
		want[p.name] = true
		f, ok := fields[p.name]
		if !ok {
			c.difff("%s.%s: in the CSDL, not in %s", name, p.name, gt.Name())
			continue
		}
		c.property(name, p, f.Type)
	}
	c.checked[name] = len(props)
	for jn := range fields {
		if !want[jn] && !(jn == "@odata.type" && c.m.entity[name]) {
			c.difff("%s.%s: in %s, not in the CSDL", name, jn, gt.Name())
		}
	}
}

// property compares one property's Go type with its CSDL type and nullability.
func (c *csdlComparison) property(owner string, p csdlProperty, ft reflect.Type) {
	where := owner + "." + p.name
	var elem reflect.Type // the Go type of the value, whatever holds it
	switch {
	case p.collection:
		if ft.Kind() != reflect.Slice {
			c.difff("%s: a collection in the CSDL, %s in Go", where, ft)
			return
		}
		elem = ft.Elem()
	case p.nullable:
		arg := nullableArg(ft)
		if arg == "" {
			c.difff("%s: nullable in the CSDL, %s in Go (want a Nullable[T])", where, ft)
			return
		}
		if elem = typeArgOf(ft, arg); elem == nil {
			c.difff("%s: cannot find the type argument %s of %s", where, arg, ft)
			return
		}
	default:
		if ft.Kind() != reflect.Pointer {
			c.difff("%s: not nullable in the CSDL, %s in Go (want a pointer)", where, ft)
			return
		}
		elem = ft.Elem()
	}
	if want, ok := edmGo[p.typ]; ok {
		if elem != want {
			c.difff("%s: %s in the CSDL, %s in Go (want %s)", where, p.typ, elem, want)
		}
		return
	}
	if strings.HasPrefix(p.typ, "Edm.") {
		c.difff("%s: %s has no Go type in this test's table", where, p.typ)
		return
	}
	if elem == reflect.TypeFor[map[string]any]() && !c.m.entity[p.typ] && len(c.m.properties(c.t, p.typ)) == 0 {
		c.seen[p.typ] = true // rule 1: an open type that declares no property is a JSON object
		c.checked[p.typ] = 0
		return
	}
	if elem.PkgPath() != c.genPkg || elem.Name() != goName(p.typ) {
		c.difff("%s: %s in the CSDL, %s in Go", where, p.typ, typeName(elem))
		return
	}
	if e, ok := c.m.enums[p.typ]; ok {
		c.enum(p.typ, e, elem)
		return
	}
	if c.m.entity[p.typ] {
		c.difff("%s: typed by entity type %s, which only navigation properties may be", where, p.typ)
		return
	}
	c.structType(p.typ, elem)
}

// enum checks that a generated enum type is a string type whose Valid method accepts every CSDL
// member and refuses anything else.
func (c *csdlComparison) enum(name string, e csdlEnumeration, gt reflect.Type) {
	if c.seen[name] {
		return
	}
	c.seen[name] = true
	c.checked[name] = len(e.Members)
	if gt.Kind() != reflect.String {
		c.difff("%s: enum generated as %s", name, gt)
		return
	}
	valid, ok := gt.MethodByName("Valid")
	if !ok {
		c.difff("%s: generated %s has no Valid method to check members with", name, gt.Name())
		return
	}
	check := func(s string) bool {
		v := reflect.New(gt).Elem()
		v.SetString(s)
		return valid.Func.Call([]reflect.Value{v})[0].Bool()
	}
	for _, mem := range e.Members {
		if !check(mem.Name) {
			c.difff("%s: member %s is not a value of %s", name, mem.Name, gt.Name())
		}
	}
	if check("notAMember") {
		c.difff("%s: %s accepts any string", name, gt.Name())
	}
}

// TestModelsMatchCSDL compares the generated User and Group, and every complex and enum type they
// reach, with Microsoft's CSDL: each structural property (base types' included) is a field with the
// property's JSON name, a nullable one a Nullable[T] (of whichever package), a non-nullable one a
// pointer, a collection a slice, of the Go type rule 8 gives the CSDL type; no field is missing or
// extra (but @odata.type on entities).
func TestModelsMatchCSDL(t *testing.T) {
	m := loadCSDL(t)
	c := &csdlComparison{t: t, m: m, seen: map[string]bool{}, checked: map[string]int{},
		genPkg: reflect.TypeFor[graph.User]().PkgPath()}
	c.structType("microsoft.graph.user", reflect.TypeFor[graph.User]())
	c.structType("microsoft.graph.group", reflect.TypeFor[graph.Group]())
	slices.Sort(c.diffs)
	for _, d := range c.diffs {
		t.Error(d)
	}
	// Against a test that passes by finding nothing: the counts issue 11 names (User's 79 of its
	// own plus id and deletedDateTime; Group's 53 with them), and the complex types they reach.
	if got := c.checked["microsoft.graph.user"]; got != 81 {
		t.Errorf("compared %d properties of user, want 81 (79 + id + deletedDateTime)", got)
	}
	if got := c.checked["microsoft.graph.group"]; got != 53 {
		t.Errorf("compared %d properties of group, want 53", got)
	}
	for _, reached := range []string{"microsoft.graph.onPremisesExtensionAttributes", "microsoft.graph.assignedLicense",
		"microsoft.graph.mailboxSettings", "microsoft.graph.workingHours", "microsoft.graph.groupAccessType"} {
		if c.checked[reached] == 0 {
			t.Errorf("%s was not compared", reached)
		}
	}
	t.Logf("compared %d types with the CSDL", len(c.checked))
}

// Types for TestCSDLComparisonFindsDifferences: ns.widget as the generator would make it, but for
// the differences the test plants.
type (
	NsPart struct {
		Size *int32 `json:"size,omitempty"`
	}
	NsColour        string
	Nullable[T any] struct {
		v   T
		set bool
	}
	NsWidget struct {
		ODataType *string            `json:"@odata.type,omitempty"`
		Name      Nullable[string]   `json:"name"`        // right
		Count     *int32             `json:"count"`       // CSDL: nullable
		Tags      []string           `json:"tags"`        // right
		Part      Nullable[NsPart]   `json:"part"`        // right, and NsPart.size is right
		Colour    *NsColour          `json:"colour"`      // right type, but NsColour has no Valid method
		When      Nullable[string]   `json:"when"`        // CSDL: Edm.DateTimeOffset
		Extra     Nullable[string]   `json:"extra"`       // not in the CSDL
		Required  Nullable[bool]     `json:"required"`    // CSDL: not nullable
		Parts     *[]NsPart          `json:"parts"`       // CSDL: a collection, so a slice
		Ignored   string             `json:"-"`           // not a JSON property
		Other     Nullable[NsColour] `json:"otherColour"` // the enum again: compared once
	}
)

// Get returns the value, so that the comparison can find T as it does for a Nullable it does not know.
func (n Nullable[T]) Get() (T, bool) { return n.v, n.set }

// TestCSDLComparisonFindsDifferences runs the comparison of TestModelsMatchCSDL on a small CSDL and
// a struct with planted differences: each must be reported, and nothing else.
func TestCSDLComparisonFindsDifferences(t *testing.T) {
	m, err := parseCSDLModel([]byte(`<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="ns" Alias="n" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="thing" Abstract="true"><Key><PropertyRef Name="name"/></Key></EntityType>
      <EntityType Name="widget" BaseType="n.thing">
        <Property Name="name" Type="Edm.String" />
        <Property Name="count" Type="Edm.Int32" />
        <Property Name="tags" Type="Collection(Edm.String)" Nullable="false" />
        <Property Name="part" Type="n.part" />
        <Property Name="colour" Type="ns.colour" Nullable="false" />
        <Property Name="when" Type="Edm.DateTimeOffset" />
        <Property Name="required" Type="Edm.Boolean" Nullable="false" />
        <Property Name="parts" Type="Collection(n.part)" />
        <Property Name="missing" Type="Edm.String" />
        <Property Name="otherColour" Type="n.colour" />
        <NavigationProperty Name="owner" Type="n.widget" />
      </EntityType>
      <ComplexType Name="part"><Property Name="size" Type="Edm.Int32" Nullable="false" /></ComplexType>
      <EnumType Name="colour"><Member Name="red" Value="0" /></EnumType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`))
	if err != nil {
		t.Fatal(err)
	}
	c := &csdlComparison{t: t, m: m, seen: map[string]bool{}, checked: map[string]int{},
		genPkg: reflect.TypeFor[NsWidget]().PkgPath()}
	c.structType("ns.widget", reflect.TypeFor[NsWidget]())
	want := []string{
		"ns.colour: generated NsColour has no Valid method to check members with",
		"ns.widget.count: nullable in the CSDL, *int32 in Go (want a Nullable[T])",
		"ns.widget.extra: in NsWidget, not in the CSDL",
		"ns.widget.missing: in the CSDL, not in NsWidget",
		"ns.widget.parts: a collection in the CSDL, *[]graph_test.NsPart in Go",
		"ns.widget.required: not nullable in the CSDL, graph_test.Nullable[bool] in Go (want a pointer)",
		"ns.widget.when: Edm.DateTimeOffset in the CSDL, string in Go (want time.Time)",
	}
	slices.Sort(c.diffs)
	if !slices.Equal(c.diffs, want) {
		t.Errorf("differences found:\n%s\nwant:\n%s", strings.Join(c.diffs, "\n"), strings.Join(want, "\n"))
	}
	if c.checked["ns.part"] != 1 || c.checked["ns.widget"] != 10 {
		t.Errorf("compared %v", c.checked)
	}
}
