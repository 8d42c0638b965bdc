package graph

//go:generate go tool oapi-codegen -config api/oapi-codegen.yaml api/graph.yaml
