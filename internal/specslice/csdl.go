package specslice

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CSDL holds the types of an OData CSDL document (Microsoft Graph's $metadata): for each entity,
// complex and enum type its base type and its structural properties or members. Slice uses it to
// add what Microsoft's OpenAPI description lacks (Options.CSDL). Navigation properties, actions,
// functions, annotations and the entity container are not kept. A CSDL is read-only once parsed and
// may be shared between goroutines.
type CSDL struct {
	types map[string]*csdlType // by qualified name: microsoft.graph.group
}

// ErrNotCSDL is wrapped by the error ParseCSDL returns for a document whose root element is not
// edmx:Edmx.
var ErrNotCSDL = errors.New("not an OData CSDL document (root element is not edmx:Edmx)")

// typeKind tells entity, complex and enum types apart.
type typeKind int

const (
	entityType typeKind = iota + 1
	complexType
	enumType
)

func (k typeKind) String() string {
	switch k {
	case entityType:
		return "EntityType"
	case complexType:
		return "ComplexType"
	case enumType:
		return "EnumType"
	}
	return "type"
}

// csdlType is one EntityType, ComplexType or EnumType.
type csdlType struct {
	kind    typeKind
	name    string // qualified: microsoft.graph.group
	short   string // as declared: group
	base    string // qualified name of BaseType, "" for none
	flags   bool   // an enum type with IsFlags="true"
	props   []csdlProp
	members []string // enum members, in document order
	line    int
}

// csdlProp is one structural property.
type csdlProp struct {
	name       string
	typ        string // qualified element type: Edm.String, microsoft.graph.assignedLicense
	collection bool   // Collection(typ)
	nullable   bool   // the Nullable facet; true when absent, as OData says
	line       int
}

// Lookup reports whether the document declares an entity, complex or enum type of that qualified
// name (microsoft.graph.group).
func (c *CSDL) Lookup(name string) bool {
	_, ok := c.types[name]
	return ok
}

// Len is the number of entity, complex and enum types the document declares.
func (c *CSDL) Len() int { return len(c.types) }

// ParseCSDL reads an OData CSDL XML document (version 4: edmx:Edmx, edmx:DataServices, Schema)
// such as Microsoft Graph's $metadata or msgraph-metadata's cleanMetadata.xml. It reads the
// document once, as a stream, in time linear in its size. Type names are qualified with their
// schema's namespace, and aliases (graph.user) are resolved (microsoft.graph.user). An error is a
// *Error naming the line.
func ParseCSDL(r io.Reader) (*CSDL, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3) // a byte-order mark, which encoding/xml does not expect
	}
	p := &csdlParser{d: xml.NewDecoder(br), c: &CSDL{types: map[string]*csdlType{}}, aliases: map[string]string{}}
	if err := p.parse(); err != nil {
		return nil, err
	}
	if err := p.resolve(); err != nil {
		return nil, err
	}
	return p.c, nil
}

// csdlParser holds the state of one ParseCSDL call.
type csdlParser struct {
	d       *xml.Decoder
	c       *CSDL
	aliases map[string]string // alias -> namespace
	order   []*csdlType       // in document order, for errors in a stable order
	seen    map[string]bool   // property names of the current type: duplicates are refused in linear time
}

func (p *csdlParser) errorf(line int, format string, args ...any) error {
	return &Error{Where: fmt.Sprintf("csdl line %d", line), Err: fmt.Errorf(format, args...)}
}

func (p *csdlParser) line() int {
	l, _ := p.d.InputPos()
	return l
}

// parse walks the elements once. It keeps its place with a depth counter and the depths at which
// the current Schema and type started, so nothing it does per element depends on what came before.
func (p *csdlParser) parse() error {
	depth, schemaDepth, typeDepth := 0, -1, -1
	var ns string
	var cur *csdlType
	root := true
	for {
		tok, err := p.d.Token()
		if err == io.EOF {
			if root {
				return &Error{Where: "csdl", Err: ErrNotCSDL}
			}
			return nil
		}
		if err != nil {
			return p.errorf(p.line(), "%v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if root {
				if t.Name.Local != "Edmx" {
					return &Error{Where: fmt.Sprintf("csdl line %d", p.line()), Err: ErrNotCSDL}
				}
				root = false
				continue
			}
			switch {
			case t.Name.Local == "Schema" && schemaDepth < 0:
				schemaDepth, ns = depth, attr(t, "Namespace")
				if !validName(ns) {
					return p.errorf(p.line(), "Schema has no valid Namespace (%q)", ns)
				}
				if alias := attr(t, "Alias"); alias != "" {
					if !validName(alias) {
						return p.errorf(p.line(), "Schema %s: invalid Alias %q", ns, alias)
					}
					if prev, dup := p.aliases[alias]; dup && prev != ns {
						return p.errorf(p.line(), "alias %s names both %s and %s", alias, prev, ns)
					}
					p.aliases[alias] = ns
				}
			case depth == schemaDepth+1 && schemaDepth >= 0:
				kind := map[string]typeKind{"EntityType": entityType, "ComplexType": complexType, "EnumType": enumType}[t.Name.Local]
				if kind == 0 {
					continue
				}
				ty, err := p.startType(t, kind, ns)
				if err != nil {
					return err
				}
				cur, typeDepth = ty, depth
			case cur != nil && depth == typeDepth+1:
				if err := p.child(t, cur); err != nil {
					return err
				}
			}
		case xml.EndElement:
			switch depth {
			case typeDepth:
				cur, typeDepth = nil, -1
			case schemaDepth:
				schemaDepth, ns = -1, ""
			}
			depth--
		}
	}
}

// startType records a type element.
func (p *csdlParser) startType(t xml.StartElement, kind typeKind, ns string) (*csdlType, error) {
	name := attr(t, "Name")
	if !validSimpleName(name) {
		return nil, p.errorf(p.line(), "%s in %s has no valid Name (%q)", kind, ns, name)
	}
	ty := &csdlType{kind: kind, name: ns + "." + name, short: name, base: attr(t, "BaseType"), line: p.line()}
	if _, dup := p.c.types[ty.name]; dup {
		return nil, p.errorf(ty.line, "type %s is declared twice", ty.name)
	}
	if kind == enumType {
		flags, err := boolAttr(t, "IsFlags", false)
		if err != nil {
			return nil, p.errorf(ty.line, "%s: %v", ty.name, err)
		}
		ty.flags = flags
	}
	p.c.types[ty.name] = ty
	p.order = append(p.order, ty)
	p.seen = map[string]bool{}
	return ty, nil
}

// child records a Property of an entity or complex type, or a Member of an enum type; other
// children (NavigationProperty, Key, Annotation) are skipped.
func (p *csdlParser) child(t xml.StartElement, ty *csdlType) error {
	switch {
	case t.Name.Local == "Property" && ty.kind != enumType:
		pr := csdlProp{name: attr(t, "Name"), typ: attr(t, "Type"), line: p.line()}
		if !validPropertyName(pr.name) {
			return p.errorf(pr.line, "%s: Property has no valid Name (%q)", ty.name, pr.name)
		}
		if pr.typ == "" {
			return p.errorf(pr.line, "%s.%s: Property has no Type", ty.name, pr.name)
		}
		var err error
		if pr.nullable, err = boolAttr(t, "Nullable", true); err != nil {
			return p.errorf(pr.line, "%s.%s: %v", ty.name, pr.name, err)
		}
		if p.seen[pr.name] {
			return p.errorf(pr.line, "%s: property %s is declared twice", ty.name, pr.name)
		}
		p.seen[pr.name] = true
		ty.props = append(ty.props, pr)
	case t.Name.Local == "Member" && ty.kind == enumType:
		name := attr(t, "Name")
		if name == "" {
			return p.errorf(p.line(), "%s: Member has no Name", ty.name)
		}
		ty.members = append(ty.members, name)
	}
	return nil
}

// resolve qualifies every type name once the whole document, and so every alias, is known.
func (p *csdlParser) resolve() error {
	for _, ty := range p.order {
		if ty.base != "" {
			q, coll, err := p.qualify(ty.base)
			if err != nil || coll {
				return p.errorf(ty.line, "%s: BaseType %q is not a type name", ty.name, ty.base)
			}
			ty.base = q
		}
		for i := range ty.props {
			pr := &ty.props[i]
			q, coll, err := p.qualify(pr.typ)
			if err != nil {
				return p.errorf(pr.line, "%s.%s: Type %q: %v", ty.name, pr.name, pr.typ, err)
			}
			pr.typ, pr.collection = q, coll
		}
	}
	return nil
}

// qualify turns "graph.user" or "Collection(graph.user)" into "microsoft.graph.user".
func (p *csdlParser) qualify(s string) (name string, collection bool, err error) {
	if inner, ok := strings.CutPrefix(s, "Collection("); ok {
		inner, ok = strings.CutSuffix(inner, ")")
		if !ok {
			return "", false, errors.New("unbalanced Collection(")
		}
		s, collection = inner, true
	}
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || !validName(s) {
		return "", false, errors.New("not a qualified type name")
	}
	if ns, ok := p.aliases[s[:i]]; ok {
		s = ns + s[i:]
	}
	return s, collection, nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func boolAttr(t xml.StartElement, name string, def bool) (bool, error) {
	switch v := attr(t, name); v {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	default:
		return false, fmt.Errorf("%s=%q is neither true nor false", name, v)
	}
}

// validSimpleName reports whether s is an OData simple identifier (ASCII letters, digits and
// underscores, not starting with a digit): what may follow #/components/schemas/namespace.
func validSimpleName(s string) bool {
	if s == "" || len(s) > 128 || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validPropertyName reports whether s can name a property: 1 to 128 printable characters. Graph's
// own names are identifiers, bar a few in its error types (request-id).
func validPropertyName(s string) bool {
	return s != "" && len(s) <= 128 && isPrintable(s) && strings.TrimSpace(s) == s
}

// validName reports whether s is a dotted sequence of simple identifiers.
func validName(s string) bool {
	if s == "" || len(s) > 511 {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if !validSimpleName(part) {
			return false
		}
	}
	return true
}
