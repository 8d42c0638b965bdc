package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/typedgraph/graph"
)

// usersCommands are the words after "graph users".
var usersCommands = map[string]func(c *cli, ctx context.Context, g *globalFlags, args []string) error{
	"list":   (*cli).usersList,
	"get":    (*cli).usersGet,
	"create": (*cli).usersCreate,
	"update": (*cli).usersUpdate,
	"delete": (*cli).usersDelete,
	"count":  (*cli).usersCount,
}

// maxUserInput caps a --json input file: a user object is a few kilobytes.
const maxUserInput = 1 << 20

// queryFlags are the OData query options shared by list and count.
type queryFlags struct {
	filter, search string
	eventual       bool
}

func (q *queryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&q.filter, "filter", "", "OData $filter `EXPR`, e.g. \"startsWith(displayName,'A')\"")
	fs.StringVar(&q.search, "search", "", "$search `EXPR`, e.g. displayName:adele; quoted for you when it holds no '\"' (sends ConsistencyLevel: eventual)")
	fs.BoolVar(&q.eventual, "eventual", false, "send ConsistencyLevel: eventual, which advanced $filter and $orderby queries need")
}

// searchParam returns the $search value: Graph wants each clause in double quotes, so a bare
// "displayName:adele" is quoted.
func (q *queryFlags) searchParam() *string {
	if q.search == "" {
		return nil
	}
	s := q.search
	if !strings.Contains(s, `"`) {
		s = `"` + s + `"`
	}
	return &s
}

// consistency returns the ConsistencyLevel header value: eventual when asked for or when $search or
// $count need it.
func (q *queryFlags) consistency(count bool) *string {
	if q.eventual || q.search != "" || count {
		return graph.Ptr(graph.ConsistencyEventual)
	}
	return nil
}

// usersList implements "graph users list".
func (c *cli) usersList(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph users list"
	fs := newFlagSet(cmd)
	g.register(fs)
	var q queryFlags
	q.register(fs)
	sel := fs.String("select", "", "comma-separated `PROPS` to return and show as columns, e.g. id,displayName,mail")
	orderby := fs.String("orderby", "", "comma-separated `PROPS` to sort by, each optionally followed by \" desc\"")
	top := fs.Int("top", 0, "page size `N`, 1 to 999 (default Graph's, 100); without --all, the number of users shown")
	all := fs.Bool("all", false, "follow @odata.nextLink and list every page")
	count := fs.Bool("count", false, "report on stderr how many users match ($count=true)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return c.flagError(fs, cmd, err, usersListHelp)
	}
	if len(pos) > 0 {
		return usagef(cmd, "unexpected argument %q", pos[0])
	}
	if isSet(fs, "top") && (*top < 1 || *top > 999) {
		return usagef(cmd, "--top must be between 1 and 999, not %d", *top)
	}

	params := &graph.ListUsersParams{
		Filter:           nonEmpty(q.filter),
		Search:           q.searchParam(),
		Select:           splitList(*sel),
		Orderby:          splitList(*orderby),
		ConsistencyLevel: q.consistency(*count),
	}
	if *top > 0 {
		params.Top = top
	}
	if *count && !*all {
		params.Count = graph.Ptr(true) // with --all, CountUsers below counts once instead
	}
	cols := params.Select
	if len(cols) == 0 {
		cols = defaultColumns
	}

	ctx, cancel := c.withTimeout(ctx, g.conn.timeout)
	defer cancel()
	client, t, err := c.client(&g.conn, cmd)
	if err != nil {
		return err
	}
	defer t.close()

	asJSON := c.wantJSON(g.json)
	out := newListPrinter(c.stdout, asJSON, cols)
	if !*all {
		return c.listPage(ctx, client, params, out)
	}

	// Every page. The live count goes to stderr when a person watches it there, unless JSON lines are
	// streaming to the same terminal.
	p := &progress{w: c.stderr, total: -1, on: c.isTerminal(c.stderr) && (!asJSON || !c.isTerminal(c.stdout))}
	if *count {
		// Users hides @odata.count; /users/$count with the same query gives the same number.
		n, err := client.CountUsers(ctx, &graph.CountUsersParams{Filter: params.Filter, Search: params.Search})
		if err != nil {
			return err
		}
		p.total = n
	}
	for u, err := range client.Users(ctx, params) {
		if err != nil {
			p.done()
			out.flush()
			return err
		}
		if err := out.user(&u); err != nil {
			p.done()
			return err
		}
		p.add()
	}
	p.done()
	if err := out.flush(); err != nil {
		return err
	}
	if *count {
		fmt.Fprintf(c.stderr, "graph: %d users match\n", p.total)
	}
	return nil
}

// listPage prints the first page of users and says on stderr whether more remain.
func (c *cli) listPage(ctx context.Context, client *graph.Client, params *graph.ListUsersParams, out *listPrinter) error {
	resp, err := client.ListUsersWithResponse(ctx, params)
	if err != nil {
		return err
	}
	page := resp.JSON200
	if page == nil {
		return errNoBody
	}
	for i := range page.Value {
		if err := out.user(&page.Value[i]); err != nil {
			return err
		}
	}
	if err := out.flush(); err != nil {
		return err
	}
	next, _ := page.ODataNextLink.Get()
	total, cerr := page.ODataCount.Get()
	switch {
	case next != "" && cerr == nil:
		fmt.Fprintf(c.stderr, "graph: %d of %d users shown; --all lists every page\n", len(page.Value), total)
	case next != "":
		fmt.Fprintf(c.stderr, "graph: %d users shown, more remain; --all lists every page\n", len(page.Value))
	case cerr == nil:
		fmt.Fprintf(c.stderr, "graph: %d users match\n", total)
	}
	return nil
}

// usersGet implements "graph users get".
func (c *cli) usersGet(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph users get"
	fs := newFlagSet(cmd)
	g.register(fs)
	sel := fs.String("select", "", "comma-separated `PROPS` to return, e.g. id,displayName,accountEnabled")
	id, err := c.oneID(fs, cmd, args, usersGetHelp)
	if err != nil {
		return err
	}
	ctx, cancel := c.withTimeout(ctx, g.conn.timeout)
	defer cancel()
	client, t, err := c.client(&g.conn, cmd)
	if err != nil {
		return err
	}
	defer t.close()
	props := splitList(*sel)
	resp, err := client.GetUserWithResponse(ctx, id, &graph.GetUserParams{Select: props})
	if err != nil {
		return err
	}
	if resp.JSON200 == nil {
		return errNoBody
	}
	return printRecord(c.stdout, c.wantJSON(g.json), resp.JSON200, props)
}

// usersCreate implements "graph users create".
func (c *cli) usersCreate(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph users create"
	fs := newFlagSet(cmd)
	g.conn.register(fs) // --json names the input here, so the output follows the terminal
	input := fs.String("json", "", "read the user as a JSON object from `FILE`, or from standard input with -")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return c.flagError(fs, cmd, err, usersCreateHelp)
	}
	if len(pos) > 0 {
		return usagef(cmd, "unexpected argument %q", pos[0])
	}
	user, err := c.readUser(*input, cmd)
	if err != nil {
		return err
	}
	ctx, cancel := c.withTimeout(ctx, g.conn.timeout)
	defer cancel()
	client, t, err := c.client(&g.conn, cmd)
	if err != nil {
		return err
	}
	defer t.close()
	resp, err := client.CreateUserWithResponse(ctx, *user)
	if err != nil {
		return err
	}
	if resp.JSON201 == nil {
		return errNoBody
	}
	return printRecord(c.stdout, c.wantJSON(g.json), resp.JSON201, nil)
}

// usersUpdate implements "graph users update".
func (c *cli) usersUpdate(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph users update"
	fs := newFlagSet(cmd)
	g.conn.register(fs)
	input := fs.String("json", "", "read the properties to change as a JSON object from `FILE`, or from standard input with -; null clears a property")
	id, err := c.oneID(fs, cmd, args, usersUpdateHelp)
	if err != nil {
		return err
	}
	user, err := c.readUser(*input, cmd)
	if err != nil {
		return err
	}
	ctx, cancel := c.withTimeout(ctx, g.conn.timeout)
	defer cancel()
	client, t, err := c.client(&g.conn, cmd)
	if err != nil {
		return err
	}
	defer t.close()
	if _, err := client.UpdateUserWithResponse(ctx, id, *user); err != nil {
		return err
	}
	if !c.wantJSON(g.json) {
		fmt.Fprintf(c.stdout, "Updated user %s.\n", sanitize(id))
	}
	return nil
}

// usersDelete implements "graph users delete".
func (c *cli) usersDelete(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph users delete"
	fs := newFlagSet(cmd)
	g.register(fs)
	id, err := c.oneID(fs, cmd, args, usersDeleteHelp)
	if err != nil {
		return err
	}
	ctx, cancel := c.withTimeout(ctx, g.conn.timeout)
	defer cancel()
	client, t, err := c.client(&g.conn, cmd)
	if err != nil {
		return err
	}
	defer t.close()
	if _, err := client.DeleteUserWithResponse(ctx, id, nil); err != nil {
		return err
	}
	if !c.wantJSON(g.json) {
		fmt.Fprintf(c.stdout, "Deleted user %s.\n", sanitize(id))
	}
	return nil
}

// usersCount implements "graph users count". It prints the bare number, which is also valid JSON.
func (c *cli) usersCount(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph users count"
	fs := newFlagSet(cmd)
	g.register(fs)
	var q queryFlags
	q.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return c.flagError(fs, cmd, err, usersCountHelp)
	}
	if len(pos) > 0 {
		return usagef(cmd, "unexpected argument %q", pos[0])
	}
	ctx, cancel := c.withTimeout(ctx, g.conn.timeout)
	defer cancel()
	client, t, err := c.client(&g.conn, cmd)
	if err != nil {
		return err
	}
	defer t.close()
	// CountUsers sends ConsistencyLevel: eventual itself, as Graph requires for $count.
	n, err := client.CountUsers(ctx, &graph.CountUsersParams{Filter: nonEmpty(q.filter), Search: q.searchParam()})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.stdout, n)
	return err
}

// oneID parses a command taking exactly one user id or userPrincipalName.
func (c *cli) oneID(fs *flag.FlagSet, cmd string, args []string, help string) (string, error) {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return "", c.flagError(fs, cmd, err, help)
	}
	switch {
	case len(pos) == 0:
		return "", usagef(cmd, "missing user id or userPrincipalName")
	case len(pos) > 1:
		return "", usagef(cmd, "unexpected argument %q", pos[1])
	case strings.TrimSpace(pos[0]) == "":
		return "", usagef(cmd, "empty user id")
	}
	return pos[0], nil
}

// readUser reads the --json input of create and update.
func (c *cli) readUser(path, cmd string) (*graph.User, error) {
	if path == "" {
		return nil, usagef(cmd, "missing --json FILE (or --json - for standard input)")
	}
	var (
		b   []byte
		err error
	)
	name := path
	if path == "-" {
		name = "standard input"
		b, err = readLimited(c.stdin, maxUserInput, name)
	} else {
		b, err = readFileLimited(path, maxUserInput)
	}
	if err != nil {
		return nil, usagef(cmd, "--json: %v", err)
	}
	u, err := decodeUser(b)
	if err != nil {
		return nil, usagef(cmd, "--json: %s: %v", name, err)
	}
	return u, nil
}

// decodeUser parses one JSON user object strictly: an unknown property (usually a misspelt one) or a
// value of the wrong type is an error here rather than a surprise from Graph, and so is anything after
// the object.
func decodeUser(b []byte) (*graph.User, error) {
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return nil, errors.New("want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var u graph.User
	if err := dec.Decode(&u); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return &u, nil
}

// jsonError rewords encoding/json's errors for people writing a user file.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return fmt.Errorf("property %q: %s is not a %s", te.Field, te.Value, te.Type)
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON")
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// nonEmpty returns a pointer to s, or nil for "".
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
