package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
)

// TestDirectoryItemDecodes decodes directory objects as Graph sends them in members and memberOf
// pages: each becomes the type its @odata.type names, wherever that key stands, and keeps what was
// sent.
func TestDirectoryItemDecodes(t *testing.T) {
	tests := []struct {
		name, in     string
		typ, id      string
		user, group  bool
		displayName  string
		raw          bool
		reencodesAll bool // MarshalJSON gives back the same JSON value
	}{
		{name: "user", in: `{"@odata.type":"#microsoft.graph.user","id":"u1","displayName":"Ada","mail":"ada@contoso.example","userPrincipalName":"ada@contoso.example"}`,
			typ: graph.ODataTypeUser, id: "u1", user: true, displayName: "Ada", reencodesAll: true},
		{name: "group", in: `{"@odata.type":"#microsoft.graph.group","id":"g1","displayName":"Sales","mail":null}`,
			typ: graph.ODataTypeGroup, id: "g1", group: true, displayName: "Sales", reencodesAll: true},
		{name: "type not first", in: `{"id":"u2","displayName":"Bo","nested":{"@odata.type":"#microsoft.graph.group","x":["}",{"a":"\""}]},"@odata.type":"#microsoft.graph.user"}`,
			typ: graph.ODataTypeUser, id: "u2", user: true, displayName: "Bo"},
		{name: "escaped type", in: `{"@odata.type":"#microsoft.graph.\u0067roup","id":"g2"}`,
			typ: graph.ODataTypeGroup, id: "g2", group: true},
		{name: "spaces", in: " {\n \"@odata.type\" : \"#microsoft.graph.user\" ,\t\"id\":\"u3\"}\n", typ: graph.ODataTypeUser, id: "u3", user: true},
		{name: "device", in: `{"@odata.type":"#microsoft.graph.device","id":"d1","displayName":"Laptop","operatingSystem":"Windows"}`,
			typ: "#microsoft.graph.device", id: "d1", raw: true, reencodesAll: true},
		{name: "no type", in: `{"id":"x1"}`, id: "x1", raw: true, reencodesAll: true},
		{name: "empty object", in: `{}`, raw: true, reencodesAll: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d graph.DirectoryItem
			if err := json.Unmarshal([]byte(tt.in), &d); err != nil {
				t.Fatal(err)
			}
			if d.Type() != tt.typ || d.ID() != tt.id {
				t.Errorf("Type %q ID %q, want %q %q", d.Type(), d.ID(), tt.typ, tt.id)
			}
			u, isUser := d.User()
			g, isGroup := d.Group()
			if isUser != tt.user || isGroup != tt.group || (d.Raw() != nil) != tt.raw {
				t.Fatalf("User %v Group %v Raw %s", isUser, isGroup, d.Raw())
			}
			var name string
			switch {
			case isUser:
				name, _ = u.DisplayName.Get()
			case isGroup:
				name, _ = g.DisplayName.Get()
			}
			if name != tt.displayName {
				t.Errorf("displayName %q, want %q", name, tt.displayName)
			}
			out, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if tt.reencodesAll && !jsonEqual(t, string(out), tt.in) {
				t.Errorf("re-encoded %s, want %s", out, tt.in)
			}
			var again graph.DirectoryItem
			if err := json.Unmarshal(out, &again); err != nil || again.Type() != d.Type() || again.ID() != d.ID() {
				t.Errorf("round trip: %v, %q %q", err, again.Type(), again.ID())
			}
		})
	}
}

func TestDirectoryItemRefuses(t *testing.T) {
	for _, in := range []string{`[]`, `"x"`, `42`, `true`, `{"@odata.type":"#microsoft.graph.user","id":42}`,
		`{"@odata.type":"#microsoft.graph.group","displayName":false}`, `{"@odata.type":"#microsoft.graph.device","id":[]}`} {
		var d graph.DirectoryItem
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("%s decoded into %v", in, d)
		}
	}
	// null leaves the item as it was, as encoding/json does for its own types.
	var items []graph.DirectoryItem
	if err := json.Unmarshal([]byte(`[null,{"@odata.type":"#microsoft.graph.user","id":"u"}]`), &items); err != nil || len(items) != 2 || items[0].Type() != "" || items[1].ID() != "u" {
		t.Errorf("%v %v", items, err)
	}
}

func TestDirectoryItemPrints(t *testing.T) {
	var d graph.DirectoryItem
	if err := json.Unmarshal([]byte(`{"@odata.type":"#microsoft.graph.device","id":"d1"}`), &d); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%s"} {
		if got := fmt.Sprintf(format, d); got != "#microsoft.graph.device d1" {
			t.Errorf("%s: %q", format, got)
		}
	}
	if err := json.Unmarshal([]byte(`{"@odata.type":"#microsoft.graph.user","id":"u1","displayName":"Ada"}`), &d); err != nil {
		t.Fatal(err)
	}
	u, _ := d.User()
	if got, want := fmt.Sprintf("%+v", d), fmt.Sprintf("%+v", u); got != want || !strings.Contains(got, "Ada") {
		t.Errorf("%%+v of a user item = %s, want the User's %s", got, want)
	}
	if got := fmt.Sprint(graph.DirectoryItem{}); got != "" {
		t.Errorf("zero item prints %q", got)
	}
	if b, _ := json.Marshal(graph.DirectoryItem{}); string(b) != "{}" {
		t.Errorf("zero item encodes as %s", b)
	}
}

func FuzzDirectoryItem(f *testing.F) {
	for _, seed := range []string{
		`{"@odata.type":"#microsoft.graph.user","id":"u1","displayName":"Ada"}`,
		`{"id":"g","@odata.type":"#microsoft.graph.group","groupTypes":["Unified"]}`,
		`{"@odata.type":"#microsoft.graph.device","id":"d"}`,
		`{"a":{"b":["\"}",1]},"@odata.type":"#microsoft.graph.user"}`,
		`{"@odata.type":1}`, `{"@odata.type":"\u0023x"}`, `{`, `{"`, `{"a"`, `{"a":`, `{"a":[`, `null`, `[]`, ``,
		"{}\f", "{\"id\":\"x\"}\u00a0",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var d graph.DirectoryItem
		if err := d.UnmarshalJSON([]byte(in)); err != nil {
			return
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("%q decoded but does not encode: %v", in, err)
		}
		var again graph.DirectoryItem
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("%s does not decode again: %v", out, err)
		}
		if again.Type() != d.Type() || again.ID() != d.ID() {
			t.Fatalf("%q: type %q id %q, then %q %q", in, d.Type(), d.ID(), again.Type(), again.ID())
		}
		_ = fmt.Sprintf("%v %+v %s", d, d, d)
	})
}

// TestDirectoryItemDecoderReuse decodes items one after the other, good and bad, directly and inside
// pages: a failed item leaves nothing behind for the next.
func TestDirectoryItemDecoderReuse(t *testing.T) {
	inputs := []struct {
		in string
		ok bool
		id string
	}{
		{`{"@odata.type":"#microsoft.graph.user","id":"a"}`, true, "a"},
		{`{"@odata.type":"#microsoft.graph.user","id":"b"} {"id":"x"}`, false, ""},
		{`{"@odata.type":"#microsoft.graph.user","id":"c"}`, true, "c"},
		{`{"@odata.type":"#microsoft.graph.user","id":`, false, ""},
		{`{"@odata.type":"#microsoft.graph.group","id":"d"}  `, true, "d"},
		{`{} `, true, ""},
		{`{}`, true, ""},
		{`{"@odata.type":"#microsoft.graph.user","id":"e","accountEnabled":"yes"}`, false, ""},
		{`{"@odata.type":"#microsoft.graph.user","id":"f"}`, true, "f"},
	}
	for round := range 3 {
		for _, in := range inputs {
			var d graph.DirectoryItem
			err := d.UnmarshalJSON([]byte(in.in))
			if (err == nil) != in.ok || (in.ok && d.ID() != in.id) {
				t.Errorf("round %d, %s: err %v, id %q", round, in.in, err, d.ID())
			}
		}
	}
}
