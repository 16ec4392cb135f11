// Package schema holds Liaison's JSON Schemas, embedded with go:embed, and
// the presets for common setups. It is the only package that imports the
// JSON Schema validator.
//
// [ValidateConfig] reads a config document and fails closed. It checks, in
// order:
//
//  1. the text: valid UTF-8, one JSON document and nothing after it, no
//     duplicate keys, no key that differs only in case from a sibling or
//     from a field name (encoding/json would match such keys silently and
//     keep the last duplicate), and integers written as integers;
//  2. the JSON Schema of [ConfigSchema] (JSON Schema 2020-12, with "format"
//     asserted rather than treated as an annotation), which also bounds the
//     length of every list;
//  3. strict decoding into [policy.Config], which refuses unknown fields;
//  4. the rules a schema cannot express, from [policy.Config.Validate]:
//     unknown and cyclic role references, one top-ranked role, min <= max.
//
// Every problem comes back in one [policy.Problems] value, each with the
// JSON pointer of the offending value. A document whose text is ambiguous
// (step 1), or that has a list longer than the schema allows, is not
// interpreted further.
//
// [LoadPreset] returns one of the configs shipped in schema/presets, for the
// setups [Presets] lists; "default" is [policy.Default].
package schema
