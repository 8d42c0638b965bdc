// Package auth obtains and caches app-only (client credentials) access tokens
// for Microsoft Graph and attaches them to outgoing requests.
//
// The package is split the way the work is split:
//
//   - [ClientCredentials] fetches one token from the identity platform's token
//     endpoint (with a client secret or a certificate assertion) and nothing
//     else: it does not cache.
//   - [Cache] wraps any [TokenSource] and hands out a fresh token without a lock
//     or an allocation. It refreshes in the background before expiry, lets only
//     one request reach the token endpoint at a time, remembers failures for a
//     short, growing time so a failing endpoint is not hammered, and never hands
//     out a token that is about to expire.
//   - [Editor] sets the Authorization header on requests to the configured Graph
//     host only. Its Edit method has the shape of an oapi-codegen
//     RequestEditorFn.
//
// No type in this package keeps a context from construction: every call takes
// the caller's context, and a caller whose context ends stops waiting at once
// while the shared token request carries on for the others.
//
// Secrets, assertions and access tokens never appear in error strings, log
// output or the fmt and slog renderings of [Config], [Token] or a [Credential].
package auth
