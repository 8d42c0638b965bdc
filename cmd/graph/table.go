package main

import (
	"io"
	"strings"
	"unicode/utf8"
)

// A table of aligned columns that fits a width: the widest columns are narrowed first and long cells
// cut with "…", so that a row never wraps on the terminal. Widths count runes, which is right for
// the scripts Graph's directory data is mostly written in; a wide (CJK) character counts one.

// columnGap is the space between columns.
const columnGap = 2

// minColumn is the narrowest a column is cut to, however narrow the terminal: three characters and
// the ellipsis still say something.
const minColumn = 4

// table collects rows and writes them aligned.
type table struct {
	rows [][]string
}

// add appends a row. Cells must be sanitized (no control characters).
func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write writes the rows aligned in columns, fitting width when width > 0. The last column is not
// padded, so lines carry no trailing spaces.
func (t *table) write(w io.Writer, width int) error {
	n := 0
	for _, r := range t.rows {
		n = max(n, len(r))
	}
	if n == 0 {
		return nil
	}
	widths := make([]int, n)
	for _, r := range t.rows {
		for i, cell := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	if width > 0 {
		widths = fitColumns(widths, width)
	}
	var b strings.Builder
	for _, r := range t.rows {
		b.Reset()
		for i, cell := range r {
			cell = cut(cell, widths[i])
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)+columnGap))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// fitColumns narrows the columns of a table to fit width, gaps included. The first column holds what
// identifies a row (an id to copy into the next command), so it is kept whole as long as the others
// can still be shown at minColumn; otherwise every column is narrowed alike.
func fitColumns(widths []int, width int) []int {
	avail := width - columnGap*(len(widths)-1)
	if len(widths) > 1 && avail-widths[0] >= minColumn*(len(widths)-1) {
		rest := fitWidths(widths[1:], avail-widths[0])
		return append([]int{widths[0]}, rest...)
	}
	return fitWidths(widths, avail)
}

// fitWidths narrows column widths so that they sum to at most avail: every column wider than a common
// limit is cut to it, the limit being the largest that fits, and the space left over goes to the cut
// columns from the left. Columns are never cut below minColumn (nor widened).
func fitWidths(widths []int, avail int) []int {
	total := 0
	for _, w := range widths {
		total += w
	}
	if total <= avail {
		return widths
	}
	sum := func(limit int) int {
		s := 0
		for _, w := range widths {
			s += min(w, max(limit, minColumn))
		}
		return s
	}
	limit := minColumn
	for hi := maxOf(widths...); limit < hi; {
		mid := (limit + hi + 1) / 2
		if sum(mid) <= avail {
			limit = mid
		} else {
			hi = mid - 1
		}
	}
	out := make([]int, len(widths))
	spare := avail - sum(limit)
	for i, w := range widths {
		out[i] = min(w, limit)
		if w > limit && spare > 0 && out[i] >= minColumn {
			out[i]++
			spare--
		}
	}
	return out
}

// maxOf returns the largest of widths; 0 for none.
func maxOf(widths ...int) int {
	m := 0
	for _, w := range widths {
		m = max(m, w)
	}
	return m
}

// cut shortens s to width runes, ending it with "…" when anything was cut.
func cut(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	if width <= 1 {
		return "…"
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}
