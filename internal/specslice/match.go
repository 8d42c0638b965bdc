package specslice

import (
	"fmt"
	"strings"
)

// pattern is one compiled path pattern, Kiota style: segments match exactly, "*" matches one
// segment, "**" any number of segments (none included), and "#GET,POST" after the path limits
// the methods.
type pattern struct {
	text    string
	segs    []string
	methods map[string]bool // nil: every method
}

func compilePattern(p string) (pattern, error) {
	text := p
	path, ms, hasMethods := strings.Cut(p, "#")
	if !strings.HasPrefix(path, "/") {
		return pattern{}, fmt.Errorf("path pattern %q must start with /", p)
	}
	pt := pattern{text: text, segs: splitPath(path)}
	if hasMethods {
		pt.methods = map[string]bool{}
		for _, m := range strings.Split(ms, ",") {
			m = strings.ToUpper(strings.TrimSpace(m))
			if !httpMethods[strings.ToLower(m)] {
				return pattern{}, fmt.Errorf("path pattern %q: unknown method %q", p, m)
			}
			pt.methods[m] = true
		}
	}
	return pt, nil
}

func splitPath(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
}

func (pt pattern) match(path string) bool {
	return matchSegs(pt.segs, splitPath(path))
}

func matchSegs(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(segs); i++ {
				if matchSegs(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 || (pat[0] != "*" && pat[0] != segs[0]) {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// Match reports whether path matches pattern, as Slice's Options.Paths use it: segments match
// exactly, "*" matches one segment and "**" any number of segments, none included
// ("/groups/**" matches "/groups" and everything below it). A "#GET,POST" suffix is ignored here.
func Match(pattern, path string) bool {
	pt, err := compilePattern(pattern)
	return err == nil && pt.match(path)
}

// httpMethods are the operation keys of a path item, in the order they are written out.
var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "patch": true, "delete": true, "options": true, "head": true, "trace": true}

var methodOrder = []string{"get", "put", "post", "patch", "delete", "options", "head", "trace"}
