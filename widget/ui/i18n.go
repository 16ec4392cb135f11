package ui

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// languages are the UI's languages, the first the fallback.
var languages = []string{"en", "pt-BR", "es", "fr", "de"}

// T returns message id in lang, formatted with args. An unknown language
// falls back to English; an unknown ID shows itself, so a missing text is
// visible rather than blank.
func T(lang, id string, args ...any) string {
	s, ok := catalog[lang][id]
	if !ok {
		if s, ok = catalog["en"][id]; !ok {
			return id
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// pickLang chooses the UI language from the viewer's preferred languages
// (navigator.languages, most preferred first). Each preference is tried as
// it is, then by its primary language ("pt-PT" → "pt", which the
// Portuguese UI serves, "fr-CA" → "fr"); the first that matches wins, and
// English when none does. Tags compare case-insensitively, with "_" read
// as "-".
func pickLang(prefs []string) string {
	for _, p := range prefs {
		p = strings.ReplaceAll(strings.TrimSpace(p), "_", "-")
		if p == "" {
			continue
		}
		for _, l := range languages {
			if strings.EqualFold(p, l) {
				return l
			}
		}
		base, _, _ := strings.Cut(p, "-")
		for _, l := range languages {
			lb, _, _ := strings.Cut(l, "-")
			if strings.EqualFold(base, lb) {
				return l
			}
		}
	}
	return languages[0]
}

// browserLanguages reads navigator.languages, or navigator.language where
// the list is missing; nothing outside a browser.
func browserLanguages() []string {
	if !app.IsClient {
		return nil
	}
	nav := app.Window().Get("navigator")
	list := nav.Get("languages")
	var out []string
	if list.Truthy() {
		for i := range list.Length() {
			out = append(out, list.Index(i).String())
		}
	}
	if len(out) == 0 {
		if l := nav.Get("language"); l.Truthy() {
			out = append(out, l.String())
		}
	}
	return out
}
