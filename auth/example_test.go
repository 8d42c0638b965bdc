package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/typedgraph/graph/auth"
)

// fakeTokenEndpoint stands in for the identity platform on loopback.
func fakeTokenEndpoint() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.PostForm.Get("client_secret") != "example-secret" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{
				"error":             "invalid_client",
				"error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0000",
				"error_codes":       []int{7000215},
				"trace_id":          "trace-0000",
				"correlation_id":    "corr-0000",
			})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"token_type": "Bearer", "expires_in": 3599, "access_token": "example-token",
		})
	}))
}

// The usual stack: a fetcher for the app's credentials, a cache in front of
// it, and an editor that puts the token on requests to Graph.
func Example() {
	idp := fakeTokenEndpoint()
	defer idp.Close()

	fetcher, err := auth.NewClientCredentials(auth.Config{
		TenantID:      "contoso.onmicrosoft.com",
		ClientID:      "00000000-0000-0000-0000-000000000001",
		Credential:    auth.NewClientSecret("example-secret"),
		AuthorityHost: idp.URL, // omit for the real identity platform
	})
	if err != nil {
		log.Fatal(err)
	}
	cache := auth.NewCache(fetcher, nil)
	editor, err := auth.NewEditor(cache, auth.CloudGlobal.GraphEndpoint)
	if err != nil {
		log.Fatal(err)
	}

	// editor.Edit is an oapi-codegen RequestEditorFn; here it is called by hand.
	req, _ := http.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/users", nil)
	if err := editor.Edit(context.Background(), req); err != nil {
		log.Fatal(err)
	}
	fmt.Println(req.Header.Get("Authorization"))

	// Requests to any other host never get the token.
	other, _ := http.NewRequest(http.MethodGet, "https://example.com/", nil)
	_ = editor.Edit(context.Background(), other)
	fmt.Printf("other host: %q\n", other.Header.Get("Authorization"))
	// Output:
	// Bearer example-token
	// other host: ""
}

// A rejected credential comes back as *auth.Error; branch on Code.
func ExampleError() {
	idp := fakeTokenEndpoint()
	defer idp.Close()

	fetcher, _ := auth.NewClientCredentials(auth.Config{
		TenantID:      "contoso.onmicrosoft.com",
		ClientID:      "00000000-0000-0000-0000-000000000001",
		Credential:    auth.NewClientSecret("wrong-secret"),
		AuthorityHost: idp.URL,
	})
	_, err := auth.NewCache(fetcher, nil).Token(context.Background())
	var ae *auth.Error
	if errors.As(err, &ae) && ae.IsConfiguration() {
		fmt.Println("fix the configuration:", ae.Code)
	}
	fmt.Println(err)
	// Output:
	// fix the configuration: invalid_client
	// auth: token request failed: 401 Unauthorized: invalid_client (AADSTS7000215): Invalid client secret provided. trace_id=trace-0000 correlation_id=corr-0000
}

// A transport that gets a 401 for a token drops that token, once, however
// many requests failed with it; the next Edit fetches a new one.
func ExampleEditor_InvalidateRequest() {
	idp := fakeTokenEndpoint()
	defer idp.Close()
	fetcher, _ := auth.NewClientCredentials(auth.Config{
		TenantID: "contoso.onmicrosoft.com", ClientID: "app",
		Credential: auth.NewClientSecret("example-secret"), AuthorityHost: idp.URL,
	})
	editor, _ := auth.NewEditor(auth.NewCache(fetcher, nil), "https://graph.microsoft.com")

	a, _ := http.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/users", nil)
	b, _ := http.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/groups", nil)
	_ = editor.Edit(context.Background(), a)
	_ = editor.Edit(context.Background(), b)
	// Both came back 401 with the same token:
	fmt.Println(editor.InvalidateRequest(a), editor.InvalidateRequest(b))
	// Output: true false
}

// Configuration from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET
// (or AZURE_CLIENT_CERTIFICATE_PATH). Printing it never shows the secret.
func ExampleConfigFromEnv() {
	cfg, err := auth.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("using %+v", cfg) // the credential prints as REDACTED
	fetcher, err := auth.NewClientCredentials(cfg)
	if err != nil {
		log.Fatal(err)
	}
	editor, err := auth.NewEditor(auth.NewCache(fetcher, nil), cfg.GraphEndpoint())
	if err != nil {
		log.Fatal(err)
	}
	_ = editor // pass editor.Edit to the generated client as a RequestEditorFn
}

// One setting picks the token host, the Graph host and the scope together.
func ExampleCloudByName() {
	c, _ := auth.CloudByName("usgovl5")
	fmt.Println(c.AuthorityHost)
	fmt.Println(c.GraphEndpoint)
	fmt.Println(c.Scope())
	// Output:
	// https://login.microsoftonline.us
	// https://dod-graph.microsoft.us
	// https://dod-graph.microsoft.us/.default
}

// A certificate credential from a PEM file holding the certificate and an
// unencrypted private key.
func ExampleNewClientCertificate() {
	data := []byte("...") // os.ReadFile("app.pem")
	certs, key, err := auth.ParseCertificatePEM(data, nil)
	if err != nil {
		fmt.Println(errors.Is(err, auth.ErrInvalidConfig))
		return
	}
	cred, err := auth.NewClientCertificate(certs, key, &auth.CertificateOptions{SendCertificateChain: true})
	if err != nil {
		log.Fatal(err)
	}
	_ = auth.Config{TenantID: "contoso.onmicrosoft.com", ClientID: "app", Credential: cred}
	// Output: true
}
