package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/graphtest"
)

// userRound runs a users delta round and returns its changes and state.
func userRound(t *testing.T, c *graph.Client, opts *graph.DeltaOptions) ([]graph.UserChange, graph.DeltaState) {
	t.Helper()
	round := c.UsersDelta(context.Background(), opts)
	var got []graph.UserChange
	for ch, err := range round.Changes() {
		if err != nil {
			t.Fatalf("after %d changes: %v", len(got), err)
		}
		got = append(got, ch)
	}
	st, err := round.State()
	if err != nil {
		t.Fatalf("State after a complete round: %v", err)
	}
	return got, st
}

// groupRound runs a groups delta round and returns its changes and state.
func groupRound(t *testing.T, c *graph.Client, opts *graph.DeltaOptions) ([]graph.GroupChange, graph.DeltaState) {
	t.Helper()
	round := c.GroupsDelta(context.Background(), opts)
	var got []graph.GroupChange
	for ch, err := range round.Changes() {
		if err != nil {
			t.Fatalf("after %d changes: %v", len(got), err)
		}
		got = append(got, ch)
	}
	st, err := round.State()
	if err != nil {
		t.Fatalf("State after a complete round: %v", err)
	}
	return got, st
}

// must fails the test on a call's error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// inGroups reports the users that are members of some group of the fake.
func inGroups(fake *graphtest.Server) map[string]bool {
	in := map[string]bool{}
	for _, g := range fake.GroupIDs() {
		for _, m := range fake.Members(g) {
			in[m] = true
		}
	}
	return in
}

// TestDeltaRoundsYieldExactlyTheChanges is the scenario: a full sync of 2,500 users over
// several pages gives a state; after 10 creates, 5 updates, 3 soft deletes and 4 membership changes,
// the next users round yields exactly the 18 user changes, typed, the next groups round exactly the
// 4 membership changes, and both give a new state from which nothing more comes.
func TestDeltaRoundsYieldExactlyTheChanges(t *testing.T) {
	ctx := context.Background()
	client, fake := newFakeClient(t, graphtest.Options{Users: 2500, Groups: 4})

	full, state := userRound(t, client, &graph.DeltaOptions{Select: []string{"displayName", "jobTitle"}})
	if len(full) != 2500 {
		t.Fatalf("full sync: %d changes, want 2500", len(full))
	}
	seen := map[string]bool{}
	for _, ch := range full {
		if ch.IsRemoval() || ch.User.ID == nil || *ch.User.ID != ch.ID || ch.User.DisplayName.IsNull() || !ch.User.DisplayName.IsSpecified() {
			t.Fatalf("full sync change %+v: want an upsert with id and displayName", ch)
		}
		if ch.User.UserPrincipalName.IsSpecified() {
			t.Fatalf("full sync change %s carries userPrincipalName, which was not selected", ch.ID)
		}
		seen[ch.ID] = true
	}
	if len(seen) != 2500 || state.IsZero() {
		t.Fatalf("full sync: %d distinct users, state %q", len(seen), state)
	}
	if n := fake.Requests(graphtest.OpDeltaUsers); n != 25 {
		t.Errorf("full sync took %d pages, want 25 of 100", n)
	}
	_, gstate := groupRound(t, client, &graph.DeltaOptions{Select: []string{"displayName", "members"}})

	// The changes: 10 creates, 5 updates, 3 soft deletes (of users in no group, so that the groups
	// round shows only the membership changes below), 2 members added and 2 removed.
	ids := fake.UserIDs()
	member := inGroups(fake)
	var created []string
	for i := range 10 {
		body := fmt.Sprintf(`{"accountEnabled":true,"displayName":"New %d","mailNickname":"new%d","userPrincipalName":"new%d@%s","passwordProfile":{"password":"Pa55-word-%d"}}`, i, i, i, fake.Domain, i)
		resp, err := client.CreateUserWithBodyWithResponse(ctx, "application/json", strings.NewReader(body))
		must(t, err)
		if resp.JSON201 == nil || resp.JSON201.ID == nil {
			t.Fatalf("create: status %d", resp.StatusCode())
		}
		created = append(created, *resp.JSON201.ID)
	}
	updated := ids[100:105]
	for _, id := range updated {
		_, err := client.UpdateUserWithBodyWithResponse(ctx, id, "application/json", strings.NewReader(`{"jobTitle":"Sync tester"}`))
		must(t, err)
	}
	var deleted []string
	for _, id := range ids[200:] {
		if len(deleted) == 3 {
			break
		}
		if !member[id] {
			_, err := client.DeleteUserWithResponse(ctx, id, nil)
			must(t, err)
			deleted = append(deleted, id)
		}
	}
	groups := fake.GroupIDs()
	var outsider string
	for _, id := range ids[300:] {
		if !member[id] {
			outsider = id
			break
		}
	}
	must(t, client.AddGroupMember(ctx, groups[0], outsider))
	must(t, client.AddGroupMember(ctx, groups[1], outsider))
	left0, left2 := fake.Members(groups[0])[0], fake.Members(groups[2])[0]
	_, err := client.RemoveGroupMemberWithResponse(ctx, groups[0], left0, nil)
	must(t, err)
	_, err = client.RemoveGroupMemberWithResponse(ctx, groups[2], left2, nil)
	must(t, err)

	changes, next := userRound(t, client, &graph.DeltaOptions{State: state, Minimal: true})
	var gotCreated, gotUpdated, gotDeleted []string
	for _, ch := range changes {
		switch {
		case ch.IsRemoval():
			if ch.Removed != graph.RemovedChanged {
				t.Errorf("removal of %s: reason %q, want changed (soft delete)", ch.ID, ch.Removed)
			}
			gotDeleted = append(gotDeleted, ch.ID)
		case slices.Contains(created, ch.ID):
			if v, err := ch.User.DisplayName.Get(); err != nil || !strings.HasPrefix(v, "New ") {
				t.Errorf("created user %s: displayName %v, %v", ch.ID, v, err)
			}
			gotCreated = append(gotCreated, ch.ID)
		default:
			// return=minimal: the id and the changed property, nothing else marked as sent.
			if v, err := ch.User.JobTitle.Get(); err != nil || v != "Sync tester" {
				t.Errorf("updated user %s: jobTitle %q, %v", ch.ID, v, err)
			}
			if ch.User.DisplayName.IsSpecified() {
				t.Errorf("updated user %s: displayName marked as sent under return=minimal", ch.ID)
			}
			gotUpdated = append(gotUpdated, ch.ID)
		}
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"created", gotCreated, created}, {"updated", gotUpdated, updated}, {"deleted", gotDeleted, deleted}} {
		slices.Sort(c.got)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(c.got, want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, want)
		}
	}
	if len(changes) != 18 || next.IsZero() || next == state {
		t.Errorf("round after the changes: %d changes (want 18), new state %v", len(changes), next != state)
	}

	gchanges, _ := groupRound(t, client, &graph.DeltaOptions{State: gstate, Minimal: true})
	type mc struct{ group, member, removed string }
	var got []mc
	for _, ch := range gchanges {
		if ch.IsRemoval() || ch.Group.DisplayName.IsSpecified() {
			t.Errorf("group %s: want a membership-only upsert, got %+v", ch.ID, ch)
		}
		for _, m := range ch.Members {
			if m.ODataType != "#microsoft.graph.user" {
				t.Errorf("member %s: @odata.type %q", m.ID, m.ODataType)
			}
			got = append(got, mc{ch.ID, m.ID, string(m.Removed)})
		}
	}
	want := []mc{{groups[0], outsider, ""}, {groups[1], outsider, ""}, {groups[0], left0, "deleted"}, {groups[2], left2, "deleted"}}
	cmp := func(a, b mc) int { return strings.Compare(a.group+a.member, b.group+b.member) }
	slices.SortFunc(got, cmp)
	slices.SortFunc(want, cmp)
	if !slices.Equal(got, want) {
		t.Errorf("membership changes:\n got %v\nwant %v", got, want)
	}

	if again, _ := userRound(t, client, &graph.DeltaOptions{State: next}); len(again) != 0 {
		t.Errorf("a round with nothing changed yields %d changes", len(again))
	}
}

// TestDeltaFromLatest: a round started with Latest yields nothing, then the next only what changed
// after it.
func TestDeltaFromLatest(t *testing.T) {
	ctx := context.Background()
	client, fake := newFakeClient(t, graphtest.Options{Users: 300})
	got, state := userRound(t, client, &graph.DeltaOptions{Latest: true})
	if len(got) != 0 || state.IsZero() {
		t.Fatalf("latest: %d changes, state %q", len(got), state)
	}
	id := fake.UserIDs()[7]
	_, err := client.UpdateUserWithBodyWithResponse(ctx, id, "application/json", strings.NewReader(`{"jobTitle":"Delta"}`))
	must(t, err)
	got, _ = userRound(t, client, &graph.DeltaOptions{State: state})
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("after one update: %+v", got)
	}
	if v, _ := got[0].User.JobTitle.Get(); v != "Delta" {
		t.Errorf("jobTitle %q", v)
	}
}

// TestDeltaResync: an aged state, a forced resync (410) and each of Graph's resync codes give a
// *ResyncError, and no state.
func TestDeltaResync(t *testing.T) {
	for _, tt := range []struct {
		name   string
		break_ func(*graphtest.Server)
		gone   bool // a 410 from the fake, with a Location
	}{
		{"aged 8 days", func(s *graphtest.Server) { s.AgeDeltaTokens(8 * 24 * time.Hour) }, false},
		{"forced resync", (*graphtest.Server).ForceDeltaResync, true},
		{"resyncRequired", intercepted(http.StatusBadRequest, "resyncRequired"), false},
		{"invalidSyncToken", intercepted(http.StatusBadRequest, "invalidSyncToken"), false},
		{"syncStateNotFound", intercepted(http.StatusBadRequest, "syncStateNotFound"), false},
		{"410 without a code", intercepted(http.StatusGone, ""), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			client, fake := newFakeClient(t, graphtest.Options{Users: 50})
			_, state := userRound(t, client, nil)
			tt.break_(fake)
			round := client.UsersDelta(context.Background(), &graph.DeltaOptions{State: state})
			var gotErr error
			for _, err := range round.Changes() {
				if err != nil {
					gotErr = err
				}
			}
			var re *graph.ResyncError
			if !errors.As(gotErr, &re) || !errors.Is(gotErr, graph.ErrResyncRequired) {
				t.Fatalf("error %v (%T), want a *ResyncError", gotErr, gotErr)
			}
			if tt.gone && (re.Err.StatusCode != http.StatusGone || re.Location == "") {
				t.Errorf("410: status %d, Location %q", re.Err.StatusCode, re.Location)
			}
			if st, err := round.State(); !errors.Is(err, graph.ErrDeltaRoundIncomplete) || !st.IsZero() {
				t.Errorf("State after a resync error: %q, %v", st, err)
			}
			// A full sync works again.
			if got, _ := userRound(t, client, nil); len(got) != 50 {
				t.Errorf("full resync: %d changes", len(got))
			}
		})
	}
}

// intercepted makes the fake answer the next delta round from a token with a Graph error.
func intercepted(status int, code string) func(*graphtest.Server) {
	return func(s *graphtest.Server) {
		once := true
		s.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
			if once && r.URL.Query().Get("$deltatoken") != "" {
				once = false
				s.GraphError(w, r, status, code, "The sync state cannot be used.")
				return true
			}
			return false
		})
	}
}

// TestDeltaIncompleteRoundHasNoState: a round cancelled part-way, stopped by the caller or ended by
// a failing page gives no state.
func TestDeltaIncompleteRoundHasNoState(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 500})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		round := client.UsersDelta(ctx, nil)
		n := 0
		var gotErr error
		for _, err := range round.Changes() {
			if err != nil {
				gotErr = err
				break
			}
			if n++; n == 150 {
				cancel()
			}
		}
		if !errors.Is(gotErr, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", gotErr)
		}
		if _, err := round.State(); !errors.Is(err, graph.ErrDeltaRoundIncomplete) {
			t.Errorf("State: %v", err)
		}
	})
	t.Run("stopped", func(t *testing.T) {
		round := client.UsersDelta(context.Background(), nil)
		for range round.Changes() {
			break
		}
		if _, err := round.State(); !errors.Is(err, graph.ErrDeltaRoundIncomplete) {
			t.Errorf("State: %v", err)
		}
	})
	t.Run("failing page", func(t *testing.T) {
		fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Query().Get("$skiptoken") != "" {
				fake.GraphError(w, r, http.StatusBadRequest, "Request_BadRequest", "no")
				return true
			}
			return false
		})
		defer fake.InterceptGraph(nil)
		round := client.UsersDelta(context.Background(), nil)
		var gotErr error
		for _, err := range round.Changes() {
			gotErr = err
		}
		var gerr *graph.Error
		if !errors.As(gotErr, &gerr) || gerr.StatusCode != 400 {
			t.Errorf("error %v", gotErr)
		}
		if _, err := round.State(); err == nil {
			t.Error("a state after a failing page")
		}
	})
}

// scripted serves delta rounds from pages written by the test; page n is asked for with ?p=n.
func scripted(t *testing.T, pages ...string) *graph.Client {
	t.Helper()
	client, fake := newFakeClient(t, graphtest.Options{})
	fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		n := 0
		fmt.Sscan(r.URL.Query().Get("p"), &n)
		body := strings.ReplaceAll(pages[n], "BASE", strings.TrimSuffix(fake.GraphURL, "/"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
		return true
	})
	return client
}

func TestDeltaPages(t *testing.T) {
	for _, tt := range []struct {
		name    string
		pages   []string
		changes int
		err     error // want errors.Is; nil: a complete round
		errText string
	}{
		{"empty pages are followed", []string{
			`{"value":[],"@odata.nextLink":"BASE/users/delta()?p=1"}`,
			`{"value":[],"@odata.nextLink":"BASE/users/delta()?p=2"}`,
			`{"value":[{"id":"a"},{"id":"gone","@removed":{"reason":"deleted"}}],"@odata.deltaLink":"BASE/users/delta()?$deltatoken=x"}`,
		}, 2, nil, ""},
		{"a repeating nextLink ends the round", []string{
			`{"value":[{"id":"a"}],"@odata.nextLink":"BASE/users/delta()?p=1"}`,
			`{"value":[{"id":"b"}],"@odata.nextLink":"BASE/users/delta()?p=1"}`,
		}, 2, graph.ErrNextLinkCycle, ""},
		{"no deltaLink at the end", []string{
			`{"value":[{"id":"a"}]}`,
		}, 1, nil, "deltaLink"},
		{"a foreign deltaLink", []string{
			`{"value":[],"@odata.deltaLink":"https://elsewhere.example/v1.0/users/delta()?$deltatoken=x"}`,
		}, 0, graph.ErrForeignNextLink, ""},
		{"an item without id", []string{
			`{"value":[{"displayName":"x"}],"@odata.deltaLink":"BASE/users/delta()?$deltatoken=x"}`,
		}, 0, nil, "no id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			client := scripted(t, tt.pages...)
			round := client.UsersDelta(context.Background(), nil)
			n := 0
			var gotErr error
			for ch, err := range round.Changes() {
				if err != nil {
					gotErr = err
					break
				}
				if ch.ID == "" {
					t.Errorf("change without id: %+v", ch)
				}
				if want := graph.RemovalReason(map[string]string{"gone": "deleted"}[ch.ID]); ch.Removed != want {
					t.Errorf("change %s: removed %q, want %q", ch.ID, ch.Removed, want)
				}
				n++
			}
			if n != tt.changes {
				t.Errorf("%d changes, want %d", n, tt.changes)
			}
			st, stErr := round.State()
			switch {
			case tt.err == nil && tt.errText == "":
				if gotErr != nil || stErr != nil || st.IsZero() {
					t.Errorf("error %v, state %q, %v", gotErr, st, stErr)
				}
			default:
				if gotErr == nil || (tt.err != nil && !errors.Is(gotErr, tt.err)) || !strings.Contains(gotErr.Error(), tt.errText) {
					t.Errorf("error %v, want %v / %q", gotErr, tt.err, tt.errText)
				}
				if stErr == nil {
					t.Errorf("state %q after an error", st)
				}
			}
		})
	}
}

// TestGroupsDeltaMergesRepeatedGroups: a group whose members come in several items spread over pages
// is yielded once, with every member.
func TestGroupsDeltaMergesRepeatedGroups(t *testing.T) {
	ctx := context.Background()
	client, fake := newFakeClient(t, graphtest.Options{Users: 60, PageSize: 3, DeltaMembersPerItem: 4})
	gid, err := fake.AddGroup(map[string]any{"displayName": "Big", "mailNickname": "big", "securityEnabled": true, "mailEnabled": false, "groupTypes": []string{}})
	must(t, err)
	users := fake.UserIDs()
	for _, u := range users[:25] {
		must(t, fake.AddMember(gid, u))
	}
	changes, state := groupRound(t, client, nil)
	if len(changes) != 1 || changes[0].ID != gid || len(changes[0].Members) != 25 {
		t.Fatalf("full sync: %d changes, want 1 group with 25 members: %+v", len(changes), changes)
	}
	if name, _ := changes[0].Group.DisplayName.Get(); name != "Big" {
		t.Errorf("displayName %q", name)
	}
	if n := fake.Requests(graphtest.OpDeltaGroups); n < 3 {
		t.Errorf("%d pages: the group should have spanned pages", n)
	}
	// Remove 10 members and delete the group's neighbour-less twin: the next round merges again.
	for _, u := range users[:10] {
		_, err := client.RemoveGroupMemberWithResponse(ctx, gid, u, nil)
		must(t, err)
	}
	changes, state = groupRound(t, client, &graph.DeltaOptions{State: state})
	if len(changes) != 1 || len(changes[0].Members) != 10 {
		t.Fatalf("after removing 10 members: %+v", changes)
	}
	for _, m := range changes[0].Members {
		if m.Removed != graph.RemovedDeleted {
			t.Errorf("member %s: removed %q", m.ID, m.Removed)
		}
	}
	_, err = client.DeleteGroupWithResponse(ctx, gid, nil)
	must(t, err)
	changes, _ = groupRound(t, client, &graph.DeltaOptions{State: state})
	if len(changes) != 1 || changes[0].Removed != graph.RemovedDeleted {
		t.Fatalf("after deleting the security group: %+v", changes)
	}
}

func TestDeltaOptionsAndState(t *testing.T) {
	client, fake := newFakeClient(t, graphtest.Options{Users: 80})
	ids := fake.UserIDs()
	got, ustate := userRound(t, client, &graph.DeltaOptions{IDs: ids[:3], Select: []string{"id", "displayName"}})
	if len(got) != 3 {
		t.Errorf("IDs filter: %d changes, want 3", len(got))
	}
	req, _ := fake.LastRequest(graphtest.OpDeltaUsers)
	if !strings.HasPrefix(req.Query.Get("$filter"), "id eq '") || req.Query.Get("$select") != "id,displayName" {
		t.Errorf("query %q", req.RawQuery)
	}
	stored := ustate.String()
	back, err := graph.ParseDeltaState(stored + "\n")
	if err != nil || back != ustate {
		t.Fatalf("ParseDeltaState(String()) = %q, %v", back, err)
	}
	for _, tt := range []struct {
		name string
		run  func() error
		want error
	}{
		{"a users state for groups", func() error {
			return firstErr(client.GroupsDelta(context.Background(), &graph.DeltaOptions{State: ustate}).Changes())
		}, graph.ErrInvalidDeltaState},
		{"a state of another host", func() error {
			st, err := graph.ParseDeltaState("https://elsewhere.example/v1.0/users/delta()?$deltatoken=x")
			must(t, err)
			return firstErr(client.UsersDelta(context.Background(), &graph.DeltaOptions{State: st}).Changes())
		}, graph.ErrInvalidDeltaState},
		{"state and select", func() error {
			return firstErr(client.UsersDelta(context.Background(), &graph.DeltaOptions{State: ustate, Select: []string{"id"}}).Changes())
		}, nil},
		{"51 ids", func() error {
			return firstErr(client.UsersDelta(context.Background(), &graph.DeltaOptions{IDs: make([]string, 51)}).Changes())
		}, nil},
		{"nil context", func() error {
			return firstErr(client.UsersDelta(nil, nil).Changes()) //nolint:staticcheck // the guard under test
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "  ", "not a url", "ftp://h/v1.0/users/delta()?$deltatoken=x", "https://h/v1.0/users?$deltatoken=x", "https://h/v1.0/users/delta()", "https://u:p@h/v1.0/users/delta()?$deltatoken=x", strings.Repeat("x", 20000)} {
		if _, err := graph.ParseDeltaState(bad); !errors.Is(err, graph.ErrInvalidDeltaState) {
			t.Errorf("ParseDeltaState(%.40q): %v", bad, err)
		}
	}
}

func firstErr[C any](seq func(func(C, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// FuzzParseDeltaState: a stored state is outside input. Whatever it holds, parsing never panics, and
// a state it accepts reads back the same through String and UnmarshalText.
func FuzzParseDeltaState(f *testing.F) {
	for _, s := range []string{
		"https://graph.microsoft.com/v1.0/users/delta()?$deltatoken=abc",
		"https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=abc&$select=members",
		"http://127.0.0.1:1/v1.0/users/microsoft.graph.delta()?$skiptoken=x",
		"", "%", "https://[::1", "https://h/users/delta()?$deltatoken=%zz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := graph.ParseDeltaState(s)
		if err != nil {
			if !errors.Is(err, graph.ErrInvalidDeltaState) || !st.IsZero() {
				t.Fatalf("error %v (%T) with state %q", err, err, st)
			}
			return
		}
		var back graph.DeltaState
		if err := back.UnmarshalText([]byte(st.String())); err != nil || back != st {
			t.Fatalf("round trip: %q, %v", back, err)
		}
	})
}

// TestUsersDeltaMemoryIsFlat streams a full sync of 100,000 users through UsersDelta and reads the heap
// (after a GC) at 10k, 50k and 100k changes, like TestUsersStreamingMemoryIsFlat for Users: a round
// that kept what it yielded (or its raw items) would grow by tens of megabytes; a streaming one stays
// within noise. The bounds are the same: 2 MB of live heap, 4 MB of heap in use.
//
// The fake keeps no request log here (MaxRecorded -1): its log of the round's 101 requests, each
// allocated between the short-lived objects of a page, keeps about 2 MB of spans in use (measured
// 2.3 MB of heap in use with it, none without), which is the fake's memory, not the client's.
func TestUsersDeltaMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100,000 users; skipped with -short")
	}
	const total = 100_000
	client, fake := newFakeClient(t, graphtest.Options{Users: total, MaxRecorded: -1})
	round := client.UsersDelta(context.Background(), &graph.DeltaOptions{Select: []string{"id", "displayName"}, PageSize: 999})
	checkpoints := map[int]bool{10_000: true, 50_000: true, total: true}
	inuse, live := map[int]uint64{}, map[int]uint64{}
	n := 0
	for ch, err := range round.Changes() {
		if err != nil {
			t.Fatalf("after %d changes: %v", n, err)
		}
		if ch.ID == "" || ch.IsRemoval() {
			t.Fatalf("change %d: %+v", n, ch)
		}
		n++
		if checkpoints[n] {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			inuse[n], live[n] = ms.HeapInuse, ms.HeapAlloc
		}
	}
	if n != total {
		t.Fatalf("streamed %d changes, want %d", n, total)
	}
	if _, err := round.State(); err != nil {
		t.Fatal(err)
	}
	if got := fake.Requests(graphtest.OpDeltaUsers); got != (total+998)/999 {
		t.Errorf("%d page requests, want %d", got, (total+998)/999)
	}
	checkHeapFlat(t, "changes", live, inuse, total)
}
