package graphtest

import (
	"fmt"
	"net/http"
	"strings"
)

// route resolves a Graph request to an operation and the keys in its path:
// key is the user id or UPN, or the group id; sub is the member id of a
// group member $ref. op is "" when nothing matches; known reports whether
// the path exists for some method (so "" with known means 405).
func route(r *http.Request) (op, key, sub string, known bool) {
	segs, ok := pathSegments(r.URL.EscapedPath())
	if !ok || len(segs) < 2 || segs[0] != "v1.0" {
		return "", "", "", false
	}
	// users('key') is OData's key syntax for users/key.
	if k, found := strings.CutPrefix(segs[1], "users('"); found && strings.HasSuffix(k, "')") {
		k = strings.ReplaceAll(k[:len(k)-2], "''", "'")
		segs = append([]string{"v1.0", "users", k}, segs[2:]...)
	}
	if segs[1] == "$batch" && len(segs) == 2 {
		if r.Method == http.MethodPost {
			return OpBatch, "", "", true
		}
		return "", "", "", true
	}
	if segs[1] != "users" && segs[1] != "groups" {
		return "", "", "", false
	}
	// byMethod picks the operation for r.Method among get, post, patch and
	// delete ("" where the path has none).
	byMethod := func(get, post, patch, del string) string {
		switch r.Method {
		case http.MethodGet:
			return get
		case http.MethodPost:
			return post
		case http.MethodPatch:
			return patch
		case http.MethodDelete:
			return del
		}
		return ""
	}
	if segs[1] == "groups" {
		switch {
		case len(segs) == 2:
			return byMethod(OpListGroups, OpCreateGroup, "", ""), "", "", true
		case len(segs) == 3:
			return byMethod(OpGetGroup, "", OpUpdateGroup, OpDeleteGroup), segs[2], "", true
		case len(segs) == 4 && strings.EqualFold(segs[3], "members"):
			return byMethod(OpListGroupMembers, "", "", ""), segs[2], "", true
		case len(segs) == 5 && strings.EqualFold(segs[3], "members") && segs[4] == "$ref":
			return byMethod("", OpAddGroupMember, "", ""), segs[2], "", true
		case len(segs) == 6 && strings.EqualFold(segs[3], "members") && segs[5] == "$ref":
			return byMethod("", "", "", OpRemoveGroupMember), segs[2], segs[4], true
		}
		return "", "", "", false
	}
	switch {
	case len(segs) == 2:
		return byMethod(OpListUsers, OpCreateUser, "", ""), "", "", true
	case len(segs) == 3 && segs[2] == "$count":
		return byMethod(OpCountUsers, "", "", ""), "", "", true
	case len(segs) == 3 && (segs[2] == "delta()" || segs[2] == "delta" || segs[2] == "microsoft.graph.delta()"):
		return byMethod(OpDeltaUsers, "", "", ""), "", "", true
	case len(segs) == 3:
		return byMethod(OpGetUser, "", OpUpdateUser, OpDeleteUser), segs[2], "", true
	case len(segs) == 4 && strings.EqualFold(segs[3], "memberOf"):
		return byMethod(OpListUserMemberOf, "", "", ""), segs[2], "", true
	}
	return "", "", "", false
}

// serveGraph is the Graph listener.
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	s.graphTotal.Add(1)
	op, key, sub, known := route(r)
	body, err := s.capture(op, r)
	if intercept(&s.graphHook, w, r, body) {
		return
	}
	if msg := s.checkBearer(r); msg != "" {
		s.unauthorized(w, r, msg)
		return
	}
	if err != nil {
		s.GraphError(w, r, http.StatusRequestEntityTooLarge, "Request_EntityTooLarge", "The request body is too large.")
		return
	}
	switch {
	case op == "" && known:
		s.GraphError(w, r, http.StatusMethodNotAllowed, "Request_BadRequest",
			"Specified HTTP method is not allowed for the request target.")
		return
	case op == "" && strings.TrimSuffix(r.URL.Path, "/") == "/v1.0/me":
		s.GraphError(w, r, http.StatusBadRequest, "BadRequest",
			"/me request is only valid with delegated authentication flow.")
		return
	case op == "":
		s.GraphError(w, r, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("Resource not found for the segment '%s'.", lastSegment(r.URL.Path)))
		return
	}
	q, qerr := parseQuery(r.URL.RawQuery)
	if qerr != nil {
		s.GraphError(w, r, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	switch op {
	case OpListUsers:
		s.listUsers(w, r, q)
	case OpCountUsers:
		s.countUsers(w, r, q)
	case OpGetUser:
		s.getObject(w, r, q, key, userType, (*directory).lookup)
	case OpCreateUser:
		s.createUser(w, r, body)
	case OpUpdateUser:
		s.updateUser(w, r, key, body)
	case OpDeleteUser:
		s.deleteObject(w, r, key, (*directory).lookup, (*directory).remove)
	case OpDeltaUsers:
		s.deltaUsers(w, r, q)
	case OpListUserMemberOf:
		s.listMemberOf(w, r, q, key)
	case OpListGroups:
		s.listGroups(w, r, q)
	case OpGetGroup:
		s.getObject(w, r, q, key, groupType, (*directory).groupByKey)
	case OpCreateGroup:
		s.createGroup(w, r, body)
	case OpUpdateGroup:
		s.updateGroup(w, r, key, body)
	case OpDeleteGroup:
		s.deleteObject(w, r, key, (*directory).groupByKey, (*directory).removeGroup)
	case OpListGroupMembers:
		s.listGroupMembers(w, r, q, key)
	case OpAddGroupMember:
		s.addGroupMember(w, r, key, body)
	case OpRemoveGroupMember:
		s.removeGroupMember(w, r, key, sub)
	case OpBatch:
		s.serveBatch(w, r, body)
	}
}

func lastSegment(p string) string {
	p = strings.TrimSuffix(p, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}
