package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"iter"
	"strings"

	"github.com/typedgraph/graph"
)

// What the users and groups commands share: the list flags, connecting, printing one page or every
// page, and the one-line confirmations. Reading their JSON input is in input.go.

// listFlags are the flags of a list command.
type listFlags struct {
	q            queryFlags
	sel, orderby string
	top          int
	all, count   bool
}

// register adds the list flags to fs; noun is what is listed ("users"), example a --select example.
func (l *listFlags) register(fs *flag.FlagSet, noun, example string) {
	l.q.register(fs)
	fs.StringVar(&l.sel, "select", "", "comma-separated `PROPS` to return and show as columns, e.g. "+example)
	fs.StringVar(&l.orderby, "orderby", "", "comma-separated `PROPS` to sort by, each optionally followed by \" desc\"")
	fs.IntVar(&l.top, "top", 0, "page size `N`, 1 to 999 (default Graph's, 100); without --all, the number of "+noun+" shown")
	fs.BoolVar(&l.all, "all", false, "follow @odata.nextLink and list every page")
	fs.BoolVar(&l.count, "count", false, "report on stderr how many "+noun+" match ($count=true)")
}

// parseList parses the arguments of a list command, which takes no positional argument.
func (c *cli) parseList(fs *flag.FlagSet, cmd string, args []string, help string, l *listFlags) error {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return c.flagError(fs, cmd, err, help)
	}
	if len(pos) > 0 {
		return usagef(cmd, "unexpected argument %q", pos[0])
	}
	if isSet(fs, "top") && (l.top < 1 || l.top > 999) {
		return usagef(cmd, "--top must be between 1 and 999, not %d", l.top)
	}
	c.eventual = l.q.eventual || l.q.search != "" || l.count
	c.hideCount = !l.count
	return nil
}

// countParam returns the $count option of a list: true for --count and for --eventual, since Graph
// runs an advanced query only with both ConsistencyLevel: eventual (which --count also sends) and
// $count=true. With --all it is sent with every page, so that an advanced query works on each.
func (l *listFlags) countParam() *bool {
	if l.count || l.q.eventual {
		return graph.Ptr(true)
	}
	return nil
}

// session bounds ctx by --timeout and connects: the returned done releases both.
func (c *cli) session(ctx context.Context, f *connFlags, cmd string) (context.Context, *graph.Client, func(), error) {
	ctx, cancel := c.withTimeout(ctx, f.timeout)
	client, t, err := c.client(f, cmd)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return ctx, client, func() { t.close(); cancel() }, nil
}

// columns returns the table columns: the selected properties, or the command's defaults.
func columns(sel, defaults []string) []string {
	if len(sel) == 0 {
		return defaults
	}
	return sel
}

// printPage prints the items of a first page and says on stderr whether more remain, or how many match
// when Graph counted them. noun is the plural of what is listed ("users").
func printPage[T any](c *cli, out *listPrinter, noun string, items []T, next graph.Nullable[string], count graph.Nullable[int64]) error {
	out.width = c.tableWidth()
	for i := range items {
		if c.interrupted() {
			return c.stop.Err()
		}
		if err := out.item(&items[i]); err != nil {
			return err
		}
	}
	if err := out.flush(); err != nil {
		return err
	}
	link, _ := next.Get()
	total, cerr := count.Get()
	if c.hideCount {
		cerr = errors.New("not asked for") // $count=true was sent for --eventual, not for --count
	}
	switch {
	case link != "" && cerr == nil:
		fmt.Fprintf(c.stderr, "graph: %d of %s shown; --all lists every page\n", len(items), counted(int(total), noun))
	case link != "":
		fmt.Fprintf(c.stderr, "graph: %s shown, more remain; --all lists every page\n", counted(len(items), noun))
	case cerr == nil:
		fmt.Fprintf(c.stderr, "graph: %s\n", matching(int(total), noun))
	}
	return nil
}

// printAll prints every item of seq. The live count goes to stderr when a person watches it there,
// unless JSON lines are streaming to the same terminal. total is the number expected (-1 unknown);
// with report, the number of matches is said on stderr at the end.
//
// Ctrl-C stops the output at once: no further row is written, and a table not yet printed (a table
// is aligned only once its last row is known) is dropped rather than flushed.
func printAll[T any](c *cli, out *listPrinter, noun string, total int, report bool, seq iter.Seq2[T, error]) error {
	out.width = c.tableWidth()
	p := &progress{w: c.stderr, noun: noun, total: total,
		on: c.isTerminal(c.stderr) && (!out.json || !c.isTerminal(c.stdout))}
	for v, err := range seq {
		if c.interrupted() {
			p.done()
			return c.stop.Err()
		}
		if err != nil {
			p.done()
			out.flush() // what was fetched before the failure
			return err
		}
		if err := out.item(&v); err != nil {
			p.done()
			return err
		}
		p.add()
	}
	p.done()
	if c.interrupted() {
		return c.stop.Err()
	}
	if err := out.flush(); err != nil {
		return err
	}
	if report {
		n := p.total
		if n < 0 {
			n = p.n // every match was listed
		}
		fmt.Fprintf(c.stderr, "graph: %s\n", matching(n, noun))
	}
	return nil
}

// interrupted reports whether the run was stopped (Ctrl-C). Output checks it before every row.
func (c *cli) interrupted() bool {
	return c.stop != nil && c.stop.Err() != nil
}

// oneID parses a command taking exactly one object id; what names it in messages ("group id").
func (c *cli) oneID(fs *flag.FlagSet, cmd string, args []string, help, what string) (string, error) {
	ids, err := c.ids(fs, cmd, args, help, what)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// ids parses a command taking exactly len(what) object ids, named by what in messages.
func (c *cli) ids(fs *flag.FlagSet, cmd string, args []string, help string, what ...string) ([]string, error) {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, c.flagError(fs, cmd, err, help)
	}
	if len(pos) > len(what) {
		return nil, usagef(cmd, "unexpected argument %q", pos[len(what)])
	}
	for i, w := range what {
		switch {
		case i >= len(pos):
			return nil, usagef(cmd, "missing %s", w)
		case strings.TrimSpace(pos[i]) == "":
			return nil, usagef(cmd, "empty %s", strings.TrimSuffix(w, " or userPrincipalName"))
		}
	}
	return pos, nil
}

// done confirms a change on stdout in table mode; JSON mode prints nothing, as Graph returns nothing.
func (c *cli) done(g *globalFlags, format string, ids ...string) error {
	if c.wantJSON(g.json) {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = sanitize(id)
	}
	_, err := fmt.Fprintf(c.stdout, format+"\n", args...)
	return err
}
