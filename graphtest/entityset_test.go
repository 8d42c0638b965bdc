package graphtest

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// widgets is an entity set a test registers: a type the fake knows nothing else about.
func widgets(seed int) EntitySet {
	set := EntitySet{
		Path: "widgets",
		Type: "microsoft.graph.widget",
		Properties: map[string]Kind{
			"displayName": KindString, "serial": KindString, "enabled": KindBool, "size": KindInt,
			"tags": KindStrings, "createdDateTime": KindDateTime, "keys": KindObjects,
		},
		Default:       []string{"id", "displayName", "serial"},
		Required:      []string{"displayName"},
		AlternateKeys: []string{"serial"},
		OnCreate: func(obj map[string]any) error {
			if obj["displayName"] == "refused" {
				return errors.New("Widgets may not be called refused.")
			}
			if _, ok := obj["serial"]; !ok {
				obj["serial"] = "S-" + obj["id"].(string)[:8]
			}
			return nil
		},
		Actions: map[string]Action{
			"addKey": func(obj, body map[string]any) (map[string]any, any, error) {
				name, _ := body["name"].(string)
				if name == "" {
					return nil, nil, errors.New("name is required")
				}
				keys, _ := obj["keys"].([]any)
				obj["keys"] = append(keys, map[string]any{"name": name})
				return obj, map[string]any{"name": name, "secret": "s3cr3t-" + name}, nil
			},
			"touch": func(obj, body map[string]any) (map[string]any, any, error) { return nil, nil, nil },
		},
	}
	for i := range seed {
		set.Seed = append(set.Seed, map[string]any{"displayName": "w" + string(rune('a'+i)), "serial": "S" + string(rune('a'+i)), "size": i})
	}
	return set
}

func TestEntitySetCRUD(t *testing.T) {
	s := newTestServer(t, Options{EntitySets: []EntitySet{widgets(5)}})
	c := newGraphClient(t, s)

	// List, paged.
	var names []string
	next := "/widgets?$top=2"
	pages := 0
	for next != "" {
		r := c.get(next)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", next, r.status, r.body)
		}
		for _, v := range values(t, r) {
			names = append(names, v["displayName"].(string))
			if _, ok := v["size"]; ok {
				t.Errorf("size returned without $select: %v", v)
			}
		}
		next, _ = r.json(t)["@odata.nextLink"].(string)
		pages++
	}
	if strings.Join(names, ",") != "wa,wb,wc,wd,we" || pages != 3 {
		t.Fatalf("listed %v in %d pages", names, pages)
	}
	if n := s.Requests("widgets.list"); n != 3 {
		t.Errorf("widgets.list counted %d", n)
	}

	// $filter, $select, $orderby, $count.
	r := c.get("/widgets?$filter=size%20ge%203&$select=displayName,size")
	if vs := values(t, r); len(vs) != 2 || vs[0]["size"] != float64(3) {
		t.Fatalf("filter: %d %s", r.status, r.body)
	}
	r = c.get("/widgets?$orderby=displayName%20desc&$top=1")
	if vs := values(t, r); len(vs) != 1 || vs[0]["displayName"] != "we" {
		t.Fatalf("orderby: %d %s", r.status, r.body)
	}
	r = c.get("/widgets/$count?$filter=size%20lt%202", "ConsistencyLevel: eventual")
	if r.status != http.StatusOK || string(r.body) != "2" {
		t.Fatalf("count: %d %s", r.status, r.body)
	}
	r = c.get("/widgets?$select=colour")
	if code, _ := graphErr(t, r); r.status != http.StatusBadRequest || code == "" {
		t.Fatalf("unknown $select: %d %s", r.status, r.body)
	}

	// Create, get by id and by alternate key, update, action, delete.
	r = c.call(http.MethodPost, "/widgets", `{"size":7}`)
	if code, msg := graphErr(t, r); r.status != http.StatusBadRequest || !strings.Contains(msg, "displayName") {
		t.Fatalf("create without a required property: %d %s %s", r.status, code, msg)
	}
	r = c.call(http.MethodPost, "/widgets", `{"displayName":"x","colour":"red"}`)
	if _, msg := graphErr(t, r); r.status != http.StatusBadRequest || !strings.Contains(msg, "colour") {
		t.Fatalf("create with an unknown property: %d %s", r.status, r.body)
	}
	r = c.call(http.MethodPost, "/widgets", `{"displayName":"refused"}`)
	if _, msg := graphErr(t, r); r.status != http.StatusBadRequest || !strings.Contains(msg, "refused") {
		t.Fatalf("create refused by OnCreate: %d %s", r.status, r.body)
	}
	r = c.call(http.MethodPost, "/widgets", `{"displayName":"new","serial":"Sa"}`)
	if _, msg := graphErr(t, r); r.status != http.StatusBadRequest || !strings.Contains(msg, "serial") {
		t.Fatalf("create with a taken alternate key: %d %s", r.status, r.body)
	}
	r = c.call(http.MethodPost, "/widgets", `{"displayName":"new","size":9}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	created := r.json(t)
	id, serial := created["id"].(string), created["serial"].(string)
	if id == "" || !strings.HasPrefix(serial, "S-") {
		t.Fatalf("created %v", created)
	}
	if r = c.get("/widgets/" + id + "?$select=size"); r.status != http.StatusOK || r.json(t)["size"] != float64(9) {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	if r = c.get("/widgets(serial='" + serial + "')"); r.status != http.StatusOK || r.json(t)["id"] != id {
		t.Fatalf("get by alternate key: %d %s", r.status, r.body)
	}
	if r = c.get("/widgets(colour='x')"); r.status != http.StatusBadRequest {
		t.Fatalf("get by an undeclared key: %d %s", r.status, r.body)
	}
	if r = c.call(http.MethodPatch, "/widgets/"+id, `{"size":10,"tags":["a"]}`); r.status != http.StatusNoContent {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if r = c.call(http.MethodPatch, "/widgets/"+id, `{"displayName":null}`); r.status != http.StatusBadRequest {
		t.Fatalf("nulling a required property: %d %s", r.status, r.body)
	}
	r = c.call(http.MethodPost, "/widgets/"+id+"/addKey", `{"name":"k1"}`)
	if r.status != http.StatusOK || r.json(t)["secret"] != "s3cr3t-k1" {
		t.Fatalf("action: %d %s", r.status, r.body)
	}
	if r = c.call(http.MethodPost, "/widgets(serial='"+serial+"')/microsoft.graph.addKey", `{}`); r.status != http.StatusBadRequest {
		t.Fatalf("action refusing its body: %d %s", r.status, r.body)
	}
	if r = c.call(http.MethodPost, "/widgets/"+id+"/touch", ""); r.status != http.StatusNoContent {
		t.Fatalf("action without a result: %d %s", r.status, r.body)
	}
	obj, ok := s.Object("widgets", "", id)
	if !ok || obj["size"] != float64(10) || len(obj["keys"].([]any)) != 1 {
		t.Fatalf("stored %v", obj)
	}
	if r = c.call(http.MethodPut, "/widgets/"+id, `{}`); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	if r = c.call(http.MethodDelete, "/widgets/"+id, ""); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	r = c.get("/widgets/" + id)
	if code, _ := graphErr(t, r); r.status != http.StatusNotFound || code != "Request_ResourceNotFound" {
		t.Fatalf("get after delete: %d %s", r.status, r.body)
	}
	if _, ok := s.Object("widgets", "serial", serial); ok {
		t.Error("Object found a deleted widget")
	}
}

func TestEntitySetRolesAndFaults(t *testing.T) {
	set := widgets(1)
	set.WriteRoles = []string{"Widget.ReadWrite.All"}
	s := newTestServer(t, Options{EntitySets: []EntitySet{set}})
	c := newGraphClient(t, s)
	if r := c.get("/widgets"); r.status != http.StatusOK {
		t.Fatalf("read with any token: %d", r.status)
	}
	r := c.call(http.MethodPost, "/widgets", `{"displayName":"x"}`)
	if code, _ := graphErr(t, r); r.status != http.StatusForbidden || code != "Authorization_RequestDenied" {
		t.Fatalf("write without the role: %d %s", r.status, r.body)
	}
	s.InterceptGraph(s.FailRequests("widgets.list", 1, http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}))
	if r := c.get("/widgets"); r.status != http.StatusTooManyRequests {
		t.Fatalf("fault aimed at widgets.list: %d", r.status)
	}
	if r := c.get("/widgets"); r.status != http.StatusOK {
		t.Fatalf("after the fault: %d", r.status)
	}
}

func TestEntitySetRefusedAtStart(t *testing.T) {
	for name, set := range map[string]EntitySet{
		"no path":          {Type: "microsoft.graph.x"},
		"two segments":     {Path: "a/b", Type: "microsoft.graph.x"},
		"users":            {Path: "Users", Type: "microsoft.graph.x"},
		"unknown required": {Path: "x", Type: "microsoft.graph.x", Required: []string{"nope"}},
		"bad seed":         {Path: "x", Type: "microsoft.graph.x", Properties: map[string]Kind{"n": KindInt}, Seed: []map[string]any{{"n": "one"}}},
		"bad kind":         {Path: "x", Type: "microsoft.graph.x", Properties: map[string]Kind{"n": 99}},
	} {
		if s, err := Start(Options{EntitySets: []EntitySet{set}}); err == nil {
			s.Close()
			t.Errorf("%s: Start accepted it", name)
		}
	}
}

func TestEntitySetQuota(t *testing.T) {
	s := newTestServer(t, Options{Users: 1, EntitySets: []EntitySet{widgets(2)}, MaxObjects: 4})
	c := newGraphClient(t, s)
	if r := c.call(http.MethodPost, "/widgets", `{"displayName":"fourth"}`); r.status != http.StatusCreated {
		t.Fatalf("create within the quota: %d %s", r.status, r.body)
	}
	r := c.call(http.MethodPost, "/widgets", `{"displayName":"fifth"}`)
	if code, _ := graphErr(t, r); r.status != http.StatusBadRequest || code != "Directory_QuotaExceeded" {
		t.Fatalf("create beyond the quota: %d %s", r.status, r.body)
	}
}
