package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// versionInfo is what graph version prints: the module version the binary was built from (set by go
// install module@version, or derived from the VCS for a build in a checkout) and the toolchain.
type versionInfo struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"` // VCS commit of a build in a checkout
	Modified bool   `json:"modified,omitempty"` // the checkout had uncommitted changes
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// readVersion reads the binary's build information. A binary built without module support (rare)
// reports "unknown".
func readVersion() versionInfo {
	v := versionInfo{Version: "unknown", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version // "v1.2.3", a pseudo-version, or "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String renders v on one line: "graph v1.2.3 (go1.26.0 linux/amd64)".
func (v versionInfo) String() string {
	s := "graph " + v.Version
	if v.Revision != "" {
		rev := v.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += " " + rev
		if v.Modified {
			s += "+modified"
		}
	}
	return s + " (" + v.Go + " " + v.Platform + ")"
}

// versionCmd implements "graph version".
func (c *cli) versionCmd(g *globalFlags, args []string) error {
	const cmd = "graph version"
	fs := newFlagSet(cmd)
	g.registerOutput(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return c.flagError(fs, cmd, err, versionHelp)
	}
	if len(pos) > 0 {
		return usagef(cmd, "unexpected argument %q", pos[0])
	}
	return c.printVersion(g)
}

// printVersion prints the version, as JSON with --json (and only then: a version is read by people).
func (c *cli) printVersion(g *globalFlags) error {
	v := readVersion()
	if g.json.set && g.json.val {
		return newEncoder(c.stdout).Encode(v)
	}
	_, err := fmt.Fprintln(c.stdout, v)
	return err
}
