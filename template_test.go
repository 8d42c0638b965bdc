package graph_test

import (
	"flag"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/typedgraph/graph/gen"
)

var updateTemplate = flag.Bool("update-template", false, "rewrite api/templates/*.tmpl from oapi-codegen's templates and templatePatches")

// templatePatches holds, for each of oapi-codegen's templates we keep a copy of in api/templates, every
// difference between our copy and the template of the oapi-codegen version in go.mod, as (upstream
// text, our text) pairs, each applied exactly once and in order.
var templatePatches = map[string][][2]string{
	"client.tmpl":                clientTemplatePatch,
	"client-with-responses.tmpl": clientWithResponsesTemplatePatch,
	"imports.tmpl":               importsTemplatePatch,
	"typedef.tmpl":               typedefTemplatePatch,
}

// clientTemplatePatch changes the request builders.
//
// Path parameters are checked before anything is built (first hunk, and the last one, which adds
// PathParamError and checkPathParam): an empty value, "." or "..", or one holding "/" or "\" (sent
// escaped, but decoded again by servers and proxies that normalise paths) would address another
// resource, such as GET /users/ listing every user where one was meant.
//
// Upstream's request builders format the operation's path with fmt.Sprintf even when it has no
// parameter, parse the server URL, resolve "./path" against it, print the result and let
// http.NewRequest parse it again: three parses and six allocations more than one http.NewRequest per
// call. Ours use a constant path when there is no parameter, append the path to the server URL and
// parse once, inside http.NewRequest, then set the query on req.URL. The two differ only for inputs the generated NewClient already excludes (a server URL without
// a trailing slash, which upstream resolves by dropping its last segment).
var clientTemplatePatch = [][2]string{
	{`    {{end}}
{{end}}
    serverURL, err := url.Parse(server)
`, `    {{end}}
    if err := checkPathParam({{.ParamName | toGoString}}, pathParam{{$paramIdx}}); err != nil {
        return nil, err
    }
{{end}}
    serverURL, err := url.Parse(server)
`},
	{`    serverURL, err := url.Parse(server)
    if err != nil {
        return nil, err
    }

    operationPath := fmt.Sprintf("{{genParamFmtString .Path}}"{{range $paramIdx, $param := .PathParams}}, pathParam{{$paramIdx}}{{end}})
    if operationPath[0] == '/' {
        operationPath = "." + operationPath
    }

    queryURL, err := serverURL.Parse(operationPath)
    if err != nil {
        return nil, err
    }

{{if .QueryParams}}
    if params != nil {
`, `    operationPath := {{if .PathParams}}fmt.Sprintf("{{genParamFmtString .Path}}"{{range $paramIdx, $param := .PathParams}}, pathParam{{$paramIdx}}{{end}}){{else}}{{.Path | toGoString}}{{end}}

    req, err := http.NewRequest({{.Method | httpMethodConstant}}, strings.TrimSuffix(server, "/")+operationPath, {{if .HasBody}}body{{else}}nil{{end}})
    if err != nil {
        return nil, err
    }

{{if .QueryParams}}
    if params != nil {
        queryURL := req.URL
`},
	{`{{end}}{{/* if .QueryParams */}}
    req, err := http.NewRequest({{.Method | httpMethodConstant}}, queryURL.String(), {{if .HasBody}}body{{else}}nil{{end}})
    if err != nil {
        return nil, err
    }
`, `{{end}}{{/* if .QueryParams */}}
`},
	{`func (c *{{ $clientTypeName }}) applyEditors(`, `// PathParamError reports a path parameter that a request builder refused before building anything:
// empty, or one that would change the request's path (".", "..", or holding "/" or "\").
type PathParamError struct {
	Param string // the parameter's name in the OpenAPI description, such as "user-id"
	Value string // the value given
}

func (e *PathParamError) Error() string {
	if e.Value == "" {
		return "graph: empty " + e.Param
	}
	return fmt.Sprintf("graph: %s %q would change the request path", e.Param, e.Value)
}

// CheckPathParam returns a *PathParamError when value, a path parameter as it appears in the path
// (escaped), is empty or would change the path once a server decodes it: ".", "..", or a value
// holding "/" or "\". name is the parameter's name, such as "user-id".
func CheckPathParam(name, value string) error {
	return checkPathParam(name, value)
}

func checkPathParam(name, value string) error {
	v, err := url.PathUnescape(value)
	if err != nil {
		v = value
	}
	if v == "" || v == "." || v == ".." || strings.ContainsAny(v, "/\\") {
		return &PathParamError{Param: name, Value: v}
	}
	return nil
}

func (c *{{ $clientTypeName }}) applyEditors(`},
}

// clientWithResponsesTemplatePatch gives the typed calls one error model. Upstream's Parse functions
// return (resp, nil) with JSON200 == nil for a 2xx answer whose body is not the JSON the operation
// declares (an HTML page from a proxy, say), and a bare encoding/json error for a malformed one. Ours
// return ErrUnexpectedBody for the first, and every WithResponse call hands a Parse function's error
// to the client's ResponseError, through which package graph returns *graph.UnexpectedResponseError
// (or the context's error) as its iterators do.
var clientWithResponsesTemplatePatch = [][2]string{
	{`// ClientWithResponses builds on ClientInterface to offer response payloads
type ClientWithResponses struct {
    ClientInterface
}
`, `// ErrUnexpectedBody is returned by a Parse function for a 2xx answer to an operation that declares a
// JSON body for its success, when the answer carries none of the JSON bodies declared (another
// content type, no body, or a 2xx status the operation does not declare).
var ErrUnexpectedBody = errors.New("graph: the response body is not the JSON the operation declares")

// ClientWithResponses builds on ClientInterface to offer response payloads
type ClientWithResponses struct {
    ClientInterface

    // ResponseError, when set, turns the error of a Parse function (a body that could not be read,
    // ErrUnexpectedBody, or a body that does not decode into the declared type) into the error the
    // WithResponse call returns.
    ResponseError func(rsp *http.Response, err error) error
}

// parseWith parses rsp with parse, passing an error through c.ResponseError.
func parseWith[R any](c *ClientWithResponses, rsp *http.Response, parse func(*http.Response) (*R, error)) (*R, error) {
    r, err := parse(rsp)
    if err != nil && c.ResponseError != nil {
        return nil, c.ResponseError(rsp, err)
    }
    return r, err
}
`},
	{`    return &ClientWithResponses{client}, nil
`, `    return &ClientWithResponses{ClientInterface: client}, nil
`},
	{`    rsp, err := c.{{$opid}}{{if .HasBody}}WithBody{{end}}(ctx{{genParamNames .PathParams}}{{if .RequiresParamObject}}, params{{end}}{{if .HasBody}}, contentType, body{{end}}, reqEditors...)
    if err != nil {
        return nil, err
    }
    return Parse{{genResponseTypeName $opid | ucFirst}}(rsp)
`, `    rsp, err := c.{{$opid}}{{if .HasBody}}WithBody{{end}}(ctx{{genParamNames .PathParams}}{{if .RequiresParamObject}}, params{{end}}{{if .HasBody}}, contentType, body{{end}}, reqEditors...)
    if err != nil {
        return nil, err
    }
    return parseWith(c, rsp, Parse{{genResponseTypeName $opid | ucFirst}})
`},
	{`    rsp, err := c.{{$opid}}{{.Suffix}}(ctx{{genParamNames $pathParams}}{{if $hasParams}}, params{{end}}, body, reqEditors...)
    if err != nil {
        return nil, err
    }
    return Parse{{genResponseTypeName $opid | ucFirst}}(rsp)
`, `    rsp, err := c.{{$opid}}{{.Suffix}}(ctx{{genParamNames $pathParams}}{{if $hasParams}}, params{{end}}, body, reqEditors...)
    if err != nil {
        return nil, err
    }
    return parseWith(c, rsp, Parse{{genResponseTypeName $opid | ucFirst}})
`},
	{`    {{genResponseUnmarshal .}}
`, `    {{genResponseUnmarshal .}}
    {{- $json2xx := false}}{{range getResponseTypeDefinitions .}}{{if and (eq (slice .ResponseName 0 1) "2") (eq .ContentTypeName "application/json")}}{{$json2xx = true}}{{end}}{{end}}
    {{- if $json2xx}}
    if rsp.StatusCode/100 == 2{{range getResponseTypeDefinitions .}}{{if and (eq (slice .ResponseName 0 1) "2") (eq .ContentTypeName "application/json")}} && response.{{.TypeName}} == nil{{end}}{{end}} {
        return nil, ErrUnexpectedBody
    }
    {{- end}}
`},
}

// TestClientTemplateIsUpstreamPlusPatch keeps our copies of oapi-codegen's templates honest: each must
// be exactly upstream's template of the version in go.mod with its patch in templatePatches applied.
// After an oapi-codegen upgrade this fails until the patches are re-checked against the new templates;
// then
//
//	go test -run TestClientTemplateIsUpstreamPlusPatch -update-template . && go generate ./...
//
// rewrites our copies, and CI's gen/ check covers the rest.
func TestClientTemplateIsUpstreamPlusPatch(t *testing.T) {
	dir := moduleDir(t, "github.com/oapi-codegen/oapi-codegen/v2")
	for name, patch := range templatePatches {
		upstream, err := os.ReadFile(filepath.Join(dir, "pkg", "codegen", "templates", name))
		if err != nil {
			t.Fatal(err)
		}
		want := string(upstream)
		for i, p := range patch {
			if n := strings.Count(want, p[0]); n != 1 {
				t.Fatalf("%s: hunk %d of its patch occurs %d times in upstream's template (want 1): the template changed upstream; re-check the patch", name, i, n)
			}
			want = strings.Replace(want, p[0], p[1], 1)
		}
		ours := filepath.Join("api", "templates", name)
		if *updateTemplate {
			if err := os.WriteFile(ours, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(ours)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s is not upstream's %s plus its patch in templatePatches; edit the patch in this test, not the file, and run it with -update-template", ours, name)
		}
	}
}

// moduleDir returns the directory of module path in the module cache, downloading it if needed (it is
// in go.sum, so the module proxy serves it).
func moduleDir(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := func() string {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
		if err != nil {
			t.Fatalf("go list -m %s: %v", path, err)
		}
		return strings.TrimSpace(string(out))
	}
	d := dir()
	if d == "" {
		if out, err := exec.Command("go", "mod", "download", path).CombinedOutput(); err != nil {
			t.Fatalf("go mod download %s: %v\n%s", path, err, out)
		}
		d = dir()
	}
	if d == "" {
		t.Fatalf("module %s not found", path)
	}
	return d
}

// TestRequestBuilders pins what the patched builders produce: the URL for each shape of server URL,
// path parameter and query, as sent.
func TestRequestBuilders(t *testing.T) {
	top, filter := gen.Top(5), gen.Filter("startswith(displayName,'A&B')")
	tests := []struct {
		name   string
		build  func() (*http.Request, error)
		method string
		url    string
	}{
		{"list, server with trailing slash", func() (*http.Request, error) {
			return gen.NewListUsersRequest("https://graph.microsoft.com/v1.0/", nil)
		}, "GET", "https://graph.microsoft.com/v1.0/users"},
		{"list, server without trailing slash", func() (*http.Request, error) {
			return gen.NewListUsersRequest("https://graph.microsoft.com/v1.0", nil)
		}, "GET", "https://graph.microsoft.com/v1.0/users"},
		{"list with query", func() (*http.Request, error) {
			return gen.NewListUsersRequest("https://graph.microsoft.com/v1.0/", &gen.ListUsersParams{Top: &top, Filter: &filter})
		}, "GET", "https://graph.microsoft.com/v1.0/users?%24top=5&%24filter=startswith%28displayName%2C%27A%26B%27%29"},
		{"guest UPN is escaped", func() (*http.Request, error) {
			return gen.NewGetUserRequest("https://graph.microsoft.com/v1.0/", "ada_contoso.test#EXT#@fabrikam.test", nil)
		}, "GET", "https://graph.microsoft.com/v1.0/users/ada_contoso.test%23EXT%23@fabrikam.test"},
		{"a dot in an id", func() (*http.Request, error) {
			return gen.NewGetUserRequest("https://graph.microsoft.com/v1.0/", "a.b", nil)
		}, "GET", "https://graph.microsoft.com/v1.0/users/a.b"},
		{"an escaped dot-dot is an id of its own", func() (*http.Request, error) {
			return gen.NewDeleteUserRequest("https://graph.microsoft.com/v1.0/", "%2e%2e", nil)
		}, "DELETE", "https://graph.microsoft.com/v1.0/users/%252e%252e"},
		{"count", func() (*http.Request, error) {
			return gen.NewCountUsersRequest("https://graph.microsoft.com/v1.0/", nil)
		}, "GET", "https://graph.microsoft.com/v1.0/users/$count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != tt.method || req.URL.String() != tt.url {
				t.Errorf("got %s %s, want %s %s", req.Method, req.URL, tt.method, tt.url)
			}
			if req.Host != "graph.microsoft.com" {
				t.Errorf("Host = %q", req.Host)
			}
		})
	}
	if _, err := gen.NewListUsersRequest("://not a url", nil); err == nil {
		t.Error("a malformed server URL gave no error")
	}
}
