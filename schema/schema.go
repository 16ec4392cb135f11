package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// configSchemaURL is the $id of config.schema.json. The schema is compiled
// from memory; nothing is fetched from it.
const configSchemaURL = "https://github.com/liaisonhq/liaison/schema/config.schema.json"

//go:embed config.schema.json
var configSchemaJSON []byte

var (
	// configSchema is the compiled config schema, with format asserted.
	configSchema *jsonschema.Schema
	// configSchemaDoc is the parsed schema document, used to explain a
	// violation from the keyword that reported it.
	configSchemaDoc any
)

func init() {
	var err error
	configSchema, err = compileSchema(configSchemaURL, configSchemaJSON, true)
	if err == nil {
		// Numbers stay json.Number, so messages quote them as written.
		dec := json.NewDecoder(bytes.NewReader(configSchemaJSON))
		dec.UseNumber()
		err = dec.Decode(&configSchemaDoc)
	}
	if err != nil {
		// The schema is embedded: a broken one is a programmer error that
		// every test run catches.
		panic(fmt.Sprintf("schema: embedded config.schema.json: %v", err))
	}
}

// ConfigSchema returns the JSON Schema (2020-12) of a config document: the
// JSON form of [policy.Config]. The caller may modify the returned slice.
func ConfigSchema() []byte { return bytes.Clone(configSchemaJSON) }

// compileSchema compiles a JSON Schema 2020-12 document held in memory.
// Nothing is loaded from files or the network: a $ref to anything outside
// the document fails. assertFormat makes "format" a validation keyword, as
// a configuration must fail closed; it is a parameter only so a test can
// show what happens without it.
func compileSchema(url string, src []byte, assertFormat bool) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = assertFormat
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema: refusing to load %s: schemas are compiled from embedded files only", s)
	}
	if err := c.AddResource(url, bytes.NewReader(src)); err != nil {
		return nil, err
	}
	return c.Compile(url)
}
