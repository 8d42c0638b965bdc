package graphtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// newTestServer starts a Server closed at the end of the test.
func newTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// do sends a request with plain net/http.
func do(t testing.TB, method, u string, header map[string]string, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

// fetchToken gets a Graph token from s's token endpoint with the secret.
func fetchToken(t testing.TB, s *Server) string {
	t.Helper()
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {s.ClientID},
		"client_secret": {s.ClientSecret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
	r := do(t, http.MethodPost, s.TokenEndpoint(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form.Encode())
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	return r.json(t)["access_token"].(string)
}

// graphClient sends authenticated Graph requests.
type graphClient struct {
	t     testing.TB
	s     *Server
	token string
}

func newGraphClient(t testing.TB, s *Server) *graphClient {
	return &graphClient{t: t, s: s, token: fetchToken(t, s)}
}

// call sends method to path (relative to GraphURL, or absolute) with extra
// headers given as "Name: value" strings.
func (c *graphClient) call(method, path, body string, headers ...string) response {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = c.s.GraphURL + path
	}
	h := map[string]string{"Authorization": "Bearer " + c.token}
	if body != "" {
		h["Content-Type"] = "application/json"
	}
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ":")
		h[k] = strings.TrimSpace(v)
	}
	return do(c.t, method, u, h, body)
}

func (c *graphClient) get(path string, headers ...string) response {
	c.t.Helper()
	return c.call(http.MethodGet, path, "", headers...)
}

// graphErr decodes an ODataError body, failing the test if it is not one.
func graphErr(t testing.TB, r response) (code, message string) {
	t.Helper()
	var e struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				Date            string `json:"date"`
				RequestID       string `json:"request-id"`
				ClientRequestID string `json:"client-request-id"`
			} `json:"innerError"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("not an ODataError: %v: %s", err, r.body)
	}
	if e.Error.InnerError.RequestID == "" || e.Error.InnerError.RequestID != r.header.Get("request-id") {
		t.Errorf("innerError.request-id %q, header %q", e.Error.InnerError.RequestID, r.header.Get("request-id"))
	}
	if e.Error.InnerError.ClientRequestID != r.header.Get("client-request-id") {
		t.Errorf("innerError.client-request-id %q, header %q", e.Error.InnerError.ClientRequestID, r.header.Get("client-request-id"))
	}
	if _, err := time.Parse("2006-01-02T15:04:05", e.Error.InnerError.Date); err != nil {
		t.Errorf("innerError.date %q is not an offset-less timestamp: %v", e.Error.InnerError.Date, err)
	}
	return e.Error.Code, e.Error.Message
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// values returns the "value" array of a collection response.
func values(t testing.TB, r response) []map[string]any {
	t.Helper()
	var body struct {
		Value []map[string]any `json:"value"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("not a collection: %v: %s", err, r.body)
	}
	return body.Value
}
