package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// Editor attaches a bearer token to requests bound for one Graph endpoint.
// Its Edit method has the signature of an oapi-codegen RequestEditorFn. It is
// safe for concurrent use.
type Editor struct {
	src    TokenSource
	scheme string // "https", or "http" for a loopback endpoint
	host   string // lower case, default port removed

	// last remembers the header value built for the most recent token, so a
	// request costs one allocation (the header's value slice), not two. It is
	// replaced whole when the token changes.
	last atomic.Pointer[authorization]
}

type authorization struct {
	tok   *Token
	value string // "Bearer " + tok.AccessToken
}

// NewEditor returns an Editor that takes tokens from src (usually a *Cache)
// and attaches them only to requests for graphEndpoint, e.g.
// "https://graph.microsoft.com". graphEndpoint must be https, or plain http to
// a loopback address (for tests), with no path. Errors wrap ErrInvalidConfig.
func NewEditor(src TokenSource, graphEndpoint string) (*Editor, error) {
	if src == nil {
		return nil, fmt.Errorf("%w: token source is nil", ErrInvalidConfig)
	}
	base, err := baseURL(graphEndpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: Graph endpoint: %v", ErrInvalidConfig, err)
	}
	u, _ := url.Parse(base)
	return &Editor{src: src, scheme: u.Scheme, host: stripDefaultPort(u.Scheme, u.Host)}, nil
}

// Edit sets "Authorization: Bearer <token>" on req when req goes to the
// configured endpoint's scheme and host; any other request is left untouched
// and Edit returns nil, so a token never reaches another host. It returns the
// source's error when no token can be had, or ctx.Err() when ctx ends first.
func (e *Editor) Edit(ctx context.Context, req *http.Request) error {
	if req == nil || req.URL == nil || !e.sameOrigin(req.URL) {
		return nil
	}
	tok, err := e.src.Token(ctx)
	if err != nil {
		return err
	}
	a := e.last.Load()
	if a == nil || a.tok != tok {
		a = &authorization{tok: tok, value: "Bearer " + tok.AccessToken}
		e.last.Store(a)
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	req.Header["Authorization"] = []string{a.value} // the key is canonical: Set would check it again
	return nil
}

func (e *Editor) sameOrigin(u *url.URL) bool {
	if u.Scheme == e.scheme && u.Host == e.host {
		return true // the common case, without EqualFold's rune-by-rune comparison
	}
	return strings.EqualFold(u.Scheme, e.scheme) && strings.EqualFold(stripDefaultPort(e.scheme, u.Host), e.host)
}

func stripDefaultPort(scheme, host string) string {
	switch {
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		return host[:len(host)-4]
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		return host[:len(host)-3]
	}
	return strings.ToLower(host)
}

// Invalidate drops t from the source when the source implements Invalidator
// (a *Cache does) and t is still its current token. It reports whether a
// token was dropped. The transport calls it when Graph rejects t with 401.
func (e *Editor) Invalidate(t *Token) bool {
	if inv, ok := e.src.(Invalidator); ok {
		return inv.Invalidate(t)
	}
	return false
}

// TokenOf returns the token req carries, if it is the one this Editor
// attached most recently or the source's (a *Cache's) current token, by
// comparing req's Authorization header. A transport uses it to learn which
// token a rejected request carried.
func (e *Editor) TokenOf(req *http.Request) (*Token, bool) {
	if req == nil || req.Header == nil {
		return nil, false
	}
	v := req.Header.Get("Authorization")
	if v == "" {
		return nil, false
	}
	if a := e.last.Load(); a != nil && a.value == v {
		return a.tok, true
	}
	if c, ok := e.src.(*Cache); ok {
		if cur := c.cur.Load(); cur != nil && isBearer(v, cur.tok.AccessToken) {
			return cur.tok, true
		}
	}
	return nil, false
}

func isBearer(header, accessToken string) bool {
	const p = "Bearer "
	return len(header) == len(p)+len(accessToken) && header[:len(p)] == p && header[len(p):] == accessToken
}

// InvalidateRequest drops the token req carried, if it is still the current
// one, and reports whether it did: the compare-and-drop a transport performs
// after a 401, without having to track tokens itself. A request that carried
// an older token drops nothing, since that token was already replaced.
func (e *Editor) InvalidateRequest(req *http.Request) bool {
	t, ok := e.TokenOf(req)
	return ok && e.Invalidate(t)
}
