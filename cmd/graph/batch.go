package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/typedgraph/graph"
)

const batchHelp = `NAME
    graph batch - send many requests in JSON batches, 20 per round trip

SYNOPSIS
    graph batch --input FILE|- [--json[=false]]

DESCRIPTION
    graph batch reads requests as JSON lines, one object per line, from FILE or from standard input
    with --input -, and sends them with Graph's JSON batching (POST /$batch, 20 requests each, up
    to --max-concurrent batches at a time). Each line is

        {"method": "GET", "url": "/users/ID"}
        {"method": "PATCH", "url": "/users/ID", "body": {"jobTitle": "Engineer"}}
        {"id": "b", "method": "GET", "url": "/users/ID", "dependsOn": ["a"]}

    url is relative to the version (/users/...), or a full URL under the base URL. body, when
    present, is a JSON value sent with Content-Type: application/json unless headers says
    otherwise. id defaults to the line's number among the requests (1, 2, ...); dependsOn names
    the request that must succeed first, as Graph's batching does (a chain of at most 20, each
    request depending on at most one). Blank lines are skipped.

    A request that Graph throttles is sent again after its own Retry-After, as single calls are.
    Nothing is sent when a line is malformed or Graph would refuse the batch (duplicate ids, a
    chain longer than 20, a cycle).

    Output is one line per request, in input order: as JSON, {"id", "status", "headers", "body"}
    with Graph's body as it sent it; as a table, the id, the status and the body or the error.

EXIT STATUS
    0 when every request succeeded (2xx), 1 when some failed (the count is said on standard
    error) or a batch failed as a whole, 2 for malformed input.
`

// maxBatchInput caps the --input of graph batch.
const maxBatchInput = 64 << 20

// maxBatchLine caps one line of it: Graph refuses a batch over 4 MB anyway.
const maxBatchLine = 4 << 20

// batchLine is one line of graph batch's input.
type batchLine struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`
}

// batchOutput is one line of graph batch's JSON output.
type batchOutput struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
	// Error is set for a request that got no answer of its own (its batch failed as a whole).
	Error string `json:"error,omitempty"`
}

// batchCmd implements "graph batch".
func (c *cli) batchCmd(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph batch"
	fs := newFlagSet(cmd)
	g.register(fs)
	input := fs.String("input", "", "read the requests as JSON lines from `FILE`, or from standard input with -")
	maxConcurrent := fs.Int("max-concurrent", 4, "send at most `N` batches at a time")
	if _, err := c.ids(fs, cmd, args, batchHelp); err != nil {
		return inputHint(err)
	}
	if *maxConcurrent < 1 {
		return usagef(cmd, "--max-concurrent must be at least 1")
	}
	lines, err := c.readBatchInput(*input, cmd)
	if err != nil {
		return err
	}
	ctx, cancel := c.withTimeout(ctx, g.conn.timeout)
	defer cancel()
	t, err := c.connect(&g.conn, cmd)
	if err != nil {
		return err
	}
	defer t.close()
	cfg := t.graph
	cfg.MaxConcurrentRequests = *maxConcurrent
	client, err := graph.NewClient(cfg)
	if err != nil {
		return err
	}
	reqs := make([]graph.BatchRequest, len(lines))
	for i, l := range lines {
		if reqs[i], err = l.request(client.BaseURL()); err != nil {
			return usagef(cmd, "--input: request %d: %v", i+1, err)
		}
	}
	resps, batchErr := client.Batch(ctx, reqs)
	var invalid *graph.InvalidBatchError
	if errors.As(batchErr, &invalid) {
		return usagef(cmd, "--input: %s", strings.TrimPrefix(batchErr.Error(), "graph: "))
	}
	if resps == nil || c.interrupted() {
		return batchErr
	}
	asJSON := c.wantJSON(g.json)
	out := newListPrinter(c.stdout, asJSON, []string{"id", "status", "result"})
	out.width = c.tableWidth()
	failed := 0
	for _, r := range resps {
		if c.interrupted() {
			return c.stop.Err()
		}
		if r.Err != nil {
			failed++
		}
		line := outputOf(r)
		if asJSON {
			err = out.item(line)
		} else {
			err = out.item(map[string]any{"id": line.ID, "status": line.Status, "result": resultCell(r)})
		}
		if err != nil {
			return err
		}
	}
	if err := out.flush(); err != nil {
		return err
	}
	if batchErr != nil {
		return batchErr
	}
	if failed > 0 {
		return fmt.Errorf("graph: %d of %s failed", failed, counted(len(resps), "requests"))
	}
	return nil
}

// readBatchInput reads and checks the JSON lines of --input.
func (c *cli) readBatchInput(path, cmd string) ([]batchLine, error) {
	if path == "" {
		return nil, usagef(cmd, "missing --input FILE (or --input - for standard input)")
	}
	var r io.Reader = c.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef(cmd, "--input: %v", err)
		}
		defer f.Close()
		r = f
	}
	lines, err := parseBatchLines(io.LimitReader(r, maxBatchInput+1))
	if err != nil {
		return nil, usagef(cmd, "--input: %v", err)
	}
	if len(lines) == 0 {
		return nil, usagef(cmd, "--input: no requests")
	}
	return lines, nil
}

// parseBatchLines parses JSON lines of requests strictly: unknown fields, a missing method or url and
// anything after the object on a line are errors naming the line.
func parseBatchLines(r io.Reader) ([]batchLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxBatchLine)
	var lines []batchLine
	total := 0
	for n := 1; sc.Scan(); n++ {
		total += len(sc.Bytes()) + 1
		if total > maxBatchInput {
			return nil, fmt.Errorf("the input is larger than %d bytes", maxBatchInput)
		}
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var l batchLine
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, jsonError(err))
		}
		if dec.More() {
			return nil, fmt.Errorf("line %d: more than one JSON object", n)
		}
		switch {
		case l.Method == "":
			return nil, fmt.Errorf("line %d: missing method", n)
		case l.URL == "":
			return nil, fmt.Errorf("line %d: missing url", n)
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("a line is longer than %d bytes", maxBatchLine)
		}
		return nil, err
	}
	return lines, nil
}

// request builds the line's request, relative to base (the client's base URL) unless its url is
// absolute.
func (l batchLine) request(base string) (graph.BatchRequest, error) {
	u := l.URL
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		u = base + strings.TrimPrefix(u, "/")
	}
	var body io.Reader
	if b := bytes.TrimSpace(l.Body); len(b) > 0 && !bytes.Equal(b, []byte("null")) {
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(strings.ToUpper(l.Method), u, body)
	if err != nil {
		return graph.BatchRequest{}, err
	}
	for k, v := range l.Headers {
		req.Header.Set(k, v)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return graph.BatchRequest{ID: l.ID, Request: req, DependsOn: l.DependsOn}, nil
}

// outputOf is the JSON line of a response: Graph's body as JSON when it is JSON, else as a string.
func outputOf(r graph.BatchResponse) batchOutput {
	o := batchOutput{ID: r.ID, Status: r.StatusCode}
	for k, vs := range r.Header {
		if o.Headers == nil {
			o.Headers = make(map[string]string, len(r.Header))
		}
		o.Headers[k] = strings.Join(vs, ", ")
	}
	switch {
	case len(r.Body) == 0:
	case json.Valid(r.Body):
		o.Body = r.Body
	default:
		o.Body, _ = json.Marshal(string(r.Body))
	}
	if r.StatusCode == 0 && r.Err != nil {
		o.Error = strings.TrimPrefix(r.Err.Error(), "graph: ")
	}
	return o
}

// resultCell is the table's summary of a response: Graph's error code and message (the status has a
// column of its own, and the JSON output keeps the request-id), or the body in one line without its
// OData annotations.
func resultCell(r graph.BatchResponse) string {
	var gerr *graph.Error
	switch {
	case errors.As(r.Err, &gerr):
		if gerr.Code == "" {
			return gerr.Message
		}
		return gerr.Code + ": " + gerr.Message
	case r.Err != nil:
		return strings.TrimPrefix(r.Err.Error(), "graph: ")
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(r.Body, &m) == nil && m != nil {
		for k := range m {
			if strings.HasPrefix(k, "@odata.") {
				delete(m, k)
			}
		}
		if b, err := json.Marshal(m); err == nil {
			return string(b)
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, r.Body) == nil {
		return buf.String()
	}
	return string(r.Body)
}
