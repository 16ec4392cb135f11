package schema

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.json
var openAPIJSON []byte

// OpenAPI returns the OpenAPI 3.1 document of the HTTP JSON API that
// package widget/api serves: every route, parameter and body, and the
// schemas of the responses (JSON Schema 2020-12). The widget/api tests hold
// it to exactly the routes the handler registers. The caller may modify the
// returned slice.
func OpenAPI() []byte { return bytes.Clone(openAPIJSON) }
