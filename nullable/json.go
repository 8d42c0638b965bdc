package nullable

// JSON encoding and decoding of a Nullable. Decoding is the hot path of every list call: encoding/json
// hands UnmarshalJSON the bytes of one property's value, and the common literals (null, a string without
// escapes, true, false, an integer) are read here directly, without a nested json.Unmarshal, so that a
// property costs what a plain field costs. Everything else goes to the value's own UnmarshalJSON (time.Time)
// or to json.Unmarshal.

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// errUnsetMarshal is returned when an unset Nullable is asked to encode itself: it has no JSON form.
var errUnsetMarshal = errors.New("nullable: an unset value has no JSON form; tag the field `json:\",omitzero\"`")

// MarshalJSON writes the value, or null. An unset Nullable is an error: a struct field of this type
// must be tagged omitzero, so that encoding/json leaves it out instead of asking it to encode itself.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	switch n.state {
	case null:
		return []byte("null"), nil
	case unset:
		return nil, errUnsetMarshal
	}
	switch v := any(&n.value).(type) {
	case *string:
		if plainString(*v) {
			b := make([]byte, 0, len(*v)+2)
			b = append(b, '"')
			b = append(b, *v...)
			return append(b, '"'), nil
		}
	case *bool:
		if *v {
			return []byte("true"), nil
		}
		return []byte("false"), nil
	case *int32:
		return strconv.AppendInt(nil, int64(*v), 10), nil
	case *int64:
		return strconv.AppendInt(nil, *v, 10), nil
	case *int:
		return strconv.AppendInt(nil, int64(*v), 10), nil
	}
	// Not through the pointer above: calling a method of an interface holding &n.value would move n to
	// the heap on every call, fast paths included.
	if m, ok := any(n.value).(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	return json.Marshal(n.value)
}

// plainString reports whether s is written in JSON as itself between quotes: printable ASCII without
// the characters encoding/json escapes (", \ and, by default, <, > and &).
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// UnmarshalJSON reads null into the null state and any other JSON value into the value. On an error the
// Nullable is left unset.
func (n *Nullable[T]) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*n = Nullable[T]{state: null}
		return nil
	}
	if n.fast(data) {
		n.state = set
		return nil
	}
	*n = Nullable[T]{}
	if string(bytes.TrimSpace(data)) == "null" { // encoding/json trims; a direct caller may not
		n.state = null
		return nil
	}
	var err error
	if u, ok := any(&n.value).(json.Unmarshaler); ok {
		err = u.UnmarshalJSON(data)
	} else {
		err = json.Unmarshal(data, &n.value)
	}
	if err != nil {
		*n = Nullable[T]{}
		return err
	}
	n.state = set
	return nil
}

// fast decodes data into n.value when it is a literal of the common kinds and T the matching type, and
// reports whether it did. It reads only what is certainly valid JSON of that kind, so that anything it
// declines (escapes, exponents, invalid bytes) gets encoding/json's own handling and errors.
func (n *Nullable[T]) fast(data []byte) bool {
	switch p := any(&n.value).(type) {
	case *string:
		s, ok := plainJSONString(data)
		if ok {
			*p = s
		}
		return ok
	case *bool:
		switch string(data) {
		case "true":
			*p = true
			return true
		case "false":
			*p = false
			return true
		}
	case *int32:
		if v, ok := jsonInt(data, 32); ok {
			*p = int32(v)
			return true
		}
	case *int64:
		if v, ok := jsonInt(data, 64); ok {
			*p = v
			return true
		}
	case *int:
		if v, ok := jsonInt(data, strconv.IntSize); ok {
			*p = int(v)
			return true
		}
	}
	return false
}

// plainJSONString returns the string a JSON string literal without escapes stands for. It declines (ok
// false) a literal with a backslash, a control character, an inner quote or invalid UTF-8, which
// encoding/json unquotes or rejects by its own rules.
func plainJSONString(data []byte) (s string, ok bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return "", false
	}
	body := data[1 : len(data)-1]
	ascii := true
	for _, c := range body {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

// jsonInt parses a JSON integer literal (an optional minus, then 0 or digits without a leading zero)
// that fits in bits. It declines fractions, exponents and overflow, which encoding/json reports.
func jsonInt(data []byte, bits int) (int64, bool) {
	digits := data
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 19 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(string(data), 10, bits)
	return v, err == nil
}
