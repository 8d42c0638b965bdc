package graph_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/typedgraph/graph"
)

// syncUsers runs one round of a users delta sync that keeps its state in the file path: it applies
// each change (here: prints it) and stores the new state only once the round has completed, by
// writing a temporary file and renaming it over the old one. A missing file starts a full sync; a
// state Graph no longer accepts starts one too.
func syncUsers(ctx context.Context, client *graph.Client, path string) error {
	opts := &graph.DeltaOptions{Select: []string{"id", "displayName"}}
	if b, err := os.ReadFile(path); err == nil {
		st, err := graph.ParseDeltaState(string(b))
		if err != nil {
			return err
		}
		opts = &graph.DeltaOptions{State: st}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for {
		round := client.UsersDelta(ctx, opts)
		var roundErr error
		for ch, err := range round.Changes() {
			if err != nil {
				roundErr = err
				break
			}
			if ch.IsRemoval() {
				fmt.Println("remove", ch.ID, ch.Removed)
				continue
			}
			name, _ := ch.User.DisplayName.Get()
			fmt.Println("upsert", name)
		}
		if errors.Is(roundErr, graph.ErrResyncRequired) {
			// Graph no longer knows the state (older than 7 days, say): sync everything again and
			// reconcile with what you hold.
			opts = &graph.DeltaOptions{Select: []string{"id", "displayName"}}
			continue
		}
		if roundErr != nil {
			return roundErr // the stored state stays: the next run sees these changes again
		}
		st, err := round.State()
		if err != nil {
			return err
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(st.String()), 0o600); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	}
}

// A sync loop: each run prints what changed since the last one and keeps where it ended in a file.
func ExampleClient_UsersDelta() {
	client, fake := exampleClient(2)
	defer fake.Close()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sync")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	state := filepath.Join(dir, "users.state")

	fmt.Println("first run:")
	if err := syncUsers(ctx, client, state); err != nil {
		log.Fatal(err)
	}
	if _, err := fake.AddUser(map[string]any{"id": "6b7c0e4a-0000-4000-8000-000000000001", "displayName": "Nova Reyes"}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run:")
	if err := syncUsers(ctx, client, state); err != nil {
		log.Fatal(err)
	}
	fmt.Println("third run:")
	if err := syncUsers(ctx, client, state); err != nil {
		log.Fatal(err)
	}
	// Output:
	// first run:
	// upsert Henrietta Mensah
	// upsert Irvin Deyoung
	// second run:
	// upsert Nova Reyes
	// third run:
}

// Member changes of groups come merged: one change per group, with the members added and removed.
func ExampleClient_GroupsDelta() {
	client, fake := exampleClient(3)
	defer fake.Close()
	ctx := context.Background()
	gid, err := fake.AddGroup(map[string]any{"displayName": "Pilots", "mailNickname": "pilots", "securityEnabled": true, "mailEnabled": false, "groupTypes": []string{}})
	if err != nil {
		log.Fatal(err)
	}
	first := client.GroupsDelta(ctx, &graph.DeltaOptions{Select: []string{"displayName", "members"}})
	for _, err := range first.Changes() {
		if err != nil {
			log.Fatal(err)
		}
	}
	state, err := first.State()
	if err != nil {
		log.Fatal(err)
	}

	for _, id := range fake.UserIDs()[:2] {
		if err := client.AddGroupMember(ctx, gid, id); err != nil {
			log.Fatal(err)
		}
	}
	next := client.GroupsDelta(ctx, &graph.DeltaOptions{State: state})
	for ch, err := range next.Changes() {
		if err != nil {
			log.Fatal(err)
		}
		name, _ := ch.Group.DisplayName.Get()
		fmt.Printf("%s: %d members changed\n", name, len(ch.Members))
	}
	// Output: Pilots: 2 members changed
}
