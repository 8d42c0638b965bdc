package graph_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/nullable"
)

// A model's properties are unset until set: only what is set is sent, null clears a property, and an
// empty slice is sent as [] (clearing a collection).
func ExampleNullable() {
	update := graph.User{
		JobTitle:       graph.Value("Engineer"),
		OfficeLocation: graph.Null[string](),
		BusinessPhones: []string{},
	}
	body, _ := json.Marshal(update)
	fmt.Println(string(body))
	fmt.Printf("%+v\n", update)

	if title, err := update.JobTitle.Get(); err == nil {
		fmt.Println("title:", title)
	}
	if _, err := update.OfficeLocation.Get(); errors.Is(err, nullable.ErrNull) {
		fmt.Println("office: null")
	}
	if _, err := update.Department.Get(); errors.Is(err, nullable.ErrUnset) {
		fmt.Println("department: not set")
	}
	// Output:
	// {"businessPhones":[],"jobTitle":"Engineer","officeLocation":null}
	// {BusinessPhones:[] JobTitle:Engineer OfficeLocation:<null>}
	// title: Engineer
	// office: null
	// department: not set
}

// Reading a user: a property Graph sent as null is null, one it did not send is unset.
func ExampleNullable_read() {
	var u graph.User
	_ = json.Unmarshal([]byte(`{"id":"87d349ed","displayName":"Adele Vance","jobTitle":null,"businessPhones":[]}`), &u)
	fmt.Printf("%+v\n", u)
	fmt.Println(u.DisplayName.GetOrEmpty(), u.JobTitle.IsNull(), u.Mail.IsSpecified(), u.BusinessPhones != nil)
	// Output:
	// {BusinessPhones:[] DisplayName:Adele Vance ID:87d349ed JobTitle:<null>}
	// Adele Vance true false true
}
