package graphtest

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// queryError is a query option or body Graph would refuse, with the code
// and message to answer, and the status (400 when zero).
type queryError struct {
	code, msg string
	status    int
}

func (e *queryError) Error() string { return e.code + ": " + e.msg }

func (e *queryError) httpStatus() int {
	if e.status == 0 {
		return 400
	}
	return e.status
}

func badFilter(format string, a ...any) *queryError {
	return &queryError{code: "BadRequest", msg: "Invalid filter clause: " + fmt.Sprintf(format, a...)}
}

func unsupportedProp(et *entityType, prop string) *queryError {
	return &queryError{code: "Request_UnsupportedQuery",
		msg: fmt.Sprintf("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", prop, et.resource())}
}

func unknownProp(et *entityType, prop string) *queryError {
	return &queryError{code: "BadRequest", msg: fmt.Sprintf("Could not find a property named '%s' on type '%s'.", prop, et.name)}
}

// hasPrefixFold reports whether s starts with prefix, ignoring case, without
// allocating.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// hasSuffixFold reports whether s ends with suffix, ignoring case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// parseDateTime parses an Edm.DateTimeOffset literal or value.
func parseDateTime(s string) *time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return &t
		}
	}
	return nil
}

// ---- $filter ----------------------------------------------------------------

// pred is a compiled $filter expression.
type pred func(props map[string]any, lambda any) bool

// filter is a parsed $filter.
type filter struct {
	eval pred
	// advanced names the first property used with an operator that needs
	// advanced query capabilities (ConsistencyLevel: eventual and
	// $count=true): ne, not, endswith, /$count. "" when none.
	advanced string
}

type token struct {
	kind byte // 'i' identifier, 's' string, 'n' number/date, 'p' punctuation
	text string
	pos  int
}

func lexFilter(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case guidAt(src, i):
			toks = append(toks, token{'s', src[i : i+36], i})
			i += 36
		case c == '(' || c == ')' || c == ',' || c == ':':
			toks = append(toks, token{'p', string(c), i})
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, badFilter("Unterminated string literal at position %d in '%s'.", i, src)
				}
				if src[j] == '\'' {
					if j+1 < len(src) && src[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(src[j])
				j++
			}
			toks = append(toks, token{'s', b.String(), i})
			i = j + 1
		case c >= '0' && c <= '9' || c == '-':
			j := i + 1
			for j < len(src) && strings.IndexByte("0123456789.:+-TZtz", src[j]) >= 0 {
				j++
			}
			toks = append(toks, token{'n', src[i:j], i})
			i = j
		case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(src) && (src[j] == '_' || src[j] == '/' || src[j] == '$' || src[j] == '.' ||
				src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			toks = append(toks, token{'i', src[i:j], i})
			i = j
		default:
			return nil, badFilter("Syntax error at position %d in '%s'.", i, src)
		}
	}
	return toks, nil
}

// lambdaElems lists the collections of complex values that any() may range
// over in a $filter, with the kinds of their elements' filterable
// properties (GUIDs are strings). Graph filters no other.
var lambdaElems = map[string]map[string]kind{
	"assignedLicenses": {"skuId": kString},
	"assignedPlans":    {"servicePlanId": kString, "capabilityStatus": kString, "service": kString},
	"provisionedPlans": {"capabilityStatus": kString, "provisioningStatus": kString, "service": kString},
	"identities":       {"issuer": kString, "issuerAssignedId": kString, "signInType": kString},
}

// guidAt reports whether an unquoted GUID literal (OData's Edm.Guid, e.g.
// 184efa21-98c3-4e5d-95ab-d07053a96e67) starts at src[i].
func guidAt(src string, i int) bool {
	if len(src)-i < 36 {
		return false
	}
	for j := range 36 {
		c := src[i+j]
		switch j {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	if k := i + 36; k < len(src) {
		c := src[k]
		return !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
	}
	return true
}

type filterParser struct {
	et       *entityType // the type whose properties the filter names
	src      string
	toks     []token
	i        int
	advanced string
	lambda   string // the lambda variable in scope, "" outside any()
	// lambdaOver is the collection any() ranges over; elems, for a
	// collection of complex values, the kinds of their filterable
	// properties (nil over strings).
	lambdaOver string
	elems      map[string]kind
	depth      int // nesting of not and parentheses, bounded by maxFilterDepth
}

// maxFilterDepth bounds nesting so a hostile $filter cannot exhaust the stack.
const maxFilterDepth = 64

// parseFilter compiles a $filter expression over the properties of et.
func parseFilter(et *entityType, src string) (*filter, error) {
	toks, err := lexFilter(src)
	if err != nil {
		return nil, err
	}
	p := &filterParser{et: et, src: src, toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, p.syntax()
	}
	return &filter{eval: e, advanced: p.advanced}, nil
}

func (p *filterParser) syntax() error {
	pos := len(p.src)
	if p.i < len(p.toks) {
		pos = p.toks[p.i].pos
	}
	return badFilter("Syntax error at position %d in '%s'.", pos, p.src)
}

func (p *filterParser) peekWord(w string) bool {
	return p.i < len(p.toks) && p.toks[p.i].kind == 'i' && strings.EqualFold(p.toks[p.i].text, w)
}

func (p *filterParser) punct(s string) bool {
	if p.i < len(p.toks) && p.toks[p.i].kind == 'p' && p.toks[p.i].text == s {
		p.i++
		return true
	}
	return false
}

func (p *filterParser) markAdvanced(prop string) {
	if p.advanced == "" {
		p.advanced = prop
	}
}

func (p *filterParser) or() (pred, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peekWord("or") {
		p.i++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(u map[string]any, x any) bool { return a(u, x) || b(u, x) }
	}
	return l, nil
}

func (p *filterParser) and() (pred, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peekWord("and") {
		p.i++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(u map[string]any, x any) bool { return a(u, x) && b(u, x) }
	}
	return l, nil
}

func (p *filterParser) unary() (pred, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFilterDepth {
		return nil, badFilter("The query exceeds the maximum nesting depth of %d.", maxFilterDepth)
	}
	if p.peekWord("not") {
		p.i++
		p.markAdvanced("not")
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(u map[string]any, x any) bool { return !e(u, x) }, nil
	}
	if p.punct("(") {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.punct(")") {
			return nil, p.syntax()
		}
		return e, nil
	}
	return p.primary()
}

// operand is a property reference or the lambda variable.
type operand struct {
	prop   string // canonical property name; "" for the lambda variable
	count  bool   // prop/$count
	kind   kind
	lambda bool
	field  string // with lambda over a complex collection: the element's property
}

func (o operand) get(u map[string]any, x any) any {
	if o.lambda {
		if o.field != "" {
			m, _ := x.(map[string]any)
			return m[o.field]
		}
		return x
	}
	v := u[o.prop]
	if o.count {
		arr, _ := v.([]any)
		return float64(len(arr))
	}
	return v
}

// operand parses a property path, the lambda variable, or prop/$count.
func (p *filterParser) operand() (operand, error) {
	if p.i >= len(p.toks) || p.toks[p.i].kind != 'i' {
		return operand{}, p.syntax()
	}
	name := p.toks[p.i].text
	p.i++
	if p.lambda != "" && name == p.lambda {
		if p.elems != nil {
			return operand{}, unsupportedProp(p.et, p.lambdaOver)
		}
		return operand{lambda: true, kind: kString}, nil
	}
	if v, field, ok := strings.Cut(name, "/"); ok && p.lambda != "" && v == p.lambda && p.elems != nil {
		for f, k := range p.elems {
			if strings.EqualFold(f, field) {
				return operand{lambda: true, field: f, kind: k}, nil
			}
		}
		return operand{}, &queryError{code: "BadRequest", msg: fmt.Sprintf("Could not find a property named '%s' on the elements of '%s'.", field, p.lambdaOver)}
	}
	count := false
	if base, ok := strings.CutSuffix(name, "/$count"); ok {
		name, count = base, true
	}
	c, ok := p.et.canonical(name)
	if !ok {
		return operand{}, unknownProp(p.et, name)
	}
	k := p.et.props[c]
	if count {
		if k != kStrings && k != kComplexes {
			return operand{}, unsupportedProp(p.et, c)
		}
		p.markAdvanced(c)
		return operand{prop: c, count: true, kind: kInt}, nil
	}
	if k == kComplex || k == kComplexes || k == kStrings {
		return operand{}, unsupportedProp(p.et, c)
	}
	return operand{prop: c, kind: k}, nil
}

// literal parses a literal for comparison with a property of kind k.
func (p *filterParser) literal(k kind) (any, error) {
	if p.i >= len(p.toks) {
		return nil, p.syntax()
	}
	t := p.toks[p.i]
	p.i++
	switch {
	case t.kind == 'i' && strings.EqualFold(t.text, "null"):
		return nil, nil
	case t.kind == 'i' && (t.text == "true" || t.text == "false"):
		if k != kBool {
			return nil, badFilter("A binary operator with incompatible types was detected at position %d.", t.pos)
		}
		return t.text == "true", nil
	case t.kind == 's':
		if k != kString {
			return nil, badFilter("A binary operator with incompatible types was detected at position %d.", t.pos)
		}
		return strings.ToLower(t.text), nil
	case t.kind == 'n' && k == kInt:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.syntax()
		}
		return f, nil
	case t.kind == 'n' && k == kDateTime:
		tm := parseDateTime(t.text)
		if tm == nil {
			return nil, badFilter("Invalid date literal '%s' at position %d.", t.text, t.pos)
		}
		return *tm, nil
	}
	return nil, badFilter("A binary operator with incompatible types was detected at position %d.", t.pos)
}

// compare evaluates v op lit for a property of kind k. lit was produced by
// literal (strings lower-cased).
func compare(k kind, v any, op string, lit any) bool {
	if lit == nil || v == nil {
		eq := lit == nil && v == nil
		switch op {
		case "eq":
			return eq
		case "ne":
			return !eq
		}
		return false
	}
	var c int
	switch k {
	case kString:
		s, ok := v.(string)
		if !ok {
			return op == "ne"
		}
		if op == "eq" || op == "ne" {
			// The common case, without allocating.
			return strings.EqualFold(s, lit.(string)) == (op == "eq")
		}
		c = strings.Compare(strings.ToLower(s), lit.(string))
	case kBool:
		b, ok := v.(bool)
		if !ok {
			return op == "ne"
		}
		if b == lit.(bool) {
			c = 0
		} else {
			c = 1
		}
		if op != "eq" && op != "ne" {
			return false
		}
	case kInt:
		f, ok := v.(float64)
		if !ok {
			return op == "ne"
		}
		c = cmp.Compare(f, lit.(float64))
	case kDateTime:
		s, ok := v.(string)
		tm := parseDateTime(s)
		if !ok || tm == nil {
			return op == "ne"
		}
		c = tm.Compare(lit.(time.Time))
	}
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

func (p *filterParser) primary() (pred, error) {
	if p.i >= len(p.toks) || p.toks[p.i].kind != 'i' {
		return nil, p.syntax()
	}
	name := p.toks[p.i].text
	// Functions: startswith(a, 'b'), endswith(a, 'b').
	if fn := strings.ToLower(name); (fn == "startswith" || fn == "endswith") && p.i+1 < len(p.toks) && p.toks[p.i+1].text == "(" {
		p.i += 2
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		if o.kind != kString {
			return nil, unsupportedProp(p.et, o.prop)
		}
		if !p.punct(",") || p.i >= len(p.toks) || p.toks[p.i].kind != 's' {
			return nil, p.syntax()
		}
		lit := strings.ToLower(p.toks[p.i].text)
		p.i++
		if !p.punct(")") {
			return nil, p.syntax()
		}
		match := hasPrefixFold
		if fn == "endswith" {
			match = hasSuffixFold
			p.markAdvanced(o.prop)
		}
		return func(u map[string]any, x any) bool {
			s, ok := o.get(u, x).(string)
			return ok && match(s, lit)
		}, nil
	}
	// Lambda: coll/any(v: expr over v).
	if base, ok := strings.CutSuffix(name, "/any"); ok && p.lambda == "" {
		p.i++
		c, ok := p.et.canonical(base)
		if !ok {
			return nil, unknownProp(p.et, base)
		}
		var elems map[string]kind
		switch p.et.props[c] {
		case kStrings:
		case kComplexes:
			if elems = lambdaElems[c]; elems == nil {
				return nil, unsupportedProp(p.et, c)
			}
		default:
			return nil, unsupportedProp(p.et, c)
		}
		if !p.punct("(") || p.i >= len(p.toks) || p.toks[p.i].kind != 'i' {
			return nil, p.syntax()
		}
		p.lambda, p.lambdaOver, p.elems = p.toks[p.i].text, c, elems
		defer func() { p.lambdaOver, p.elems = "", nil }()
		p.i++
		if !p.punct(":") {
			return nil, p.syntax()
		}
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		p.lambda = ""
		if !p.punct(")") {
			return nil, p.syntax()
		}
		return func(u map[string]any, _ any) bool {
			arr, _ := u[c].([]any)
			for _, e := range arr {
				if inner(u, e) {
					return true
				}
			}
			return false
		}, nil
	}
	o, err := p.operand()
	if err != nil {
		return nil, err
	}
	if p.i >= len(p.toks) || p.toks[p.i].kind != 'i' {
		return nil, p.syntax()
	}
	op := strings.ToLower(p.toks[p.i].text)
	p.i++
	switch op {
	case "eq", "ne", "ge", "le", "gt", "lt":
		if op == "ne" {
			p.markAdvanced(o.prop)
		}
		if o.prop == "id" && op != "eq" && op != "ne" {
			return nil, unsupportedProp(p.et, "id") // ids compare for equality only
		}
		lit, err := p.literal(o.kind)
		if err != nil {
			return nil, err
		}
		k := o.kind
		return func(u map[string]any, x any) bool { return compare(k, o.get(u, x), op, lit) }, nil
	case "in":
		if !p.punct("(") {
			return nil, p.syntax()
		}
		var lits []any
		for {
			lit, err := p.literal(o.kind)
			if err != nil {
				return nil, err
			}
			lits = append(lits, lit)
			if p.punct(")") {
				break
			}
			if !p.punct(",") {
				return nil, p.syntax()
			}
		}
		k := o.kind
		return func(u map[string]any, x any) bool {
			v := o.get(u, x)
			for _, lit := range lits {
				if compare(k, v, "eq", lit) {
					return true
				}
			}
			return false
		}, nil
	}
	p.i--
	return nil, p.syntax()
}

// ---- $search ---------------------------------------------------------------

// search is a parsed $search: clauses "prop:term" joined by AND / OR
// (AND binds tighter). A term matches a value when the value, or any word
// of it, starts with the term, case-insensitively: Graph's tokenised search.
type search struct {
	// any holds alternatives; each is a list of clauses that must all match.
	any [][]searchClause
}

type searchClause struct{ prop, term string }

func parseSearch(et *entityType, src string) (*search, error) {
	bad := &queryError{code: "Request_UnsupportedQuery",
		msg: "Syntax error: the $search value must be one or more quoted \"property:term\" clauses joined by AND or OR."}
	s := &search{any: [][]searchClause{nil}}
	rest := strings.TrimSpace(src)
	for first := true; ; first = false {
		if !first {
			var op string
			op, rest, _ = strings.Cut(rest, " ")
			rest = strings.TrimSpace(rest)
			switch strings.ToUpper(op) {
			case "AND":
			case "OR":
				s.any = append(s.any, nil)
			default:
				return nil, bad
			}
		}
		if !strings.HasPrefix(rest, `"`) {
			return nil, bad
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, bad
		}
		clause := rest[1 : 1+end]
		rest = strings.TrimSpace(rest[2+end:])
		prop, term, ok := strings.Cut(clause, ":")
		if !ok {
			return nil, bad
		}
		c, known := et.canonical(strings.TrimSpace(prop))
		if !known {
			return nil, unknownProp(et, prop)
		}
		if et.props[c] != kString && et.props[c] != kStrings {
			return nil, &queryError{code: "Request_UnsupportedQuery", msg: fmt.Sprintf("The property '%s' does not support search.", c)}
		}
		last := len(s.any) - 1
		s.any[last] = append(s.any[last], searchClause{c, strings.ToLower(strings.TrimSpace(term))})
		if rest == "" {
			return s, nil
		}
	}
}

func (s *search) match(u map[string]any) bool {
	for _, all := range s.any {
		ok := true
		for _, c := range all {
			if !searchValue(u[c.prop], c.term) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func searchValue(v any, term string) bool {
	switch v := v.(type) {
	case string:
		l := strings.ToLower(v)
		if strings.HasPrefix(l, term) {
			return true
		}
		for _, w := range strings.FieldsFunc(l, func(r rune) bool { return strings.ContainsRune(" ._-@#", r) }) {
			if strings.HasPrefix(w, term) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if searchValue(e, term) {
				return true
			}
		}
	}
	return false
}

// ---- $select and $orderby ---------------------------------------------------

// parseSelect returns the canonical property names of a $select over et, or
// nil for none.
func parseSelect(et *entityType, src string) ([]string, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(src, ",") {
		f = strings.TrimSpace(f)
		c, ok := et.canonical(f)
		if !ok {
			return nil, unknownProp(et, f)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

type orderBy struct {
	prop string
	desc bool
}

// parseOrderBy parses a $orderby of one or more "prop [asc|desc]" items.
func parseOrderBy(et *entityType, src string) ([]orderBy, error) {
	var out []orderBy
	for _, item := range strings.Split(src, ",") {
		f := strings.Fields(item)
		if len(f) == 0 || len(f) > 2 {
			return nil, &queryError{code: "BadRequest", msg: fmt.Sprintf("Invalid $orderby clause '%s'.", src)}
		}
		c, ok := et.canonical(f[0])
		if !ok {
			return nil, unknownProp(et, f[0])
		}
		if k := et.props[c]; k != kString && k != kDateTime && k != kBool && k != kInt {
			return nil, &queryError{code: "Request_UnsupportedQuery", msg: "Sorting not supported for current query."}
		}
		o := orderBy{prop: c}
		if len(f) == 2 {
			switch strings.ToLower(f[1]) {
			case "asc":
			case "desc":
				o.desc = true
			default:
				return nil, &queryError{code: "BadRequest", msg: fmt.Sprintf("Invalid $orderby clause '%s'.", src)}
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// sortCompare compares two values of a property for $orderby; null sorts first.
func sortCompare(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch av := a.(type) {
	case string:
		bv, _ := b.(string)
		return strings.Compare(strings.ToLower(av), strings.ToLower(bv))
	case float64:
		bv, _ := b.(float64)
		switch {
		case av < bv:
			return -1
		case av > bv:
			return 1
		}
	case bool:
		bv, _ := b.(bool)
		switch {
		case !av && bv:
			return -1
		case av && !bv:
			return 1
		}
	}
	return 0
}
