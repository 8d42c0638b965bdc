package graph

// This file is the one paging implementation: every collection iterator follows @odata.nextLink
// through pages, and every page is fetched and decoded by getJSON.

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"mime"
	"net/http"
	"strings"
)

// pages iterates the items of a paged collection, starting with first. P is the page type, and split
// returns a page's items and its @odata.nextLink.
func pages[P, T any](ctx context.Context, c *Client, first *http.Request, split func(*P) ([]T, Nullable[string])) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if ctx == nil {
			yield(zero, errNilContext)
			return
		}
		consistency := canonicalGet(first.Header, consistencyLevelKey)
		req := first.WithContext(ctx)
		for {
			page, err := getJSON[P](ctx, c, req)
			if err != nil {
				yield(zero, err)
				return
			}
			items, next := split(page)
			for i := range items {
				if !yield(items[i], nil) {
					return
				}
			}
			// IsSpecified and IsNull, not Get: Get allocates an error for the absent link of the last page.
			if !next.IsSpecified() || next.IsNull() {
				return
			}
			link := next.MustGet()
			if link == "" {
				return
			}
			u, err := c.nextLink(link)
			if err != nil {
				yield(zero, err)
				return
			}
			req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				yield(zero, err)
				return
			}
			if consistency != "" {
				req.Header.Set(consistencyLevelKey, consistency)
			}
		}
	}
}

// getJSON sends req and decodes a JSON body into a new P.
func getJSON[P any](ctx context.Context, c *Client, req *http.Request) (*P, error) {
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	defer func() {
		drain(resp.Body, resp.ContentLength)
		resp.Body.Close()
	}()
	if !isJSON(canonicalGet(resp.Header, "Content-Type")) {
		return nil, unexpected(resp, "the body is not JSON")
	}
	p := new(P)
	if err := json.NewDecoder(resp.Body).Decode(p); err != nil {
		return nil, bodyError(resp, err)
	}
	return p, nil
}

func unexpected(resp *http.Response, reason string) *UnexpectedResponseError {
	return &UnexpectedResponseError{
		StatusCode:  resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		RequestID:   resp.Header.Get("request-id"),
		Reason:      reason,
	}
}

// isJSON reports whether a Content-Type names JSON. Only the media type decides; its parameters
// (Graph sends four: odata.metadata, odata.streaming, IEEE754Compatible, charset) are not parsed, since
// mime.ParseMediaType builds a map of them (and lower-cases their names), allocations on every page
// for nothing.
func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(mt)
	if strings.EqualFold(mt, "application/json") {
		return true
	}
	// Rarer JSON types (application/problem+json, ...): let mime validate the media type alone.
	m, _, err := mime.ParseMediaType(mt)
	return err == nil && strings.HasSuffix(m, "+json")
}

// nextLink checks that link stays under the client's base URL (same scheme, host and base path) and
// returns it resolved.
func (c *Client) nextLink(link string) (string, error) {
	u, err := c.base.Parse(link)
	if err != nil {
		return "", ErrForeignNextLink
	}
	if !strings.EqualFold(u.Scheme, c.base.Scheme) || !strings.EqualFold(u.Host, c.base.Host) ||
		u.User != nil || !strings.HasPrefix(u.Path, c.base.Path) {
		return "", ErrForeignNextLink
	}
	return u.String(), nil
}

// canonicalGet is h.Get(key) for a key already in canonical form, which Get would check again on every
// call.
func canonicalGet(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// consistencyLevelKey is ConsistencyLevel in net/http's canonical form, which Header.Get and Set
// would otherwise compute, with an allocation, on every call.
var consistencyLevelKey = http.CanonicalHeaderKey("ConsistencyLevel")

// drain discards what is left of a body, up to 4 KB, so its connection can be reused. It takes the
// doer's answer: a body of known length (contentLength >= 0) whose whole length is under 4 KB is read to
// its end directly, and our capped body through its own limit lowered to 4 KB, since io.CopyN would
// allocate an io.LimitedReader on every page.
func drain(r io.Reader, contentLength int64) {
	if b, ok := r.(*cappedBody); ok {
		b.left = min(b.left, 4<<10)
		_, _ = io.Copy(io.Discard, b)
		return
	}
	if contentLength >= 0 && contentLength <= 4<<10 {
		_, _ = io.Copy(io.Discard, r)
		return
	}
	_, _ = io.CopyN(io.Discard, r, 4<<10)
}
