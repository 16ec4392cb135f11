package notify

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/liaisonhq/liaison/contacts"
)

// embedded copies the embedded templates into a MapFS a test can change.
func embedded(t *testing.T) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(templateFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		out[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTemplates(t *testing.T) {
	if len(templates) != len(languages) {
		t.Errorf("templates in %d languages, want %d", len(templates), len(languages))
	}
	for lang, byKind := range templates {
		if len(byKind) != len(specs) {
			t.Errorf("%s: %d kinds, want %d", lang, len(byKind), len(specs))
		}
	}
	if err := fstest.TestFS(templateFS, "templates/en/common.txt", "templates/de/slot_removed.txt"); err != nil {
		t.Error(err)
	}
}

func TestMustParseTemplates_panics(t *testing.T) {
	tests := []struct {
		name   string
		change func(fstest.MapFS)
		want   string
	}{
		{"missing kind", func(f fstest.MapFS) { delete(f, "templates/fr/owner_changed.txt") }, "owner_changed.txt"},
		{"missing common", func(f fstest.MapFS) { delete(f, "templates/es/common.txt") }, "common.txt"},
		{"unknown kind", func(f fstest.MapFS) { f["templates/de/fax.txt"] = &fstest.MapFile{Data: []byte("x\n\ny")} }, "fax.txt"},
		{"unknown language", func(f fstest.MapFS) { f["templates/it/fax.txt"] = &fstest.MapFile{Data: []byte("x\n\ny")} }, "templates/it"},
		{"no blank line after the subject", func(f fstest.MapFS) {
			f["templates/en/test_message.txt"] = &fstest.MapFile{Data: []byte("Subject\nBody")}
		}, "blank line"},
		{"broken action", func(f fstest.MapFS) {
			f["templates/pt-BR/test_message.txt"] = &fstest.MapFile{Data: []byte("Teste {{.org_name}\n\nCorpo")}
		}, "test_message"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := embedded(t)
			tc.change(f)
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tc.want) {
					if err, ok := r.(error); !ok || !strings.Contains(err.Error(), tc.want) {
						t.Errorf("panic %v, want one naming %q", r, tc.want)
					}
				}
			}()
			mustParseTemplates(f)
		})
	}
}

// TestTemplates_misspeltKey shows that a key the kind does not provide
// fails at render time rather than printing "<no value>".
func TestTemplates_misspeltKey(t *testing.T) {
	f := embedded(t)
	f["templates/en/slot_removed.txt"] = &fstest.MapFile{Data: []byte("No longer {{.slotname}}\n\nBody")}
	p := mustParseTemplates(f)["en"][contacts.SlotRemoved]
	data, err := templateData(contacts.Message{Kind: contacts.SlotRemoved, OrgName: "Acme", Data: map[string]string{"slot_name": "Billing"}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := p.subject.Execute(&b, data); err == nil || !strings.Contains(err.Error(), "slotname") {
		t.Errorf("Execute = %v, want an error naming slotname", err)
	}
}
