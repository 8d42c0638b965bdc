// Package specslice cuts a part out of a Microsoft Graph OpenAPI description and rewrites it into
// the shapes typedgraph's generator accepts.
//
// Slice reads a whole document (Microsoft's v1.0 openapi.yaml or a per-module file of the
// PowerShell SDK such as Users.yml), keeps the operations whose paths match the patterns given,
// pulls in every component those operations reach, and applies the normalisation rules numbered in
// api/README.md. Merge adds such a slice to an existing spec, leaving every byte of what is already
// there as it was.
//
// Output is deterministic: the same input and options give the same bytes, so a re-run shows no
// diff. Paths and component names are sorted; everything inside an entry keeps the order of the
// input.
package specslice
