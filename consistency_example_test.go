package graph_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/graphtest"
)

// A provisioning step writes and at once uses what it wrote. The fake lags as the directory does:
// each new object or change is unseen by the first 3 requests that name it.
func ExampleConsistencyPolicy() {
	fake := graphtest.NewServer(graphtest.Options{Replication: graphtest.Replication{Reads: 3}})
	defer fake.Close()
	client, err := graph.NewClient(graph.Config{
		TenantID:      fake.TenantID,
		ClientID:      fake.ClientID,
		Credential:    auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost,
		BaseURL:       fake.GraphURL,
		// Retry "not replicated yet" answers for up to a minute of waiting. (Short delays keep the
		// example quick; the defaults start at 1 s.)
		Consistency: &graph.ConsistencyPolicy{Window: time.Minute, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	created, err := client.CreateUserWithResponse(ctx, graph.User{
		AccountEnabled:    graph.Value(true),
		DisplayName:       graph.Value("Adele Vance"),
		MailNickname:      graph.Value("adele"),
		UserPrincipalName: graph.Value("adele@" + fake.Domain),
		PasswordProfile:   graph.Value(graph.PasswordProfile{Password: graph.Value("fake-Passw0rd!")}),
	})
	if err != nil {
		log.Fatal(err)
	}
	id := *created.JSON201.ID

	// Graph answers 404 until the user has replicated; the policy waits that out.
	if _, err := client.UpdateUserWithResponse(ctx, id, graph.User{JobTitle: graph.Value("Engineer")}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("updated after", fake.Requests(graphtest.OpUpdateUser), "attempts")

	// The same call without the policy gets Graph's 404.
	fake.SetReplication(graphtest.Replication{Reads: 1})
	other, err := client.CreateUserWithResponse(ctx, graph.User{
		AccountEnabled:    graph.Value(true),
		DisplayName:       graph.Value("Alex Wilber"),
		MailNickname:      graph.Value("alex"),
		UserPrincipalName: graph.Value("alex@" + fake.Domain),
		PasswordProfile:   graph.Value(graph.PasswordProfile{Password: graph.Value("fake-Passw0rd!")}),
	})
	if err != nil {
		log.Fatal(err)
	}
	off := graph.WithConsistencyPolicy(ctx, graph.ConsistencyPolicy{Window: -1})
	_, err = client.UpdateUserWithResponse(off, *other.JSON201.ID, graph.User{JobTitle: graph.Value("Engineer")})
	var gerr *graph.Error
	if errors.As(err, &gerr) {
		fmt.Println("without the policy:", gerr.StatusCode, gerr.Code)
	}
	// Output:
	// updated after 4 attempts
	// without the policy: 404 Request_ResourceNotFound
}

// A step that may run twice adds a member only if it is not one yet.
func ExampleClient_AddGroupMemberIfAbsent() {
	client, fake := exampleClient(1)
	defer fake.Close()
	ctx := context.Background()
	group, err := fake.AddGroup(map[string]any{"displayName": "Sales"})
	if err != nil {
		log.Fatal(err)
	}
	user := fake.UserIDs()[0]

	for range 2 {
		if err := client.AddGroupMemberIfAbsent(ctx, group, user); err != nil {
			log.Fatal(err)
		}
	}
	err = client.AddGroupMember(ctx, group, user) // the plain call keeps Graph's answer
	fmt.Println(graph.AlreadyMember(err))
	n := 0
	for _, err := range client.GroupMembers(ctx, group, nil) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "member")
	// Output:
	// true
	// 1 member
}

// Wait until a change has been seen by 3 reads in a row: a policy retries errors, but a read that
// succeeds with the old value is not one.
func ExampleWaitUntil() {
	fake := graphtest.NewServer(graphtest.Options{Users: 1})
	defer fake.Close()
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
	id := fake.UserIDs()[0]
	fake.SetReplication(graphtest.Replication{Reads: 2}) // changes are unseen by 2 reads
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := client.UpdateUserWithResponse(ctx, id, graph.User{JobTitle: graph.Value("Engineer")}); err != nil {
		log.Fatal(err)
	}

	jobTitle := func(ctx context.Context) (string, error) {
		resp, err := client.GetUserWithResponse(ctx, id, &graph.GetUserParams{Select: []string{"jobTitle"}})
		if err != nil {
			return "", err
		}
		v, _ := resp.JSON200.JobTitle.Get()
		return v, nil
	}
	seen := func(v string, err error) bool { return err == nil && v == "Engineer" }
	title, err := graph.WaitUntil(ctx, jobTitle, seen, &graph.WaitOptions{Consecutive: 3, Interval: time.Millisecond})
	if err != nil {
		log.Fatal(err) // at the deadline: context.DeadlineExceeded
	}
	fmt.Println(title, "after", fake.Requests(graphtest.OpGetUser), "reads")
	// Output: Engineer after 5 reads
}
