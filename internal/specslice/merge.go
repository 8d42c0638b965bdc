package specslice

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Conflict is an entry that both the existing spec and the slice define, differently. Merge keeps
// the existing entry; the conflict says where to look.
type Conflict struct {
	// Where locates the entry: "paths /users get", "components schemas microsoft.graph.user".
	Where string
	// Reason says what differs.
	Reason string
}

// String formats the conflict as "WHERE: REASON".
func (c Conflict) String() string { return c.Where + ": " + c.Reason }

// Merge adds the paths, operations and components of slice (a document as Slice writes it) that
// existing lacks, and returns the new text of existing. Existing text is not rewritten: its
// comments, order and layout stay byte for byte, and new entries go at the end of the mapping they
// belong to, sorted among themselves. An entry both define is kept as existing has it; when the two
// differ (descriptions, summaries and examples aside) a Conflict reports it. An added operation
// whose operationId existing already uses elsewhere is left out and reported, since the generator
// would reject the pair. Merging the same slice twice changes nothing the second time.
func Merge(existing, slice []byte) ([]byte, []Conflict, error) {
	exRoot, err := parseDoc(existing, "existing")
	if err != nil {
		return nil, nil, err
	}
	newRoot, err := parseDoc(slice, "slice")
	if err != nil {
		return nil, nil, err
	}
	m := &merger{lines: strings.SplitAfter(string(existing), "\n"), opIDs: map[string]string{}}
	if n := len(m.lines); n > 0 && m.lines[n-1] == "" {
		m.lines = m.lines[:n-1]
	}
	m.collectOperationIDs(exRoot)

	var top []*yaml.Node
	for _, key := range []string{"paths", "components"} {
		nv := mapGet(newRoot, key)
		if nv == nil {
			continue
		}
		ev := mapGet(exRoot, key)
		if ev == nil {
			top = append(top, strNode(key), m.filterOps(key, nv))
			continue
		}
		var err error
		if key == "paths" {
			err = m.mergePaths(ev, nv)
		} else {
			err = m.mergeLevel(ev, nv, "components", 2)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if len(top) > 0 {
		if err := m.insert(exRoot, top); err != nil {
			return nil, nil, err
		}
	}
	out, err := m.apply()
	if err != nil {
		return nil, nil, err
	}
	if _, err := parseDoc(out, "merged output"); err != nil {
		return nil, nil, err // a bug here, never bad input: the inserted text did not fit
	}
	return out, m.conflicts, nil
}

// merger holds the state of one Merge call; it is not shared between goroutines.
type merger struct {
	lines     []string          // existing text, each line with its newline
	inserts   []insertion       // text to add, applied bottom-up
	conflicts []Conflict        // in the order found, which is sorted
	opIDs     map[string]string // operationId -> "METHOD path", existing and added
}

type insertion struct {
	after  int // 0-based line the text goes after
	indent int
	text   string
}

func (m *merger) collectOperationIDs(root *yaml.Node) {
	paths := mapGet(root, "paths")
	for i := 0; i+1 < len(children(paths)); i += 2 {
		for _, meth := range methodOrder {
			if id := scalar(mapGet(mapGet(paths.Content[i+1], meth), "operationId")); id != "" {
				m.opIDs[id] = strings.ToUpper(meth) + " " + paths.Content[i].Value
			}
		}
	}
}

// opAllowed reports whether an operation can be added without a duplicate operationId.
func (m *merger) opAllowed(path, meth string, op *yaml.Node) bool {
	id := scalar(mapGet(op, "operationId"))
	if id == "" {
		return true
	}
	here := strings.ToUpper(meth) + " " + path
	if other, used := m.opIDs[id]; used && other != here {
		m.conflicts = append(m.conflicts, Conflict{Where: "paths " + path + " " + meth,
			Reason: fmt.Sprintf("operationId %s is already used by %s; operation not added (rename it with -op)", id, other)})
		return false
	}
	m.opIDs[id] = here
	return true
}

// filterOps drops, from a whole paths mapping about to be added, operations whose operationId
// is taken. Other mappings are returned as they are.
func (m *merger) filterOps(key string, n *yaml.Node) *yaml.Node {
	if key != "paths" {
		return n
	}
	out := newMap()
	for i := 0; i+1 < len(n.Content); i += 2 {
		if item := m.filterItem(n.Content[i].Value, n.Content[i+1]); item != nil {
			out.Content = append(out.Content, n.Content[i], item)
		}
	}
	return out
}

// filterItem returns the path item without operations that cannot be added; nil if none is left.
func (m *merger) filterItem(path string, item *yaml.Node) *yaml.Node {
	out := newMap()
	ops := 0
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i].Value, item.Content[i+1]
		if httpMethods[k] {
			if !m.opAllowed(path, k, v) {
				continue
			}
			ops++
		}
		out.Content = append(out.Content, item.Content[i], v)
	}
	if ops == 0 {
		return nil
	}
	return out
}

func (m *merger) mergePaths(ex, nw *yaml.Node) error {
	var add []*yaml.Node
	exIdx := mapIndex(ex) // not mapGet per path: quadratic for large specs
	for i := 0; i+1 < len(nw.Content); i += 2 {
		path, item := nw.Content[i].Value, nw.Content[i+1]
		exItem := exIdx[path]
		if exItem == nil {
			if f := m.filterItem(path, item); f != nil {
				add = append(add, nw.Content[i], f)
			}
			continue
		}
		var addOps []*yaml.Node
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j].Value, item.Content[j+1]
			if e := mapGet(exItem, k); e != nil {
				m.compare("paths "+path+" "+k, e, v)
				continue
			}
			if httpMethods[k] && !m.opAllowed(path, k, v) {
				continue
			}
			addOps = append(addOps, item.Content[j], v)
		}
		if len(addOps) > 0 {
			if err := m.insert(exItem, addOps); err != nil {
				return err
			}
		}
	}
	if len(add) > 0 {
		return m.insert(ex, add)
	}
	return nil
}

// mergeLevel merges mapping nw into ex: depth 2 goes one level down (components -> kind), depth 1
// adds or compares entries.
func (m *merger) mergeLevel(ex, nw *yaml.Node, where string, depth int) error {
	var add []*yaml.Node
	exIdx := mapIndex(ex) // not mapGet per entry: quadratic for large specs
	for i := 0; i+1 < len(nw.Content); i += 2 {
		k, v := nw.Content[i].Value, nw.Content[i+1]
		e := exIdx[k]
		switch {
		case e == nil:
			add = append(add, nw.Content[i], v)
		case depth > 1:
			if err := m.mergeLevel(e, v, where+" "+k, depth-1); err != nil {
				return err
			}
		default:
			m.compare(where+" "+k, e, v)
		}
	}
	if len(add) > 0 {
		return m.insert(ex, add)
	}
	return nil
}

// compare records a conflict when two entries differ in more than their prose.
func (m *merger) compare(where string, ex, nw *yaml.Node) {
	var a, b any
	if ex.Decode(&a) != nil || nw.Decode(&b) != nil {
		return
	}
	if !reflect.DeepEqual(stripProse(a), stripProse(b)) {
		m.conflicts = append(m.conflicts, Conflict{Where: where, Reason: "existing entry kept; the slice's differs"})
	}
}

// stripProse removes descriptions, summaries and examples, which are ours in the spec (rule 16).
func stripProse(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			switch k {
			case "description", "summary", "example", "examples":
				continue
			}
			out[k] = stripProse(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stripProse(e)
		}
		return out
	}
	return v
}

// insert queues entries (key, value pairs) to be written at the end of mapping ex.
func (m *merger) insert(ex *yaml.Node, entries []*yaml.Node) error {
	if ex.Kind != yaml.MappingNode || ex.Style&yaml.FlowStyle != 0 || len(ex.Content) == 0 {
		return errorf("existing", "line %d: cannot add to a flow-style or empty mapping", ex.Line)
	}
	col := ex.Content[0].Column - 1
	last := ex.Content[0].Line - 1
	for i := last + 1; i < len(m.lines); i++ {
		t := strings.TrimSpace(m.lines[i])
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if len(m.lines[i])-len(strings.TrimLeft(m.lines[i], " ")) < col {
			break
		}
		last = i
	}
	block := newMap()
	block.Content = entries
	b, err := encode(block)
	if err != nil {
		return errorf("existing", "%v", err)
	}
	pad := strings.Repeat(" ", col)
	var sb strings.Builder
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if strings.TrimSpace(line) != "" {
			sb.WriteString(pad)
		}
		sb.WriteString(line)
	}
	m.inserts = append(m.inserts, insertion{after: last, indent: col, text: sb.String()})
	return nil
}

// apply writes the queued insertions into the existing text. Several at one line go deepest first,
// so an operation added to the last path comes before a path added after it.
func (m *merger) apply() ([]byte, error) {
	sort.SliceStable(m.inserts, func(i, j int) bool {
		if m.inserts[i].after != m.inserts[j].after {
			return m.inserts[i].after < m.inserts[j].after
		}
		return m.inserts[i].indent > m.inserts[j].indent
	})
	var sb strings.Builder
	k := 0
	for i, line := range m.lines {
		sb.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			sb.WriteString("\n")
		}
		for ; k < len(m.inserts) && m.inserts[k].after == i; k++ {
			sb.WriteString(m.inserts[k].text)
		}
	}
	if k != len(m.inserts) {
		return nil, errorf("existing", "internal error: %d insertions past the end", len(m.inserts)-k)
	}
	return []byte(sb.String()), nil
}
