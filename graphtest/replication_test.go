package graphtest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const lagUser = `{"accountEnabled":true,"displayName":"Lag","mailNickname":"lag","userPrincipalName":"lag@` + DefaultDomain + `","passwordProfile":{"password":"fake-Passw0rd!"}}`

// created returns the id of the object a 201 answer describes.
func created(t *testing.T, r response) string {
	t.Helper()
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	return r.json(t)["id"].(string)
}

func TestReplicationReads(t *testing.T) {
	s := newTestServer(t, Options{Users: 1, Replication: Replication{Reads: 2}})
	c := newGraphClient(t, s)
	id := created(t, c.call(http.MethodPost, "/users", lagUser))

	// The new user is missing from lists without that counting as a read.
	if got := len(values(t, c.get("/users"))); got != 1 {
		t.Errorf("GET /users lists %d users while the new one is unseen, want 1", got)
	}
	for i := range 2 {
		r := c.get("/users/" + id)
		if code, msg := graphErr(t, r); r.status != http.StatusNotFound || code != "Request_ResourceNotFound" || !strings.Contains(msg, id) {
			t.Fatalf("read %d: %d %s %s, want Graph's 404 naming the id", i+1, r.status, code, msg)
		}
	}
	if r := c.get("/users/" + id); r.status != http.StatusOK {
		t.Fatalf("third read: %d %s, want the user", r.status, r.body)
	}
	if got := len(values(t, c.get("/users"))); got != 2 {
		t.Errorf("GET /users lists %d users once the new one is seen, want 2", got)
	}

	// A change lags too: the old properties first.
	if r := c.call(http.MethodPatch, "/users/"+id, `{"jobTitle":"Engineer"}`); r.status != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	var titles []any
	for range 3 {
		titles = append(titles, c.get("/users/" + id + "?$select=jobTitle").json(t)["jobTitle"])
	}
	if fmt.Sprint(titles) != "[<nil> <nil> Engineer]" {
		t.Errorf("jobTitle over three reads = %v, want the change on the third", titles)
	}
}

// Every request naming an unseen object answers as Graph does for one it does not know.
func TestReplicationAnswers(t *testing.T) {
	s := newTestServer(t, Options{Users: 1})
	c := newGraphClient(t, s)
	seeded := s.UserIDs()[0]
	s.SetReplication(Replication{Reads: 1})
	user := created(t, c.call(http.MethodPost, "/users", lagUser))
	group := created(t, c.call(http.MethodPost, "/groups", `{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`))
	ref := func(id string) string { return `{"@odata.id":"` + s.GraphURL + `/directoryObjects/` + id + `"}` }

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code, names              string
	}{
		{"update new user", http.MethodPatch, "/users/" + user, `{"jobTitle":"x"}`, 404, "Request_ResourceNotFound", user},
		{"memberOf of new user", http.MethodGet, "/users/" + user + "/memberOf", "", 0, "", ""},
		{"members of new group", http.MethodGet, "/groups/" + group + "/members", "", 404, "Request_ResourceNotFound", group},
		{"add to new group", http.MethodPost, "/groups/" + group + "/members/$ref", ref(seeded), 0, "", ""},
		{"bind new user", http.MethodPost, "/groups", `{"displayName":"H","mailEnabled":false,"mailNickname":"h","securityEnabled":true,"members@odata.bind":["` + s.GraphURL + `/users/` + user + `"]}`, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.call(tc.method, tc.path, tc.body)
			if tc.status == 0 {
				// The object's one unseen read went to an earlier row.
				if r.status >= 300 {
					t.Fatalf("%d %s, want success once seen", r.status, r.body)
				}
				return
			}
			code, msg := graphErr(t, r)
			if r.status != tc.status || code != tc.code || !strings.Contains(msg, tc.names) {
				t.Fatalf("%d %s %s", r.status, code, msg)
			}
		})
	}

	// A new member is Graph's 400, a new group in a bind too.
	s.SetReplication(Replication{Reads: 1})
	newcomer := created(t, c.call(http.MethodPost, "/users", strings.ReplaceAll(lagUser, "lag", "newcomer")))
	r := c.call(http.MethodPost, "/groups/"+group+"/members/$ref", ref(newcomer))
	if code, msg := graphErr(t, r); r.status != http.StatusBadRequest || !strings.Contains(msg, "'"+newcomer+"' does not exist or one of its queried reference-property objects are not present") {
		t.Errorf("adding a new member: %d %s %s", r.status, code, msg)
	}
	r = c.call(http.MethodDelete, "/groups/"+group+"/members/"+seeded+"/$ref", "")
	if r.status != http.StatusNoContent {
		t.Errorf("removing a seen member: %d %s", r.status, r.body)
	}
	other := created(t, c.call(http.MethodPost, "/groups", `{"displayName":"K","mailEnabled":false,"mailNickname":"k","securityEnabled":true}`))
	r = c.call(http.MethodPost, "/groups", `{"displayName":"L","mailEnabled":false,"mailNickname":"l","securityEnabled":true,"owners@odata.bind":[],"members@odata.bind":["`+s.GraphURL+`/groups/`+other+`"]}`)
	if code, msg := graphErr(t, r); r.status != http.StatusBadRequest || !strings.Contains(msg, other) {
		t.Errorf("binding a new group: %d %s %s", r.status, code, msg)
	}
	if r := c.call(http.MethodDelete, "/groups/"+other, ""); r.status != http.StatusNoContent {
		t.Errorf("deleting the group once seen: %d %s", r.status, r.body)
	}
	if r := c.call(http.MethodDelete, "/groups/"+other, ""); r.status != http.StatusNotFound {
		t.Errorf("deleting it again: %d, want 404", r.status)
	}
}

// Delay runs on the Server's clock: nothing sleeps.
func TestReplicationDelay(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := newTestServer(t, Options{Now: clock.Now, Replication: Replication{Delay: 30 * time.Second}})
	c := newGraphClient(t, s)
	id := created(t, c.call(http.MethodPost, "/users", lagUser))
	for range 5 {
		if r := c.get("/users/" + id); r.status != http.StatusNotFound {
			t.Fatalf("before the delay: %d", r.status)
		}
	}
	clock.Advance(29 * time.Second)
	if r := c.call(http.MethodDelete, "/users/"+id, ""); r.status != http.StatusNotFound {
		t.Fatalf("DELETE 1 s before the delay: %d", r.status)
	}
	clock.Advance(time.Second)
	if r := c.get("/users/" + id); r.status != http.StatusOK {
		t.Fatalf("at the delay: %d %s", r.status, r.body)
	}

	// Both knobs: visible once both hold.
	s.SetReplication(Replication{Reads: 1, Delay: time.Minute})
	id2 := created(t, c.call(http.MethodPost, "/users", strings.ReplaceAll(lagUser, "lag", "both")))
	clock.Advance(2 * time.Minute)
	if r := c.get("/users/" + id2); r.status != http.StatusNotFound {
		t.Errorf("delay passed, read left: %d", r.status)
	}
	if r := c.get("/users/" + id2); r.status != http.StatusOK {
		t.Errorf("both passed: %d", r.status)
	}

	// Off again: the next write is seen at once.
	s.SetReplication(Replication{})
	id3 := created(t, c.call(http.MethodPost, "/users", strings.ReplaceAll(lagUser, "lag", "now")))
	if r := c.get("/users/" + id3); r.status != http.StatusOK {
		t.Errorf("without lag: %d", r.status)
	}
}

// Concurrent reads share the object's count: exactly Reads of them see it missing.
func TestReplicationConcurrentReads(t *testing.T) {
	const reads, workers, each = 40, 8, 10
	s := newTestServer(t, Options{Replication: Replication{Reads: reads}})
	c := newGraphClient(t, s)
	id := created(t, c.call(http.MethodPost, "/users", lagUser))
	var mu sync.Mutex // guards missing
	missing := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				r := c.get("/users/" + id)
				if r.status == http.StatusNotFound {
					mu.Lock()
					missing++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if missing != reads {
		t.Errorf("%d of %d reads missed the user, want %d", missing, workers*each, reads)
	}
}

// Objects of registered entity sets lag like users and groups.
func TestReplicationEntitySet(t *testing.T) {
	s := newTestServer(t, Options{EntitySets: []EntitySet{widgets(0)}, Replication: Replication{Reads: 2}})
	c := newGraphClient(t, s)
	id := created(t, c.call(http.MethodPost, "/widgets", `{"displayName":"new"}`))
	if got := len(values(t, c.get("/widgets"))); got != 0 {
		t.Errorf("list shows %d widgets while the new one is unseen", got)
	}
	if r := c.call(http.MethodPost, "/widgets/"+id+"/addKey", `{"name":"k"}`); r.status != http.StatusNotFound {
		t.Errorf("action on an unseen widget: %d, want 404", r.status)
	}
	if r := c.call(http.MethodPatch, "/widgets/"+id, `{"displayName":"renamed"}`); r.status != http.StatusNotFound {
		t.Errorf("PATCH of an unseen widget: %d, want 404", r.status)
	}
	if r := c.call(http.MethodPatch, "/widgets/"+id, `{"displayName":"renamed"}`); r.status != http.StatusNoContent {
		t.Fatalf("PATCH once seen: %d %s", r.status, r.body)
	}
	var names []any
	for range 3 {
		names = append(names, c.get("/widgets/" + id).json(t)["displayName"])
	}
	if fmt.Sprint(names) != "[new new renamed]" {
		t.Errorf("displayName over three reads = %v, want the change on the third", names)
	}
}
