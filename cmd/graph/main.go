// Command graph calls the Microsoft Graph users API from the shell with the typedgraph SDK, and serves
// typedgraph's fake of Graph and the identity platform as a standalone emulator.
//
// Usage:
//
//	graph users list   [--filter EXPR] [--search EXPR] [--select PROPS] [--orderby PROPS] [--top N] [--all] [--count]
//	graph users get    ID|UPN [--select PROPS]
//	graph users create --json FILE|-
//	graph users update ID|UPN --json FILE|-
//	graph users delete ID|UPN
//	graph users count  [--filter EXPR] [--search EXPR]
//	graph token
//	graph emulate      [--addr HOST:PORT] [--users N] [--token-lifetime DURATION] [--tls] [--cert-file FILE] [--client-cert FILE] [--quiet]
//
// graph authenticates as an application with the OAuth 2.0 client-credentials grant. The tenant, the
// application and its secret or certificate come from flags or, failing those, from the environment
// variables that auth.ConfigFromEnv reads (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
// AZURE_CLIENT_CERTIFICATE_PATH, AZURE_AUTHORITY_HOST, TYPEDGRAPH_CLOUD) and TYPEDGRAPH_BASE_URL. With
// no credentials configured at all, graph starts an embedded emulator with a sample directory, says so
// on stderr, and runs the command against it, so that
//
//	go run ./cmd/graph users list
//
// works on a fresh clone with no tenant and no network.
//
// Output is an aligned table when stdout is a terminal and JSON, one object per line, when it is not or
// with --json (--json=false forces the table). Listing every page with --all shows a live count on
// stderr when stderr is a terminal.
//
// Exit status is 0 on success, 1 when Graph or the identity platform refuses or fails a request (the
// message carries Graph's request-id or the identity platform's trace id), and 2 for a usage error:
// an unknown command or flag, a bad argument, unreadable input or an incomplete configuration.
//
// graph emulate serves the fake (package graphtest) on one address: the identity platform's token
// endpoint under /{tenant}/oauth2/v2.0/token and Graph under /v1.0. It prints the settings a client
// needs, including the fake's well-known client secret, and runs until interrupted. It listens only on
// loopback addresses unless --allow-remote is given. Run graph --help for the full reference.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default handling: a second Ctrl-C ends the process at
		// once instead of waiting for the emulator's graceful shutdown.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
