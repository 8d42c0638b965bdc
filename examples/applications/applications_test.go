package applications_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
	"github.com/typedgraph/graph/examples/applications"
	"github.com/typedgraph/graph/graphtest"
)

// client returns a Directory on a typedgraph client for fake, logging at debug level into logs.
func client(t *testing.T, fake *graphtest.Server, logs *bytes.Buffer) *applications.Directory {
	t.Helper()
	gc, err := graph.NewClient(graph.Config{
		TenantID: fake.TenantID, ClientID: fake.ClientID, Credential: auth.NewClientSecret(fake.ClientSecret),
		AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := applications.New(gc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestApplicationLifecycle(t *testing.T) {
	const seeded = 4
	fake := newFake(seeded)
	defer fake.Close()
	var logs bytes.Buffer
	d := client(t, fake, &logs)
	ctx := context.Background()

	app, err := d.CreateApplication(ctx, "provisioning daemon")
	if err != nil {
		t.Fatal(err)
	}
	appID, _ := app.AppID.Get()
	if app.ID == nil || appID == "" || app.DisplayName.GetOrEmpty() != "provisioning daemon" {
		t.Fatalf("created application %+v", app)
	}

	if err := d.UpdateApplication(ctx, *app.ID, applications.Application{Notes: graph.Value("owned by the platform team")}); err != nil {
		t.Fatal(err)
	}
	if stored, _ := fake.Object("applications", "", *app.ID); stored["notes"] != "owned by the platform team" || stored["displayName"] != "provisioning daemon" {
		t.Fatalf("after the update the application holds %v", stored)
	}

	sp, err := d.CreateServicePrincipal(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	if sp.ID == nil || sp.AppID.GetOrEmpty() != appID || sp.DisplayName.GetOrEmpty() != "provisioning daemon" {
		t.Fatalf("created service principal %+v", sp)
	}
	if _, err := d.CreateServicePrincipal(ctx, appID); !isGraphError(err, http.StatusBadRequest, "Request_BadRequest") {
		t.Errorf("a second service principal for one appId: %v, want 400", err)
	}

	cred, err := d.AddPassword(ctx, *app.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	secret := cred.SecretText.GetOrEmpty()
	keyID, _ := cred.KeyID.Get()
	if len(secret) < 16 || cred.Hint.GetOrEmpty() != secret[:3] {
		t.Fatalf("addPassword returned hint %q and a secret of %d characters", cred.Hint.GetOrEmpty(), len(secret))
	}
	// Printed, as a log line would print it, the credential keeps its secret to itself.
	if printed := fmt.Sprintf("%v %+v %#v", cred, cred, cred); strings.Contains(printed, secret) {
		t.Errorf("printing the credential shows its secret: %s", printed)
	}
	// Returned once: reading the application back shows the credential without its secret.
	got, err := d.API().GetApplicationWithResponse(ctx, *app.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if creds := got.JSON200.PasswordCredentials; len(creds) != 1 || creds[0].SecretText.GetOrEmpty() != "" || creds[0].KeyID != cred.KeyID {
		t.Fatalf("the application's passwordCredentials after addPassword: %d, secret shown again: %v", len(creds), creds[0].SecretText.IsSpecified())
	}

	// Both lists, two items a page: more than one page each.
	pages := fake.Requests("applications.list")
	var names []string
	for a, err := range d.Applications(ctx, 2) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, a.DisplayName.GetOrEmpty())
	}
	if len(names) != seeded+1 || names[seeded] != "provisioning daemon" {
		t.Errorf("listed applications %q", names)
	}
	if n := fake.Requests("applications.list") - pages; n != 3 {
		t.Errorf("applications listed in %d pages, want 3", n)
	}
	count := 0
	for sp, err := range d.ServicePrincipals(ctx, 2) {
		if err != nil {
			t.Fatal(err)
		}
		if sp.AppID.GetOrEmpty() == "" {
			t.Errorf("service principal without appId: %+v", sp)
		}
		count++
	}
	if count != seeded+1 || fake.Requests("servicePrincipals.list") != 3 {
		t.Errorf("listed %d service principals in %d pages, want %d in 3", count, fake.Requests("servicePrincipals.list"), seeded+1)
	}

	found, err := d.ServicePrincipalByAppID(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	if *found.ID != *sp.ID {
		t.Errorf("servicePrincipals(appId=...) found %v, want %v", *found.ID, *sp.ID)
	}

	if err := d.RemovePassword(ctx, *app.ID, keyID); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteServicePrincipal(ctx, *sp.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteApplication(ctx, *app.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ServicePrincipalByAppID(ctx, appID); !isGraphError(err, http.StatusNotFound, "Request_ResourceNotFound") {
		t.Errorf("lookup after delete: %v, want 404", err)
	}
	if _, err := d.API().GetApplicationWithResponse(ctx, *app.ID, nil); !isGraphError(err, http.StatusNotFound, "Request_ResourceNotFound") {
		t.Errorf("get after delete: %v, want 404", err)
	}

	// Never logged, never recorded, never printed.
	if logs.Len() == 0 {
		t.Fatal("the debug log is empty: the check below would prove nothing")
	}
	for _, r := range fake.Recorded() {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("the secret was sent in a request: %s %s", r.Method, r.Path)
		}
	}
	if strings.Contains(logs.String(), secret) {
		t.Error("the secret is in the client's log")
	}
}

// The generated client gets typedgraph's behaviour: throttling retried, a revoked token refreshed and
// the call replayed, an error answer turned into *graph.Error.
func TestGeneratedClientOnTypedgraph(t *testing.T) {
	fake := newFake(1)
	defer fake.Close()
	var logs bytes.Buffer
	d := client(t, fake, &logs)
	ctx := context.Background()

	fake.InterceptGraph(fake.FailRequests("applications.create", 1, http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}))
	if _, err := d.CreateApplication(ctx, "throttled"); err != nil {
		t.Fatalf("create after a 429: %v", err)
	}
	if n := fake.Requests("applications.create"); n != 2 {
		t.Errorf("create sent %d times, want 2", n)
	}

	fake.RevokeTokens()
	tokens := fake.TokenRequests()
	if _, err := d.API().ListApplicationsWithResponse(ctx, nil); err != nil {
		t.Fatalf("list after the token was revoked: %v", err)
	}
	if n := fake.TokenRequests() - tokens; n != 1 {
		t.Errorf("%d token requests after the revocation, want 1", n)
	}

	_, err := d.API().GetApplicationWithResponse(ctx, "00000000-0000-4000-8000-00000000dead", nil)
	var gerr *graph.Error
	if !errors.As(err, &gerr) || gerr.Code != "Request_ResourceNotFound" || gerr.RequestID == "" {
		t.Fatalf("get of a missing application: %v, want *graph.Error with Graph's code and request-id", err)
	}
	if _, err := d.CreateServicePrincipal(ctx, "00000000-0000-4000-8000-00000000dead"); !isGraphError(err, http.StatusBadRequest, "Request_BadRequest") {
		t.Errorf("service principal of no application: %v", err)
	}
}

func TestUnexpectedBody(t *testing.T) {
	fake := newFake(1)
	defer fake.Close()
	var logs bytes.Buffer
	d := client(t, fake, &logs)
	fake.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		if fake.Operation(r) != "servicePrincipals.get" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": 42}`))
		return true
	})
	_, err := d.ServicePrincipalByAppID(context.Background(), "00000000-0000-4000-8000-000000000001")
	var uerr *graph.UnexpectedResponseError
	if !errors.As(err, &uerr) || uerr.StatusCode != http.StatusOK {
		t.Fatalf("a body of the wrong shape: %v, want *graph.UnexpectedResponseError", err)
	}
}

func isGraphError(err error, status int, code string) bool {
	var gerr *graph.Error
	return errors.As(err, &gerr) && gerr.StatusCode == status && gerr.Code == code
}

// The wiring in five lines, and the lookup by appId.
func Example() {
	fake := newFake(2)
	defer fake.Close()
	ctx := context.Background()

	gc, err := graph.NewClient(graph.Config{TenantID: fake.TenantID, ClientID: fake.ClientID,
		Credential: auth.NewClientSecret(fake.ClientSecret), AuthorityHost: fake.AuthorityHost, BaseURL: fake.GraphURL})
	if err != nil {
		panic(err)
	}
	d, err := applications.New(gc) // apps.NewClientWithResponses(gc.BaseURL(), apps.WithHTTPClient(gc.Doer()), apps.WithRequestEditorFn(gc.RequestEditor()))
	if err != nil {
		panic(err)
	}
	sp, err := d.ServicePrincipalByAppID(ctx, "00000000-0000-4000-8000-000000000002")
	if err != nil {
		panic(err)
	}
	fmt.Println(sp.DisplayName.GetOrEmpty())
	// Output: seeded app 2
}
