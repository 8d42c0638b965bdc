package graph

// -templates api/templates: every file there replaces oapi-codegen's template of the same name (see
// api/README.md). The flag takes precedence over user-templates in api/oapi-codegen.yaml. The generator
// is pinned by go.mod's tool directive.
//go:generate go tool oapi-codegen -config api/oapi-codegen.yaml -templates api/templates api/graph.yaml
