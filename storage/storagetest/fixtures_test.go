package storagetest

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestFixturesSetEveryField: the change set, invitation and webhook cursor
// fixtures set every field of their types, down through the edits' pointers
// and slices, and the record tests' changes change every field but the
// keys, so that a driver that drops a field (a column or JSON key it
// forgot, on insert or on update) fails the round trips. A field added to
// one of these types fails this test until the fixtures set it.
func TestFixturesSetEveryField(t *testing.T) {
	for _, c := range []struct {
		name    string
		fixture any
	}{
		{"changeSet", changeSet("acme", "x1")},
		{"invitation", invitation("acme", "x1")},
		{"cursor", cursor("acme", "crm")},
	} {
		all, set := map[string]bool{}, map[string]bool{}
		leaves(reflect.TypeOf(c.fixture), "", all)
		setLeaves(reflect.ValueOf(c.fixture), "", set)
		var missing []string
		for p := range all {
			if !set[p] {
				missing = append(missing, p)
			}
		}
		slices.Sort(missing)
		if len(missing) > 0 {
			t.Errorf("%s leaves these fields zero: %v", c.name, missing)
		}
	}
	for _, c := range []struct {
		name     string
		from, to any
	}{
		{"changedSet", changeSet("acme", "x1"), changedSet(changeSet("acme", "x1"), 3)},
		{"changedInvitation", invitation("acme", "x1"), changedInvitation(invitation("acme", "x1"), 3)},
	} {
		from, to := reflect.ValueOf(c.from), reflect.ValueOf(c.to)
		for i := range from.NumField() {
			name := from.Type().Field(i).Name
			if name != "Org" && name != "ID" && reflect.DeepEqual(from.Field(i).Interface(), to.Field(i).Interface()) {
				t.Errorf("%s leaves field %s as it was", c.name, name)
			}
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

// leaves adds to out the path of every leaf field of typ: through
// pointers, slices and exported struct fields, down to a time, a slice of
// basic values, or a basic value.
func leaves(typ reflect.Type, path string, out map[string]bool) {
	switch {
	case typ.Kind() == reflect.Pointer:
		leaves(typ.Elem(), path, out)
	case typ.Kind() == reflect.Slice && typ.Elem().Kind() == reflect.Struct:
		leaves(typ.Elem(), path+"[]", out)
	case typ.Kind() == reflect.Struct && typ != timeType:
		for i := range typ.NumField() {
			if f := typ.Field(i); f.IsExported() {
				leaves(f.Type, path+"."+f.Name, out)
			}
		}
	default:
		out[path] = true
	}
}

// setLeaves adds to out the path of every leaf field of v that is not
// zero (or, for a slice of basic values, not empty).
func setLeaves(v reflect.Value, path string, out map[string]bool) {
	typ := v.Type()
	switch {
	case typ.Kind() == reflect.Pointer && typ.Elem().Kind() != reflect.Struct:
		// A pointer to a zero value is set: it is not nil.
		if !v.IsNil() {
			out[path] = true
		}
	case typ.Kind() == reflect.Pointer:
		if !v.IsNil() {
			setLeaves(v.Elem(), path, out)
		}
	case typ.Kind() == reflect.Slice && typ.Elem().Kind() == reflect.Struct:
		for i := range v.Len() {
			setLeaves(v.Index(i), path+"[]", out)
		}
	case typ.Kind() == reflect.Slice:
		if v.Len() > 0 {
			out[path] = true
		}
	case typ.Kind() == reflect.Struct && typ != timeType:
		for i := range typ.NumField() {
			if f := typ.Field(i); f.IsExported() {
				setLeaves(v.Field(i), path+"."+f.Name, out)
			}
		}
	default:
		if !v.IsZero() {
			out[path] = true
		}
	}
}
