package graph_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/graphtest"
)

func ExampleClient_Groups() {
	client, fake := exampleClient(0)
	defer fake.Close()
	for _, name := range []string{"Sales", "Legal", "Finance"} {
		if _, err := fake.AddGroup(map[string]any{"displayName": name}); err != nil {
			log.Fatal(err)
		}
	}

	params := &graph.ListGroupsParams{Select: []string{"id", "displayName"}, Top: graph.Ptr(2)}
	for group, err := range client.Groups(context.Background(), params) {
		if err != nil {
			log.Fatal(err)
		}
		name, _ := group.DisplayName.Get()
		fmt.Println(name)
	}
	fmt.Println(fake.Requests(graphtest.OpListGroups), "pages")
	// Output:
	// Sales
	// Legal
	// Finance
	// 2 pages
}

func ExampleClient_CreateGroupWithResponse() {
	client, fake := exampleClient(0)
	defer fake.Close()

	// Graph requires displayName, mailEnabled, mailNickname and securityEnabled.
	resp, err := client.CreateGroupWithResponse(context.Background(), graph.Group{
		DisplayName:     graph.Value("Operations"),
		MailEnabled:     graph.Value(false),
		MailNickname:    graph.Value("operations"),
		SecurityEnabled: graph.Value(true),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode(), *resp.JSON201.ID != "")
	// Output: 201 true
}

func ExampleClient_AddGroupMember() {
	client, fake := exampleClient(2)
	defer fake.Close()
	ctx := context.Background()
	groupID, err := fake.AddGroup(map[string]any{"displayName": "Engineering"})
	if err != nil {
		log.Fatal(err)
	}

	for _, userID := range fake.UserIDs() {
		if err := client.AddGroupMember(ctx, groupID, userID); err != nil {
			log.Fatal(err)
		}
	}
	// Adding a member twice is Graph's 400.
	err = client.AddGroupMember(ctx, groupID, fake.UserIDs()[0])
	var gerr *graph.Error
	fmt.Println(errors.As(err, &gerr) && gerr.StatusCode == http.StatusBadRequest)

	for member, err := range client.GroupMembers(ctx, groupID, nil) {
		if err != nil {
			log.Fatal(err)
		}
		if u, ok := member.User(); ok {
			upn, _ := u.UserPrincipalName.Get()
			fmt.Println(member.Type(), upn)
		}
	}

	// Removing one is the generated call.
	resp, err := client.RemoveGroupMemberWithResponse(ctx, groupID, fake.UserIDs()[0], nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode())
	// Output:
	// true
	// #microsoft.graph.user henrietta.mensah@contoso.example
	// #microsoft.graph.user irvin.deyoung@contoso.example
	// 204
}
