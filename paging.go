package graph

// This file is the one paging implementation: every collection iterator (this package's, List's and
// those a user builds with Pages on a request of their own generated package) follows @odata.nextLink
// through pages, and every page is fetched and decoded by getPage (pagedecode.go).

import (
	"context"
	"hash/maphash"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/typedgraph/graph/internal/redact"
)

// Pages returns the items of the collection that first asks for, decoded into T, following
// @odata.nextLink across pages: the collection paging of any package oapi-codegen generated. Build
// first with that package's request builder and the client's BaseURL, e.g.
//
//	req, err := myapi.NewListApplicationsRequest(gc.BaseURL(), &myapi.ListApplicationsParams{Top: &n})
//	for app, err := range graph.Pages[myapi.MicrosoftGraphApplication](ctx, gc, req) { ... }
//
// T is the item type of the collection (the element of its response's Value), or json.RawMessage for
// each item's JSON as sent. Items are decoded one at a time as a page is read, so a page never becomes a
// slice of models. Each request carries the client's token and User-Agent and goes through its doer
// (retries, 401 recovery, typed errors, body caps). A ConsistencyLevel header on first is sent again
// with every page. Iteration stops at the first error, which is yielded once: *Error for an answer
// outside 2xx, *UnexpectedResponseError for a page that is not a collection, ErrForeignURL when first
// is not under the client's base URL, ErrForeignNextLink when a nextLink leaves it (before anything is
// sent there), ErrNextLinkCycle when a nextLink repeats a page. Pages sends nothing until iterated.
func Pages[T any](ctx context.Context, c *Client, first *http.Request) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if first == nil || first.URL == nil || !c.underBase(first.URL) {
			var zero T
			yield(zero, ErrForeignURL)
			return
		}
		pages[T](ctx, c, first)(yield)
	}
}

// underBase reports whether u, a request's URL as built, is under the client's base URL: same scheme,
// host and base path, no user info and no dot segment.
func (c *Client) underBase(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, c.base.Scheme) && strings.EqualFold(u.Host, c.base.Host) && u.User == nil &&
		!hasDotSegment(u.Path) && strings.HasPrefix(u.Path, c.base.Path)
}

// pages iterates the items of a paged collection, decoded into T, starting with first. Each page is
// read by getPage, which yields its items one at a time.
func pages[T any](ctx context.Context, c *Client, first *http.Request) iter.Seq2[T, error] {
	return pagesThen[T](ctx, c, first, nil)
}

// pagesThen is pages that also hands the @odata.deltaLink of the last page (the one without a
// nextLink; "" when it has none) to last, when not nil, once that page's items are yielded: a delta
// round ends there. last is not called when the iteration ends early or with an error.
func pagesThen[T any](ctx context.Context, c *Client, first *http.Request, last func(deltaLink string)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if ctx == nil {
			yield(zero, errNilContext)
			return
		}
		consistency := canonicalGet(first.Header, consistencyLevelKey)
		prefer := canonicalGet(first.Header, preferKey)
		req := first.WithContext(ctx)
		// followed holds a 64-bit hash of each page's URL, 8 bytes a page however long the links; a
		// false cycle would take a hash collision, odds about pages²/2⁶⁵.
		seed := maphash.MakeSeed()
		followed := map[uint64]struct{}{maphash.String(seed, first.URL.String()): {}}
		for {
			links, more, err := getPage(ctx, c, req, yield)
			if err != nil {
				yield(zero, err)
				return
			}
			if !more {
				return
			}
			if links.next == "" {
				if last != nil {
					last(links.delta)
				}
				return
			}
			u, err := c.nextLink(links.next)
			if err != nil {
				yield(zero, err)
				return
			}
			h := maphash.String(seed, u)
			if _, seen := followed[h]; seen {
				yield(zero, ErrNextLinkCycle)
				return
			}
			followed[h] = struct{}{}
			req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				yield(zero, err)
				return
			}
			if consistency != "" {
				req.Header.Set(consistencyLevelKey, consistency)
			}
			if prefer != "" {
				req.Header.Set(preferKey, prefer)
			}
		}
	}
}

func unexpected(resp *http.Response, reason string) *UnexpectedResponseError {
	var secret string
	if resp.Request != nil {
		secret = redact.Secret(resp.Request.Header.Get("Authorization"))
	}
	return &UnexpectedResponseError{
		StatusCode:  resp.StatusCode,
		ContentType: redact.Line(resp.Header.Get("Content-Type"), maxTargetLen, secret),
		RequestID:   redact.Line(resp.Header.Get("request-id"), maxIDLen, secret),
		Reason:      redact.Line(reason, maxMessageLen, secret),
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
//
// The base-path check runs on the path as a server will see it: u.Path is decoded, so an encoded dot
// segment (%2e%2e) or slash (%2f) is plain there, and a ".." that escapes the base path would take
// the request to another API (/v1.0/%2e%2e/beta/users). Such segments (and "\", which some servers
// read as "/") are resolved first, and a link that had any is sent in its resolved form, so what is
// sent is what was checked.
func (c *Client) nextLink(link string) (string, error) {
	u, err := c.base.Parse(link)
	if err != nil {
		return "", ErrForeignNextLink
	}
	if !strings.EqualFold(u.Scheme, c.base.Scheme) || !strings.EqualFold(u.Host, c.base.Host) || u.User != nil {
		return "", ErrForeignNextLink
	}
	if hasDotSegment(u.Path) {
		u.Path, u.RawPath = path.Clean("/"+strings.ReplaceAll(u.Path, `\`, "/")), ""
	}
	if !strings.HasPrefix(u.Path, c.base.Path) {
		return "", ErrForeignNextLink
	}
	return u.String(), nil
}

// hasDotSegment reports whether a decoded path has a "." or ".." segment, "\" counting as a separator.
func hasDotSegment(p string) bool {
	for seg := range strings.FieldsFuncSeq(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
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

// preferKey is Prefer, canonical already; like ConsistencyLevel it is carried to every page (a delta
// round's return=minimal and odata.maxpagesize).
const preferKey = "Prefer"

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
