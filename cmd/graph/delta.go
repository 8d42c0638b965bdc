package main

// graph users delta and graph groups delta: one round of a delta sync, its changes printed as JSON
// lines, its state kept in a file replaced only once the round has completed.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/typedgraph/graph"
)

// deltaFlags are the flags of the delta commands.
type deltaFlags struct {
	state   string
	sel     string
	full    bool
	minimal bool
}

func (d *deltaFlags) register(fs *flag.FlagSet, example string) {
	fs.StringVar(&d.state, "state", "", "read the state of the last round from `FILE` (none yet: a full sync) and replace it at the end of this one")
	fs.StringVar(&d.sel, "select", "", "comma-separated `PROPS` to track, e.g. "+example+" (first round only: later rounds track what the first did)")
	fs.BoolVar(&d.full, "full", false, "ignore the stored state and sync everything again (after a resync error)")
	fs.BoolVar(&d.minimal, "minimal", false, "print only the properties that changed for an updated object (Prefer: return=minimal)")
}

// deltaLine is one line of output: a change.
type deltaLine struct {
	Change  string       `json:"change"` // "upsert" or "removed"
	ID      string       `json:"id"`
	Reason  string       `json:"reason,omitempty"` // of a removal: "changed" (restorable) or "deleted"
	User    *graph.User  `json:"user,omitempty"`
	Group   *graph.Group `json:"group,omitempty"`
	Members []memberLine `json:"members,omitempty"`
}

// memberLine is a member added to or removed from a group.
type memberLine struct {
	Change string `json:"change"` // "added" or "removed"
	ID     string `json:"id"`
	Type   string `json:"@odata.type,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// deltaColumns are the table columns of the delta commands.
var deltaColumns = []string{"change", "id", "reason"}

// usersDelta implements "graph users delta".
func (c *cli) usersDelta(ctx context.Context, g *globalFlags, args []string) error {
	return c.delta(ctx, g, args, "users", usersDeltaHelp, "id,displayName,jobTitle")
}

// groupsDelta implements "graph groups delta".
func (c *cli) groupsDelta(ctx context.Context, g *globalFlags, args []string) error {
	return c.delta(ctx, g, args, "groups", groupsDeltaHelp, "displayName,members")
}

func (c *cli) delta(ctx context.Context, g *globalFlags, args []string, noun, help, example string) error {
	cmd := "graph " + noun + " delta"
	fset := newFlagSet(cmd)
	g.register(fset)
	var d deltaFlags
	d.register(fset, example)
	pos, err := parseInterleaved(fset, args)
	if err != nil {
		return c.flagError(fset, cmd, err, help)
	}
	if len(pos) > 0 {
		return usagef(cmd, "unexpected argument %q", pos[0])
	}
	if d.state == "" {
		return usagef(cmd, "missing --state FILE: the file that keeps where the last round ended")
	}
	opts := &graph.DeltaOptions{Minimal: d.minimal}
	stored, err := readState(d.state)
	switch {
	case err != nil:
		return usagef(cmd, "%v", err)
	case d.full || stored.IsZero():
		opts.Select = splitList(d.sel)
	case d.sel != "":
		return usagef(cmd, "--select applies to a full sync; %s holds a state, which keeps the first round's selection (add --full to start again)", d.state)
	default:
		opts.State = stored
	}

	ctx, client, done, err := c.session(ctx, &g.conn, cmd)
	if err != nil {
		return err
	}
	defer done()
	out := newListPrinter(c.stdout, c.wantJSON(g.json), deltaColumns)
	var state graph.DeltaState
	if noun == "users" {
		state, err = printRound(c, out, client.UsersDelta(ctx, opts), userLine)
	} else {
		state, err = printRound(c, out, client.GroupsDelta(ctx, opts), groupLine)
	}
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	var re *graph.ResyncError
	if errors.As(err, &re) {
		return fmt.Errorf("%w (run again with --full to sync everything)", err)
	}
	if err != nil {
		return err
	}
	return writeState(d.state, state)
}

// printRound prints the changes of a round and returns its state, or the error that ended it.
func printRound[C any](c *cli, out *listPrinter, round *graph.DeltaRound[C], line func(C) deltaLine) (graph.DeltaState, error) {
	for ch, err := range round.Changes() {
		if err != nil {
			return graph.DeltaState{}, err
		}
		if c.interrupted() {
			return graph.DeltaState{}, c.stop.Err()
		}
		l := line(ch)
		var v any = l
		if !out.json {
			v = map[string]any{"change": l.Change, "id": l.ID, "reason": l.Reason}
		}
		if err := out.item(v); err != nil {
			return graph.DeltaState{}, err
		}
	}
	if c.interrupted() {
		return graph.DeltaState{}, c.stop.Err()
	}
	return round.State()
}

func userLine(ch graph.UserChange) deltaLine {
	if ch.IsRemoval() {
		return deltaLine{Change: "removed", ID: ch.ID, Reason: string(ch.Removed)}
	}
	return deltaLine{Change: "upsert", ID: ch.ID, User: &ch.User}
}

func groupLine(ch graph.GroupChange) deltaLine {
	if ch.IsRemoval() {
		return deltaLine{Change: "removed", ID: ch.ID, Reason: string(ch.Removed)}
	}
	l := deltaLine{Change: "upsert", ID: ch.ID, Group: &ch.Group}
	for _, m := range ch.Members {
		ml := memberLine{Change: "added", ID: m.ID, Type: m.ODataType}
		if m.Removed != "" {
			ml.Change, ml.Reason = "removed", string(m.Removed)
		}
		l.Members = append(l.Members, ml)
	}
	return l
}

// maxStateFile bounds what is read from a state file: a state is a URL of a few hundred bytes.
const maxStateFile = 64 << 10

// readState reads the state file: a missing or empty file is the zero state (a full sync).
func readState(path string) (graph.DeltaState, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return graph.DeltaState{}, nil
	}
	if err != nil {
		return graph.DeltaState{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStateFile+1))
	if err != nil {
		return graph.DeltaState{}, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) > maxStateFile {
		return graph.DeltaState{}, fmt.Errorf("%s is not a delta state: it is too large", path)
	}
	var st graph.DeltaState
	if err := st.UnmarshalText(b); err != nil {
		return graph.DeltaState{}, fmt.Errorf("%s is not a delta state written by graph users/groups delta: %w", path, err)
	}
	return st, nil
}

// writeState replaces the state file atomically: the state goes to a temporary file in the same
// directory, which is synced and then renamed over the old one, so a reader (or a crash) sees the old
// state or the new one, never a part.
func writeState(path string, st graph.DeltaState) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if _, err := tmp.WriteString(st.String() + "\n"); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	ok = true
	return nil
}
