package graph

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// collect runs decodePage over body, decoding items into any, and returns the items yielded.
func collect(body string) (items []any, next string, err error) {
	links, _, err := decodePage([]byte(body), func(v any, _ error) bool {
		items = append(items, v)
		return true
	})
	return items, links.next, err
}

func TestDecodePage(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		items   int
		next    string
		wantErr bool
	}{
		{"graph's order", `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=X","value":[{"id":"1"},{"id":"2"}]}`, 2, "https://graph.microsoft.com/v1.0/users?$skiptoken=X", false},
		{"link after value", `{"value":[{"id":"1"}],"@odata.nextLink":"n"}`, 1, "n", false},
		{"delta link and count skipped", "{ \"@odata.count\" : 12 ,\n \"value\" : [ ] , \"@odata.deltaLink\":\"d\", \"x\":{\"a\":[1,{\"b\":null}]}}\n", 0, "", false},
		{"last page", `{"value":[{"id":"1"}]}`, 1, "", false},
		{"null link and value", `{"@odata.nextLink":null,"value":null}`, 0, "", false},
		{"escaped link", `{"@odata.nextLink":"https:\/\/h\/a?b=\u0063"}`, 0, "https://h/a?b=c", false},
		{"escaped key", `{"\u0076alue":[1]}`, 1, "", false},
		{"empty object", `{}`, 0, "", false},
		{"not an object", `[{"id":"1"}]`, 0, "", true},
		{"value not an array", `{"value":{"id":"1"}}`, 0, "", true},
		{"link not a string", `{"@odata.nextLink":5}`, 0, "", true},
		{"truncated", `{"value":[{"id":"1"},{"id":`, 1, "", true},
		{"truncated after value", `{"value":[]`, 0, "", true},
		{"trailing data", `{"value":[]} x`, 0, "", true},
		{"invalid skipped member", `{"@odata.context":tru,"value":[]}`, 0, "", true},
		{"missing comma", `{"a":1 "value":[]}`, 0, "", true},
		{"trailing comma", `{"value":[],}`, 0, "", true},
		{"control in key", "{\"a\x01\":1}", 0, "", true},
		{"empty", ``, 0, "", true},
		{"null", `null`, 0, "", true},
		{"html", `<html>`, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, next, err := collect(tt.body)
			if (err != nil) != tt.wantErr || len(items) != tt.items || next != tt.next {
				t.Errorf("decodePage = %d items, next %q, err %v; want %d, %q, error %v", len(items), next, err, tt.items, tt.next, tt.wantErr)
			}
		})
	}
}

// TestDecodePageDeltaLink: the last page of a delta round ends with @odata.deltaLink, which decodePage
// returns beside the nextLink, wherever it stands and escaped or not.
func TestDecodePageDeltaLink(t *testing.T) {
	for _, tt := range []struct {
		body        string
		next, delta string
	}{
		{`{"value":[{"id":"1"}],"@odata.deltaLink":"https://g/v1.0/users/delta()?$deltatoken=a"}`, "", "https://g/v1.0/users/delta()?$deltatoken=a"},
		{`{"@odata.deltaLink":"d\u0026x","value":[]}`, "", "d&x"},
		{`{"@odata.nextLink":"n","value":[]}`, "n", ""},
		{`{"@odata.deltaLink":null,"value":[]}`, "", ""},
	} {
		links, _, err := decodePage([]byte(tt.body), func(any, error) bool { return true })
		if err != nil || links.next != tt.next || links.delta != tt.delta {
			t.Errorf("%s: %+v, %v; want next %q, delta %q", tt.body, links, err, tt.next, tt.delta)
		}
	}
}

func TestDecodePageStops(t *testing.T) {
	n := 0
	_, more, err := decodePage([]byte(`{"value":[1,2,3],"@odata.nextLink":"n"}`), func(any, error) bool { n++; return n < 2 })
	if n != 2 || more || err != nil {
		t.Fatalf("yielded %d, more %v, err %v", n, more, err)
	}
}

// FuzzDecodePage feeds decodePage (the reader of every page body Graph sends) arbitrary bytes: it never
// panics, accepts only valid JSON, and agrees with encoding/json on the items and the next link of
// every page encoding/json reads.
func FuzzDecodePage(f *testing.F) {
	for _, s := range []string{
		`{"@odata.context":"c","@odata.nextLink":"n","value":[{"id":"1","displayName":null,"businessPhones":[]}]}`,
		`{"value":[1,"a",null,true,[],{}],"@odata.deltaLink":"d"}`, `{"\u0076alue":[]}`, `{"value":null}`, `[]`, `{"value":[`, `{} {}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		items, next, err := collect(body)
		if err == nil && !json.Valid([]byte(body)) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		want, wantNext, ok := referencePage(body)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("encoding/json reads %q, decodePage: %v", body, err)
		}
		if len(items) == len(want) && ((len(items) > 0 && !reflect.DeepEqual(items, want)) || next != wantNext) {
			t.Fatalf("%q: got %v, %q; want %v, %q", body, items, next, want, wantNext)
		}
	})
}

// referencePage reads a page with encoding/json alone (exact member names; a repeated member counts
// once, the last time). A body of null, which encoding/json reads as an empty map, is no page: decodePage
// refuses it.
func referencePage(body string) (items []any, next string, ok bool) {
	var env map[string]json.RawMessage
	if json.Unmarshal([]byte(body), &env) != nil || env == nil { // a page of null is not a page
		return nil, "", false
	}
	if v, found := env["value"]; found && strings.TrimSpace(string(v)) != "null" {
		if json.Unmarshal(v, &items) != nil {
			return nil, "", false
		}
	}
	if v, found := env["@odata.nextLink"]; found && strings.TrimSpace(string(v)) != "null" {
		if json.Unmarshal(v, &next) != nil {
			return nil, "", false
		}
	}
	return items, next, true
}
