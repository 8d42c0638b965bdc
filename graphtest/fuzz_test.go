package graphtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// The fake parses input from clients under test: it must answer any of it
// with an error, never panic or hang.

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"displayName eq 'a'", "startswith(displayName,'A') and city eq 'x'",
		"not (city ne 'Paris' or accountEnabled eq true)", "usageLocation in ('JP','KE')",
		"businessPhones/any(p:startswith(p, '+1'))", "assignedLicenses/$count eq 0",
		"createdDateTime ge 2024-01-01T00:00:00Z", "mail eq null", "a eq 'it''s'",
		"((", "eq eq eq", "'unterminated", "x/any(", "deviceEnrollmentLimit lt -3.5",
	} {
		f.Add(s)
	}
	u := map[string]any{"displayName": "Ada", "city": "Paris", "businessPhones": []any{"+1 2"},
		"accountEnabled": true, "createdDateTime": "2025-01-01T00:00:00Z", "deviceEnrollmentLimit": 3.0}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := parseFilter(userType, src)
		if err != nil {
			if _, ok := err.(*queryError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		p.eval(u, nil)
	})
}

func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{`"displayName:a"`, `"displayName:a" OR "mail:b" AND "surname:c"`, `"x`, `displayName:a`, `"a:b" XOR "c:d"`, `""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := parseSearch(userType, src)
		if err == nil {
			s.match(map[string]any{"displayName": "Ada Lovelace", "otherMails": []any{"a@b"}})
		}
	})
}

func FuzzParseQueryOptions(f *testing.F) {
	for _, s := range []string{"id,displayName", "displayName desc,userPrincipalName", " ,", "city asc desc", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = parseSelect(userType, src)
		_, _ = parseOrderBy(userType, src)
		_, _ = parseQuery(src)
		_, _ = decodeToken(src, "o", 1)
		_, _ = maxPageSize(src)
	})
}

func FuzzBearer(f *testing.F) {
	s := NewServer(Options{})
	f.Cleanup(s.Close)
	f.Add("Bearer " + s.Token())
	f.Add("Bearer a.b.c")
	f.Add("Bearer eyJhbGciOiJub25lIn0.e30.")
	f.Add("bearer ..")
	f.Fuzz(func(t *testing.T, auth string) {
		r := &http.Request{Header: http.Header{"Authorization": {auth}}, URL: &url.URL{}}
		_, _ = s.checkBearer(r)
	})
}

func FuzzClientAssertion(f *testing.F) {
	cert, key := testCertF(f)
	s := NewServer(Options{Certificate: cert})
	f.Cleanup(s.Close)
	_ = key
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJSUzI1NiIsIng1dCNTMjU2IjoieCJ9.eyJleHAiOjF9.AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, a string) {
		if code, _ := s.checkAssertion(a, s.TenantID); code == 0 {
			t.Fatalf("forged assertion accepted: %q", a)
		}
	})
}

func TestFilterDepth(t *testing.T) {
	deep := strings.Repeat("(", 100000)
	if _, err := parseFilter(userType, deep+"city eq 'x'"); err == nil {
		t.Error("deeply nested filter accepted")
	}
	ok := "((((city eq 'x'))))"
	if _, err := parseFilter(userType, ok); err != nil {
		t.Errorf("%s: %v", ok, err)
	}
}

// FuzzGroupInput covers what the groups operations parse: a $ref body's @odata.id and a $filter
// over group properties.
func FuzzGroupInput(f *testing.F) {
	for _, s := range []string{
		"https://graph.microsoft.com/v1.0/directoryObjects/0f31af60-cc16-41a0-8cc3-ecc1fd23e261",
		"https://graph.microsoft.com/v1.0/users/x", "/groups/g", "directoryObjects/", "%zz", "://", "",
		"securityEnabled eq true", "groupTypes/any(c:c eq 'Unified')", "unseenCount gt 2",
	} {
		f.Add(s)
	}
	g := map[string]any{"displayName": "Sales", "securityEnabled": true, "groupTypes": []any{"Unified"}, "unseenCount": 3.0}
	f.Fuzz(func(t *testing.T, s string) {
		if id, ok := refID(s); ok && (id == "" || strings.Contains(id, "/")) {
			t.Fatalf("refID(%q) = %q", s, id)
		}
		if p, err := parseFilter(groupType, s); err == nil {
			p.eval(g, nil)
		}
		_, _ = parseSelect(groupType, s)
	})
}

// FuzzBatch posts arbitrary $batch bodies (and PATCH bodies with
// members@odata.bind inside them) to a fake: it answers 200 with one
// response per request, or 400, never panics or hangs.
func FuzzBatch(f *testing.F) {
	for _, s := range []string{
		`{"requests":[{"id":"1","method":"GET","url":"/users"}]}`,
		`{"requests":[{"id":"1","method":"GET","url":"/users/x"},{"id":"2","method":"GET","url":"/users","dependsOn":["1"]}]}`,
		`{"requests":[{"id":"a","method":"PATCH","url":"/groups/g","headers":{"Content-Type":"application/json"},"body":{"members@odata.bind":["/users/u"]}}]}`,
		`{"requests":[{"id":"a","method":"POST","url":"/users","headers":{"content-type":"text/plain"},"body":"eyJ9"}]}`,
		`{"requests":[{"id":"1","method":"GET","url":"/$batch"}]}`, `{"requests":[{"id":"1","method":"GET","url":"::"}]}`,
		`{"requests":[{"id":"1","method":"GET","url":"/users","dependsOn":["1"]}]}`, `{"requests":{}}`, `{}`, `[`, ``,
	} {
		f.Add(s)
	}
	s := NewServer(Options{Users: 2, Groups: 1, MaxRecorded: -1})
	f.Cleanup(s.Close)
	token := "Bearer " + s.Token()
	f.Fuzz(func(t *testing.T, body string) {
		req, err := http.NewRequest(http.MethodPost, "/v1.0/$batch", strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Authorization", token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.serveGraph(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var answer struct {
				Responses []json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
				t.Fatalf("200 with %v: %s", err, rec.Body)
			}
		case http.StatusBadRequest:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}

// FuzzRequestBody feeds arbitrary bytes to the body decoder under each
// Content-Encoding: it must never panic nor return more than maxBody bytes.
func FuzzRequestBody(f *testing.F) {
	f.Add("gzip", compress(f, "gzip", []byte(`{"displayName":"a"}`)))
	f.Add("deflate", compress(f, "deflate", []byte(`{}`)))
	f.Add("deflate", compress(f, "rawdeflate", []byte(`{}`)))
	f.Add("gzip", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add("", []byte(`{"a":1}`))
	f.Add("br", []byte("x"))
	f.Fuzz(func(t *testing.T, enc string, body []byte) {
		r := &http.Request{Header: http.Header{"Content-Encoding": {enc}}, Body: io.NopCloser(bytes.NewReader(body))}
		if got, err := readBody(r); len(got) > maxBody || (err == nil && got == nil && len(body) > 0 && enc == "") {
			t.Fatalf("readBody(%q): %d bytes, %v", enc, len(got), err)
		}
	})
}

// FuzzRouteAndScope: the routing table and the scope reader take any path
// and any scope string.
func FuzzRouteAndScope(f *testing.F) {
	for _, s := range []string{
		"/v1.0/groups/g/members/microsoft.graph.user/$count", "/v1.0/users('a''b')/memberOf", "/v1.0/groups/$count",
		"/v1.0//", "/v1.0/users/%zz", "https://graph.microsoft.com/.default openid profile offline_access",
		"openid", " /.default", "a/.default b/.default",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if u, err := url.Parse("http://h" + s); err == nil {
			for _, m := range []string{"GET", "POST", "PATCH", "DELETE"} {
				c := &call{}
				if e, known := route(&http.Request{Method: m, URL: u}, c); e != nil && (!known || e.method != m) {
					t.Fatalf("%s %s: %+v %v", m, s, e, known)
				}
			}
		}
		if res, ok := defaultScope(s); ok && (res == "" || strings.Contains(res, " ")) {
			t.Fatalf("defaultScope(%q) = %q", s, res)
		}
	})
}

// FuzzEntitySetRoute: the routing of registered entity sets, alternate keys
// included, takes any path.
func FuzzEntitySetRoute(f *testing.F) {
	s := &Server{dir: newDirectory(), counts: map[string]*atomic.Int64{}}
	if err := s.registerSets([]EntitySet{widgets(2)}); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{
		"/v1.0/widgets", "/v1.0/widgets/$count", "/v1.0/widgets/x", "/v1.0/widgets(serial='a''b')",
		"/v1.0/widgets(serial='x')/addKey", "/v1.0/widgets(='')", "/v1.0/widgets('x')", "/v1.0/Widgets/x/microsoft.graph.touch",
		"/v1.0/widgets/x/y/z", "/v1.0/widgets(", "/v1.0/widgets(serial=')",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		u, err := url.Parse("http://h" + p)
		if err != nil {
			return
		}
		for _, m := range []string{"GET", "POST", "PATCH", "DELETE", "PUT"} {
			c := &call{}
			if e, known := s.routeSet(&http.Request{Method: m, URL: u}, c); e != nil && (!known || e.method != m || !strings.HasPrefix(e.op, "widgets.")) {
				t.Fatalf("%s %s: %+v %v", m, p, e, known)
			}
		}
	})
}
