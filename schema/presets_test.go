package schema

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/policy"
)

func TestPresets(t *testing.T) {
	want := []string{"client_directory", "default", "multi_role_review", "points_of_contact", "security_hierarchy", "topic_sections"}
	if diff := cmp.Diff(want, Presets()); diff != "" {
		t.Errorf("Presets mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadPreset(t *testing.T) {
	for _, name := range Presets() {
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadPreset(name)
			if err != nil {
				t.Fatalf("LoadPreset(%q): %v", name, err)
			}
			if _, err := policy.New(cfg); err != nil {
				t.Fatalf("policy.New: %v", err)
			}
			if cfg.Version == "" || cfg.Version == policy.Default().Version && name != "default" {
				t.Errorf("preset %q needs a version of its own, has %q", name, cfg.Version)
			}
		})
	}
	t.Run("default equals policy.Default", func(t *testing.T) {
		got, err := LoadPreset("default")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(policy.Default(), got); diff != "" {
			t.Errorf("presets/default.json differs from policy.Default() (-Default +preset):\n%s", diff)
		}
	})
	t.Run("each preset shows its setup", func(t *testing.T) {
		load := func(name string) *policy.Policy {
			cfg, err := LoadPreset(name)
			if err != nil {
				t.Fatal(err)
			}
			p, err := policy.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		if p := load("multi_role_review"); p.Config().ChangeMode != policy.Review || len(p.Config().SeparationOfDuties) < 2 {
			t.Error("multi_role_review: want change_mode review and separation_of_duties pairs")
		}
		if got := load("security_hierarchy").RoleKeys(); !cmp.Equal(got, []string{"owner", "admin", "business", "normal"}) {
			t.Errorf("security_hierarchy roles = %v, want owner > admin > business > normal", got)
		}
		for _, key := range []string{"primary", "billing", "technical"} {
			if s, ok := load("points_of_contact").Slot(key); !ok || !s.Groups || s.Kind != policy.PointOfContact {
				t.Errorf("points_of_contact: slot %q must be a point of contact groups may hold", key)
			}
		}
		ts := load("topic_sections")
		if len(ts.Config().MandatoryFields) == 0 {
			t.Error("topic_sections: want mandatory fields")
		}
		for _, pu := range ts.Purposes() {
			if !pu.Default {
				t.Errorf("topic_sections: purpose %q should default to granted", pu.Key)
			}
		}
	})
	t.Run("unknown preset", func(t *testing.T) {
		for _, name := range []string{"nope", "", "../config.schema", "default.json", "presets/default"} {
			_, err := LoadPreset(name)
			if !errors.Is(err, ErrUnknownPreset) {
				t.Errorf("LoadPreset(%q) = %v, want ErrUnknownPreset", name, err)
			}
		}
	})
}
