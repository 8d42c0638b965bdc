// Command graph calls the Microsoft Graph users API from the shell with the typedgraph SDK, and serves
// typedgraph's fake of Graph and the identity platform as a standalone emulator.
//
// Usage:
//
//	graph users list   [--filter EXPR] [--search EXPR] [--select PROPS] [--orderby PROPS] [--top N] [--all] [--count]
//	graph users get    ID|UPN [--select PROPS]
//	graph users create --input FILE|-
//	graph users update ID|UPN --input FILE|-
//	graph users delete ID|UPN
//	graph users count  [--filter EXPR] [--search EXPR]
//	graph groups ...
//	graph batch --input FILE|-
//	graph token
//	graph help [COMMAND]
//	graph version
//	graph emulate      [--addr HOST:PORT] [--users N] [--token-lifetime DURATION] [--tls] [--cert-file FILE] [--client-cert FILE] [--quiet]
//
// graph authenticates as an application with the OAuth 2.0 client-credentials grant. The tenant, the
// application and its secret or certificate come from flags or, failing those, from the environment
// variables that graph.ConfigFromEnv reads (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
// AZURE_CLIENT_CERTIFICATE_PATH, AZURE_AUTHORITY_HOST, TYPEDGRAPH_CLOUD, TYPEDGRAPH_BASE_URL, ...),
// through it. With nothing configured at all, graph starts an embedded
// emulator with a sample directory, says so on stderr, and runs the command against it, so that
//
//	go run ./cmd/graph users list
//
// works on a fresh clone with no tenant. A partial configuration (endpoints without credentials, a
// tenant without a secret) is a usage error naming what is missing.
//
// Output is an aligned table, fitted to the terminal's width, when stdout is a terminal, and JSON, one
// object per line, when it is not or with --json (--json=false forces the table). create and update
// read their JSON input from --input FILE or --input - (standard input). Listing every page with
// --all shows a live count on stderr when stderr is a terminal.
//
// Exit status is 0 on success, 1 when Graph or the identity platform refuses or fails a request (the
// message carries Graph's request-id or the identity platform's trace id), and 2 for a usage error:
// an unknown command or flag, a bad argument, unreadable input or an incomplete configuration. A
// command stopped by Ctrl-C stops its output at once and exits 130 (143 for SIGTERM), as shells expect.
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
	ctx, stop := notifyContext(context.Background())
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// notifyContext returns a context cancelled by the first SIGINT or SIGTERM, with an *interrupted
// cause naming the signal, so that the exit status can be 128 plus its number. After the first
// signal the default handling is restored: a second Ctrl-C ends the process at once instead of
// waiting for, say, the emulator's graceful shutdown.
func notifyContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			signal.Stop(ch)
			s, _ := sig.(syscall.Signal)
			cancel(&interrupted{sig: s})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// interrupted is the cause of a context cancelled by a signal.
type interrupted struct{ sig syscall.Signal }

// Error names the signal.
func (e *interrupted) Error() string { return "interrupted by " + e.sig.String() }
