package graph

// This file reads one page of a collection: its body, the items of its "value" array and its
// @odata.nextLink. The items are decoded one at a time and handed to the iterator as they come, so
// that a page never becomes a slice of models: a generated model holds every property its type has
// (User has more than 80), selected or not, and a page of 999 of them grown by append would cost
// megabytes and most of the time of a call. A page costs one model and the body's bytes instead.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
)

// bodyPool holds the buffers page bodies are read into. A page is read whole before its first item is
// decoded, so the response is closed (its connection reused, its concurrency slot released) before the
// caller's loop body runs, even if that body makes calls of its own.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody is the largest buffer put back in bodyPool: a page of 999 users with every property is
// about 2 MB; larger buffers are left to the garbage collector rather than kept.
const maxPooledBody = 4 << 20

// pageLinks are the links a page ends with: @odata.nextLink to the next page, and on the last page of a
// delta round @odata.deltaLink; "" when the page has none.
type pageLinks struct {
	next, delta string
}

// getPage sends req, reads its body and yields the page's items, decoded into T, in order (with a nil
// error: yield is the iterator's own, so an item is copied once on its way to the caller). It returns
// the page's links and whether yield asked for more. Items decoded before a malformed part of the body
// are yielded before the error.
func getPage[T any](ctx context.Context, c *Client, req *http.Request, yield func(T, error) bool) (links pageLinks, more bool, err error) {
	resp, err := c.send(ctx, req)
	if err != nil {
		return pageLinks{}, false, err
	}
	if !isJSON(canonicalGet(resp.Header, "Content-Type")) {
		drain(resp.Body, resp.ContentLength)
		resp.Body.Close()
		return pageLinks{}, false, unexpected(resp, "the body is not JSON")
	}
	buf := bodyPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBody {
			buf.Reset()
			bodyPool.Put(buf)
		}
	}()
	buf.Reset()
	if resp.ContentLength > 0 {
		buf.Grow(int(min(resp.ContentLength, maxPooledBody)))
	}
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return pageLinks{}, false, bodyError(resp, err)
	}
	links, more, err = decodePage(buf.Bytes(), yield)
	if err != nil {
		return pageLinks{}, false, bodyError(resp, err)
	}
	return links, more, nil
}

// decodePage reads a collection page, {"@odata.nextLink": ..., "value": [...], ...}, in one pass: each
// item of "value" is decoded into a T and yielded before the next is read. Members other than value,
// @odata.nextLink and @odata.deltaLink are checked to be valid JSON and skipped; a null value or link
// counts as absent.
//
// The page's own members are read here, by hand, and only the items by encoding/json: a json.Decoder's
// Token method allocates for every key, which on a page of one user cost a quarter of the call's
// allocations.
func decodePage[T any](body []byte, yield func(T, error) bool) (links pageLinks, more bool, err error) {
	p := pageScanner{b: body}
	if err := p.open('{'); err != nil {
		return pageLinks{}, false, err
	}
	for first := true; ; first = false {
		if done, err := p.nextMember(first, '}'); err != nil || done {
			if err == nil {
				err = p.end()
			}
			return links, err == nil, err
		}
		key, err := p.key()
		if err != nil {
			return pageLinks{}, false, err
		}
		switch {
		case p.null():
			switch string(key) {
			case "@odata.nextLink":
				links.next = ""
			case "@odata.deltaLink":
				links.delta = ""
			}
		case string(key) == "value":
			if p.peek() != '[' {
				return pageLinks{}, false, errors.New(`the page's "value" is not an array`)
			}
			dec := json.NewDecoder(bytes.NewReader(p.b[p.i:]))
			if _, err := dec.Token(); err != nil { // [
				return pageLinks{}, false, err
			}
			var item, zero T
			for dec.More() {
				item = zero
				if err := dec.Decode(&item); err != nil {
					return pageLinks{}, false, err
				}
				if !yield(item, nil) {
					return pageLinks{}, false, nil
				}
			}
			if _, err := dec.Token(); err != nil { // ]
				return pageLinks{}, false, err
			}
			p.i += int(dec.InputOffset())
		case string(key) == "@odata.nextLink" || string(key) == "@odata.deltaLink":
			dst := &links.next
			if string(key) == "@odata.deltaLink" {
				dst = &links.delta
			}
			raw, escaped, err := p.str()
			if err != nil {
				return pageLinks{}, false, err
			}
			if !escaped {
				*dst = string(raw)
				continue
			}
			var link string
			if err := json.Unmarshal(p.b[p.i-len(raw)-2:p.i], &link); err != nil {
				return pageLinks{}, false, err
			}
			*dst = link
		default:
			if err := p.skip(); err != nil {
				return pageLinks{}, false, err
			}
		}
	}
}

// pageScanner reads the members of a page object: b is the body, i the offset of the next byte to read.
type pageScanner struct {
	b []byte
	i int
}

// errSyntax reports a page whose own structure (outside its items) is not valid JSON.
var errSyntax = errors.New("the page is not a valid JSON object")

func (p *pageScanner) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (p *pageScanner) peek() byte {
	p.space()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// open reads the byte c that opens an object.
func (p *pageScanner) open(c byte) error {
	if p.peek() != c {
		return errors.New("the page is not a JSON object")
	}
	p.i++
	return nil
}

// nextMember reads the comma before a member (none before the first) or the closing byte, and reports
// whether the object ended.
func (p *pageScanner) nextMember(first bool, closing byte) (done bool, err error) {
	switch c := p.peek(); {
	case c == closing:
		p.i++
		return true, nil
	case first:
		return false, nil
	case c == ',':
		p.i++
		return false, nil
	}
	return false, errSyntax
}

// key reads a member's name and its colon, and returns the name. A name without escapes (every name
// Graph sends) is returned as the bytes of the body, without a copy; one with escapes is unescaped by
// encoding/json.
func (p *pageScanner) key() ([]byte, error) {
	raw, escaped, err := p.str()
	if err != nil {
		return nil, err
	}
	if escaped {
		var key string
		if err := json.Unmarshal(p.b[p.i-len(raw)-2:p.i], &key); err != nil {
			return nil, err
		}
		raw = []byte(key)
	}
	if p.peek() != ':' {
		return nil, errSyntax
	}
	p.i++
	return raw, nil
}

// null reads a null value if one comes next, and reports whether it did.
func (p *pageScanner) null() bool {
	if p.peek() == 'n' && bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += len("null")
		return true
	}
	return false
}

// str reads a string literal and returns the bytes between its quotes, and whether they hold escapes.
func (p *pageScanner) str() (raw []byte, escaped bool, err error) {
	if p.peek() != '"' {
		return nil, false, errSyntax
	}
	start := p.i + 1
	for i := start; i < len(p.b); i++ {
		switch c := p.b[i]; {
		case c == '"':
			p.i = i + 1
			return p.b[start:i], escaped, nil
		case c == '\\':
			escaped = true
			i++
		case c < 0x20:
			return nil, false, errSyntax
		}
	}
	return nil, false, errSyntax
}

// skip reads a value of any kind, which must be valid JSON.
func (p *pageScanner) skip() error {
	p.space()
	start, depth := p.i, 0
	for p.i < len(p.b) {
		switch c := p.b[p.i]; c {
		case '"':
			if _, _, err := p.str(); err != nil {
				return err
			}
			if depth == 0 {
				return p.valid(start)
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return p.valid(start)
			}
			depth--
			if depth == 0 {
				p.i++
				return p.valid(start)
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return p.valid(start)
			}
		}
		p.i++
	}
	return p.valid(start)
}

func (p *pageScanner) valid(start int) error {
	if start == p.i || !json.Valid(p.b[start:p.i]) {
		return errSyntax
	}
	return nil
}

// end checks that nothing but white space follows the page object.
func (p *pageScanner) end() error {
	if p.space(); p.i != len(p.b) {
		return errSyntax
	}
	return nil
}
