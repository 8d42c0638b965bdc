package graph

// This file is JSON batching: many requests sent in $batch round trips of at most 20, each item
// retried and typed on its own. The wire format is in batchwire.go; the outer POSTs go through the
// client's doer like any call (token, 401 replay, outer retries, MaxConcurrentRequests).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/typedgraph/graph/internal/redact"
)

// BatchRequest is one request of Client.Batch. Build Request exactly as for a single call, with the
// generated request builders (gen.NewGetUserRequest(client.BaseURL(), id, nil) and the like) or with
// net/http; its URL must be under the client's base URL, or relative to it ("/users/x"). Its context
// is not used: Batch's governs every request.
type BatchRequest struct {
	// ID names the request within the call; the response carries it. IDs are compared
	// case-insensitively, as Graph does, and must be unique. Empty means the request's 1-based
	// position in the call ("1", "2", ...).
	ID string
	// Request is the request to send. Its headers travel with it, except those the batch itself
	// carries (Authorization, User-Agent, Content-Length, client-request-id). A body needs a
	// Content-Type; a JSON body is sent as JSON, any other base64-encoded.
	Request *http.Request
	// DependsOn names the request that must succeed before this one runs; Graph answers this one 424
	// when it fails. Requests linked this way form a chain that is sent in one $batch, in order, so
	// a chain holds at most 20 requests and each request depends on at most one other and is
	// depended on by at most one other: Graph runs a batch either fully in sequence or fully in
	// parallel.
	DependsOn []string
}

// BatchResponse is the answer to one BatchRequest.
type BatchResponse struct {
	ID         string      // the request's ID
	StatusCode int         // Graph's status for the request; 0 when it got no answer
	Header     http.Header // the headers Graph sent for the request
	// Body is the body as a single call would have read it: JSON as sent; a non-JSON body decoded
	// from the base64 Graph wraps it in. Nil when Graph sent none.
	Body []byte
	// Err is nil for a 2xx answer. Otherwise it is an *Error with Graph's code, message and
	// request-id (a 424 FailedDependency for a request whose dependency failed), or, for a request
	// that got no answer of its own, the error that ended its $batch or the call.
	Err error
	// Attempts is how many times the request was sent, retries included.
	Attempts int
}

// Decode decodes a batch response's JSON body into a T: graph.Decode[graph.User](resp) for a
// batched getUser. It returns resp.Err for a failed request, and an *UnexpectedResponseError for a
// body that is missing or not JSON.
func Decode[T any](resp BatchResponse) (T, error) {
	var v T
	if resp.Err != nil {
		return v, resp.Err
	}
	if ct := resp.Header.Get("Content-Type"); len(resp.Body) == 0 || ct != "" && !isJSON(ct) {
		return v, resp.unexpected("the body is not JSON")
	}
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		e := resp.unexpected("malformed JSON: " + err.Error())
		e.Err = err
		return v, e
	}
	return v, nil
}

func (r BatchResponse) unexpected(reason string) *UnexpectedResponseError {
	return &UnexpectedResponseError{StatusCode: r.StatusCode, ContentType: r.Header.Get("Content-Type"),
		RequestID: r.Header.Get("request-id"), Reason: reason}
}

// InvalidBatchError reports requests that Client.Batch refuses before sending anything, because Graph
// would refuse them: duplicate ids, a dependency that is unknown or forms a cycle, a chain longer than
// 20 requests or 4 MB, a request depended on by two others or depending on two (mixed sequential and parallel), or a
// request that cannot be put in a batch.
type InvalidBatchError struct {
	ID     string // the request at fault
	Reason string
}

// Error reads like `graph: batch request "7": duplicate id (ids are compared ignoring case)`.
func (e *InvalidBatchError) Error() string {
	return "graph: batch request " + strconv.Quote(e.ID) + ": " + e.Reason
}

// defaultBatchParallelism bounds the $batch requests in flight when Config.MaxConcurrentRequests does
// not.
const defaultBatchParallelism = 4

// Batch sends reqs in $batch requests of at most 20 and returns their responses in the order of
// reqs. Independent requests are packed 20 to a $batch (fewer when their bodies would take it past
// Graph's 4 MB) and the $batches sent in parallel, as many at a time as
// Config.MaxConcurrentRequests allows (4 when it is not set); a chain of DependsOn is sent alone in
// one $batch, in order.
//
// Each request is retried on its own: one answered 429 (or 503 or 504, for an idempotent method) is
// sent again in a later $batch after its own Retry-After, or a backoff, within the retry policy
// (Config.Retry or WithRetryPolicy) and ctx; the requests after it in its chain wait with it. When
// a request fails for good, the rest of its chain is not sent again and answers 424. The $batch
// requests themselves are sent like any call: a 401 refreshes the token once and replays, a 429 is
// retried, and so are a 503, a 504 and a transport error when every request in that $batch has an
// idempotent method (a POST or PATCH among them may already have been applied).
//
// Batch returns an *InvalidBatchError, and sends nothing, when Graph would refuse reqs. Otherwise it
// returns one response per request, and an error only when a $batch request failed as a whole (an
// *Error for Graph's answer, such as a 400 for a malformed batch) or ctx ended: the responses of
// requests left without an answer then carry that error in Err.
func (c *Client) Batch(ctx context.Context, reqs []BatchRequest) ([]BatchResponse, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	p, err := c.planBatch(reqs)
	if err != nil {
		return nil, err
	}
	return p.run(ctx)
}

// batchItem is the state of one request during Client.Batch. Only run's goroutine touches it.
type batchItem struct {
	wire    wireRequest // DependsOn is set per $batch
	path    string      // the request's path, as single calls' errors name it ("/v1.0/users/x")
	next    int         // the item depending on this one, -1 for none
	done    bool        // resp is final
	readyAt time.Duration
	retries int             // retries after this item's own failures (not after its dependency's)
	waited  time.Duration   // total of the waits for this item's own retries
	lag     *consistencyRun // the item's consistency state (consistency.go); nil until it first fails
	resp    BatchResponse
}

// batchPlan is a validated call: items in the caller's order, and units, each the first item of a
// chain (a lone request is a chain of one).
type batchPlan struct {
	c     *Client
	items []batchItem
	heads []int
}

// planBatch checks reqs as Graph would check a batch and turns them into items and chains.
func (c *Client) planBatch(reqs []BatchRequest) (*batchPlan, error) {
	p := &batchPlan{c: c, items: make([]batchItem, len(reqs))}
	index := make(map[string]int, len(reqs)) // lower-cased id -> position
	for i, r := range reqs {
		id := r.ID
		if id == "" {
			id = strconv.Itoa(i + 1)
		}
		key := strings.ToLower(id)
		if _, dup := index[key]; dup {
			return nil, &InvalidBatchError{ID: id, Reason: "duplicate id (ids are compared ignoring case)"}
		}
		index[key] = i
		if r.Request == nil {
			return nil, &InvalidBatchError{ID: id, Reason: "nil Request"}
		}
		w, err := toWire(id, r.Request, c.server)
		if err != nil {
			return nil, &InvalidBatchError{ID: id, Reason: err.Error()}
		}
		path := strings.TrimSuffix(c.base.EscapedPath(), "/") + pathOf(w.URL)
		p.items[i] = batchItem{wire: w, path: path, next: -1, resp: BatchResponse{ID: id}}
	}
	prev := make([]int, len(reqs))
	for i, r := range reqs {
		prev[i] = -1
		id := p.items[i].wire.ID
		switch {
		case len(r.DependsOn) > 1:
			return nil, &InvalidBatchError{ID: id, Reason: "depends on more than one request: Graph runs a batch either fully in sequence or fully in parallel"}
		case len(r.DependsOn) == 0:
			continue
		}
		j, ok := index[strings.ToLower(r.DependsOn[0])]
		switch {
		case !ok:
			return nil, &InvalidBatchError{ID: id, Reason: "depends on unknown id " + strconv.Quote(r.DependsOn[0])}
		case j == i:
			return nil, &InvalidBatchError{ID: id, Reason: "depends on itself"}
		case p.items[j].next >= 0:
			return nil, &InvalidBatchError{ID: id, Reason: "shares its dependency " + strconv.Quote(p.items[j].wire.ID) + " with " +
				strconv.Quote(p.items[p.items[j].next].wire.ID) + ": Graph runs a batch either fully in sequence or fully in parallel"}
		}
		prev[i] = j
		p.items[j].next = i
	}
	seen := 0
	for i := range p.items {
		if prev[i] >= 0 {
			continue
		}
		n := 0
		for k := i; k >= 0; k = p.items[k].next {
			n++
		}
		if n > maxBatchSize {
			return nil, &InvalidBatchError{ID: p.items[i].wire.ID, Reason: fmt.Sprintf("starts a chain of %d requests; a batch holds at most %d", n, maxBatchSize)}
		}
		if size := p.chainSize(i); size > maxBatchBytes {
			return nil, &InvalidBatchError{ID: p.items[i].wire.ID, Reason: fmt.Sprintf("starts a chain of about %d bytes; a batch holds at most %d", size, maxBatchBytes)}
		}
		seen += n
		p.heads = append(p.heads, i)
	}
	if seen < len(p.items) {
		// Every item with a dependency but not reached from a chain's head lies on a cycle.
		reached := make([]bool, len(p.items))
		for _, h := range p.heads {
			for k := h; k >= 0; k = p.items[k].next {
				reached[k] = true
			}
		}
		for i := range p.items {
			if !reached[i] {
				return nil, &InvalidBatchError{ID: p.items[i].wire.ID, Reason: "its dependencies form a cycle"}
			}
		}
	}
	return p, nil
}

// chainSize estimates the bytes the chain starting at h takes in a $batch.
func (p *batchPlan) chainSize(h int) int {
	n := 0
	for k := h; k >= 0; k = p.items[k].next {
		n += p.items[k].wire.size()
	}
	return n
}

// outcome is what one $batch request brought back for its items.
type outcome struct {
	items     []int // positions of the items sent, chain order for a chain
	responses []wireResponse
	err       error  // the $batch request failed as a whole
	secret    string // the token the $batch carried, redacted from the items' errors and log lines
}

// run sends the plan's items until each has a final response. Rounds: send every ready chain (packing
// lone requests 20 to a $batch), wait for all, then settle each item; when nothing is ready, sleep
// until the earliest retry is due. Time is counted in the waits run itself makes (vt), so that a
// retry never goes out before its Retry-After has passed since its answer arrived; the time a round
// takes is not counted, which can only lengthen a wait, by at most that round.
func (p *batchPlan) run(ctx context.Context) ([]BatchResponse, error) {
	d := p.c.doer
	policy := d.policy(ctx)
	parallel := defaultBatchParallelism
	if d.slots != nil {
		parallel = cap(d.slots)
	}
	var vt time.Duration // time waited so far by this call
	var failure error    // the first $batch failure
	pending := append([]int(nil), p.heads...)
	for len(pending) > 0 {
		var ready, later []int
		due := time.Duration(-1)
		for _, h := range pending {
			if it := &p.items[h]; it.readyAt <= vt {
				ready = append(ready, h)
			} else {
				later = append(later, h)
				if due < 0 || it.readyAt < due {
					due = it.readyAt
				}
			}
		}
		if len(ready) == 0 {
			if err := d.sleep(ctx, due-vt); err != nil {
				p.abandon(pending, err)
				return p.responses(), errors.Join(failure, fmt.Errorf("graph: batch: stopped waiting to retry: %w", err))
			}
			vt = due
			continue
		}
		outcomes := p.sendRound(ctx, pack(p.items, ready), parallel)
		pending = later
		for _, o := range outcomes {
			if o.err != nil {
				if failure == nil {
					failure = o.err
				}
				p.fail(o.items, o.err)
				continue
			}
			pending = append(pending, p.settle(ctx, o, policy, vt)...)
		}
		if err := ctx.Err(); err != nil {
			p.abandon(pending, err)
			return p.responses(), errors.Join(failure, fmt.Errorf("graph: batch: %w", err))
		}
	}
	return p.responses(), failure
}

// pack groups the ready chains into $batches: each chain of two or more alone, lone requests twenty
// to a $batch, or fewer when their bodies would take the $batch past Graph's 4 MB.
func pack(items []batchItem, ready []int) [][]int {
	var out [][]int
	var lone []int
	size := 0 // of lone
	for _, h := range ready {
		if items[h].next < 0 {
			n := items[h].wire.size()
			if len(lone) > 0 && size+n > maxBatchBytes {
				out = append(out, lone)
				lone, size = nil, 0
			}
			lone = append(lone, h)
			size += n
			if len(lone) == maxBatchSize {
				out = append(out, lone)
				lone, size = nil, 0
			}
			continue
		}
		var chain []int
		for k := h; k >= 0; k = items[k].next {
			chain = append(chain, k)
		}
		out = append(out, chain)
	}
	if len(lone) > 0 {
		out = append(out, lone)
	}
	return out
}

// sendRound sends the $batches, at most parallel at a time, and returns what each brought back.
func (p *batchPlan) sendRound(ctx context.Context, batches [][]int, parallel int) []outcome {
	out := make([]outcome, len(batches)) // each goroutine writes only its own entry
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, b := range batches {
		for _, k := range b {
			p.items[k].resp.Attempts++
		}
		wires := make([]wireRequest, len(b))
		for j, k := range b {
			wires[j] = p.items[k].wire
			wires[j].DependsOn = nil
			if j > 0 && p.items[b[j-1]].next == k {
				wires[j].DependsOn = []string{p.items[b[j-1]].wire.ID}
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			out[i] = outcome{items: b, err: ctx.Err()}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			responses, secret, err := p.c.sendBatch(ctx, wires)
			out[i] = outcome{items: b, responses: responses, err: err, secret: secret}
		}()
	}
	wg.Wait()
	return out
}

// sendBatch POSTs one $batch and reads its answer. It also returns the token the $batch carried (as
// redact.Secret gives it), for the items' errors to redact.
func (c *Client) sendBatch(ctx context.Context, wires []wireRequest) ([]wireResponse, string, error) {
	body, err := batchBody(wires)
	if err != nil {
		return nil, "", err
	}
	if allIdempotent(wires) {
		// Graph answering the whole $batch 503 or 504 may have run some of its requests; sending
		// idempotent ones again is safe, so the $batch goes again as a GET would.
		ctx = context.WithValue(ctx, replaySafeKey{}, true)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.server+"$batch", bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	secret := redact.Secret(req.Header.Get("Authorization"))
	if !isJSON(canonicalGet(resp.Header, "Content-Type")) {
		return nil, secret, unexpected(resp, "the body is not JSON")
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, secret, bodyError(resp, err) // ctx's error, ErrBodyTooLarge or an *UnexpectedResponseError
	}
	responses, err := parseBatchResponse(data)
	if err != nil {
		e := unexpected(resp, "malformed $batch answer: "+err.Error())
		e.Err = err
		return nil, secret, e
	}
	return responses, secret, nil
}

// allIdempotent reports whether every request of a $batch has an idempotent method.
func allIdempotent(wires []wireRequest) bool {
	for i := range wires {
		if !idempotent(wires[i].Method) {
			return false
		}
	}
	return true
}

// settle records what one $batch brought back. It returns the items to send again: each is to be
// retried, with the rest of its chain.
func (p *batchPlan) settle(ctx context.Context, o outcome, policy RetryPolicy, vt time.Duration) (again []int) {
	byID := make(map[string]*wireResponse, len(o.responses))
	for i := range o.responses {
		key := strings.ToLower(o.responses[i].ID)
		if _, dup := byID[key]; !dup {
			byID[key] = &o.responses[i]
		}
	}
	chain := len(o.items) > 1 && p.items[o.items[0]].next == o.items[1]
	for n, k := range o.items {
		it := &p.items[k]
		w := byID[strings.ToLower(it.wire.ID)]
		if w == nil {
			it.resp.Err = &UnexpectedResponseError{StatusCode: http.StatusOK, Reason: "the $batch answer has no response for this request"}
			it.done = true
			if chain {
				p.failRest(o.items[n+1:], byID, o.secret)
				return nil
			}
			continue
		}
		h := w.header()
		it.resp.StatusCode, it.resp.Header, it.resp.Body = w.Status, h, w.body(h)
		if w.Status >= 200 && w.Status <= 299 {
			it.resp.Err = nil
			it.done = true
			continue
		}
		gerr := parseError(w.Status, h, it.resp.Body, o.secret)
		gerr.Method, gerr.Path, gerr.Attempts = it.wire.Method, it.path, it.resp.Attempts
		it.resp.Err = gerr
		if retryableStatus(w.Status, idempotent(it.wire.Method)) && it.retries < policy.MaxRetries {
			if delay, ok := policy.retryDelay(h, it.retries+1, it.waited); ok {
				p.logThrottled(ctx, it, delay, h, o.secret)
				it.retries++
				it.waited += delay
				it.readyAt = vt + delay
				again = append(again, k)
				if chain {
					return again // the rest of the chain goes again with it
				}
				continue
			}
		}
		// An answer that means "not replicated yet" (a 424 included) goes again within the
		// consistency policy's window, when the call has one, as a single call's would.
		if it.lag == nil {
			it.lag = startConsistency(ctx, p.c.doer.consistency)
		}
		if it.lag != nil {
			wait, retry, err := it.lag.next(ctx, p.c.doer.logger, gerr, it.retries > 0)
			if retry {
				it.readyAt = vt + wait
				again = append(again, k)
				if chain {
					return again
				}
				continue
			}
			it.resp.Err = err
		}
		it.done = true
		if chain {
			p.failRest(o.items[n+1:], byID, o.secret)
			return nil
		}
	}
	return again
}

// logThrottled warns, as single calls do, that Graph throttled a request of the batch.
func (p *batchPlan) logThrottled(ctx context.Context, it *batchItem, delay time.Duration, h http.Header, secret string) {
	logger := p.c.doer.logger
	if logger == nil || it.resp.StatusCode != http.StatusTooManyRequests {
		return
	}
	logger.LogAttrs(ctx, slog.LevelWarn, "graph: throttled",
		slog.String("method", it.wire.Method), slog.String("path", it.path), slog.String("batch_id", it.wire.ID),
		slog.Duration("retry_after", delay), slog.Int("attempt", it.resp.Attempts),
		slog.String("request_id", redact.Line(h.Get("request-id"), maxIDLen, secret)))
}

// fail ends items that a $batch request failing as a whole left without an answer.
func (p *batchPlan) fail(items []int, err error) {
	for _, k := range items {
		it := &p.items[k]
		it.done = true
		it.resp.StatusCode, it.resp.Header, it.resp.Body, it.resp.Err = 0, nil, nil, err
	}
}

// failRest gives the items after a chain's failed item their final answer: Graph's 424 when it sent
// one, else a 424 of our own, since they will not be sent.
func (p *batchPlan) failRest(rest []int, byID map[string]*wireResponse, secret string) {
	for _, k := range rest {
		it := &p.items[k]
		it.done = true
		if w := byID[strings.ToLower(it.wire.ID)]; w != nil && w.Status == http.StatusFailedDependency {
			h := w.header()
			it.resp.StatusCode, it.resp.Header, it.resp.Body = w.Status, h, w.body(h)
		} else {
			it.resp.StatusCode, it.resp.Header, it.resp.Body = http.StatusFailedDependency, http.Header{}, nil
		}
		it.resp.Err = &Error{StatusCode: http.StatusFailedDependency, Code: "FailedDependency",
			Message: "a request this one depends on failed", Method: it.wire.Method, Path: it.path, Attempts: it.resp.Attempts}
		if gerr := parseError(it.resp.StatusCode, it.resp.Header, it.resp.Body, secret); gerr.Code != "" {
			gerr.Method, gerr.Path, gerr.Attempts = it.wire.Method, it.path, it.resp.Attempts
			it.resp.Err = gerr
		}
	}
}

// abandon ends the chains starting at heads with err, keeping any answer an item already has as the
// cause (a 429 whose retry was waiting when ctx ended).
func (p *batchPlan) abandon(heads []int, err error) {
	for _, h := range heads {
		for k := h; k >= 0; k = p.items[k].next {
			it := &p.items[k]
			if it.done {
				continue
			}
			it.done = true
			if it.resp.Err != nil {
				it.resp.Err = fmt.Errorf("%w; stopped waiting to retry: %w", it.resp.Err, err)
			} else {
				it.resp.Err = err
			}
		}
	}
}

// responses returns the items' responses in the caller's order.
func (p *batchPlan) responses() []BatchResponse {
	out := make([]BatchResponse, len(p.items))
	for i := range p.items {
		out[i] = p.items[i].resp
	}
	return out
}

// pathOf returns the path of a batch entry's relative URL, for errors (the query may carry personal
// data in $filter).
func pathOf(rel string) string {
	path, _, _ := strings.Cut(rel, "?")
	return path
}
