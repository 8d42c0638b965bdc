package graph_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/typedgraph/graph/gen"
)

// TestDocIndex checks that the package documentation lists every operation a Client has: each
// generated ...WithResponse call (the WithBody variants are described together) and each helper
// declared on Client in this package. A new endpoint whose call is missing from doc.go fails here.
func TestDocIndex(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	generated := reflect.TypeFor[*gen.ClientWithResponses]()
	for i := range generated.NumMethod() {
		name := generated.Method(i).Name
		if !strings.HasSuffix(name, "WithResponse") || strings.HasSuffix(name, "WithBodyWithResponse") {
			continue
		}
		if !strings.Contains(text, "\t"+name+" ") {
			t.Errorf("doc.go's Operations section does not list %s", name)
		}
	}

	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil || !d.Name.IsExported() || len(d.Recv.List) != 1 {
					continue
				}
				if star, ok := d.Recv.List[0].Type.(*ast.StarExpr); ok {
					if id, ok := star.X.(*ast.Ident); ok && id.Name == "Client" && !strings.Contains(text, "Client."+d.Name.Name) {
						t.Errorf("doc.go does not mention the helper Client.%s (%s)", d.Name.Name, path)
					}
				}
			case *ast.GenDecl:
				checkAliasDocs(t, path, d)
			}
		}
	}
}

// checkAliasDocs checks that every alias of a generated type says where its fields are documented:
// go doc on the alias alone shows only "type User = gen.MicrosoftGraphUser".
func checkAliasDocs(t *testing.T, path string, d *ast.GenDecl) {
	t.Helper()
	for _, spec := range d.Specs {
		ts, ok := spec.(*ast.TypeSpec)
		if !ok || !ts.Assign.IsValid() {
			continue
		}
		sel, ok := ts.Type.(*ast.SelectorExpr)
		if !ok {
			continue
		}
		if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "gen" {
			continue
		}
		want := "go doc github.com/typedgraph/graph/gen." + sel.Sel.Name
		if ts.Doc == nil || !strings.Contains(strings.Join(strings.Fields(ts.Doc.Text()), " "), want) {
			t.Errorf("%s: the doc comment of %s does not say %q", path, ts.Name.Name, want)
		}
	}
}
