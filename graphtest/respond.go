package graphtest

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// writeOData writes v as JSON with the headers of a Graph success answer.
func (s *Server) writeOData(w http.ResponseWriter, r *http.Request, status int, v any) {
	s.writeODataBytes(w, r, status, marshal(v))
}

// writeODataBytes writes a JSON body with the headers of a Graph success
// answer.
func (s *Server) writeODataBytes(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	s.graphHeaders(w, r)
	h := w.Header()
	h.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	h.Set("OData-Version", "4.0")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// collection is a page of a collection response. Field order matches Graph's.
type collection struct {
	Context   string `json:"@odata.context"`
	Count     *int   `json:"@odata.count,omitempty"`
	NextLink  string `json:"@odata.nextLink,omitempty"`
	DeltaLink string `json:"@odata.deltaLink,omitempty"`
	Value     []any  `json:"value"`
}

// collectionJSON assembles a collection page from items already encoded,
// with the same fields and order as the collection type, without
// re-validating every item as encoding/json does for RawMessage.
func collectionJSON(ctx string, count *int, next string, items []json.RawMessage) []byte {
	n := 64 + len(ctx) + len(next)
	for _, it := range items {
		n += len(it) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"@odata.context":`...)
	b = append(b, marshal(ctx)...)
	if count != nil {
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(*count), 10)
	}
	if next != "" {
		b = append(b, `,"@odata.nextLink":`...)
		b = append(b, marshal(next)...)
	}
	b = append(b, `,"value":[`...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	return append(b, "]}"...)
}

// noContent answers 204 with Graph's headers, as Graph does to a successful
// PATCH, DELETE or $ref POST.
func (s *Server) noContent(w http.ResponseWriter, r *http.Request) {
	s.graphHeaders(w, r)
	w.WriteHeader(http.StatusNoContent)
}
