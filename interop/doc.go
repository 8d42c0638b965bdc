// Package interop tests graphtest, the fake of Graph and the identity
// platform, with Microsoft's own Go SDK: azidentity's client secret and
// client certificate credentials get tokens from it, and msgraph-sdk-go,
// with its default middleware (request compression included), drives its
// users and groups API, and msgraph-sdk-go-core's BatchRequest its $batch. It is a module of its own so that the main module
// never requires Microsoft's SDK; its first build compiles that SDK, which
// takes minutes.
package interop
