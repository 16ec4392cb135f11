package schema

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/policy"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// customMessages explains violations of keywords whose generic message
// would be unhelpful (a long regular expression) or would hide the domain
// rule. Keys are schema locations; %s is the offending value, quoted.
var customMessages = map[string]string{
	"/$defs/key/pattern":                                         "%s must match " + policy.KeyPattern,
	"/$defs/duration/pattern":                                    "%s must be an ISO 8601 duration with whole-number parts, such as P3M or P1Y2M10DT2H30M",
	"/$defs/duration/not":                                        "%s must be an ISO 8601 duration with whole-number parts, such as P3M or P1Y2M10DT2H30M",
	"/$defs/language/pattern":                                    "%s is not a BCP 47 language tag in hyphen syntax, such as pt-BR",
	"/$defs/language/not":                                        "%s is not a language",
	"/$defs/domain/pattern":                                      "%s must be a lower-case domain name with a dot, such as example.com",
	"/$defs/domain/format":                                       "%s is not a valid host name (at most 253 characters, labels of 1 to 63)",
	"/properties/version/pattern":                                "must not be blank",
	"/$defs/purpose/allOf/0/then/properties/default/const":       `a purpose whose legal_basis is "consent" cannot default to granted (a pre-ticked box is not consent)`,
	"/$defs/purpose/allOf/1/then/properties/double_opt_in/const": `applies only to purposes whose legal_basis is "consent"`,
}

// msgRequired is the message for a missing member.
const msgRequired = "is required"

// schemaProblems validates a generic JSON value against the config schema
// and returns one problem per violated leaf keyword. oversized reports a
// list longer than the schema allows: such a document is not handed to the
// semantic checks, some of whose costs grow with the square of a list.
func schemaProblems(doc any) (ps policy.Problems, oversized bool) {
	err := configSchema.Validate(doc)
	if err == nil {
		return nil, false
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return policy.Problems{{Path: "", Message: "cannot validate: " + err.Error()}}, true
	}
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			ps = append(ps, explain(e, doc)...)
			kw := e.KeywordLocation[strings.LastIndexByte(e.KeywordLocation, '/')+1:]
			oversized = oversized || kw == "maxItems"
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return ps, oversized
}

// explain turns one leaf violation into problems: one per missing or
// unknown property, else one at the instance location.
func explain(e *jsonschema.ValidationError, doc any) policy.Problems {
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
	parentLoc := strings.Join(tokens[:len(tokens)-1], "/")
	if parentLoc != "" {
		parentLoc = "/" + parentLoc
	}
	node, _ := resolve(configSchemaDoc, parentLoc)
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
		props, _ := rules["properties"].(map[string]any)
		allowed := make([]string, 0, len(props))
		for name := range props {
			allowed = append(allowed, name)
		}
		slices.Sort(allowed)
		var ps policy.Problems
		for name := range obj {
			if _, ok := props[name]; !ok {
				ps = append(ps, policy.Problem{
					Path:    path + policy.Pointer(name),
					Message: fmt.Sprintf("unknown field %q (allowed here: %s)", name, strings.Join(allowed, ", ")),
				})
			}
		}
		if len(ps) > 0 {
			return ps
		}
	}
	return policy.Problems{{Path: path, Message: message(keyword, loc, rules, value, e.Message)}}
}

// message explains a violation of keyword, at schema location loc with the
// keyword's sibling rules, by the instance value.
func message(keyword, loc string, rules map[string]any, value any, fallback string) string {
	if m, ok := customMessages[loc]; ok {
		if strings.Contains(m, "%s") {
			return fmt.Sprintf(m, describe(value))
		}
		return m
	}
	rule := rules[keyword]
	switch keyword {
	case "type":
		return fmt.Sprintf("must be %s, not %s", article(fmt.Sprint(rule)), article(typeOf(value)))
	case "enum":
		opts := make([]string, 0)
		for _, o := range anys(rule) {
			opts = append(opts, describe(o))
		}
		return fmt.Sprintf("must be one of %s; not %s", strings.Join(opts, ", "), describe(value))
	case "const":
		return fmt.Sprintf("must be %s", describe(rule))
	case "pattern":
		return fmt.Sprintf("%s does not match %s", describe(value), rule)
	case "format":
		return fmt.Sprintf("%s is not a valid %s", describe(value), rule)
	case "minimum":
		return fmt.Sprintf("must be at least %v, not %s", rule, describe(value))
	case "maximum":
		return fmt.Sprintf("must be at most %v, not %s", rule, describe(value))
	case "minLength":
		if fmt.Sprint(rule) == "1" {
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %v characters long", rule)
	case "maxLength":
		s, _ := value.(string)
		return fmt.Sprintf("must be at most %v characters long, not %d", rule, len([]rune(s)))
	case "minItems", "maxItems":
		n := len(anys(value))
		if fmt.Sprint(rules["minItems"]) == fmt.Sprint(rules["maxItems"]) {
			return fmt.Sprintf("must list exactly %v items, not %d", rule, n)
		}
		if keyword == "minItems" {
			return fmt.Sprintf("must list at least %v items, not %d", rule, n)
		}
		return fmt.Sprintf("must list at most %v items, not %d", rule, n)
	case "not":
		return fmt.Sprintf("%s is not allowed here", describe(value))
	}
	return orDefault(fallback, "is invalid")
}

// describe shows a JSON value briefly: scalars as JSON, containers by kind.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return fmt.Sprint(v)
	}
}

// typeOf names the JSON type of a generic value.
func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	default:
		return "number"
	}
}

func article(noun string) string {
	switch {
	case noun == "" || noun == "null":
		return noun
	case strings.ContainsAny(noun[:1], "aeiou"):
		return "an " + noun
	default:
		return "a " + noun
	}
}

func anys(v any) []any {
	a, _ := v.([]any)
	return a
}

func stringsOf(v any) []string {
	var out []string
	for _, x := range anys(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// unescapeLocation turns a location reported by the validator, whose
// reference tokens are also URL path escaped, into a plain JSON pointer.
func unescapeLocation(loc string) string {
	tokens := splitPointer(loc)
	for i, t := range tokens {
		if u, err := url.PathUnescape(t); err == nil {
			tokens[i] = u
		}
	}
	if len(tokens) == 0 {
		return ""
	}
	return "/" + strings.Join(tokens, "/")
}

// resolve returns the value a JSON pointer names inside a generic value.
func resolve(v any, pointer string) (any, bool) {
	for _, t := range splitPointer(pointer) {
		t = unescapeToken(t)
		switch c := v.(type) {
		case map[string]any:
			next, ok := c[t]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(c) || strconv.Itoa(i) != t {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}
