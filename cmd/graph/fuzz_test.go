package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/typedgraph/graph"
)

// FuzzReadClaims feeds arbitrary access tokens to the claims reader of graph token: it must never
// panic, and what it returns must be printable and free of the token's signature.
func FuzzReadClaims(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"alg":"RS256","typ":"JWT"}`))
	for _, claims := range []string{
		`{"tid":"t","appid":"a","roles":["User.Read.All"],"aud":"https://graph.microsoft.com","iat":1700000000,"exp":1700003600}`,
		`{"azp":"v2app","aud":["a","b"],"roles":"not-a-list","exp":"soon"}`,
		`{"tid":"\u001b[2Jevil","roles":[1,null,"ok"],"exp":1e300}`,
		`{}`, `[]`, `null`,
	} {
		f.Add(header + "." + enc([]byte(claims)) + ".c2lnbmF0dXJl")
	}
	f.Add("opaque-token")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("a.b.c.d.e")
	f.Fuzz(func(t *testing.T, tok string) {
		info, ok := readClaims(tok)
		if !ok {
			return
		}
		b, err := json.Marshal(info)
		if err != nil {
			t.Fatalf("claims do not marshal: %v", err)
		}
		for _, s := range append([]string{info.Tenant, info.AppID, info.AppName, info.Audience}, info.Roles...) {
			if strings.IndexFunc(s, isControl) >= 0 {
				t.Errorf("claim %q holds a control character", s)
			}
		}
		if sig := tok[strings.LastIndexByte(tok, '.')+1:]; len(sig) > 16 && strings.Contains(string(b), sig) {
			t.Errorf("the token's signature appears in the output: %s", b)
		}
	})
}

// FuzzDecodeUser feeds arbitrary input to the --input reader of create and update: it must never
// panic, and what it accepts must marshal back to a JSON object.
func FuzzDecodeUser(f *testing.F) {
	for _, s := range []string{
		`{"displayName":"Adele","accountEnabled":true,"passwordProfile":{"password":"x"}}`,
		`{"mobilePhone":null,"businessPhones":["1"],"employeeOrgData":{"costCenter":"1"}}`,
		`{"birthday":"2000-01-01T00:00:00Z","deviceEnrollmentLimit":5}`,
		`{"displayname":"typo"}`, `{"accountEnabled":"yes"}`, `{} {}`, `[]`, ``, `{`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"displayName":"Ops","mailEnabled":false,"groupTypes":["Unified"],"unseenCount":1}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		// The groups commands read their input the same way.
		if g, err := decodeStrict[graph.Group](in); err == nil {
			if _, err := json.Marshal(g); err != nil {
				t.Errorf("accepted group does not marshal: %v", err)
			}
		}
		u, err := decodeUser(in)
		if err != nil {
			if !utf8.ValidString(err.Error()) && utf8.Valid(in) {
				t.Errorf("error is not valid UTF-8: %q", err)
			}
			return
		}
		b, err := json.Marshal(u)
		if err != nil || len(b) == 0 || b[0] != '{' {
			t.Errorf("accepted input does not marshal to an object: %s, %v", b, err)
		}
	})
}

// FuzzTable writes tables of arbitrary cells at arbitrary widths: no line may be wider than the
// width once the columns can be fitted at all, every row keeps its line, and a cut cell ends in "…".
func FuzzTable(f *testing.F) {
	f.Add("id\tdisplayName\nd53c0afc-1480-4fa2-bbf5-538c74d8e51c\tIrvin Deyoung", 40)
	f.Add("a\tb\tc\nZoë Ångström\t東京\t", 12)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, text string, width int) {
		if width < 0 || width > 1000 || len(text) > 4096 || !utf8.ValidString(text) {
			return
		}
		var tab table
		cols := 0
		for _, line := range strings.Split(text, "\n") {
			cells := strings.Split(sanitizeCells(line), "\t")
			cols = max(cols, len(cells))
			tab.add(cells...)
		}
		var out strings.Builder
		if err := tab.write(&out, width); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != len(tab.rows) {
			t.Fatalf("%d lines for %d rows", len(lines), len(tab.rows))
		}
		if width > 0 && width >= cols*minColumn+(cols-1)*columnGap {
			for _, line := range lines {
				if n := utf8.RuneCountInString(line); n > width {
					t.Errorf("line of %d runes at width %d: %q", n, width, line)
				}
			}
		}
	})
}

// sanitizeCells makes a fuzzed line into cells as graph builds them: tabs separate cells, and no
// other control character remains.
func sanitizeCells(line string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && isControl(r) {
			return unicode.ReplacementChar
		}
		return r
	}, line)
}

// FuzzBatchLines feeds arbitrary input to graph batch's reader and request builder: it must never
// panic, and every line it accepts has a method and a url and builds a request or a clear error.
func FuzzBatchLines(f *testing.F) {
	for _, s := range []string{
		`{"method":"GET","url":"/users"}`,
		"{\"method\":\"PATCH\",\"url\":\"/users/x\",\"body\":{\"a\":1}}\n\n{\"id\":\"2\",\"method\":\"GET\",\"url\":\"users\",\"dependsOn\":[\"1\"]}",
		`{"method":"GET","url":"https://graph.microsoft.com/v1.0/users","headers":{"ConsistencyLevel":"eventual"}}`,
		`{"method":"G T","url":"::"}`, `{"method":"GET"}`, `{} {}`, `[`, "", "\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		lines, err := parseBatchLines(strings.NewReader(input))
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.Method == "" || l.URL == "" {
				t.Fatalf("accepted %+v", l)
			}
			if r, err := l.request("https://graph.microsoft.com/v1.0/"); err == nil && r.Request == nil {
				t.Fatal("no request and no error")
			}
		}
	})
}
