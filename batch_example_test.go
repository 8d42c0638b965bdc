package graph_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/gen"
	"github.com/typedgraph/graph/graphtest"
)

func ExampleClient_Batch() {
	client, fake := exampleClient(45)
	defer fake.Close()
	ctx := context.Background()

	// Each request is built exactly as for a single call, by the generated request builders.
	var reqs []graph.BatchRequest
	for _, id := range append(fake.UserIDs(), "no-such-user") {
		req, err := gen.NewGetUserRequest(client.BaseURL(), id, &graph.GetUserParams{Select: []string{"id", "displayName"}})
		if err != nil {
			log.Fatal(err)
		}
		reqs = append(reqs, graph.BatchRequest{ID: id, Request: req})
	}
	resps, err := client.Batch(ctx, reqs) // 46 requests: three $batch round trips
	if err != nil {
		log.Fatal(err)
	}
	found := 0
	for _, resp := range resps {
		user, err := graph.Decode[graph.User](resp)
		var gerr *graph.Error
		switch {
		case errors.As(err, &gerr):
			fmt.Println(resp.ID+":", gerr.StatusCode, gerr.Code)
		case err != nil:
			log.Fatal(err)
		case user.ID != nil:
			found++
		}
	}
	fmt.Println(found, "users in", fake.Requests(graphtest.OpBatch), "round trips")
	// Output:
	// no-such-user: 404 Request_ResourceNotFound
	// 45 users in 3 round trips
}

func ExampleClient_Batch_dependsOn() {
	client, fake := exampleClient(0)
	defer fake.Close()

	// Create a user, then read it back: the second request runs only if the first succeeds.
	create, err := gen.NewCreateUserRequest(client.BaseURL(), graph.User{
		AccountEnabled: graph.Value(true), DisplayName: graph.Value("Adele Vance"), MailNickname: graph.Value("adele"),
		UserPrincipalName: graph.Value("adele@" + fake.Domain),
		PasswordProfile:   graph.Value(graph.PasswordProfile{Password: graph.Value("xWwvJ]6NMw+bWH-d")}),
	})
	if err != nil {
		log.Fatal(err)
	}
	get, err := gen.NewGetUserRequest(client.BaseURL(), "adele@"+fake.Domain, nil)
	if err != nil {
		log.Fatal(err)
	}
	resps, err := client.Batch(context.Background(), []graph.BatchRequest{
		{ID: "create", Request: create},
		{ID: "get", Request: get, DependsOn: []string{"create"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, resp := range resps {
		user, err := graph.Decode[graph.User](resp)
		if err != nil {
			log.Fatal(err)
		}
		name, _ := user.DisplayName.Get()
		fmt.Println(resp.ID, resp.StatusCode, name)
	}
	// Output:
	// create 201 Adele Vance
	// get 200 Adele Vance
}

func ExampleClient_AddGroupMembers() {
	client, fake := exampleClient(50)
	defer fake.Close()
	group, err := fake.AddGroup(map[string]any{"displayName": "Everyone"})
	if err != nil {
		log.Fatal(err)
	}
	if err := client.AddGroupMembers(context.Background(), group, fake.UserIDs()); err != nil {
		var merr *graph.AddMembersError
		if errors.As(err, &merr) {
			log.Fatalf("not added: %v", merr.MemberIDs)
		}
		log.Fatal(err)
	}
	fmt.Println(len(fake.Members(group)), "members in", fake.Requests(graphtest.OpUpdateGroup), "requests")
	// Output: 50 members in 3 requests
}
