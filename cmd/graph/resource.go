package main

import (
	"context"
	"errors"
	"flag"
	"strings"

	"github.com/typedgraph/graph"
)

// resource describes one kind of directory object (graph.User, graph.Group) to the get, create,
// update and delete commands, whose flow is the same for every kind: each kind states only its names,
// help texts and the generated calls.
type resource[T any] struct {
	noun   string // "user": in messages, and plural in the command name ("graph users get")
	idArg  string // names the id argument in messages
	getSel string // example of get's --select, e.g. "id,displayName"

	getHelp, createHelp, updateHelp, deleteHelp string

	// The calls. get and create return nil for a 2xx answer without a body.
	get    func(ctx context.Context, client *graph.Client, id string, sel []string) (*T, error)
	create func(ctx context.Context, client *graph.Client, v *T) (*T, error)
	update func(ctx context.Context, client *graph.Client, id string, v *T) error
	delete func(ctx context.Context, client *graph.Client, id string) error

	// createFlags, when set, registers create's own flags on fs and returns the create call that
	// uses their values (graph groups create --owner and --member).
	createFlags func(fs *flag.FlagSet) func(ctx context.Context, client *graph.Client, v *T) (*T, error)
}

// cmd returns the full name of the command verb on r, e.g. "graph users get".
func (r *resource[T]) cmd(verb string) string { return "graph " + r.noun + "s " + verb }

// getCmd implements "graph <nouns> get".
func (r *resource[T]) getCmd(c *cli, ctx context.Context, g *globalFlags, args []string) error {
	cmd := r.cmd("get")
	fs := newFlagSet(cmd)
	g.register(fs)
	sel := fs.String("select", "", "comma-separated `PROPS` to return, e.g. "+r.getSel)
	id, err := c.oneID(fs, cmd, args, r.getHelp, r.idArg)
	if err != nil {
		return err
	}
	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	props := splitList(*sel)
	v, err := r.get(ctx, client, id, props)
	if err != nil {
		return err
	}
	if v == nil {
		return errNoBody
	}
	return printRecord(c.stdout, c.wantJSON(g.json), v, props, c.tableWidth())
}

// createCmd implements "graph <nouns> create".
func (r *resource[T]) createCmd(c *cli, ctx context.Context, g *globalFlags, args []string) error {
	cmd := r.cmd("create")
	fs := newFlagSet(cmd)
	g.register(fs)
	input := fs.String("input", "", "read the "+r.noun+" as a JSON object from `FILE`, or from standard input with -")
	create := r.create
	if r.createFlags != nil {
		create = r.createFlags(fs)
	}
	if _, err := c.ids(fs, cmd, args, r.createHelp); err != nil {
		return inputHint(err)
	}
	in, err := readObject[T](c, *input, cmd)
	if err != nil {
		return err
	}
	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	v, err := create(ctx, client, in)
	if err != nil {
		return err
	}
	if v == nil {
		return errNoBody
	}
	return printRecord(c.stdout, c.wantJSON(g.json), v, nil, c.tableWidth())
}

// updateCmd implements "graph <nouns> update".
func (r *resource[T]) updateCmd(c *cli, ctx context.Context, g *globalFlags, args []string) error {
	cmd := r.cmd("update")
	fs := newFlagSet(cmd)
	g.register(fs)
	input := fs.String("input", "", "read the properties to change as a JSON object from `FILE`, or from standard input with -; null clears a property")
	id, err := c.oneID(fs, cmd, args, r.updateHelp, r.idArg)
	if err != nil {
		return inputHint(err)
	}
	in, err := readObject[T](c, *input, cmd)
	if err != nil {
		return err
	}
	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	if err := r.update(ctx, client, id, in); err != nil {
		return err
	}
	return c.done(g, "Updated "+r.noun+" %s.", id)
}

// deleteCmd implements "graph <nouns> delete".
func (r *resource[T]) deleteCmd(c *cli, ctx context.Context, g *globalFlags, args []string) error {
	cmd := r.cmd("delete")
	fs := newFlagSet(cmd)
	g.register(fs)
	id, err := c.oneID(fs, cmd, args, r.deleteHelp, r.idArg)
	if err != nil {
		return err
	}
	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	if err := r.delete(ctx, client, id); err != nil {
		return err
	}
	return c.done(g, "Deleted "+r.noun+" %s.", id)
}

// inputHint adds to an unexpected argument of create or update that the input file is given with
// --input: "--json FILE", the spelling of earlier versions, now leaves FILE as an argument.
func inputHint(err error) error {
	var ue *usageError
	if errors.As(err, &ue) && strings.HasPrefix(ue.msg, "unexpected argument") {
		ue.msg += " (the input is given with --input FILE or --input -; --json chooses the output format)"
	}
	return err
}
