package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/policy"
)

// defaultDoc returns the default preset as a generic document to edit.
func defaultDoc(t testing.TB) map[string]any {
	t.Helper()
	data, err := presetJSON("default")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// edited returns the default preset changed by edit, as JSON.
func edited(t testing.TB, edit func(m map[string]any)) []byte {
	t.Helper()
	m := defaultDoc(t)
	edit(m)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func item(m map[string]any, list string, i int) map[string]any {
	return m[list].([]any)[i].(map[string]any)
}

func role(m map[string]any, i int) map[string]any    { return item(m, "roles", i) }
func slot(m map[string]any, i int) map[string]any    { return item(m, "slots", i) }
func purpose(m map[string]any, i int) map[string]any { return item(m, "purposes", i) }

// problems returns the Problems in err, failing the test for any other
// error.
func problems(t *testing.T, err error) policy.Problems {
	t.Helper()
	if err == nil {
		return nil
	}
	var ps policy.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v (%T) is not policy.Problems", err, err)
	}
	return ps
}

// longDomain is a lower-case domain name that matches the domain pattern
// label by label but is longer than the 253 characters a host name may
// have: of the schema's checks only the "hostname" format assertion catches
// it (policy.ValidDomain checks the length too).
var longDomain = strings.Repeat(strings.Repeat("a", 60)+".", 4) + "example.com"

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name   string
		input  []byte
		want   policy.Problems
		reason string
	}{
		{
			name:  "default preset is valid",
			input: edited(t, func(m map[string]any) {}),
		},

		// The text of the document.
		{
			name:  "not JSON",
			input: []byte("roles: [owner]\n"),
			want:  policy.Problems{{Path: "", Message: "not JSON: invalid character 'r' looking for beginning of value (line 1, column 1)"}},
		},
		{
			name:  "empty document",
			input: []byte(" \n"),
			want:  policy.Problems{{Path: "", Message: "not JSON: the document is empty"}},
		},
		{
			name:  "truncated document",
			input: []byte(`{"version": "1", "roles": [`),
			want:  policy.Problems{{Path: "", Message: "not JSON: unexpected end of the document (line 1, column 28)"}},
		},
		{
			name:   "trailing data",
			input:  append(edited(t, func(m map[string]any) {}), []byte("\n{}")...),
			want:   policy.Problems{{Path: "", Message: "not JSON: unexpected data after the document (line 2, column 1)"}},
			reason: "json.Unmarshal would refuse this, but a json.Decoder would silently read the first document only",
		},
		{
			name:  "trailing white space is fine",
			input: append(edited(t, func(m map[string]any) {}), []byte(" \n\t\r\n")...),
		},
		{
			name:  "invalid UTF-8",
			input: []byte("{\"version\": \"v\xff1\"}"),
			want:  policy.Problems{{Path: "", Message: "not JSON: invalid UTF-8 (line 1, column 15)"}},
		},
		{
			name:   "duplicate key",
			input:  []byte(`{"version": "1", "change_mode": "review", "change_mode": "direct"}`),
			want:   policy.Problems{{Path: "/change_mode", Message: `duplicate key "change_mode"`}},
			reason: "encoding/json keeps the last duplicate; a reviewer reading the first would be misled",
		},
		{
			name:  "duplicate key in a nested object",
			input: []byte(`{"roles": [{"key": "a", "rank": 1, "key": "b"}]}`),
			want:  policy.Problems{{Path: "/roles/0/key", Message: `duplicate key "key"`}},
		},
		{
			name:   "case variant of a field name",
			input:  []byte(`{"version": "1", "Roles": []}`),
			want:   policy.Problems{{Path: "/Roles", Message: `key "Roles" must be written "roles"`}},
			reason: "encoding/json matches field names ignoring case",
		},
		{
			name:  "case variant of a nested field name",
			input: []byte(`{"roles": [{"key": "a", "RANK": 1}]}`),
			want:  policy.Problems{{Path: "/roles/0/RANK", Message: `key "RANK" must be written "rank"`}},
		},
		{
			name:   "Unicode case variant of a field name",
			input:  []byte(`{"ſlots": []}`),
			want:   policy.Problems{{Path: "/ſlots", Message: `key "ſlots" must be written "slots"`}},
			reason: "encoding/json folds the long s to s, as strings.EqualFold does",
		},
		{
			name:  "keys that differ only in case",
			input: []byte(`{"role": 1, "Role": 2}`),
			want:  policy.Problems{{Path: "/Role", Message: `key "Role" differs only in case from key "role"`}},
		},
		{
			name:  "number with a fraction",
			input: []byte(`{"roles": [{"key": "a", "rank": 1.0}]}`),
			want:  policy.Problems{{Path: "/roles/0/rank", Message: "1.0 must be a whole number written without fraction or exponent, such as 3"}},
		},
		{
			name:   "number with an exponent",
			input:  []byte(`{"roles": [{"key": "a", "rank": 1e999999999}]}`),
			want:   policy.Problems{{Path: "/roles/0/rank", Message: "1e999999999 must be a whole number written without fraction or exponent, such as 3"}},
			reason: "the validator would expand the exponent into a huge rational number",
		},
		{
			name:  "nested too deep",
			input: []byte(`{"x": ` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`),
			want:  policy.Problems{{Path: "/x/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0", Message: "nests deeper than 32 levels"}},
		},
		{
			name:  "too large",
			input: []byte(`"` + strings.Repeat("x", MaxConfigSize) + `"`),
			want:  policy.Problems{{Path: "", Message: "is 1048578 bytes; a config may be at most 1048576 bytes"}},
		},

		// The schema.
		{
			name:  "not an object",
			input: []byte(`[]`),
			want:  policy.Problems{{Path: "", Message: "must be an object, not an array"}},
		},
		{
			name:   "missing required members",
			reason: "policy also finds fault with the zero values, but the absence is the fault",
			input:  []byte(`{}`),
			want: policy.Problems{
				{Path: "/change_mode", Message: "is required"},
				{Path: "/languages", Message: "is required"},
				{Path: "/review_interval", Message: "is required"},
				{Path: "/roles", Message: "is required"},
				{Path: "/slots", Message: "is required"},
				{Path: "/version", Message: "is required"},
			},
		},
		{
			name: "unknown field",
			input: edited(t, func(m map[string]any) {
				m["owner"] = "alice"
				role(m, 0)["label"] = "x"
			}),
			want: policy.Problems{
				{Path: "/owner", Message: `unknown field "owner" (allowed here: allowed_email_domains, change_mode, languages, mandatory_fields, purposes, review_interval, roles, separation_of_duties, slots, version)`},
				{Path: "/roles/0/label", Message: `unknown field "label" (allowed here: inherits, key, name, permissions, rank)`},
			},
		},
		{
			name: "wrong types",
			input: edited(t, func(m map[string]any) {
				m["version"] = 3
				slot(m, 0)["groups"] = "yes"
				m["slots"].([]any)[1] = nil
			}),
			want: policy.Problems{
				{Path: "/slots/0/groups", Message: "must be a boolean, not a string"},
				{Path: "/slots/1", Message: "must be an object, not null"},
				{Path: "/version", Message: "must be a string, not a number"},
			},
		},
		{
			name:  "unknown action",
			input: edited(t, func(m map[string]any) { role(m, 0)["permissions"] = []any{"contacts.view", "contacts.delete"} }),
			want: policy.Problems{{Path: "/roles/0/permissions/1", Message: `must be one of "contacts.view", "support.open", "account.discuss", ` +
				`"billing.manage", "contacts.edit", "roles.grant", "roles.revoke", "slots.manage", "consent.manage", "groups.manage", ` +
				`"invitations.send", "changes.submit", "review.confirm", "audit.view", "ownership.transfer", "account.close"; not "contacts.delete"`}},
		},
		{
			name:  "bad slot kind",
			input: edited(t, func(m map[string]any) { slot(m, 0)["kind"] = "topic" }),
			want:  policy.Problems{{Path: "/slots/0/kind", Message: `must be "point_of_contact" or "topic_section", not "topic"`}},
		},
		{
			name:  "bad legal basis",
			input: edited(t, func(m map[string]any) { purpose(m, 0)["legal_basis"] = "vital_interest" }),
			want:  policy.Problems{{Path: "/purposes/0/legal_basis", Message: `must be "legitimate_interest", "contract" or "consent", not "vital_interest"`}},
		},
		{
			name:  "bad review interval",
			input: edited(t, func(m map[string]any) { m["review_interval"] = "3 months" }),
			want:  policy.Problems{{Path: "/review_interval", Message: `"3 months" must be an ISO 8601 duration with whole-number parts, such as P3M or P1Y2M10DT2H30M`}},
		},
		{
			name:   "review interval with a dangling T",
			input:  edited(t, func(m map[string]any) { m["review_interval"] = "P1DT" }),
			want:   policy.Problems{{Path: "/review_interval", Message: `"P1DT" must be an ISO 8601 duration with whole-number parts, such as P3M or P1Y2M10DT2H30M`}},
			reason: "the pattern alone would allow it; the schema's not-pattern catches it",
		},
		{
			name:  "review interval part too large",
			input: edited(t, func(m map[string]any) { m["review_interval"] = "P1000001D" }),
			want:  policy.Problems{{Path: "/review_interval", Message: `"P1000001D" must be an ISO 8601 duration with whole-number parts, such as P3M or P1Y2M10DT2H30M`}},
		},
		{
			name:  "bad mandatory field",
			input: edited(t, func(m map[string]any) { m["mandatory_fields"] = []any{"birthday"} }),
			want:  policy.Problems{{Path: "/mandatory_fields/0", Message: `unknown field "birthday" (known: phone, title, kind)`}},
		},
		{
			name:  "rank above the schema maximum",
			input: edited(t, func(m map[string]any) { role(m, 3)["rank"] = 10_000_000 }),
			want:  policy.Problems{{Path: "/roles/3/rank", Message: "must be between 1 and 1000000, not 10000000"}},
		},
		{
			name: "separation pair of three roles",
			input: edited(t, func(m map[string]any) {
				m["separation_of_duties"] = []any{map[string]any{"roles": []any{"normal", "business", "admin"}}}
			}),
			want: policy.Problems{{Path: "/separation_of_duties/0/roles", Message: "must list exactly 2 items, not 3"}},
		},
		{
			name:   "bad format value",
			input:  edited(t, func(m map[string]any) { m["allowed_email_domains"] = []any{"example.com", longDomain} }),
			want:   policy.Problems{{Path: "/allowed_email_domains/1", Message: `"` + longDomain + `" must be a lower-case domain name with a dot, such as example.com`}},
			reason: "only the hostname format limits the total length, so this fails only when format is asserted",
		},
		{
			name:  "upper-case domain",
			input: edited(t, func(m map[string]any) { m["allowed_email_domains"] = []any{"Example.com"} }),
			want:  policy.Problems{{Path: "/allowed_email_domains/0", Message: `"Example.com" must be a lower-case domain name with a dot, such as example.com`}},
		},
		{
			name:  "language with an underscore",
			input: edited(t, func(m map[string]any) { m["languages"] = map[string]any{"default": "pt_BR"} }),
			want:  policy.Problems{{Path: "/languages/default", Message: `"pt_BR" must use hyphens, not underscores (BCP 47, such as pt-BR)`}},
		},
		{
			name:  "und is not a language",
			input: edited(t, func(m map[string]any) { m["languages"] = map[string]any{"default": "UND"} }),
			want:  policy.Problems{{Path: "/languages/default", Message: `"UND" is not a language`}},
		},

		{
			name: "list over the schema limit",
			input: edited(t, func(m map[string]any) {
				langs := []any{"en"}
				for i := range 60_000 {
					langs = append(langs, fmt.Sprintf("en-x%d", i))
				}
				m["languages"] = map[string]any{"default": "it", "supported": langs}
			}),
			want:   policy.Problems{{Path: "/languages/supported", Message: "must list at most 500 items, not 60001"}},
			reason: "an oversized list stops validation before the policy checks, so the default language is not checked",
		},

		// The semantic rules of policy.Config.Validate.
		{
			name:  "blank version",
			input: edited(t, func(m map[string]any) { m["version"] = " " }),
			want:  policy.Problems{{Path: "/version", Message: "must be 1 to 100 characters without leading or trailing white space"}},
		},
		{
			name:  "no roles",
			input: edited(t, func(m map[string]any) { m["roles"] = []any{} }),
			want:  policy.Problems{{Path: "/roles", Message: "must list at least one role"}},
		},
		{
			name:  "bad role key",
			input: edited(t, func(m map[string]any) { role(m, 0)["key"] = "Normal" }),
			want: policy.Problems{
				{Path: "/roles/0/key", Message: `"Normal" must match ^[a-z][a-z0-9_]{0,39}$`},
				{Path: "/roles/1/inherits/0", Message: `unknown role "normal"`},
			},
		},
		{
			name:  "duplicate role key",
			input: edited(t, func(m map[string]any) { role(m, 1)["key"] = "normal" }),
			want: policy.Problems{
				{Path: "/roles/1/key", Message: `duplicate role key "normal" (also /roles/0)`},
				{Path: "/roles/2/inherits/0", Message: `unknown role "business"`},
			},
		},
		{
			name:  "rank below one",
			input: edited(t, func(m map[string]any) { role(m, 0)["rank"] = 0 }),
			want:  policy.Problems{{Path: "/roles/0/rank", Message: "must be between 1 and 1000000, not 0"}},
		},
		{
			name:  "permission listed twice",
			input: edited(t, func(m map[string]any) { role(m, 1)["permissions"] = []any{"billing.manage", "billing.manage"} }),
			want:  policy.Problems{{Path: "/roles/1/permissions/1", Message: `"billing.manage" is listed twice`}},
		},
		{
			name:   "two top roles",
			input:  edited(t, func(m map[string]any) { role(m, 2)["rank"] = 40 }),
			want:   policy.Problems{{Path: "/roles", Message: "exactly one role must hold the top rank 40; admin, owner share it"}},
			reason: "the top role is the owner role; two would make ownership ambiguous",
		},
		{
			name:  "unknown inherited role",
			input: edited(t, func(m map[string]any) { role(m, 1)["inherits"] = []any{"staff"} }),
			want:  policy.Problems{{Path: "/roles/1/inherits/0", Message: `unknown role "staff"`}},
		},
		{
			name:  "role inherits itself",
			input: edited(t, func(m map[string]any) { role(m, 1)["inherits"] = []any{"business"} }),
			want: policy.Problems{
				{Path: "/roles/1/inherits", Message: "inheritance cycle business → business"},
				{Path: "/roles/1/inherits/0", Message: `role "business" cannot inherit itself`},
			},
		},
		{
			name:  "role inherits a higher rank",
			input: edited(t, func(m map[string]any) { role(m, 0)["inherits"] = []any{"admin"} }),
			want: policy.Problems{
				{Path: "/roles/0/inherits", Message: "inheritance cycle normal → admin → business → normal"},
				{Path: "/roles/0/inherits/0", Message: `role "normal" (rank 10) cannot inherit "admin" of higher rank 30`},
			},
		},
		{
			name: "inheritance cycle among equal ranks",
			input: edited(t, func(m map[string]any) {
				m["roles"] = append(m["roles"].([]any),
					map[string]any{"key": "auditor", "rank": 20, "inherits": []any{"clerk"}},
					map[string]any{"key": "clerk", "rank": 20, "inherits": []any{"auditor"}})
			}),
			want: policy.Problems{{Path: "/roles/4/inherits", Message: "inheritance cycle auditor → clerk → auditor"}},
		},
		{
			name:  "inherited role listed twice",
			input: edited(t, func(m map[string]any) { role(m, 1)["inherits"] = []any{"normal", "normal"} }),
			want:  policy.Problems{{Path: "/roles/1/inherits/1", Message: `"normal" is listed twice`}},
		},
		{
			name: "separation of duties",
			input: edited(t, func(m map[string]any) {
				m["separation_of_duties"] = []any{
					map[string]any{"roles": []any{"business", "admin"}},
					map[string]any{"roles": []any{"admin", "business"}},
					map[string]any{"roles": []any{"normal", "normal"}},
					map[string]any{"roles": []any{"normal", "auditor"}},
				}
			}),
			want: policy.Problems{
				{Path: "/separation_of_duties/1", Message: "pair admin/business is listed twice (also /separation_of_duties/0)"},
				{Path: "/separation_of_duties/2/roles", Message: `a pair needs two different roles, not "normal" twice`},
				{Path: "/separation_of_duties/3/roles/1", Message: `unknown role "auditor"`},
			},
		},
		{
			name:  "duplicate slot key",
			input: edited(t, func(m map[string]any) { slot(m, 1)["key"] = "primary" }),
			want: policy.Problems{
				{Path: "/slots/1/fallback_to_primary", Message: "the primary slot cannot fall back to itself"},
				{Path: "/slots/1/key", Message: `duplicate slot key "primary"`},
			},
		},
		{
			name:  "min above max",
			input: edited(t, func(m map[string]any) { slot(m, 0)["min"] = 4 }),
			want:  policy.Problems{{Path: "/slots/0/min", Message: "min 4 exceeds max 3"}},
		},
		{
			name:  "slot depends on an unknown purpose",
			input: edited(t, func(m map[string]any) { slot(m, 3)["purpose"] = "newsletter" }),
			want:  policy.Problems{{Path: "/slots/3/purpose", Message: `unknown purpose "newsletter"`}},
		},
		{
			name:  "primary falls back to itself",
			input: edited(t, func(m map[string]any) { slot(m, 0)["fallback_to_primary"] = true }),
			want:  policy.Problems{{Path: "/slots/0/fallback_to_primary", Message: "the primary slot cannot fall back to itself"}},
		},
		{
			name:  "fallback without a primary slot",
			input: edited(t, func(m map[string]any) { slot(m, 0)["key"] = "main" }),
			want: policy.Problems{
				{Path: "/slots/1/fallback_to_primary", Message: `needs a slot with key "primary"`},
				{Path: "/slots/2/fallback_to_primary", Message: `needs a slot with key "primary"`},
			},
		},
		{
			name:  "duplicate purpose key",
			input: edited(t, func(m map[string]any) { purpose(m, 1)["key"] = "usage_interviews" }),
			want: policy.Problems{
				{Path: "/purposes/1/key", Message: `duplicate purpose key "usage_interviews"`},
				{Path: "/slots/3/purpose", Message: `unknown purpose "product_updates"`},
			},
		},
		{
			name:   "consent basis defaulting to granted",
			input:  edited(t, func(m map[string]any) { purpose(m, 0)["legal_basis"] = "consent" }),
			want:   policy.Problems{{Path: "/purposes/0/default", Message: `a purpose whose legal_basis is "consent" cannot default to granted (a pre-ticked box is not consent)`}},
			reason: "GDPR Recital 32 and Planet49: a pre-ticked box is not consent",
		},
		{
			name: "consent basis not granted by default",
			input: edited(t, func(m map[string]any) {
				purpose(m, 0)["legal_basis"] = "consent"
				purpose(m, 0)["default"] = false
				purpose(m, 0)["double_opt_in"] = true
			}),
		},
		{
			name:  "double opt-in on a legitimate interest",
			input: edited(t, func(m map[string]any) { purpose(m, 0)["double_opt_in"] = true }),
			want:  policy.Problems{{Path: "/purposes/0/double_opt_in", Message: `applies only to purposes whose legal_basis is "consent"`}},
		},
		{
			name:  "zero review interval",
			input: edited(t, func(m map[string]any) { m["review_interval"] = "P0D" }),
			want:  policy.Problems{{Path: "/review_interval", Message: "must be a positive ISO 8601 duration such as P3M"}},
		},
		{
			name:  "bad change mode",
			input: edited(t, func(m map[string]any) { m["change_mode"] = "Direct" }),
			want:  policy.Problems{{Path: "/change_mode", Message: `must be "direct" or "review", not "Direct"`}},
		},
		{
			name: "default language not supported",
			input: edited(t, func(m map[string]any) {
				m["languages"] = map[string]any{"default": "it", "supported": []any{"en", "de", "en"}}
			}),
			want: policy.Problems{
				{Path: "/languages/default", Message: `"it" must be one of the supported languages`},
				{Path: "/languages/supported/2", Message: `"en" is listed twice`},
			},
		},
		{
			name:  "domain listed twice",
			input: edited(t, func(m map[string]any) { m["allowed_email_domains"] = []any{"example.com", "example.com"} }),
			want:  policy.Problems{{Path: "/allowed_email_domains/1", Message: `"example.com" is listed twice`}},
		},
		{
			name:  "mandatory field listed twice",
			input: edited(t, func(m map[string]any) { m["mandatory_fields"] = []any{"phone", "phone"} }),
			want:  policy.Problems{{Path: "/mandatory_fields/1", Message: `"phone" is listed twice`}},
		},
		{
			name: "problems from every stage, sorted by path",
			input: edited(t, func(m map[string]any) {
				m["allowed_email_domains"] = []any{longDomain}
				slot(m, 3)["max"] = 1
				slot(m, 3)["min"] = 2
				role(m, 0)["rank"] = 0
				purpose(m, 0)["legal_basis"] = "consent"
			}),
			want: policy.Problems{
				{Path: "/allowed_email_domains/0", Message: `"` + longDomain + `" must be a lower-case domain name with a dot, such as example.com`},
				{Path: "/purposes/0/default", Message: `a purpose whose legal_basis is "consent" cannot default to granted (a pre-ticked box is not consent)`},
				{Path: "/roles/0/rank", Message: "must be between 1 and 1000000, not 0"},
				{Path: "/slots/3/min", Message: "min 2 exceeds max 1"},
			},
			reason: "the schema finds the host name, policy the min; where both find fault (rank, default) the policy message stands alone",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ValidateConfig(tt.input)
			got := problems(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ValidateConfig problems mismatch (-want +got):\n%s", diff)
				if tt.reason != "" {
					t.Logf("why: %s", tt.reason)
				}
			}
			if err != nil && !cmp.Equal(cfg, policy.Config{}) {
				t.Errorf("ValidateConfig returned a config with its error: %+v", cfg)
			}
		})
	}
}

func TestValidateConfig_FormatAsserted(t *testing.T) {
	doc := defaultDoc(t)
	doc["allowed_email_domains"] = []any{longDomain}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	instance, ps := readDocument(data)
	if len(ps) > 0 {
		t.Fatal(ps)
	}

	t.Run("without format assertion the value passes", func(t *testing.T) {
		lax, err := compileSchema(configSchemaURL, configSchemaJSON, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := lax.Validate(instance); err != nil {
			t.Fatalf("the test value must pass everything but the format, got %v", err)
		}
		if err := (policy.Config{}).Validate(); err == nil {
			t.Fatal("sanity: the zero config must be invalid")
		}
	})
	t.Run("the compiled schema asserts format", func(t *testing.T) {
		if err := configSchema.Validate(instance); err == nil {
			t.Fatal("configSchema accepted a host name longer than 253 characters: format is not asserted")
		}
		_, err := ValidateConfig(data)
		got := problems(t, err)
		want := policy.Problems{{Path: "/allowed_email_domains/0", Message: `"` + longDomain + `" must be a lower-case domain name with a dot, such as example.com`}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ValidateConfig problems mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestValidateConfig_ReturnsConfig(t *testing.T) {
	data := edited(t, func(m map[string]any) {
		m["review_interval"] = "P0Y6M"
		m["mandatory_fields"] = []any{"title"}
	})
	got, err := ValidateConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	want := policy.Default()
	want.ReviewInterval = policy.Duration{Months: 6}
	want.MandatoryFields = []policy.Field{policy.FieldTitle}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ValidateConfig mismatch (-want +got):\n%s", diff)
	}
}

func TestComparePointers(t *testing.T) {
	sorted := []string{"", "/a", "/a/2", "/a/10", "/a/b", "/a~1b", "/b", "/roles", "/roles/2/key", "/roles/10"}
	for i := range sorted {
		for j := range sorted {
			got := comparePointers(sorted[i], sorted[j])
			if (got < 0) != (i < j) || (got == 0) != (i == j) {
				t.Errorf("comparePointers(%q, %q) = %d", sorted[i], sorted[j], got)
			}
		}
	}
}

func TestFoldKey(t *testing.T) {
	keys := []string{"roles", "Roles", "ROLES", "ſlots", "slots", "Kind", "\u212aind", "kind", "straße", "STRASSE", "É", "é", "", "a_b", "A_B"}
	for _, a := range keys {
		for _, b := range keys {
			if got, want := foldKey(a) == foldKey(b), strings.EqualFold(a, b); got != want {
				t.Errorf("foldKey(%q) == foldKey(%q) is %v, strings.EqualFold says %v", a, b, got, want)
			}
		}
	}
}

func TestValidateConfig_Concurrent(t *testing.T) {
	good := edited(t, func(m map[string]any) {})
	bad := edited(t, func(m map[string]any) { m["allowed_email_domains"] = []any{longDomain} })
	done := make(chan error)
	for i := range 8 {
		go func() {
			var err error
			for range 20 {
				if i%2 == 0 {
					_, err = ValidateConfig(good)
				} else if _, verr := ValidateConfig(bad); verr == nil {
					err = errors.New("bad config accepted")
				}
				if err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
