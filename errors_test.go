package graph_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/typedgraph/graph"
)

// TestErrorRedactsEchoedToken: a Graph endpoint, or a proxy in front of it, that echoes the
// Authorization header into its error's fields must not put the token into the *Error, its %+v or
// the debug log (issue 16, point 2).
func TestErrorRedactsEchoedToken(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("request-id", auth)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"code":"BadRequest %[1]s","message":"header was %[1]s","target":"%[1]s",`+
			`"details":[{"code":"c %[1]s","message":"m %[1]s","target":"t %[1]s"}],`+
			`"innerError":{"request-id":"%[1]s","client-request-id":"%[1]s"}}}`, auth)
	})
	var log bytes.Buffer
	c, err := graph.NewClient(graph.Config{
		BaseURL: f.URL + "/v1.0", TokenSource: staticSource{},
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsersWithResponse(context.Background(), nil)
	var gerr *graph.Error
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusBadRequest {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(gerr.Message, "REDACTED") {
		t.Errorf("Message = %q, want the token replaced by REDACTED", gerr.Message)
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", gerr), fmt.Sprintf("%#v", gerr), log.String()} {
		if strings.Contains(s, testToken) {
			t.Errorf("the token leaks: %s", s)
		}
	}
}

// TestErrorSanitisesServerText: control characters (terminal escape sequences) and invalid UTF-8 in
// what Graph sends never reach an *Error's fields or its message (issue 16, point 10).
func TestErrorSanitisesServerText(t *testing.T) {
	const hostile = "\x1b]0;pwned\x07\x1b[2J\u009b31m\xff\u202e"
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("request-id", "rid\u009b31m\xff\u202e") // net/http refuses C0 controls in headers, not these
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"error":{"code":"NotFound%[1]s","message":"gone%[1]s","target":"t%[1]s","details":[{"code":"d%[1]s","message":"m%[1]s"}]}}`,
			strings.NewReplacer("\x1b", `\u001b`, "\x07", `\u0007`, "\u009b", `\u009b`, "\u202e", `\u202e`).Replace(hostile))
	})
	c := newTestClient(t, f.URL+"/v1.0")
	_, err := c.ListUsersWithResponse(context.Background(), nil)
	var gerr *graph.Error
	if !errors.As(err, &gerr) {
		t.Fatalf("err = %v", err)
	}
	fields := []string{err.Error(), gerr.Code, gerr.Message, gerr.Target, gerr.RequestID}
	for _, d := range gerr.Details {
		fields = append(fields, d.Code, d.Message)
	}
	for _, s := range fields {
		if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
			return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u202e'
		}) {
			t.Errorf("unsafe text survives: %q", s)
		}
	}
	if gerr.Code != "NotFound]0;pwned[2J31m\uFFFD" || gerr.RequestID != "rid31m\uFFFD" {
		t.Errorf("Code %q, RequestID %q: want the text kept without the control characters", gerr.Code, gerr.RequestID)
	}
}
