package graph

// This file holds the typed calls for paths nobody generated: Get, Post, Patch, Delete and List, generic
// over the result type, on the same doer (auth, retries, typed errors, body caps) as generated calls,
// and Path, which escapes the segments they take.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/typedgraph/graph/gen"
)

// Path joins segments into a path for Get, Post, Patch, Delete and List, escaping each one: "/", "?",
// "#" (as in a guest's "alice_contoso.com#EXT#@fabrikam.onmicrosoft.com"), "%", spaces and "'" are
// percent-encoded, so an id or a userPrincipalName is one segment as sent. A segment that is empty,
// "." or ".." is kept as is and refused by the call with a *PathParamError, sent nowhere.
//
//	graph.Path("users", upn, "memberOf") // "users/alice_contoso.com%23EXT%23@fabrikam.onmicrosoft.com/memberOf"
func Path(segments ...string) string {
	var b strings.Builder
	for i, s := range segments {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strings.ReplaceAll(url.PathEscape(s), "'", "%27"))
	}
	return b.String()
}

// Get sends GET path (relative to the client's base URL, built with Path; query adds query options
// such as $select, nil for none) and decodes the JSON answer into a T. T may be any type encoding/json
// decodes into: a generated model, a struct of your own with the properties you need, or
// json.RawMessage for the body as sent.
//
// The call costs what a generated one does: the body is read whole (capped at 64 MiB, ErrBodyTooLarge
// beyond) and decoded once, with the client's token, User-Agent, retries (429, 503, 504), 401 recovery
// and redirect protection. An answer outside 2xx is an error that errors.As turns into *Error (404
// included); a 2xx body that is not JSON, or not the JSON T takes, is an *UnexpectedResponseError;
// an empty 2xx body (204) leaves T zero. A path that is an absolute URL is sent only when it is under
// the client's base URL (an @odata.nextLink or @odata.id Graph returned, say), and is ErrForeignURL
// otherwise; a segment that is empty, "." or ".." is a *PathParamError. Neither sends anything.
func Get[T any](ctx context.Context, c *Client, path string, query url.Values, opts ...CallOption) (T, error) {
	return call[T](ctx, c, http.MethodGet, path, query, nil, opts)
}

// Post sends POST path with body encoded as JSON (a json.RawMessage is sent as is; nil sends no body)
// and decodes the answer into a T, as Get does. Graph's 201 Created answers carry the new object;
// actions answer 200 with their result or 204 with none (T stays zero). A throttled POST (429) is
// retried, as Graph asks; other failures are not, since a POST may not be idempotent.
func Post[T any](ctx context.Context, c *Client, path string, body any, opts ...CallOption) (T, error) {
	return call[T](ctx, c, http.MethodPost, path, nil, body, opts)
}

// Patch sends PATCH path with body encoded as JSON and decodes the answer into a T, as Post does.
// Graph answers most updates 204 No Content: use json.RawMessage or struct{} as T and ignore it.
func Patch[T any](ctx context.Context, c *Client, path string, body any, opts ...CallOption) (T, error) {
	return call[T](ctx, c, http.MethodPatch, path, nil, body, opts)
}

// Delete sends DELETE path, as Get sends GET; it returns nil when Graph answers 2xx.
func Delete(ctx context.Context, c *Client, path string, opts ...CallOption) error {
	_, err := call[struct{}](ctx, c, http.MethodDelete, path, nil, nil, opts)
	return err
}

// List returns the items of the collection at path (relative to the client's base URL, built with
// Path; query adds query options, nil for none), decoded into T, following @odata.nextLink across pages
// as Pages does. The page size is Graph's default for the collection unless query sets $top.
func List[T any](ctx context.Context, c *Client, path string, query url.Values, opts ...CallOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if ctx == nil {
			yield(zero, errNilContext)
			return
		}
		target, err := c.resolve(path, query)
		if err != nil {
			yield(zero, err)
			return
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			yield(zero, err)
			return
		}
		for _, o := range opts {
			o(req)
		}
		Pages[T](ctx, c, req)(yield)
	}
}

// CallOption adjusts a request of Get, Post, Patch, Delete or List before it is sent.
type CallOption func(*http.Request)

// WithHeader sets the request header key to value, such as ConsistencyLevel: eventual (see
// ConsistencyEventual), which Graph wants for $count, $search and advanced queries, or Prefer. List
// sends ConsistencyLevel and Prefer again with every page. Authorization and User-Agent are the
// client's: it sets them after the options.
func WithHeader(key, value string) CallOption {
	return func(req *http.Request) { req.Header.Set(key, value) }
}

// NewRequest builds, without sending it, the request that Get, Post, Patch and Delete send for method,
// path, query and body (nil for none), with the same checks: for Client.Batch, which sends requests
// built exactly as single calls are (the generated request builders, gen.New...Request, build those
// of generated operations). The client's token and User-Agent are added when it is sent.
//
//	req, err := client.NewRequest(ctx, http.MethodGet, graph.Path("servicePrincipals", id), nil, nil)
//	resps, err := client.Batch(ctx, []graph.BatchRequest{{ID: id, Request: req}})
func (c *Client) NewRequest(ctx context.Context, method, path string, query url.Values, body any, opts ...CallOption) (*http.Request, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	target, err := c.resolve(path, query)
	if err != nil {
		return nil, err
	}
	var payload io.Reader
	if body != nil {
		raw, ok := body.(json.RawMessage)
		if !ok {
			if raw, err = json.Marshal(body); err != nil {
				return nil, err
			}
		}
		payload = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, payload)
	if err != nil {
		return nil, err
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	return req, nil
}

func call[T any](ctx context.Context, c *Client, method, path string, query url.Values, body any, opts []CallOption) (T, error) {
	var out T
	req, err := c.NewRequest(ctx, method, path, query, body, opts...)
	if err != nil {
		return out, err
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return out, bodyError(resp, err)
	}
	if len(data) == 0 || method == http.MethodDelete {
		return out, nil
	}
	if ct := canonicalGet(resp.Header, "Content-Type"); !isJSON(ct) {
		if isText(ct) && setText(&out, data) {
			return out, nil
		}
		return out, unexpected(resp, "the body is not JSON")
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, bodyError(resp, err)
	}
	return out, nil
}

// resolve returns the URL a generic call sends to: path resolved against the client's base URL, with
// query's options added. A relative path's segments must each be a path parameter gen accepts (not
// empty, ".", ".." or holding "/" or "\" once decoded); an absolute one must be under the base URL.
func (c *Client) resolve(path string, query url.Values) (string, error) {
	u, err := url.Parse(path)
	if err != nil {
		return "", &PathParamError{Param: "path", Value: path}
	}
	if u.Fragment != "" || strings.Contains(path, "#") {
		// An unescaped "#" cuts the path: the rest would never be sent. Path escapes it.
		return "", &PathParamError{Param: "path", Value: path}
	}
	var target *url.URL
	if u.IsAbs() || u.Host != "" {
		if !c.underBase(u) {
			return "", ErrForeignURL
		}
		under := *u // sent with the base URL's own spelling of scheme and host, which match it
		under.Scheme, under.Host = c.base.Scheme, c.base.Host
		target = &under
	} else {
		rel := strings.TrimPrefix(u.EscapedPath(), "/")
		for seg := range strings.SplitSeq(rel, "/") {
			if err := gen.CheckPathParam("path segment", seg); err != nil {
				return "", err
			}
		}
		target = &url.URL{Scheme: c.base.Scheme, Host: c.base.Host, Path: c.base.Path + u.Path,
			RawPath: c.base.EscapedPath() + rel, RawQuery: u.RawQuery}
	}
	if len(query) > 0 {
		if target.RawQuery != "" {
			target.RawQuery += "&"
		}
		target.RawQuery += query.Encode()
	}
	return target.String(), nil
}

// isText reports whether a Content-Type is text/plain, which Graph sends for $count and $value.
func isText(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "text/plain")
}

// setText stores a text/plain body into out when T is a string, an int or an int64 (a $count, which
// may start with a UTF-8 byte order mark), and reports whether it did.
func setText[T any](out *T, data []byte) bool {
	s := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	switch p := any(out).(type) {
	case *string:
		*p = string(data)
	case *int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return false
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return false
		}
		*p = n
	default:
		return false
	}
	return true
}
