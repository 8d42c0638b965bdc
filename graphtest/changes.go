package graphtest

import (
	"slices"
	"strings"
	"time"
)

// This file tracks changes for delta queries: which properties of a user or
// group changed at which sequence number, which members joined or left a
// group and when, and the knobs that age or invalidate delta tokens. The
// directory's change log (directory.go) says which objects changed; the
// marks kept here say what changed in them. delta.go answers from both.

// DeltaTokenLifetime is how long a delta token stays usable, as Graph's
// directory tokens: after it a round from the token answers Graph's 400
// syncStateNotFound. See [Server.AgeDeltaTokens].
const DeltaTokenLifetime = 7 * 24 * time.Hour

// deltaTrack is the change tracking of one user or group. Its fields are
// guarded by the directory's mu, like the rest of objRec.
type deltaTrack struct {
	group   bool              // the record is a group (delta for users skips it, and the reverse)
	born    uint64            // sequence number of the record's creation
	propSeq map[string]uint64 // property -> sequence of its last change after creation; nil until an update
	reason  string            // @removed reason once deleted: "changed" (restorable) or "deleted"
	marks   []memberMark      // a group's members, present and removed, in the order first added
}

// memberMark is the last change of one member of a group.
type memberMark struct {
	id        string
	odataType string
	seq       uint64
	removed   bool
}

// changedSince reports whether property name of u changed after seq since.
func (u *objRec) changedSince(name string, since uint64) bool {
	if s, ok := u.delta.propSeq[name]; ok {
		return s > since
	}
	return u.delta.born > since
}

// trackCreate marks u, just recorded, as created now.
func (d *directory) trackCreate(u *objRec, group bool) {
	u.delta.group = group
	u.delta.born = u.seq
}

// trackUpdate marks the properties that differ between old and u's props,
// u just recorded, as changed now.
func (d *directory) trackUpdate(u *objRec, old map[string]any) {
	if u.delta.propSeq == nil {
		u.delta.propSeq = make(map[string]uint64)
	}
	for k, v := range u.props {
		if ov, ok := old[k]; !ok || !jsonEqual(ov, v) {
			u.delta.propSeq[k] = u.seq
		}
	}
	for k := range old {
		if _, ok := u.props[k]; !ok {
			u.delta.propSeq[k] = u.seq
		}
	}
}

// trackRemove sets why u is reported removed: users and Microsoft 365
// groups go to deleted items ("changed", restorable), security groups are
// deleted for good ("deleted").
func (d *directory) trackRemove(u *objRec) {
	u.delta.reason = "changed"
	if u.delta.group {
		types, _ := u.props["groupTypes"].([]any)
		if !slices.Contains(types, any("Unified")) {
			u.delta.reason = "deleted"
		}
	}
}

// trackMember records that memberID joined (removed false) or left the
// group groupID, logging the group as changed. Callers hold mu for writing.
func (d *directory) trackMember(groupID, memberID string, removed bool) {
	g := d.groupByID[strings.ToLower(groupID)]
	if g == nil {
		return
	}
	d.record(g)
	i := slices.IndexFunc(g.delta.marks, func(m memberMark) bool { return strings.EqualFold(m.id, memberID) })
	if i < 0 {
		g.delta.marks = append(g.delta.marks, memberMark{id: memberID, odataType: d.odataTypeOf(memberID)})
		i = len(g.delta.marks) - 1
	}
	g.delta.marks[i].seq = g.seq
	g.delta.marks[i].removed = removed
}

// odataTypeOf returns the @odata.type of a live directory object.
func (d *directory) odataTypeOf(id string) string {
	k := strings.ToLower(id)
	if d.byID[k] != nil {
		return "#microsoft.graph.user"
	}
	if t, ok := d.objects[k]["@odata.type"].(string); ok {
		return t
	}
	return "#microsoft.graph.directoryObject"
}

// jsonEqual compares two JSON-shaped values (as decoded: maps, slices,
// strings, float64, bool, nil).
func jsonEqual(a, b any) bool {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, v := range av {
			w, ok := bv[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !jsonEqual(av[i], bv[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

// deltaKnobs are the test controls over delta tokens, guarded by the
// directory's mu.
type deltaKnobs struct {
	gen   uint64        // tokens of an earlier generation answer 410 Gone (ForceDeltaResync)
	shift time.Duration // added to the server clock when issuing and checking delta tokens (AgeDeltaTokens)
}

// AgeDeltaTokens makes every delta token issued so far older by age: once
// older than DeltaTokenLifetime, a round from it (or from a nextLink of a
// round started from it) answers Graph's 400 syncStateNotFound, "the delta
// token is expired". Tokens issued afterwards start fresh.
func (s *Server) AgeDeltaTokens(age time.Duration) {
	s.dir.mu.Lock()
	s.dir.knobs.shift += age
	s.dir.mu.Unlock()
}

// ForceDeltaResync makes every delta token issued so far, and the nextLinks
// of rounds in progress, answer 410 Gone with a Location to restart from, as
// Graph does when it cannot continue a sync. Tokens issued afterwards work.
func (s *Server) ForceDeltaResync() {
	s.dir.mu.Lock()
	s.dir.knobs.gen++
	s.dir.mu.Unlock()
}

// deltaClock is the clock delta tokens are issued and checked with, in
// seconds. Callers hold mu.
func (s *Server) deltaClock() uint64 {
	t := s.now().Add(s.dir.knobs.shift).Unix()
	return uint64(max(t, 0))
}
