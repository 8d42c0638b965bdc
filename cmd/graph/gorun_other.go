//go:build !linux

package main

// stopWithParent does nothing here: only Linux can signal a process when its parent exits. Stop a
// backgrounded go run ./cmd/graph emulate with Ctrl-C in its terminal or kill -- -PGID (its whole
// process group), or run the built binary.
func stopWithParent() {}
