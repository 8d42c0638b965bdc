package graphtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
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
	}
}

func lastSegment(p string) string {
	p = strings.TrimSuffix(p, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

// queryParams holds a request's query, keyed as sent, keeping its raw order
// so next links can reproduce it.
type queryParams struct {
	vals  map[string]string
	pairs []string // raw "k=v" pairs in order
}

func (q queryParams) get(k string) string { return q.vals[k] }

func (q queryParams) has(k string) bool { _, ok := q.vals[k]; return ok }

func parseQuery(raw string) (queryParams, *queryError) {
	q := queryParams{vals: map[string]string{}}
	if raw == "" {
		return q, nil
	}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		uk, err1 := url.QueryUnescape(k)
		uv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return q, &queryError{code: "BadRequest", msg: "The query string is not correctly escaped."}
		}
		if _, dup := q.vals[uk]; dup && strings.HasPrefix(uk, "$") {
			return q, &queryError{code: "BadRequest", msg: fmt.Sprintf("Query option '%s' was specified more than once, but it must be specified at most once.", uk)}
		}
		q.vals[uk] = uv
		q.pairs = append(q.pairs, pair)
	}
	return q, nil
}

// checkOptions refuses $ options the operation does not take.
func checkOptions(q queryParams, allowed ...string) *queryError {
	for k := range q.vals {
		if !strings.HasPrefix(k, "$") || slices.Contains(allowed, k) {
			continue
		}
		if k == "$skip" {
			return &queryError{code: "Request_BadRequest", msg: "'$skip' is not supported by the service."}
		}
		return &queryError{code: "BadRequest", msg: fmt.Sprintf("The query parameter '%s' is not supported.", k)}
	}
	return nil
}

// link builds an absolute link on the Graph listener for path, carrying the
// request's query minus any paging tokens, plus name=tok. Keys keep their
// literal "$" as Graph's links do.
func (s *Server) link(r *http.Request, q queryParams, name, tok string) string {
	var b strings.Builder
	b.WriteString(s.GraphEndpoint)
	b.WriteString(r.URL.EscapedPath())
	sep := byte('?')
	for _, pair := range q.pairs {
		k, _, _ := strings.Cut(pair, "=")
		if uk, _ := url.QueryUnescape(k); uk == "$skiptoken" || uk == "$deltatoken" {
			continue
		}
		b.WriteByte(sep)
		b.WriteString(pair)
		sep = '&'
	}
	b.WriteByte(sep)
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(url.QueryEscape(tok))
	return b.String()
}

// Paging tokens are opaque to clients; inside they are a kind letter and
// numbers, base64url-encoded.
func encodeToken(kind string, nums ...uint64) string {
	parts := []string{"graphtest", kind}
	for _, n := range nums {
		parts = append(parts, strconv.FormatUint(n, 10))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ":")))
}

func decodeToken(tok, kind string, n int) ([]uint64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != n+2 || parts[0] != "graphtest" || parts[1] != kind {
		return nil, false
	}
	nums := make([]uint64, n)
	for i, p := range parts[2:] {
		if nums[i], err = strconv.ParseUint(p, 10, 64); err != nil {
			return nil, false
		}
	}
	return nums, true
}

var errExpiredToken = &queryError{code: "Directory_ExpiredPageToken",
	msg: "The specified page token value has expired and can no longer be included in your request."}

// marshal encodes v as JSON without HTML escaping, as Graph does.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// writeOData writes v as JSON with the headers of a Graph success answer.
func (s *Server) writeOData(w http.ResponseWriter, r *http.Request, status int, v any) {
	s.writeODataBytes(w, r, status, marshal(v))
}

// writeODataBytes writes a JSON body with the headers of a Graph success
// answer.
func (s *Server) writeODataBytes(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	s.graphHeaders(w, r)
	h := w.Header()
	h.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	h.Set("OData-Version", "4.0")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// project returns the properties sel (or the default set) of an object of
// type et, with Graph's rendering of unset ones. passwordProfile is
// write-only.
func project(et *entityType, props map[string]any, sel []string) map[string]any {
	if sel == nil {
		sel = et.defaults
	}
	out := make(map[string]any, len(sel))
	for _, name := range sel {
		v, ok := props[name]
		if !ok || name == "passwordProfile" {
			v = et.unset(name)
		}
		out[name] = v
	}
	return out
}

// context returns the @odata.context for a collection or entity of et.
func (s *Server) context(et *entityType, sel []string, entity bool) string {
	c := s.GraphURL + "/$metadata#" + et.set
	if sel != nil {
		c += "(" + strings.Join(sel, ",") + ")"
	}
	if entity {
		c += "/$entity"
	}
	return c
}

// listQuery is a validated query of a users or groups collection.
type listQuery struct {
	top    int
	sel    []string
	filter *filter
	search *search
	order  []orderBy
	count  bool
}

func (lq *listQuery) match(props map[string]any) bool {
	return (lq.filter == nil || lq.filter.eval(props, nil)) && (lq.search == nil || lq.search.match(props))
}

// parseListQuery validates the query options of a request for a collection
// of et against Graph's rules, including when ConsistencyLevel: eventual
// (and $count=true) are required.
func (s *Server) parseListQuery(r *http.Request, q queryParams, et *entityType, countSegment bool) (*listQuery, *queryError) {
	lq := &listQuery{top: s.opts.PageSize}
	allowed := []string{"$top", "$select", "$filter", "$search", "$count", "$orderby", "$expand", "$skiptoken"}
	if countSegment {
		allowed = []string{"$filter", "$search"}
	}
	if err := checkOptions(q, allowed...); err != nil {
		return nil, err
	}
	eventual := strings.EqualFold(strings.TrimSpace(r.Header.Get("ConsistencyLevel")), "eventual")
	if q.has("$top") {
		n, err := strconv.Atoi(q.get("$top"))
		if err != nil || n < 1 || n > 999 {
			return nil, &queryError{code: "Request_BadRequest",
				msg: fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", q.get("$top"))}
		}
		lq.top = n
	}
	var err error
	if lq.sel, err = parseSelect(et, q.get("$select")); err != nil {
		return nil, err.(*queryError)
	}
	for _, p := range lq.sel {
		if et.singleOnly[p] {
			return nil, &queryError{status: http.StatusNotImplemented, code: "NotImplemented",
				msg: fmt.Sprintf("The property '%s' can be selected only when reading a single %s.", p, strings.ToLower(et.resource()))}
		}
	}
	if q.has("$count") {
		switch strings.ToLower(q.get("$count")) {
		case "true":
			lq.count = true
		case "false":
		default:
			return nil, &queryError{code: "BadRequest", msg: fmt.Sprintf("'%s' is not a valid count option.", q.get("$count"))}
		}
	}
	if countSegment {
		lq.count = true
	}
	if lq.count && !eventual {
		return nil, &queryError{code: "Request_BadRequest", msg: "$count is not currently supported."}
	}
	if q.has("$search") {
		if !eventual {
			return nil, &queryError{code: "Request_UnsupportedQuery",
				msg: "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"}
		}
		if lq.search, err = parseSearch(et, q.get("$search")); err != nil {
			return nil, err.(*queryError)
		}
	}
	advanced := eventual && lq.count
	if q.has("$filter") {
		if lq.filter, err = parseFilter(et, q.get("$filter")); err != nil {
			return nil, err.(*queryError)
		}
		if lq.filter.advanced != "" && !advanced {
			return nil, unsupportedProp(et, lq.filter.advanced)
		}
	}
	if q.has("$orderby") {
		if lq.order, err = parseOrderBy(et, q.get("$orderby")); err != nil {
			return nil, err.(*queryError)
		}
		if !advanced {
			sorting := &queryError{code: "Request_UnsupportedQuery", msg: "Sorting not supported for current query."}
			if lq.filter != nil || lq.search != nil {
				return nil, sorting
			}
			for _, o := range lq.order {
				if o.prop != "displayName" && (et != userType || o.prop != "userPrincipalName") {
					return nil, sorting
				}
			}
		}
	}
	return lq, nil
}

// collection is a page of a collection response. Field order matches Graph's.
type collection struct {
	Context   string `json:"@odata.context"`
	Count     *int   `json:"@odata.count,omitempty"`
	NextLink  string `json:"@odata.nextLink,omitempty"`
	DeltaLink string `json:"@odata.deltaLink,omitempty"`
	Value     []any  `json:"value"`
}

// listUsers implements GET /users.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, q queryParams) {
	s.list(w, r, q, userType, func(d *directory) []*objRec { return d.users })
}

// listGroups implements GET /groups.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, q queryParams) {
	s.list(w, r, q, groupType, func(d *directory) []*objRec { return d.groups })
}

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
			if !lq.match(u.props) {
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
			if lq.match(u.props) {
				matches = append(matches, u)
			}
		}
		slices.SortStableFunc(matches, func(a, b *objRec) int {
			for _, o := range lq.order {
				c := sortCompare(a.props[o.prop], b.props[o.prop])
				if o.desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
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

// collectionJSON assembles a collection page from items already encoded,
// with the same fields and order as the collection type, without
// re-validating every item as encoding/json does for RawMessage.
func collectionJSON(ctx string, count *int, next string, items []json.RawMessage) []byte {
	n := 64 + len(ctx) + len(next)
	for _, it := range items {
		n += len(it) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"@odata.context":`...)
	b = append(b, marshal(ctx)...)
	if count != nil {
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(*count), 10)
	}
	if next != "" {
		b = append(b, `,"@odata.nextLink":`...)
		b = append(b, marshal(next)...)
	}
	b = append(b, `,"value":[`...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	return append(b, "]}"...)
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

var errUPNTaken = &queryError{code: "Request_BadRequest", msg: "Another object with the same value for property userPrincipalName already exists."}

// createUser implements POST /users.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request, body []byte) {
	m, qerr := s.checkCreate(userType, body)
	if qerr != nil {
		s.GraphError(w, r, http.StatusBadRequest, qerr.code, qerr.msg)
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
	d.insert(id, m)
	d.mu.Unlock()
	out := project(userType, m, nil)
	out["@odata.context"] = s.context(userType, nil, true)
	w.Header().Set("Location", s.GraphEndpoint+"/v2/"+s.TenantID+"/directoryObjects/"+id+"/Microsoft.DirectoryServices.User")
	s.writeOData(w, r, http.StatusCreated, out)
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
	d.replace(u, merged(u.props, m))
	d.mu.Unlock()
	s.noContent(w, r)
}

// deleteObject implements DELETE of one object: /users/{id | userPrincipalName}
// with (*directory).lookup and remove, /groups/{id} with groupByKey and
// removeGroup.
func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, key string, find func(*directory, string) *objRec, remove func(*directory, *objRec)) {
	d := s.dir
	d.mu.Lock()
	o := find(d, key)
	if o != nil {
		remove(d, o)
	}
	d.mu.Unlock()
	if o == nil {
		s.notFound(w, r, key)
		return
	}
	s.noContent(w, r)
}

// noContent answers 204 with Graph's headers, as Graph does to a successful
// PATCH, DELETE or $ref POST.
func (s *Server) noContent(w http.ResponseWriter, r *http.Request) {
	s.graphHeaders(w, r)
	w.WriteHeader(http.StatusNoContent)
}

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

// maxPageSize reads odata.maxpagesize from a Prefer header.
func maxPageSize(prefer string) (int, bool) {
	for _, p := range strings.Split(prefer, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "odata.maxpagesize") {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err == nil && n >= 1 {
				return min(n, 999), true
			}
		}
	}
	return 0, false
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

// checkCreate decodes and validates the body of a POST creating an object of
// et: a JSON object of known, well-typed properties with every required one.
func (s *Server) checkCreate(et *entityType, body []byte) (map[string]any, *queryError) {
	m, qerr := s.checkUpdate(et, body)
	if qerr != nil {
		return nil, qerr
	}
	for _, req := range et.required {
		if m[req] == nil {
			return nil, &queryError{code: "Request_BadRequest", msg: fmt.Sprintf("Property '%s' is required when creating the object.", req)}
		}
	}
	return m, nil
}

// checkUpdate decodes the body of a PATCH to an object of et and validates it
// with checkWrite; checkCreate builds on it.
func (s *Server) checkUpdate(et *entityType, body []byte) (map[string]any, *queryError) {
	m, qerr := decodeObject(body)
	if qerr == nil {
		qerr = s.checkWrite(et, m)
	}
	return m, qerr
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
