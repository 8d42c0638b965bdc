package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
)

// Exit statuses.
const (
	exitOK    = 0 // success
	exitError = 1 // Graph or the identity platform refused or failed a request, or I/O failed
	exitUsage = 2 // bad command line, input or configuration

	// exitInterrupted is the status of a command stopped by Ctrl-C (SIGINT): 128 + 2, as shells report
	// a process that SIGINT ended.
	exitInterrupted = 130
)

// run is the whole command: it parses args, runs one subcommand and returns the exit status. It reads
// the environment only through env and the terminal only through stdin, stdout and stderr, so tests
// run it in process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	c := &cli{
		stdin:      stdin,
		stdout:     stdout,
		stderr:     stderr,
		env:        env,
		isTerminal: isTerminal,
		now:        time.Now,
	}
	c.columns = func() int { return terminalColumns(stdout, env, c.isTerminal(stdout)) }
	return c.execute(ctx, args)
}

// cli holds what one run of the command works with. Tests replace isTerminal and now.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            func(string) string

	// isTerminal reports whether w is a terminal (a character device).
	isTerminal func(w io.Writer) bool
	// now is the local clock, used for "expires in" of graph token.
	now func() time.Time

	// limited is the command's context when --timeout bounds it, limit the bound; set by withTimeout.
	limited context.Context
	limit   time.Duration

	// eventual is set when the command sent ConsistencyLevel: eventual, so that a
	// Request_UnsupportedQuery does not suggest --eventual again.
	eventual bool
	// hideCount is set when a list sent $count=true for --eventual rather than for --count: the count
	// Graph returns is then not reported.
	hideCount bool

	// stop is the run's context, whose end (Ctrl-C) stops output before the next row; set by execute.
	stop context.Context
	// columns returns the width tables must fit, 0 for no limit. Nil means no limit.
	columns func() int
}

// usageError is a mistake in how graph was invoked: a bad command, flag, argument, input file or
// configuration. It exits with status 2. cmd names the command whose help the user should read.
type usageError struct {
	cmd string
	msg string
}

// Error returns the message, without the command.
func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError for cmd with a formatted message.
func usagef(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// errHelpShown reports that help was printed on request: the command succeeds without doing anything.
var errHelpShown = errors.New("help shown")

// execute dispatches args to a subcommand and maps its error to an exit status.
func (c *cli) execute(ctx context.Context, args []string) int {
	c.stop = ctx
	err := c.dispatch(ctx, args)
	switch {
	case err == nil || errors.Is(err, errHelpShown):
		return exitOK
	}
	var ue *usageError
	var ce *graph.ConfigError
	var ge *graph.Error
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(c.stderr, "graph: %s\n", oneLine(ue.msg))
		if ue.cmd != "" {
			fmt.Fprintf(c.stderr, "Run '%s --help' for usage.\n", ue.cmd)
		}
		return exitUsage
	case errors.As(err, &ce), errors.Is(err, auth.ErrInvalidConfig):
		fmt.Fprintf(c.stderr, "graph: %s\n", strings.TrimPrefix(oneLine(err.Error()), "graph: "))
		fmt.Fprintln(c.stderr, "Run 'graph --help' for the connection options.")
		return exitUsage
	case ctx.Err() != nil:
		// Interrupted (Ctrl-C): whatever the command was doing failed because of it. The shell's
		// convention is 128 plus the signal's number.
		fmt.Fprintln(c.stderr, "graph: interrupted")
		var in *interrupted
		if errors.As(context.Cause(ctx), &in) {
			return 128 + int(in.sig)
		}
		return exitInterrupted
	case c.limited != nil && errors.Is(c.limited.Err(), context.DeadlineExceeded) && errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(c.stderr, "graph: gave up after --timeout %v: %s\n", c.limit, strings.TrimPrefix(oneLine(err.Error()), "graph: "))
		return exitError
	}
	// *graph.Error reads "graph: 404 Request_ResourceNotFound: ... (request-id ...)" and *auth.Error
	// "auth: token request failed: 401 ... trace_id=...": printed as they are, under one "graph: ".
	fmt.Fprintf(c.stderr, "graph: %s\n", strings.TrimPrefix(oneLine(err.Error()), "graph: "))
	if errors.As(err, &ge) && ge.Code == "Request_UnsupportedQuery" && !c.eventual {
		fmt.Fprintln(c.stderr, "graph: hint: advanced queries (endsWith, ne, not, $orderby with $filter, ...) need --eventual, which sends ConsistencyLevel: eventual and $count=true")
	}
	return exitError
}

// oneLine keeps an error message on one line, so that a multi-line server message cannot forge further
// lines of output.
func oneLine(s string) string {
	return sanitize(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s))
}

// dispatch parses the global flags and the command words and runs the command.
func (c *cli) dispatch(ctx context.Context, args []string) error {
	var g globalFlags
	fs := newFlagSet("graph")
	g.register(fs)
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return c.flagError(fs, "graph", err, topHelp)
	}
	if *version {
		return c.printVersion(&g)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		// Like gh and kubectl: the overview, not an error.
		fmt.Fprint(c.stdout, topHelp)
		return nil
	}
	if set, ok := commandSets[rest[0]]; ok {
		return c.runSet(ctx, &g, set, rest[1:])
	}
	switch rest[0] {
	case "token":
		return c.token(ctx, &g, rest[1:])
	case "emulate":
		return c.emulate(ctx, &g, rest[1:])
	case "batch":
		return c.batchCmd(ctx, &g, rest[1:])
	case "version":
		return c.versionCmd(&g, rest[1:])
	case "help":
		return c.help(ctx, rest[1:])
	}
	return usagef("graph", "unknown command %q%s: want users, groups, batch, token, emulate, help or version", rest[0], didYouMean(rest[0], commandNames()))
}

// commandNames are the first words graph knows.
func commandNames() []string {
	names := []string{"batch", "token", "emulate", "version", "help"}
	for name := range commandSets {
		names = append(names, name)
	}
	return names
}

// help implements "graph help [COMMAND...]": the manual of the command, as COMMAND --help prints it.
func (c *cli) help(ctx context.Context, words []string) error {
	if len(words) == 0 {
		fmt.Fprint(c.stdout, topHelp)
		return nil
	}
	if words[0] == "help" {
		fmt.Fprint(c.stdout, topHelp)
		return nil
	}
	for _, w := range words {
		if strings.HasPrefix(w, "-") {
			return usagef("graph help", "unexpected option %q: graph help takes command words only", w)
		}
	}
	return c.dispatch(ctx, append(slices.Clone(words), "--help"))
}

// commandSet is a resource's family of commands: graph users ..., graph groups ....
type commandSet struct {
	name     string // "users"
	words    string // the command words for messages: "list, get, ... or count"
	help     string // the manual of graph NAME --help
	commands map[string]func(c *cli, ctx context.Context, g *globalFlags, args []string) error
}

// commandSets are the resource command families, by their first word.
var commandSets = map[string]commandSet{
	"users":  {"users", "list, get, create, update, delete, count or delta", usersHelp, usersCommands},
	"groups": {"groups", "list, get, create, update, delete, members, add-member, remove-member or delta", groupsHelp, groupsCommands},
}

// runSet runs the command of set that args name.
func (c *cli) runSet(ctx context.Context, g *globalFlags, set commandSet, args []string) error {
	top := "graph " + set.name
	if len(args) == 0 {
		return usagef(top, "missing %s command: %s", set.name, set.words)
	}
	cmd, ok := set.commands[args[0]]
	if !ok {
		if isHelpArg(args[0]) {
			fmt.Fprint(c.stdout, set.help)
			return errHelpShown
		}
		names := make([]string, 0, len(set.commands))
		for name := range set.commands {
			names = append(names, name)
		}
		return usagef(top, "unknown %s command %q%s: want %s", set.name, args[0], didYouMean(args[0], names), set.words)
	}
	return cmd(c, ctx, g, args[1:])
}

// isHelpArg reports whether a command word is a request for help.
func isHelpArg(s string) bool {
	switch s {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// flagError turns a flag parsing error into help (for -h) or a usage error.
func (c *cli) flagError(fs *flag.FlagSet, cmd string, err error, help string) error {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(c.stdout, help)
		if fs != nil && cmd != "graph" {
			printOptions(c.stdout, fs)
		}
		if fs != nil && fs.Lookup("tenant") != nil && cmd != "graph" {
			fmt.Fprint(c.stdout, "\n    The connection options (--tenant, --client-id, ...) are described in graph --help.\n")
		}
		return errHelpShown
	}
	return usagef(cmd, "%s", flagMessage(fs, err))
}

// withTimeout bounds ctx by d (--timeout) when d is positive, and remembers the bounded context so
// that main can tell the user's time limit apart from other deadlines.
func (c *cli) withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	c.limited, c.limit = ctx, d
	return ctx, cancel
}

// isTerminal reports whether w is a terminal: an *os.File that is a character device. It needs no
// dependency and errs on the side of "not a terminal", which only means JSON output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
