package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/liaisonhq/liaison/policy"
)

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(c *policy.Config)
		path   string // the JSON pointer the problem must name
		phrase string // and a phrase of its message
	}{
		{"two top roles", func(c *policy.Config) { c.Roles[2].Rank = 40 }, "/roles", "exactly one role"},
		{"duplicate role", func(c *policy.Config) { c.Roles[1].Key = "normal" }, "/roles/1/key", "duplicate"},
		{"bad role key", func(c *policy.Config) { c.Roles[0].Key = "Normal" }, "/roles/0/key", "must match"},
		{"rank zero", func(c *policy.Config) { c.Roles[0].Rank = 0 }, "/roles/0/rank", "between 1"},
		{"unknown inherited role", func(c *policy.Config) { c.Roles[1].Inherits = []string{"nobody"} }, "/roles/1/inherits/0", "unknown role"},
		{"inherit higher rank", func(c *policy.Config) { c.Roles[0].Inherits = []string{"business"} }, "/roles/0/inherits/0", "higher rank"},
		{"inheritance cycle", func(c *policy.Config) {
			c.Roles[1].Rank = 10
			c.Roles[0].Inherits = []string{"business"}
		}, "/roles/", "inheritance cycle"},
		{"self inheritance", func(c *policy.Config) { c.Roles[0].Inherits = []string{"normal"} }, "/roles/0/inherits/0", "itself"},
		{"duplicate permission", func(c *policy.Config) {
			c.Roles[0].Permissions = append(c.Roles[0].Permissions, policy.ViewContacts)
		}, "/roles/0/permissions/3", "twice"},
		{"consent purpose granted by default", func(c *policy.Config) { c.Purposes[0].LegalBasis = policy.Consent }, "/purposes/0/default", "pre-ticked"},
		{"unknown legal basis", func(c *policy.Config) { c.Purposes[0].LegalBasis = "vibes" }, "/purposes/0/legal_basis", "must be"},
		{"double opt-in without consent", func(c *policy.Config) { c.Purposes[0].DoubleOptIn = true }, "/purposes/0/double_opt_in", "applies only"},
		{"min above max", func(c *policy.Config) { c.Slots[0].Min = 4 }, "/slots/0/min", "exceeds max"},
		{"negative min", func(c *policy.Config) { c.Slots[6].Min = -1 }, "/slots/6/min", "between 0"},
		{"unknown slot purpose", func(c *policy.Config) { c.Slots[3].Purpose = "spam" }, "/slots/3/purpose", "unknown purpose"},
		{"duplicate slot", func(c *policy.Config) { c.Slots[1].Key = "primary" }, "/slots/1/key", "duplicate"},
		{"primary falls back to itself", func(c *policy.Config) { c.Slots[0].FallbackToPrimary = true }, "/slots/0/fallback_to_primary", "itself"},
		{"fallback without primary", func(c *policy.Config) { c.Slots[0].Key = "main" }, "/slots/1/fallback_to_primary", "needs a slot"},
		{"no review interval", func(c *policy.Config) { c.ReviewInterval = policy.Duration{} }, "/review_interval", "positive"},
		{"bad change mode", func(c *policy.Config) { c.ChangeMode = "yolo" }, "/change_mode", "must be"},
		{"underscore language", func(c *policy.Config) { c.Languages.Default = "en_US" }, "/languages/default", "hyphens"},
		{"und language", func(c *policy.Config) { c.Languages.Supported[1] = "und" }, "/languages/supported/1", "not a language"},
		{"default not supported", func(c *policy.Config) { c.Languages.Default = "it" }, "/languages/default", "supported"},
		{"bad domain", func(c *policy.Config) { c.AllowedEmailDomains = []string{"Example.com"} }, "/allowed_email_domains/0", "lower-case"},
		{"unknown mandatory field", func(c *policy.Config) { c.MandatoryFields = []policy.Field{"shoe_size"} }, "/mandatory_fields/0", "unknown field"},
		{"unknown separation role", func(c *policy.Config) {
			c.SeparationOfDuties = []policy.RolePair{{Roles: [2]string{"admin", "auditor"}}}
		}, "/separation_of_duties/0/roles/1", "unknown role"},
		{"separation pair twice", func(c *policy.Config) {
			c.SeparationOfDuties = []policy.RolePair{{Roles: [2]string{"admin", "business"}}, {Roles: [2]string{"business", "admin"}}}
		}, "/separation_of_duties/1", "twice"},
		{"no version", func(c *policy.Config) { c.Version = " v1" }, "/version", "white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := policy.Default()
			tt.edit(&cfg)
			err := cfg.Validate()
			var ps policy.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Validate() = %v, want Problems", err)
			}
			for _, p := range ps {
				if strings.HasPrefix(p.Path, tt.path) && strings.Contains(p.Message, tt.phrase) {
					return
				}
			}
			t.Errorf("Validate() = %v; want a problem at %s mentioning %q", err, tt.path, tt.phrase)
			if _, err := policy.New(cfg); err == nil {
				t.Error("New accepted the invalid config")
			}
		})
	}
}

func TestConfig_Validate_default(t *testing.T) {
	if err := policy.Default().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
}

func TestPointer(t *testing.T) {
	if got, want := policy.Pointer("roles", 2, "a/b~c"), "/roles/2/a~1b~0c"; got != want {
		t.Errorf("Pointer = %q, want %q", got, want)
	}
}
