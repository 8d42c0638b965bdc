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

func ExampleClient_GroupMembers() {
	client, fake := exampleClient(2)
	defer fake.Close()
	ctx := context.Background()
	team, _ := fake.AddGroup(map[string]any{"displayName": "Team"})
	sub, _ := fake.AddGroup(map[string]any{"displayName": "Interns", "mail": "interns@contoso.example"})
	for _, id := range append(fake.UserIDs(), sub) {
		if err := fake.AddMember(team, id); err != nil {
			log.Fatal(err)
		}
	}

	// Each member comes decoded as the kind it is, with the properties selected: no request per member.
	params := &graph.ListGroupMembersParams{Select: []string{"id", "displayName", "mail"}}
	for m, err := range client.GroupMembers(ctx, team, params) {
		if err != nil {
			log.Fatal(err)
		}
		if u, ok := m.User(); ok {
			name, _ := u.DisplayName.Get()
			mail, _ := u.Mail.Get()
			fmt.Println("user", name, mail)
		} else if g, ok := m.Group(); ok {
			name, _ := g.DisplayName.Get()
			mail, _ := g.Mail.Get()
			fmt.Println("group", name, mail)
		}
	}
	fmt.Println(fake.Requests(graphtest.OpListGroupMembers), "request")
	// Output:
	// user Henrietta Mensah henrietta.mensah@contoso.example
	// user Irvin Deyoung irvin.deyoung@contoso.example
	// group Interns interns@contoso.example
	// 1 request
}

func ExampleClient_UserMemberOf() {
	client, fake := exampleClient(1)
	defer fake.Close()
	user := fake.UserIDs()[0]
	for _, name := range []string{"Sales", "Legal"} {
		id, _ := fake.AddGroup(map[string]any{"displayName": name})
		if err := fake.AddMember(id, user); err != nil {
			log.Fatal(err)
		}
	}

	for m, err := range client.UserMemberOf(context.Background(), user, nil) {
		if err != nil {
			log.Fatal(err)
		}
		g, ok := m.Group()
		if !ok {
			continue // a directory role or an administrative unit: see m.Type() and m.Raw()
		}
		name, _ := g.DisplayName.Get()
		fmt.Println(name)
	}
	// Output:
	// Sales
	// Legal
}

func ExampleClient_CreateGroup() {
	client, fake := exampleClient(3)
	defer fake.Close()
	users := fake.UserIDs()

	// One POST creates the group with its owner and members (owners@odata.bind, members@odata.bind).
	group, err := client.CreateGroup(context.Background(), graph.Group{
		DisplayName:     graph.Value("Project Falcon"),
		MailEnabled:     graph.Value(false),
		MailNickname:    graph.Value("falcon"),
		SecurityEnabled: graph.Value(true),
	}, users[:1], users[1:])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(fake.Owners(*group.ID)), "owner,", len(fake.Members(*group.ID)), "members,",
		fake.Requests(graphtest.OpCreateGroup), "request")

	// An id that names nothing is Graph's 400, and no group is created.
	_, err = client.CreateGroup(context.Background(), graph.Group{
		DisplayName:     graph.Value("Project Owl"),
		MailEnabled:     graph.Value(false),
		MailNickname:    graph.Value("owl"),
		SecurityEnabled: graph.Value(true),
	}, nil, []string{"00000000-0000-4000-8000-000000000000"})
	var gerr *graph.Error
	fmt.Println(errors.As(err, &gerr) && gerr.StatusCode == http.StatusBadRequest)
	// Output:
	// 1 owner, 2 members, 1 request
	// true
}

func ExamplePathParamError() {
	client, fake := exampleClient(1)
	defer fake.Close()

	// An empty id would make GET /users/{id} list every user; it is refused before anything is sent.
	_, err := client.GetUserWithResponse(context.Background(), "", nil)
	var perr *graph.PathParamError
	fmt.Println(errors.As(err, &perr), perr.Param, fake.GraphRequests())
	_, err = client.DeleteGroupWithResponse(context.Background(), "..", nil)
	fmt.Println(err)
	// Output:
	// true user-id 0
	// graph: group-id ".." would change the request path
}
