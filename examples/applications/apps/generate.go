package apps

// Written by graphspec -package. openapi.yaml is the slice of Microsoft's description this package
// serves; regenerate it with graphspec and apps.gen.go with go generate. templates/ and overlay.yaml
// are typedgraph's (nullable properties are typedgraph's nullable.Nullable, requests carry the same
// path checks). oapi-codegen is the module's tool (go get -tool
// github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen).
//
// Build the client on typedgraph's:
//
//	c, err := apps.NewClientWithResponses(gc.BaseURL(), apps.WithHTTPClient(gc.Doer()), apps.WithRequestEditorFn(gc.RequestEditor()))

//go:generate go tool oapi-codegen -config oapi-codegen.yaml -templates templates openapi.yaml
