package ui

import (
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// verbRE finds format verbs; an explicit argument index ("%[2]s") lets a
// translation reorder arguments, so it is compared without it.
var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func verbs(s string) []string {
	var out []string
	for _, m := range verbRE.FindAllStringSubmatch(s, -1) {
		v := m[0]
		if m[1] != "" {
			v = "%" + v[len(m[1])+1:]
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func TestCatalog(t *testing.T) {
	en := catalog["en"]
	if len(en) == 0 {
		t.Fatal("the English catalog is empty")
	}
	for _, lang := range languages {
		msgs, ok := catalog[lang]
		if !ok {
			t.Errorf("language %s has no catalog", lang)
			continue
		}
		for id, base := range en {
			s, ok := msgs[id]
			switch {
			case !ok:
				t.Errorf("%s: message %q is missing", lang, id)
			case s == "":
				t.Errorf("%s: message %q is empty", lang, id)
			default:
				if diff := cmp.Diff(verbs(base), verbs(s)); diff != "" {
					t.Errorf("%s: message %q has other format verbs than English (-en +%s):\n%s", lang, id, lang, diff)
				}
			}
		}
		for id := range msgs {
			if _, ok := en[id]; !ok {
				t.Errorf("%s: message %q is not in the English catalog", lang, id)
			}
		}
	}
	for lang := range catalog {
		if !slices.Contains(languages, lang) {
			t.Errorf("catalog has language %s, which languages does not list", lang)
		}
	}
}

// TestCatalog_indexedVerbs checks that a translation reordering its
// arguments names each of them once.
func TestCatalog_indexedVerbs(t *testing.T) {
	idx := regexp.MustCompile(`%\[(\d+)\]`)
	for lang, msgs := range catalog {
		for id, s := range msgs {
			ms := idx.FindAllStringSubmatch(s, -1)
			if len(ms) == 0 {
				continue
			}
			seen := map[string]bool{}
			for _, m := range ms {
				if seen[m[1]] {
					t.Errorf("%s: %q uses argument %s twice", lang, id, m[1])
				}
				seen[m[1]] = true
			}
			if len(ms) != len(verbs(s)) {
				t.Errorf("%s: %q mixes indexed and plain verbs", lang, id)
			}
		}
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		name, lang, id string
		args           []any
		want           string
	}{
		{"plain", "de", msgCancel, nil, "Abbrechen"},
		{"formatted", "en", msgShown, []any{3}, "Contacts shown: 3."},
		{"reordered arguments", "pt-BR", msgFindMissingField, []any{"c1", "phone"}, "Falta phone no contato c1."},
		{"unknown language falls back to English", "xx", msgCancel, nil, "Cancel"},
		{"unknown ID shows itself", "en", "no_such_message", nil, "no_such_message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := T(tt.lang, tt.id, tt.args...); got != tt.want {
				t.Errorf("T(%q, %q) = %q, want %q", tt.lang, tt.id, got, tt.want)
			}
		})
	}
}

func TestPickLang(t *testing.T) {
	tests := []struct {
		prefs []string
		want  string
	}{
		{nil, "en"},
		{[]string{"pt-BR", "en"}, "pt-BR"},
		{[]string{"pt"}, "pt-BR"},
		{[]string{"pt-PT", "de"}, "pt-BR"},
		{[]string{"PT_br"}, "pt-BR"},
		{[]string{"fr-CA"}, "fr"},
		{[]string{"es-419"}, "es"},
		{[]string{"ja", "de-AT", "fr"}, "de"},
		{[]string{"ja", "zh"}, "en"},
		{[]string{"", " en-GB "}, "en"},
	}
	for _, tt := range tests {
		if got := pickLang(tt.prefs); got != tt.want {
			t.Errorf("pickLang(%q) = %q, want %q", tt.prefs, got, tt.want)
		}
	}
}
