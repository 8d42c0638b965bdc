package graphtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// deltaRound follows a delta round from link to its deltaLink and returns its items and the
// deltaLink. headers go with every page.
func (c *graphClient) deltaRound(link string, headers ...string) (items []map[string]any, delta string) {
	c.t.Helper()
	for link != "" {
		r := c.get(link, headers...)
		if r.status != http.StatusOK {
			c.t.Fatalf("%s: %d %s", link, r.status, r.body)
		}
		var page struct {
			Next  string           `json:"@odata.nextLink"`
			Delta string           `json:"@odata.deltaLink"`
			Value []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil || (page.Next == "") == (page.Delta == "") {
			c.t.Fatalf("want a page with one of nextLink and deltaLink: %v %s", err, r.body)
		}
		items = append(items, page.Value...)
		link, delta = page.Next, page.Delta
	}
	return items, delta
}

// keys returns the sorted keys of m.
func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestDeltaMinimalSendsChangedProperties(t *testing.T) {
	s := newTestServer(t, Options{Users: 5})
	c := newGraphClient(t, s)
	_, link := c.deltaRound("/users/delta()?$select=displayName,jobTitle,officeLocation")
	id := s.UserIDs()[2]
	c.call("PATCH", "/users/"+id, `{"jobTitle":"Pilot","officeLocation":null}`)
	c.call("PATCH", "/users/"+s.UserIDs()[3], `{"department":"Not tracked"}`)

	items, _ := c.deltaRound(link, "Prefer: return=minimal")
	if len(items) != 1 || items[0]["id"] != id {
		t.Fatalf("minimal round: %v (a change to an unselected property is not reported)", items)
	}
	if got := keys(items[0]); !slices.Equal(got, []string{"id", "jobTitle", "officeLocation"}) || items[0]["officeLocation"] != nil {
		t.Errorf("minimal item %v: want id, jobTitle and officeLocation (null)", items[0])
	}
	items, _ = c.deltaRound(link)
	if got := keys(items[0]); !slices.Equal(got, []string{"displayName", "id", "jobTitle", "officeLocation"}) {
		t.Errorf("full item has %v, want every selected property", got)
	}
}

func TestDeltaRemovalReasons(t *testing.T) {
	s := newTestServer(t, Options{Users: 3})
	c := newGraphClient(t, s)
	sec, _ := s.AddGroup(map[string]any{"displayName": "Sec", "securityEnabled": true, "mailEnabled": false, "groupTypes": []string{}})
	m365, _ := s.AddGroup(map[string]any{"displayName": "Team", "securityEnabled": false, "mailEnabled": true, "groupTypes": []string{"Unified"}})
	_, users := c.deltaRound("/users/delta()")
	_, groups := c.deltaRound("/groups/delta()")
	c.call("DELETE", "/users/"+s.UserIDs()[0], "")
	c.call("DELETE", "/groups/"+sec, "")
	c.call("DELETE", "/groups/"+m365, "")
	reason := func(item map[string]any) any {
		r, _ := item["@removed"].(map[string]any)
		return r["reason"]
	}
	if items, _ := c.deltaRound(users); len(items) != 1 || reason(items[0]) != "changed" {
		t.Errorf("deleted user: %v, want reason changed (restorable)", items)
	}
	items, _ := c.deltaRound(groups)
	got := map[any]any{}
	for _, it := range items {
		got[it["id"]] = reason(it)
	}
	if got[sec] != "deleted" || got[m365] != "changed" || len(got) != 2 {
		t.Errorf("deleted groups: %v; want the security group deleted, the Microsoft 365 group changed", got)
	}
}

func TestDeltaGroupMembers(t *testing.T) {
	s := newTestServer(t, Options{Users: 30, PageSize: 2, DeltaMembersPerItem: 5})
	c := newGraphClient(t, s)
	gid, _ := s.AddGroup(map[string]any{"displayName": "Big", "securityEnabled": true, "mailEnabled": false})
	users := s.UserIDs()
	for _, u := range users[:12] {
		if err := s.AddMember(gid, u); err != nil {
			t.Fatal(err)
		}
	}
	items, link := c.deltaRound("/groups/delta()?$select=displayName,members")
	var members []string
	for _, it := range items {
		if it["id"] != gid || it["displayName"] != "Big" {
			t.Fatalf("item %v", it)
		}
		slice, _ := it["members@delta"].([]any)
		if len(slice) > 5 {
			t.Errorf("an item carries %d members, over DeltaMembersPerItem", len(slice))
		}
		for _, m := range slice {
			members = append(members, m.(map[string]any)["id"].(string))
		}
	}
	if len(items) != 3 || !slices.Equal(members, users[:12]) {
		t.Errorf("full round: %d items, members %v; want the group 3 times with its 12 members in order", len(items), members)
	}
	if s.Requests(OpDeltaGroups) != 2 {
		t.Errorf("%d pages, want 2 of at most 2 items", s.Requests(OpDeltaGroups))
	}

	c.call("DELETE", "/groups/"+gid+"/members/"+users[0]+"/$ref", "")
	c.call("POST", "/groups/"+gid+"/members/$ref", `{"@odata.id":"`+s.GraphURL+`/directoryObjects/`+users[20]+`"}`)
	items, _ = c.deltaRound(link, "Prefer: return=minimal")
	if len(items) != 1 || !slices.Equal(keys(items[0]), []string{"id", "members@delta"}) {
		t.Fatalf("membership round: %v", items)
	}
	want := `[{"@odata.type":"#microsoft.graph.user","@removed":{"reason":"deleted"},"id":"` + users[0] + `"},{"@odata.type":"#microsoft.graph.user","id":"` + users[20] + `"}]`
	if got, _ := json.Marshal(items[0]["members@delta"]); string(got) != want {
		t.Errorf("members@delta %s\nwant %s", got, want)
	}
	if items, _ := c.deltaRound("/groups/delta()?$select=displayName"); len(items) != 1 || items[0]["members@delta"] != nil {
		t.Errorf("$select without members: %v", items)
	}
}

func TestDeltaLatestAgingAndResync(t *testing.T) {
	clock := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := newTestServer(t, Options{Users: 4, Now: clock.Now, TokenLifetime: 30 * 24 * time.Hour})
	c := newGraphClient(t, s)
	items, latest := c.deltaRound("/users/delta()?$deltatoken=latest")
	if len(items) != 0 || !strings.Contains(latest, "$deltatoken=") || strings.Contains(latest, "latest") {
		t.Fatalf("latest: %v, deltaLink %q", items, latest)
	}
	c.call("PATCH", "/users/"+s.UserIDs()[1], `{"displayName":"Later"}`)
	if items, _ := c.deltaRound(latest); len(items) != 1 || items[0]["displayName"] != "Later" {
		t.Errorf("after latest: %v", items)
	}

	// Six days old is fine; eight is not, whether by the clock or by AgeDeltaTokens.
	_, link := c.deltaRound("/users/delta()")
	clock.Advance(6 * 24 * time.Hour)
	c.deltaRound(link)
	_, fresh := c.deltaRound("/users/delta()")
	s.AgeDeltaTokens(2 * 24 * time.Hour)
	for _, l := range []string{link, latest} {
		r := c.get(l)
		if code, msg := graphErr(t, r); r.status != 400 || code != "syncStateNotFound" || !strings.Contains(msg, "expired") {
			t.Errorf("aged token: %d %s %q", r.status, code, msg)
		}
	}
	if _, l := c.deltaRound(fresh); l == "" {
		t.Error("a token issued 6 days before is refused")
	}

	// A forced resync: 410 Gone with a Location that starts a full round, for delta and skip tokens.
	s2 := newTestServer(t, Options{Users: 5, PageSize: 2})
	c2 := newGraphClient(t, s2)
	_, link = c2.deltaRound("/users/delta()?$select=displayName")
	first := c2.get("/users/delta()?$select=displayName")
	var page struct {
		Next string `json:"@odata.nextLink"`
	}
	_ = json.Unmarshal(first.body, &page)
	s2.ForceDeltaResync()
	for _, l := range []string{link, page.Next} {
		r := c2.get(l)
		if code, _ := graphErr(t, r); r.status != http.StatusGone || code != "resyncRequired" {
			t.Errorf("after ForceDeltaResync: %d %s", r.status, code)
		}
		loc := r.header.Get("Location")
		if loc != s2.GraphURL+"/users/delta()?$select=displayName" {
			t.Errorf("Location %q", loc)
		}
		if items, _ := c2.deltaRound(loc); len(items) != 5 {
			t.Errorf("the Location's round: %d items, want all 5", len(items))
		}
	}
}

// TestDeltaWriteDuringRound: an object written while a round is in progress is reported by the
// next round, whether or not this one reports it.
func TestDeltaWriteDuringRound(t *testing.T) {
	s := newTestServer(t, Options{Users: 6, PageSize: 2})
	c := newGraphClient(t, s)
	_, link := c.deltaRound("/users/delta()?$select=displayName")
	ids := s.UserIDs()
	for _, id := range ids[:4] {
		c.call("PATCH", "/users/"+id, `{"displayName":"One"}`)
	}
	r := c.get(link, "Prefer: return=minimal")
	var page struct {
		Next string `json:"@odata.nextLink"`
	}
	_ = json.Unmarshal(r.body, &page)
	c.call("PATCH", "/users/"+ids[3], `{"displayName":"Two"}`) // not yet returned by this round
	rest, next := c.deltaRound(page.Next, "Prefer: return=minimal")
	if len(rest) != 2 || rest[1]["id"] != ids[3] {
		t.Errorf("rest of the round: %v", rest)
	}
	items, _ := c.deltaRound(next, "Prefer: return=minimal")
	if len(items) != 1 || items[0]["displayName"] != "Two" {
		t.Errorf("next round: %v, want the user written during the last one", items)
	}
}
