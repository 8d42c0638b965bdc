package graphtest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// groupODataType is the @odata.type of a group.
const groupODataType = "#microsoft.graph.group"

// addObject stores a directory object added with AddGroup or POST /groups;
// groups also join the groups table that GET /groups lists. Callers hold
// mu for writing and have checked the id is free.
func (d *directory) addObject(id string, props map[string]any) {
	k := strings.ToLower(id)
	d.objects[k] = props
	if props["@odata.type"] != groupODataType {
		return
	}
	d.nextOrd++
	g := &objRec{id: id, ord: d.nextOrd, props: props}
	d.groups = append(d.groups, g)
	d.groupByID[k] = g
	d.record(g)
	d.trackCreate(g, true)
}

// replaceGroup swaps in new props for g. Callers hold mu for writing.
func (d *directory) replaceGroup(g *objRec, props map[string]any) {
	old := g.props
	g.props = props
	g.def.Store(nil)
	d.objects[strings.ToLower(g.id)] = props
	d.record(g)
	d.trackUpdate(g, old)
}

// removeGroup deletes g, its membership list and its place in the groups it
// was a member of. Callers hold mu for writing.
func (d *directory) removeGroup(g *objRec) {
	k := strings.ToLower(g.id)
	if i := after(d.groups, g.ord-1); i < len(d.groups) && d.groups[i] == g {
		d.groups = slices.Delete(d.groups, i, i+1)
	}
	delete(d.groupByID, k)
	delete(d.objects, k)
	for _, m := range d.members[k] {
		mk := strings.ToLower(m)
		d.memberOf[mk] = slices.DeleteFunc(d.memberOf[mk], func(id string) bool { return strings.EqualFold(id, g.id) })
	}
	delete(d.members, k)
	delete(d.owners, k)
	d.dropMember(g.id)
	g.deleted = true
	d.record(g)
	d.trackRemove(g)
}

// addMember records memberID as a member of groupID, both ids as stored. It
// reports false when memberID already is one. Callers hold mu for writing.
func (d *directory) addMember(groupID, memberID string) bool {
	gk := strings.ToLower(groupID)
	if slices.ContainsFunc(d.members[gk], func(id string) bool { return strings.EqualFold(id, memberID) }) {
		return false
	}
	d.members[gk] = append(d.members[gk], memberID)
	mk := strings.ToLower(memberID)
	d.memberOf[mk] = append(d.memberOf[mk], groupID)
	d.trackMember(groupID, memberID, false)
	return true
}

// removeMember removes memberID from groupID's members, reporting whether it
// was one. Callers hold mu for writing.
func (d *directory) removeMember(groupID, memberID string) bool {
	gk, mk := strings.ToLower(groupID), strings.ToLower(memberID)
	before := len(d.members[gk])
	d.members[gk] = slices.DeleteFunc(d.members[gk], func(id string) bool { return strings.EqualFold(id, memberID) })
	if len(d.members[gk]) == before {
		return false
	}
	d.memberOf[mk] = slices.DeleteFunc(d.memberOf[mk], func(id string) bool { return strings.EqualFold(id, groupID) })
	d.trackMember(groupID, memberID, true)
	return true
}

// dropMember removes the deleted object id from every group it was a member
// of. Callers hold mu for writing.
func (d *directory) dropMember(id string) {
	k := strings.ToLower(id)
	for _, gid := range d.memberOf[k] {
		gk := strings.ToLower(gid)
		d.members[gk] = slices.DeleteFunc(d.members[gk], func(m string) bool { return strings.EqualFold(m, id) })
		d.trackMember(gid, id, true)
	}
	delete(d.memberOf, k)
}

// seedGroups adds n generated groups, alternating security groups and
// Microsoft 365 groups, each with a deterministic handful of the seeded
// users as members. Callers hold no lock.
func (s *Server) seedGroups(n int, seed int64) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x9009))
	base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	d := s.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range n {
		dept := departments[i%len(departments)]
		name := dept
		if i >= len(departments) {
			name = fmt.Sprintf("%s %d", dept, i/len(departments)+1)
		}
		nick := strings.ToLower(strings.ReplaceAll(name, " ", "-"))
		unified := i%2 == 1
		props := map[string]any{
			"@odata.type":     groupODataType,
			"id":              seededUUID(seed, 1_000_000+i),
			"createdDateTime": base.Add(time.Duration(i) * 53 * time.Minute).Format(time.RFC3339),
			"description":     "Everyone in " + dept,
			"displayName":     name,
			"groupTypes":      []any{},
			"mailEnabled":     unified,
			"mailNickname":    nick,
			"securityEnabled": !unified,
			"proxyAddresses":  []any{},
			"visibility":      nil,
		}
		if unified {
			props["groupTypes"] = []any{"Unified"}
			props["mail"] = nick + "@" + s.Domain
			props["proxyAddresses"] = []any{"SMTP:" + nick + "@" + s.Domain}
			props["visibility"] = "Private"
		}
		id := props["id"].(string)
		d.addObject(id, props)
		if len(d.users) == 0 {
			continue
		}
		for range 3 + r.IntN(5) {
			d.addMember(id, d.users[r.IntN(len(d.users))].id)
		}
	}
}

// groupByKey finds a live group by id. Callers hold mu.
func (d *directory) groupByKey(key string) *objRec { return d.groupByID[strings.ToLower(key)] }

var errNicknameTaken = &queryError{code: "Request_BadRequest", msg: "Another object with the same value for property mailNickname already exists."}

// nicknameTaken reports whether another group than self has mailNickname
// nick. Callers hold mu.
func (d *directory) nicknameTaken(nick string, self *objRec) bool {
	for _, g := range d.groups {
		if g != self {
			if have, _ := g.props["mailNickname"].(string); strings.EqualFold(have, nick) {
				return true
			}
		}
	}
	return false
}

// createGroup implements POST /groups, which requires displayName,
// mailEnabled, mailNickname and securityEnabled, as Graph does.
//
// owners@odata.bind and members@odata.bind (arrays of directoryObjects,
// users or groups URLs) set the new group's owners and members in the same
// request; see takeBinds.
func (s *Server) createGroup(w http.ResponseWriter, r *http.Request, body []byte) {
	m, qerr := decodeObject(body)
	var b binds
	if qerr == nil {
		b, qerr = takeBinds(m)
	}
	if qerr == nil {
		qerr = s.checkNew(groupType, m)
	}
	if qerr == nil {
		qerr = s.checkSize(m)
	}
	if qerr != nil {
		s.GraphError(w, r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	id := s.newObject(groupType, m)
	m["@odata.type"] = groupODataType
	for _, coll := range []string{"groupTypes", "proxyAddresses"} {
		if _, ok := m[coll]; !ok {
			m[coll] = []any{}
		}
	}
	if slices.Contains(m["groupTypes"].([]any), any("Unified")) {
		if _, ok := m["mail"]; !ok {
			m["mail"] = m["mailNickname"].(string) + "@" + s.Domain
		}
	}
	d := s.dir
	d.mu.Lock()
	if d.nicknameTaken(m["mailNickname"].(string), nil) {
		d.mu.Unlock()
		s.GraphError(w, r, http.StatusBadRequest, errNicknameTaken.code, errNicknameTaken.msg)
		return
	}
	if qerr := s.checkQuota(); qerr != nil {
		d.mu.Unlock()
		s.GraphError(w, r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	owners, members, qerr := d.resolveBinds(b)
	if qerr != nil {
		d.mu.Unlock()
		s.GraphError(w, r, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	for _, ref := range append(slices.Clone(owners), members...) {
		if s.unseenNew(ref, true) {
			d.mu.Unlock()
			s.refNotPresent(w, r, ref)
			return
		}
	}
	d.addObject(id, m)
	s.wrote(id, nil)
	for _, o := range owners {
		d.addOwner(id, o)
	}
	for _, mem := range members {
		d.addMember(id, mem)
	}
	d.mu.Unlock()
	out := project(groupType, m, nil)
	out["@odata.context"] = s.context(groupType, nil, true)
	w.Header().Set("Location", s.GraphEndpoint+"/v2/"+s.TenantID+"/directoryObjects/"+id+"/Microsoft.DirectoryServices.Group")
	s.writeOData(w, r, http.StatusCreated, out)
}

// updateGroup implements PATCH /groups/{id}: properties sent are set, JSON
// null clears one, others are untouched. It answers 204, as Graph does.
//
// members@odata.bind and owners@odata.bind add up to 20 members and owners
// in the same request, all or none: an unknown id or a member already there
// fails the request whole.
func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	m, qerr := decodeObject(body)
	var b binds
	if qerr == nil {
		b, qerr = takeBinds(m)
	}
	if qerr == nil {
		qerr = s.checkWrite(groupType, m)
	}
	if qerr != nil {
		s.GraphError(w, r, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	d := s.dir
	d.mu.Lock()
	g := d.groupByKey(key)
	if g == nil || s.unseenNew(g.id, true) {
		d.mu.Unlock()
		s.notFound(w, r, key)
		return
	}
	if nick, ok := m["mailNickname"].(string); ok && d.nicknameTaken(nick, g) {
		d.mu.Unlock()
		s.GraphError(w, r, http.StatusBadRequest, errNicknameTaken.code, errNicknameTaken.msg)
		return
	}
	owners, members, qerr := d.resolveBinds(b)
	if qerr == nil {
		qerr = d.checkNewMembers(g, members)
	}
	if qerr != nil {
		d.mu.Unlock()
		s.GraphError(w, r, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	for _, o := range owners {
		d.addOwner(g.id, o)
	}
	for _, id := range members {
		d.addMember(g.id, id)
	}
	props := merged(g.props, m)
	props["@odata.type"] = groupODataType
	if qerr := s.checkSize(props); qerr != nil {
		d.mu.Unlock()
		s.GraphError(w, r, qerr.httpStatus(), qerr.code, qerr.msg)
		return
	}
	before := g.props
	d.replaceGroup(g, props)
	s.wrote(g.id, before)
	d.mu.Unlock()
	s.noContent(w, r)
}

var errAlreadyMember = &queryError{code: "Request_BadRequest",
	msg: "One or more added object references already exist for the following modified properties: 'members'."}

// addGroupMember implements POST /groups/{id}/members/$ref with a body
// {"@odata.id": ".../directoryObjects/{member-id}"} (or .../users/{id},
// .../groups/{id}). A member already there is Graph's 400.
func (s *Server) addGroupMember(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	m, qerr := decodeObject(body)
	if qerr != nil {
		s.GraphError(w, r, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	ref, _ := m["@odata.id"].(string)
	memberKey, ok := refID(ref)
	if !ok {
		s.GraphError(w, r, http.StatusBadRequest, "BadRequest",
			"Invalid OData reference: the body must be {\"@odata.id\": \"https://graph.microsoft.com/v1.0/directoryObjects/{id}\"}.")
		return
	}
	d := s.dir
	d.mu.Lock()
	g := d.groupByKey(key)
	if g == nil || s.unseenNew(g.id, true) {
		d.mu.Unlock()
		s.notFound(w, r, key)
		return
	}
	memberID := ""
	if u := d.byID[strings.ToLower(memberKey)]; u != nil {
		memberID = u.id
	} else if o := d.groupByKey(memberKey); o != nil && o != g {
		memberID = o.id
	}
	if memberID == "" {
		d.mu.Unlock()
		s.notFound(w, r, memberKey)
		return
	}
	if s.unseenNew(memberID, true) {
		d.mu.Unlock()
		s.refNotPresent(w, r, memberID)
		return
	}
	added := d.addMember(g.id, memberID)
	d.mu.Unlock()
	if !added {
		s.GraphError(w, r, http.StatusBadRequest, errAlreadyMember.code, errAlreadyMember.msg)
		return
	}
	s.noContent(w, r)
}

// refID extracts the object id from an @odata.id: the last path segment
// after directoryObjects, users or groups.
func refID(ref string) (string, bool) {
	u, err := url.Parse(ref)
	if err != nil || ref == "" {
		return "", false
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) < 2 {
		return "", false
	}
	switch strings.ToLower(segs[len(segs)-2]) {
	case "directoryobjects", "users", "groups":
	default:
		return "", false
	}
	id := segs[len(segs)-1]
	return id, id != ""
}

// removeGroupMember implements DELETE /groups/{id}/members/{member-id}/$ref.
// A member that is not there is Graph's 404.
func (s *Server) removeGroupMember(w http.ResponseWriter, r *http.Request, key, memberKey string) {
	d := s.dir
	d.mu.Lock()
	g := d.groupByKey(key)
	if g == nil || s.unseenNew(g.id, true) {
		d.mu.Unlock()
		s.notFound(w, r, key)
		return
	}
	removed := d.removeMember(g.id, memberKey)
	d.mu.Unlock()
	if !removed {
		s.notFound(w, r, memberKey)
		return
	}
	s.noContent(w, r)
}

// listGroups implements GET /groups.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, q queryParams) {
	s.list(w, r, q, groupType, func(d *directory) []*objRec { return d.groups })
}
