package graphtest_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// A test registers an entity set the fake does not know (here devices), and any client then lists,
// creates, reads, counts and deletes its objects through the same machinery as users and groups.
func ExampleEntitySet() {
	fake := graphtest.NewServer(graphtest.Options{EntitySets: []graphtest.EntitySet{{
		Path: "devices",
		Type: "microsoft.graph.device",
		Properties: map[string]graphtest.Kind{
			"displayName": graphtest.KindString, "deviceId": graphtest.KindString,
			"accountEnabled": graphtest.KindBool, "operatingSystem": graphtest.KindString,
		},
		Required:      []string{"displayName", "accountEnabled"},
		AlternateKeys: []string{"deviceId"},
		Seed: []map[string]any{
			{"displayName": "build-01", "deviceId": "d-1", "accountEnabled": true, "operatingSystem": "Linux"},
			{"displayName": "build-02", "deviceId": "d-2", "accountEnabled": true, "operatingSystem": "Linux"},
			{"displayName": "laptop-07", "deviceId": "d-3", "accountEnabled": false, "operatingSystem": "Windows"},
		},
	}}})
	defer fake.Close()
	client, err := graph.NewClient(graph.Config{TenantID: fake.TenantID, ClientID: fake.ClientID,
		Credential: auth.NewClientSecret(fake.ClientSecret), AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	type device struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}
	for d, err := range graph.List[device](ctx, client, "devices", url.Values{"$filter": {"operatingSystem eq 'Linux'"}, "$top": {"1"}}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(d.DisplayName)
	}
	laptop, err := graph.Get[device](ctx, client, "devices(deviceId='d-3')", nil)
	if err != nil {
		panic(err)
	}
	if err := graph.Delete(ctx, client, graph.Path("devices", laptop.ID)); err != nil {
		panic(err)
	}
	fmt.Println(fake.Requests("devices.list"), "pages;", laptop.DisplayName, "deleted")
	// Output:
	// build-01
	// build-02
	// 2 pages; laptop-07 deleted
}
