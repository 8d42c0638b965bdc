package graph_test

import (
	"context"
	"fmt"
	"log"
	"net/url"

	"github.com/typedgraph/graph"
)

// A path nobody generated is one generic call away: the result type is yours (a struct with the
// properties you need, a generated model, or json.RawMessage), Path escapes the segments, and the
// call gets the client's auth, retries and *graph.Error.
func ExampleGet() {
	client, fake := exampleClient(3)
	defer fake.Close()
	ctx := context.Background()

	type person struct {
		DisplayName       string `json:"displayName"`
		UserPrincipalName string `json:"userPrincipalName"`
	}
	n := 0
	var first person
	for p, err := range graph.List[person](ctx, client, "users", url.Values{"$top": {"2"}}) {
		if err != nil {
			log.Fatal(err)
		}
		if n == 0 {
			first = p
		}
		n++
	}
	again, err := graph.Get[person](ctx, client, graph.Path("users", first.UserPrincipalName), url.Values{"$select": {"displayName"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "users;", again.DisplayName == first.DisplayName)
	// Output: 3 users; true
}
