package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// wantJSON decides the output format: --json or --json=false when given, else JSON unless stdout is a
// terminal.
func (c *cli) wantJSON(f optBool) bool {
	if f.set {
		return f.val
	}
	return !c.isTerminal(c.stdout)
}

// defaultColumns are the columns of graph users list without --select.
var defaultColumns = []string{"id", "displayName", "userPrincipalName", "jobTitle"}

// leadingProps come first when a single record is printed as a property list; the rest follow in the
// order of the typed model (alphabetical).
var leadingProps = []string{"id", "displayName", "userPrincipalName"}

// listPrinter prints objects one per line: as JSON objects, streamed, or as the rows of an aligned table,
// written when flush is called (a table cannot be aligned before its last row is known).
type listPrinter struct {
	json bool
	w    io.Writer
	enc  *json.Encoder // JSON mode
	tab  table         // table mode
	cols []string
	// width is what the table must fit, 0 for no limit; set before flush.
	width int
}

// newListPrinter returns a printer writing to w. cols are the table's columns (property names).
func newListPrinter(w io.Writer, asJSON bool, cols []string) *listPrinter {
	p := &listPrinter{json: asJSON, w: w, cols: cols}
	if asJSON {
		p.enc = newEncoder(w)
		return p
	}
	header := make([]string, len(cols))
	for i, col := range cols {
		header[i] = sanitize(col)
	}
	p.tab.add(header...)
	return p
}

// item prints one object (a *graph.User, *graph.Group, ...).
func (p *listPrinter) item(v any) error {
	if p.json {
		return p.enc.Encode(v)
	}
	props, err := propsOf(v)
	if err != nil {
		return err
	}
	cells := make([]string, len(p.cols))
	for i, col := range p.cols {
		cells[i] = cell(lookupProp(props, col))
	}
	p.tab.add(cells...)
	return nil
}

// flush writes the table, once. It does nothing in JSON mode, which is not buffered.
func (p *listPrinter) flush() error {
	if p.json {
		return nil
	}
	t := p.tab
	p.tab = table{}
	return t.write(p.w, p.width)
}

// printRecord prints one object: as one JSON line, or as an aligned "property value" list fitting
// width (0: no limit). props, when not empty, are the properties to show in that order (from
// --select); otherwise every property the object carries is shown, leadingProps first.
func printRecord(w io.Writer, asJSON bool, v any, props []string, width int) error {
	if asJSON {
		return newEncoder(w).Encode(v)
	}
	m, err := propsOf(v)
	if err != nil {
		return err
	}
	keys := props
	if len(keys) == 0 {
		keys = recordKeys(v, m)
	}
	var t table
	for _, k := range keys {
		t.add(sanitize(k), cell(lookupProp(m, k)))
	}
	return t.write(w, width)
}

// recordKeys orders the keys of m: leadingProps, then the rest in v's JSON field order.
func recordKeys(v any, m map[string]any) []string {
	order, err := fieldOrder(v)
	if err != nil {
		order = nil
	}
	keys := make([]string, 0, len(m))
	for _, k := range leadingProps {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	for _, k := range order {
		if _, ok := m[k]; ok && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	var extra []string
	for k := range m {
		if !slices.Contains(keys, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return append(keys, extra...)
}

// fieldOrder returns the top-level keys of v's JSON encoding in the order they are written.
func fieldOrder(v any) ([]string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// newEncoder returns a JSON encoder that writes one value per line and leaves <, > and & alone: the
// output is for terminals and pipes, not for embedding in HTML.
func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// propsOf turns a typed value into its JSON properties, numbers kept as written.
func propsOf(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// lookupProp finds a property by name, ignoring case as Graph does in $select.
func lookupProp(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// cell renders a property value for a table cell: strings as they are, null as nothing, a list of
// strings comma-separated, anything else as compact JSON. Control characters are replaced, so a
// property value can neither break the table nor send escape sequences to the terminal.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return sanitize(v)
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return compactJSON(v)
			}
			parts = append(parts, sanitize(s))
		}
		return strings.Join(parts, ", ")
	}
	return compactJSON(v)
}

// compactJSON renders v as one line of JSON, sanitized for a table cell.
func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := newEncoder(&buf)
	if err := enc.Encode(v); err != nil {
		return "?"
	}
	return sanitize(strings.TrimSuffix(buf.String(), "\n"))
}

// sanitize replaces control characters (tabs and line breaks included) with U+FFFD: text from Graph or
// from a server's error message reaches a terminal only as printable characters.
func sanitize(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// isControl reports C0 and C1 control characters and DEL.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// progress shows a live count of fetched items on a terminal, overwriting one line of stderr. The zero
// value (or one with on false) shows nothing.
type progress struct {
	w     io.Writer
	noun  string // what is counted, in the plural: "users"
	on    bool
	total int // -1 when unknown
	n     int
	shown bool
}

// progressEvery is how many items pass between updates of the count: about one per page of Graph's
// default size, so the terminal is not flooded.
const progressEvery = 100

// add counts one item and updates the line every progressEvery items.
func (p *progress) add() {
	p.n++
	if !p.on || p.n%progressEvery != 0 {
		return
	}
	p.shown = true
	if p.total >= 0 {
		fmt.Fprintf(p.w, "\r%d of %s", p.n, counted(p.total, p.noun))
	} else {
		fmt.Fprintf(p.w, "\r%s", counted(p.n, p.noun))
	}
}

// done erases the count line.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// counted says "1 user" or "3 users": n and noun (given in the plural) in the right number.
func counted(n int, plural string) string {
	if n == 1 {
		return "1 " + singular(plural)
	}
	return strconv.Itoa(n) + " " + plural
}

// matching says "1 user matches" or "3 users match".
func matching(n int, plural string) string {
	if n == 1 {
		return counted(n, plural) + " matches"
	}
	return counted(n, plural) + " match"
}

// singular turns the plural of the nouns graph lists (users, groups, members) into the singular.
func singular(plural string) string {
	return strings.TrimSuffix(plural, "s")
}

// plural picks the word for n things: plural(1, "is", "are").
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
