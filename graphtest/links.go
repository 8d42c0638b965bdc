package graphtest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// A link is a directory relationship the fake serves as a collection of
// directory objects: a group's members, a user's memberOf.
type link struct {
	// owner finds the object whose relationship is read (nil when none).
	owner func(d *directory, key string) *objRec
	// ids returns the linked object ids of owner, in insertion order.
	ids func(d *directory, owner *objRec) []string
	// token is the skiptoken kind of the link's pages.
	token string
}

var (
	membersLink = link{
		owner: (*directory).groupByKey,
		ids:   func(d *directory, g *objRec) []string { return d.members[strings.ToLower(g.id)] },
		token: "g",
	}
	memberOfLink = link{
		owner: (*directory).lookup,
		ids:   func(d *directory, u *objRec) []string { return d.memberOf[strings.ToLower(u.id)] },
		token: "m",
	}
)

// objectByID finds a live directory object by id: a user or group with its
// type, or another object added with AddGroup (a directory role, say) with
// a nil type. props is nil when there is none. Callers hold mu.
func (d *directory) objectByID(id string) (props map[string]any, et *entityType) {
	k := strings.ToLower(id)
	if u := d.byID[k]; u != nil {
		return u.props, userType
	}
	if g := d.groupByID[k]; g != nil {
		return g.props, groupType
	}
	return d.objects[k], nil
}

// castType returns the entity type a cast segment names, nil for none. The
// namespace may be written in full (microsoft.graph.user) or by its alias
// (graph.user), as Microsoft's SDKs write it.
func castType(cast string) *entityType {
	switch strings.ToLower(strings.TrimPrefix(strings.ToLower(cast), "microsoft.")) {
	case "graph.user":
		return userType
	case "graph.group":
		return groupType
	}
	return nil
}

// errLinkQuery is Graph's answer to a $filter on a relationship without
// the advanced query headers.
var errLinkQuery = &queryError{code: "Request_UnsupportedQuery",
	msg: "The specified filter to the reference property query is currently not supported."}

// listLink serves GET of a relationship (/groups/{id}/members,
// /users/{id}/memberOf), its type casts (.../microsoft.graph.user) and
// their $count segments, as Graph does: $top, $select, $expand (ignored)
// and paging always; $filter, $search and $orderby only as advanced
// queries (ConsistencyLevel: eventual with $count=true); @odata.count with
// $count=true and eventual. Without a cast, items carry their @odata.type
// and $filter, $search and $orderby apply to each object as its own type
// (an object whose type lacks a property named does not match).
func (s *Server) listLink(c *call, l link, countOnly bool) {
	w, r, q := c.w, c.r, c.q
	cast := castType(c.cast)
	types := []*entityType{userType, groupType}
	if cast != nil {
		types = []*entityType{cast}
	}
	// Without a cast, $select names properties of either type, so each
	// type's query is parsed without it and $select is applied leniently.
	pq := q
	var sel []string
	if cast == nil && q.has("$select") {
		pq = queryParams{vals: make(map[string]string, len(q.vals))}
		for k, v := range q.vals {
			if k != "$select" {
				pq.vals[k] = v
			}
		}
		for _, f := range strings.Split(q.get("$select"), ",") {
			if f = strings.TrimSpace(f); f != "" {
				sel = append(sel, f)
			}
		}
	}
	queries := make(map[*entityType]*listQuery, len(types))
	var firstErr *queryError
	for _, et := range types {
		lq, qerr := s.parseListQuery(r, pq, et, countOnly)
		if qerr != nil {
			if firstErr == nil {
				firstErr = qerr
			}
			continue
		}
		queries[et] = lq
	}
	if len(queries) == 0 {
		s.GraphError(w, r, firstErr.httpStatus(), firstErr.code, firstErr.msg)
		return
	}
	var lq *listQuery // the options every type shares: top, count, order
	for _, et := range types {
		if lq = queries[et]; lq != nil {
			break
		}
	}
	if cast != nil {
		sel = lq.sel
	}
	eventual := strings.EqualFold(strings.TrimSpace(r.Header.Get("ConsistencyLevel")), "eventual")
	if (q.has("$filter") || q.has("$search") || q.has("$orderby")) && !(eventual && lq.count) {
		switch {
		case q.has("$filter"):
			s.GraphError(w, r, errLinkQuery.httpStatus(), errLinkQuery.code, errLinkQuery.msg)
		case q.has("$search"):
			s.GraphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery",
				"Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
		default:
			s.GraphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", "Sorting not supported for current query.")
		}
		return
	}
	off := uint64(0)
	if tok := q.get("$skiptoken"); tok != "" && !countOnly {
		nums, ok := decodeToken(tok, l.token, 1)
		if !ok {
			s.GraphError(w, r, http.StatusBadRequest, errExpiredToken.code, errExpiredToken.msg)
			return
		}
		off = nums[0]
	}

	type match struct {
		props map[string]any
		et    *entityType // nil for an object of a type the fake does not model
	}
	d := s.dir
	d.mu.RLock()
	owner := l.owner(d, c.key)
	if owner == nil || s.unseenNew(owner.id, true) {
		d.mu.RUnlock()
		s.notFound(w, r, c.key)
		return
	}
	var matches []match
	for _, id := range l.ids(d, owner) {
		props, et := d.objectByID(id)
		if props == nil || (cast != nil && et != cast) {
			continue
		}
		// An object whose type has no query (the fake does not model the
		// type, or the type lacks a property the query names) matches only
		// a query without $filter and $search, as a null would.
		if oq := queries[et]; oq != nil {
			if oq.match(props) {
				matches = append(matches, match{props, et})
			}
		} else if !q.has("$filter") && !q.has("$search") {
			matches = append(matches, match{props, et})
		}
	}
	if lq.order != nil {
		slices.SortStableFunc(matches, func(a, b match) int { return lq.compare(a.props, b.props) })
	}
	total := len(matches)
	if countOnly {
		d.mu.RUnlock()
		s.writeCount(w, r, total)
		return
	}
	off = min(off, uint64(total))
	end := min(off+uint64(lq.top), uint64(total))
	items := make([]json.RawMessage, 0, end-off)
	for _, m := range matches[off:end] {
		var item map[string]any
		if cast != nil {
			item = project(m.et, m.props, sel)
		} else {
			item = linkItem(m.et, m.props, sel)
		}
		items = append(items, marshal(item))
	}
	d.mu.RUnlock()

	ctx := s.GraphURL + "/$metadata#directoryObjects"
	if cast != nil {
		ctx = s.context(cast, sel, false)
	}
	var count *int
	if lq.count {
		count = &total
	}
	next := ""
	if end < uint64(total) {
		next = s.link(r, q, "$skiptoken", encodeToken(l.token, end))
	}
	s.writeODataBytes(w, r, http.StatusOK, collectionJSON(ctx, count, next, items))
}

// linkItem renders an object in a collection of directory objects: its
// @odata.type, then the properties sel names that its type has (all those
// it has when the fake does not model its type), or its type's default
// properties.
func linkItem(et *entityType, props map[string]any, sel []string) map[string]any {
	out := make(map[string]any, len(sel)+1)
	switch {
	case et == nil && sel == nil:
		maps.Copy(out, props)
	case et == nil:
		for _, name := range sel {
			if v, ok := props[name]; ok {
				out[name] = v
			}
		}
	case sel == nil:
		out = project(et, props, nil)
	default:
		for _, name := range sel {
			if c, ok := et.canonical(name); ok {
				out[c] = project(et, props, []string{c})[c]
			}
		}
	}
	if et != nil {
		out["@odata.type"] = "#" + et.name
	} else {
		out["@odata.type"] = props["@odata.type"]
	}
	return out
}

// countObjects implements GET /users/$count and /groups/$count: the number
// of objects of et that table holds matching $filter and $search, as text.
func (s *Server) countObjects(c *call, et *entityType, table func(*directory) []*objRec) {
	lq, qerr := s.parseListQuery(c.r, c.q, et, true)
	if qerr != nil {
		s.GraphError(c.w, c.r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	n := 0
	d := s.dir
	d.mu.RLock()
	recs := table(d)
	if lq.filter == nil && lq.search == nil {
		n = len(recs)
	} else {
		for _, o := range recs {
			if lq.match(o.props) {
				n++
			}
		}
	}
	d.mu.RUnlock()
	s.writeCount(c.w, c.r, n)
}

// writeCount answers a $count segment: the number as text/plain.
func (s *Server) writeCount(w http.ResponseWriter, r *http.Request, n int) {
	s.graphHeaders(w, r)
	body := strconv.Itoa(n)
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write([]byte(body))
}
