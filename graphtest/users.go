package graphtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// listUsers implements GET /users.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, q queryParams) {
	s.list(w, r, q, userType, func(d *directory) []*objRec { return d.users })
}

// countUsers implements GET /users/$count.
func (s *Server) countUsers(w http.ResponseWriter, r *http.Request, q queryParams) {
	lq, qerr := s.parseListQuery(r, q, userType, true)
	if qerr != nil {
		s.GraphError(w, r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	n := 0
	d := s.dir
	d.mu.RLock()
	if lq.filter == nil && lq.search == nil {
		n = len(d.users)
	} else {
		for _, u := range d.users {
			if lq.match(u.props) {
				n++
			}
		}
	}
	d.mu.RUnlock()
	s.graphHeaders(w, r)
	body := strconv.Itoa(n)
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write([]byte(body))
}

var errUPNTaken = &queryError{code: "Request_BadRequest", msg: "Another object with the same value for property userPrincipalName already exists."}

// createUser implements POST /users.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request, body []byte) {
	m, qerr := s.checkCreate(userType, body)
	if qerr == nil {
		qerr = checkPassword(m)
	}
	if qerr == nil {
		qerr = s.checkSize(m)
	}
	if qerr != nil {
		s.GraphError(w, r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	id := newUUID()
	m["id"] = id
	m["createdDateTime"] = s.now().UTC().Format(time.RFC3339)
	if _, ok := m["userType"]; !ok {
		m["userType"] = "Member"
	}
	if _, ok := m["businessPhones"]; !ok {
		m["businessPhones"] = []any{}
	}
	d := s.dir
	d.mu.Lock()
	if d.byUPN[upnOf(m)] != nil {
		d.mu.Unlock()
		s.GraphError(w, r, http.StatusBadRequest, errUPNTaken.code, errUPNTaken.msg)
		return
	}
	if qerr := s.checkQuota(); qerr != nil {
		d.mu.Unlock()
		s.GraphError(w, r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	d.insert(id, m)
	d.mu.Unlock()
	out := project(userType, m, nil)
	out["@odata.context"] = s.context(userType, nil, true)
	w.Header().Set("Location", s.GraphEndpoint+"/v2/"+s.TenantID+"/directoryObjects/"+id+"/Microsoft.DirectoryServices.User")
	s.writeOData(w, r, http.StatusCreated, out)
}

// checkPassword refuses a new user without a password, as Graph does.
func checkPassword(m map[string]any) *queryError {
	pp, _ := m["passwordProfile"].(map[string]any)
	if pw, _ := pp["password"].(string); pw == "" {
		return &queryError{code: "Request_BadRequest", msg: "A password must be specified to create a new user."}
	}
	return nil
}

// updateUser implements PATCH /users/{id | userPrincipalName}: properties
// sent are set, JSON null clears one, others are untouched.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	m, qerr := s.checkUpdate(userType, body)
	if qerr != nil {
		s.GraphError(w, r, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	d := s.dir
	d.mu.Lock()
	u := d.lookup(key)
	if u == nil {
		d.mu.Unlock()
		s.notFound(w, r, key)
		return
	}
	if upn, ok := m["userPrincipalName"].(string); ok {
		if other := d.byUPN[strings.ToLower(upn)]; other != nil && other != u {
			d.mu.Unlock()
			s.GraphError(w, r, http.StatusBadRequest, errUPNTaken.code, errUPNTaken.msg)
			return
		}
	}
	props := merged(u.props, m)
	if qerr := s.checkSize(props); qerr != nil {
		d.mu.Unlock()
		s.GraphError(w, r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	d.replace(u, props)
	d.mu.Unlock()
	s.noContent(w, r)
}

// listMemberOf implements GET /users/{id | userPrincipalName}/memberOf.
func (s *Server) listMemberOf(w http.ResponseWriter, r *http.Request, q queryParams, key string) {
	if err := checkOptions(q, "$top", "$select", "$skiptoken", "$count", "$filter", "$orderby", "$search", "$expand"); err != nil {
		s.GraphError(w, r, http.StatusBadRequest, err.code, err.msg)
		return
	}
	if q.has("$filter") || q.has("$orderby") || q.has("$search") {
		s.GraphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery",
			"graphtest supports only $top, $select and $count on memberOf.")
		return
	}
	top := s.opts.PageSize
	if q.has("$top") {
		n, err := strconv.Atoi(q.get("$top"))
		if err != nil || n < 1 || n > 999 {
			s.GraphError(w, r, http.StatusBadRequest, "Request_BadRequest",
				fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", q.get("$top")))
			return
		}
		top = n
	}
	var sel []string
	if v := q.get("$select"); v != "" {
		for _, f := range strings.Split(v, ",") {
			sel = append(sel, strings.TrimSpace(f))
		}
	}
	off := uint64(0)
	if tok := q.get("$skiptoken"); tok != "" {
		nums, ok := decodeToken(tok, "m", 1)
		if !ok {
			s.GraphError(w, r, http.StatusBadRequest, errExpiredToken.code, errExpiredToken.msg)
			return
		}
		off = nums[0]
	}
	d := s.dir
	d.mu.RLock()
	u := d.lookup(key)
	if u == nil {
		d.mu.RUnlock()
		s.notFound(w, r, key)
		return
	}
	ids := d.memberOf[strings.ToLower(u.id)]
	total := len(ids)
	off = min(off, uint64(len(ids)))
	end := min(off+uint64(top), uint64(len(ids)))
	items := make([]any, 0, end-off)
	for _, id := range ids[off:end] {
		g := d.objects[strings.ToLower(id)]
		if sel == nil {
			items = append(items, g)
			continue
		}
		out := map[string]any{"@odata.type": g["@odata.type"]}
		for _, name := range sel {
			out[name] = g[name]
		}
		items = append(items, out)
	}
	d.mu.RUnlock()
	resp := collection{Context: s.GraphURL + "/$metadata#directoryObjects", Value: items}
	if strings.EqualFold(q.get("$count"), "true") {
		resp.Count = &total
	}
	if end < uint64(total) {
		resp.NextLink = s.link(r, q, "$skiptoken", encodeToken("m", end))
	}
	s.writeOData(w, r, http.StatusOK, resp)
}
