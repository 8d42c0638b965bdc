package specslice

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// realUsersFile is Microsoft's PowerShell SDK Users.yml, in ../shared/reference (see sharedRef).
const realUsersFile = "msgraph-powershell-openApiDocs-v1.0-Users.yml"

// sharedRef returns the path of a file of ../shared/reference, where Microsoft's files are kept
// beside the repository (not in it); TYPEDGRAPH_SHARED names another shared directory (a worktree's
// ../shared may not be the repository's).
func sharedRef(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("TYPEDGRAPH_SHARED")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "..", "shared")
	}
	return filepath.Join(dir, "reference", name)
}

// TestRealUsersFile slices Microsoft's real Users.yml for /users and /users/{user-id} (with
// NullableRefs, as the PowerShell files need), generates
// Go from the result with oapi-codegen v2 and the project's generator settings, and builds and
// vets that code in a scratch module. It needs the go command and the module cache (no network).
func TestRealUsersFile(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: generates and vets Go code; skipped with -short")
	}
	root := repoRoot(t)
	src, err := os.ReadFile(sharedRef(t, realUsersFile))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent (it lives outside the repository)", sharedRef(t, realUsersFile))
	}
	if err != nil {
		t.Fatal(err)
	}
	res, err := Slice(src, Options{Paths: []string{"/users", "/users/{user-id}"}, NullableRefs: true})
	if err != nil {
		t.Fatalf("Slice: %v", err)
	}
	if want := "DELETE /users/{user-id} deleteUser,GET /users listUsers,GET /users/{user-id} getUser,PATCH /users/{user-id} updateUser,POST /users createUser"; strings.Join(res.Operations, ",") != want {
		t.Errorf("operations %q, want %s", res.Operations, want)
	}
	if len(res.Notes) > 0 {
		t.Errorf("notes on Microsoft's file: %q", res.Notes)
	}
	checkUserProperties(t, src, res.YAML)
	for _, bad := range []string{"additionalProperties", "anyOf", "discriminator", "2XX", "pattern:", "x-ms-navigationProperty", "user_ListUser"} {
		if bytes.Contains(res.YAML, []byte(bad)) {
			t.Errorf("slice still has %q", bad)
		}
	}

	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, res.YAML, 0o644); err != nil {
		t.Fatal(err)
	}
	// The project's generator settings, writing into the scratch module.
	cfg, err := os.ReadFile(filepath.Join(root, "api", "oapi-codegen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	outLine := regexp.MustCompile(`(?m)^output:.*$`)
	if !outLine.Match(cfg) {
		t.Fatal("api/oapi-codegen.yaml has no output: line")
	}
	genFile := filepath.Join(dir, "gen", "graph.gen.go")
	cfg = outLine.ReplaceAll(cfg, []byte("output: "+genFile))
	if err := os.WriteFile(filepath.Join(dir, "oapi-codegen.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(genFile), 0o755); err != nil {
		t.Fatal(err)
	}
	// -mod=readonly: the repository's go.mod and go.sum are never touched.
	goCmd(t, root, "-mod=readonly", "run", "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen", "-config", filepath.Join(dir, "oapi-codegen.yaml"), spec)

	// A scratch module with the repository's requirements, so the generated code builds against
	// the same runtime and nullable versions, from the module cache.
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gomod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(gomod, []byte("module slicecheck"))
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o644); err != nil {
		t.Fatal(err)
	}
	goCmd(t, dir, "-mod=mod", "vet", "./gen")

	code, err := os.ReadFile(genFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`type MicrosoftGraphUser struct`, `\sUserPrincipalName\s+nullable\.Nullable\[string\]`, `func \(c \*Client\) ListUsers\(`,
		`func \(c \*Client\) UpdateUser\(`, `\sJSON201\s+\*MicrosoftGraphUser\s`, `\sJSONDefault\s+\*Error\s`,
		`\sODataNextLink\s+nullable\.Nullable\[string\]`, `\sDeviceEnrollmentLimit\s+\*int32\s`,
		`\sPasswordProfile\s+nullable\.Nullable\[MicrosoftGraphPasswordProfile\]`,
	} {
		if !regexp.MustCompile(want).Match(code) {
			t.Errorf("generated code lacks %s", want)
		}
	}
}

// checkUserProperties compares the properties of microsoft.graph.user in Microsoft's file, less
// its navigation properties, with those in the slice: every structural property must survive.
func checkUserProperties(t *testing.T, src, out []byte) {
	t.Helper()
	checkSchemaProperties(t, src, out, "microsoft.graph.user", 70)
}

// checkSchemaProperties checks that the schema name of out has exactly the structural properties of
// Microsoft's (src), at least min of them: navigation properties dropped, nothing else lost or added.
func checkSchemaProperties(t *testing.T, src, out []byte, name string, min int) {
	t.Helper()
	props := func(doc []byte, dropNav bool) []string {
		var root yaml.Node
		if err := yaml.Unmarshal(doc, &root); err != nil {
			t.Fatal(err)
		}
		user := mapGet(mapGet(mapGet(root.Content[0], "components"), "schemas"), name)
		var names []string
		for _, part := range items(mapGet(user, "allOf")) {
			p := mapGet(part, "properties")
			for i := 0; i+1 < len(children(p)); i += 2 {
				v := p.Content[i+1]
				ref := scalar(mapGet(v, "$ref")) + scalar(mapGet(mapGet(v, "items"), "$ref"))
				entityRef := strings.Contains(ref, "microsoft.graph.") && isEntityIn(root.Content[0], ref)
				if dropNav && (isTrue(mapGet(v, "x-ms-navigationProperty")) || entityRef) {
					continue
				}
				names = append(names, p.Content[i].Value)
			}
		}
		sort.Strings(names)
		return names
	}
	want, got := props(src, true), props(out, false)
	if len(want) < min {
		t.Fatalf("only %d structural properties of %s found in Microsoft's file; has it changed shape?", len(want), name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s properties differ:\n got %v\nwant %v", name, got, want)
	}
}

// isEntityIn reports whether the schema ref points at derives from microsoft.graph.entity,
// written independently of slicer.isEntity so that the test checks it.
func isEntityIn(root *yaml.Node, ref string) bool {
	schemas := mapGet(mapGet(root, "components"), "schemas")
	for depth := 0; depth < 10; depth++ {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if name == "microsoft.graph.entity" {
			return true
		}
		all := items(mapGet(mapGet(schemas, name), "allOf"))
		if len(all) == 0 {
			return false
		}
		ref = scalar(mapGet(all[0], "$ref"))
	}
	return false
}

// goCmd runs the go command in dir with GOFLAGS=flags, offline.
func goCmd(t testing.TB, dir, flags string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS="+flags, "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// repoRoot finds the directory holding go.mod, above the package directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// TestRealGroupsFile slices Microsoft's Groups.yml (the PowerShell SDK's, named by
// TYPEDGRAPH_GROUPS_YML; it lives outside the repository) for the operations typedgraph has, as
// README's "Adding an endpoint" does, and checks the operationIds, that no rule was left unapplied, and
// that microsoft.graph.group keeps every structural property. The repository's own build of gen/
// from api/graph.yaml checks that the result generates.
func TestRealGroupsFile(t *testing.T) {
	path := os.Getenv("TYPEDGRAPH_GROUPS_YML")
	if path == "" {
		t.Skip("set TYPEDGRAPH_GROUPS_YML to Microsoft's Groups.yml")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Slice(src, Options{NullableRefs: true, Paths: []string{
		"/groups", "/groups/{group-id}", "/groups/{group-id}/members",
		"/groups/{group-id}/members/$ref#POST", "/groups/{group-id}/members/{directoryObject-id}/$ref",
	}})
	if err != nil {
		t.Fatalf("Slice: %v", err)
	}
	want := "DELETE /groups/{group-id} deleteGroup,DELETE /groups/{group-id}/members/{directoryObject-id}/$ref removeGroupMember," +
		"GET /groups listGroups,GET /groups/{group-id} getGroup,GET /groups/{group-id}/members listGroupMembers," +
		"PATCH /groups/{group-id} updateGroup,POST /groups createGroup,POST /groups/{group-id}/members/$ref addGroupMember"
	if got := strings.Join(res.Operations, ","); got != want {
		t.Errorf("operations %s\nwant %s", got, want)
	}
	if len(res.Notes) > 0 {
		t.Errorf("notes on Microsoft's file: %q", res.Notes)
	}
	checkSchemaProperties(t, src, res.YAML, "microsoft.graph.group", 40)
	for _, bad := range []string{"additionalProperties", "anyOf", "discriminator", "2XX", "pattern:", "x-ms-navigationProperty", "group_ListGroup", "type: number"} {
		if bytes.Contains(res.YAML, []byte(bad)) {
			t.Errorf("slice still has %q", bad)
		}
	}
}

// realGroupsFile is Microsoft's PowerShell SDK Groups.yml in ../shared/reference; TYPEDGRAPH_GROUPS_YML
// names another copy.
const realGroupsFile = "openapi-v1.0/Groups.yml"

// TestRealFilesWithCSDL slices Microsoft's Users.yml and Groups.yml with Microsoft's CSDL, as
// README's "Adding an endpoint" does (rule 17), and checks that what the CSDL adds is what
// Microsoft's OpenAPI lacks (user.identityParentId; the ten group properties and their enum), that no
// note is left, and that every schema of the result is in api/graph.yaml as the tool writes it
// (prose aside; InnerError is ours): the users part, though written by hand before the tool, and the
// groups part are what graphspec makes of Microsoft's files and CSDL.
func TestRealFilesWithCSDL(t *testing.T) {
	csdlPath := realCSDL(t)
	f, err := os.Open(csdlPath)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCSDL(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	root := repoRoot(t)
	groups := os.Getenv("TYPEDGRAPH_GROUPS_YML")
	if groups == "" {
		groups = sharedRef(t, realGroupsFile)
	}
	spec, err := os.ReadFile(filepath.Join(root, "api", "graph.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var full map[string]any
	if err := yaml.Unmarshal(spec, &full); err != nil {
		t.Fatal(err)
	}
	have := full["components"].(map[string]any)["schemas"].(map[string]any)

	tests := []struct {
		name, file string
		paths      []string
		added      []string
	}{
		{"Users.yml", sharedRef(t, realUsersFile), []string{"/users", "/users/{user-id}"},
			[]string{"microsoft.graph.user.identityParentId"}},
		{"Groups.yml", groups, []string{"/groups", "/groups/{group-id}", "/groups/{group-id}/members",
			"/groups/{group-id}/members/$ref#POST", "/groups/{group-id}/members/{directoryObject-id}/$ref"},
			[]string{"microsoft.graph.group.accessType", "microsoft.graph.group.infoCatalogs", "microsoft.graph.group.isFavorite",
				"microsoft.graph.group.onPremisesExtensionAttributes", "microsoft.graph.group.organizationId",
				"microsoft.graph.group.resourceBehaviorOptions", "microsoft.graph.group.resourceProvisioningOptions",
				"microsoft.graph.group.unseenConversationsCount", "microsoft.graph.group.unseenMessagesCount",
				"microsoft.graph.group.welcomeMessageEnabled", "microsoft.graph.groupAccessType"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := os.ReadFile(tt.file)
			if errors.Is(err, fs.ErrNotExist) {
				t.Skipf("%s is absent", tt.file)
			}
			if err != nil {
				t.Fatal(err)
			}
			res, err := Slice(src, Options{Paths: tt.paths, NullableRefs: true, CSDL: c})
			if err != nil {
				t.Fatalf("Slice: %v", err)
			}
			if got := strings.Join(res.FromCSDL, ","); got != strings.Join(tt.added, ",") {
				t.Errorf("added from the CSDL: %s\nwant %s", got, strings.Join(tt.added, ","))
			}
			if len(res.Notes) > 0 {
				t.Errorf("notes: %q", res.Notes)
			}
			var doc map[string]any
			if err := yaml.Unmarshal(res.YAML, &doc); err != nil {
				t.Fatal(err)
			}
			for name, s := range doc["components"].(map[string]any)["schemas"].(map[string]any) {
				if name == innerErrorSchema {
					continue
				}
				if !reflect.DeepEqual(withoutProse(s), withoutProse(have[name])) {
					t.Errorf("schema %s differs from api/graph.yaml's", name)
				}
			}
		})
	}
}

// withoutProse drops descriptions, summaries and examples (rule 16: ours in the spec).
func withoutProse(v any) any { return stripProse(v) }
