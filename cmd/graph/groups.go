package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/typedgraph/graph"
)

// groupResource is what the groups get, create, update and delete commands need to know.
var groupResource = &resource[graph.Group]{
	noun: "group", idArg: groupIDArg, getSel: "id,displayName,visibility",
	getHelp: groupsGetHelp, createHelp: groupsCreateHelp, updateHelp: groupsUpdateHelp, deleteHelp: groupsDeleteHelp,
	get: func(ctx context.Context, client *graph.Client, id string, sel []string) (*graph.Group, error) {
		resp, err := client.GetGroupWithResponse(ctx, id, &graph.GetGroupParams{Select: sel})
		if err != nil {
			return nil, err
		}
		return resp.JSON200, nil
	},
	create: func(ctx context.Context, client *graph.Client, gr *graph.Group) (*graph.Group, error) {
		resp, err := client.CreateGroupWithResponse(ctx, *gr)
		if err != nil {
			return nil, err
		}
		return resp.JSON201, nil
	},
	createFlags: func(fs *flag.FlagSet) func(context.Context, *graph.Client, *graph.Group) (*graph.Group, error) {
		var owners, members idList
		fs.Var(&owners, "owner", "make the user `ID` an owner of the new group (repeatable, or comma-separated)")
		fs.Var(&members, "member", "make the directory object `ID` a member of the new group (repeatable, or comma-separated)")
		return func(ctx context.Context, client *graph.Client, gr *graph.Group) (*graph.Group, error) {
			return client.CreateGroup(ctx, *gr, owners, members)
		}
	},
	update: func(ctx context.Context, client *graph.Client, id string, gr *graph.Group) error {
		_, err := client.UpdateGroupWithResponse(ctx, id, *gr)
		return err
	},
	delete: func(ctx context.Context, client *graph.Client, id string) error {
		_, err := client.DeleteGroupWithResponse(ctx, id, nil)
		return err
	},
}

// groupsCommands are the words after "graph groups".
var groupsCommands = map[string]func(c *cli, ctx context.Context, g *globalFlags, args []string) error{
	"list":          (*cli).groupsList,
	"get":           groupResource.getCmd,
	"create":        groupResource.createCmd,
	"update":        groupResource.updateCmd,
	"delete":        groupResource.deleteCmd,
	"members":       (*cli).groupsMembers,
	"add-member":    (*cli).groupsAddMember,
	"remove-member": (*cli).groupsRemoveMember,
	"delta":         (*cli).groupsDelta,
}

// groupColumns are the columns of graph groups list without --select.
var groupColumns = []string{"id", "displayName", "mailNickname", "groupTypes", "securityEnabled"}

// memberColumns are the columns of graph groups members without --select: what every kind of
// member carries.
var memberColumns = []string{"id", "@odata.type", "displayName"}

// memberPage is one page of group members, each decoded into the type its @odata.type names (the
// generated page type keeps only their id and @odata.type).
type memberPage struct {
	ODataCount    graph.Nullable[int64]  `json:"@odata.count"`
	ODataNextLink graph.Nullable[string] `json:"@odata.nextLink"`
	Value         []graph.DirectoryItem  `json:"value"`
}

// idList is a flag naming object ids, given repeatedly or comma-separated.
type idList []string

func (l *idList) String() string { return strings.Join(*l, ",") }

func (l *idList) Set(s string) error {
	ids := splitList(s)
	if len(ids) == 0 {
		return errors.New("empty id")
	}
	*l = append(*l, ids...)
	return nil
}

// groupIDArg and memberIDArg name the arguments of the groups commands in messages.
const (
	groupIDArg  = "group id"
	memberIDArg = "member id"
)

// groupsList implements "graph groups list".
func (c *cli) groupsList(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph groups list"
	fs := newFlagSet(cmd)
	g.register(fs)
	var l listFlags
	l.register(fs, "groups", "id,displayName,mail")
	if err := c.parseList(fs, cmd, args, groupsListHelp, &l); err != nil {
		return err
	}
	params := &graph.ListGroupsParams{
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
	out := newListPrinter(c.stdout, c.wantJSON(g.json), columns(params.Select, groupColumns))
	if !l.all {
		resp, err := client.ListGroupsWithResponse(ctx, params)
		if err != nil {
			return err
		}
		if resp.JSON200 == nil {
			return errNoBody
		}
		return printPage(c, out, "groups", resp.JSON200.Value, resp.JSON200.ODataNextLink, resp.JSON200.ODataCount)
	}
	return printAll(c, out, "groups", -1, l.count, client.Groups(ctx, params))
}

// groupsMembers implements "graph groups members".
func (c *cli) groupsMembers(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph groups members"
	fs := newFlagSet(cmd)
	g.register(fs)
	sel := fs.String("select", "", "comma-separated `PROPS` to return, e.g. id")
	top := fs.Int("top", 0, "page size `N`, 1 to 999 (default Graph's, 100); without --all, the number of members shown")
	all := fs.Bool("all", false, "follow @odata.nextLink and list every page")
	count := fs.Bool("count", false, "report on stderr how many members the group has ($count=true)")
	id, err := c.oneID(fs, cmd, args, groupsMembersHelp, groupIDArg)
	if err != nil {
		return err
	}
	if isSet(fs, "top") && (*top < 1 || *top > 999) {
		return usagef(cmd, "--top must be between 1 and 999, not %d", *top)
	}
	params := &graph.ListGroupMembersParams{Select: splitList(*sel)}
	if *top > 0 {
		params.Top = top
	}
	if *count && !*all {
		params.Count = graph.Ptr(true)
		params.ConsistencyLevel = graph.Ptr(graph.ConsistencyEventual)
	}
	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	out := newListPrinter(c.stdout, c.wantJSON(g.json), columns(params.Select, memberColumns))
	if !*all {
		resp, err := client.ListGroupMembersWithResponse(ctx, id, params)
		if err != nil {
			return err
		}
		var page memberPage
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return fmt.Errorf("graph: a member does not decode: %w", err)
		}
		return printPage(c, out, "members", page.Value, page.ODataNextLink, page.ODataCount)
	}
	return printAll(c, out, "members", -1, *count, client.GroupMembers(ctx, id, params))
}

// groupsAddMember implements "graph groups add-member".
func (c *cli) groupsAddMember(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph groups add-member"
	fs := newFlagSet(cmd)
	g.register(fs)
	ifAbsent := fs.Bool("if-absent", false, "succeed when MEMBER-ID already is a member, for steps that may run twice")
	ids, err := c.ids(fs, cmd, args, groupsAddMemberHelp, groupIDArg, memberIDArg)
	if err != nil {
		return err
	}
	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	add := client.AddGroupMember
	if *ifAbsent {
		add = client.AddGroupMemberIfAbsent
	}
	if err := add(ctx, ids[0], ids[1]); err != nil {
		return err
	}
	return c.done(g, "Added %s to group %s.", ids[1], ids[0])
}

// groupsRemoveMember implements "graph groups remove-member".
func (c *cli) groupsRemoveMember(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph groups remove-member"
	fs := newFlagSet(cmd)
	g.register(fs)
	ifPresent := fs.Bool("if-present", false, "succeed when MEMBER-ID is not a member, for steps that may run twice")
	ids, err := c.ids(fs, cmd, args, groupsRemoveMemberHelp, groupIDArg, memberIDArg)
	if err != nil {
		return err
	}
	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	remove := client.RemoveGroupMember
	if *ifPresent {
		remove = client.RemoveGroupMemberIfPresent
	}
	if err := remove(ctx, ids[0], ids[1]); err != nil {
		return err
	}
	return c.done(g, "Removed %s from group %s.", ids[1], ids[0])
}
