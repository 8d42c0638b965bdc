package graphtest

// This file routes and serves the requests to registered entity sets (entityset.go): list, count and
// get through the same query and paging code as users and groups (objects.go, odata.go), and create,
// update, delete and bound actions.

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// routeSet resolves a request to a registered set's operation, as route does for the table: e is nil
// when nothing matches, and known reports whether the path exists for another method.
func (s *Server) routeSet(r *http.Request, c *call) (e *endpoint, known bool) {
	segs, ok := pathSegments(r.URL.EscapedPath())
	if !ok || len(segs) < 2 || segs[0] != "v1.0" {
		return nil, false
	}
	segs = segs[1:]
	name, alt, altValue := segs[0], "", ""
	// {path}({key}='{value}') addresses an object by an alternate key.
	if open := strings.IndexByte(name, '('); open > 0 && strings.HasSuffix(name, "')") {
		k, v, found := strings.Cut(name[open+1:len(name)-2], "='")
		if !found {
			return nil, false
		}
		name, alt, altValue = name[:open], k, strings.ReplaceAll(v, "''", "'")
		segs = append([]string{name, altValue}, segs[1:]...)
	}
	set := s.dir.sets[strings.ToLower(name)]
	if set == nil {
		return nil, false
	}
	if alt != "" && !slices.Contains(set.def.AlternateKeys, alt) {
		return nil, false
	}
	read, write := set.def.ReadRoles, set.def.WriteRoles
	ep := func(verb string, roles []string, serve func(*Server, *call)) *endpoint {
		return &endpoint{method: r.Method, op: set.def.Path + "." + verb, roles: roles, serve: serve}
	}
	if c != nil && len(segs) > 1 {
		c.key = segs[1]
	}
	find := func(key string) *objRec { return set.find(alt, key) }
	switch {
	case len(segs) == 1 && alt == "":
		switch r.Method {
		case http.MethodGet:
			return ep("list", read, func(s *Server, c *call) {
				s.list(c.w, c.r, c.q, set.et, func(*directory) []*objRec { return set.recs })
			}), true
		case http.MethodPost:
			return ep("create", write, func(s *Server, c *call) { s.createInSet(c, set) }), true
		}
	case len(segs) == 2 && alt == "" && segs[1] == "$count":
		if r.Method == http.MethodGet {
			return ep("count", read, func(s *Server, c *call) {
				s.countObjects(c, set.et, func(*directory) []*objRec { return set.recs })
			}), true
		}
	case len(segs) == 2:
		switch r.Method {
		case http.MethodGet:
			return ep("get", read, func(s *Server, c *call) {
				s.getObject(c.w, c.r, c.q, c.key, set.et, func(_ *directory, key string) *objRec { return find(key) })
			}), true
		case http.MethodPatch:
			return ep("update", write, func(s *Server, c *call) { s.updateInSet(c, set, find) }), true
		case http.MethodDelete:
			return ep("delete", write, func(s *Server, c *call) {
				s.deleteObject(c.w, c.r, c.key, func(_ *directory, key string) *objRec { return find(key) },
					func(_ *directory, o *objRec) { set.remove(o) })
			}), true
		}
	case len(segs) == 3:
		action := strings.TrimPrefix(segs[2], "microsoft.graph.")
		fn := set.def.Actions[action]
		if fn == nil {
			return nil, false
		}
		if r.Method == http.MethodPost {
			return ep(action, write, func(s *Server, c *call) { s.actInSet(c, set, find, fn) }), true
		}
	default:
		return nil, false
	}
	return nil, true
}

// createInSet implements POST /{path}.
func (s *Server) createInSet(c *call, set *entitySet) {
	m, qerr := s.checkCreate(set.et, c.body)
	if qerr == nil {
		qerr = s.checkSize(m)
	}
	if qerr != nil {
		s.GraphError(c.w, c.r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	id := s.newObject(set.et, m)
	if set.def.OnCreate != nil {
		if err := set.def.OnCreate(m); err != nil {
			s.GraphError(c.w, c.r, http.StatusBadRequest, "Request_BadRequest", err.Error())
			return
		}
		m["id"] = id
	}
	d := s.dir
	d.mu.Lock()
	if k := set.altTaken(m, nil); k != "" {
		d.mu.Unlock()
		s.GraphError(c.w, c.r, http.StatusBadRequest, "Request_BadRequest",
			fmt.Sprintf("Another object with the same value for property %s already exists.", k))
		return
	}
	if qerr := s.checkQuota(); qerr != nil {
		d.mu.Unlock()
		s.GraphError(c.w, c.r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	set.insert(d, id, m)
	s.wrote(id, nil)
	d.mu.Unlock()
	out := project(set.et, m, nil)
	out["@odata.context"] = s.context(set.et, nil, true)
	c.w.Header().Set("Location", s.GraphURL+"/"+set.def.Path+"/"+id)
	s.writeOData(c.w, c.r, http.StatusCreated, out)
}

// updateInSet implements PATCH /{path}/{id}.
func (s *Server) updateInSet(c *call, set *entitySet, find func(string) *objRec) {
	m, qerr := s.checkUpdate(set.et, c.body)
	if qerr != nil {
		s.GraphError(c.w, c.r, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	d := s.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	o := find(c.key)
	if o == nil || s.unseenNew(o.id, true) {
		s.notFound(c.w, c.r, c.key)
		return
	}
	props := merged(o.props, m)
	if k := set.altTaken(props, o); k != "" {
		s.GraphError(c.w, c.r, http.StatusBadRequest, "Request_BadRequest",
			fmt.Sprintf("Another object with the same value for property %s already exists.", k))
		return
	}
	if qerr := s.checkSize(props); qerr != nil {
		s.GraphError(c.w, c.r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	s.wrote(o.id, o.props)
	o.props = props
	o.def.Store(nil)
	s.noContent(c.w, c.r)
}

// actInSet implements POST /{path}/{id}/{action}.
func (s *Server) actInSet(c *call, set *entitySet, find func(string) *objRec, fn Action) {
	var body map[string]any
	if len(strings.TrimSpace(string(c.body))) > 0 {
		var qerr *queryError
		if body, qerr = decodeObject(c.body); qerr != nil {
			s.GraphError(c.w, c.r, http.StatusBadRequest, qerr.code, qerr.msg)
			return
		}
	}
	d := s.dir
	d.mu.Lock()
	o := find(c.key)
	if o == nil || s.unseenNew(o.id, true) {
		d.mu.Unlock()
		s.notFound(c.w, c.r, c.key)
		return
	}
	obj, err := cloneJSON(o.props)
	var (
		updated map[string]any
		result  any
	)
	if err == nil {
		updated, result, err = fn(obj, body)
	}
	if err == nil && updated != nil {
		if updated, err = cloneJSON(updated); err == nil {
			if qerr := s.checkSize(updated); qerr != nil {
				err = errors.New(qerr.msg)
			} else {
				updated["id"] = o.id
				o.props = updated
				o.def.Store(nil)
			}
		}
	}
	d.mu.Unlock()
	switch {
	case err != nil:
		s.GraphError(c.w, c.r, http.StatusBadRequest, "Request_BadRequest", err.Error())
	case result == nil:
		s.noContent(c.w, c.r)
	default:
		s.writeOData(c.w, c.r, http.StatusOK, result)
	}
}
