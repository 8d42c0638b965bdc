package main

import (
	"io"
	"strconv"
	"strings"
)

// defaultTerminalWidth is the width assumed for a terminal whose size cannot be read.
const defaultTerminalWidth = 80

// terminalColumns returns the width tables written to w must fit: $COLUMNS when set (as less, ls and
// git honour it), else the terminal's width when w is one (80 if it cannot be read), else 0: no
// limit for a table piped to a file or another program.
func terminalColumns(w io.Writer, env func(string) string, terminal bool) int {
	if n, err := strconv.Atoi(strings.TrimSpace(env("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if !terminal {
		return 0
	}
	if n := ttyWidth(w); n > 0 {
		return n
	}
	return defaultTerminalWidth
}

// tableWidth is the width tables of this run must fit, 0 for no limit.
func (c *cli) tableWidth() int {
	if c.columns == nil {
		return 0
	}
	return c.columns()
}
