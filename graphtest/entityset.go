package graphtest

// This file holds the entity sets a test registers through Options.EntitySets (applications,
// servicePrincipals, anything a user generated a client for): their description, their registration
// and their table. entityset_serve.go routes and serves their requests.

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
)

// Kind is the JSON shape of a property of a registered entity set, which decides how writes are
// checked, how $filter compares it and how an unset value is rendered (an empty array for the two
// collection kinds, null for the others).
type Kind uint8

// The kinds of properties.
const (
	KindString   Kind = iota // Edm.String, Edm.Guid, an enum
	KindBool                 // Edm.Boolean
	KindInt                  // Edm.Int32
	KindDateTime             // Edm.DateTimeOffset
	KindStrings              // Collection(Edm.String)
	KindObjects              // a collection of a complex type
	KindObject               // a single complex type
)

// EntitySet describes an entity set the fake serves beside users and groups. Register it in
// Options.EntitySets; the Server serves, under GraphURL:
//
//	GET    /{path}                  list: $top, $select, $filter, $search, $count, $orderby, paging
//	POST   /{path}                  create: Required properties checked, id and createdDateTime set
//	GET    /{path}/$count           count (ConsistencyLevel: eventual), with $filter
//	GET    /{path}/{id}             get, with $select; also /{path}({key}='{value}') for AlternateKeys
//	PATCH  /{path}/{id}             update: a value sets a property, null clears it
//	DELETE /{path}/{id}             delete
//	POST   /{path}/{id}/{action}    a bound action of Actions (also as microsoft.graph.{action})
//
// with Graph's errors (404 Request_ResourceNotFound, 400 for an unknown property or a missing required
// one, 405, ...). Its operations are named, for Server.Requests, Server.Operation and the request
// log, "{path}.list", "{path}.create", "{path}.count", "{path}.get", "{path}.update",
// "{path}.delete" and "{path}.{action}".
type EntitySet struct {
	// Path is the entity set's name after /v1.0, such as "applications". Required, one segment.
	Path string
	// Type is the entity type's qualified name, such as "microsoft.graph.application", which Graph's
	// error messages name. Required.
	Type string
	// Properties are the entity type's structural properties, inherited ones included, with their
	// kinds; "id" is added when missing. Writes, $select, $filter and $orderby accept only these.
	// PropertiesOf derives them from a generated model.
	Properties map[string]Kind
	// Default are the properties a read without $select returns; nil means all of Properties.
	Default []string
	// Required are the properties POST insists on (and PATCH may not null).
	Required []string
	// AlternateKeys are properties whose values are unique in the set and address an object as
	// /{path}({key}='{value}'), such as appId of applications and servicePrincipals.
	AlternateKeys []string
	// Seed are the objects the set starts with. An object without an id gets a generated one.
	Seed []map[string]any
	// OnCreate, when set, runs on the properties of each new object (after they were checked, with id
	// and createdDateTime set) before it is stored, to fill what the service sets (an appId, ...). An
	// error refuses the create with 400 Request_BadRequest and the error's text. It runs without the
	// Server's lock: it may call Server.Object.
	OnCreate func(obj map[string]any) error
	// Actions are the bound actions of the type by name ("addPassword"), answering
	// POST /{path}/{id}/{name}.
	Actions map[string]Action
	// ReadRoles and WriteRoles are the application permissions any one of which allows reading or
	// writing the set (403 Authorization_RequestDenied otherwise). Nil allows any valid token.
	ReadRoles, WriteRoles []string
}

// Action serves a bound action: obj is a copy of the object's properties, body the request's JSON
// object (nil when none was sent). It returns the object's new properties (nil leaves it unchanged),
// the answer (nil for 204 No Content, otherwise 200 with it as JSON) or an error, answered 400
// Request_BadRequest with the error's text. It runs with the Server's directory locked for writing,
// so it must not call the Server.
type Action func(obj, body map[string]any) (updated map[string]any, result any, err error)

// entitySet is a registered EntitySet as served: its type, its table and its operations. The
// pointer fields are immutable after Start; recs, byID and the records are guarded by the
// directory's mu.
type entitySet struct {
	def  EntitySet
	et   *entityType
	recs []*objRec          // live objects ordered by ord
	byID map[string]*objRec // lower-cased id -> object
}

// registerSets checks the sets of opts and adds them, with their seeds, to s (before any request).
func (s *Server) registerSets(sets []EntitySet) error {
	for _, es := range sets {
		if es.Path == "" || strings.ContainsAny(es.Path, "/()'$") || es.Type == "" {
			return fmt.Errorf("graphtest: EntitySet %q: Path (one segment) and Type are required", es.Path)
		}
		key := strings.ToLower(es.Path)
		if s.dir.sets[key] != nil || slices.ContainsFunc(endpoints, func(e endpoint) bool { return strings.EqualFold(e.segs[0], es.Path) }) {
			return fmt.Errorf("graphtest: EntitySet %q registered twice", es.Path)
		}
		props := map[string]kind{"id": kString}
		for name, k := range es.Properties {
			if k > KindObject {
				return fmt.Errorf("graphtest: EntitySet %q: property %q has no valid Kind", es.Path, name)
			}
			props[name] = kind(k)
		}
		defaults := es.Default
		if defaults == nil {
			defaults = slices.Sorted(maps.Keys(props))
		}
		for _, p := range slices.Concat(defaults, es.Required, es.AlternateKeys) {
			if _, ok := props[p]; !ok {
				return fmt.Errorf("graphtest: EntitySet %q names property %q, which is not in Properties", es.Path, p)
			}
		}
		set := &entitySet{def: es, byID: make(map[string]*objRec),
			et: newEntityType(es.Type, es.Path, props, defaults, es.Required, nil)}
		s.dir.sets[key] = set
		for _, op := range set.ops() {
			s.counts[op] = new(atomic.Int64)
		}
		for i, obj := range es.Seed {
			m, err := cloneJSON(obj)
			if err != nil {
				return fmt.Errorf("graphtest: EntitySet %q: seed %d: %v", es.Path, i, err)
			}
			id, _ := m["id"].(string)
			if id == "" {
				id = newUUID()
			}
			m["id"] = id
			delete(m, "@odata.type")
			if qerr := s.checkWrite(set.et, withoutID(m)); qerr != nil {
				return fmt.Errorf("graphtest: EntitySet %q: seed %d: %s", es.Path, i, qerr.msg)
			}
			if set.byID[strings.ToLower(id)] != nil || set.altTaken(m, nil) != "" {
				return fmt.Errorf("graphtest: EntitySet %q: seed %d: its id or an alternate key is taken", es.Path, i)
			}
			set.insert(s.dir, id, m)
		}
	}
	return nil
}

// withoutID returns a copy of m without its id, which checkWrite refuses as read-only.
func withoutID(m map[string]any) map[string]any {
	c := maps.Clone(m)
	delete(c, "id")
	return c
}

// ops lists the operation names of the set.
func (set *entitySet) ops() []string {
	ops := []string{}
	for _, v := range []string{"list", "create", "count", "get", "update", "delete"} {
		ops = append(ops, set.def.Path+"."+v)
	}
	for _, a := range slices.Sorted(maps.Keys(set.def.Actions)) {
		ops = append(ops, set.def.Path+"."+a)
	}
	return ops
}

// insert stores a new object. Callers hold the directory's mu for writing (or own the directory).
func (set *entitySet) insert(d *directory, id string, props map[string]any) *objRec {
	d.nextOrd++
	o := &objRec{id: id, ord: d.nextOrd, props: props}
	set.recs = append(set.recs, o)
	set.byID[strings.ToLower(id)] = o
	return o
}

// find returns the live object with id key, or the one whose alternate key alt has the value key when
// alt is not "". Callers hold mu.
func (set *entitySet) find(alt, key string) *objRec {
	if alt == "" {
		return set.byID[strings.ToLower(key)]
	}
	for _, o := range set.recs {
		if v, ok := o.props[alt].(string); ok && strings.EqualFold(v, key) {
			return o
		}
	}
	return nil
}

// altTaken returns the first alternate key whose value in props another object than self already
// has, or "". Callers hold mu.
func (set *entitySet) altTaken(props map[string]any, self *objRec) string {
	for _, k := range set.def.AlternateKeys {
		v, ok := props[k].(string)
		if !ok {
			continue
		}
		if o := set.find(k, v); o != nil && o != self {
			return k
		}
	}
	return ""
}

// remove deletes o. Callers hold mu for writing.
func (set *entitySet) remove(o *objRec) {
	i := sort.Search(len(set.recs), func(i int) bool { return set.recs[i].ord >= o.ord })
	if i < len(set.recs) && set.recs[i] == o {
		set.recs = slices.Delete(set.recs, i, i+1)
	}
	delete(set.byID, strings.ToLower(o.id))
	o.deleted = true
}

// Object returns a copy of the object of the registered entity set path whose id is key, or whose
// alternate key alt has the value key when alt is not "", and whether there is one. Tests use it to
// check what a client stored.
func (s *Server) Object(path, alt, key string) (map[string]any, bool) {
	set := s.dir.sets[strings.ToLower(path)]
	if set == nil {
		return nil, false
	}
	s.dir.mu.RLock()
	o := set.find(alt, key)
	var props map[string]any
	if o != nil {
		props = o.props
	}
	s.dir.mu.RUnlock()
	if props == nil {
		return nil, false
	}
	m, err := cloneJSON(props)
	return m, err == nil
}
