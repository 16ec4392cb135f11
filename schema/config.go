package schema

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/policy"
)

// ValidateConfig reads a config document and returns it decoded, or a
// [policy.Problems] error listing every problem found, sorted by path and
// without repeats. It applies, in order, the text checks, the JSON Schema of
// [ConfigSchema], strict decoding and [policy.Config.Validate], as the
// package documentation describes. When an error is returned the Config is
// the zero value: a config is used whole or not at all.
//
// Where the schema and the semantic rules find fault with the same value,
// only the semantic message, which names the domain rule, is kept.
func ValidateConfig(data []byte) (policy.Config, error) {
	doc, ps := readDocument(data)
	if len(ps) > 0 {
		return policy.Config{}, normalize(ps)
	}
	structural, oversized := schemaProblems(doc)
	if oversized {
		return policy.Config{}, normalize(structural)
	}
	cfg, err := decodeConfig(data)
	if err != nil {
		if len(structural) == 0 {
			// The schema accepted what Go cannot decode: the two disagree.
			// FuzzConfig hunts for this; fail closed if it ever happens.
			structural = policy.Problems{{Path: "", Message: "cannot decode: " + err.Error()}}
		}
		return policy.Config{}, normalize(structural)
	}
	var semantic policy.Problems
	if err := cfg.Validate(); err != nil && !errors.As(err, &semantic) {
		semantic = policy.Problems{{Path: "", Message: err.Error()}}
	}
	if len(structural) == 0 && len(semantic) == 0 {
		return cfg, nil
	}
	return policy.Config{}, normalize(merge(structural, semantic))
}

// decodeConfig decodes data into a Config, refusing unknown fields.
func decodeConfig(data []byte) (policy.Config, error) {
	var cfg policy.Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return policy.Config{}, err
	}
	return cfg, nil
}

// merge joins schema and semantic problems. Where both name the same
// path they describe one fault, and the semantic message, which names the
// domain rule, is kept. Where the schema found a member missing, what the
// semantic rules say about its zero value at or below that path is dropped:
// the absence is the fault.
func merge(structural, semantic policy.Problems) policy.Problems {
	covered := make(map[string]bool, len(semantic))
	for _, p := range semantic {
		covered[p.Path] = true
	}
	var missing []string
	for _, p := range structural {
		if p.Message == msgRequired {
			missing = append(missing, p.Path)
		}
	}
	out := make(policy.Problems, 0, len(structural)+len(semantic))
	for _, p := range structural {
		if p.Message == msgRequired || !covered[p.Path] {
			out = append(out, p)
		}
	}
	for _, p := range semantic {
		if !slices.ContainsFunc(missing, func(m string) bool { return within(p.Path, m) }) {
			out = append(out, p)
		}
	}
	return out
}

// within reports whether pointer p names base or something inside it.
func within(p, base string) bool {
	return p == base || strings.HasPrefix(p, base+"/")
}

// normalize sorts problems by path, then message, and drops repeats.
func normalize(ps policy.Problems) policy.Problems {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b policy.Problem) int {
		if c := comparePointers(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return slices.Compact(ps)
}

// comparePointers orders JSON pointers token by token, numbers by value, so
// /roles/2 comes before /roles/10 and a parent before its children.
func comparePointers(a, b string) int {
	if a == b {
		return 0
	}
	ta, tb := splitPointer(a), splitPointer(b)
	for i := range min(len(ta), len(tb)) {
		if c := compareTokens(ta[i], tb[i]); c != 0 {
			return c
		}
	}
	return len(ta) - len(tb)
}

func compareTokens(a, b string) int {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	switch {
	case ea == nil && eb == nil:
		return cmp.Compare(na, nb)
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// splitPointer returns the escaped reference tokens of a JSON pointer.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

// unescapeToken decodes one reference token (RFC 6901).
func unescapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}
