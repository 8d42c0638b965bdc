package specslice

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Rule 17 (api/README.md): with Options.CSDL, the CSDL is the authority on a type's structural
// properties. A schema whose name is a CSDL entity or complex type gets each structural property the
// CSDL declares on that type and Microsoft's OpenAPI lacks, written as the converter would write it
// and normalised like the rest; a type the OpenAPI lacks altogether (an enum that only a new property
// uses) is written from the CSDL. Properties the OpenAPI has take the CSDL's nullability; where
// their type differs from the CSDL's a note says so and they stay as they are.

// edmSchemas maps the CSDL's primitive types to the OpenAPI schema rule 8 gives them, as key, value
// pairs for newMap: what Microsoft's converter writes, normalised, bounds of the small integers
// included, so that a property reads the same whichever file it came from. Edm.Untyped is any JSON
// value; the geography and geometry types have no rule.
var edmSchemas = map[string][]any{
	"Edm.String":         {"type", "string"},
	"Edm.Boolean":        {"type", "boolean"},
	"Edm.Byte":           {"maximum", 255, "minimum", 0, "type", "integer", "format", "uint8"},
	"Edm.SByte":          {"maximum", 127, "minimum", -128, "type", "integer", "format", "int8"},
	"Edm.Int16":          {"maximum", 32767, "minimum", -32768, "type", "integer", "format", "int16"},
	"Edm.Int32":          {"maximum", 2147483647, "minimum", -2147483648, "type", "integer", "format", "int32"},
	"Edm.Int64":          {"type", "integer", "format", "int64"},
	"Edm.Single":         {"type", "number", "format", "float"},
	"Edm.Double":         {"type", "number", "format", "double"},
	"Edm.Decimal":        {"type", "number", "format", "decimal"},
	"Edm.Guid":           {"type", "string", "format", "uuid"},
	"Edm.DateTimeOffset": {"type", "string", "format", "date-time"},
	"Edm.Date":           {"type", "string", "format", "date"},
	"Edm.TimeOfDay":      {"type", "string", "format", "time"},
	"Edm.Duration":       {"type", "string", "format", "duration"},
	"Edm.Binary":         {"type", "string", "format", "base64url"},
	"Edm.Stream":         {"type", "string", "format", "base64url"},
	"Edm.Untyped":        {},
}

// csdlSource returns the schema of a CSDL type the input lacks, written by the rules (drain
// normalises it like any other, which queues what it references), or nil when the CSDL has no such
// type. Built once; notes about it wait in csdlNotes until drain writes it out, since a lookup
// (isEntity) may build a schema that is never written.
func (s *slicer) csdlSource(name string) *yaml.Node {
	if n, ok := s.fromCSDL[name]; ok {
		return n
	}
	t := s.opt.CSDL.types[name]
	if t == nil {
		return nil
	}
	var n *yaml.Node
	if t.kind == enumType {
		members := newSeq()
		for _, m := range t.members {
			members.Content = append(members.Content, strNode(m))
		}
		n = newMap("title", t.short, "type", "string", "enum", members)
		if t.flags {
			mapSet(n, "x-ms-enum-flags", newMap("isFlags", true))
		}
	} else {
		own := newMap("title", t.short, "type", "object")
		props := newMap()
		for _, p := range t.props {
			if v, why := s.csdlProperty(p); v != nil {
				props.Content = append(props.Content, strNode(p.name), v)
			} else {
				s.csdlNotes[name] = append(s.csdlNotes[name], "/components/schemas/"+name+"/properties/"+p.name+": "+why+"; not added")
			}
		}
		if len(props.Content) > 0 {
			mapSet(own, "properties", props)
		}
		n = own
		if t.base != "" {
			n = newMap("allOf", newSeq(refNode("schemas", t.base), own))
		}
	}
	s.fromCSDL[name] = n
	return n
}

// csdlProperty writes one structural property by rules 5, 7 and 8; nil, with the reason, when no
// rule covers its type.
func (s *slicer) csdlProperty(p csdlProp) (*yaml.Node, string) {
	var elem *yaml.Node
	ref := false
	if kv, ok := edmSchemas[p.typ]; ok {
		elem = newMap(kv...)
	} else if t := s.opt.CSDL.types[p.typ]; t != nil && t.kind != entityType {
		elem, ref = refNode("schemas", p.typ), true
	} else if t != nil {
		return nil, "typed by entity type " + p.typ + ", which only a navigation property may be"
	} else {
		return nil, "CSDL type " + p.typ + " has no rule"
	}
	switch {
	case p.collection: // rule 7: neither the array nor its items are nullable
		return newMap("type", "array", "items", elem), ""
	case !p.nullable || p.typ == "Edm.Untyped":
		return elem, ""
	case ref:
		return refOrNullable(scalar(mapGet(elem, "$ref")), true), ""
	default:
		mapSet(elem, "nullable", newMap("nullable", true).Content[1])
		return elem, ""
	}
}

// fillFromCSDL brings the normalised schema n of the named type in line with the structural
// properties the CSDL declares on that type (not its base types, which are schemas of their own):
// a property n lacks is added after the property the CSDL declares before it, so the order stays
// the CSDL's; a property whose nullability differs takes the CSDL's. A property n has and the CSDL
// does not, or has with another type, is kept and noted. Linear in the number of properties.
func (s *slicer) fillFromCSDL(name string, n *yaml.Node) {
	t := s.opt.CSDL.types[name]
	if t == nil || t.kind == enumType || s.fromCSDL[name] != nil {
		return
	}
	where := "/components/schemas/" + name
	own := n
	if all := mapGet(n, "allOf"); all != nil {
		own = nil
		for _, part := range items(all) {
			if part.Kind == yaml.MappingNode && mapGet(part, "$ref") == nil {
				own = part
				break
			}
		}
	}
	if own == nil || own.Kind != yaml.MappingNode || mapGet(own, "enum") != nil {
		s.note(where + ": no object schema to add the CSDL's properties to")
		return
	}
	props := mapGet(own, "properties")
	if props == nil {
		props = newMap()
	}
	if props.Kind != yaml.MappingNode {
		return
	}
	have := make(map[string]int, len(props.Content)/2) // name -> index of its value in props.Content
	for i := 0; i+1 < len(props.Content); i += 2 {
		have[props.Content[i].Value] = i + 1
	}
	declared := make(map[string]bool, len(t.props))
	after := map[string][]*yaml.Node{} // existing key ("" for the start) -> properties to add after it
	prev := ""
	added := 0
	for _, p := range t.props {
		declared[p.name] = true
		want, why := s.csdlProperty(p)
		i, ok := have[p.name]
		if ok {
			prev = p.name
			if want != nil {
				s.reconcile(name, p.name, props.Content, i, want)
			}
			continue
		}
		if want == nil {
			s.note(where + "/properties/" + p.name + ": " + why + "; not added")
			continue
		}
		want = s.schema(want, schemaCtx{prop: true, where: where + "/properties/" + p.name})
		after[prev] = append(after[prev], strNode(p.name), want)
		s.added = append(s.added, name+"."+p.name)
		added++
	}
	for k := range have {
		if !declared[k] && k != odataType {
			s.note(where + "/properties/" + k + ": not in the CSDL, kept")
		}
	}
	if added == 0 {
		return
	}
	out := make([]*yaml.Node, 0, len(props.Content)+2*added)
	out = append(out, after[""]...)
	for i := 0; i+1 < len(props.Content); i += 2 {
		out = append(out, props.Content[i], props.Content[i+1])
		out = append(out, after[props.Content[i].Value]...)
	}
	props.Content = out
	if mapGet(own, "properties") == nil {
		mapSet(own, "properties", props)
	}
}

// reconcile compares the property content[i] of the named schema with the CSDL's want: another
// type is noted and left as it is; another nullability becomes the CSDL's (the PowerShell files
// lose it on references, and -nullable-refs guesses).
func (s *slicer) reconcile(schema, prop string, content []*yaml.Node, i int, want *yaml.Node) {
	got := content[i]
	gt, gr, gn := shape(got)
	wt, wr, wn := shape(want)
	switch {
	case gt != wt || gr != wr:
		s.note("/components/schemas/" + schema + "/properties/" + prop + ": type " + describe(gt, gr) +
			" in the input, " + describe(wt, wr) + " in the CSDL; kept as the input has it")
		return
	case gn == wn:
		return
	case gr != "":
		content[i] = refOrNullable(gr, wn)
	case wn:
		mapSet(got, "nullable", newMap("nullable", true).Content[1])
	default:
		mapDel(got, "nullable")
	}
	s.added = append(s.added, schema+"."+prop+" (nullable: "+strconv.FormatBool(wn)+")")
}

// shape reads a normalised property schema's type and format (or reference), "array of" for a
// collection, and nullability.
func shape(n *yaml.Node) (typ, ref string, nullable bool) {
	if it := mapGet(n, "items"); it != nil {
		t, r, _ := shape0(it)
		return "array of " + t, r, false
	}
	return shape0(n)
}

// shape0 reads type and format (or the reference) and nullability of a schema that is not an array.
func shape0(n *yaml.Node) (typ, ref string, nullable bool) {
	if r := scalar(mapGet(n, "$ref")); r != "" {
		return "", r, false
	}
	if all := items(mapGet(n, "allOf")); len(all) == 1 {
		return "", scalar(mapGet(all[0], "$ref")), isTrue(mapGet(n, "nullable"))
	}
	typ = scalar(mapGet(n, "type"))
	if f := scalar(mapGet(n, "format")); f != "" {
		typ += "/" + f
	}
	return typ, "", isTrue(mapGet(n, "nullable"))
}

func describe(typ, ref string) string {
	if ref != "" {
		return typ + ref
	}
	if typ == "" {
		return "any"
	}
	return typ
}
