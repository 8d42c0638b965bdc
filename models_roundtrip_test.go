package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
)

// Realistic bodies as Graph sends them, for TestModelsRoundTrip.
const (
	// A user in Graph's default projection (no $select): nulls and an empty array included.
	userDefaultBody = `{"businessPhones":[],"displayName":"Adele Vance","givenName":"Adele","jobTitle":null,
		"mail":"AdeleV@contoso.test","mobilePhone":null,"officeLocation":"18/2111","preferredLanguage":"en-US",
		"surname":"Vance","userPrincipalName":"AdeleV@contoso.test","id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd"}`
	// A user with nested complex types, some of their properties null, and empty collections.
	userNestedBody = `{"@odata.type":"#microsoft.graph.user","id":"6e7b768e-07e2-4810-8459-485f84f8f204",
		"accountEnabled":false,"passwordProfile":{"password":null,"forceChangePasswordNextSignIn":true,
		"forceChangePasswordNextSignInWithMfa":false},"employeeOrgData":{"costCenter":null,"division":"Cloud"},
		"onPremisesExtensionAttributes":{"extensionAttribute1":"a","extensionAttribute2":null,
		"extensionAttribute3":null,"extensionAttribute15":"z"},"signInActivity":{"lastSignInDateTime":
		"2026-11-30T08:00:00Z","lastSignInRequestId":"r1","lastNonInteractiveSignInDateTime":null,
		"lastNonInteractiveSignInRequestId":null},"assignedLicenses":[{"disabledPlans":[],
		"skuId":"c7df2760-2c81-4ef7-b578-5b5392b571df"}],"identities":[{"signInType":"userPrincipalName",
		"issuer":"contoso.test","issuerAssignedId":"a@contoso.test"}],"otherMails":[],"proxyAddresses":[],
		"imAddresses":[],"employeeHireDate":null,"deviceEnrollmentLimit":0,"usageLocation":""}`
	// A Microsoft 365 group, as Graph lists it by default.
	groupUnifiedBody = `{"id":"02bd9fd6-8f93-4758-87c3-1fb73740a315","deletedDateTime":null,"classification":null,
		"createdDateTime":"2024-03-04T05:06:07Z","creationOptions":["Team","ExchangeProvisioningFlags:481"],
		"description":"Everything about HR.","displayName":"HR Taskforce","expirationDateTime":null,
		"groupTypes":["Unified"],"isAssignableToRole":null,"mail":"HRTaskforce@contoso.test","mailEnabled":true,
		"mailNickname":"HRTaskforce","membershipRule":null,"membershipRuleProcessingState":null,
		"onPremisesDomainName":null,"onPremisesLastSyncDateTime":null,"onPremisesNetBiosName":null,
		"onPremisesSamAccountName":null,"onPremisesSecurityIdentifier":null,"onPremisesSyncEnabled":null,
		"preferredDataLocation":null,"preferredLanguage":null,"proxyAddresses":["SMTP:HRTaskforce@contoso.test",
		"smtp:HRTaskforce@contoso.onmicrosoft.test"],"renewedDateTime":"2024-03-04T05:06:07Z",
		"resourceBehaviorOptions":[],"resourceProvisioningOptions":["Team"],"securityEnabled":false,
		"securityIdentifier":"S-1-12-1-45981654-1196986259-3072312199-363020343","theme":null,"uniqueName":null,
		"visibility":"Private","onPremisesProvisioningErrors":[],"serviceProvisioningErrors":[]}`
	// A security group: no mail, no group types, assigned labels and licenses.
	groupSecurityBody = `{"id":"45b7d2e7-b882-4a80-ba97-10b7a63b8fa4","displayName":"Sales Reps","description":null,
		"groupTypes":[],"mail":null,"mailEnabled":false,"mailNickname":"salesreps","securityEnabled":true,
		"isAssignableToRole":true,"visibility":null,"proxyAddresses":[],"assignedLabels":[{"labelId":"l1",
		"displayName":null}],"assignedLicenses":[{"disabledPlans":["11111111-2222-3333-4444-555555555555"],
		"skuId":"c7df2760-2c81-4ef7-b578-5b5392b571df"}],"licenseProcessingState":{"state":"ProcessingComplete"},
		"membershipRule":"user.department -eq \"Sales\"","membershipRuleProcessingState":"On",
		"onPremisesSyncEnabled":true,"onPremisesLastSyncDateTime":"2026-12-01T02:03:04Z"}`
)

// TestModelsRoundTrip decodes realistic user and group bodies into the generated models and encodes
// them again: every property the model knows comes back with the same JSON value (null stays null, []
// stays [], absent stays absent). Properties the model does not know are left out of the comparison.
func TestModelsRoundTrip(t *testing.T) {
	all, err := os.ReadFile("testdata/user-all-properties.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		body string
		kind any // a pointer to the model to decode into
	}{
		{"user default projection", userDefaultBody, new(graph.User)},
		{"user full select", string(all), new(graph.User)},
		{"user full select, nullables null", nullsFor[graph.User](t, all), new(graph.User)},
		{"user full select, arrays empty", emptyArraysIn(t, all), new(graph.User)},
		{"user nested complex types", userNestedBody, new(graph.User)},
		{"group unified", groupUnifiedBody, new(graph.Group)},
		{"group security", groupSecurityBody, new(graph.Group)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := json.Unmarshal([]byte(tt.body), tt.kind); err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			want := knownOnly(t, reflect.TypeOf(tt.kind).Elem(), decodeAny(t, []byte(tt.body)))
			got := decodeAny(t, out).(map[string]any)
			if len(want) == 0 {
				t.Fatal("no known property in the body")
			}
			for name, w := range want {
				g, ok := got[name]
				if !ok {
					t.Errorf("%s: absent after the round trip, was %s", name, jsonOf(w))
				} else if !reflect.DeepEqual(g, w) {
					t.Errorf("%s: %s after the round trip, was %s", name, jsonOf(g), jsonOf(w))
				}
			}
			for name, g := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s: %s after the round trip, was absent", name, jsonOf(g))
				}
			}
		})
	}
}

// TestEmptyArrayIsSent: an empty, non-nil slice is sent as [] (a PATCH can clear a collection); a nil
// one is left out.
func TestEmptyArrayIsSent(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{graph.User{BusinessPhones: []string{}}, `{"businessPhones":[]}`},
		{graph.User{BusinessPhones: nil}, `{}`},
		{graph.User{OtherMails: []string{"a@contoso.test"}}, `{"otherMails":["a@contoso.test"]}`},
		{graph.Group{GroupTypes: []string{}, ProxyAddresses: []string{}}, `{"groupTypes":[],"proxyAddresses":[]}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.v)
		if err != nil || string(b) != tt.want {
			t.Errorf("json.Marshal = %s, %v; want %s", b, err, tt.want)
		}
	}
	var u graph.User
	if err := json.Unmarshal([]byte(`{"businessPhones":[],"otherMails":null}`), &u); err != nil {
		t.Fatal(err)
	}
	if u.BusinessPhones == nil || len(u.BusinessPhones) != 0 || u.OtherMails != nil {
		t.Errorf("[] read as %#v, null as %#v", u.BusinessPhones, u.OtherMails)
	}
}

// TestUserPrints: %v and %+v of a model print the properties set, readably, and nothing else.
func TestUserPrints(t *testing.T) {
	tests := []struct {
		format string
		v      any
		want   string
	}{
		{"%+v", graph.User{DisplayName: graph.Value("Ada Lovelace"), JobTitle: graph.Null[string]()}, "{DisplayName:Ada Lovelace JobTitle:<null>}"},
		{"%v", graph.User{DisplayName: graph.Value("Ada Lovelace"), JobTitle: graph.Null[string]()}, "{Ada Lovelace <null>}"},
		{"%+v", graph.User{ID: graph.Ptr("87d3"), BusinessPhones: []string{}, AccountEnabled: graph.Value(true)}, "{AccountEnabled:true BusinessPhones:[] ID:87d3}"},
		{"%+v", graph.User{PasswordProfile: graph.Value(graph.PasswordProfile{Password: graph.Value("s3cret!"), ForceChangePasswordNextSignIn: graph.Value(true)})}, "{PasswordProfile:{ForceChangePasswordNextSignIn:true Password:[redacted]}}"},
		{"%+v", graph.Group{DisplayName: graph.Value("Sales"), GroupTypes: []string{"Unified"}}, "{DisplayName:Sales GroupTypes:[Unified]}"},
		{"%+v", graph.User{}, "{}"},
	}
	for _, tt := range tests {
		s := fmt.Sprintf(tt.format, tt.v)
		if s != tt.want {
			t.Errorf("Sprintf(%q) = %s, want %s", tt.format, s, tt.want)
		}
		if strings.Contains(s, "map[") {
			t.Errorf("%s prints a map: %s", tt.format, s)
		}
	}
}

// nullsFor returns body with every property that is a Nullable in M set to null.
func nullsFor[M any](t *testing.T, body []byte) string {
	t.Helper()
	m := decodeAny(t, body).(map[string]any)
	typ := reflect.TypeFor[M]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if _, ok := m[name]; ok && strings.Contains(f.Type.String(), "nullable.Nullable[") {
			m[name] = nil
		}
	}
	return jsonOf(m)
}

// emptyArraysIn returns body with every array property empty.
func emptyArraysIn(t *testing.T, body []byte) string {
	t.Helper()
	m := decodeAny(t, body).(map[string]any)
	for k, v := range m {
		if _, ok := v.([]any); ok {
			m[k] = []any{}
		}
	}
	return jsonOf(m)
}

// knownOnly keeps the properties of m that model (a struct type) has a field for.
func knownOnly(t *testing.T, model reflect.Type, v any) map[string]any {
	t.Helper()
	m := v.(map[string]any)
	out := map[string]any{}
	for i := range model.NumField() {
		name, _, _ := strings.Cut(model.Field(i).Tag.Get("json"), ",")
		if w, ok := m[name]; ok {
			out[name] = w
		}
	}
	return out
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
