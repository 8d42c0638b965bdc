package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/typedgraph/graph"
)

// optional stands for a nullable wrapper of another shape than the models' current one: a struct
// that decodes itself, holding the value and flags.
type optional[T any] struct {
	v         T
	set, null bool
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.set = true
	return json.Unmarshal(b, &o.v)
}

// TestModelType checks which type's properties the input check looks at through the wrappers a
// model's fields may have, so that the check keeps working when the nullable type changes.
func TestModelType(t *testing.T) {
	profile := reflect.TypeFor[graph.PasswordProfile]()
	tests := []struct {
		in   reflect.Type
		want reflect.Type
		ok   bool
	}{
		{reflect.TypeFor[*graph.PasswordProfile](), profile, true},
		{reflect.TypeFor[graph.Nullable[graph.PasswordProfile]](), profile, true},
		{reflect.TypeFor[optional[graph.PasswordProfile]](), profile, true},
		{reflect.TypeFor[*optional[[]graph.ObjectIdentity]](), reflect.TypeFor[[]graph.ObjectIdentity](), true},
		{reflect.TypeFor[optional[string]](), reflect.TypeFor[optional[string]](), false}, // nothing to check inside
		{reflect.TypeFor[graph.User](), reflect.TypeFor[graph.User](), true},
	}
	for _, tt := range tests {
		got, ok := modelType(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("modelType(%v) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}

	// Through such a wrapper, a misspelt nested property is still found.
	type model struct {
		Profile optional[graph.PasswordProfile] `json:"passwordProfile"`
	}
	var raw any
	if err := json.Unmarshal([]byte(`{"passwordProfile":{"pasword":"x"}}`), &raw); err != nil {
		t.Fatal(err)
	}
	err := checkProperties(raw, reflect.TypeFor[model](), "", 0)
	if err == nil || err.Error() != `unknown property "passwordProfile.pasword"; did you mean "password"?` {
		t.Errorf("checkProperties = %v", err)
	}
}

// TestCloseNames checks the suggestions for near misses.
func TestCloseNames(t *testing.T) {
	names := []string{"displayName", "mail", "mailNickname", "password", "top", "filter", "users", "groups"}
	tests := []struct{ in, want string }{
		{"displayNam", "displayName"},
		{"DisplayName", "displayName"}, // a difference of case alone is a near miss
		{"displayname", "displayName"},
		{"pasword", "password"},
		{"tpo", "top"},
		{"fliter", "filter"},
		{"user", "users"},
		{"zzz", ""},
		{"m", ""},
	}
	for _, tt := range tests {
		if got := closest(tt.in, names); got != tt.want {
			t.Errorf("closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
