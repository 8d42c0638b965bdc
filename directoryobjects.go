package graph

// This file holds DirectoryItem, the item of the collections whose members are directory objects of
// several kinds (a group's members, a user's memberOf), and its decoding.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// The @odata.type values of the directory object kinds the SDK has a type for.
const (
	ODataTypeUser  = "#microsoft.graph.user"
	ODataTypeGroup = "#microsoft.graph.group"
)

// DirectoryItem is one item of a collection of directory objects of several kinds, such as a group's
// members (GroupMembers) or a user's memberships (UserMemberOf). It keeps what Graph sent: a user
// decodes into a User and a group into a Group, once, as the page is read, and User or Group hands it
// over without another request. Other kinds (devices, service principals, directory roles,
// administrative units, organizational contacts) keep their JSON, which Raw returns.
//
//	for m, err := range client.GroupMembers(ctx, groupID, nil) {
//		if err != nil { ... }
//		if u, ok := m.User(); ok { ... u.DisplayName, u.Mail ... }
//	}
//
// The zero DirectoryItem has no type and no id. A DirectoryItem encodes as the object's JSON.
type DirectoryItem struct {
	odataType string
	id        string
	user      *User           // when odataType is ODataTypeUser
	group     *Group          // when odataType is ODataTypeGroup
	raw       json.RawMessage // other kinds: the object as Graph sent it
}

// Type returns the item's @odata.type, such as "#microsoft.graph.user", or "" when Graph sent none.
func (d DirectoryItem) Type() string { return d.odataType }

// ID returns the item's object id.
func (d DirectoryItem) ID() string { return d.id }

// User returns the item as a User, and whether it is one.
func (d DirectoryItem) User() (User, bool) {
	if d.user == nil {
		return User{}, false
	}
	return *d.user, true
}

// Group returns the item as a Group, and whether it is one.
func (d DirectoryItem) Group() (Group, bool) {
	if d.group == nil {
		return Group{}, false
	}
	return *d.group, true
}

// Raw returns the JSON Graph sent for an item of a kind the SDK has no type for, to decode into a
// type of the caller's own; nil for users and groups (see User, Group and MarshalJSON). The caller
// must not modify it.
func (d DirectoryItem) Raw() json.RawMessage { return d.raw }

// String names the item by kind and id, such as "#microsoft.graph.user 5f0c...".
func (d DirectoryItem) String() string {
	return strings.TrimSpace(d.odataType + " " + d.id)
}

// Format prints the object the item holds: %v and %+v of a user item print the User.
func (d DirectoryItem) Format(f fmt.State, verb rune) {
	var v any
	switch {
	case d.user != nil:
		v = *d.user
	case d.group != nil:
		v = *d.group
	case verb == 's' || verb == 'v':
		_, _ = fmt.Fprint(f, d.String())
		return
	default:
		v = d.String()
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), v)
}

// MarshalJSON encodes the object the item holds, @odata.type included.
func (d DirectoryItem) MarshalJSON() ([]byte, error) {
	switch {
	case d.user != nil:
		return json.Marshal(d.user)
	case d.group != nil:
		return json.Marshal(d.group)
	case d.raw != nil:
		return d.raw, nil
	}
	return []byte("{}"), nil
}

// UnmarshalJSON decodes one directory object into the type its @odata.type names. The type is found
// by a scan of the object's top-level keys (Graph writes @odata.type first, so the scan usually stops
// at the first key), and the object is then decoded once.
func (d *DirectoryItem) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil // encoding/json's convention: null leaves the value as it is
	}
	t, ok := odataTypeOf(data)
	if !ok {
		return &json.UnmarshalTypeError{Value: jsonKind(data), Type: directoryItemType}
	}
	switch t {
	case ODataTypeUser:
		u := new(User)
		if err := decodeOne(data, u); err != nil {
			return err
		}
		*d = DirectoryItem{odataType: t, user: u}
		if u.ID != nil {
			d.id = *u.ID
		}
	case ODataTypeGroup:
		g := new(Group)
		if err := decodeOne(data, g); err != nil {
			return err
		}
		*d = DirectoryItem{odataType: t, group: g}
		if g.ID != nil {
			d.id = *g.ID
		}
	default:
		var o DirectoryObject
		if err := decodeOne(data, &o); err != nil {
			return err
		}
		*d = DirectoryItem{odataType: t, raw: bytes.Clone(data)}
		if o.ID != nil {
			d.id = *o.ID
		}
	}
	return nil
}

// itemDecoder decodes the items of a page one after the other with one json.Decoder, which keeps its
// decoding state between items: json.Unmarshal would allocate that state, and the scanner's, for every
// item of every page.
type itemDecoder struct {
	r   bytes.Reader
	dec *json.Decoder
}

// itemDecoders holds the itemDecoders not in use. A decoder that failed is not put back: a
// json.Decoder keeps a syntax or read error, and the rest of its input.
var itemDecoders = sync.Pool{New: func() any {
	d := new(itemDecoder)
	d.dec = json.NewDecoder(&d.r)
	return d
}}

// maxPooledItem is the largest item decoded with a pooled decoder, whose buffer grows to the largest
// item it has read; larger ones are decoded by json.Unmarshal.
const maxPooledItem = 64 << 10

// decodeOne decodes the single JSON value data into v, as json.Unmarshal does.
func decodeOne(data []byte, v any) error {
	if len(data) > maxPooledItem {
		return json.Unmarshal(data, v)
	}
	d := itemDecoders.Get().(*itemDecoder)
	d.r.Reset(data)
	start := d.dec.InputOffset()
	if err := d.dec.Decode(v); err != nil {
		return err
	}
	// Only a decoder that read all of data is reused: one that stopped short still holds the rest.
	n := d.dec.InputOffset() - start
	if n == int64(len(data)) {
		itemDecoders.Put(d)
		return nil
	}
	// Only JSON's own whitespace may follow: bytes.TrimSpace would also pass \f, \v and Unicode spaces,
	// which json.Marshal then refuses in the raw item.
	if n < 0 || n > int64(len(data)) || skipSpace(data, int(n)) < len(data) {
		return &json.SyntaxError{Offset: n} // data after the value
	}
	return nil
}

// directoryItemType is DirectoryItem's reflect.Type, for the error of a value that is not an object.
var directoryItemType = reflect.TypeFor[DirectoryItem]()

// odataTypeOf returns the "@odata.type" of the JSON object data without decoding the object, and
// false when data does not start as an object. A value that is not a plain string, or a key or value
// the scan cannot read, gives "" and leaves the judgement to the decoder that follows.
func odataTypeOf(data []byte) (string, bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return "", false
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return "", true // "}" of an empty object, or something the decoder will refuse
		}
		end := stringEnd(data, i)
		if end < 0 {
			return "", true
		}
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return "", true
		}
		i = skipSpace(data, i+1)
		if string(key) == "@odata.type" {
			if i >= len(data) || data[i] != '"' {
				return "", true
			}
			end := stringEnd(data, i)
			if end < 0 {
				return "", true
			}
			v := data[i+1 : end-1]
			switch string(v) { // compared without a copy; the constants spare one per item
			case ODataTypeUser:
				return ODataTypeUser, true
			case ODataTypeGroup:
				return ODataTypeGroup, true
			}
			if bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
				return string(v), true
			}
			var s string
			if json.Unmarshal(data[i:end], &s) != nil {
				return "", true
			}
			return s, true
		}
		i = valueEnd(data, i)
		if i < 0 {
			return "", true
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ',' {
			return "", true
		}
		i++
	}
}

// skipSpace returns the index of the first byte at or after i that is not JSON whitespace.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at data[i] ('"'), or -1.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value starting at data[i], or -1. Objects and arrays
// are skipped by counting brackets outside strings; the decoder validates them afterwards.
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end := stringEnd(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	for j := i; j < len(data); j++ {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
	}
	return len(data)
}

// jsonKind names the kind of the JSON value data, for an UnmarshalTypeError.
func jsonKind(data []byte) string {
	i := skipSpace(data, 0)
	if i >= len(data) {
		return "nothing"
	}
	switch data[i] {
	case '"':
		return "string"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
