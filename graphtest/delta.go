package graphtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// DefaultDeltaMembersPerItem is how many members@delta entries a group
// carries in one delta item unless Options.DeltaMembersPerItem says
// otherwise; a group with more changes is repeated, as Graph does.
const DefaultDeltaMembersPerItem = 20

// deltaQuery is a validated delta request.
type deltaQuery struct {
	et      *entityType
	groups  bool
	sel     []string // nil: the default properties
	members bool     // groups: members@delta is wanted
	filter  *filter
	size    int
	minimal bool // Prefer: return=minimal
}

// deltaUsers implements GET /users/delta().
func (s *Server) deltaUsers(w http.ResponseWriter, r *http.Request, q queryParams) {
	s.delta(w, r, q, userType, false)
}

// deltaGroups implements GET /groups/delta().
func (s *Server) deltaGroups(w http.ResponseWriter, r *http.Request, q queryParams) {
	s.delta(w, r, q, groupType, true)
}

// delta answers a delta round of users or groups. A round without
// $deltatoken returns every live object; its last page carries an
// @odata.deltaLink whose $deltatoken returns, in a later round, what changed
// since: updated objects (every selected property, or with Prefer:
// return=minimal only those changed), removed ones as {"id", "@removed":
// {"reason"}}, and for groups the members added and removed in
// members@delta. $deltatoken=latest returns no object, only a deltaLink from
// now. Pages follow the change log in sequence order, bounded by the
// sequence number at the round's first page, so an object written during a
// round shows up in the next round too.
func (s *Server) delta(w http.ResponseWriter, r *http.Request, q queryParams, et *entityType, groups bool) {
	dq, qerr := s.parseDelta(r, q, et, groups)
	if qerr != nil {
		s.GraphError(w, r, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	d := s.dir
	d.mu.RLock()
	// since: changes after it are wanted (0 = full round); snap: upper bound
	// of this round; after: last seq already returned in this round; chunk:
	// members@delta slices of the entry after it already returned.
	var since, snap, after, chunk uint64
	now := s.deltaClock()
	switch tok := q.get("$deltatoken"); {
	case q.get("$skiptoken") != "":
		nums, ok := decodeToken(q.get("$skiptoken"), "d", 6)
		if !ok {
			d.mu.RUnlock()
			s.GraphError(w, r, http.StatusBadRequest, errExpiredToken.code, errExpiredToken.msg)
			return
		}
		if !s.tokenUsable(w, r, q, nums[4], nums[5], now) {
			d.mu.RUnlock()
			return
		}
		since, snap, after, chunk = nums[0], nums[1], nums[2], nums[3]
	case strings.EqualFold(tok, "latest"):
		link := s.link(r, q, "$deltatoken", encodeToken("t", d.seq, d.knobs.gen, now))
		d.mu.RUnlock()
		s.writeOData(w, r, http.StatusOK, collection{Context: s.context(et, dq.sel, false), DeltaLink: link, Value: []any{}})
		return
	case tok != "":
		nums, ok := decodeToken(tok, "t", 3)
		if !ok || nums[0] > d.seq {
			d.mu.RUnlock()
			s.GraphError(w, r, http.StatusBadRequest, "syncStateNotFound",
				"The sync state generation is not found. Perform a full resync without a delta token.")
			return
		}
		if !s.tokenUsable(w, r, q, nums[1], nums[2], now) {
			d.mu.RUnlock()
			return
		}
		since, snap, after = nums[0], d.seq, nums[0]
	default:
		snap = d.seq
	}
	var items []any
	more := false
	first := true
	for i := d.changesAfter(after); i < len(d.log) && !more; i++ {
		c := d.log[i]
		if c.seq > snap {
			break
		}
		start := uint64(0)
		if first {
			start, first = chunk, false
		}
		rec := c.rec
		// A stale entry (the record was written again since) is skipped,
		// unless that later write falls after this round's snapshot: the
		// record is then reported from here, as well as in the next round.
		if rec.delta.group != groups || (rec.seq != c.seq && rec.seq <= snap) {
			after, chunk = c.seq, 0
			continue
		}
		parts := s.deltaItems(dq, rec, since)
		for j := start; j < uint64(len(parts)); j++ {
			if len(items) == dq.size {
				more, chunk = true, j
				break
			}
			items = append(items, parts[j])
		}
		if !more {
			after, chunk = c.seq, 0
		}
	}
	gen := d.knobs.gen
	d.mu.RUnlock()
	if items == nil {
		items = []any{}
	}
	resp := collection{Context: s.context(et, dq.sel, false), Value: items}
	if more {
		resp.NextLink = s.link(r, q, "$skiptoken", encodeToken("d", since, snap, after, chunk, gen, now))
	} else {
		resp.DeltaLink = s.link(r, q, "$deltatoken", encodeToken("t", snap, gen, now))
	}
	s.writeOData(w, r, http.StatusOK, resp)
}

// parseDelta checks a delta request's query and headers.
func (s *Server) parseDelta(r *http.Request, q queryParams, et *entityType, groups bool) (*deltaQuery, *queryError) {
	if err := checkOptions(q, "$select", "$filter", "$top", "$skiptoken", "$deltatoken"); err != nil {
		return nil, err
	}
	dq := &deltaQuery{et: et, groups: groups, size: s.opts.PageSize, members: groups}
	if src := q.get("$select"); src != "" {
		var names []string
		dq.members = false
		for _, n := range strings.Split(src, ",") {
			if groups && strings.EqualFold(strings.TrimSpace(n), "members") {
				dq.members = true
				continue
			}
			names = append(names, n)
		}
		sel, err := parseSelect(et, strings.Join(names, ","))
		if err != nil {
			return nil, err.(*queryError)
		}
		if sel == nil {
			sel = []string{}
		}
		if !slices.Contains(sel, "id") {
			sel = append(sel, "id") // delta items always carry their id
		}
		dq.sel = sel
	}
	if q.has("$filter") {
		f, err := parseFilter(et, q.get("$filter"))
		if err != nil {
			return nil, err.(*queryError)
		}
		dq.filter = f
	}
	prefer := strings.Join(r.Header.Values("Prefer"), ",")
	if n, ok := maxPageSize(prefer); ok {
		dq.size = n
	}
	for _, p := range strings.Split(prefer, ",") {
		if strings.EqualFold(strings.TrimSpace(p), "return=minimal") {
			dq.minimal = true
		}
	}
	if q.has("$top") {
		if n, err := strconv.Atoi(q.get("$top")); err == nil && n >= 1 && n <= 999 {
			dq.size = n
		}
	}
	return dq, nil
}

// tokenUsable checks a delta or skip token's generation and age, writing
// Graph's error when it is no longer usable. Callers hold mu for reading.
func (s *Server) tokenUsable(w http.ResponseWriter, r *http.Request, q queryParams, gen, issued, now uint64) bool {
	if gen < s.dir.knobs.gen {
		w.Header().Set("Location", s.restartLink(r, q))
		s.GraphError(w, r, http.StatusGone, "resyncRequired",
			"The sync state can no longer be used. Start again with a full synchronization.")
		return false
	}
	if now > issued && now-issued > uint64(DeltaTokenLifetime.Seconds()) {
		s.GraphError(w, r, http.StatusBadRequest, "syncStateNotFound",
			"The sync state generation is not found. The delta token is expired and data must be synchronized again.")
		return false
	}
	return true
}

// deltaItems returns what a round reports about rec since seq since: none
// when nothing tracked changed, one item, or for a group with many member
// changes several items each with a slice of them. Callers hold mu.
func (s *Server) deltaItems(dq *deltaQuery, rec *objRec, since uint64) []any {
	if rec.deleted {
		if since == 0 {
			return nil
		}
		return []any{map[string]any{"id": rec.id, "@removed": map[string]any{"reason": rec.delta.reason}}}
	}
	if dq.filter != nil && !dq.filter.eval(rec.props, nil) {
		return nil
	}
	var members []any
	if dq.members {
		for _, m := range rec.delta.marks {
			if (since == 0 && m.removed) || (since > 0 && m.seq <= since) {
				continue
			}
			e := map[string]any{"@odata.type": m.odataType, "id": m.id}
			if m.removed {
				e["@removed"] = map[string]any{"reason": "deleted"}
			}
			members = append(members, e)
		}
	}
	sel := dq.sel
	if sel == nil {
		sel = dq.et.defaults
	}
	fresh := since == 0 || rec.delta.born > since
	var props map[string]any
	switch {
	case fresh || !dq.minimal:
		if !fresh && len(members) == 0 && !slices.ContainsFunc(sel, func(n string) bool { return rec.changedSince(n, since) }) {
			return nil // only untracked properties changed
		}
		props = project(dq.et, rec.props, dq.sel)
	default:
		var changed []string
		for _, n := range sel {
			if n != "id" && rec.changedSince(n, since) {
				changed = append(changed, n)
			}
		}
		if len(changed) == 0 && len(members) == 0 {
			return nil
		}
		props = project(dq.et, rec.props, append(changed, "id"))
	}
	if !dq.members {
		return []any{props}
	}
	per := s.opts.DeltaMembersPerItem
	if per <= 0 {
		per = DefaultDeltaMembersPerItem
	}
	var out []any
	for len(out) == 0 || len(members) > 0 {
		n := min(per, len(members))
		item := make(map[string]any, len(props)+1)
		for k, v := range props {
			item[k] = v
		}
		slice := members[:n:n]
		if slice == nil {
			slice = []any{}
		}
		item["members@delta"] = slice
		members = members[n:]
		out = append(out, item)
	}
	return out
}

// restartLink is the request's URL without its $skiptoken and $deltatoken:
// a full sync with the same query, where a 410 says to start again.
func (s *Server) restartLink(r *http.Request, q queryParams) string {
	return s.link(r, q, "", "")
}
