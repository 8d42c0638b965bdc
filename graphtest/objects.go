package graphtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// list serves a page of the collection of et that table returns (live
// objects in insertion order; called with the directory lock held).
func (s *Server) list(w http.ResponseWriter, r *http.Request, q queryParams, et *entityType, table func(*directory) []*objRec) {
	lq, qerr := s.parseListQuery(r, q, et, false)
	if qerr != nil {
		s.GraphError(w, r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	page := make([]json.RawMessage, 0, lq.top)
	item := func(u *objRec) json.RawMessage {
		if lq.sel == nil {
			return u.defaultJSON(et)
		}
		return marshal(project(et, u.props, lq.sel))
	}
	var next string
	total := -1
	d := s.dir
	d.mu.RLock()
	recs := table(d)
	if lq.count {
		if lq.filter == nil && lq.search == nil {
			total = len(recs)
		} else {
			total = 0
			for _, u := range recs {
				if lq.match(u.props) {
					total++
				}
			}
		}
	}
	if lq.order == nil {
		// Insertion order; the token holds the last ord returned, so paging
		// stays exact while users are added or deleted.
		start := 0
		if tok := q.get("$skiptoken"); tok != "" {
			nums, ok := decodeToken(tok, "o", 1)
			if !ok {
				d.mu.RUnlock()
				s.GraphError(w, r, http.StatusBadRequest, errExpiredToken.code, errExpiredToken.msg)
				return
			}
			start = after(recs, nums[0])
		}
		var lastOrd uint64
		for i := start; i < len(recs); i++ {
			u := recs[i]
			if !lq.match(u.props) || s.unseenNew(u.id, false) {
				continue
			}
			if len(page) == lq.top {
				next = encodeToken("o", lastOrd)
				break
			}
			page = append(page, item(u))
			lastOrd = u.ord
		}
	} else {
		// Sorted: an offset into the sorted result.
		var matches []*objRec
		for _, u := range recs {
			if lq.match(u.props) && !s.unseenNew(u.id, false) {
				matches = append(matches, u)
			}
		}
		slices.SortStableFunc(matches, func(a, b *objRec) int { return lq.compare(a.props, b.props) })
		off := uint64(0)
		if tok := q.get("$skiptoken"); tok != "" {
			nums, ok := decodeToken(tok, "s", 1)
			if !ok {
				d.mu.RUnlock()
				s.GraphError(w, r, http.StatusBadRequest, errExpiredToken.code, errExpiredToken.msg)
				return
			}
			off = min(nums[0], uint64(len(matches)))
		}
		end := min(off+uint64(lq.top), uint64(len(matches)))
		for _, u := range matches[off:end] {
			page = append(page, item(u))
		}
		if end < uint64(len(matches)) {
			next = encodeToken("s", end)
		}
	}
	d.mu.RUnlock()

	var count *int
	if total >= 0 {
		count = &total
	}
	if next != "" {
		next = s.link(r, q, "$skiptoken", next)
	}
	s.writeODataBytes(w, r, http.StatusOK, collectionJSON(s.context(et, lq.sel, false), count, next, page))
}

// getObject implements GET of one object of et found by find:
// /users/{id | userPrincipalName} with (*directory).lookup, /groups/{id}
// with (*directory).groupByKey.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, q queryParams, key string, et *entityType, find func(*directory, string) *objRec) {
	if err := checkOptions(q, "$select", "$expand"); err != nil {
		s.GraphError(w, r, http.StatusBadRequest, err.code, err.msg)
		return
	}
	sel, err := parseSelect(et, q.get("$select"))
	if err != nil {
		qe := err.(*queryError)
		s.GraphError(w, r, http.StatusBadRequest, qe.code, qe.msg)
		return
	}
	d := s.dir
	d.mu.RLock()
	var props map[string]any
	if o := find(d, key); o != nil {
		props = o.props
		if pending, before := s.unseen(o.id, true); pending {
			props = before // nil for an object the replica does not know yet
		}
	}
	d.mu.RUnlock()
	if props == nil {
		s.notFound(w, r, key)
		return
	}
	out := project(et, props, sel)
	out["@odata.context"] = s.context(et, sel, true)
	s.writeOData(w, r, http.StatusOK, out)
}

// decodeObject decodes a JSON object request body.
func decodeObject(body []byte) (map[string]any, *queryError) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return nil, &queryError{code: "BadRequest",
			msg: "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."}
	}
	return m, nil
}

// checkWrite validates the properties of a POST or PATCH body for et: known
// names, values of the right type, a userPrincipalName in the tenant's
// domain. Instance annotations ("@odata.type", ...) are dropped.
func (s *Server) checkWrite(et *entityType, m map[string]any) *queryError {
	for k, v := range m {
		if strings.HasPrefix(k, "@") {
			delete(m, k)
			continue
		}
		if _, ok := et.props[k]; !ok {
			return &queryError{code: "BadRequest", msg: fmt.Sprintf(
				"The property '%s' does not exist on type '%s'. Make sure to only use property names that are defined by the type or mark the type as open type.", k, et.name)}
		}
		if k == "id" {
			return &queryError{code: "Request_BadRequest", msg: "Property 'id' is read-only and cannot be set."}
		}
		if !et.valid(k, v) {
			return &queryError{code: "Request_BadRequest", msg: fmt.Sprintf("Invalid value specified for property '%s' of resource '%s'.", k, et.resource())}
		}
	}
	if upn, ok := m["userPrincipalName"].(string); ok && et == userType {
		_, domain, found := strings.Cut(upn, "@")
		if !found || !strings.EqualFold(domain, s.Domain) {
			return &queryError{code: "Request_BadRequest",
				msg: "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."}
		}
	}
	return nil
}

// deleteObject implements DELETE of one object: /users/{id | userPrincipalName}
// with (*directory).lookup and remove, /groups/{id} with groupByKey and
// removeGroup.
func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, key string, find func(*directory, string) *objRec, remove func(*directory, *objRec)) {
	d := s.dir
	d.mu.Lock()
	o := find(d, key)
	if o != nil && s.unseenNew(o.id, true) {
		o = nil
	}
	if o != nil {
		remove(d, o)
		s.forget(o.id)
	}
	d.mu.Unlock()
	if o == nil {
		s.notFound(w, r, key)
		return
	}
	s.noContent(w, r)
}

// checkCreate decodes and validates the body of a POST creating an object of
// et: a JSON object of known, well-typed properties with every required one.
func (s *Server) checkCreate(et *entityType, body []byte) (map[string]any, *queryError) {
	m, qerr := decodeObject(body)
	if qerr != nil {
		return nil, qerr
	}
	return m, s.checkNew(et, m)
}

// checkNew validates the properties m of a new object of et with checkWrite
// and checks that every required one is there.
func (s *Server) checkNew(et *entityType, m map[string]any) *queryError {
	if qerr := s.checkWrite(et, m); qerr != nil {
		return qerr
	}
	for _, req := range et.required {
		if m[req] == nil {
			return &queryError{code: "Request_BadRequest", msg: fmt.Sprintf("Property '%s' is required when creating the object.", req)}
		}
	}
	return nil
}

// checkUpdate decodes the body of a PATCH to an object of et and validates it
// with checkWrite; checkCreate builds on it. A property POST requires cannot
// be cleared with null, as Graph refuses to.
func (s *Server) checkUpdate(et *entityType, body []byte) (map[string]any, *queryError) {
	m, qerr := decodeObject(body)
	if qerr == nil {
		qerr = s.checkWrite(et, m)
	}
	if qerr != nil {
		return nil, qerr
	}
	for _, req := range et.required {
		if v, ok := m[req]; ok && v == nil {
			return nil, &queryError{code: "Request_BadRequest", msg: fmt.Sprintf("Invalid value specified for property '%s' of resource '%s'.", req, et.resource())}
		}
	}
	return m, nil
}

// errQuotaExceeded is Graph's answer to a create in a full directory.
var errQuotaExceeded = &queryError{code: "Directory_QuotaExceeded",
	msg: "The directory object quota limit for the Tenant has been exceeded. Please ask your administrator to increase the directory object quota limit and then try again."}

// checkQuota refuses a create when the directory holds Options.MaxObjects
// objects, those of registered entity sets included. Callers hold mu.
func (s *Server) checkQuota() *queryError {
	n := len(s.dir.users) + len(s.dir.groups)
	for _, set := range s.dir.sets {
		n += len(set.recs)
	}
	if n >= s.opts.MaxObjects {
		return errQuotaExceeded
	}
	return nil
}

// checkSize refuses an object whose JSON would exceed Options.MaxObjectBytes.
func (s *Server) checkSize(props map[string]any) *queryError {
	if n := len(marshal(props)); n > s.opts.MaxObjectBytes {
		return &queryError{status: http.StatusRequestEntityTooLarge, code: "Request_EntityTooLarge",
			msg: fmt.Sprintf("The object would take %d bytes; an object may take at most %d.", n, s.opts.MaxObjectBytes)}
	}
	return nil
}

// merged returns a new map of props with the PATCH body m applied: a value
// sets a property, JSON null removes it. props is not modified.
func merged(props, m map[string]any) map[string]any {
	out := make(map[string]any, len(props)+len(m))
	for k, v := range props {
		out[k] = v
	}
	for k, v := range m {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// newObject readies m, a create body that passed its checks, as a new object
// of type et: properties sent as null are dropped (Graph stores none), and it
// gets a new id and, where et has one, its createdDateTime. It returns the id.
func (s *Server) newObject(et *entityType, m map[string]any) string {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	id := newUUID()
	m["id"] = id
	if _, ok := et.props["createdDateTime"]; ok {
		m["createdDateTime"] = s.now().UTC().Format(time.RFC3339)
	}
	return id
}
