package graphtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// call is one Graph request on its way to a handler: what routing, the
// query parser and capture found.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	q    queryParams
	key  string // {key} in the path: a user id or userPrincipalName, or a group id
	sub  string // {sub} in the path: a member id in a $ref path
	cast string // {cast} in the path: a type cast segment such as microsoft.graph.user, "" without one
	body []byte
}

// endpoint is one row of the Graph routing table: a method and path
// pattern, the operation they name and the handler that serves it.
type endpoint struct {
	method string
	// path is the pattern after /v1.0, segments separated by "/". A literal
	// segment matches case-insensitively and may list alternatives with "|";
	// {key} and {sub} match any segment; {cast} matches a type cast segment
	// (microsoft.graph.user or microsoft.graph.group, or graph.user and
	// graph.group with the namespace alias Microsoft's SDKs use).
	path  string
	op    string
	serve func(s *Server, c *call)
	// roles are the application permissions any one of which allows the
	// operation, as Graph's permission reference lists them.
	roles []string

	segs []string // path split, filled by init
}

// endpoints is the Graph routing table. A resource adds its rows here and
// its handlers in a file of its own. When the patterns of two rows match a
// path, the earlier row wins, so literal segments ($count, $ref) come before
// the placeholders that would also match them. Every row of one pattern
// shares the first row's pattern string, so that a path matched with
// another method is answered 405.
var endpoints = []endpoint{
	{method: http.MethodGet, path: "users", op: OpListUsers, roles: usersRead, serve: func(s *Server, c *call) { s.listUsers(c.w, c.r, c.q) }},
	{method: http.MethodPost, path: "users", op: OpCreateUser, roles: usersWrite, serve: func(s *Server, c *call) { s.createUser(c.w, c.r, c.body) }},
	{method: http.MethodGet, path: "users/$count", op: OpCountUsers, roles: usersRead, serve: func(s *Server, c *call) {
		s.countObjects(c, userType, func(d *directory) []*objRec { return d.users })
	}},
	{method: http.MethodGet, path: "users/delta()|delta|microsoft.graph.delta()", op: OpDeltaUsers, roles: usersRead, serve: func(s *Server, c *call) { s.deltaUsers(c.w, c.r, c.q) }},
	{method: http.MethodGet, path: "users/{key}", op: OpGetUser, roles: usersRead, serve: func(s *Server, c *call) {
		s.getObject(c.w, c.r, c.q, c.key, userType, (*directory).lookup)
	}},
	{method: http.MethodPatch, path: "users/{key}", op: OpUpdateUser, roles: usersWrite, serve: func(s *Server, c *call) { s.updateUser(c.w, c.r, c.key, c.body) }},
	{method: http.MethodDelete, path: "users/{key}", op: OpDeleteUser, roles: usersWrite, serve: func(s *Server, c *call) {
		s.deleteObject(c.w, c.r, c.key, (*directory).lookup, (*directory).remove)
	}},
	{method: http.MethodGet, path: "users/{key}/memberOf", op: OpListUserMemberOf, roles: memberOfRead, serve: func(s *Server, c *call) { s.listLink(c, memberOfLink, false) }},
	{method: http.MethodGet, path: "users/{key}/memberOf/$count", op: OpCountUserMemberOf, roles: memberOfRead, serve: func(s *Server, c *call) { s.listLink(c, memberOfLink, true) }},
	{method: http.MethodGet, path: "users/{key}/memberOf/{cast}", op: OpListUserMemberOf, roles: memberOfRead, serve: func(s *Server, c *call) { s.listLink(c, memberOfLink, false) }},
	{method: http.MethodGet, path: "users/{key}/memberOf/{cast}/$count", op: OpCountUserMemberOf, roles: memberOfRead, serve: func(s *Server, c *call) { s.listLink(c, memberOfLink, true) }},

	{method: http.MethodGet, path: "groups/$count", op: OpCountGroups, roles: groupsRead, serve: func(s *Server, c *call) {
		s.countObjects(c, groupType, func(d *directory) []*objRec { return d.groups })
	}},
	{method: http.MethodGet, path: "groups/delta()|delta|microsoft.graph.delta()", op: OpDeltaGroups, roles: groupsRead, serve: func(s *Server, c *call) { s.deltaGroups(c.w, c.r, c.q) }},
	{method: http.MethodGet, path: "groups", op: OpListGroups, roles: groupsRead, serve: func(s *Server, c *call) { s.listGroups(c.w, c.r, c.q) }},
	{method: http.MethodPost, path: "groups", op: OpCreateGroup, roles: groupsCreate, serve: func(s *Server, c *call) { s.createGroup(c.w, c.r, c.body) }},
	{method: http.MethodGet, path: "groups/{key}", op: OpGetGroup, roles: groupsRead, serve: func(s *Server, c *call) {
		s.getObject(c.w, c.r, c.q, c.key, groupType, (*directory).groupByKey)
	}},
	{method: http.MethodPatch, path: "groups/{key}", op: OpUpdateGroup, roles: groupsWrite, serve: func(s *Server, c *call) { s.updateGroup(c.w, c.r, c.key, c.body) }},
	{method: http.MethodDelete, path: "groups/{key}", op: OpDeleteGroup, roles: groupsWrite, serve: func(s *Server, c *call) {
		s.deleteObject(c.w, c.r, c.key, (*directory).groupByKey, (*directory).removeGroup)
	}},
	{method: http.MethodGet, path: "groups/{key}/members", op: OpListGroupMembers, roles: groupsRead, serve: func(s *Server, c *call) { s.listLink(c, membersLink, false) }},
	{method: http.MethodGet, path: "groups/{key}/members/$count", op: OpCountGroupMembers, roles: groupsRead, serve: func(s *Server, c *call) { s.listLink(c, membersLink, true) }},
	{method: http.MethodGet, path: "groups/{key}/members/{cast}", op: OpListGroupMembers, roles: groupsRead, serve: func(s *Server, c *call) { s.listLink(c, membersLink, false) }},
	{method: http.MethodGet, path: "groups/{key}/members/{cast}/$count", op: OpCountGroupMembers, roles: groupsRead, serve: func(s *Server, c *call) { s.listLink(c, membersLink, true) }},
	{method: http.MethodPost, path: "groups/{key}/members/$ref", op: OpAddGroupMember, roles: membersWrite, serve: func(s *Server, c *call) { s.addGroupMember(c.w, c.r, c.key, c.body) }},
	{method: http.MethodDelete, path: "groups/{key}/members/{sub}/$ref", op: OpRemoveGroupMember, roles: membersWrite, serve: func(s *Server, c *call) {
		s.removeGroupMember(c.w, c.r, c.key, c.sub)
	}},

	// POST $batch is appended by init.
}

// The application permissions (roles) of each kind of operation: any one of
// a list allows it.
var (
	usersRead    = []string{"User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	usersWrite   = []string{"User.ReadWrite.All", "Directory.ReadWrite.All"}
	memberOfRead = []string{"User.Read.All", "User.ReadWrite.All", "GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	groupsRead   = []string{"GroupMember.Read.All", "Group.Read.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	groupsCreate = []string{"Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
	groupsWrite  = []string{"Group.ReadWrite.All", "Directory.ReadWrite.All"}
	membersWrite = []string{"GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
	anyRole      = slices.Concat(usersRead, memberOfRead, groupsRead, groupsCreate, groupsWrite, membersWrite)
)

// defaultRoles are the application roles of tokens a Server issues when
// Options.Roles is nil: every permission the operations it serves need.
var defaultRoles = []string{"Directory.ReadWrite.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All"}

// allOps lists every operation name: the routing table's and OpToken.
var allOps []string

func init() {
	// $batch serves the requests it carries through route, so its row joins the table here: in the
	// table's initializer it would refer to the table itself. Any role may send a $batch; each request
	// in it is checked against its own row.
	endpoints = append(endpoints, endpoint{method: http.MethodPost, path: "$batch", op: OpBatch, roles: anyRole,
		serve: func(s *Server, c *call) { s.serveBatch(c.w, c.r, c.body) }})
	for i := range endpoints {
		e := &endpoints[i]
		e.segs = strings.Split(e.path, "/")
		if !slices.Contains(allOps, e.op) {
			allOps = append(allOps, e.op)
		}
	}
	allOps = append(allOps, OpToken)
}

// match reports whether the path segments segs fit e's pattern, filling the
// placeholders of c.
func (e *endpoint) match(segs []string, c *call) bool {
	if len(segs) != len(e.segs) {
		return false
	}
	var key, sub, cast string
	for i, p := range e.segs {
		s := segs[i]
		switch p {
		case "{key}":
			key = s
		case "{sub}":
			sub = s
		case "{cast}":
			if !isCast(s) {
				return false
			}
			cast = s
		default:
			if !matchLiteral(p, s) {
				return false
			}
		}
		if s == "" {
			return false
		}
	}
	if c != nil {
		c.key, c.sub, c.cast = key, sub, cast
	}
	return true
}

// matchLiteral matches a literal pattern segment, with "|" alternatives,
// case-insensitively.
func matchLiteral(p, s string) bool {
	for alt := range strings.SplitSeq(p, "|") {
		if strings.EqualFold(alt, s) {
			return true
		}
	}
	return false
}

// isCast reports whether seg is an OData type cast to a directory object
// type the fake serves.
func isCast(seg string) bool { return castType(seg) != nil }

// route resolves a Graph request to its endpoint, filling c's path keys (c
// may be nil). It returns nil when nothing matches; known reports whether
// the path exists for some method (so nil with known means 405).
func route(r *http.Request, c *call) (e *endpoint, known bool) {
	segs, ok := pathSegments(r.URL.EscapedPath())
	if !ok || len(segs) < 2 || segs[0] != "v1.0" {
		return nil, false
	}
	segs = segs[1:]
	// users('key') is OData's key syntax for users/key.
	if k, found := strings.CutPrefix(segs[0], "users('"); found && strings.HasSuffix(k, "')") {
		k = strings.ReplaceAll(k[:len(k)-2], "''", "'")
		segs = append([]string{"users", k}, segs[1:]...)
	}
	pattern := ""
	for i := range endpoints {
		e := &endpoints[i]
		if pattern == "" {
			if !e.match(segs, nil) {
				continue
			}
			pattern = e.path
		} else if e.path != pattern {
			continue
		}
		if e.method == r.Method {
			e.match(segs, c)
			return e, true
		}
	}
	return nil, pattern != ""
}

// serveGraph is the Graph listener.
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r}
	e, known := route(r, c)
	if e == nil && !known && len(s.dir.sets) > 0 {
		e, known = s.routeSet(r, c)
	}
	op := ""
	if e != nil {
		op = e.op
	}
	// The token is checked before the body is read: a request without a
	// valid one, or to no operation, costs a line in the log and no more.
	roles, msg := s.checkBearer(r)
	body, err := s.capture(op, w, r, e != nil && msg == "")
	if intercept(&s.graphHook, w, r, body) {
		return
	}
	if msg != "" {
		s.unauthorized(w, r, msg)
		return
	}
	if e != nil && e.roles != nil && !slices.ContainsFunc(e.roles, func(need string) bool { return slices.Contains(roles, need) }) {
		s.GraphError(w, r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return
	}
	if err != nil {
		s.bodyError(w, r, err)
		return
	}
	switch {
	case e == nil && known:
		s.GraphError(w, r, http.StatusMethodNotAllowed, "Request_BadRequest",
			"Specified HTTP method is not allowed for the request target.")
		return
	case e == nil && strings.TrimSuffix(r.URL.Path, "/") == "/v1.0/me":
		s.GraphError(w, r, http.StatusBadRequest, "BadRequest",
			"/me request is only valid with delegated authentication flow.")
		return
	case e == nil:
		s.GraphError(w, r, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("Resource not found for the segment '%s'.", lastSegment(r.URL.Path)))
		return
	}
	q, qerr := parseQuery(r.URL.RawQuery)
	if qerr != nil {
		s.GraphError(w, r, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	c.q, c.body = q, body
	e.serve(s, c)
}

func lastSegment(p string) string {
	p = strings.TrimSuffix(p, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}
