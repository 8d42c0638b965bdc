package specslice

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// ruleCases has one case per rule of api/README.md, each a small Microsoft-shaped document in
// testdata/rules/NAME.yaml with its expected output in NAME.golden.
var ruleCases = []struct {
	name string
	opt  Options
}{
	{"01-additional-properties", Options{Paths: []string{"/widgets/{widget-id}"}}},
	{"02-discriminator", Options{Paths: []string{"/widgets/*"}}},
	{"03-mapping-only-types", Options{Paths: []string{"/widgets/{widget-id}"}}},
	{"04-odata-type", Options{Paths: []string{"/widgets/{widget-id}"}}},
	{"05-nullable-references", Options{Paths: []string{"/widgets/{widget-id}"}}},
	{"05-nullable-references-powershell", Options{Paths: []string{"/widgets/{widget-id}"}, NullableRefs: true}},
	{"06-nullable-primitives", Options{Paths: []string{"/widgets/{widget-id}"}}},
	{"07-arrays", Options{Paths: []string{"/widgets/{widget-id}"}}},
	{"08-numbers-and-patterns", Options{Paths: []string{"/widgets/{widget-id}"}}},
	{"09-inner-error-date", Options{Paths: []string{"/widgets"}}},
	{"10-responses", Options{Paths: []string{"/widgets/**"},
		Statuses: map[string]int{"PATCH /widgets/{widget-id}/settings": 200}}},
	{"11-operation-ids", Options{Paths: []string{"/groups/**"},
		OperationIDs: map[string]string{"GET /groups/{group-id}/members/microsoft.graph.user": "listGroupUserMembers"}}},
	{"12-navigation-properties", Options{Paths: []string{"/widgets/{widget-id}"}}},
	{"13-bound-function-paths", Options{Paths: []string{"/widgets/delta()", "/widgets/{widget-id}/**"},
		OperationIDs: map[string]string{"POST /widgets/{widget-id}/microsoft.graph.polish": "polishWidgetNow"}}},
	{"14-shared-parameters", Options{Paths: []string{"/widgets/{widget-id}/parts", "/widgets/{widget-id}/parts/*"}}},
	{"15-collection-responses", Options{Paths: []string{"/widgets", "/widgets/delta()"}}},
	{"16-descriptions", Options{Paths: []string{"/widgets"}}},
	{"16-descriptions.keep", Options{Paths: []string{"/widgets"}, KeepDescriptions: true, Title: "Widgets with descriptions"}},
	{"17-closure", Options{Paths: []string{"/widgets/**#PUT"}}},
	{"17-csdl", Options{Paths: []string{"/widgets/{widget-id}"}, CSDL: testCSDL("17-csdl.xml")}},
}

// testCSDL parses a CSDL of testdata/rules for the case table; it panics, failing the test binary
// loudly, if the file does not parse.
func testCSDL(name string) *CSDL {
	f, err := os.Open(filepath.Join("testdata", "rules", name))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	c, err := ParseCSDL(f)
	if err != nil {
		panic(err)
	}
	return c
}

func caseOptions(t testing.TB, name string) Options {
	t.Helper()
	for _, tc := range ruleCases {
		if tc.name == name {
			return tc.opt
		}
	}
	t.Fatalf("no rule case %s", name)
	return Options{}
}

func readInput(t testing.TB, name string) []byte {
	t.Helper()
	base, _, _ := strings.Cut(name, ".")
	src, err := os.ReadFile(filepath.Join("testdata", "rules", base+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestSliceRules(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Slice(readInput(t, tc.name), tc.opt)
			if err != nil {
				t.Fatalf("Slice: %v", err)
			}
			golden := filepath.Join("testdata", "rules", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, res.YAML, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(res.YAML, want) {
				t.Errorf("output differs from %s (go test -update rewrites it):\n%s", golden, lineDiff(string(want), string(res.YAML)))
			}
		})
	}
}

// TestSliceDeterministic runs every case twice and once more on its own output: the bytes must
// not change, so a re-run of the tool shows no diff.
func TestSliceDeterministic(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			src := readInput(t, tc.name)
			a, err := Slice(src, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Slice(src, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.YAML, b.YAML) {
				t.Fatalf("two runs differ:\n%s", lineDiff(string(a.YAML), string(b.YAML)))
			}
			if strings.Join(a.Operations, "\n") != strings.Join(b.Operations, "\n") || strings.Join(a.Notes, "\n") != strings.Join(b.Notes, "\n") {
				t.Fatalf("reports differ: %q %q / %q %q", a.Operations, a.Notes, b.Operations, b.Notes)
			}
			// Slicing normalised output again changes nothing.
			again, err := Slice(a.YAML, tc.opt)
			if err != nil {
				t.Fatalf("re-slicing the output: %v", err)
			}
			if !bytes.Equal(a.YAML, again.YAML) {
				t.Errorf("re-slicing the output changed it:\n%s", lineDiff(string(a.YAML), string(again.YAML)))
			}
		})
	}
}

// TestSliceRuleFacts checks, beside the goldens, the facts each rule is about, so that a golden
// rewritten by mistake cannot hide a broken rule.
func TestSliceRuleFacts(t *testing.T) {
	out := func(t *testing.T, name string) string {
		t.Helper()
		res, err := Slice(readInput(t, name), caseOptions(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(res.YAML)
	}
	tests := []struct {
		name          string
		want, notWant []string
	}{
		{"01-additional-properties", []string{"microsoft.graph.widgetSettings:\n      title: widgetSettings\n      type: object\n"}, []string{"additionalProperties"}},
		{"02-discriminator", []string{"microsoft.graph.thing:", "microsoft.graph.widget:", "'200':", "default:\n          $ref: '#/components/responses/error'"},
			[]string{"discriminator", "gadget", "mapping", "4XX", "5XX"}},
		{"03-mapping-only-types", []string{"microsoft.graph.shape:", "microsoft.graph.circle:"}, []string{"square", "discriminator"}},
		{"04-odata-type", []string{"        id:\n          type: string\n        '@odata.type':\n          type: string\n"},
			[]string{"required:\n          - '@odata.type'", "default: '#microsoft.graph.widget'", "- '@odata.type'"}},
		{"05-nullable-references", []string{
			"formSiblingNullable:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.dimensions'\n            nullable: true",
			"formObjectArm:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.dimensions'\n            nullable: true",
			"formNullableArm:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.finish'\n            nullable: true",
			"formTypedWrapper:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.dimensions'\n            nullable: true",
			"formEnumNull:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.finish'\n            nullable: true",
			"alreadyNormal:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.dimensions'\n            nullable: true",
			"plainRef:\n            $ref: '#/components/schemas/microsoft.graph.dimensions'",
			"wrappedNotNullable:\n            $ref: '#/components/schemas/microsoft.graph.finish'",
		}, []string{"anyOf", "enum:\n              - null"}},
		{"05-nullable-references-powershell", []string{
			"finish:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.finish'\n            nullable: true",
			"size:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.dimensions'\n            nullable: true",
			"parts:\n            type: array\n            items:\n              $ref: '#/components/schemas/microsoft.graph.dimensions'\n",
			"      allOf:\n      - $ref: '#/components/schemas/microsoft.graph.entity'\n",
			"        innerError:\n          $ref: '#/components/schemas/microsoft.graph.ODataErrors.InnerError'\n",
			"        error:\n          $ref: '#/components/schemas/microsoft.graph.ODataErrors.MainError'\n",
		}, []string{"additionalProperties", "Varies by service"}},
		{"06-nullable-primitives", []string{"label:\n            type: string\n            nullable: true"}, []string{"nullable: false"}},
		{"07-arrays", []string{"parts:\n            type: array\n            items:\n              $ref: '#/components/schemas/microsoft.graph.part'"},
			[]string{"anyOf", "items:\n              type: string\n              nullable: true", "aliases:\n            type: array\n            nullable: true"}},
		{"08-numbers-and-patterns", []string{"count32:\n            maximum: 2147483647\n            minimum: -2147483648\n            type: integer\n            format: int32",
			"type: integer\n            format: int64", "type: integer\n            format: int16", "type: integer\n            format: uint8", "type: number\n            format: double",
			"ratio:\n            type: number\n            format: double\n            nullable: true\n", "scale:\n            type: number\n            format: float\n          builtDateTime:"},
			[]string{"pattern", "type: number\n            format: int", "ReferenceNumeric", "oneOf", "anyOf"}},
		{"09-inner-error-date", []string{"date:\n          type: string\n          nullable: true"}, []string{"date-time", "pattern", "@odata.type"}},
		{"10-responses", []string{"operationId: listWidgets", "'200':\n          $ref: '#/components/responses/microsoft.graph.widgetCollectionResponse'",
			"operationId: createWidget", "'201':\n          description: Created", "operationId: polishWidget", "'204':\n          description: No Content",
			"operationId: updateWidgetSettings", "'200':\n          description: OK"},
			[]string{"2XX", "4XX", "5XX"}},
		{"11-operation-ids", []string{"operationId: listGroups", "operationId: createGroup", "operationId: getGroup", "operationId: updateGroup",
			"operationId: deleteGroup", "operationId: countGroups", "operationId: deltaGroups", "operationId: listGroupMembers",
			"operationId: addGroupMember", "operationId: listGroupMemberRefs", "operationId: removeGroupMember",
			"operationId: listGroupUserMembers", "operationId: countGroupOwners", "operationId: getGroupPhotoContent",
			"operationId: checkGroupMemberGroups", "/groups/delta():", "/groups/{group-id}/checkMemberGroups:"},
			[]string{"group_"}},
		{"12-navigation-properties", []string{"label:", "placement:", "shelf:"}, []string{"parts:", "owner:", "maker:", "neighbours:", "microsoft.graph.part:", "microsoft.graph.maker:"}},
		{"13-bound-function-paths", []string{"/widgets/delta():", "/widgets/{widget-id}/polish:", "/widgets/{widget-id}/parts/microsoft.graph.gear:",
			"operationId: deltaWidgets", "operationId: polishWidgetNow", "operationId: getWidgetPartsAsGear"}, []string{"microsoft.graph.delta", "microsoft.graph.polish"}},
		{"14-shared-parameters", []string{
			"ConsistencyLevel:\n      name: ConsistencyLevel\n      in: header\n      style: simple\n      schema:\n        type: string\n      example: eventual",
			"select:\n      name: $select\n      in: query\n      style: form\n      explode: false\n      schema:\n        uniqueItems: true\n        type: array",
			"  /widgets/{widget-id}/parts/{part-id}:\n    parameters:\n    - $ref: '#/components/parameters/widget-id'\n    - $ref: '#/components/parameters/part-id'\n",
			"- name: Prefer\n        in: header", "orderby:", "expand:", "top:", "filter:"},
			[]string{"skip:", "Key of the widget", "How to sort", "Consistency the caller", "examples"}},
		{"15-collection-responses", []string{
			"microsoft.graph.widgetCollectionResponse:\n      title: Collection of widget\n      type: object\n      allOf:\n      - $ref: '#/components/schemas/BaseCollectionPaginationCountResponse'",
			"microsoft.graph.widgetDeltaResponse:\n      title: Collection of widget\n      type: object\n      allOf:\n      - $ref: '#/components/schemas/BaseDeltaFunctionResponse'",
			"BaseCollectionPaginationCountResponse:", "BaseDeltaFunctionResponse:", "schema:\n                $ref: '#/components/schemas/microsoft.graph.widgetDeltaResponse'"},
			[]string{"additionalProperties"}},
		{"16-descriptions", []string{"summary: Create widget", "title: widget", "          description:\n            type: string\n            nullable: true", "'201':\n          description: Created"},
			[]string{"A long text", "externalDocs", "The new widget", "What the widget", "Something on a shelf", "x-ms-enum", "Shiny", "How the surface"}},
		{"16-descriptions.keep", []string{"title: Widgets with descriptions", "A long text", "externalDocs", "What the widget", "description: Created entity"}, []string{"x-ms-enum"}},
		{"17-closure", []string{"ReferenceUpdate:", "microsoft.graph.target:", "microsoft.graph.targetDetail:", "requestBodies:\n    refPutBody:", "widget-id:", "operationId: setWidgetLabel"},
			[]string{"gadget"}},
		{"17-csdl", []string{
			"batch:\n            type: integer\n            format: int64\n          colour:",
			"features:\n            type: array\n            items:\n              $ref: '#/components/schemas/microsoft.graph.feature'\n",
			"finish:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.finish'\n            nullable: true\n          label:",
			"madeOn:\n            type: string\n            format: date\n            nullable: true",
			"packaging:\n            allOf:\n            - $ref: '#/components/schemas/microsoft.graph.widgets.box'\n            nullable: true",
			"unitsSold:\n            maximum: 2147483647\n            minimum: -2147483648\n            type: integer\n            format: int32\n            nullable: true\n          weight:",
			"weight:\n            type: number\n            format: double\n          serial:",
			"size:\n            $ref: '#/components/schemas/microsoft.graph.dimensions'\n          tags:",
			"microsoft.graph.widgets.box:\n      allOf:\n      - $ref: '#/components/schemas/microsoft.graph.widgets.container'\n      - title: box",
			"microsoft.graph.feature:\n      title: feature\n      type: string\n      enum:\n      - none\n      - lid\n      - handle\n      x-ms-enum-flags:",
			"        height:\n          type: number\n          format: double\n          nullable: true\n        width:",
		}, []string{"location:", "owner:", "parts:", "microsoft.graph.user:", "Not a property"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := out(t, tt.name)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("output has %q", nw)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", got)
			}
		})
	}
}

// TestSliceCSDLReport checks what rule 17 reports: each addition and change of nullability in
// Result.FromCSDL, and as notes the property no rule covers, the type difference it leaves alone and
// the property the CSDL lacks.
func TestSliceCSDLReport(t *testing.T) {
	res, err := Slice(readInput(t, "17-csdl"), caseOptions(t, "17-csdl"))
	if err != nil {
		t.Fatal(err)
	}
	added := []string{"microsoft.graph.dimensions.height", "microsoft.graph.feature", "microsoft.graph.finish",
		"microsoft.graph.widget.batch", "microsoft.graph.widget.features", "microsoft.graph.widget.finish",
		"microsoft.graph.widget.madeOn", "microsoft.graph.widget.packaging", "microsoft.graph.widget.size (nullable: false)",
		"microsoft.graph.widget.tags", "microsoft.graph.widget.unitsSold", "microsoft.graph.widget.weight (nullable: false)",
		"microsoft.graph.widgets.box", "microsoft.graph.widgets.container"}
	if got := strings.Join(res.FromCSDL, "\n"); got != strings.Join(added, "\n") {
		t.Errorf("FromCSDL:\n%s\nwant:\n%s", got, strings.Join(added, "\n"))
	}
	notes := []string{
		"/components/schemas/microsoft.graph.widget/properties/legacyCode: not in the CSDL, kept",
		"/components/schemas/microsoft.graph.widget/properties/location: CSDL type Edm.GeographyPoint has no rule; not added",
		"/components/schemas/microsoft.graph.widget/properties/serial: type string in the input, string/uuid in the CSDL; kept as the input has it",
		"/components/schemas/microsoft.graph.widgets.box/properties/origin: CSDL type Edm.GeometryPoint has no rule; not added",
	}
	if got := strings.Join(res.Notes, "\n"); got != strings.Join(notes, "\n") {
		t.Errorf("notes:\n%s\nwant:\n%s", got, strings.Join(notes, "\n"))
	}
	// Without the CSDL the same input gets none of it.
	opt := caseOptions(t, "17-csdl")
	opt.CSDL = nil
	plain, err := Slice(readInput(t, "17-csdl"), opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.FromCSDL) > 0 || bytes.Contains(plain.YAML, []byte("batch:")) {
		t.Errorf("without a CSDL: FromCSDL %q", plain.FromCSDL)
	}
}

func TestSliceKeyOrder(t *testing.T) {
	res, err := Slice(readInput(t, "11-operation-ids"), caseOptions(t, "11-operation-ids"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(res.YAML, &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	if got, want := strings.Join(mapKeys(root), ","), "openapi,info,servers,paths,components"; got != want {
		t.Errorf("top-level keys %s, want %s", got, want)
	}
	if got, want := strings.Join(mapKeys(mapGet(root, "components")), ","), "schemas,responses"; got != want {
		t.Errorf("component kinds %s, want %s", got, want)
	}
	for _, m := range []*yaml.Node{mapGet(root, "paths"), mapGet(mapGet(root, "components"), "schemas"), mapGet(mapGet(root, "components"), "responses")} {
		keys := mapKeys(m)
		for i := 1; i < len(keys); i++ {
			if keys[i-1] >= keys[i] {
				t.Errorf("%q before %q: not sorted", keys[i-1], keys[i])
			}
		}
	}
	if want := "DELETE /groups/{group-id} deleteGroup"; res.Operations[0] != want {
		t.Errorf("Operations[0] = %q, want %q", res.Operations[0], want)
	}
}

func TestSliceErrors(t *testing.T) {
	doc := readInput(t, "17-closure")
	tests := []struct {
		name    string
		src     []byte
		opt     Options
		where   string
		is      error
		message string
	}{
		{"no pattern", doc, Options{}, "options", nil, "no path pattern"},
		{"relative pattern", doc, Options{Paths: []string{"widgets"}}, "-path widgets", nil, "must start with /"},
		{"bad method", doc, Options{Paths: []string{"/widgets#FETCH"}}, "-path /widgets#FETCH", nil, "unknown method"},
		{"no match", doc, Options{Paths: []string{"/gadgets", "/wigdets/**"}}, "-path /wigdets/**", ErrNoMatch, "matches no path"},
		{"not yaml", []byte("openapi: [3.0"), Options{Paths: []string{"/x"}}, "input", nil, "yaml"},
		{"not a mapping", []byte("- a\n- b\n"), Options{Paths: []string{"/x"}}, "input", nil, "not a YAML mapping"},
		{"no paths", []byte("openapi: 3.0.1\n"), Options{Paths: []string{"/x"}}, "input", nil, "no paths"},
		{"aliases", []byte("openapi: 3.0.1\nx: &a {b: 1}\npaths:\n  /x: *a\n"), Options{Paths: []string{"/x"}}, "input", nil, "aliases"},
		{"dangling ref", []byte("openapi: 3.0.1\npaths:\n  /x:\n    get:\n      responses:\n        2XX:\n          $ref: '#/components/responses/gone'\n"),
			Options{Paths: []string{"/x"}}, "#/components/responses/gone", nil, "not defined"},
		{"no responses", []byte("openapi: 3.0.1\npaths:\n  /x:\n    get:\n      operationId: a\n"), Options{Paths: []string{"/x"}}, "/paths/x/get", nil, "no responses"},
		{"scalar response", []byte("openapi: 3.0.1\npaths:\n  /x:\n    get:\n      responses:\n        2XX: ok\n"), Options{Paths: []string{"/x"}}, "/paths/x/get/responses/2XX", nil, "not a mapping"},
		{"scalar component", []byte("openapi: 3.0.1\npaths:\n  /x:\n    get:\n      responses:\n        2XX:\n          $ref: '#/components/responses/a'\ncomponents:\n  responses:\n    a: ok\n"),
			Options{Paths: []string{"/x"}}, "#/components/responses/a", nil, "not a mapping"},
		{"unused -op", doc, Options{Paths: []string{"/gadgets"}, OperationIDs: map[string]string{"GET /widgets": "x"}}, "-op GET /widgets", nil, "names no kept operation"},
		{"unused -status", doc, Options{Paths: []string{"/gadgets"}, Statuses: map[string]int{"GET /widgets": 200}}, "-status GET /widgets", nil, "names no kept operation"},
		{"-op collides", doc, Options{Paths: []string{"/**"}, OperationIDs: map[string]string{"GET /gadgets": "setWidgetLabel"}}, "", nil, "also used by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Slice(tt.src, tt.opt)
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if tt.where != "" && se.Where != tt.where {
				t.Errorf("Where = %q, want %q", se.Where, tt.where)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q lacks %q", err, tt.message)
			}
		})
	}
}

func TestSliceNotes(t *testing.T) {
	src := []byte(`openapi: 3.0.1
paths:
  /x:
    get:
      responses:
        2XX:
          description: Success
          content:
            application/json:
              schema:
                anyOf:
                  - $ref: '#/components/schemas/a'
                  - $ref: '#/components/schemas/b'
  /y/microsoft.graph.count():
    get:
      operationId: other
      responses:
        2XX:
          description: Success
      x-ms-docs-operation-type: function
  /y/$count:
    get:
      responses:
        2XX:
          description: Success
components:
  schemas:
    a:
      type: string
    b:
      type: integer
`)
	res, err := Slice(src, Options{Paths: []string{"/**"}})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"anyOf kept", "GET /y/count(): operationId countY is also derived for GET /y/$count; named countY2"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	if !strings.Contains(string(res.YAML), "operationId: countY2") {
		t.Errorf("duplicate operationId not renamed:\n%s", res.YAML)
	}
}

func TestDeriveOperationID(t *testing.T) {
	pageable := newMap("x-ms-pageable", newMap("nextLinkName", "@odata.nextLink"), "responses", newMap())
	plain := newMap("responses", newMap("2XX", newMap("description", "Success")))
	collection := newMap("responses", newMap("200", newMap("$ref", "#/components/responses/microsoft.graph.groupCollectionResponse")))
	action := newMap("x-ms-docs-operation-type", "action", "responses", newMap())
	tests := []struct {
		method, path string
		op           *yaml.Node
		want         string
	}{
		{"GET", "/users", pageable, "listUsers"},
		{"GET", "/groups", collection, "listGroups"},
		{"POST", "/users", plain, "createUser"},
		{"GET", "/users/{user-id}", plain, "getUser"},
		{"PATCH", "/users/{user-id}", plain, "updateUser"},
		{"PUT", "/users/{user-id}", plain, "setUser"},
		{"DELETE", "/users/{user-id}", plain, "deleteUser"},
		{"GET", "/users/$count", plain, "countUsers"},
		{"GET", "/users/delta()", plain, "deltaUsers"},
		{"GET", "/users/{user-id}/memberOf", pageable, "listUserMemberOf"},
		{"GET", "/users/{user-id}/manager", plain, "getUserManager"},
		{"GET", "/groups/{group-id}/members", pageable, "listGroupMembers"},
		{"POST", "/groups/{group-id}/members/$ref", plain, "addGroupMember"},
		{"DELETE", "/groups/{group-id}/members/{directoryObject-id}/$ref", plain, "removeGroupMember"},
		{"DELETE", "/groups/{group-id}/members/$ref", plain, "removeGroupMember"},
		{"GET", "/groups/{group-id}/members/$ref", pageable, "listGroupMemberRefs"},
		{"PUT", "/users/{user-id}/manager/$ref", plain, "setUserManager"},
		{"GET", "/users/{user-id}/manager/$ref", plain, "getUserManagerRef"},
		{"DELETE", "/users/{user-id}/manager/$ref", plain, "removeUserManager"},
		{"GET", "/users/{user-id}/memberOf/microsoft.graph.group", pageable, "listUserMemberOfAsGroup"},
		{"GET", "/users/{user-id}/memberOf/$count", plain, "countUserMemberOf"},
		{"GET", "/users/{user-id}/photo/$value", plain, "getUserPhotoContent"},
		{"PUT", "/users/{user-id}/photo/$value", plain, "setUserPhotoContent"},
		{"POST", "/users/{user-id}/assignLicense", action, "assignUserLicense"},
		{"POST", "/users/{user-id}/microsoft.graph.changePassword", action, "changeUserPassword"},
		{"GET", "/policies/{policy-id}/categories", pageable, "listPolicyCategories"},
		{"GET", "/me/mailFolders/{mailFolder-id}/messages", pageable, "listMeMailFolderMessages"},
		{"GET", "/users/{user-id}/reminderView(StartDateTime='{StartDateTime}',EndDateTime='{EndDateTime}')", plain, "reminderUserView"},
		{"GET", "/", plain, "getRoot"},
	}
	for _, tt := range tests {
		if got := deriveOperationID(tt.method, tt.path, tt.op); got != tt.want {
			t.Errorf("deriveOperationID(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/users", "/users", true},
		{"/users", "/users/{user-id}", false},
		{"/users/{user-id}", "/users/{user-id}", true},
		{"/users/*", "/users/{user-id}", true},
		{"/users/*", "/users/$count", true},
		{"/users/*", "/users", false},
		{"/users/*", "/users/{user-id}/memberOf", false},
		{"/groups/**", "/groups", true},
		{"/groups/**", "/groups/{group-id}/members/$ref", true},
		{"/groups/**", "/groupsX", false},
		{"/**/$count", "/users/{user-id}/memberOf/$count", true},
		{"/**/$count", "/users/{user-id}/memberOf", false},
		{"/users/*/memberOf", "/users/{user-id}/memberOf", true},
		{"/users#GET", "/users", true},
		{"users", "/users", false},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.path); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestSliceMethodFilter(t *testing.T) {
	res, err := Slice(readInput(t, "10-responses"), Options{Paths: []string{"/widgets#POST", "/widgets/{widget-id}#DELETE"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "DELETE /widgets/{widget-id} deleteWidget\nPOST /widgets createWidget"
	if got := strings.Join(res.Operations, "\n"); got != want {
		t.Errorf("Operations:\n%s\nwant:\n%s", got, want)
	}
}

// lineDiff shows the first lines where want and got part.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + a + "\n  got:  " + b
		}
	}
	return "(equal)"
}
