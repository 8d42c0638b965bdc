package graphtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// queryParams holds a request's query, keyed as sent, keeping its raw order
// so next links can reproduce it.
type queryParams struct {
	vals  map[string]string
	pairs []string // raw "k=v" pairs in order
}

func (q queryParams) get(k string) string { return q.vals[k] }

func (q queryParams) has(k string) bool { _, ok := q.vals[k]; return ok }

func parseQuery(raw string) (queryParams, *queryError) {
	q := queryParams{vals: map[string]string{}}
	if raw == "" {
		return q, nil
	}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		uk, err1 := url.QueryUnescape(k)
		uv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return q, &queryError{code: "BadRequest", msg: "The query string is not correctly escaped."}
		}
		if _, dup := q.vals[uk]; dup && strings.HasPrefix(uk, "$") {
			return q, &queryError{code: "BadRequest", msg: fmt.Sprintf("Query option '%s' was specified more than once, but it must be specified at most once.", uk)}
		}
		q.vals[uk] = uv
		q.pairs = append(q.pairs, pair)
	}
	return q, nil
}

// checkOptions refuses $ options the operation does not take.
func checkOptions(q queryParams, allowed ...string) *queryError {
	for k := range q.vals {
		if !strings.HasPrefix(k, "$") || slices.Contains(allowed, k) {
			continue
		}
		if k == "$skip" {
			return &queryError{code: "Request_BadRequest", msg: "'$skip' is not supported by the service."}
		}
		return &queryError{code: "BadRequest", msg: fmt.Sprintf("The query parameter '%s' is not supported.", k)}
	}
	return nil
}

// link builds an absolute link on the Graph listener for path, carrying the
// request's query minus any paging tokens, plus name=tok. Keys keep their
// literal "$" as Graph's links do. With name "" it is the request's URL
// without its paging tokens.
func (s *Server) link(r *http.Request, q queryParams, name, tok string) string {
	var b strings.Builder
	b.WriteString(s.GraphEndpoint)
	b.WriteString(r.URL.EscapedPath())
	sep := byte('?')
	for _, pair := range q.pairs {
		k, _, _ := strings.Cut(pair, "=")
		if uk, _ := url.QueryUnescape(k); uk == "$skiptoken" || uk == "$deltatoken" {
			continue
		}
		b.WriteByte(sep)
		b.WriteString(pair)
		sep = '&'
	}
	if name == "" {
		return b.String()
	}
	b.WriteByte(sep)
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(url.QueryEscape(tok))
	return b.String()
}

// Paging tokens are opaque to clients; inside they are a kind letter and
// numbers, base64url-encoded.
func encodeToken(kind string, nums ...uint64) string {
	parts := []string{"graphtest", kind}
	for _, n := range nums {
		parts = append(parts, strconv.FormatUint(n, 10))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ":")))
}

func decodeToken(tok, kind string, n int) ([]uint64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != n+2 || parts[0] != "graphtest" || parts[1] != kind {
		return nil, false
	}
	nums := make([]uint64, n)
	for i, p := range parts[2:] {
		if nums[i], err = strconv.ParseUint(p, 10, 64); err != nil {
			return nil, false
		}
	}
	return nums, true
}

var errExpiredToken = &queryError{code: "Directory_ExpiredPageToken",
	msg: "The specified page token value has expired and can no longer be included in your request."}

// marshal encodes v as JSON without HTML escaping, as Graph does.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// project returns the properties sel (or the default set) of an object of
// type et, with Graph's rendering of unset ones. passwordProfile is
// write-only.
func project(et *entityType, props map[string]any, sel []string) map[string]any {
	if sel == nil {
		sel = et.defaults
	}
	out := make(map[string]any, len(sel))
	for _, name := range sel {
		v, ok := props[name]
		if !ok || name == "passwordProfile" {
			v = et.unset(name)
		}
		out[name] = v
	}
	return out
}

// context returns the @odata.context for a collection or entity of et.
func (s *Server) context(et *entityType, sel []string, entity bool) string {
	c := s.GraphURL + "/$metadata#" + et.set
	if sel != nil {
		c += "(" + strings.Join(sel, ",") + ")"
	}
	if entity {
		c += "/$entity"
	}
	return c
}

// listQuery is a validated query of a users or groups collection.
type listQuery struct {
	top    int
	sel    []string
	filter *filter
	search *search
	order  []orderBy
	count  bool
}

func (lq *listQuery) match(props map[string]any) bool {
	return (lq.filter == nil || lq.filter.eval(props, nil)) && (lq.search == nil || lq.search.match(props))
}

// compare orders two objects' properties by lq's $orderby keys, for a stable sort.
func (lq *listQuery) compare(a, b map[string]any) int {
	for _, o := range lq.order {
		c := sortCompare(a[o.prop], b[o.prop])
		if o.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// parseListQuery validates the query options of a request for a collection
// of et against Graph's rules, including when ConsistencyLevel: eventual
// (and $count=true) are required.
func (s *Server) parseListQuery(r *http.Request, q queryParams, et *entityType, countSegment bool) (*listQuery, *queryError) {
	lq := &listQuery{top: s.opts.PageSize}
	allowed := []string{"$top", "$select", "$filter", "$search", "$count", "$orderby", "$expand", "$skiptoken"}
	if countSegment {
		allowed = []string{"$filter", "$search"}
	}
	if err := checkOptions(q, allowed...); err != nil {
		return nil, err
	}
	eventual := strings.EqualFold(strings.TrimSpace(r.Header.Get("ConsistencyLevel")), "eventual")
	if q.has("$top") {
		n, err := strconv.Atoi(q.get("$top"))
		if err != nil || n < 1 || n > 999 {
			return nil, &queryError{code: "Request_BadRequest",
				msg: fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", q.get("$top"))}
		}
		lq.top = n
	}
	var err error
	if lq.sel, err = parseSelect(et, q.get("$select")); err != nil {
		return nil, err.(*queryError)
	}
	for _, p := range lq.sel {
		if et.singleOnly[p] {
			return nil, &queryError{status: http.StatusNotImplemented, code: "NotImplemented",
				msg: fmt.Sprintf("The property '%s' can be selected only when reading a single %s.", p, strings.ToLower(et.resource()))}
		}
	}
	if q.has("$count") {
		switch strings.ToLower(q.get("$count")) {
		case "true":
			lq.count = true
		case "false":
		default:
			return nil, &queryError{code: "BadRequest", msg: fmt.Sprintf("'%s' is not a valid count option.", q.get("$count"))}
		}
	}
	if countSegment {
		lq.count = true
	}
	if lq.count && !eventual {
		// A $count segment needs the header; $count=true without it is
		// ignored, as Graph ignores it.
		if countSegment {
			return nil, &queryError{code: "Request_BadRequest", msg: "$count is not currently supported."}
		}
		lq.count = false
	}
	if q.has("$search") {
		if !eventual {
			return nil, &queryError{code: "Request_UnsupportedQuery",
				msg: "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"}
		}
		if lq.search, err = parseSearch(et, q.get("$search")); err != nil {
			return nil, err.(*queryError)
		}
	}
	advanced := eventual && lq.count
	if q.has("$filter") {
		if lq.filter, err = parseFilter(et, q.get("$filter")); err != nil {
			return nil, err.(*queryError)
		}
		if lq.filter.advanced != "" && !advanced {
			return nil, unsupportedProp(et, lq.filter.advanced)
		}
	}
	if q.has("$orderby") {
		if lq.order, err = parseOrderBy(et, q.get("$orderby")); err != nil {
			return nil, err.(*queryError)
		}
		if !advanced {
			sorting := &queryError{code: "Request_UnsupportedQuery", msg: "Sorting not supported for current query."}
			if lq.filter != nil || lq.search != nil {
				return nil, sorting
			}
			for _, o := range lq.order {
				if o.prop != "displayName" && (et != userType || o.prop != "userPrincipalName") {
					return nil, sorting
				}
			}
		}
	}
	return lq, nil
}

// maxPageSize reads odata.maxpagesize from a Prefer header.
func maxPageSize(prefer string) (int, bool) {
	for _, p := range strings.Split(prefer, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "odata.maxpagesize") {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err == nil && n >= 1 {
				return min(n, 999), true
			}
		}
	}
	return 0, false
}
