// Package applications is typedgraph's worked example of extending from your own module: a slice of
// Microsoft Graph that typedgraph does not ship (applications and servicePrincipals, cut from
// Microsoft's Applications.yml with graphspec into package apps and generated there with
// oapi-codegen), running on typedgraph's client for its auth, retries, typed errors and paging, and
// tested against graphtest with those entity sets registered (fake_test.go).
package applications

import (
	"context"
	"iter"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/examples/applications/apps"
)

// Type names of the generated models this example uses.
type (
	// Application is an app registration (microsoft.graph.application).
	Application = apps.MicrosoftGraphApplication
	// ServicePrincipal is an application's instance in a tenant (microsoft.graph.servicePrincipal).
	ServicePrincipal = apps.MicrosoftGraphServicePrincipal
	// PasswordCredential is a client secret of an application.
	PasswordCredential = apps.MicrosoftGraphPasswordCredential
)

// Directory manages applications and service principals through the generated client, built on
// typedgraph's.
type Directory struct {
	gc  *graph.Client
	api *apps.ClientWithResponses
}

// New builds the generated client on gc: its server URL, its doer and its request editor are all it
// takes, and every call then gets typedgraph's token handling, retries and *graph.Error.
func New(gc *graph.Client) (*Directory, error) {
	api, err := apps.NewClientWithResponses(gc.BaseURL(),
		apps.WithHTTPClient(gc.Doer()), apps.WithRequestEditorFn(gc.RequestEditor()))
	if err != nil {
		return nil, err
	}
	api.ResponseError = graph.ResponseError // a 2xx body that is not the JSON declared: *graph.UnexpectedResponseError
	return &Directory{gc: gc, api: api}, nil
}

// API returns the generated client, for the calls this example does not wrap.
func (d *Directory) API() *apps.ClientWithResponses { return d.api }

// CreateApplication registers an application named displayName, for accounts of this tenant only.
func (d *Directory) CreateApplication(ctx context.Context, displayName string) (*Application, error) {
	resp, err := d.api.CreateApplicationWithResponse(ctx, Application{
		DisplayName:    graph.Value(displayName),
		SignInAudience: graph.Value("AzureADMyOrg"),
	})
	if err != nil {
		return nil, err // an answer outside 2xx is a *graph.Error
	}
	return resp.JSON201, nil
}

// UpdateApplication changes the properties of the application whose object id is id that change sets
// (unset ones are left out of the PATCH; graph.Null clears one).
func (d *Directory) UpdateApplication(ctx context.Context, id string, change Application) error {
	_, err := d.api.UpdateApplicationWithResponse(ctx, id, change)
	return err
}

// CreateServicePrincipal creates the service principal of the application appID in this tenant.
func (d *Directory) CreateServicePrincipal(ctx context.Context, appID string) (*ServicePrincipal, error) {
	resp, err := d.api.CreateServicePrincipalWithResponse(ctx, ServicePrincipal{AppID: graph.Value(appID)})
	if err != nil {
		return nil, err
	}
	return resp.JSON201, nil
}

// AddPassword adds a client secret to the application whose object id is id. The answer is the only
// place the secret ever appears (SecretText): Graph keeps only its hint, so store it at once, and do
// not log or print the credential.
func (d *Directory) AddPassword(ctx context.Context, id, displayName string) (*PasswordCredential, error) {
	resp, err := d.api.AddApplicationPasswordWithResponse(ctx, id, apps.AddApplicationPasswordJSONRequestBody{
		PasswordCredential: graph.Value(PasswordCredential{DisplayName: graph.Value(displayName)}),
	})
	if err != nil {
		return nil, err
	}
	return resp.JSON200, nil
}

// RemovePassword removes the client secret keyID from the application whose object id is id.
func (d *Directory) RemovePassword(ctx context.Context, id string, keyID openapi_types.UUID) error {
	_, err := d.api.RemoveApplicationPasswordWithResponse(ctx, id, apps.RemoveApplicationPasswordJSONRequestBody{KeyID: &keyID})
	return err
}

// Applications returns every application, following @odata.nextLink with typedgraph's paging; pageSize
// (1 to 999, 0 for Graph's default) sets $top.
func (d *Directory) Applications(ctx context.Context, pageSize int) iter.Seq2[Application, error] {
	params := &apps.ListApplicationsParams{}
	if pageSize > 0 {
		params.Top = &pageSize
	}
	req, err := apps.NewListApplicationsRequest(d.gc.BaseURL(), params)
	if err != nil {
		return func(yield func(Application, error) bool) { yield(Application{}, err) }
	}
	return graph.Pages[Application](ctx, d.gc, req)
}

// ServicePrincipals returns every service principal, as Applications does.
func (d *Directory) ServicePrincipals(ctx context.Context, pageSize int) iter.Seq2[ServicePrincipal, error] {
	params := &apps.ListServicePrincipalsParams{}
	if pageSize > 0 {
		params.Top = &pageSize
	}
	req, err := apps.NewListServicePrincipalsRequest(d.gc.BaseURL(), params)
	if err != nil {
		return func(yield func(ServicePrincipal, error) bool) { yield(ServicePrincipal{}, err) }
	}
	return graph.Pages[ServicePrincipal](ctx, d.gc, req)
}

// ServicePrincipalByAppID looks a service principal up by its application's appId
// (GET /servicePrincipals(appId='...')).
func (d *Directory) ServicePrincipalByAppID(ctx context.Context, appID string) (*ServicePrincipal, error) {
	resp, err := d.api.GetServicePrincipalByAppIDWithResponse(ctx, appID, nil)
	if err != nil {
		return nil, err
	}
	return resp.JSON200, nil
}

// DeleteApplication deletes the application whose object id is id (it goes to deleted items).
func (d *Directory) DeleteApplication(ctx context.Context, id string) error {
	_, err := d.api.DeleteApplicationWithResponse(ctx, id, nil)
	return err
}

// DeleteServicePrincipal deletes the service principal whose object id is id.
func (d *Directory) DeleteServicePrincipal(ctx context.Context, id string) error {
	_, err := d.api.DeleteServicePrincipalWithResponse(ctx, id, nil)
	return err
}
