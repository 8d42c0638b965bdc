package main

import (
	"os"
	"path/filepath"
	"strings"
)

// underGoRun reports whether this process is a binary that go run built and started: go run builds
// into a temporary go-build directory, as .../go-build123/b001/exe/graph. Stopping go run with a
// signal sent to it alone (kill PID, as opposed to Ctrl-C, which reaches the whole process group)
// ends go run but not the program it started, which then keeps serving the emulator's port.
func underGoRun(exe string) bool {
	return filepath.Base(filepath.Dir(exe)) == "exe" &&
		strings.Contains(exe, string(filepath.Separator)+"go-build")
}

// runningUnderGoRun is underGoRun for this process.
func runningUnderGoRun() bool {
	exe, err := os.Executable()
	return err == nil && underGoRun(exe)
}
