package nullable

import (
	"fmt"
	"reflect"
)

// secretFields names the model fields FormatFields never prints. Read only.
var secretFields = map[string]bool{"Password": true, "SecretText": true}

// FormatFields prints v, a struct, as fmt prints a struct, leaving out the fields that are zero: unset
// Nullables, nil pointers and nil slices. A pointer field prints what it points to, so a model's %+v
// reads {ID:87d3… DisplayName:Ada JobTitle:<null>} however many properties its type declares. The
// Format methods of the generated models call it; with %#v it prints the type's name first.
//
// A field that holds a secret Graph accepts or returns prints as [redacted] when set: Password (a
// user's passwordProfile) and SecretText (the secret of an application's or service principal's
// passwordCredential, returned once by addPassword). A model printed in a log line must not carry one.
func FormatFields(f fmt.State, verb rune, v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct {
		fmt.Fprintf(f, fmt.FormatString(f, verb), v)
		return
	}
	rt := rv.Type()
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(rt.String()))
	}
	_, _ = f.Write([]byte{'{'})
	named := verb == 'v' && (f.Flag('+') || f.Flag('#'))
	format := fmt.FormatString(f, verb)
	first := true
	for i := range rt.NumField() {
		field := rv.Field(i)
		if !rt.Field(i).IsExported() || field.IsZero() {
			continue
		}
		if !first {
			if f.Flag('#') {
				_, _ = f.Write([]byte{','})
			}
			_, _ = f.Write([]byte{' '})
		}
		first = false
		if named {
			_, _ = f.Write([]byte(rt.Field(i).Name))
			_, _ = f.Write([]byte{':'})
		}
		if secretFields[rt.Field(i).Name] {
			_, _ = f.Write([]byte("[redacted]"))
			continue
		}
		if field.Kind() == reflect.Pointer && !f.Flag('#') {
			field = field.Elem()
		}
		fmt.Fprintf(f, format, field.Interface())
	}
	_, _ = f.Write([]byte{'}'})
}
