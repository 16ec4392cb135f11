package schema

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/liaisonhq/liaison/policy"
)

//go:embed presets/*.json
var presetFiles embed.FS

// ErrUnknownPreset is returned (wrapped) by [LoadPreset] for a name that
// [Presets] does not list.
var ErrUnknownPreset = errors.New("unknown preset")

// Presets returns the names of the shipped presets, sorted, such as
// "default" and "points_of_contact". Each is a config document in
// schema/presets/NAME.json.
func Presets() []string {
	entries, err := fs.ReadDir(presetFiles, "presets")
	if err != nil {
		panic(fmt.Sprintf("schema: embedded presets: %v", err)) // cannot happen: the directory is embedded
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// LoadPreset returns the preset config called name, validated with
// [ValidateConfig]. The "default" preset equals [policy.Default].
func LoadPreset(name string) (policy.Config, error) {
	data, err := presetJSON(name)
	if err != nil {
		return policy.Config{}, err
	}
	cfg, err := ValidateConfig(data)
	if err != nil {
		return policy.Config{}, fmt.Errorf("schema: preset %q: %w", name, err)
	}
	return cfg, nil
}

// presetJSON returns the document of the preset called name.
func presetJSON(name string) ([]byte, error) {
	known := Presets()
	if !slices.Contains(known, name) {
		return nil, fmt.Errorf("schema: %w %q (known: %s)", ErrUnknownPreset, name, strings.Join(known, ", "))
	}
	return presetFiles.ReadFile(path.Join("presets", name+".json"))
}
