package graphtest

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// compress encodes body with Content-Encoding enc ("gzip", "deflate" for
// zlib, "rawdeflate" for raw DEFLATE sent as deflate).
func compress(t testing.TB, enc string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "rawdeflate":
		w, _ = flate.NewWriter(&buf, flate.DefaultCompression)
	}
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// send posts or patches raw bytes with the given Content-Encoding.
func (c *graphClient) send(method, path string, body []byte, encoding string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.s.GraphURL+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

// TestCompressedBodies: Graph reads request bodies sent with
// Content-Encoding gzip or deflate (msgraph-sdk-go gzips every body by
// default); the size cap applies to the decoded body.
func TestCompressedBodies(t *testing.T) {
	s := newTestServer(t, Options{})
	c := newGraphClient(t, s)
	user := func(nick string) []byte {
		return []byte(`{"accountEnabled":true,"displayName":"` + nick + `","mailNickname":"` + nick +
			`","userPrincipalName":"` + nick + `@contoso.example","passwordProfile":{"password":"x-1-Y"}}`)
	}
	for _, tc := range []struct {
		name, header, enc string
	}{
		{"gzip", "gzip", "gzip"},
		{"upper-case GZIP", "GZIP", "gzip"},
		{"deflate as zlib", "deflate", "deflate"},
		{"deflate raw", "deflate", "rawdeflate"},
		{"identity", "identity", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nick := strings.ReplaceAll(strings.ToLower(tc.name), " ", "-")
			body := user(nick)
			if tc.enc != "" {
				body = compress(t, tc.enc, body)
			}
			r := c.send("POST", "/users", body, tc.header)
			if r.status != 201 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if last, _ := s.LastRequest(OpCreateUser); !bytes.Equal(last.Body, user(nick)) {
				t.Errorf("recorded body %q, want the decoded one", last.Body)
			}
			r = c.send("PATCH", "/users/"+nick+"@contoso.example", compressOr(t, tc.enc, []byte(`{"city":"Oslo"}`)), tc.header)
			if r.status != 204 {
				t.Fatalf("patch: %d %s", r.status, r.body)
			}
		})
	}
	for _, tc := range []struct {
		name, header string
		body         []byte
		status       int
		code         string
	}{
		{"brotli", "br", user("br"), 415, "UnsupportedMediaType"},
		{"two encodings", "gzip, gzip", compress(t, "gzip", compress(t, "gzip", user("gg"))), 415, "UnsupportedMediaType"},
		{"not gzip", "gzip", user("ng"), 400, "BadRequest"},
		{"truncated gzip", "gzip", compress(t, "gzip", user("tg"))[:20], 400, "BadRequest"},
		// 12 MiB of zeros compress to about 12 KiB: decoding stops at the cap.
		{"gzip bomb", "gzip", compress(t, "gzip", make([]byte, 12<<20)), 413, "Request_EntityTooLarge"},
		{"deflate bomb", "deflate", compress(t, "deflate", make([]byte, 12<<20)), 413, "Request_EntityTooLarge"},
		{"compressed body over the cap", "gzip", compress(t, "gzip", randomJSON(t, 5<<20)), 413, "Request_EntityTooLarge"},
		{"decoded just over the cap", "gzip", compress(t, "gzip", append([]byte(`{"displayName":"`), bytes.Repeat([]byte("x"), maxBody)...)), 413, "Request_EntityTooLarge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.send("POST", "/users", tc.body, tc.header)
			if code, _ := graphErr(t, r); r.status != tc.status || code != tc.code {
				t.Errorf("%d %s, want %d %s: %s", r.status, code, tc.status, tc.code, r.body)
			}
		})
	}
	if n := s.UserCount(); n != 5 {
		t.Errorf("%d users, want the 5 created", n)
	}
}

// randomJSON is a JSON object n bytes long that does not compress.
func randomJSON(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	s := base64.StdEncoding.EncodeToString(b)[:n-20]
	return []byte(`{"displayName":"` + s + `"}`)
}

func compressOr(t testing.TB, enc string, body []byte) []byte {
	if enc == "" {
		return body
	}
	return compress(t, enc, body)
}

// TestRecordingBounds: the log keeps whole only requests that were
// authenticated and routed, truncates their bodies, and stays within
// MaxRecordedBytes.
func TestRecordingBounds(t *testing.T) {
	s := newTestServer(t, Options{MaxRecordedBytes: 300 << 10})
	c := newGraphClient(t, s)

	// Without a token: a line, whatever the body.
	big := bytes.Repeat([]byte("x"), 1<<20)
	req, _ := http.NewRequest("POST", s.GraphURL+"/users", bytes.NewReader(big))
	req.Header.Set("X-Secret", "not kept")
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		res.Body.Close()
		if res.StatusCode != 401 {
			t.Errorf("unauthenticated: %d", res.StatusCode)
		}
	}
	last, ok := s.LastRequest(OpCreateUser)
	if !ok || last.Body != nil || last.Header != nil || last.Path != "/v1.0/users" || !last.Truncated {
		t.Errorf("unauthenticated request recorded as %+v, want a line", last)
	}
	// Authenticated but to no operation: a line too.
	long := strings.Repeat("a", 8<<10)
	c.get("/applications/" + long)
	rec := s.Recorded()
	if l := rec[len(rec)-1]; l.Op != "" || l.Header != nil || len(l.Path) != maxLine || !l.Truncated {
		t.Errorf("unknown route recorded as %q %d %v", l.Op, len(l.Path), l.Truncated)
	}

	// Authenticated bodies are kept up to 64 KiB each.
	body := `{"displayName":"` + strings.Repeat("y", 200<<10) + `"}`
	for range 5 {
		c.call("PATCH", "/users/nobody@contoso.example", body)
	}
	last, _ = s.LastRequest(OpUpdateUser)
	if len(last.Body) != maxRecordedBody || !last.Truncated || last.Header.Get("Authorization") == "" {
		t.Errorf("authenticated body kept %d bytes, truncated %v", len(last.Body), last.Truncated)
	}
	total := 0
	rec = s.Recorded()
	for i := range rec {
		total += rec[i].size()
	}
	if total > 300<<10 || len(rec) < 2 {
		t.Errorf("log holds %d requests, %d bytes; MaxRecordedBytes is %d", len(rec), total, 300<<10)
	}
}

// TestHeapBoundedUnderLargeBodies: 200 unauthenticated 4 MiB POSTs (and 40
// authenticated ones, and 40 to the token endpoint) leave the server's heap
// less than 64 MB above where it started. It measures retained memory after
// a GC, not time.
func TestHeapBoundedUnderLargeBodies(t *testing.T) {
	if testing.Short() {
		t.Skip("sends about a gigabyte over loopback")
	}
	s := newTestServer(t, Options{Users: 10})
	c := newGraphClient(t, s)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	body := bytes.Repeat([]byte("z"), 4<<20)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	post := func(auth string) {
		u := s.GraphURL + "/users"
		if auth == "token" { // the identity listener's token endpoint reads every body it gets
			u, auth = s.TokenEndpoint(), ""
		}
		req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Padding", strings.Repeat("p", 4<<10))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := client.Do(req)
		if err != nil {
			return // the server may close the connection before reading an unauthenticated body
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	before := heap()
	for range 200 {
		post("")
	}
	for range 40 {
		post("Bearer " + c.token)
		post("token")
	}
	tr.CloseIdleConnections()
	after := heap()
	if s.Requests(OpCreateUser) != 240 || s.TokenRequests() != 41 {
		t.Errorf("%d requests counted", s.Requests(OpCreateUser))
	}
	grew := int64(after) - int64(before)
	t.Logf("heap %d MB -> %d MB (%+d KB)", before>>20, after>>20, grew>>10)
	if grew > 64<<20 {
		t.Errorf("heap grew by %d MB", grew>>20)
	}
	runtime.KeepAlive(s)
}

// TestDirectoryBounds: creates beyond Options.MaxObjects get Graph's 400
// Directory_QuotaExceeded; an object beyond Options.MaxObjectBytes, created
// or grown by a PATCH, gets 413.
func TestDirectoryBounds(t *testing.T) {
	s := newTestServer(t, Options{Users: 2, Groups: 1, MaxObjects: 4, MaxObjectBytes: 2048})
	c := newGraphClient(t, s)
	user := func(nick, extra string) string {
		return `{"accountEnabled":true,"displayName":"` + nick + `","mailNickname":"` + nick +
			`","userPrincipalName":"` + nick + `@contoso.example","passwordProfile":{"password":"x-1-Y"}` + extra + `}`
	}
	if r := c.call("POST", "/users", user("big", `,"aboutMe":"`+strings.Repeat("a", 4096)+`"`)); r.status != 413 {
		t.Errorf("oversized create: %d %s", r.status, r.body)
	}
	if r := c.call("POST", "/users", user("fourth", "")); r.status != 201 {
		t.Fatalf("fourth object: %d %s", r.status, r.body)
	}
	r := c.call("POST", "/users", user("fifth", ""))
	if code, _ := graphErr(t, r); r.status != 400 || code != "Directory_QuotaExceeded" {
		t.Errorf("fifth user: %d %s", r.status, code)
	}
	r = c.call("POST", "/groups", `{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`)
	if code, _ := graphErr(t, r); r.status != 400 || code != "Directory_QuotaExceeded" {
		t.Errorf("group in a full directory: %d %s", r.status, code)
	}
	r = c.call("PATCH", "/users/fourth@contoso.example", `{"aboutMe":"`+strings.Repeat("a", 4096)+`"}`)
	if code, _ := graphErr(t, r); r.status != 413 || code != "Request_EntityTooLarge" {
		t.Errorf("oversized update: %d %s", r.status, code)
	}
	g := s.dir.groups[0].id
	if r := c.call("PATCH", "/groups/"+g, `{"description":"`+strings.Repeat("d", 4096)+`"}`); r.status != 413 {
		t.Errorf("oversized group update: %d", r.status)
	}
	if r := c.call("DELETE", "/users/fourth@contoso.example", ""); r.status != 204 {
		t.Fatal(r.status)
	}
	if r := c.call("POST", "/users", user("fifth", "")); r.status != 201 {
		t.Errorf("after a delete: %d %s", r.status, r.body)
	}
}

// TestListenerTimeouts: both listeners bound how long a client may take to
// send a request, and its headers' size, so slow clients cannot pin
// connections and their buffers.
func TestListenerTimeouts(t *testing.T) {
	s := newTestServer(t, Options{})
	for name, srv := range map[string]*http.Server{"identity": s.identity.Config, "graph": s.graph.Config} {
		if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
			t.Errorf("%s listener: read header %v, read %v, idle %v, max header %d", name,
				srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
		}
	}
}
