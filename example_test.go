package graph_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// exampleClient returns a client for a fake with n users. In a real program, leave out AuthorityHost
// and BaseURL, and use your own tenant, client id and secret.
func exampleClient(n int) (*graph.Client, *graphtest.Server) {
	fake := graphtest.NewServer(graphtest.Options{Users: n})
	client, err := graph.NewClient(graph.Config{
		TenantID:      fake.TenantID,
		ClientID:      fake.ClientID,
		Credential:    auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost,
		BaseURL:       fake.GraphURL,
	})
	if err != nil {
		log.Fatal(err)
	}
	return client, fake
}

func ExampleNewClient() {
	fake := graphtest.NewServer(graphtest.Options{Users: 2})
	defer fake.Close()

	client, err := graph.NewClient(graph.Config{
		TenantID:      fake.TenantID,
		ClientID:      fake.ClientID,
		Credential:    auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, // leave out for the real identity platform
		BaseURL:       fake.GraphURL,      // leave out for the real Graph
	})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.ListUsersWithResponse(context.Background(), &graph.ListUsersParams{Top: graph.Ptr(1)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(resp.JSON200.Value), "user on the first page")
	// Output: 1 user on the first page
}

func ExampleClient_ListUsersWithResponse() {
	client, fake := exampleClient(3)
	defer fake.Close()

	resp, err := client.ListUsersWithResponse(context.Background(), &graph.ListUsersParams{
		Select: []string{"id", "displayName"},
		Top:    graph.Ptr(2),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range resp.JSON200.Value {
		name, _ := u.DisplayName.Get()
		fmt.Println(name != "")
	}
	next, _ := resp.JSON200.ODataNextLink.Get()
	fmt.Println("more pages:", next != "")
	// Output:
	// true
	// true
	// more pages: true
}

func ExampleClient_Users() {
	client, fake := exampleClient(250)
	defer fake.Close()

	n := 0
	for user, err := range client.Users(context.Background(), &graph.ListUsersParams{Top: graph.Ptr(100)}) {
		if err != nil {
			log.Fatal(err)
		}
		_ = user
		n++
	}
	fmt.Println(n, "users in", fake.Requests(graphtest.OpListUsers), "pages")
	// Output: 250 users in 3 pages
}

func ExampleClient_GetUserWithResponse() {
	client, fake := exampleClient(0)
	defer fake.Close()
	ctx := context.Background()

	id, err := fake.AddUser(map[string]any{"displayName": "Adele Vance", "userPrincipalName": "adele@" + fake.Domain})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.GetUserWithResponse(ctx, id, &graph.GetUserParams{Select: []string{"displayName"}})
	if err != nil {
		log.Fatal(err)
	}
	name, _ := resp.JSON200.DisplayName.Get()
	fmt.Println(name)

	// A user that does not exist is a *graph.Error.
	_, err = client.GetUserWithResponse(ctx, "no-such-user", nil)
	var gerr *graph.Error
	if errors.As(err, &gerr) && gerr.StatusCode == http.StatusNotFound {
		fmt.Println(gerr.Code)
	}
	// Output:
	// Adele Vance
	// Request_ResourceNotFound
}

func ExampleClient_CreateUserWithResponse() {
	client, fake := exampleClient(0)
	defer fake.Close()
	ctx := context.Background()

	created, err := client.CreateUserWithResponse(ctx, graph.User{
		AccountEnabled:    graph.Value(true),
		DisplayName:       graph.Value("Adele Vance"),
		MailNickname:      graph.Value("adele"),
		UserPrincipalName: graph.Value("adele@" + fake.Domain),
		PasswordProfile: graph.Value(graph.PasswordProfile{
			Password:                      graph.Value("a-long-generated-password"),
			ForceChangePasswordNextSignIn: graph.Value(true),
		}),
	})
	if err != nil {
		log.Fatal(err)
	}
	id := *created.JSON201.ID

	// Update sends only what is set: a value changes a property, Null clears it.
	_, err = client.UpdateUserWithResponse(ctx, id, graph.User{
		JobTitle:       graph.Value("Engineer"),
		OfficeLocation: graph.Null[string](),
	})
	if err != nil {
		log.Fatal(err)
	}
	got, err := client.GetUserWithResponse(ctx, id, &graph.GetUserParams{Select: []string{"jobTitle"}})
	if err != nil {
		log.Fatal(err)
	}
	title, _ := got.JSON200.JobTitle.Get()
	fmt.Println(title)

	if _, err := client.DeleteUserWithResponse(ctx, id, nil); err != nil {
		log.Fatal(err)
	}
	_, err = client.GetUserWithResponse(ctx, id, nil)
	fmt.Println(errors.Is(err, &graph.Error{StatusCode: http.StatusNotFound}))
	// Output:
	// Engineer
	// true
}

func ExampleClient_CountUsers() {
	client, fake := exampleClient(42)
	defer fake.Close()

	n, err := client.CountUsers(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output: 42
}
