package graphtest

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Replication makes the fake eventually consistent, as the real directory
// is: a write succeeds at once, but requests that name the object it wrote
// are answered for a while as a replica that has not seen it yet would
// answer them. The zero value is a directory where every write is visible
// to the next request.
//
// While a new user, group or object of a registered entity set is unseen,
// GET, PATCH and DELETE of it (and an entity set's bound actions), and the
// member operations of a new group (GET members, POST and DELETE members
// $ref) get 404 Request_ResourceNotFound; adding it as a member, or binding
// it with owners@odata.bind or members@odata.bind, gets Graph's 400 "Resource
// '{id}' does not exist or one of its queried reference-property objects
// are not present."; lists (GET /users, GET /groups) leave it out. While a
// change to an object (PATCH) is unseen, GET of the object returns its
// properties as they were before the change. Deletes, membership changes and
// delta queries (users/delta, groups/delta) are not lagged: they take effect, and
// show, at once.
//
// Reads and Delay count per object, from its last write. When both are set,
// the write becomes visible once both are satisfied.
type Replication struct {
	// Reads is how many requests naming a written object (GET, PATCH,
	// DELETE, member operations, references to it) are answered as if the
	// write had not happened. Lists do not count.
	Reads int
	// Delay is how long, on the Server's clock (Options.Now), a write stays
	// unseen. With a fake clock, tests advance it rather than sleep.
	Delay time.Duration
}

func (r Replication) on() bool { return r.Reads > 0 || r.Delay > 0 }

// lagState is a write not yet visible everywhere.
type lagState struct {
	readsLeft int
	visibleAt time.Time
	before    map[string]any // the properties before a change; nil for a new object
}

// replication holds the unseen writes of a Server.
type replication struct {
	// mu guards cfg and pending. It is taken after the directory's lock,
	// never before it.
	mu      sync.Mutex
	cfg     Replication
	pending map[string]*lagState // lower-cased object id -> its unseen write
	// active is len(pending) > 0, read without mu so that a Server without
	// lag pays nothing on each listed object.
	active atomic.Bool
}

// SetReplication changes the Server's replication lag for the writes made
// from now on; writes already unseen keep theirs. Replication{} turns the
// lag off for new writes.
func (s *Server) SetReplication(r Replication) {
	s.repl.mu.Lock()
	s.repl.cfg = r
	s.repl.mu.Unlock()
}

// wrote records a write of the object id: a creation when before is nil,
// else a change from the properties before.
func (s *Server) wrote(id string, before map[string]any) {
	p := &s.repl
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.cfg.on() {
		return
	}
	k := strings.ToLower(id)
	st := &lagState{readsLeft: p.cfg.Reads, visibleAt: s.now().Add(p.cfg.Delay), before: before}
	if old := p.pending[k]; old != nil {
		st.before = old.before // a change to an unseen object: the oldest state is what replicas have
	}
	if p.pending == nil {
		p.pending = make(map[string]*lagState)
	}
	p.pending[k] = st
	p.active.Store(true)
}

// unseen reports whether the last write of the object id is not yet visible,
// and the properties a replica would serve meanwhile (nil: the object does
// not exist there). count makes this request one of the Reads.
func (s *Server) unseen(id string, count bool) (bool, map[string]any) {
	p := &s.repl
	if !p.active.Load() {
		return false, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := strings.ToLower(id)
	st := p.pending[k]
	if st == nil {
		return false, nil
	}
	if st.readsLeft == 0 && !s.now().Before(st.visibleAt) {
		delete(p.pending, k)
		p.active.Store(len(p.pending) > 0)
		return false, nil
	}
	if count && st.readsLeft > 0 {
		st.readsLeft--
	}
	return true, st.before
}

// unseenNew reports whether id is an object created so recently that a
// replica would not know it, counting the request when count is set.
func (s *Server) unseenNew(id string, count bool) bool {
	pending, before := s.unseen(id, count)
	return pending && before == nil
}

// forget drops the unseen write of a deleted object.
func (s *Server) forget(id string) {
	p := &s.repl
	if !p.active.Load() {
		return
	}
	p.mu.Lock()
	delete(p.pending, strings.ToLower(id))
	p.active.Store(len(p.pending) > 0)
	p.mu.Unlock()
}

// refNotPresent answers a reference to an object that a replica does not
// know yet, as Graph does when a member or a bind was created a moment ago.
func (s *Server) refNotPresent(w http.ResponseWriter, r *http.Request, id string) {
	s.GraphError(w, r, http.StatusBadRequest, "Request_BadRequest",
		"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
}
