package graph_test

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
)

// userJSONNames lists the JSON names of graph.User's fields.
func userJSONNames() map[string]bool {
	names := map[string]bool{}
	t := reflect.TypeFor[graph.User]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names[name] = true
	}
	return names
}

func TestUserRoundTripsEveryProperty(t *testing.T) {
	raw, err := os.ReadFile("testdata/user-all-properties.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture map[string]any
	if err := json.Unmarshal(raw, &fixture); err != nil {
		t.Fatal(err)
	}
	// Every field of User is set in the fixture, so nothing below can pass by omission.
	for name := range userJSONNames() {
		if _, ok := fixture[name]; !ok {
			t.Errorf("fixture lacks %q", name)
		}
	}
	if n := len(fixture) - 3; n != 79 { // less id, deletedDateTime and @odata.type
		t.Errorf("fixture has %d user properties, want 79", n)
	}

	var first graph.User
	if err := json.Unmarshal(raw, &first); err != nil {
		t.Fatalf("decode: %v", err)
	}
	encoded, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	var second graph.User
	if err := json.Unmarshal(encoded, &second); err != nil {
		t.Fatalf("decode again: %v", err)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("decode, encode, decode changed the user")
	}
	// And the wire form is the fixture's, value for value.
	var back map[string]any
	if err := json.Unmarshal(encoded, &back); err != nil {
		t.Fatal(err)
	}
	for k, want := range fixture {
		if got := back[k]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: re-encoded %v, want %v", k, got, want)
		}
	}
	for k := range back {
		if _, ok := fixture[k]; !ok {
			t.Errorf("re-encoded user gained %q", k)
		}
	}
}

func TestPatchBodies(t *testing.T) {
	tests := []struct {
		name string
		user graph.User
		want string
	}{
		{"nothing set", graph.User{}, `{}`},
		{"one string", graph.User{JobTitle: graph.Value("Engineer")}, `{"jobTitle":"Engineer"}`},
		{"false is sent", graph.User{AccountEnabled: graph.Value(false)}, `{"accountEnabled":false}`},
		{"clear a string", graph.User{MobilePhone: graph.Null[string]()}, `{"mobilePhone":null}`},
		{"clear a complex property", graph.User{EmployeeOrgData: graph.Null[graph.EmployeeOrgData]()}, `{"employeeOrgData":null}`},
		{"empty string is a value", graph.User{Department: graph.Value("")}, `{"department":""}`},
		{"one nested property", graph.User{PasswordProfile: graph.Value(graph.PasswordProfile{ForceChangePasswordNextSignIn: graph.Value(true)})},
			`{"passwordProfile":{"forceChangePasswordNextSignIn":true}}`},
		{"a list", graph.User{OtherMails: []string{"a@contoso.test"}}, `{"otherMails":["a@contoso.test"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.user)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("body = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestUserMatchesCSDL checks the generated User against Microsoft's CSDL excerpt in ../shared, when it is
// there: the same 79 structural properties, no more, no fewer.
func TestUserMatchesCSDL(t *testing.T) {
	raw, err := os.ReadFile("../shared/reference/graph-v1.0-csdl-user-excerpt.xml")
	if err != nil {
		t.Skipf("CSDL excerpt not available: %v", err)
	}
	var doc struct {
		Types []struct {
			Name  string `xml:"Name,attr"`
			Props []struct {
				Name string `xml:"Name,attr"`
			} `xml:"Property"`
		} `xml:"DataServices>Schema>EntityType"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"@odata.type": true}
	for _, et := range doc.Types {
		if et.Name == "user" || et.Name == "directoryObject" || et.Name == "entity" {
			for _, p := range et.Props {
				want[p.Name] = true
			}
		}
	}
	got := userJSONNames()
	var missing, extra []string
	for n := range want {
		if !got[n] {
			missing = append(missing, n)
		}
	}
	for n := range got {
		if !want[n] {
			extra = append(extra, n)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 || len(want) != 82 {
		t.Errorf("User vs CSDL: missing %v, extra %v, CSDL has %d", missing, extra, len(want))
	}
}
