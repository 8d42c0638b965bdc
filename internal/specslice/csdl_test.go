package specslice

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realCSDLFile is Microsoft's full v1.0 CSDL, in ../shared/reference (see sharedRef).
const realCSDLFile = "graph-v1.0-csdl-cleanMetadata.xml"

// csdlDoc wraps schema elements in the envelope every CSDL document has.
func csdlDoc(schemas string) string {
	return `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>` +
		schemas + `</edmx:DataServices></edmx:Edmx>`
}

func TestParseCSDL(t *testing.T) {
	doc := "\uFEFF" + csdlDoc(`
<Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
  <EntityType Name="widget" BaseType="graph.entity" OpenType="true">
    <Property Name="name" Type="Edm.String" />
    <Property Name="tags" Type="Collection(Edm.String)" Nullable="false" />
    <Property Name="box" Type="other.box" Nullable="false" />
    <NavigationProperty Name="owner" Type="graph.user" />
    <Annotation Term="x"><Record><PropertyValue Property="y" String="z" /></Record></Annotation>
  </EntityType>
  <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id" /></Key><Property Name="id" Type="Edm.String" Nullable="false" /></EntityType>
  <EnumType Name="finish" IsFlags="true"><Member Name="matte" Value="1" /><Member Name="gloss" Value="2" /></EnumType>
  <Function Name="delta" IsBound="true"><Parameter Name="bindingParameter" Type="Collection(graph.widget)" /></Function>
  <EntityContainer Name="GraphService"><EntitySet Name="widgets" EntityType="microsoft.graph.widget" /></EntityContainer>
</Schema>
<Schema Namespace="microsoft.graph.stock" Alias="other" xmlns="http://docs.oasis-open.org/odata/ns/edm">
  <ComplexType Name="box"><Property Name="parts" Type="Collection(graph.finish)" /></ComplexType>
</Schema>`)
	c, err := ParseCSDL(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 4 || !c.Lookup("microsoft.graph.widget") || !c.Lookup("microsoft.graph.stock.box") || c.Lookup("graph.widget") {
		t.Fatalf("types: %d, %v", c.Len(), c.types)
	}
	w := c.types["microsoft.graph.widget"]
	if w.kind != entityType || w.base != "microsoft.graph.entity" || w.short != "widget" {
		t.Errorf("widget: %+v", w)
	}
	want := []csdlProp{
		{name: "name", typ: "Edm.String", nullable: true},
		{name: "tags", typ: "Edm.String", collection: true},
		{name: "box", typ: "microsoft.graph.stock.box"},
	}
	if len(w.props) != len(want) {
		t.Fatalf("widget properties: %+v", w.props)
	}
	for i, p := range w.props {
		p.line = 0
		if p != want[i] {
			t.Errorf("property %d: %+v, want %+v", i, p, want[i])
		}
	}
	f := c.types["microsoft.graph.finish"]
	if f.kind != enumType || !f.flags || strings.Join(f.members, ",") != "matte,gloss" {
		t.Errorf("finish: %+v", f)
	}
	if b := c.types["microsoft.graph.stock.box"]; b.kind != complexType || b.props[0].typ != "microsoft.graph.finish" || !b.props[0].collection {
		t.Errorf("box: %+v", b)
	}
}

func TestParseCSDLErrors(t *testing.T) {
	schema := func(body string) string {
		return csdlDoc(`<Schema Namespace="ns" Alias="n" xmlns="http://docs.oasis-open.org/odata/ns/edm">` + body + `</Schema>`)
	}
	tests := []struct {
		name, doc, want string
		notCSDL         bool
	}{
		{"empty", "", "not an OData CSDL document", true},
		{"not XML", "{\"openapi\": \"3.0.1\"}", "not an OData CSDL document", true},
		{"bad XML", "<edmx:Edmx>\n<a <", "csdl line 2: XML syntax error", false},
		{"other root", `<html><body/></html>`, "not an OData CSDL document", true},
		{"truncated", schema(`<EntityType Name="a">`)[:120], "unexpected EOF", false},
		{"mismatched tags", `<edmx:Edmx xmlns:edmx="e"><Schema Namespace="ns"></edmx:Edmx>`, "element <Schema> closed by </Edmx>", false},
		{"no namespace", csdlDoc(`<Schema><ComplexType Name="a"/></Schema>`), `Schema has no valid Namespace ("")`, false},
		{"bad namespace", csdlDoc(`<Schema Namespace="a..b"/>`), `Schema has no valid Namespace ("a..b")`, false},
		{"alias twice", csdlDoc(`<Schema Namespace="a" Alias="x"/><Schema Namespace="b" Alias="x"/>`), "alias x names both a and b", false},
		{"type without name", schema(`<ComplexType/>`), `ComplexType in ns has no valid Name ("")`, false},
		{"type name with a dot", schema(`<EnumType Name="a.b"/>`), `EnumType in ns has no valid Name ("a.b")`, false},
		{"type twice", schema(`<ComplexType Name="a"/><EntityType Name="a"/>`), "type ns.a is declared twice", false},
		{"property without name", schema(`<ComplexType Name="a"><Property Type="Edm.String"/></ComplexType>`), `ns.a: Property has no valid Name ("")`, false},
		{"property without type", schema(`<ComplexType Name="a"><Property Name="p"/></ComplexType>`), "ns.a.p: Property has no Type", false},
		{"property twice", schema(`<ComplexType Name="a"><Property Name="p" Type="Edm.String"/><Property Name="p" Type="Edm.Int32"/></ComplexType>`), "ns.a: property p is declared twice", false},
		{"bad nullable", schema(`<ComplexType Name="a"><Property Name="p" Type="Edm.String" Nullable="maybe"/></ComplexType>`), `ns.a.p: Nullable="maybe" is neither true nor false`, false},
		{"bad flags", schema(`<EnumType Name="e" IsFlags="1"/>`), `ns.e: IsFlags="1" is neither true nor false`, false},
		{"member without name", schema(`<EnumType Name="e"><Member Value="1"/></EnumType>`), "ns.e: Member has no Name", false},
		{"unqualified type", schema(`<ComplexType Name="a"><Property Name="p" Type="String"/></ComplexType>`), `ns.a.p: Type "String": not a qualified type name`, false},
		{"unbalanced collection", schema(`<ComplexType Name="a"><Property Name="p" Type="Collection(Edm.String"/></ComplexType>`), "unbalanced Collection(", false},
		{"nested collection", schema(`<ComplexType Name="a"><Property Name="p" Type="Collection(Collection(Edm.String))"/></ComplexType>`), "not a qualified type name", false},
		{"bad base type", schema(`<ComplexType Name="a" BaseType="Collection(n.b)"/>`), `ns.a: BaseType "Collection(n.b)" is not a type name`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCSDL(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("no error; %d types", c.Len())
			}
			var se *Error
			if !errors.As(err, &se) || !strings.HasPrefix(se.Where, "csdl") {
				t.Errorf("error %T %v is not a *specslice.Error at csdl", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if errors.Is(err, ErrNotCSDL) != tt.notCSDL {
				t.Errorf("errors.Is(err, ErrNotCSDL) = %v", !tt.notCSDL)
			}
		})
	}
}

// TestParseCSDLLineNumbers: an error names the line of the element at fault.
func TestParseCSDLLineNumbers(t *testing.T) {
	doc := csdlDoc("\n<Schema Namespace=\"ns\">\n<ComplexType Name=\"a\">\n<Property Name=\"p\" Type=\"bad\"/>\n</ComplexType>\n</Schema>\n")
	_, err := ParseCSDL(strings.NewReader(doc))
	if err == nil || !strings.Contains(err.Error(), "csdl line 4:") {
		t.Errorf("error %v does not name line 4", err)
	}
}

// TestParseRealCSDL reads Microsoft's full v1.0 CSDL and checks what issue 11 depends on.
func TestParseRealCSDL(t *testing.T) {
	f, err := os.Open(realCSDL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ParseCSDL(f)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() < 3000 {
		t.Errorf("only %d types", c.Len())
	}
	g := c.types["microsoft.graph.group"]
	if g == nil || g.base != "microsoft.graph.directoryObject" || len(g.props) != 51 {
		t.Fatalf("group: %+v", g)
	}
	if u := c.types["microsoft.graph.user"]; u == nil || len(u.props) != 79 {
		t.Errorf("user: %d properties, want 79", len(u.props))
	}
	if e := c.types["microsoft.graph.groupAccessType"]; e == nil || e.kind != enumType || len(e.members) != 5 {
		t.Errorf("groupAccessType: %+v", e)
	}
	if ts := c.types["microsoft.graph.termStore.group"]; ts == nil || ts.base != "microsoft.graph.entity" {
		t.Errorf("termStore.group (alias-free namespace, graph. base): %+v", ts)
	}
}

// realCSDL returns the path of Microsoft's CSDL, named by TYPEDGRAPH_CSDL or in ../shared/reference,
// or skips the test.
func realCSDL(t testing.TB) string {
	t.Helper()
	path := os.Getenv("TYPEDGRAPH_CSDL")
	if path == "" {
		path = sharedRef(t, realCSDLFile)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent (it lives outside the repository; TYPEDGRAPH_CSDL may name a copy)", path)
	}
	return path
}

// FuzzParseCSDL feeds arbitrary documents to ParseCSDL, and what parses to Slice as its CSDL: both
// must return a result or an error, never panic or hang.
func FuzzParseCSDL(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "rules", "17-csdl.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(csdlDoc(`<Schema Namespace="microsoft.graph" Alias="graph"><ComplexType Name="widget" BaseType="graph.widget"><Property Name="self" Type="graph.widget"/></ComplexType></Schema>`)))
	f.Add([]byte(csdlDoc(`<Schema Namespace="microsoft.graph"><EntityType Name="entity"><Property Name="id" Type="Collection(Edm.Untyped)"/></EntityType></Schema>`)))
	src, err := os.ReadFile(filepath.Join("testdata", "rules", "17-csdl.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := ParseCSDL(bytes.NewReader(doc))
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *Error: %v", err, err)
			}
			return
		}
		res, err := Slice(src, Options{Paths: []string{"/widgets/{widget-id}"}, CSDL: c})
		if err != nil {
			return
		}
		if _, err := parseDoc(res.YAML, "output"); err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, res.YAML)
		}
	})
}

// BenchmarkParseCSDL measures reading Microsoft's full v1.0 CSDL (3.5 MB).
func BenchmarkParseCSDL(b *testing.B) {
	raw, err := os.ReadFile(realCSDL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCSDL(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
}
