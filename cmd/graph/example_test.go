package main

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
)

// noEnv is an empty environment: no credentials, so graph uses its embedded emulator.
func noEnv(string) string { return "" }

// The first command a newcomer types, go run ./cmd/graph users list, here with a few columns and
// users. With no credentials configured it runs against the embedded emulator.
func Example() {
	run(context.Background(), []string{"users", "list", "--select", "displayName,jobTitle", "--top", "3", "--json=false"},
		strings.NewReader(""), os.Stdout, io.Discard, noEnv)
	// Output:
	// displayName       jobTitle
	// Henrietta Mensah  Product Manager
	// Irvin Deyoung     Senior Engineer
	// Grady Okafor      Senior Engineer
}

// Scripts get JSON, one object per line, whenever stdout is not a terminal, or with --json.
func Example_json() {
	run(context.Background(), []string{"users", "get", "irvin.deyoung@contoso.example", "--select", "displayName,city,accountEnabled"},
		strings.NewReader(""), os.Stdout, io.Discard, noEnv)
	// Output:
	// {"accountEnabled":false,"city":"Nairobi","displayName":"Irvin Deyoung"}
}

// Creating a user reads its JSON from a file or, with "-", from standard input.
func Example_create() {
	user := `{"accountEnabled": true, "displayName": "Ada Lovelace", "mailNickname": "ada",
		"userPrincipalName": "ada@contoso.example", "passwordProfile": {"password": "Fake-Passw0rd!"}}`
	code := run(context.Background(), []string{"--json=false", "users", "create", "--input", "-"},
		strings.NewReader(user), io.Discard, io.Discard, noEnv)
	os.Stdout.WriteString(map[int]string{0: "created\n", 1: "Graph refused\n", 2: "bad input\n"}[code])
	// Output:
	// created
}

// graph batch reads requests as JSON lines and prints one table row (or JSON line) per response,
// in input order, sending them 20 per $batch.
func Example_batch() {
	requests := `{"method":"GET","url":"/users/irvin.deyoung@contoso.example?$select=displayName"}
{"id":"missing","method":"GET","url":"/users/nobody@contoso.example"}
{"id":"after","method":"GET","url":"/users/nobody@contoso.example/memberOf","dependsOn":["missing"]}`
	code := run(context.Background(), []string{"batch", "--input", "-", "--json=false"},
		strings.NewReader(requests), os.Stdout, io.Discard, noEnv)
	os.Stdout.WriteString("exit status " + strconv.Itoa(code) + "\n")
	// Output:
	// id       status  result
	// 1        200     {"displayName":"Irvin Deyoung"}
	// missing  404     Request_ResourceNotFound: Resource 'nobody@contoso.example' does not exist or one of its queried reference-property objects are not present.
	// after    424     FailedDependency: The request was not run because a request it depends on failed.
	// exit status 1
}
