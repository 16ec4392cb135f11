package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/liaisonhq/liaison/policy"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// contactSchemaURL is the $id of contact.schema.json, compiled from memory
// like the config schema.
const contactSchemaURL = "https://github.com/liaisonhq/liaison/schema/contact.schema.json"

//go:embed contact.schema.json
var contactSchemaJSON []byte

// MaxContactSize is the largest contact record [ParseContact] reads, in
// bytes: one line of a JSON Lines import. A real record is a few hundred.
const MaxContactSize = 16 << 10

// maxContactDepth bounds nesting in a record, whose deepest member (roles)
// is two levels down; a little more lets the schema name a wrong type.
const maxContactDepth = 8

var (
	// contactSchema is the compiled contact schema, with format asserted.
	contactSchema *jsonschema.Schema
	// contactSchemaDoc is the parsed schema document, used to explain a
	// violation from the keyword that reported it.
	contactSchemaDoc any
)

func init() {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	// The validator knows "email" but not "idn-email" (RFC 6531), which
	// the schema uses so that addresses such as jörg@bücher.example pass
	// here and reach the contacts service, whose rules are the real ones.
	c.Formats["idn-email"] = isIDNEmail
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema: refusing to load %s: schemas are compiled from embedded files only", s)
	}
	err := c.AddResource(contactSchemaURL, bytes.NewReader(contactSchemaJSON))
	if err == nil {
		contactSchema, err = c.Compile(contactSchemaURL)
	}
	if err == nil {
		err = json.Unmarshal(contactSchemaJSON, &contactSchemaDoc)
	}
	if err != nil {
		panic(fmt.Sprintf("schema: embedded contact.schema.json: %v", err))
	}
}

// ContactSchema returns the JSON Schema (2020-12) of one contact record of
// an import or export file. The caller may modify the returned slice.
func ContactSchema() []byte { return bytes.Clone(contactSchemaJSON) }

// A ContactRecord is one contact of an import or export file, as
// contact.schema.json describes it. Name to Availability are what an import
// sets, in the form the contacts service takes as a new contact; ID to
// Status are read-only: export writes them and import ignores them.
//
// A record has passed the schema, not the service's rules: an address may
// still be refused there, a language may not be supported.
type ContactRecord struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Language     string `json:"language,omitempty"`
	Phone        string `json:"phone,omitempty"`
	PhoneRegion  string `json:"phone_region,omitempty"`
	Title        string `json:"title,omitempty"`
	Kind         string `json:"kind,omitempty"`
	Availability string `json:"availability,omitempty"`

	ID           string   `json:"id,omitempty"`
	Roles        []string `json:"roles,omitempty"`
	Groups       []string `json:"groups,omitempty"`
	Verification string   `json:"verification,omitempty"`
	Status       string   `json:"status,omitempty"`
}

// ContactFields returns the members of a contact record that an import
// sets, in the order files show them: name, email, language, phone,
// phone_region, title, kind, availability. The first two are required.
func ContactFields() []string {
	return []string{"name", "email", "language", "phone", "phone_region", "title", "kind", "availability"}
}

// ContactReadOnlyFields returns the members of a contact record that export
// adds and import ignores, in the order files show them: id, roles, groups,
// verification, status.
func ContactReadOnlyFields() []string {
	return []string{"id", "roles", "groups", "verification", "status"}
}

// ContactListSeparator joins the items of a list member (roles, groups) in
// the text form of a record, a CSV cell.
const ContactListSeparator = ";"

// ContactProblems is every problem found in one contact record, each with
// the JSON pointer of the member at fault ("" for the record as a whole),
// sorted by pointer. It is the error [ParseContact] and [ContactFromText]
// return.
type ContactProblems policy.Problems

// Error lists the problems, one per line after the first.
func (ps ContactProblems) Error() string {
	if len(ps) == 1 {
		return "invalid contact record: " + ps[0].String()
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("invalid contact record: %d problems:\n\t%s", len(ps), strings.Join(lines, "\n\t"))
}

// contactError returns ps, normalized, as an error.
func contactError(ps policy.Problems) error { return ContactProblems(normalize(ps)) }

// ParseContact reads one contact record, a JSON object, and returns it, or
// a [ContactProblems] error listing every problem. Like
// [ValidateConfig] it fails closed: invalid UTF-8, anything after the
// object, duplicate keys and keys that differ only in case from a sibling
// or a member name are refused before the schema is applied; then
// contact.schema.json refuses unknown members, wrong types and malformed
// values (format asserted).
func ParseContact(data []byte) (ContactRecord, error) {
	doc, ps := readContact(data)
	if len(ps) > 0 {
		return ContactRecord{}, contactError(ps)
	}
	return checkContact(doc)
}

// ContactFromText validates a contact record given as text by member name,
// as a CSV row holds it, and returns it, or a [ContactProblems] error. An
// empty value is an absent member, and a list member (roles, groups) holds
// its items joined by [ContactListSeparator]. Names that are not members
// are refused, as unknown keys are in JSON.
func ContactFromText(fields map[string]string) (ContactRecord, error) {
	doc := make(map[string]any, len(fields))
	var ps policy.Problems
	for name, value := range fields {
		switch {
		case !utf8.ValidString(value):
			// encoding/json would turn the bad bytes into U+FFFD.
			ps = append(ps, policy.Problem{Path: policy.Pointer(name), Message: "must be valid UTF-8"})
		case value == "":
		case name == "roles" || name == "groups":
			var items []any
			for item := range strings.SplitSeq(value, ContactListSeparator) {
				items = append(items, strings.TrimSpace(item))
			}
			doc[name] = items
		default:
			doc[name] = value
		}
	}
	if len(ps) > 0 {
		return ContactRecord{}, contactError(ps)
	}
	return checkContact(doc)
}

// checkContact applies the schema to a generic record and decodes it.
func checkContact(doc any) (ContactRecord, error) {
	if ps := contactProblems(doc); len(ps) > 0 {
		return ContactRecord{}, contactError(ps)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return ContactRecord{}, contactError(policy.Problems{{Path: "", Message: "cannot encode: " + err.Error()}})
	}
	var rec ContactRecord
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		// The schema accepted what Go cannot decode: the two disagree.
		// Fail closed.
		return ContactRecord{}, contactError(policy.Problems{{Path: "", Message: "cannot decode: " + err.Error()}})
	}
	return rec, nil
}

// isIDNEmail is the "idn-email" format: a bare addr-spec, local@domain,
// that net/mail reads back as exactly itself (no display name, comment or
// angle brackets), within the lengths of RFC 5321. Unicode is allowed in
// both parts.
func isIDNEmail(v any) bool {
	s, ok := v.(string)
	if !ok {
		return true // format applies to strings only
	}
	at := strings.LastIndexByte(s, '@')
	if len(s) > 254 || at < 1 || at > 64 || !utf8.ValidString(s) {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// contactMessages explains violations whose generic message would be
// unhelpful. Keys are schema locations; %s is the offending value, quoted.
var contactMessages = map[string]string{
	"/properties/email/format":         "must be a bare email address, such as ada@example.com",
	"/properties/language/pattern":     "%s is not a BCP 47 language tag in hyphen syntax, such as pt-BR",
	"/properties/phone_region/pattern": "%s is not an ISO 3166-1 alpha-2 region code, such as CH",
	"/properties/name/minLength":       msgRequired,
}

// contactProblems validates a generic record against the contact schema
// and returns one problem per violated leaf keyword.
func contactProblems(doc any) policy.Problems {
	err := contactSchema.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return policy.Problems{{Path: "", Message: "cannot validate: " + err.Error()}}
	}
	var ps policy.Problems
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			ps = append(ps, explainContact(e, doc)...)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return ps
}

// explainContact turns one leaf violation into problems: one per missing
// or unknown member, else one at the instance location.
func explainContact(e *jsonschema.ValidationError, doc any) policy.Problems {
	path := unescapeLocation(e.InstanceLocation)
	value, _ := resolve(doc, path)
	loc := e.AbsoluteKeywordLocation
	if i := strings.IndexByte(loc, '#'); i >= 0 {
		loc = loc[i+1:]
	}
	loc = unescapeLocation(loc)
	tokens := splitPointer(loc)
	if len(tokens) == 0 {
		return policy.Problems{{Path: path, Message: orDefault(e.Message, "is invalid")}}
	}
	keyword := unescapeToken(tokens[len(tokens)-1])
	parentLoc := ""
	if len(tokens) > 1 {
		parentLoc = "/" + strings.Join(tokens[:len(tokens)-1], "/")
	}
	node, _ := resolve(contactSchemaDoc, parentLoc)
	rules, _ := node.(map[string]any)
	obj, _ := value.(map[string]any)

	switch keyword {
	case "required":
		var ps policy.Problems
		for _, name := range stringsOf(rules["required"]) {
			if _, ok := obj[name]; !ok {
				ps = append(ps, policy.Problem{Path: path + policy.Pointer(name), Message: msgRequired})
			}
		}
		if len(ps) > 0 {
			return ps
		}
	case "additionalProperties":
		known := append(ContactFields(), ContactReadOnlyFields()...)
		var ps policy.Problems
		for name := range obj {
			if !slices.Contains(known, name) {
				ps = append(ps, policy.Problem{
					Path:    path + policy.Pointer(name),
					Message: fmt.Sprintf("unknown field %q (the fields are %s)", name, strings.Join(known, ", ")),
				})
			}
		}
		if len(ps) > 0 {
			return ps
		}
	}
	if m, ok := contactMessages[loc]; ok {
		if strings.Contains(m, "%s") {
			return policy.Problems{{Path: path, Message: fmt.Sprintf(m, describe(value))}}
		}
		return policy.Problems{{Path: path, Message: m}}
	}
	return policy.Problems{{Path: path, Message: message(keyword, loc, rules, value, e.Message)}}
}

// contactReader reads one contact record: the schema judges its values
// (numbers included), the reader its keys and syntax.
var contactReader = reader{root: reflect.TypeFor[ContactRecord](), maxSize: MaxContactSize, what: "a contact record", unit: "object",
	maxDepth: maxContactDepth, position: recordPosition, syntax: recordSyntaxProblem}

// readContact reads one JSON record as [reader] reads a config.
func readContact(data []byte) (any, policy.Problems) { return contactReader.read(data) }

// recordSyntaxProblem turns a Decoder.Token error into a problem with a
// position.
func recordSyntaxProblem(data []byte, dec *json.Decoder, err error) policy.Problem {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		return policy.Problem{Path: "", Message: fmt.Sprintf("not JSON: %s %s", se.Error(), recordPosition(data, int(se.Offset)-1))}
	case err == io.EOF && len(bytes.TrimSpace(data)) == 0:
		return policy.Problem{Path: "", Message: "not JSON: the record is empty"}
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return policy.Problem{Path: "", Message: "not JSON: unexpected end of the record " + recordPosition(data, len(data))}
	default:
		return policy.Problem{Path: "", Message: fmt.Sprintf("not JSON: %v %s", err, recordPosition(data, int(dec.InputOffset())))}
	}
}

// recordPosition formats a byte offset as "at column C" for a record on
// one line, as a JSON Lines record is, and as "(line L, column C)"
// otherwise. Columns count bytes from 1.
func recordPosition(data []byte, off int) string {
	off = min(max(off, 0), len(data))
	if bytes.IndexByte(data[:off], '\n') < 0 {
		return "at column " + strconv.Itoa(off+1)
	}
	return position(data, off)
}
