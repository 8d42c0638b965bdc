// Package specslice cuts a part out of a Microsoft Graph OpenAPI description and rewrites it into
// the shapes typedgraph's generator accepts. cmd/graphspec is its command line.
//
// Slice reads a whole document (Microsoft's v1.0 openapi.yaml or a per-module file of the
// PowerShell SDK such as Users.yml; YAML or JSON), keeps the operations whose paths match the
// patterns given, pulls in every component those operations reach (schemas, responses,
// parameters, request bodies, transitively), and applies the normalisation rules numbered in
// api/README.md. Merge adds such a slice to an existing spec, leaving every byte of what is
// already there as it was.
//
// # Rules as applied
//
//  1. additionalProperties is dropped everywhere.
//  2. discriminator and x-ms-discriminator-value are dropped.
//  3. follows from 2: references are collected after the discriminators are gone, so a type only
//     a mapping names is never reached.
//  4. @odata.type is removed from every schema and every required list, and declared once, as an
//     optional string, on microsoft.graph.entity.
//  5. anyOf/oneOf/allOf wrappers around one $ref, in each form the converter has written, become
//     allOf [$ref] + nullable: true when any arm or the wrapper is nullable, else a plain $ref.
//     The PowerShell files write every reference property as a plain $ref; Options.NullableRefs
//     makes those nullable (except in microsoft.graph.ODataErrors.*).
//  6. nullable: true stays on primitives; nullable: false is dropped.
//  7. nullable is dropped from arrays and their items; a nullable reference as an item becomes a
//     plain $ref.
//  8. type: number with an integer format (int8, int16, int32, int64, uint8) becomes integer; every
//     pattern is dropped; the Edm.Double union of a number, a string and ReferenceNumeric becomes
//     the number.
//  9. microsoft.graph.ODataErrors.InnerError's date loses format and pattern.
//  10. 2XX becomes 200 (GET, bound actions and functions, PUT with a body), 201 (POST that creates)
//     or 204 (PATCH, DELETE, any reply without a body; the body is dropped), overridable per
//     operation with Options.Statuses; 4XX and 5XX collapse into default.
//  11. operationIds are derived from method and path (see Options.OperationIDs for overrides);
//     duplicates get a numeric suffix and a note.
//  12. in entity types (schemas whose allOf chain reaches microsoft.graph.entity) a property
//     marked x-ms-navigationProperty, or typed by an entity type, is dropped; a marked property
//     is dropped from complex types too.
//  13. "microsoft.graph." is dropped from function segments (name(...)) and from a last segment
//     naming a bound action; type-cast segments keep it.
//  14. $top, $skip, $search, $filter, $count, $orderby, $select, $expand and the ConsistencyLevel
//     header become references to components/parameters (top, skip, ..., ConsistencyLevel),
//     taken from the input's components when it has them; path parameters are declared once per
//     path item as references to components/parameters/{name}.
//  15. a flat collection response {value, @odata.nextLink[, @odata.count]} becomes allOf
//     [BaseCollectionPaginationCountResponse, {value}], one with @odata.deltaLink allOf
//     [BaseDeltaFunctionResponse, {value}]; the base schemas are written when the input lacks
//     them; an inline one in a response is named {item}CollectionResponse or {item}DeltaResponse.
//  16. description and externalDocs are dropped from operations, parameters, request bodies and
//     schemas, as are x-ms-enum (it repeats enum with Microsoft's texts), media-type examples
//     and response headers and links; a response keeps a description (OpenAPI requires one):
//     the status text for an operation's own, Microsoft's short label for a shared one.
//     Summaries and titles stay. Options.KeepDescriptions keeps the texts.
//  17. with Options.CSDL (see ParseCSDL), a schema named for a CSDL entity or complex type gets the
//     structural properties the CSDL declares on it and the input lacks, each after its CSDL
//     predecessor, written by rules 5 to 8; a type the input lacks is written from the CSDL; a
//     property both have takes the CSDL's nullability; a type difference is noted, not changed.
//     Result.FromCSDL lists the additions and changes.
//
// Also dropped: security, security schemes, servers' descriptions and a trailing slash of the
// server URL, info other than title and version, x-ms-docs-grouped-path.
//
// Output is deterministic: the same input and options give the same bytes, so a re-run shows no
// diff, and slicing a slice again gives it back unchanged. Paths and component names are sorted;
// the keys inside an entry keep the input's order.
package specslice
