// Package nullable holds Nullable, the type of every property of a Graph model that may be left out of
// a request or answer and may be JSON null.
//
// A Nullable[T] has three states: unset (the zero value: left out of a request body), null (sent as
// JSON null, which clears the property in an update) and a value. It is a plain struct, not a map or a
// pointer: it costs the size of T plus one byte, and decoding a property allocates only what its value
// needs (a string's bytes), with fast paths for null, strings without escapes, true, false and integers.
//
// A struct field of this type needs the `omitzero` JSON option (Go 1.24 and later), so that an unset
// property is left out: the zero Nullable is the unset one, and the only one whose bytes are all zero,
// so omitzero's own zero test is exactly "unset". (Nullable has no IsZero method on purpose: with one,
// encoding/json boxes each field to call it, an allocation per property of every struct it encodes
// through a pointer; without one it compares the field's bytes with zero, without allocating.) The generated models in package gen use it so; a
// program that generates its own models with oapi-codegen's nullable-type option can use it too, by
// importing this package instead of github.com/oapi-codegen/nullable (api/README.md in this module shows
// how). Its method set is that package's, so code written against it keeps compiling.
//
// The package also holds the two helpers the generated models' methods call: FormatFields (their %v
// and %+v print only the properties set) and ArrayLen (a page's slice of models is allocated once).
package nullable

import (
	"errors"
	"fmt"
)

// state is a Nullable's state; its zero value is unset, so that the zero Nullable is unset.
type state uint8

const (
	unset state = iota
	null
	set
)

// Nullable is an optional, nullable value: unset (the zero value), null, or a value of T.
//
// In a struct field tagged `json:",omitzero"` an unset Nullable is left out of the JSON, a null one is
// written as null and a set one as its value. Decoding null gives the null state, any other JSON
// value the set state; a field absent from the JSON stays unset.
//
// Printed with fmt, it is its value (with the verb and flags given), <null> or <unset>.
type Nullable[T any] struct {
	value T
	state state
}

// Errors returned by Get.
var (
	// ErrNull is returned by Get for a Nullable that is null.
	ErrNull = errors.New("nullable: value is null")
	// ErrUnset is returned by Get for a Nullable that is unset.
	ErrUnset = errors.New("nullable: value is not specified")
)

// Value returns a Nullable holding v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{value: v, state: set} }

// Null returns a Nullable that is null: written as JSON null, it clears a property in an update.
func Null[T any]() Nullable[T] { return Nullable[T]{state: null} }

// NewNullableWithValue returns a Nullable holding v. It is Value under the name
// github.com/oapi-codegen/nullable uses.
func NewNullableWithValue[T any](v T) Nullable[T] { return Value(v) }

// NewNullNullable returns a null Nullable. It is Null under the name github.com/oapi-codegen/nullable
// uses.
func NewNullNullable[T any]() Nullable[T] { return Null[T]() }

// Get returns the value, or ErrNull or ErrUnset (and the zero T) when there is none. The errors are
// fixed values: Get never allocates.
func (n Nullable[T]) Get() (T, error) {
	switch n.state {
	case set:
		return n.value, nil
	case null:
		var zero T
		return zero, ErrNull
	default:
		var zero T
		return zero, ErrUnset
	}
}

// GetOrEmpty returns the value, or the zero T when the Nullable is null or unset.
func (n Nullable[T]) GetOrEmpty() T {
	if n.state != set {
		var zero T
		return zero
	}
	return n.value
}

// MustGet returns the value. It panics when the Nullable is null or unset: use it only where the state
// was checked before.
func (n Nullable[T]) MustGet() T {
	v, err := n.Get()
	if err != nil {
		panic(err)
	}
	return v
}

// Set makes the Nullable hold v.
func (n *Nullable[T]) Set(v T) { *n = Nullable[T]{value: v, state: set} }

// SetNull makes the Nullable null.
func (n *Nullable[T]) SetNull() { *n = Nullable[T]{state: null} }

// SetUnspecified makes the Nullable unset.
func (n *Nullable[T]) SetUnspecified() { *n = Nullable[T]{} }

// IsNull reports whether the Nullable is null.
func (n Nullable[T]) IsNull() bool { return n.state == null }

// IsSpecified reports whether the Nullable is null or holds a value, that is, whether it is not unset.
func (n Nullable[T]) IsSpecified() bool { return n.state != unset }

// Format prints the value with the verb and flags given, or <null> or <unset>.
func (n Nullable[T]) Format(f fmt.State, verb rune) {
	switch n.state {
	case set:
		fmt.Fprintf(f, fmt.FormatString(f, verb), n.value)
	case null:
		_, _ = f.Write([]byte("<null>"))
	default:
		_, _ = f.Write([]byte("<unset>"))
	}
}
