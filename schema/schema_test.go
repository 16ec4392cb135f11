package schema

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/policy"
)

func TestConfigSchema(t *testing.T) {
	t.Run("is the embedded document", func(t *testing.T) {
		got := ConfigSchema()
		if diff := cmp.Diff(string(configSchemaJSON), string(got)); diff != "" {
			t.Fatalf("ConfigSchema mismatch (-want +got):\n%s", diff)
		}
		got[0] = 'X'
		if ConfigSchema()[0] == 'X' {
			t.Error("ConfigSchema returned the embedded slice itself")
		}
	})
	t.Run("declares draft 2020-12", func(t *testing.T) {
		doc := schemaDoc(t)
		if got, want := doc["$schema"], "https://json-schema.org/draft/2020-12/schema"; got != want {
			t.Errorf("$schema = %v, want %v", got, want)
		}
	})
	t.Run("closes every object", func(t *testing.T) {
		// Conditions (if/then) only add rules to an object schema that
		// is closed already, so they have no type of their own.
		objects := 0
		walkSchema(schemaDoc(t), "", func(loc string, node map[string]any) {
			if node["type"] != "object" {
				return
			}
			objects++
			if node["additionalProperties"] != false {
				t.Errorf("%s is an object schema without additionalProperties: false", loc)
			}
		})
		if objects != 6 {
			t.Errorf("found %d object schemas, want 6 (config, role, role_pair, slot, purpose, languages)", objects)
		}
	})
}

// TestConfigSchema_MatchesConfig holds the schema to the JSON form of
// policy.Config: the same members at every level, required exactly where
// encoding/json always writes the member (no omitempty), so a marshalled
// Config always carries what the schema requires.
func TestConfigSchema_MatchesConfig(t *testing.T) {
	doc := schemaDoc(t)
	defs := doc["$defs"].(map[string]any)
	deref := func(node map[string]any) map[string]any {
		if ref, ok := node["$ref"].(string); ok {
			return defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		return node
	}
	var check func(path string, typ reflect.Type, node map[string]any)
	check = func(path string, typ reflect.Type, node map[string]any) {
		node = deref(node)
		if structured(typ) == nil {
			if node["type"] != "string" && node["enum"] == nil {
				t.Errorf("%s: %v decodes from a string, the schema says %v", path, typ, node["type"])
			}
			return
		}
		switch typ.Kind() {
		case reflect.Struct:
			props, _ := node["properties"].(map[string]any)
			var names, required []string
			for i := range typ.NumField() {
				sf := typ.Field(i)
				name, ok := jsonName(sf)
				if !ok {
					continue
				}
				names = append(names, name)
				if !strings.Contains(sf.Tag.Get("json"), ",omitempty") {
					required = append(required, name)
				}
				sub, ok := props[name].(map[string]any)
				if !ok {
					t.Errorf("%s: field %s (%q) is missing from the schema", path, sf.Name, name)
					continue
				}
				check(path+"/"+name, sf.Type, sub)
			}
			for name := range props {
				if !slices.Contains(names, name) {
					t.Errorf("%s: schema property %q is no field of %v", path, name, typ)
				}
			}
			slices.Sort(required)
			got := stringsOf(node["required"])
			slices.Sort(got)
			if diff := cmp.Diff(required, got); diff != "" {
				t.Errorf("%s: required mismatch (-fields without omitempty +schema):\n%s", path, diff)
			}
		case reflect.Slice, reflect.Array:
			if node["type"] != "array" {
				t.Errorf("%s: %v is a JSON array, the schema says %v", path, typ, node["type"])
			}
			items, _ := node["items"].(map[string]any)
			check(path+"/*", typ.Elem(), items)
		case reflect.String:
			if node["type"] != "string" && node["enum"] == nil {
				t.Errorf("%s: %v is a string, the schema says %v", path, typ, node["type"])
			}
		case reflect.Int:
			if node["type"] != "integer" {
				t.Errorf("%s: %v is an integer, the schema says %v", path, typ, node["type"])
			}
		case reflect.Bool:
			if node["type"] != "boolean" {
				t.Errorf("%s: %v is a boolean, the schema says %v", path, typ, node["type"])
			}
		default:
			t.Errorf("%s: no check for %v", path, typ)
		}
	}
	check("", reflect.TypeFor[policy.Config](), doc)
}

// TestConfigSchema_Enums holds the schema's closed lists to the policy
// package's constants, so a new action or kind cannot be forgotten.
func TestConfigSchema_Enums(t *testing.T) {
	doc := schemaDoc(t)
	at := func(pointer string) []string {
		v, ok := resolve(doc, pointer)
		if !ok {
			t.Fatalf("schema has no %s", pointer)
		}
		return stringsOf(v)
	}
	var actions []string
	for _, a := range policy.Actions() {
		actions = append(actions, a.String())
	}
	tests := []struct {
		name    string
		pointer string
		want    []string
	}{
		{"actions", "/$defs/action/enum", actions},
		{"slot kinds", "/$defs/slot/properties/kind/enum", []string{string(policy.PointOfContact), string(policy.TopicSection)}},
		{"legal bases", "/$defs/purpose/properties/legal_basis/enum", []string{string(policy.LegitimateInterest), string(policy.Contract), string(policy.Consent)}},
		{"change modes", "/properties/change_mode/enum", []string{string(policy.Direct), string(policy.Review)}},
		{"mandatory fields", "/properties/mandatory_fields/items/enum", []string{string(policy.FieldPhone), string(policy.FieldTitle), string(policy.FieldKind)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, at(tt.pointer)); diff != "" {
				t.Errorf("%s mismatch (-policy +schema):\n%s", tt.pointer, diff)
			}
		})
	}
	t.Run("key pattern", func(t *testing.T) {
		if got, _ := resolve(doc, "/$defs/key/pattern"); got != policy.KeyPattern {
			t.Errorf("key pattern = %v, want policy.KeyPattern %s", got, policy.KeyPattern)
		}
	})
	t.Run("custom messages name real keywords", func(t *testing.T) {
		for loc := range customMessages {
			if _, ok := resolve(doc, loc); !ok {
				t.Errorf("customMessages names %s, which the schema does not have", loc)
			}
		}
	})
}

func schemaDoc(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(configSchemaJSON, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// walkSchema calls f for every schema object in node.
func walkSchema(node any, loc string, f func(loc string, node map[string]any)) {
	switch n := node.(type) {
	case map[string]any:
		f(loc, n)
		for k, v := range n {
			if k == "enum" || k == "const" || k == "required" {
				continue
			}
			walkSchema(v, loc+policy.Pointer(k), f)
		}
	case []any:
		for i, v := range n {
			walkSchema(v, loc+policy.Pointer(i), f)
		}
	}
}
