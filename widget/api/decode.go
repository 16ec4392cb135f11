package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/liaisonhq/liaison/widget/wire"
)

// maxDepth bounds the nesting of a request body; the deepest real one
// (a slot assignment) is three levels.
const maxDepth = 16

// maxFieldErrors bounds how many problems one response lists.
const maxFieldErrors = 20

// decodeStrict decodes data, one JSON object, into v, a pointer to a
// struct of package wire. Before decoding it walks the tokens and refuses
// what encoding/json would accept silently (RELIABILITY B5): invalid UTF-8,
// unknown keys, duplicate keys, keys that differ from a sibling or from a
// field name only in case (encoding/json matches names case-insensitively
// and keeps the last duplicate), nulls, values of the wrong JSON type, and
// anything after the object. Every problem is reported with its JSON
// pointer in one error matching errMalformed; nothing is decoded then.
func decodeStrict(data []byte, v any) error {
	if !utf8.Valid(data) {
		return malformedBody(wire.ProblemField{Detail: "the body is not valid UTF-8"})
	}
	w := &walker{dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	if err := w.value("", reflect.TypeOf(v).Elem(), 0); err != nil {
		return malformedBody(append(w.fields, wire.ProblemField{Detail: err.Error()})...)
	}
	if off := firstNonSpace(data, int(w.dec.InputOffset())); off < len(data) {
		w.add("", "unexpected data after the JSON object (at byte %d)", off)
	}
	if len(w.fields) > 0 {
		return malformedBody(w.fields...)
	}
	// The walk admitted exactly what the type has, so this only fills v;
	// should the two ever disagree, refuse rather than guess.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return malformedBody(wire.ProblemField{Detail: "the body does not decode into this operation's input"})
	}
	return nil
}

func malformedBody(fields ...wire.ProblemField) error {
	if len(fields) > maxFieldErrors {
		fields = fields[:maxFieldErrors]
	}
	return &requestError{kind: errMalformed, detail: "the request body is not in the form this operation takes; see errors", fields: fields}
}

// walker checks a JSON document against a Go type, token by token.
type walker struct {
	dec    *json.Decoder
	fields []wire.ProblemField
}

// add records a problem at pointer path; the walk goes on.
func (w *walker) add(path, format string, args ...any) {
	w.fields = append(w.fields, wire.ProblemField{Pointer: path, Detail: fmt.Sprintf(format, args...)})
}

// value reads one value at path that should decode into t. It returns an
// error only when the walk cannot go on (a syntax error, too deep).
func (w *walker) value(path string, t reflect.Type, depth int) error {
	tok, err := w.dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok := tok.(type) {
	case json.Delim:
		if depth >= maxDepth {
			return fmt.Errorf("not JSON this API accepts: nests deeper than %d levels", maxDepth)
		}
		switch {
		case tok == '{' && t.Kind() == reflect.Struct && !isText(t):
			return w.object(path, t, depth+1)
		case tok == '[' && t.Kind() == reflect.Slice:
			for i := 0; w.dec.More(); i++ {
				if err := w.value(path+"/"+strconv.Itoa(i), t.Elem(), depth+1); err != nil {
					return err
				}
			}
			_, err := w.dec.Token() // ']'
			return syntaxError(err)
		}
		w.add(path, "must be %s", describe(t))
		return w.skipRest(depth + 1)
	case string:
		switch {
		case isText(t):
			if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(tok)); err != nil {
				w.add(path, "must be %s", describe(t))
			}
		case t.Kind() != reflect.String:
			w.add(path, "must be %s", describe(t))
		}
	case bool:
		if t.Kind() != reflect.Bool {
			w.add(path, "must be %s", describe(t))
		}
	case json.Number:
		if !numberFits(string(tok), t) {
			w.add(path, "must be %s", describe(t))
		}
	case nil:
		w.add(path, "must not be null; leave the field out instead")
	}
	return nil
}

// object reads the members of an object (its '{' already read) that
// should decode into struct type t.
func (w *walker) object(path string, t reflect.Type, depth int) error {
	fields := jsonFields(t)
	seen := map[string]bool{}
	folded := map[string]string{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		key, _ := tok.(string) // Decoder.Token returns only strings as keys
		p := path + "/" + escapePointer(key)
		fk := foldKey(key)
		ft, known := fields[key]
		switch first := folded[fk]; {
		case seen[key]:
			w.add(p, "duplicate key %q", key)
			known = false
		case first != "":
			w.add(p, "key %q differs only in case from key %q", key, first)
			known = false
		case !known:
			if name, ok := foldedField(fields, fk); ok {
				w.add(p, "unknown field %q; keys are case-sensitive: write %q", key, name)
			} else {
				w.add(p, "unknown field %q", key)
			}
		}
		seen[key] = true
		if folded[fk] == "" {
			folded[fk] = key
		}
		if known {
			err = w.value(p, ft, depth)
		} else {
			err = w.skip(depth)
		}
		if err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // '}'
	return syntaxError(err)
}

// skip reads one value without checking it.
func (w *walker) skip(depth int) error {
	tok, err := w.dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		if depth >= maxDepth {
			return fmt.Errorf("not JSON this API accepts: nests deeper than %d levels", maxDepth)
		}
		return w.skipRest(depth + 1)
	}
	return nil
}

// skipRest reads the rest of an object or array whose opening delimiter
// was read.
func (w *walker) skipRest(depth int) error {
	for open := 1; open > 0; {
		tok, err := w.dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if depth+open > maxDepth {
					return fmt.Errorf("not JSON this API accepts: nests deeper than %d levels", maxDepth)
				}
				open++
			default:
				open--
			}
		}
	}
	return nil
}

// syntaxError describes a Decoder.Token failure; nil stays nil.
func syntaxError(err error) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("not JSON: %s (at byte %d)", se.Error(), se.Offset)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("not JSON: the body ends in the middle of a value")
	}
	if err != nil {
		return errors.New("not JSON")
	}
	return nil
}

func firstNonSpace(data []byte, off int) int {
	for off < len(data) && (data[off] == ' ' || data[off] == '\t' || data[off] == '\r' || data[off] == '\n') {
		off++
	}
	return off
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// isText reports whether t decodes from a JSON string through
// [encoding.TextUnmarshaler] (time.Time does).
func isText(t reflect.Type) bool { return reflect.PointerTo(t).Implements(textUnmarshaler) }

// describe names the JSON a value of type t is written as.
func describe(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.Struct && t.PkgPath() == "time" && t.Name() == "Time":
		return "a date and time in RFC 3339 form, such as \"2026-05-01T09:00:00Z\""
	case isText(t):
		return "a string of the right form"
	}
	switch t.Kind() {
	case reflect.Struct:
		return "an object"
	case reflect.Slice:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range, without fraction or exponent"
	}
	return "a value of another type"
}

// numberFits reports whether the JSON number s decodes into t.
func numberFits(s string, t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err := strconv.ParseInt(s, 10, t.Bits())
		return err == nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		_, err := strconv.ParseUint(s, 10, t.Bits())
		return err == nil
	}
	return false
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps the JSON names of struct type t's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		m[name] = sf.Type
	}
	fieldCache.Store(t, m)
	return m
}

// foldedField returns the field name whose fold is fk.
func foldedField(fields map[string]reflect.Type, fk string) (string, bool) {
	for name := range fields {
		if foldKey(name) == fk {
			return name, true
		}
	}
	return "", false
}

// foldKey maps every rune of s to the smallest rune of its Unicode simple
// case-folding orbit, so two keys have the same fold exactly when
// encoding/json's case-insensitive matching treats them as equal (it also
// folds the Kelvin sign and the long s, which the orbits include).
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// escapePointer escapes a key as a JSON pointer token (RFC 6901).
func escapePointer(key string) string {
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}
