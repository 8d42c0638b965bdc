package graphtest

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// objRec is one user of the in-memory directory.
//
// props is never mutated in place once stored: a write builds a new map and
// swaps it in under the directory lock, so a reader may keep and encode a
// props map after releasing the lock.
type objRec struct {
	id      string
	ord     uint64 // insertion order; the default listing order and the skiptoken key
	seq     uint64 // change sequence of the last write; drives delta queries
	deleted bool
	props   map[string]any
	delta   deltaTrack // what changed when, for delta (changes.go)

	// def caches the JSON of the default projection of props. It is filled
	// by readers holding mu for reading (hence atomic) and cleared by
	// writers holding mu for writing whenever props changes.
	def atomic.Pointer[[]byte]
}

// defaultJSON returns the JSON of u's default projection as an et. Callers
// hold mu.
func (u *objRec) defaultJSON(et *entityType) []byte {
	if b := u.def.Load(); b != nil {
		return *b
	}
	b := marshal(project(et, u.props, nil))
	u.def.Store(&b)
	return b
}

// change is one entry of the directory's change log. It is stale when the
// record has been written again since (rec.seq != seq).
type change struct {
	seq uint64
	rec *objRec
}

// directory is the fake tenant's data: users, groups and memberships.
type directory struct {
	// mu guards every field below, and the fields of every objRec reachable
	// from them (props maps are replaced, never edited, under mu).
	mu      sync.RWMutex
	users   []*objRec          // live users ordered by ord
	byID    map[string]*objRec // lower-cased id -> user
	byUPN   map[string]*objRec // lower-cased userPrincipalName -> user
	nextOrd uint64
	seq     uint64   // last change sequence handed out
	log     []change // changes in seq order, for delta; compacted when mostly stale
	stale   int      // stale entries in log
	knobs   deltaKnobs

	objects  map[string]map[string]any // lower-cased id -> group or other directory object
	memberOf map[string][]string       // lower-cased member id -> object ids, in insertion order

	groups    []*objRec           // live groups ordered by ord; their props are also in objects
	groupByID map[string]*objRec  // lower-cased id -> group
	members   map[string][]string // lower-cased group id -> member ids, in insertion order
	owners    map[string][]string // lower-cased group id -> owner ids, in insertion order

	// sets maps the lower-cased path of each registered entity set to it. The map is filled before
	// the Server serves and only read afterwards (without mu); each set's table is guarded by mu.
	sets map[string]*entitySet
}

func newDirectory() *directory {
	return &directory{
		byID:      make(map[string]*objRec),
		byUPN:     make(map[string]*objRec),
		objects:   make(map[string]map[string]any),
		memberOf:  make(map[string][]string),
		groupByID: make(map[string]*objRec),
		members:   make(map[string][]string),
		owners:    make(map[string][]string),
		sets:      make(map[string]*entitySet),
	}
}

// cloneJSON deep-copies a JSON-shaped value by a JSON round trip, which also
// normalises Go values (ints, structs, typed slices) to what a decoder yields.
func cloneJSON(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// upnOf returns the lower-cased userPrincipalName of props, or "".
func upnOf(props map[string]any) string {
	s, _ := props["userPrincipalName"].(string)
	return strings.ToLower(s)
}

// lookup finds a live user by object id or userPrincipalName,
// case-insensitively. Callers hold mu.
func (d *directory) lookup(key string) *objRec {
	k := strings.ToLower(key)
	if u := d.byID[k]; u != nil {
		return u
	}
	return d.byUPN[k]
}

// record appends a change for u. Callers hold mu for writing.
func (d *directory) record(u *objRec) {
	if u.seq != 0 {
		d.stale++
	}
	d.seq++
	u.seq = d.seq
	d.log = append(d.log, change{seq: u.seq, rec: u})
	if d.stale > 1024 && d.stale > len(d.log)/2 {
		d.compact()
	}
}

// compact drops stale change log entries. Callers hold mu for writing.
func (d *directory) compact() {
	live := d.log[:0]
	for _, c := range d.log {
		if c.rec.seq == c.seq {
			live = append(live, c)
		}
	}
	clear(d.log[len(live):])
	d.log = live
	d.stale = 0
}

// insert stores a new user. The caller has checked id and UPN are free and
// holds mu for writing.
func (d *directory) insert(id string, props map[string]any) *objRec {
	d.nextOrd++
	u := &objRec{id: id, ord: d.nextOrd, props: props}
	d.users = append(d.users, u)
	d.byID[strings.ToLower(id)] = u
	if upn := upnOf(props); upn != "" {
		d.byUPN[upn] = u
	}
	d.record(u)
	d.trackCreate(u, false)
	return u
}

// replace swaps in new props for u, keeping the UPN index right. Callers
// hold mu for writing and have checked the new UPN is free.
func (d *directory) replace(u *objRec, props map[string]any) {
	if old := upnOf(u.props); old != "" && d.byUPN[old] == u {
		delete(d.byUPN, old)
	}
	if upn := upnOf(props); upn != "" {
		d.byUPN[upn] = u
	}
	old := u.props
	u.props = props
	u.def.Store(nil)
	d.record(u)
	d.trackUpdate(u, old)
}

// remove deletes u. Callers hold mu for writing.
func (d *directory) remove(u *objRec) {
	i := sort.Search(len(d.users), func(i int) bool { return d.users[i].ord >= u.ord })
	if i < len(d.users) && d.users[i] == u {
		d.users = slices.Delete(d.users, i, i+1)
	}
	delete(d.byID, strings.ToLower(u.id))
	if upn := upnOf(u.props); upn != "" && d.byUPN[upn] == u {
		delete(d.byUPN, upn)
	}
	d.dropMember(u.id)
	d.dropOwner(u.id)
	u.deleted = true
	d.record(u)
	d.trackRemove(u)
}

// after returns the index in recs (ordered by ord) of the first record with
// ord > ord. Callers hold mu.
func after(recs []*objRec, ord uint64) int {
	return sort.Search(len(recs), func(i int) bool { return recs[i].ord > ord })
}

// changesAfter returns the index in log of the first entry with seq > seq.
// Callers hold mu.
func (d *directory) changesAfter(seq uint64) int {
	return sort.Search(len(d.log), func(i int) bool { return d.log[i].seq > seq })
}
