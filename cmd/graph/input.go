package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/typedgraph/graph"
)

// Reading the JSON object that create and update send (--input FILE|-), checked against the typed
// model before anything is sent: an unknown property at any depth (usually a misspelt one) or a value
// of the wrong type is a usage error here rather than a surprise from Graph.

// maxObjectInput caps an --input file: a user or group object is a few kilobytes.
const maxObjectInput = 1 << 20

// maxInputDepth bounds how deep the check descends; Graph's models are a few levels deep.
const maxInputDepth = 32

// readObject reads the --input of create and update into a T (graph.User, graph.Group).
func readObject[T any](c *cli, path, cmd string) (*T, error) {
	if path == "" {
		return nil, usagef(cmd, "missing --input FILE (or --input - for standard input)")
	}
	var (
		b   []byte
		err error
	)
	name := path
	if path == "-" {
		name = "standard input"
		b, err = readLimited(c.stdin, maxObjectInput, name)
	} else {
		b, err = readFileLimited(path, maxObjectInput)
	}
	if err != nil {
		return nil, usagef(cmd, "--input: %v", err)
	}
	v, err := decodeStrict[T](b)
	if err != nil {
		return nil, usagef(cmd, "--input: %s: %v", name, err)
	}
	return v, nil
}

// decodeUser parses one JSON user object strictly; see decodeStrict.
func decodeUser(b []byte) (*graph.User, error) { return decodeStrict[graph.User](b) }

// decodeStrict parses one JSON object into a T strictly: a property T does not declare, at any depth,
// a value of the wrong type and anything after the object are errors.
func decodeStrict[T any](b []byte) (*T, error) {
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return nil, errors.New("want a JSON object")
	}
	// First as plain JSON, for syntax errors and the property names at every depth; the typed decode
	// below cannot see nested names, as the models' nullable wrappers decode their contents leniently.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	if err := checkProperties(raw, reflect.TypeFor[T](), "", 0); err != nil {
		return nil, err
	}
	dec = json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var v T
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(err)
	}
	return &v, nil
}

// checkProperties reports the first property of the decoded JSON value v that the Go type t does not
// declare, at any depth; path names v in messages ("passwordProfile"). Values are not type-checked
// here: the typed decode does that.
func checkProperties(v any, t reflect.Type, path string, depth int) error {
	if depth > maxInputDepth {
		return fmt.Errorf("%s: nested too deeply", path)
	}
	t, ok := modelType(t)
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Map:
			for k, e := range v {
				if err := checkProperties(e, t.Elem(), join(path, k), depth+1); err != nil {
					return err
				}
			}
		case reflect.Struct:
			fields := jsonFields(t)
			for _, k := range sortedKeys(v) {
				ft, ok := fields[k]
				if !ok {
					ft, ok = foldField(fields, k)
				}
				if !ok {
					names := make([]string, 0, len(fields))
					for name := range fields {
						names = append(names, name)
					}
					return fmt.Errorf("unknown property %q%s", join(path, k), didYouMean(k, names))
				}
				if err := checkProperties(v[k], ft, join(path, k), depth+1); err != nil {
					return err
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, e := range v {
				if err := checkProperties(e, t.Elem(), path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// modelType strips what wraps a model's value: pointers and the nullable wrapper (a map[bool]T, or a
// struct that decodes itself holding one field of composite type), leaving the type whose properties
// count. ok is false for a self-decoding struct whose contents cannot be told: its properties are
// then left to the typed decode rather than refused wholesale.
func modelType(t reflect.Type) (_ reflect.Type, ok bool) {
	for range 8 {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case t.Kind() == reflect.Map && t.Key().Kind() == reflect.Bool:
			t = t.Elem()
		case t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(unmarshalerType) && !hasJSONFields(t):
			inner, ok := wrappedType(t)
			if !ok {
				return t, false
			}
			t = inner
		default:
			return t, true
		}
	}
	return t, false
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// hasJSONFields reports whether struct t has exported fields with JSON tags: a model, not a wrapper.
func hasJSONFields(t reflect.Type) bool {
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && f.Tag.Get("json") != "" {
			return true
		}
	}
	return false
}

// wrappedType returns the type a self-decoding wrapper struct holds, when it is an object or an
// array: its only field of composite kind (the rest being flags such as "set" or "null").
func wrappedType(t reflect.Type) (reflect.Type, bool) {
	var inner reflect.Type
	for i := range t.NumField() {
		switch ft := t.Field(i).Type; ft.Kind() {
		case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array, reflect.Pointer:
			if inner != nil {
				return nil, false
			}
			inner = ft
		}
	}
	return inner, inner != nil
}

// jsonFields maps the JSON property names of struct t to their types, embedded structs included, as
// encoding/json sees them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := fields[k]; !ok {
						fields[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

// foldField finds a property ignoring case, as encoding/json matches names.
func foldField(fields map[string]reflect.Type, k string) (reflect.Type, bool) {
	for name, t := range fields {
		if strings.EqualFold(name, k) {
			return t, true
		}
	}
	return nil, false
}

// sortedKeys returns m's keys in order, so the first error reported is the same on every run.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// join appends a property name to a path: "passwordProfile" + "password".
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonError rewords encoding/json's errors for people writing an input file, in JSON's words rather
// than Go's.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return fmt.Errorf("property %q: want %s, not %s", te.Field, describeType(te.Type), describeValue(te.Value))
	case errors.As(err, &te):
		return fmt.Errorf("want %s, not %s", describeType(te.Type), describeValue(te.Value))
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return errors.New("unknown property " + name)
	}
	return errors.New(msg)
}

// describeType names what a Go type accepts in JSON: "a string", "an array of strings", ....
func describeType(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	t, _ = modelType(t)
	if t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return "a string" // dates, UUIDs
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		elem := describeType(t.Elem())
		switch elem {
		case "a string":
			return "an array of strings"
		case "an object":
			return "an array of objects"
		}
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another kind of value"
}

// describeValue names the kind of JSON value encoding/json reports ("string", "number 1.5", ...).
func describeValue(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	switch kind {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "bool":
		return "true or false"
	case "array":
		return "an array"
	case "object":
		return "an object"
	}
	return v
}

var textUnmarshalerType = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
