package graphtest

import (
	"net/http"
	"slices"
	"strconv"
)

// deltaUsers implements GET /users/delta(). A round without $deltatoken
// returns every user; its last page carries an @odata.deltaLink whose
// $deltatoken returns, in a later round, the users written or deleted since
// (deleted ones as {"id":..., "@removed":{"reason":"changed"}}). Pages
// follow the change log in sequence order, bounded by the sequence number
// at the round's first page, so a user written during a round shows up in
// the next round rather than twice or never.
func (s *Server) deltaUsers(w http.ResponseWriter, r *http.Request, q queryParams) {
	if err := checkOptions(q, "$select", "$filter", "$top", "$skiptoken", "$deltatoken"); err != nil {
		s.GraphError(w, r, http.StatusBadRequest, err.code, err.msg)
		return
	}
	sel, err := parseSelect(userType, q.get("$select"))
	if err != nil {
		qe := err.(*queryError)
		s.GraphError(w, r, http.StatusBadRequest, qe.code, qe.msg)
		return
	}
	if sel != nil && !slices.Contains(sel, "id") {
		sel = append(sel, "id") // delta items always carry their id
	}
	var f *filter
	if q.has("$filter") {
		if f, err = parseFilter(userType, q.get("$filter")); err != nil {
			qe := err.(*queryError)
			s.GraphError(w, r, http.StatusBadRequest, qe.code, qe.msg)
			return
		}
	}
	size := s.opts.PageSize
	if n, ok := maxPageSize(r.Header.Get("Prefer")); ok {
		size = n
	}
	if q.has("$top") {
		if n, err := strconv.Atoi(q.get("$top")); err == nil && n >= 1 && n <= 999 {
			size = n
		}
	}
	d := s.dir
	d.mu.RLock()
	// since: changes after it are wanted (0 = full round); snap: upper bound
	// of this round; after: last seq already returned in this round.
	var since, snap, after uint64
	switch {
	case q.get("$skiptoken") != "":
		nums, ok := decodeToken(q.get("$skiptoken"), "d", 3)
		if !ok {
			d.mu.RUnlock()
			s.GraphError(w, r, http.StatusBadRequest, errExpiredToken.code, errExpiredToken.msg)
			return
		}
		since, snap, after = nums[0], nums[1], nums[2]
	case q.get("$deltatoken") != "":
		nums, ok := decodeToken(q.get("$deltatoken"), "t", 1)
		if !ok || nums[0] > d.seq {
			d.mu.RUnlock()
			s.GraphError(w, r, http.StatusBadRequest, "SyncStateNotFound",
				"The sync state generation is not found. Perform a full resync without a delta token.")
			return
		}
		since, snap, after = nums[0], d.seq, nums[0]
	default:
		snap = d.seq
	}
	var items []any
	last := after
	more := false
	for i := d.changesAfter(after); i < len(d.log); i++ {
		c := d.log[i]
		if c.seq > snap {
			break
		}
		if c.rec.seq != c.seq || (since == 0 && c.rec.deleted) {
			continue
		}
		if !c.rec.deleted && f != nil && !f.eval(c.rec.props, nil) {
			last = c.seq
			continue
		}
		if len(items) == size {
			more = true
			break
		}
		last = c.seq
		if c.rec.deleted {
			items = append(items, map[string]any{"id": c.rec.id, "@removed": map[string]any{"reason": "changed"}})
		} else {
			items = append(items, project(userType, c.rec.props, sel))
		}
	}
	d.mu.RUnlock()
	if items == nil {
		items = []any{}
	}
	resp := collection{Context: s.context(userType, sel, false), Value: items}
	if more {
		resp.NextLink = s.link(r, q, "$skiptoken", encodeToken("d", since, snap, last))
	} else {
		resp.DeltaLink = s.link(r, q, "$deltatoken", encodeToken("t", snap))
	}
	s.writeOData(w, r, http.StatusOK, resp)
}
