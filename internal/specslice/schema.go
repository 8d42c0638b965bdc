package specslice

import (
	"go.yaml.in/yaml/v3"
)

// schemaCtx is what a schema's normalisation needs to know about where the schema sits.
type schemaCtx struct {
	entity bool   // part of an entity type: navigation properties are dropped (rule 12)
	base   bool   // microsoft.graph.entity itself: the one place @odata.type is declared (rule 4)
	item   bool   // array items: never nullable (rule 7)
	prop   bool   // the schema of a property: a plain $ref may be made nullable (Options.NullableRefs)
	errors bool   // inside microsoft.graph.ODataErrors.*: references stay plain
	where  string // location, for notes
}

// schema normalises a schema object and returns it, or the node that replaces it.
func (s *slicer) schema(n *yaml.Node, c schemaCtx) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return n
	}
	if ref := mapGet(n, "$ref"); ref != nil { // siblings of $ref mean nothing in OpenAPI 3.0
		s.useRef(ref.Value, c.where)
		nullable := isTrue(mapGet(n, "nullable")) || (c.prop && s.opt.NullableRefs && !c.errors)
		return refOrNullable(ref.Value, nullable && !c.item)
	}
	// Rules 1, 2 (and so 3), 8 (pattern), 16; x-ms-enum repeats enum with Microsoft's texts.
	mapDel(n, "additionalProperties", "discriminator", "x-ms-discriminator-value", "pattern", "x-ms-enum", "x-ms-navigationProperty")
	if !s.opt.KeepDescriptions {
		mapDel(n, "description", "externalDocs")
	}
	// Rule 5.
	if ref, nullable, ok := nullableRef(n); ok {
		s.useRef(ref, c.where)
		return refOrNullable(ref, nullable && !c.item)
	}
	// Rule 8 (Edm.Double, Edm.Single, Edm.Decimal): openapi.yaml writes them as a union of a
	// number, a string and ReferenceNumeric (INF, -INF, NaN) for IEEE754Compatible clients;
	// Graph sends JSON numbers to a client that does not ask for that, so a number it is.
	if num, ok := numericUnion(n); ok {
		return num
	}
	// Rule 8: Edm.Int32 and friends written as type: number.
	if scalar(mapGet(n, "type")) == "number" {
		switch scalar(mapGet(n, "format")) {
		case "int8", "int16", "int32", "int64", "uint8":
			mapSet(n, "type", strNode("integer"))
		}
	}
	// Rule 7.
	if scalar(mapGet(n, "type")) == "array" || c.item {
		mapDel(n, "nullable")
	}
	if v := mapGet(n, "nullable"); v != nil && !isTrue(v) {
		mapDel(n, "nullable")
	}
	if items := mapGet(n, "items"); items != nil {
		mapSet(n, "items", s.schema(items, schemaCtx{item: true, where: c.where + "/items"}))
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		seq := mapGet(n, k)
		if seq == nil {
			continue
		}
		if k != "allOf" {
			s.note(c.where + ": " + k + " kept as Microsoft wrote it (no rule covers it)")
		}
		for i, part := range items(seq) {
			seq.Content[i] = s.schema(part, schemaCtx{entity: c.entity && k == "allOf", base: c.base, errors: c.errors, where: c.where + "/" + k})
		}
	}
	if not := mapGet(n, "not"); not != nil {
		mapSet(n, "not", s.schema(not, schemaCtx{where: c.where + "/not"}))
	}
	s.properties(n, c)
	return collectionShape(s, n)
}

// properties normalises the properties of an object schema (rules 4 and 12).
func (s *slicer) properties(n *yaml.Node, c schemaCtx) {
	props := mapGet(n, "properties")
	if (props == nil && !c.base) || (props != nil && props.Kind != yaml.MappingNode) {
		return
	}
	if props == nil {
		props = newMap()
		mapSet(n, "properties", props)
	}
	dropped := map[string]bool{odataType: !c.base}
	out := props.Content[:0]
	for i := 0; i+1 < len(props.Content); i += 2 {
		name, p := props.Content[i].Value, props.Content[i+1]
		if (name == odataType && !c.base) || isTrue(mapGet(p, "x-ms-navigationProperty")) || (c.entity && s.isNavigation(p)) {
			dropped[name] = true
			continue
		}
		out = append(out, props.Content[i], s.schema(p, schemaCtx{prop: true, errors: c.errors, where: c.where + "/properties/" + name}))
	}
	props.Content = out
	if c.base {
		if t := mapGet(props, odataType); t != nil {
			mapDel(t, "default") // it would be sent on every request otherwise
		} else {
			mapInsertAfter(props, "id", odataType, newMap("type", "string"))
		}
	}
	if len(props.Content) == 0 {
		mapDel(n, "properties")
	}
	if req := mapGet(n, "required"); req != nil {
		keep := req.Content[:0]
		for _, r := range items(req) {
			if !dropped[r.Value] && r.Value != odataType {
				keep = append(keep, r)
			}
		}
		req.Content = keep
		if len(keep) == 0 {
			mapDel(n, "required")
		}
	}
}

// isNavigation reports whether a property of an entity type is a navigation property: marked as
// one, or typed (directly or as a collection) by an entity type, which only navigation can be.
func (s *slicer) isNavigation(p *yaml.Node) bool {
	if isTrue(mapGet(p, "x-ms-navigationProperty")) {
		return true
	}
	if it := mapGet(p, "items"); it != nil {
		p = it
	}
	ref := scalar(mapGet(p, "$ref"))
	if ref == "" {
		ref, _, _ = nullableRef(p)
	}
	kind, name, ok := parseRef(ref)
	return ok && kind == "schemas" && s.isEntity(name)
}

// refOrNullable writes a reference: plain, or allOf with nullable: true (rule 5).
func refOrNullable(ref string, nullable bool) *yaml.Node {
	if !nullable {
		return newMap("$ref", ref)
	}
	return newMap("allOf", newSeq(newMap("$ref", ref)), "nullable", true)
}

// nullableRef recognises a schema that is one reference made nullable, in every form Microsoft's
// converter has written it: anyOf [$ref] beside nullable: true; anyOf [$ref, {type: object,
// nullable: true}]; anyOf [$ref, {nullable: true}]; type: object, anyOf [$ref], nullable: true;
// anyOf [$ref, {enum: [null]}]; and the same with oneOf or a one-element allOf.
func nullableRef(n *yaml.Node) (ref string, nullable, ok bool) {
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		seq := mapGet(n, k)
		if seq == nil {
			continue
		}
		refs, nulls := 0, 0
		for _, part := range items(seq) {
			switch {
			case mapGet(part, "$ref") != nil && len(part.Content) == 2:
				refs++
				ref = mapGet(part, "$ref").Value
			case isNullSchema(part):
				nulls++
			default:
				return "", false, false
			}
		}
		if refs != 1 {
			return "", false, false
		}
		for _, key := range mapKeys(n) {
			switch key {
			case k, "nullable", "description", "title":
			case "type":
				if scalar(mapGet(n, "type")) != "object" {
					return "", false, false
				}
			default:
				return "", false, false
			}
		}
		return ref, nulls > 0 || isTrue(mapGet(n, "nullable")), true
	}
	return "", false, false
}

// isNullSchema recognises {nullable: true}, {type: object, nullable: true}, {enum: [null]} and
// {type: 'null'}: the second arm of a nullable reference.
func isNullSchema(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	typ := scalar(mapGet(n, "type"))
	if typ == "null" {
		return true
	}
	if enum := mapGet(n, "enum"); enum != nil {
		return len(enum.Content) == 1 && enum.Content[0].Tag == "!!null"
	}
	for _, k := range mapKeys(n) {
		if k != "type" && k != "nullable" && k != "description" {
			return false
		}
	}
	return isTrue(mapGet(n, "nullable")) && (typ == "" || typ == "object")
}

// collectionShape rewrites a flat collection response {value, @odata.nextLink[, @odata.count]}
// (the PowerShell files' form) as allOf [BaseCollectionPaginationCountResponse, {value}], and a
// delta response with @odata.deltaLink on BaseDeltaFunctionResponse (rule 15).
func collectionShape(s *slicer, n *yaml.Node) *yaml.Node {
	props := mapGet(n, "properties")
	value := mapGet(props, "value")
	if value == nil || mapGet(props, "@odata.nextLink") == nil || scalar(mapGet(value, "type")) != "array" ||
		mapGet(n, "allOf") != nil || (mapGet(n, "type") != nil && scalar(mapGet(n, "type")) != "object") {
		return n
	}
	base := baseCollection
	for _, k := range mapKeys(props) {
		switch k {
		case "value", "@odata.nextLink", "@odata.count":
		case "@odata.deltaLink":
			base = baseDelta
		default:
			return n
		}
	}
	s.ensureBase(base)
	out := newMap()
	if t := mapGet(n, "title"); t != nil {
		mapSet(out, "title", t)
	}
	mapSet(out, "type", strNode("object"))
	mapSet(out, "allOf", newSeq(refNode("schemas", base), newMap("type", "object", "properties", newMap("value", value))))
	return out
}

// ensureBase makes the base schema of rule 15 available: Microsoft's when the input has it,
// else written here (the per-module PowerShell files have none).
func (s *slicer) ensureBase(name string) {
	if s.has("schemas", name) {
		return
	}
	if s.source("schemas", name) != nil {
		s.use("schemas", name)
		return
	}
	nullableString := func() *yaml.Node { return newMap("type", "string", "nullable", true) }
	switch name {
	case baseCollection:
		s.put("schemas", name, newMap("title", "Base collection pagination and count responses", "type", "object",
			"properties", newMap(
				"@odata.count", newMap("type", "integer", "format", "int64", "nullable", true),
				"@odata.nextLink", nullableString())))
	case baseDelta:
		s.put("schemas", name, newMap("title", "Base delta function response", "type", "object",
			"properties", newMap("@odata.nextLink", nullableString(), "@odata.deltaLink", nullableString())))
	}
}

// items returns the children of a sequence (or nil).
func items(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// numericUnion recognises anyOf/oneOf [{type: number, ...}, {type: string, ...},
// {$ref: .../ReferenceNumeric}] (the last two optional) and returns the number arm, nullable
// when any arm is.
func numericUnion(n *yaml.Node) (*yaml.Node, bool) {
	for _, k := range []string{"anyOf", "oneOf"} {
		seq := mapGet(n, k)
		if seq == nil {
			continue
		}
		var num *yaml.Node
		nullable := isTrue(mapGet(n, "nullable"))
		for _, part := range items(seq) {
			_, name, isRef := parseRef(scalar(mapGet(part, "$ref")))
			switch typ := scalar(mapGet(part, "type")); {
			case isRef && name == "ReferenceNumeric":
			case typ == "number" && num == nil:
				num = part
			case typ == "string" && mapGet(part, "format") == nil && mapGet(part, "enum") == nil:
			default:
				return nil, false
			}
			nullable = nullable || isTrue(mapGet(part, "nullable"))
		}
		if num == nil {
			return nil, false
		}
		out := newMap("type", "number")
		if f := mapGet(num, "format"); f != nil {
			mapSet(out, "format", strNode(f.Value))
		}
		if nullable {
			out.Content = append(out.Content, newMap("nullable", true).Content...)
		}
		return out, true
	}
	return nil, false
}
