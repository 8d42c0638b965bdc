package graph

// -templates api/templates: every file there replaces oapi-codegen's template of the same name (see
// api/README.md). The flag takes precedence over user-templates in api/oapi-codegen.yaml.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config api/oapi-codegen.yaml -templates api/templates api/graph.yaml
