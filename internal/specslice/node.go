package specslice

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Helpers over yaml.Node. A mapping node keeps its entries as key, value pairs in Content; every
// helper here keeps the order of the entries it does not touch, which is what makes output stable.

func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapIndex returns m's entries by key (the first of a repeated key, as mapGet finds it), for lookups
// in large mappings: one mapGet costs a scan of the mapping, and a scan per component of a document
// with thousands of them is quadratic.
func mapIndex(m *yaml.Node) map[string]*yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	idx := make(map[string]*yaml.Node, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if _, dup := idx[m.Content[i].Value]; !dup {
			idx[m.Content[i].Value] = m.Content[i+1]
		}
	}
	return idx
}

// mapSet replaces the value of key in place, or appends the entry.
func mapSet(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, strNode(key), v)
}

// mapInsertAfter inserts key after the entry named after, or first when after is absent.
func mapInsertAfter(m *yaml.Node, after, key string, v *yaml.Node) {
	at := 0
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == after {
			at = i + 2
		}
	}
	m.Content = append(m.Content[:at], append([]*yaml.Node{strNode(key), v}, m.Content[at:]...)...)
}

func mapDel(m *yaml.Node, keys ...string) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	out := m.Content[:0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		drop := false
		for _, k := range keys {
			if m.Content[i].Value == k {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, m.Content[i], m.Content[i+1])
		}
	}
	m.Content = out
}

func mapKeys(m *yaml.Node) []string {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		keys = append(keys, m.Content[i].Value)
	}
	return keys
}

// sortMap orders the entries of m by key with less.
func sortMap(m *yaml.Node, less func(a, b string) bool) {
	type kv struct{ k, v *yaml.Node }
	pairs := make([]kv, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, kv{m.Content[i], m.Content[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return less(pairs[i].k.Value, pairs[j].k.Value) })
	m.Content = m.Content[:0]
	for _, p := range pairs {
		m.Content = append(m.Content, p.k, p.v)
	}
}

func newMap(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		var v *yaml.Node
		switch x := kv[i+1].(type) {
		case *yaml.Node:
			v = x
		case string:
			v = strNode(x)
		case bool:
			v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(x)}
		case int:
			v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(x)}
		default:
			panic(fmt.Sprintf("specslice: newMap: unsupported %T", x)) // programming error, never input
		}
		m.Content = append(m.Content, strNode(kv[i].(string)), v)
	}
	return m
}

func newSeq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func refNode(kind, name string) *yaml.Node {
	return newMap("$ref", refString(kind, name))
}

func refString(kind, name string) string {
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
	return "#/components/" + kind + "/" + name
}

// parseRef splits a local component reference; ok is false for anything else.
func parseRef(ref string) (kind, name string, ok bool) {
	rest, found := strings.CutPrefix(ref, "#/components/")
	if !found {
		return "", "", false
	}
	kind, name, found = strings.Cut(rest, "/")
	if !found || kind == "" || name == "" || strings.Contains(name, "/") {
		return "", "", false
	}
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return kind, name, true
}

func isTrue(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.Value == "true"
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func clone(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	if n.Content != nil {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, x := range n.Content {
			c.Content[i] = clone(x)
		}
	}
	return &c
}

// restyle gives every node of a generated document the same, minimal style: block collections,
// plain scalars, and single quotes only where a plain scalar would read as something else.
func restyle(n *yaml.Node) {
	n.Style = 0
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && needsQuotes(n.Value) {
		n.Style = yaml.SingleQuotedStyle
	}
	for _, c := range n.Content {
		restyle(c)
	}
}

// needsQuotes reports whether s, written plain, would not read back as the same string.
func needsQuotes(s string) bool {
	if strings.ContainsAny(s, "\n\t") || !isPrintable(s) {
		return false // the encoder picks a block or double-quoted style itself
	}
	b, err := yaml.Marshal(s)
	if err != nil {
		return true
	}
	return len(b) > 0 && (b[0] == '"' || b[0] == '\'')
}

func isPrintable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return false
		}
	}
	return true
}

// encode writes n as YAML with two-space indentation and sequences flush with their key, the
// layout of api/graph.yaml.
func encode(n *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// hasAlias reports whether the tree uses YAML anchors and aliases. Microsoft's documents never do;
// refusing them keeps every walk over the tree finite.
func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}

// deeperThan reports whether the tree nests more than limit levels below n. Every walk over a
// document (and the output's indentation, two spaces a level) grows with its depth, so Slice and Merge
// refuse documents deeper than any real description is.
func deeperThan(n *yaml.Node, limit int) bool {
	if limit < 0 {
		return true
	}
	for _, c := range n.Content {
		if deeperThan(c, limit-1) {
			return true
		}
	}
	return false
}

// children returns n's Content, or nil for a nil node.
func children(n *yaml.Node) []*yaml.Node {
	if n == nil {
		return nil
	}
	return n.Content
}
