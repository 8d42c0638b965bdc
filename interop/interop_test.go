package interop

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/typedgraph/graph/graphtest"
)

// graphScope is the scope Microsoft's SDK asks for.
const graphScope = "https://graph.microsoft.com/.default"

// fakeCloud is the cloud configuration that points azidentity at the fake:
// its authority host, with Graph as the one service.
func fakeCloud(fake *graphtest.Server) cloud.Configuration {
	return cloud.Configuration{ActiveDirectoryAuthorityHost: fake.AuthorityHost + "/"}
}

// clientOptions are azidentity's options for the fake: its cloud, and a
// transport that trusts its TLS certificate.
func clientOptions(fake *graphtest.Server) azcore.ClientOptions {
	return azcore.ClientOptions{Cloud: fakeCloud(fake), Transport: fake.Client()}
}

// secretCredential is the client secret credential as a user configures it
// against the fake: instance discovery off, the fake's cloud.
func secretCredential(t *testing.T, fake *graphtest.Server) azcore.TokenCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(fake.TenantID, fake.ClientID, fake.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(fake), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// newCert makes a self-signed certificate for an app registration.
func newCert(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "interop app"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// TestAzidentity: azidentity's client secret and client certificate
// credentials (MSAL Go underneath, which adds openid, offline_access and
// profile to the scope and sends x5t#S256 in padded standard base64) get
// Graph tokens from the fake.
func TestAzidentity(t *testing.T) {
	cert, key := newCert(t)
	fake := graphtest.NewServer(graphtest.Options{TLS: true, Certificate: cert})
	defer fake.Close()
	ctx := context.Background()

	creds := map[string]azcore.TokenCredential{"secret": secretCredential(t, fake)}
	for _, sendChain := range []bool{false, true} {
		cred, err := azidentity.NewClientCertificateCredential(fake.TenantID, fake.ClientID, []*x509.Certificate{cert}, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: clientOptions(fake), DisableInstanceDiscovery: true,
				SendCertificateChain: sendChain})
		if err != nil {
			t.Fatal(err)
		}
		name := "certificate"
		if sendChain {
			name += " with x5c"
		}
		creds[name] = cred
	}
	for name, cred := range creds {
		t.Run(name, func(t *testing.T) {
			before := fake.TokenRequests()
			tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphScope}})
			if err != nil {
				t.Fatalf("GetToken: %v", err)
			}
			if tok.Token == "" || time.Until(tok.ExpiresOn) < 50*time.Minute {
				t.Errorf("token expires %v", tok.ExpiresOn)
			}
			if fake.TokenRequests() != before+1 {
				t.Errorf("%d token requests", fake.TokenRequests()-before)
			}
			last, _ := fake.LastRequest(graphtest.OpToken)
			form, _ := url.ParseQuery(string(last.Body))
			// What the fake must accept: MSAL's OpenID Connect scopes beside .default.
			if scope := form.Get("scope"); !strings.Contains(scope, graphScope) || !strings.Contains(scope, "openid") {
				t.Errorf("scope sent: %q", scope)
			}
			// A second call is served from azidentity's cache.
			if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphScope}}); err != nil {
				t.Fatal(err)
			}
			if fake.TokenRequests() != before+1 {
				t.Errorf("cached token not reused: %d requests", fake.TokenRequests()-before)
			}
		})
	}
}

// newGraphClient builds msgraph-sdk-go's client as a user would against
// the fake: the azidentity credential, the fake's host as the one host the
// authentication provider sends tokens to, msgraph's default middleware
// (compression, retry, redirect, ...) unchanged over a transport that trusts
// the fake's certificate, and the fake's Graph URL as base URL.
func newGraphClient(t *testing.T, fake *graphtest.Server) *msgraphsdk.GraphServiceClient {
	t.Helper()
	u, _ := url.Parse(fake.GraphURL)
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(secretCredential(t, fake),
		[]string{graphScope}, []string{u.Hostname()})
	if err != nil {
		t.Fatal(err)
	}
	options := msgraphsdk.GetDefaultClientOptions()
	httpClient := msgraphcore.GetDefaultClient(&options)
	httpClient.Transport = khttp.NewCustomTransportWithParentTransport(fake.Client().Transport,
		msgraphcore.GetDefaultMiddlewaresWithOptions(&options)...)
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, httpClient)
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(fake.GraphURL)
	return msgraphsdk.NewGraphServiceClient(adapter)
}

func ptr[T any](v T) *T { return &v }

// eventual is the header Graph's advanced queries need.
func eventual() *abstractions.RequestHeaders {
	h := abstractions.NewRequestHeaders()
	h.Add("ConsistencyLevel", "eventual")
	return h
}

// TestMSGraphSDK drives the fake with msgraph-sdk-go: every operation a
// daemon commonly uses on users and groups.
func TestMSGraphSDK(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{TLS: true, Users: 120, Groups: 4})
	defer fake.Close()
	client := newGraphClient(t, fake)
	ctx := context.Background()

	// List with $select, $filter and $count.
	res, err := client.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		Headers: eventual(),
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{
			Select: []string{"id", "displayName", "userPrincipalName"},
			Filter: ptr("userType eq 'Guest'"),
			Count:  ptr(true),
			Top:    ptr(int32(2)),
		},
	})
	if err != nil {
		t.Fatalf("list users: %v", err)
	}
	if res.GetOdataCount() == nil || *res.GetOdataCount() != 6 || len(res.GetValue()) != 2 || res.GetOdataNextLink() == nil {
		t.Fatalf("list users: count %v, %d items, next %v", res.GetOdataCount(), len(res.GetValue()), res.GetOdataNextLink())
	}
	if u := res.GetValue()[0]; u.GetId() == nil || !strings.Contains(*u.GetUserPrincipalName(), "#EXT#") || u.GetJobTitle() != nil {
		t.Errorf("first guest: %v %v %v", u.GetId(), u.GetUserPrincipalName(), u.GetJobTitle())
	}

	// The page iterator follows @odata.nextLink.
	first, err := client.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Top: ptr(int32(50))},
	})
	if err != nil {
		t.Fatal(err)
	}
	it, err := msgraphcore.NewPageIterator[models.Userable](first, client.GetAdapter(), models.CreateUserCollectionResponseFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := it.Iterate(ctx, func(u models.Userable) bool { ids = append(ids, *u.GetId()); return true }); err != nil {
		t.Fatalf("iterate: %v", err)
	}
	if len(ids) != 120 {
		t.Errorf("iterated %d users, want 120", len(ids))
	}

	// Get by id and by userPrincipalName.
	byID, err := client.Users().ByUserId(ids[3]).Get(ctx, nil)
	if err != nil {
		t.Fatalf("get by id: %v", err)
	}
	upn := *byID.GetUserPrincipalName()
	byUPN, err := client.Users().ByUserId(upn).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id", "city"}},
	})
	if err != nil || *byUPN.GetId() != ids[3] {
		t.Fatalf("get by UPN %s: %v", upn, err)
	}

	// Create (the body goes gzipped: msgraph's compression handler).
	nu := models.NewUser()
	nu.SetAccountEnabled(ptr(true))
	nu.SetDisplayName(ptr("Interop Person"))
	nu.SetMailNickname(ptr("interop"))
	nu.SetUserPrincipalName(ptr("interop@" + fake.Domain))
	nu.SetJobTitle(ptr("Tester"))
	pp := models.NewPasswordProfile()
	pp.SetPassword(ptr("x-1-Y-interop"))
	pp.SetForceChangePasswordNextSignIn(ptr(true))
	nu.SetPasswordProfile(pp)
	created, err := client.Users().Post(ctx, nu, nil)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	newID := *created.GetId()
	if last, _ := fake.LastRequest(graphtest.OpCreateUser); last.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("create was sent with Content-Encoding %q; the test means to exercise compression", last.Header.Get("Content-Encoding"))
	}

	// Update, clearing jobTitle with a JSON null.
	patch := models.NewUser()
	patch.SetCity(ptr("Oslo"))
	patch.SetAdditionalData(map[string]any{"jobTitle": nil})
	if _, err := client.Users().ByUserId(newID).Patch(ctx, patch, nil); err != nil {
		t.Fatalf("update: %v", err)
	}
	got, err := client.Users().ByUserId(newID).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id", "city", "jobTitle"}},
	})
	if err != nil || got.GetCity() == nil || *got.GetCity() != "Oslo" || got.GetJobTitle() != nil {
		t.Fatalf("after update: %v city %v jobTitle %v", err, got.GetCity(), got.GetJobTitle())
	}

	// /users/$count and /groups/$count.
	n, err := client.Users().Count().Get(ctx, &users.CountRequestBuilderGetRequestConfiguration{Headers: eventual()})
	if err != nil || n == nil || *n != 121 {
		t.Fatalf("users/$count: %v %v", n, err)
	}
	gn, err := client.Groups().Count().Get(ctx, &groups.CountRequestBuilderGetRequestConfiguration{Headers: eventual()})
	if err != nil || gn == nil || *gn != 4 {
		t.Fatalf("groups/$count: %v %v", gn, err)
	}

	// Groups: list, create, members, add a member through $ref.
	gl, err := client.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Select: []string{"id", "displayName", "groupTypes"}},
	})
	if err != nil || len(gl.GetValue()) != 4 {
		t.Fatalf("list groups: %v", err)
	}
	ng := models.NewGroup()
	ng.SetDisplayName(ptr("Interop Group"))
	ng.SetMailEnabled(ptr(false))
	ng.SetMailNickname(ptr("interop-group"))
	ng.SetSecurityEnabled(ptr(true))
	group, err := client.Groups().Post(ctx, ng, nil)
	if err != nil {
		t.Fatalf("create group: %v", err)
	}
	gid := *group.GetId()
	ref := models.NewReferenceCreate()
	ref.SetOdataId(ptr("https://graph.microsoft.com/v1.0/directoryObjects/" + newID))
	if err := client.Groups().ByGroupId(gid).Members().Ref().Post(ctx, ref, nil); err != nil {
		t.Fatalf("add member: %v", err)
	}
	members, err := client.Groups().ByGroupId(gid).Members().Get(ctx, nil)
	if err != nil || len(members.GetValue()) != 1 || *members.GetValue()[0].GetId() != newID {
		t.Fatalf("members: %v", err)
	}
	if _, ok := members.GetValue()[0].(models.Userable); !ok {
		t.Errorf("member is a %T, want a user (from its @odata.type)", members.GetValue()[0])
	}
	mc, err := client.Groups().ByGroupId(gid).Members().Count().Get(ctx, &groups.ItemMembersCountRequestBuilderGetRequestConfiguration{Headers: eventual()})
	if err != nil || mc == nil || *mc != 1 {
		t.Fatalf("members/$count: %v %v", mc, err)
	}
	mu, err := client.Groups().ByGroupId(gid).Members().GraphUser().Get(ctx, &groups.ItemMembersGraphUserRequestBuilderGetRequestConfiguration{
		Headers: eventual(),
		QueryParameters: &groups.ItemMembersGraphUserRequestBuilderGetQueryParameters{
			Count: ptr(true), Filter: ptr("startswith(displayName,'Interop')"), Select: []string{"id", "displayName"},
		},
	})
	if err != nil || len(mu.GetValue()) != 1 || mu.GetOdataCount() == nil || *mu.GetOdataCount() != 1 {
		t.Fatalf("members/microsoft.graph.user: %v", err)
	}

	// Delete, then the user is gone (a typed ODataError with Graph's code).
	if err := client.Users().ByUserId(newID).Delete(ctx, nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = client.Users().ByUserId(newID).Get(ctx, nil)
	if code := errorCode(err); code != "Request_ResourceNotFound" {
		t.Errorf("get after delete: %v", err)
	}
	if fake.TokenRequests() != 1 {
		t.Errorf("%d token requests for the whole session, want 1", fake.TokenRequests())
	}
}

// errorCode returns the Graph error code of an msgraph error, "" if none.
func errorCode(err error) string {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil && oe.GetErrorEscaped().GetCode() != nil {
		return *oe.GetErrorEscaped().GetCode()
	}
	return ""
}

// TestMSGraphSDKForbidden: with narrowed roles, msgraph-sdk-go surfaces
// Graph's 403 as a typed ODataError a caller can branch on.
func TestMSGraphSDKForbidden(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{TLS: true, Users: 3, Roles: []string{"User.Read.All"}})
	defer fake.Close()
	client := newGraphClient(t, fake)
	ctx := context.Background()
	if _, err := client.Users().Get(ctx, nil); err != nil {
		t.Fatalf("list users with User.Read.All: %v", err)
	}
	g := models.NewGroup()
	g.SetDisplayName(ptr("Denied"))
	g.SetMailEnabled(ptr(false))
	g.SetMailNickname(ptr("denied"))
	g.SetSecurityEnabled(ptr(true))
	_, err := client.Groups().Post(ctx, g, nil)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.ResponseStatusCode != 403 || errorCode(err) != "Authorization_RequestDenied" {
		t.Errorf("create group with User.Read.All: %v", err)
	}
}

// TestOneHost runs the SDK against the fake served on one host, as graph
// emulate serves it (its Handler routes /v1.0 to Graph and the rest to the
// identity platform): the settings README gives for the emulator.
func TestOneHost(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{Users: 5})
	defer fake.Close()
	one := httptest.NewTLSServer(fake.Handler())
	defer one.Close()
	fake.AuthorityHost, fake.GraphEndpoint, fake.GraphURL = one.URL, one.URL, one.URL+"/v1.0"

	u, _ := url.Parse(one.URL)
	cred, err := azidentity.NewClientSecretCredential(fake.TenantID, fake.ClientID, fake.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: one.URL + "/"}, Transport: one.Client()},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{graphScope}, []string{u.Hostname()})
	if err != nil {
		t.Fatal(err)
	}
	options := msgraphsdk.GetDefaultClientOptions()
	httpClient := msgraphcore.GetDefaultClient(&options)
	httpClient.Transport = khttp.NewCustomTransportWithParentTransport(one.Client().Transport, msgraphcore.GetDefaultMiddlewaresWithOptions(&options)...)
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, httpClient)
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(one.URL + "/v1.0")
	client := msgraphsdk.NewGraphServiceClient(adapter)
	ctx := context.Background()

	n, err := client.Users().Count().Get(ctx, &users.CountRequestBuilderGetRequestConfiguration{Headers: eventual()})
	if err != nil || *n != 5 {
		t.Fatalf("users/$count: %v %v", n, err)
	}
	g := models.NewGroup()
	g.SetDisplayName(ptr("One Host"))
	g.SetMailEnabled(ptr(false))
	g.SetMailNickname(ptr("one-host"))
	g.SetSecurityEnabled(ptr(true))
	if _, err := client.Groups().Post(ctx, g, nil); err != nil {
		t.Fatalf("create group: %v", err)
	}
	if fake.TokenRequests() != 1 || fake.Requests(graphtest.OpCreateGroup) != 1 {
		t.Errorf("token requests %d, creates %d", fake.TokenRequests(), fake.Requests(graphtest.OpCreateGroup))
	}
}

// TestMSGraphSDKBatch: msgraph-sdk-go-core's BatchRequest against the fake's
// POST /$batch: typed responses by id, a dependsOn chain, and a failed
// request whose dependent gets 424.
func TestMSGraphSDKBatch(t *testing.T) {
	fake := graphtest.NewServer(graphtest.Options{TLS: true, Users: 3})
	defer fake.Close()
	client := newGraphClient(t, fake)
	ctx := context.Background()
	ids := fake.UserIDs()

	batch := msgraphcore.NewBatchRequest(client.GetAdapter())
	var items []msgraphcore.BatchItem
	for _, id := range append(ids, "no-such-user") {
		info, err := client.Users().ByUserId(id).ToGetRequestInformation(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		item, err := batch.AddBatchRequestStep(*info)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item)
	}
	after, err := client.Users().ByUserId(ids[0]).ToGetRequestInformation(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	dependent, err := batch.AddBatchRequestStep(*after)
	if err != nil {
		t.Fatal(err)
	}
	dependent.DependsOnItem(items[len(items)-1]) // the missing user: this one gets 424
	resp, err := batch.Send(ctx, client.GetAdapter())
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	for i, id := range ids {
		u, err := msgraphcore.GetBatchResponseById[models.Userable](resp, *items[i].GetId(), models.CreateUserFromDiscriminatorValue)
		if err != nil || u.GetId() == nil || *u.GetId() != id || u.GetDisplayName() == nil {
			t.Errorf("item %d: %v, %v", i, u, err)
		}
	}
	if _, err := msgraphcore.GetBatchResponseById[models.Userable](resp, *items[len(ids)].GetId(), models.CreateUserFromDiscriminatorValue); err == nil {
		t.Error("the missing user decoded without an error")
	}
	statuses := map[string]int32{}
	for _, r := range resp.GetResponses() {
		statuses[*r.GetId()] = *r.GetStatus()
	}
	if statuses[*items[len(ids)].GetId()] != 404 || statuses[*dependent.GetId()] != 424 {
		t.Errorf("statuses %v, want 404 for the missing user and 424 for its dependent", statuses)
	}
	if n := fake.Requests(graphtest.OpBatch); n != 1 {
		t.Errorf("%d $batch requests, want 1", n)
	}
}
