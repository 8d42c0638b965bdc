package graph_test

import (
	"context"
	"fmt"
	"log"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/graphtest"
)

// A program configured from the environment, as the graph command is. Here the variables come from a
// map pointing at the fake, through ConfigFromLookup; a real program calls graph.ConfigFromEnv()
// and reads AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, ... from its environment.
func ExampleConfigFromLookup() {
	fake := graphtest.NewServer(graphtest.Options{Users: 3})
	defer fake.Close()
	env := map[string]string{
		"AZURE_TENANT_ID":      fake.TenantID,
		"AZURE_CLIENT_ID":      fake.ClientID,
		"AZURE_CLIENT_SECRET":  fake.ClientSecret,
		"AZURE_AUTHORITY_HOST": fake.AuthorityHost,
		"TYPEDGRAPH_BASE_URL":  fake.GraphURL,
	}
	cfg, err := graph.ConfigFromLookup(func(name string) string { return env[name] })
	if err != nil {
		log.Fatal(err)
	}
	client, err := graph.NewClient(cfg)
	if err != nil {
		log.Fatal(err)
	}
	n, err := client.CountUsers(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "users")
	// Output: 3 users
}
