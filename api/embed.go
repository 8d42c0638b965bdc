// Package api holds typedgraph's generator settings, for cmd/graphspec: the oapi-codegen templates and
// the overlay that gen/ is generated with, so that a package generated in a user's module
// (graphspec -package) follows the same rules. Programs never import it.
package api

import "embed"

// Files are templates/*.tmpl and overlay.yaml, as committed.
//
//go:embed templates/*.tmpl overlay.yaml
var Files embed.FS
