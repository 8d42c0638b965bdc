//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "io"

// ttyWidth cannot ask this system's terminal for its width; $COLUMNS or the default applies.
func ttyWidth(io.Writer) int { return 0 }
