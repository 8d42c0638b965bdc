package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/typedgraph/graph"
)

// userResource is what the users get, create, update and delete commands need to know.
var userResource = &resource[graph.User]{
	noun: "user", idArg: userIDArg, getSel: "id,displayName,accountEnabled",
	getHelp: usersGetHelp, createHelp: usersCreateHelp, updateHelp: usersUpdateHelp, deleteHelp: usersDeleteHelp,
	get: func(ctx context.Context, client *graph.Client, id string, sel []string) (*graph.User, error) {
		resp, err := client.GetUserWithResponse(ctx, id, &graph.GetUserParams{Select: sel})
		if err != nil {
			return nil, err
		}
		return resp.JSON200, nil
	},
	create: func(ctx context.Context, client *graph.Client, u *graph.User) (*graph.User, error) {
		resp, err := client.CreateUserWithResponse(ctx, *u)
		if err != nil {
			return nil, err
		}
		return resp.JSON201, nil
	},
	update: func(ctx context.Context, client *graph.Client, id string, u *graph.User) error {
		_, err := client.UpdateUserWithResponse(ctx, id, *u)
		return err
	},
	delete: func(ctx context.Context, client *graph.Client, id string) error {
		_, err := client.DeleteUserWithResponse(ctx, id, nil)
		return err
	},
}

// usersCommands are the words after "graph users".
var usersCommands = map[string]func(c *cli, ctx context.Context, g *globalFlags, args []string) error{
	"list":   (*cli).usersList,
	"get":    userResource.getCmd,
	"create": userResource.createCmd,
	"update": userResource.updateCmd,
	"delete": userResource.deleteCmd,
	"count":  (*cli).usersCount,
	"delta":  (*cli).usersDelta,
}

// queryFlags are the OData query options shared by list and count.
type queryFlags struct {
	filter, search string
	eventual       bool
}

func (q *queryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&q.filter, "filter", "", "OData $filter `EXPR`, e.g. \"startsWith(displayName,'A')\"")
	fs.StringVar(&q.search, "search", "", "$search `EXPR`, e.g. displayName:adele; quoted for you when it holds no '\"' (sends ConsistencyLevel: eventual)")
	fs.BoolVar(&q.eventual, "eventual", false, "send ConsistencyLevel: eventual and $count=true, which advanced queries (endsWith, ne, not, $orderby with $filter) need")
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
	var l listFlags
	l.register(fs, "users", "id,displayName,mail")
	if err := c.parseList(fs, cmd, args, usersListHelp, &l); err != nil {
		return err
	}
	params := &graph.ListUsersParams{
		Filter:           nonEmpty(l.q.filter),
		Search:           l.q.searchParam(),
		Select:           splitList(l.sel),
		Orderby:          splitList(l.orderby),
		ConsistencyLevel: l.q.consistency(l.count),
	}
	if l.top > 0 {
		params.Top = &l.top
	}
	params.Count = l.countParam()

	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	out := newListPrinter(c.stdout, c.wantJSON(g.json), columns(params.Select, defaultColumns))
	if !l.all {
		resp, err := client.ListUsersWithResponse(ctx, params)
		if err != nil {
			return err
		}
		if resp.JSON200 == nil {
			return errNoBody
		}
		return printPage(c, out, "users", resp.JSON200.Value, resp.JSON200.ODataNextLink, resp.JSON200.ODataCount)
	}
	total := -1
	if l.count {
		// Users hides @odata.count; /users/$count with the same query gives the same number.
		if total, err = client.CountUsers(ctx, &graph.CountUsersParams{Filter: params.Filter, Search: params.Search}); err != nil {
			return err
		}
	}
	return printAll(c, out, "users", total, l.count, client.Users(ctx, params))
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
	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	// CountUsers sends ConsistencyLevel: eventual itself, as Graph requires for $count, which makes
	// advanced queries work: a refusal needs no hint to add --eventual.
	c.eventual = true
	n, err := client.CountUsers(ctx, &graph.CountUsersParams{Filter: nonEmpty(q.filter), Search: q.searchParam()})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.stdout, n)
	return err
}

// userIDArg names the argument of the users commands taking one user.
const userIDArg = "user id or userPrincipalName"

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
