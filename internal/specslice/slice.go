package specslice

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Options says which part of a document Slice keeps and how it names it.
type Options struct {
	// Paths are the path patterns whose operations are kept; at least one is required. A pattern
	// matches Microsoft's path or the path as written out (bound functions without their
	// namespace, rule 13). See Match for the syntax. A pattern that matches nothing is an error,
	// so a typo cannot go unnoticed.
	Paths []string

	// OperationIDs replaces derived operationIds. Keys are "METHOD /path", the path as written
	// out ("GET /users/delta()") or as Microsoft writes it ("GET /users/microsoft.graph.delta()");
	// a key that names no kept operation is an error, and so is an operationId another kept
	// operation has.
	OperationIDs map[string]string

	// Statuses sets the success code that replaces a 2XX response, for the operations where the
	// default (GET, bound action or PUT with a body 200; create 201; PATCH, DELETE or no body
	// 204) is wrong.
	// Keys are as for OperationIDs; 204 drops the response body.
	Statuses map[string]int

	// NullableRefs writes a property that is a plain $ref as a nullable reference (rule 5). The
	// PowerShell SDK's files write every reference property as a plain $ref, losing the
	// nullability CSDL gives almost all of them; without this option such properties cannot be
	// cleared with null in a PATCH. The error schemas (microsoft.graph.ODataErrors.*) are left
	// alone: Graph always fills their references. For openapi.yaml, which keeps nullability,
	// leave it off.
	NullableRefs bool

	// CSDL, when not nil, is the authority on structural properties (rule 17): a schema named for
	// one of its entity or complex types gets the properties the CSDL declares and the input lacks
	// and the CSDL's nullability for those both have, and a type the input lacks altogether is
	// written from the CSDL. A property whose type differs from the CSDL's is kept and noted. See
	// ParseCSDL.
	CSDL *CSDL

	// KeepDescriptions keeps Microsoft's description and externalDocs texts, which rule 16 drops.
	// Useful to read a slice; not for a spec that is committed.
	KeepDescriptions bool

	// Title replaces info.title when not empty.
	Title string
}

// Result is the outcome of Slice.
type Result struct {
	// YAML is the normalised document: openapi, info, servers, paths, components, with paths and
	// component names sorted and two-space indentation.
	YAML []byte

	// Operations lists the kept operations as "METHOD /path operationId", sorted.
	Operations []string

	// FromCSDL lists what rule 17 took from Options.CSDL, sorted: "schema" for a type written
	// whole, "schema.property" for a property added to a type the input has, "schema.property
	// (nullable: true)" for a property whose nullability became the CSDL's.
	FromCSDL []string

	// Notes lists shapes no rule covers, kept as Microsoft wrote them (a real anyOf union, for
	// instance), and operationIds that had to be made unique. Empty for a clean slice.
	Notes []string
}

// ErrNoMatch is wrapped by the error Slice returns when a path pattern matches no path.
var ErrNoMatch = errors.New("pattern matches no path")

// Error is the error Slice and Merge return for a document or an option they cannot use.
type Error struct {
	// Where names the place: "input", "existing", a JSON-pointer-like location such as
	// "/components/schemas/x", or an option such as "-path /usrs".
	Where string
	// Err says what is wrong.
	Err error
}

// Error formats the error as "specslice: WHERE: WHAT".
func (e *Error) Error() string { return "specslice: " + e.Where + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

func errorf(where, format string, args ...any) error {
	return &Error{Where: where, Err: fmt.Errorf(format, args...)}
}

// Names the rules depend on.
const (
	entitySchema      = "microsoft.graph.entity"
	innerErrorSchema  = "microsoft.graph.ODataErrors.InnerError"
	errorSchemaPrefix = "microsoft.graph.ODataErrors."
	baseCollection    = "BaseCollectionPaginationCountResponse"
	baseDelta         = "BaseDeltaFunctionResponse"
	odataType         = "@odata.type"
)

// sharedParams maps the query options and header of rule 14 to their components/parameters name.
var sharedParams = map[string]string{
	"query $top": "top", "query $skip": "skip", "query $search": "search", "query $filter": "filter",
	"query $count": "count", "query $orderby": "orderby", "query $select": "select", "query $expand": "expand",
	"header ConsistencyLevel": "ConsistencyLevel",
}

// Bounds that keep Slice's time and output linear in its input, whatever the input. Microsoft's
// descriptions nest about 12 levels and a slice of them has a few notes.
const (
	maxDepth    = 64   // levels of YAML nesting in a document
	maxNotes    = 1000 // notes kept; the rest are counted in one last note
	maxNoteSize = 1024 // bytes of one note
)

// componentOrder is the order component kinds are written in; others follow, sorted.
var componentOrder = []string{"schemas", "responses", "parameters", "requestBodies"}

type compRef struct{ kind, name string }

// slicer holds the state of one Slice call; it is not shared between goroutines.
type slicer struct {
	opt       Options
	srcComps  *yaml.Node                       // the input's components mapping
	srcIndex  map[string]map[string]*yaml.Node // kind -> name -> the input's component, built on first use
	work      int                              // entries examined finding components: linear in the input
	out       map[string]map[string]*yaml.Node // kind -> name -> normalised component
	queued    map[compRef]bool
	pending   []compRef
	entity    map[string]bool // memo of isEntity
	notes     map[string]bool
	cutNotes  int               // notes past maxNotes, counted rather than kept
	opIDs     map[string]string // "METHOD /path" -> operationId, for overrides and the report
	usedOver  map[string]bool
	fromCSDL  map[string]*yaml.Node // schemas written from Options.CSDL because the input lacks them
	csdlNotes map[string][]string   // notes about a schema of fromCSDL, made once it is written out
	added     []string              // Result.FromCSDL
}

// Slice cuts the operations matching opt.Paths out of the OpenAPI document src, with everything
// they reference, and applies the normalisation rules of api/README.md. src is not modified.
//
// Its time and output are linear in the size of src: components are found through an index, a
// document nested deeper than any real description is refused, and notes are bounded in number and
// length.
func Slice(src []byte, opt Options) (*Result, error) {
	if len(opt.Paths) == 0 {
		return nil, errorf("options", "no path pattern given")
	}
	pats := make([]pattern, 0, len(opt.Paths))
	for _, p := range opt.Paths {
		pt, err := compilePattern(p)
		if err != nil {
			return nil, &Error{Where: "-path " + p, Err: err}
		}
		pats = append(pats, pt)
	}
	root, err := parseDoc(src, "input")
	if err != nil {
		return nil, err
	}
	paths := mapGet(root, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return nil, errorf("input", "no paths mapping: not an OpenAPI document")
	}
	s := &slicer{
		opt: opt, srcComps: mapGet(root, "components"),
		out: map[string]map[string]*yaml.Node{}, queued: map[compRef]bool{},
		entity: map[string]bool{}, notes: map[string]bool{}, opIDs: map[string]string{}, usedOver: map[string]bool{},
		fromCSDL: map[string]*yaml.Node{}, csdlNotes: map[string][]string{},
	}

	s.rekeyOptions(paths)

	matched := make([]bool, len(pats))
	outPaths := newMap()
	seenPath := map[string]string{}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		orig, item := paths.Content[i].Value, paths.Content[i+1]
		if item.Kind != yaml.MappingNode {
			return nil, errorf("/paths"+orig, "path item is not a mapping")
		}
		np := stripNamespace(orig, item)
		methods := map[string]bool{}
		hit := false
		for j, pt := range pats {
			if !pt.match(np) && !pt.match(orig) {
				continue
			}
			matched[j] = true
			hit = true
			for _, m := range methodOrder {
				if pt.methods == nil || pt.methods[strings.ToUpper(m)] {
					methods[m] = true
				}
			}
		}
		if !hit {
			continue
		}
		if prev, dup := seenPath[np]; dup {
			return nil, errorf("/paths"+orig, "same path as %s once the namespace is dropped", prev)
		}
		seenPath[np] = orig
		pi, err := s.pathItem(np, item, methods)
		if err != nil {
			return nil, err
		}
		if pi != nil {
			outPaths.Content = append(outPaths.Content, strNode(np), pi)
		}
	}
	for j, ok := range matched {
		if !ok {
			return nil, &Error{Where: "-path " + pats[j].text, Err: ErrNoMatch}
		}
	}
	if err := s.applyOverrides(outPaths); err != nil {
		return nil, err
	}
	if err := s.drain(); err != nil {
		return nil, err
	}
	sortMap(outPaths, func(a, b string) bool { return a < b })

	doc := s.document(root, outPaths)
	restyle(doc)
	b, err := encode(doc)
	if err != nil {
		return nil, errorf("output", "%v", err)
	}
	res := &Result{YAML: b}
	for k, id := range s.opIDs {
		res.Operations = append(res.Operations, k+" "+id)
	}
	sort.Strings(res.Operations)
	for n := range s.notes {
		res.Notes = append(res.Notes, n)
	}
	res.FromCSDL = s.added
	sort.Strings(res.FromCSDL)
	sort.Strings(res.Notes)
	if s.cutNotes > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("... and %d more notes", s.cutNotes))
	}
	return res, nil
}

func parseDoc(src []byte, where string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, &Error{Where: where, Err: err}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errorf(where, "not a YAML mapping")
	}
	if hasAlias(doc.Content[0]) {
		return nil, errorf(where, "YAML anchors and aliases are not supported")
	}
	if deeperThan(doc.Content[0], maxDepth) {
		return nil, errorf(where, "nested more than %d levels deep (Microsoft's descriptions nest about a dozen)", maxDepth)
	}
	return doc.Content[0], nil
}

// stripNamespace drops "microsoft.graph." from bound function segments ("delta()") and from a
// last segment naming a bound action (rule 13). Type casts (".../microsoft.graph.group") keep it:
// Graph needs it there.
func stripNamespace(path string, item *yaml.Node) string {
	segs := strings.Split(path, "/")
	action := false
	for _, m := range methodOrder {
		if op := mapGet(item, m); op != nil && isBoundOperation(op) {
			action = true
		}
	}
	for i, s := range segs {
		if rest, ok := strings.CutPrefix(s, "microsoft.graph."); ok && (strings.Contains(s, "(") || (action && i == len(segs)-1)) {
			segs[i] = rest
		}
	}
	return strings.Join(segs, "/")
}

// use queues a component for normalisation and inclusion.
func (s *slicer) use(kind, name string) {
	r := compRef{kind, name}
	if s.queued[r] {
		return
	}
	s.queued[r] = true
	s.pending = append(s.pending, r)
}

func (s *slicer) useRef(ref, where string) {
	kind, name, ok := parseRef(ref)
	if !ok {
		s.note(where + ": reference " + ref + " is not a local component; kept as is")
		return
	}
	s.use(kind, name)
}

// note records a note, cut to maxNoteSize; past maxNotes distinct notes it only counts them.
func (s *slicer) note(n string) {
	if len(n) > maxNoteSize {
		n = strings.ToValidUTF8(n[:maxNoteSize-3], "") + "..."
	}
	if !s.notes[n] && len(s.notes) >= maxNotes {
		s.cutNotes++
		return
	}
	s.notes[n] = true
}

// source returns the input's component, or for a schema the input lacks the one written from
// Options.CSDL (rule 17), nil when there is neither. Lookups in the input go through an index of each
// kind, so that resolving every reference of a document stays linear in its size.
func (s *slicer) source(kind, name string) *yaml.Node {
	if s.srcIndex == nil {
		s.srcIndex = map[string]map[string]*yaml.Node{}
	}
	idx, ok := s.srcIndex[kind]
	if !ok {
		idx = mapIndex(mapGet(s.srcComps, kind))
		s.srcIndex[kind] = idx
		s.work += len(idx)
	}
	s.work++
	n := idx[name]
	if n == nil && kind == "schemas" && s.opt.CSDL != nil {
		n = s.csdlSource(name)
	}
	return n
}

// put stores a component made here (not copied from the input).
func (s *slicer) put(kind, name string, n *yaml.Node) {
	if s.out[kind] == nil {
		s.out[kind] = map[string]*yaml.Node{}
	}
	s.out[kind][name] = n
	s.queued[compRef{kind, name}] = true
}

func (s *slicer) has(kind, name string) bool {
	_, ok := s.out[kind][name]
	return ok
}

// drain normalises every queued component, which may queue more: the transitive closure.
func (s *slicer) drain() error {
	for len(s.pending) > 0 {
		r := s.pending[0]
		s.pending = s.pending[1:]
		if s.has(r.kind, r.name) {
			continue
		}
		src := s.source(r.kind, r.name)
		if src == nil {
			return errorf(refString(r.kind, r.name), "referenced but not defined in the input")
		}
		if src.Kind != yaml.MappingNode {
			return errorf(refString(r.kind, r.name), "component is not a mapping")
		}
		where := "/components/" + r.kind + "/" + r.name
		n := clone(src)
		switch r.kind {
		case "schemas":
			n = s.schema(n, schemaCtx{entity: s.isEntity(r.name), base: r.name == entitySchema, where: where,
				errors: strings.HasPrefix(r.name, errorSchemaPrefix)})
			s.componentRules(r.name, n)
			if s.opt.CSDL != nil && s.fromCSDL[r.name] != nil {
				s.added = append(s.added, r.name)
				for _, n := range s.csdlNotes[r.name] {
					s.note(n)
				}
			} else if s.opt.CSDL != nil {
				s.fillFromCSDL(r.name, n)
			}
		case "responses":
			s.response(n, 0, where)
		case "parameters":
			s.param(n, where)
		case "requestBodies":
			s.requestBody(n, where)
		default:
			s.refsIn(n, where)
		}
		s.put(r.kind, r.name, n)
	}
	return nil
}

// refsIn queues every reference below n, for component kinds no rule rewrites.
func (s *slicer) refsIn(n *yaml.Node, where string) {
	if n.Kind == yaml.MappingNode {
		if ref := mapGet(n, "$ref"); ref != nil {
			s.useRef(ref.Value, where)
		}
	}
	for _, c := range n.Content {
		s.refsIn(c, where)
	}
}

// componentRules applies the rules tied to one named schema.
func (s *slicer) componentRules(name string, n *yaml.Node) {
	switch name {
	case innerErrorSchema: // rule 9
		if date := mapGet(mapGet(n, "properties"), "date"); date != nil {
			mapDel(date, "format", "pattern")
		}
	case baseCollection, baseDelta: // rule 15
		props := mapGet(n, "properties")
		for _, p := range []string{"@odata.count", "@odata.nextLink", "@odata.deltaLink"} {
			if v := mapGet(props, p); v != nil && v.Kind == yaml.MappingNode {
				mapSet(v, "nullable", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
			}
		}
	}
}

// isEntity reports whether the schema is microsoft.graph.entity or derives from it through allOf.
// Only entity types have navigation properties (rule 12).
func (s *slicer) isEntity(name string) bool {
	if v, ok := s.entity[name]; ok {
		return v
	}
	s.entity[name] = false // cycles end here
	v := name == entitySchema
	if !v {
		for _, part := range children(mapGet(s.source("schemas", name), "allOf")) {
			if kind, base, ok := parseRef(scalar(mapGet(part, "$ref"))); ok && kind == "schemas" && s.isEntity(base) {
				v = true
			}
		}
	}
	s.entity[name] = v
	return v
}

// document assembles the output in the order of api/graph.yaml.
func (s *slicer) document(src, paths *yaml.Node) *yaml.Node {
	doc := newMap()
	if v := mapGet(src, "openapi"); v != nil {
		mapSet(doc, "openapi", clone(v))
	}
	info := newMap()
	title := s.opt.Title
	if title == "" {
		title = scalar(mapGet(mapGet(src, "info"), "title"))
	}
	mapSet(info, "title", strNode(title))
	mapSet(info, "version", strNode(scalar(mapGet(mapGet(src, "info"), "version"))))
	mapSet(doc, "info", info)
	if servers := mapGet(src, "servers"); servers != nil && servers.Kind == yaml.SequenceNode {
		out := newSeq()
		for _, sv := range servers.Content {
			if u := scalar(mapGet(sv, "url")); u != "" {
				out.Content = append(out.Content, newMap("url", strings.TrimSuffix(u, "/")))
			}
		}
		mapSet(doc, "servers", out)
	}
	mapSet(doc, "paths", paths)
	comps := newMap()
	kinds := make([]string, 0, len(s.out))
	for k := range s.out {
		kinds = append(kinds, k)
	}
	rank := func(k string) int {
		for i, c := range componentOrder {
			if c == k {
				return i
			}
		}
		return len(componentOrder)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if ri, rj := rank(kinds[i]), rank(kinds[j]); ri != rj {
			return ri < rj
		}
		return kinds[i] < kinds[j]
	})
	for _, k := range kinds {
		m := newMap()
		names := make([]string, 0, len(s.out[k]))
		for n := range s.out[k] {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			m.Content = append(m.Content, strNode(n), s.out[k][n])
		}
		mapSet(comps, k, m)
	}
	if len(comps.Content) > 0 {
		mapSet(doc, "components", comps)
	}
	return doc
}

// pathItem normalises the operations of one path item; nil when none is kept.
func (s *slicer) pathItem(path string, item *yaml.Node, methods map[string]bool) (*yaml.Node, error) {
	where := "/paths" + path
	var hoisted, shared []*yaml.Node // path parameters (as references); other path-level parameters
	hoistedNames := map[string]bool{}
	addParams := func(list *yaml.Node, w string) []*yaml.Node {
		var keep []*yaml.Node
		for _, p := range children(list) {
			n, isPath, name := s.operationParam(clone(p), w)
			if isPath {
				if !hoistedNames[name] {
					hoistedNames[name] = true
					hoisted = append(hoisted, n)
				}
				continue
			}
			keep = append(keep, n)
		}
		return keep
	}
	shared = addParams(mapGet(item, "parameters"), where)

	ops := newMap()
	for _, m := range methodOrder {
		op := mapGet(item, m)
		if op == nil || !methods[m] {
			continue
		}
		if op.Kind != yaml.MappingNode {
			return nil, errorf(where+"/"+m, "operation is not a mapping")
		}
		o, err := s.operation(path, strings.ToUpper(m), clone(op), addParams)
		if err != nil {
			return nil, err
		}
		ops.Content = append(ops.Content, strNode(m), o)
	}
	if len(ops.Content) == 0 {
		return nil, nil
	}
	// Path parameters in the order the template names them.
	sort.SliceStable(hoisted, func(i, j int) bool {
		return strings.Index(path, "{"+paramName(hoisted[i])+"}") < strings.Index(path, "{"+paramName(hoisted[j])+"}")
	})
	out := newMap()
	if params := append(hoisted, shared...); len(params) > 0 {
		mapSet(out, "parameters", newSeq(params...))
	}
	out.Content = append(out.Content, ops.Content...)
	return out, nil
}

// paramName is the component name a hoisted path parameter reference points at.
func paramName(ref *yaml.Node) string {
	_, name, _ := parseRef(scalar(mapGet(ref, "$ref")))
	return name
}

// operationParam normalises one parameter of an operation or path item. Path parameters and
// the shared query options and header (rule 14) become references to components/parameters.
func (s *slicer) operationParam(p *yaml.Node, where string) (n *yaml.Node, isPath bool, name string) {
	if ref := mapGet(p, "$ref"); ref != nil {
		kind, cname, ok := parseRef(ref.Value)
		if !ok || kind != "parameters" {
			s.note(where + ": parameter reference " + ref.Value + " kept as is")
			return newMap("$ref", ref.Value), false, ""
		}
		s.use(kind, cname)
		return refNode(kind, cname), scalar(mapGet(s.source(kind, cname), "in")) == "path", cname
	}
	in, pname := scalar(mapGet(p, "in")), scalar(mapGet(p, "name"))
	cname, shared := sharedParams[in+" "+pname]
	if in == "path" {
		cname, shared = pname, true
	}
	if !shared {
		s.param(p, where+"/parameters/"+pname)
		return p, false, ""
	}
	switch {
	case s.has("parameters", cname):
	case s.source("parameters", cname) != nil:
		s.use("parameters", cname)
	default:
		s.param(p, "/components/parameters/"+cname)
		s.put("parameters", cname, p)
	}
	return refNode("parameters", cname), in == "path", cname
}

// param normalises a parameter object in place.
func (s *slicer) param(p *yaml.Node, where string) {
	if !s.opt.KeepDescriptions {
		mapDel(p, "description")
	}
	if ex := mapGet(p, "examples"); ex != nil {
		if mapGet(p, "example") == nil && ex.Kind == yaml.MappingNode && len(ex.Content) >= 2 {
			keys := mapKeys(ex)
			sort.Strings(keys)
			if v := mapGet(mapGet(ex, keys[0]), "value"); v != nil {
				mapInsertAfter(p, "examples", "example", clone(v))
			}
		}
		mapDel(p, "examples")
	}
	if sc := mapGet(p, "schema"); sc != nil {
		mapSet(p, "schema", s.schema(sc, schemaCtx{where: where}))
	}
	s.content(p, where)
}

// requestBody normalises a request body object (or reference) in place.
func (s *slicer) requestBody(rb *yaml.Node, where string) {
	if ref := mapGet(rb, "$ref"); ref != nil {
		s.useRef(ref.Value, where)
		return
	}
	if !s.opt.KeepDescriptions {
		mapDel(rb, "description")
	}
	s.content(rb, where)
}

// content normalises the schemas of a content map.
func (s *slicer) content(n *yaml.Node, where string) {
	content := mapGet(n, "content")
	for i := 0; i+1 < len(children(content)); i += 2 {
		media := content.Content[i+1]
		if sc := mapGet(media, "schema"); sc != nil {
			mapSet(media, "schema", s.hoist(s.schema(sc, schemaCtx{where: where})))
		}
		if !s.opt.KeepDescriptions {
			mapDel(media, "examples")
		}
	}
}

// hoist turns an inline collection or delta response (rule 15) into a named schema, so that
// the generated type has a name: microsoft.graph.userCollectionResponse, ...DeltaResponse.
func (s *slicer) hoist(n *yaml.Node) *yaml.Node {
	all := mapGet(n, "allOf")
	if len(children(all)) != 2 {
		return n
	}
	_, base, _ := parseRef(scalar(mapGet(all.Content[0], "$ref")))
	suffix := map[string]string{baseCollection: "CollectionResponse", baseDelta: "DeltaResponse"}[base]
	value := mapGet(mapGet(all.Content[1], "properties"), "value")
	_, item, ok := parseRef(scalar(mapGet(mapGet(value, "items"), "$ref")))
	if suffix == "" || !ok {
		return n
	}
	name := item + suffix
	switch {
	case s.has("schemas", name):
	case s.source("schemas", name) != nil:
		s.use("schemas", name)
	default:
		s.put("schemas", name, n)
	}
	return refNode("schemas", name)
}

// operation normalises one operation in place and names it.
func (s *slicer) operation(path, method string, o *yaml.Node, addParams func(*yaml.Node, string) []*yaml.Node) (*yaml.Node, error) {
	where := "/paths" + path + "/" + strings.ToLower(method)
	if !s.opt.KeepDescriptions {
		mapDel(o, "description", "externalDocs")
	}
	mapDel(o, "security", "servers", "x-ms-docs-grouped-path")
	if list := mapGet(o, "parameters"); list != nil {
		if keep := addParams(list, where); len(keep) > 0 {
			mapSet(o, "parameters", newSeq(keep...))
		} else {
			mapDel(o, "parameters")
		}
	}
	if rb := mapGet(o, "requestBody"); rb != nil {
		s.requestBody(rb, where+"/requestBody")
	}
	if err := s.responses(path, method, o, where); err != nil {
		return nil, err
	}
	key := method + " " + path
	id := deriveOperationID(method, path, o)
	if over, ok := s.opt.OperationIDs[key]; ok {
		id = over
		s.usedOver[key] = true
	}
	s.opIDs[key] = id
	if mapGet(o, "operationId") != nil {
		mapSet(o, "operationId", strNode(id))
	} else {
		after := "summary"
		if mapGet(o, after) == nil {
			after = "tags"
		}
		mapInsertAfter(o, after, "operationId", strNode(id))
	}
	return o, nil
}

// applyOverrides checks the option keys and makes derived operationIds unique.
func (s *slicer) applyOverrides(paths *yaml.Node) error {
	for k := range s.opt.OperationIDs {
		if !s.usedOver[k] {
			return errorf("-op "+k, "names no kept operation")
		}
	}
	for k := range s.opt.Statuses {
		if _, ok := s.opIDs[k]; !ok {
			return errorf("-status "+k, "names no kept operation")
		}
	}
	keys := make([]string, 0, len(s.opIDs))
	for k := range s.opIDs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	byID := map[string][]string{}
	for _, k := range keys {
		byID[s.opIDs[k]] = append(byID[s.opIDs[k]], k)
	}
	for id, ks := range byID {
		if len(ks) < 2 {
			continue
		}
		for _, k := range ks {
			if _, over := s.opt.OperationIDs[k]; over {
				other := ks[0]
				if other == k {
					other = ks[1]
				}
				return errorf("-op "+k, "operationId %s is also used by %s", id, other)
			}
		}
		for i, k := range ks[1:] {
			nid := id + strconv.Itoa(i+2)
			s.opIDs[k] = nid
			method, path, _ := strings.Cut(k, " ")
			mapSet(mapGet(mapGet(paths, path), strings.ToLower(method)), "operationId", strNode(nid))
			s.note(fmt.Sprintf("%s: operationId %s is also derived for %s; named %s (set it with -op)", k, id, ks[0], nid))
		}
	}
	return nil
}

// responses rewrites 2XX/4XX/5XX into an explicit success code plus default (rule 10).
func (s *slicer) responses(path, method string, o *yaml.Node, where string) error {
	rs := mapGet(o, "responses")
	if rs == nil || rs.Kind != yaml.MappingNode {
		return errorf(where, "operation has no responses")
	}
	out := newMap()
	var errResp *yaml.Node
	for i := 0; i+1 < len(rs.Content); i += 2 {
		code, r := rs.Content[i].Value, rs.Content[i+1]
		if r.Kind != yaml.MappingNode {
			return errorf(where+"/responses/"+code, "response is not a mapping")
		}
		switch {
		case code == "default" || code == "4XX" || code == "5XX":
			if errResp == nil || code == "default" {
				errResp = r
			}
		case code == "2XX":
			c := s.successCode(path, method, o, r)
			s.response(r, c, where+"/responses/"+code)
			mapSet(out, strconv.Itoa(c), r)
		default:
			c, _ := strconv.Atoi(code)
			if over, ok := s.opt.Statuses[method+" "+path]; ok && strings.HasPrefix(code, "2") {
				c, code = over, strconv.Itoa(over)
			}
			s.response(r, c, where+"/responses/"+code)
			mapSet(out, code, r)
		}
	}
	if errResp != nil {
		s.response(errResp, 0, where+"/responses/default")
		mapSet(out, "default", errResp)
	}
	sortMap(out, func(a, b string) bool {
		if a == "default" || b == "default" {
			return b == "default" && a != "default"
		}
		return a < b
	})
	mapSet(o, "responses", out)
	return nil
}

// successCode picks the documented code for a 2XX response.
func (s *slicer) successCode(path, method string, o, r *yaml.Node) int {
	if c, ok := s.opt.Statuses[method+" "+path]; ok {
		return c
	}
	hasBody := mapGet(r, "$ref") != nil || len(children(mapGet(r, "content"))) > 0
	switch {
	case method == "DELETE" || method == "PATCH" || !hasBody:
		return http.StatusNoContent
	case method == "POST" && !isBoundOperation(o):
		return http.StatusCreated
	default:
		return http.StatusOK
	}
}

// response normalises a response object (or reference) in place; code 0 leaves the description.
func (s *slicer) response(r *yaml.Node, code int, where string) {
	if code == http.StatusNoContent {
		mapDel(r, "$ref", "content")
	}
	if ref := mapGet(r, "$ref"); ref != nil {
		s.useRef(ref.Value, where)
		return
	}
	if code != 0 && (!s.opt.KeepDescriptions || mapGet(r, "description") == nil) {
		mapSet(r, "description", strNode(http.StatusText(code)))
	}
	mapDel(r, "links")
	s.content(r, where)
	mapDel(r, "headers") // Graph's documents declare none we use; headers would pull in more components
}

// rekeyOptions lets the keys of Options.OperationIDs and Options.Statuses name a path as
// Microsoft writes it (/users/microsoft.graph.delta()) or as it is written out (/users/delta()):
// the first is what Microsoft's file has, the second what a re-run on the output sees.
func (s *slicer) rekeyOptions(paths *yaml.Node) {
	renamed, known := map[string]string{}, map[string]bool{}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		if orig := paths.Content[i].Value; paths.Content[i+1].Kind == yaml.MappingNode {
			np := stripNamespace(orig, paths.Content[i+1])
			known[np] = true
			if np != orig {
				renamed[orig] = np
			}
		}
	}
	var keys []string
	for k := range s.opt.OperationIDs {
		keys = append(keys, k)
	}
	for k := range s.opt.Statuses {
		keys = append(keys, k)
	}
	for _, k := range keys {
		_, path, _ := strings.Cut(k, " ")
		if short := strings.ReplaceAll(path, "/microsoft.graph.", "/"); !known[path] && renamed[path] == "" && known[short] {
			renamed[path] = short
		}
	}
	s.opt.OperationIDs = rekey(s.opt.OperationIDs, renamed)
	s.opt.Statuses = rekey(s.opt.Statuses, renamed)
}

// rekey copies m with the path part of each "METHOD /path" key renamed by renamed.
func rekey[V any](m map[string]V, renamed map[string]string) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		method, path, _ := strings.Cut(k, " ")
		if np, ok := renamed[path]; ok {
			k = method + " " + np
		}
		out[k] = v
	}
	return out
}
