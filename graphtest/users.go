package graphtest

import (
	"net/http"
	"strings"
)

// listUsers implements GET /users.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, q queryParams) {
	s.list(w, r, q, userType, func(d *directory) []*objRec { return d.users })
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
	id := s.newObject(userType, m)
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
	s.wrote(id, nil)
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
	if u == nil || s.unseenNew(u.id, true) {
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
	before := u.props
	d.replace(u, props)
	s.wrote(u.id, before)
	d.mu.Unlock()
	s.noContent(w, r)
}
