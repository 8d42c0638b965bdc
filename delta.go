package graph

// This file is delta sync: rounds of typed changes to users and groups, read through paging.go's pages
// and ending with a DeltaState that starts the next round.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RemovalReason says why a delta round reports an object (or a group member) as removed.
type RemovalReason string

const (
	// RemovedChanged means the object was soft-deleted: it sits in the directory's deleted items and can
	// still be restored, when it comes back as an upsert. For a group member it means the member left.
	RemovedChanged RemovalReason = "changed"
	// RemovedDeleted means the object is gone for good.
	RemovedDeleted RemovalReason = "deleted"
)

// UserChange is one change of a users delta round: an upsert (Removed is "") or a removal.
type UserChange struct {
	// ID is the user's object id, set for both kinds of change.
	ID string
	// Removed is why the user was removed, or "" for an upsert.
	Removed RemovalReason
	// User holds the properties Graph sent for an upsert, and only those: a property it did not send
	// is unset (a nil pointer, a Nullable that is not specified), one it sent as null is null. In a
	// first round Graph sends every selected property; later, with DeltaOptions.Minimal, only the ones
	// that changed. Zero for a removal.
	User User
}

// IsRemoval reports whether the change removes the user.
func (c UserChange) IsRemoval() bool { return c.Removed != "" }

// GroupChange is one change of a groups delta round: an upsert (Removed is "") or a removal.
//
// Graph may send a group several times in one round, each time with a slice of its member changes (a
// large group spans pages). A round merges them: one GroupChange per group, its properties the union
// of what was sent (later values win), Members the net change of each member.
type GroupChange struct {
	// ID is the group's object id.
	ID string
	// Removed is why the group was removed, or "" for an upsert.
	Removed RemovalReason
	// Group holds the properties Graph sent, like UserChange.User.
	Group Group
	// Members are the member additions and removals Graph sent in members@delta (present when the
	// round tracks members: no DeltaOptions.Select, or one naming "members"), in the order first seen.
	Members []MemberChange
}

// IsRemoval reports whether the change removes the group.
func (c GroupChange) IsRemoval() bool { return c.Removed != "" }

// MemberChange is a member added to or removed from a group.
type MemberChange struct {
	// ID is the member's object id.
	ID string
	// ODataType tells the member's kind, such as "#microsoft.graph.user" or "#microsoft.graph.group".
	ODataType string
	// Removed is "" for a member added, and the reason Graph gave for one removed.
	Removed RemovalReason
}

// DeltaOptions say where a delta round starts and what it tracks. The zero value starts a full sync of
// every property Graph returns by default.
type DeltaOptions struct {
	// State resumes from the end of an earlier round. A state carries the query that started its
	// sync, so Select, IDs and Latest must be empty with it.
	State DeltaState
	// Latest starts from now: the round yields no change, only a state from which the next round
	// reports what changes afterwards ($deltatoken=latest).
	Latest bool
	// Select names the properties tracked ($select); for groups it may name "members". Changes to
	// other properties are not reported.
	Select []string
	// IDs restricts the sync to these objects ($filter on id; at most 50).
	IDs []string
	// Minimal asks Graph to send only the properties that changed for an updated object (Prefer:
	// return=minimal) rather than every selected one. It applies to every request of the round.
	Minimal bool
	// PageSize asks Graph for at most this many objects a page (Prefer: odata.maxpagesize, 1 to
	// 999); 0 leaves Graph's default. Graph may send fewer.
	PageSize int
}

// maxDeltaIDs is Graph's limit on the ids of a delta $filter.
const maxDeltaIDs = 50

// DeltaState is where a delta round ended: Graph's whole @odata.deltaLink. Store it (String or
// MarshalText) in a file or a database row and pass it back in DeltaOptions.State, after
// ParseDeltaState or UnmarshalText, to get the changes since. Graph keeps directory states for 7 days;
// an older one gives a *ResyncError.
type DeltaState struct {
	link string
}

// maxDeltaState bounds a stored state: Graph's deltaLinks are a few hundred bytes.
const maxDeltaState = 16 << 10

// ErrInvalidDeltaState is returned (wrapped) for a stored state that is not a delta link.
var ErrInvalidDeltaState = errors.New("graph: invalid delta state")

// ParseDeltaState reads a state stored from DeltaState.String. Surrounding white space (a newline at
// the end of a file) is ignored. It checks the form of the state; the client also checks, before
// sending anything, that it points under its own base URL and at the right resource.
func ParseDeltaState(s string) (DeltaState, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DeltaState{}, fmt.Errorf("%w: the state is empty", ErrInvalidDeltaState)
	}
	if len(s) > maxDeltaState {
		return DeltaState{}, fmt.Errorf("%w: the state is too long", ErrInvalidDeltaState)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return DeltaState{}, fmt.Errorf("%w: the state is not an absolute http(s) URL", ErrInvalidDeltaState)
	}
	if deltaKind(u.Path) == "" {
		return DeltaState{}, fmt.Errorf("%w: the state is not a users or groups delta link", ErrInvalidDeltaState)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || (q.Get("$deltatoken") == "" && q.Get("$skiptoken") == "") {
		return DeltaState{}, fmt.Errorf("%w: the state has no delta token", ErrInvalidDeltaState)
	}
	return DeltaState{link: s}, nil
}

// String returns the state as stored: the delta link.
func (s DeltaState) String() string { return s.link }

// IsZero reports whether s is the zero state, which starts a full sync.
func (s DeltaState) IsZero() bool { return s.link == "" }

// MarshalText returns the state as stored.
func (s DeltaState) MarshalText() ([]byte, error) { return []byte(s.link), nil }

// UnmarshalText reads a stored state, like ParseDeltaState; empty text gives the zero state.
func (s *DeltaState) UnmarshalText(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		*s = DeltaState{}
		return nil
	}
	st, err := ParseDeltaState(string(b))
	if err != nil {
		return err
	}
	*s = st
	return nil
}

// deltaKind returns "users" or "groups" for the path of a delta function on them, else "".
func deltaKind(path string) string {
	path = strings.TrimSuffix(path, "/")
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return ""
	}
	fn := strings.ToLower(path[i+1:])
	if fn != "delta()" && fn != "delta" && fn != "microsoft.graph.delta()" && fn != "microsoft.graph.delta" {
		return ""
	}
	set := path[:i]
	switch strings.ToLower(set[strings.LastIndexByte(set, '/')+1:]) {
	case "users":
		return "users"
	case "groups":
		return "groups"
	}
	return ""
}

// ErrResyncRequired matches (errors.Is) every *ResyncError.
var ErrResyncRequired = errors.New("graph: delta state no longer valid, a full resync is needed")

// ErrDeltaRoundIncomplete is returned by DeltaRound.State when the round has not reached its end: it
// failed, was stopped early, or was never run.
var ErrDeltaRoundIncomplete = errors.New("graph: the delta round did not complete")

// ResyncError says Graph no longer accepts a delta state (it expired after 7 days, was invalidated or
// is unknown): start again with a full sync (a zero DeltaOptions.State) and reconcile what it returns
// with what you hold. Graph says so with 410 Gone or with an error code such as syncStateNotFound,
// resyncRequired or invalidSyncToken.
type ResyncError struct {
	// Err is Graph's answer.
	Err *Error
	// Location is where a 410 answer says to restart, when it names one. A full sync with the same
	// options is equivalent.
	Location string
}

func (e *ResyncError) Error() string {
	if e.Err == nil {
		return ErrResyncRequired.Error()
	}
	return ErrResyncRequired.Error() + ": " + strings.TrimPrefix(e.Err.Error(), "graph: ")
}

// Unwrap returns Graph's error.
func (e *ResyncError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrResyncRequired) true.
func (e *ResyncError) Is(target error) bool { return target == ErrResyncRequired }

// resyncCodes are Graph's error codes for a delta state it cannot continue from, lower-cased.
var resyncCodes = map[string]bool{
	"syncstatenotfound": true, "syncstateinvalid": true, "resyncrequired": true,
	"invalidsynctoken": true, "expiredsynctoken": true, "synctokenexpired": true,
}

// asResync turns Graph's answer that a delta state is no longer valid into a *ResyncError.
func asResync(err error) error {
	var gerr *Error
	if !errors.As(err, &gerr) {
		return err
	}
	if gerr.StatusCode == http.StatusGone || resyncCodes[strings.ToLower(gerr.Code)] {
		return &ResyncError{Err: gerr, Location: gerr.location}
	}
	return err
}

// DeltaRound is one round of a delta sync: Changes yields its changes and, once they are all read,
// State returns where the next round starts. A DeltaRound is not safe for concurrent use; each call
// of Changes runs the round again from its options.
type DeltaRound[C any] struct {
	c     *Client
	ctx   context.Context
	kind  string // "users" or "groups"
	opts  DeltaOptions
	state DeltaState // set when a run of Changes reached the deltaLink
}

// UsersDelta returns a round of changes to users (GET /users/delta()). A full sync yields every user
// as an upsert; a round from a state yields what changed since. Users stream: memory stays flat
// however many there are. The same user may come more than once in a round; apply changes in order.
func (c *Client) UsersDelta(ctx context.Context, opts *DeltaOptions) *DeltaRound[UserChange] {
	r := &DeltaRound[UserChange]{c: c, ctx: ctx, kind: "users"}
	if opts != nil {
		r.opts = *opts
	}
	return r
}

// GroupsDelta returns a round of changes to groups (GET /groups/delta()), with their member changes
// when tracked. Since Graph may repeat a group anywhere in a round, the round is read to its end and
// merged (one GroupChange per group) before the first change is yielded: memory grows with the
// number of groups that changed.
func (c *Client) GroupsDelta(ctx context.Context, opts *DeltaOptions) *DeltaRound[GroupChange] {
	r := &DeltaRound[GroupChange]{c: c, ctx: ctx, kind: "groups"}
	if opts != nil {
		r.opts = *opts
	}
	return r
}

// State returns the state at the end of the round, to store for the next one. It returns
// ErrDeltaRoundIncomplete unless the last run of Changes went through every page without error and
// the caller did not stop early, so a state never skips changes the caller did not see.
func (r *DeltaRound[C]) State() (DeltaState, error) {
	if r.state.IsZero() {
		return DeltaState{}, ErrDeltaRoundIncomplete
	}
	return r.state, nil
}

// Changes runs the round, yielding its changes in order. Iteration stops at the first error, which
// is yielded once: a *ResyncError when Graph no longer accepts the state, ErrForeignNextLink for a
// link outside the client's base URL, ErrInvalidDeltaState for a state of the wrong resource.
func (r *DeltaRound[C]) Changes() iter.Seq2[C, error] {
	return func(yield func(C, error) bool) {
		var zero C
		r.state = DeltaState{}
		if r.ctx == nil {
			yield(zero, errNilContext)
			return
		}
		req, err := r.firstRequest()
		if err != nil {
			yield(zero, err)
			return
		}
		var deltaLink string
		end := func(link string) { deltaLink = link }
		var complete bool
		switch y := any(yield).(type) {
		case func(UserChange, error) bool:
			complete = streamUsers(pagesThen[userDeltaItem](r.ctx, r.c, req, end), y)
		case func(GroupChange, error) bool:
			complete = mergeGroups(pagesThen[json.RawMessage](r.ctx, r.c, req, end), y)
		}
		if !complete {
			return
		}
		if deltaLink == "" {
			yield(zero, &UnexpectedResponseError{StatusCode: http.StatusOK, Reason: "the last page of a delta round has no @odata.deltaLink"})
			return
		}
		link, err := r.c.nextLink(deltaLink)
		if err != nil {
			yield(zero, err)
			return
		}
		if r.ctx.Err() != nil {
			yield(zero, r.ctx.Err())
			return
		}
		r.state = DeltaState{link: link}
	}
}

// firstRequest builds the round's first request: the stored link, or the delta function with the
// options' query.
func (r *DeltaRound[C]) firstRequest() (*http.Request, error) {
	o := r.opts
	var link string
	if !o.State.IsZero() {
		if o.Latest || len(o.Select) > 0 || len(o.IDs) > 0 {
			return nil, errors.New("graph: DeltaOptions.State carries its query; Latest, Select and IDs must be empty with it")
		}
		u, err := r.c.nextLink(o.State.link)
		if err != nil {
			return nil, fmt.Errorf("%w: the state is not under the client's base URL", ErrInvalidDeltaState)
		}
		pu, _ := url.Parse(u)
		if deltaKind(pu.Path) != r.kind {
			return nil, fmt.Errorf("%w: the state is not a %s delta link", ErrInvalidDeltaState, r.kind)
		}
		link = u
	} else {
		if len(o.IDs) > maxDeltaIDs {
			return nil, errors.New("graph: a delta round filters on at most 50 ids")
		}
		q := make([]string, 0, 3)
		if len(o.Select) > 0 {
			q = append(q, "$select="+url.QueryEscape(strings.Join(o.Select, ",")))
		}
		if len(o.IDs) > 0 {
			var f strings.Builder
			for i, id := range o.IDs {
				if id == "" {
					return nil, errors.New("graph: empty id in DeltaOptions.IDs")
				}
				if i > 0 {
					f.WriteString(" or ")
				}
				f.WriteString("id eq '")
				f.WriteString(strings.ReplaceAll(id, "'", "''"))
				f.WriteString("'")
			}
			q = append(q, "$filter="+url.QueryEscape(f.String()))
		}
		if o.Latest {
			q = append(q, "$deltatoken=latest")
		}
		link = r.c.server + r.kind + "/delta()"
		if len(q) > 0 {
			link += "?" + strings.Join(q, "&")
		}
	}
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, err
	}
	var prefer []string
	if o.Minimal {
		prefer = append(prefer, "return=minimal")
	}
	if o.PageSize != 0 {
		if o.PageSize < 1 || o.PageSize > 999 {
			return nil, errors.New("graph: DeltaOptions.PageSize must be 1 to 999")
		}
		prefer = append(prefer, "odata.maxpagesize="+strconv.Itoa(o.PageSize))
	}
	if len(prefer) > 0 {
		req.Header.Set(preferKey, strings.Join(prefer, ", "))
	}
	return req, nil
}

// deltaProbe reads what a delta item says beyond the entity's own properties.
type deltaProbe struct {
	ID      string        `json:"id"`
	Removed *deltaRemoved `json:"@removed"`
	Members []deltaMember `json:"members@delta"`
}

type deltaRemoved struct {
	Reason string `json:"reason"`
}

type deltaMember struct {
	ID      string        `json:"id"`
	Type    string        `json:"@odata.type"`
	Removed *deltaRemoved `json:"@removed"`
}

// reason is the RemovalReason of an @removed annotation; Graph always names one, and an empty one is
// taken as "changed", the weaker claim.
func (d *deltaRemoved) reason() RemovalReason {
	if d.Reason == "" {
		return RemovedChanged
	}
	return RemovalReason(d.Reason)
}

// badItem is the error for a delta item the client cannot read; err is the decoder's, if any.
func badItem(reason string, err error) error {
	if err != nil {
		reason += ": " + err.Error()
	}
	return &UnexpectedResponseError{StatusCode: http.StatusOK, ContentType: "application/json", Reason: reason, Err: err}
}

// userDeltaItem is an item of a users delta round as sent: a user's properties, or its id and
// @removed. User has no UnmarshalJSON of its own, so one decode fills both the embedded user and
// Removed (TestDeltaPages would see removals turn into upserts if it got one).
type userDeltaItem struct {
	User
	Removed *deltaRemoved `json:"@removed"`
}

// streamUsers turns users delta items into changes as they come. It reports whether items ended
// without error and without the caller stopping.
func streamUsers(items iter.Seq2[userDeltaItem, error], yield func(UserChange, error) bool) bool {
	for it, err := range items {
		if err != nil {
			yield(UserChange{}, asResync(err))
			return false
		}
		var ch UserChange
		if it.Removed != nil {
			ch.Removed = it.Removed.reason()
		} else {
			ch.User = it.User
		}
		if it.User.ID != nil {
			ch.ID = *it.User.ID
		}
		if ch.ID == "" {
			yield(UserChange{}, badItem("a delta item has no id", nil))
			return false
		}
		if !yield(ch, nil) {
			return false
		}
	}
	return true
}

// groupAcc gathers what a round says about one group.
type groupAcc struct {
	id      string
	removed RemovalReason
	props   map[string]json.RawMessage // properties sent, later values replacing earlier ones
	members []MemberChange
	index   map[string]int // member id -> its index in members
}

// mergeGroups reads a whole groups round, merging the items of each group, then yields one change per
// group in the order groups were first seen. It reports whether items ended without error and
// without the caller stopping.
func mergeGroups(items iter.Seq2[json.RawMessage, error], yield func(GroupChange, error) bool) bool {
	var order []*groupAcc
	byID := map[string]*groupAcc{}
	for raw, err := range items {
		if err != nil {
			yield(GroupChange{}, asResync(err))
			return false
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			yield(GroupChange{}, badItem("malformed delta item", err))
			return false
		}
		var p deltaProbe
		if err := json.Unmarshal(raw, &p); err != nil {
			yield(GroupChange{}, badItem("malformed delta item", err))
			return false
		}
		if p.ID == "" {
			yield(GroupChange{}, badItem("a delta item has no id", nil))
			return false
		}
		key := strings.ToLower(p.ID)
		g := byID[key]
		if g == nil {
			g = &groupAcc{id: p.ID, props: map[string]json.RawMessage{}, index: map[string]int{}}
			byID[key] = g
			order = append(order, g)
		}
		if p.Removed != nil {
			g.removed = p.Removed.reason()
			continue
		}
		g.removed = ""
		for k, v := range fields {
			if k == "@removed" || k == "members@delta" || strings.HasPrefix(k, "@odata.") && k != "@odata.type" {
				continue
			}
			g.props[k] = v
		}
		for _, m := range p.Members {
			if m.ID == "" {
				yield(GroupChange{}, badItem("a members@delta entry has no id", nil))
				return false
			}
			mc := MemberChange{ID: m.ID, ODataType: m.Type}
			if m.Removed != nil {
				mc.Removed = m.Removed.reason()
			}
			mk := strings.ToLower(m.ID)
			if i, ok := g.index[mk]; ok {
				if mc.ODataType == "" {
					mc.ODataType = g.members[i].ODataType
				}
				g.members[i] = mc
				continue
			}
			g.index[mk] = len(g.members)
			g.members = append(g.members, mc)
		}
	}
	for _, g := range order {
		ch := GroupChange{ID: g.id, Removed: g.removed}
		if g.removed == "" {
			b, err := json.Marshal(g.props)
			if err == nil {
				err = json.Unmarshal(b, &ch.Group)
			}
			if err != nil {
				yield(GroupChange{}, badItem("malformed delta item", err))
				return false
			}
			ch.Members = g.members
		}
		if !yield(ch, nil) {
			return false
		}
	}
	return true
}
