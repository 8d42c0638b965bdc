package applications_test

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/typedgraph/graph/examples/applications"
	"github.com/typedgraph/graph/graphtest"
)

// The entity sets of this example, registered with graphtest: the properties of the generated models,
// what POST requires, the appId alternate key, what the service fills in on create, and the actions
// addPassword and removePassword.

// The property tables come from the generated models, so they stay in step with them.
var (
	applicationProps      = graphtest.PropertiesOf[applications.Application]()
	servicePrincipalProps = graphtest.PropertiesOf[applications.ServicePrincipal]()
)

// newFake starts graphtest with applications and servicePrincipals, seeded with n of each.
func newFake(n int) *graphtest.Server {
	var fake *graphtest.Server // set below, before any request reaches OnCreate
	apps := graphtest.EntitySet{
		Path: "applications", Type: "microsoft.graph.application", Properties: applicationProps,
		Required: []string{"displayName"}, AlternateKeys: []string{"appId"},
		OnCreate: func(obj map[string]any) error {
			obj["appId"] = newID()
			obj["publisherDomain"] = graphtest.DefaultDomain
			return nil
		},
		Actions: map[string]graphtest.Action{"addPassword": addPassword, "removePassword": removePassword},
	}
	sps := graphtest.EntitySet{
		Path: "servicePrincipals", Type: "microsoft.graph.servicePrincipal", Properties: servicePrincipalProps,
		Required: []string{"appId"}, AlternateKeys: []string{"appId"},
		OnCreate: func(obj map[string]any) error {
			appID, _ := obj["appId"].(string)
			app, ok := fake.Object("applications", "appId", appID)
			if !ok {
				return fmt.Errorf("The appId '%s' of the service principal does not reference a valid application object.", appID)
			}
			obj["displayName"], obj["appDisplayName"] = app["displayName"], app["displayName"]
			obj["servicePrincipalType"], obj["accountEnabled"] = "Application", true
			obj["servicePrincipalNames"] = []any{appID}
			return nil
		},
	}
	for i := range n {
		appID := fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1)
		name := fmt.Sprintf("seeded app %d", i+1)
		apps.Seed = append(apps.Seed, map[string]any{"appId": appID, "displayName": name})
		sps.Seed = append(sps.Seed, map[string]any{"appId": appID, "displayName": name, "servicePrincipalType": "Application"})
	}
	fake = graphtest.NewServer(graphtest.Options{EntitySets: []graphtest.EntitySet{apps, sps}})
	return fake
}

// addPassword is applications/{id}/addPassword: Graph generates the secret, returns it in this answer
// only and keeps its first three characters as the hint.
func addPassword(obj, body map[string]any) (map[string]any, any, error) {
	in, _ := body["passwordCredential"].(map[string]any)
	secret := make([]byte, 30)
	_, _ = rand.Read(secret)
	text := base64.RawURLEncoding.EncodeToString(secret)
	now := time.Now().UTC()
	cred := map[string]any{
		"keyId": newID(), "hint": text[:3], "displayName": in["displayName"],
		"startDateTime": now.Format(time.RFC3339), "endDateTime": now.AddDate(2, 0, 0).Format(time.RFC3339),
		"customKeyIdentifier": nil, "secretText": nil,
	}
	creds, _ := obj["passwordCredentials"].([]any)
	obj["passwordCredentials"] = append(creds, cred)
	answer := make(map[string]any, len(cred))
	for k, v := range cred {
		answer[k] = v
	}
	answer["secretText"] = text
	return obj, answer, nil
}

// removePassword is applications/{id}/removePassword.
func removePassword(obj, body map[string]any) (map[string]any, any, error) {
	keyID, _ := body["keyId"].(string)
	creds, _ := obj["passwordCredentials"].([]any)
	kept := []any{}
	for _, c := range creds {
		if m, _ := c.(map[string]any); m["keyId"] != keyID {
			kept = append(kept, c)
		}
	}
	if len(kept) == len(creds) {
		return nil, nil, errors.New("No password credential found with keyId " + keyID + ".")
	}
	obj["passwordCredentials"] = kept
	return obj, nil, nil
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
