package schema

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
	"unicode"
	"unicode/utf8"

	"github.com/liaisonhq/liaison/policy"
)

// MaxConfigSize is the largest config document [ValidateConfig] reads, in
// bytes. A real config is a few kilobytes.
const MaxConfigSize = 1 << 20

// maxDepth bounds nesting; a config is at most four levels deep.
const maxDepth = 32

// A frame is one open object or array during the token walk.
type frame struct {
	path   string
	typ    reflect.Type // Go type the value decodes into; nil when unknown
	object bool

	// Objects.
	m       map[string]any
	key     string            // key of the value being read
	wantKey bool              // the next token is a key
	seen    map[string]bool   // keys seen so far
	folded  map[string]string // case-folded key → first key with that fold

	// Arrays.
	a []any
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// A reader walks a JSON document token by token and builds the generic
// value a schema validates. It refuses what encoding/json would accept
// silently: duplicate keys, and keys that match a sibling or a field name of
// root only when case is ignored. Syntax errors end the walk; other problems
// are collected. A config and a contact record are read alike, differing
// only in these settings.
type reader struct {
	root     reflect.Type // the Go type the document decodes into
	maxSize  int
	what     string // names the document in messages: "a config"
	unit     string // what is complete when the root closes: "document"
	maxDepth int
	// integers refuses numbers written with a fraction or an exponent.
	integers bool
	position func(data []byte, off int) string
	syntax   func(data []byte, dec *json.Decoder, err error) policy.Problem
}

// configReader reads configs. Every number in a config is an integer, and
// big exponents are costly to check, so only plain integers are admitted.
var configReader = reader{root: reflect.TypeFor[policy.Config](), maxSize: MaxConfigSize, what: "a config", unit: "document",
	maxDepth: maxDepth, integers: true, position: position, syntax: syntaxProblem}

// readDocument reads a config document.
func readDocument(data []byte) (any, policy.Problems) { return configReader.read(data) }

func (r reader) read(data []byte) (any, policy.Problems) {
	if len(data) > r.maxSize {
		return nil, policy.Problems{{Path: "", Message: fmt.Sprintf("is %d bytes; %s may be at most %d bytes", len(data), r.what, r.maxSize)}}
	}
	if !utf8.Valid(data) {
		return nil, policy.Problems{{Path: "", Message: "not JSON: invalid UTF-8 " + r.position(data, validPrefix(data))}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()

	var (
		ps    policy.Problems
		stack []*frame
		root  any
		done  bool
	)
	// place stores a finished value in its parent, or as the root.
	place := func(v any) {
		if len(stack) == 0 {
			root, done = v, true
			return
		}
		top := stack[len(stack)-1]
		if top.object {
			top.m[top.key] = v
			top.wantKey = true
		} else {
			top.a = append(top.a, v)
		}
	}
	// where returns the path and Go type of the value about to be read.
	where := func() (string, reflect.Type) {
		if len(stack) == 0 {
			return "", r.root
		}
		top := stack[len(stack)-1]
		if top.object {
			return top.path + policy.Pointer(top.key), fieldType(top.typ, top.key)
		}
		return top.path + policy.Pointer(len(top.a)), elemType(top.typ)
	}

	for !done {
		tok, err := dec.Token()
		if err != nil {
			return nil, append(ps, r.syntax(data, dec, err))
		}
		if len(stack) > 0 {
			if top := stack[len(stack)-1]; top.object && top.wantKey {
				if d, ok := tok.(json.Delim); ok && d == '}' {
					stack = stack[:len(stack)-1]
					place(top.m)
					continue
				}
				key, ok := tok.(string)
				if !ok { // Decoder.Token returns only strings here; fail closed anyway
					return nil, append(ps, policy.Problem{Path: top.path, Message: fmt.Sprintf("not JSON: object key %v is not a string", tok)})
				}
				ps = append(ps, checkKey(top, key)...)
				top.key, top.wantKey = key, false
				top.seen[key] = true
				if fk := foldKey(key); top.folded[fk] == "" {
					top.folded[fk] = key
				}
				continue
			}
		}
		path, typ := where()
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if len(stack) >= r.maxDepth {
					return nil, append(ps, policy.Problem{Path: path, Message: fmt.Sprintf("nests deeper than %d levels", r.maxDepth)})
				}
				f := &frame{path: path, typ: typ, object: v == '{'}
				if f.object {
					f.m, f.seen, f.folded, f.wantKey = map[string]any{}, map[string]bool{}, map[string]string{}, true
				} else {
					f.a = []any{}
				}
				stack = append(stack, f)
			case ']':
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				place(top.a)
			}
		case json.Number:
			if r.integers && !isPlainInteger(string(v)) {
				ps = append(ps, policy.Problem{Path: path, Message: fmt.Sprintf("%s must be a whole number written without fraction or exponent, such as 3", v)})
			}
			place(v)
		default: // string, bool, nil
			place(v)
		}
	}
	// Exactly one document: anything but white space after it is refused.
	if off := firstNonSpace(data, int(dec.InputOffset())); off < len(data) {
		return nil, append(ps, policy.Problem{Path: "", Message: "not JSON: unexpected data after the " + r.unit + " " + r.position(data, off)})
	}
	return root, ps
}

func firstNonSpace(data []byte, off int) int {
	for off < len(data) && isSpace(data[off]) {
		off++
	}
	return off
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// checkKey reports a key that repeats a sibling, or that encoding/json
// would match to a sibling or to a field only by ignoring case.
func checkKey(f *frame, key string) policy.Problems {
	path := f.path + policy.Pointer(key)
	if f.seen[key] {
		return policy.Problems{{Path: path, Message: fmt.Sprintf("duplicate key %q", key)}}
	}
	if k, ok := f.folded[foldKey(key)]; ok {
		return policy.Problems{{Path: path, Message: fmt.Sprintf("key %q differs only in case from key %q", key, k)}}
	}
	if f.typ != nil && f.typ.Kind() == reflect.Struct {
		if name, ok := foldField(f.typ, key); ok && name != key {
			return policy.Problems{{Path: path, Message: fmt.Sprintf("key %q must be written %q", key, name)}}
		}
	}
	return nil
}

// foldKey maps every rune of s to the smallest rune of its Unicode simple
// case-folding orbit, so two keys have the same fold exactly when
// strings.EqualFold (and encoding/json's field matching) treats them as
// equal. A map of folds finds case variants among many keys in linear time.
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

// isPlainInteger reports whether a JSON number literal has no fraction and
// no exponent.
func isPlainInteger(s string) bool {
	return !strings.ContainsAny(s, ".eE")
}

// jsonName returns the JSON name of a struct field, and false for fields
// encoding/json skips.
func jsonName(sf reflect.StructField) (string, bool) {
	if !sf.IsExported() {
		return "", false
	}
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = sf.Name
	}
	return name, true
}

// foldField returns the JSON name of the field of struct type t that key
// names when case is ignored, as encoding/json matches it.
func foldField(t reflect.Type, key string) (string, bool) {
	for i := range t.NumField() {
		if name, ok := jsonName(t.Field(i)); ok && strings.EqualFold(name, key) {
			return name, true
		}
	}
	return "", false
}

// fieldType returns the type of the field key of struct type t, or nil.
func fieldType(t reflect.Type, key string) reflect.Type {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		if name, ok := jsonName(t.Field(i)); ok && name == key {
			return structured(t.Field(i).Type)
		}
	}
	return nil
}

// elemType returns the element type of slice or array type t, or nil.
func elemType(t reflect.Type) reflect.Type {
	if t == nil || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) {
		return nil
	}
	return structured(t.Elem())
}

// structured returns t, or nil when t decodes from a JSON string through
// [encoding.TextUnmarshaler] and so has no fields or elements of its own.
func structured(t reflect.Type) reflect.Type {
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil
	}
	return t
}

// syntaxProblem turns a Decoder.Token error into a problem with a line and
// column.
func syntaxProblem(data []byte, dec *json.Decoder, err error) policy.Problem {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		return policy.Problem{Path: "", Message: fmt.Sprintf("not JSON: %s %s", se.Error(), position(data, int(se.Offset)-1))}
	case err == io.EOF && len(bytes.TrimSpace(data)) == 0:
		return policy.Problem{Path: "", Message: "not JSON: the document is empty"}
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return policy.Problem{Path: "", Message: "not JSON: unexpected end of the document " + position(data, len(data))}
	default:
		return policy.Problem{Path: "", Message: fmt.Sprintf("not JSON: %v %s", err, position(data, int(dec.InputOffset())))}
	}
}

// position formats a byte offset as "(line L, column C)"; columns count
// bytes from 1.
func position(data []byte, off int) string {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return "(line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col) + ")"
}

// validPrefix returns the length of the longest valid UTF-8 prefix.
func validPrefix(data []byte) int {
	off := 0
	for off < len(data) {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n <= 1 {
			return off
		}
		off += n
	}
	return off
}
