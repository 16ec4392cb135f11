package notify

import (
	"testing"
)

func TestDateFormatter(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string // by language
	}{
		{
			in: "2026-03-01",
			want: map[string]string{
				"en":    "1 March 2026",
				"pt-BR": "1º de março de 2026",
				"es":    "1 de marzo de 2026",
				"fr":    "1er mars 2026",
				"de":    "1. März 2026",
			},
		},
		{
			in: "2026-12-24",
			want: map[string]string{
				"en":    "24 December 2026",
				"pt-BR": "24 de dezembro de 2026",
				"es":    "24 de diciembre de 2026",
				"fr":    "24 décembre 2026",
				"de":    "24. Dezember 2026",
			},
		},
		{
			in: "2026-08-02T14:05:00Z",
			want: map[string]string{
				"en":    "2 August 2026 at 14:05 UTC",
				"pt-BR": "2 de agosto de 2026, às 14:05 UTC",
				"es":    "2 de agosto de 2026, a las 14:05 UTC",
				"fr":    "2 août 2026 à 14:05 UTC",
				"de":    "2. August 2026 um 14:05 Uhr UTC",
			},
		},
		{
			// The offset given is kept: the recipient's zone is unknown.
			in: "2026-02-01T09:30:15.5-03:00",
			want: map[string]string{
				"en":    "1 February 2026 at 09:30 UTC-03:00",
				"pt-BR": "1º de fevereiro de 2026, às 09:30 UTC-03:00",
				"es":    "1 de febrero de 2026, a las 09:30 UTC-03:00",
				"fr":    "1er février 2026 à 09:30 UTC-03:00",
				"de":    "1. Februar 2026 um 09:30 Uhr UTC-03:00",
			},
		},
		{
			in:   "next Friday",
			want: map[string]string{"en": "next Friday", "pt-BR": "next Friday", "es": "next Friday", "fr": "next Friday", "de": "next Friday"},
		},
		{
			in:   "2026-02-30",
			want: map[string]string{"en": "2026-02-30", "pt-BR": "2026-02-30", "es": "2026-02-30", "fr": "2026-02-30", "de": "2026-02-30"},
		},
	}
	for _, tag := range languages {
		date := dateFormatter(tag)
		for _, tc := range tests {
			if got, want := date(tc.in), tc.want[tag.String()]; got != want {
				t.Errorf("%s: date(%q) = %q, want %q", tag, tc.in, got, want)
			}
		}
	}
	for _, tag := range languages {
		if _, ok := dateStyles[tag]; !ok {
			t.Errorf("no date style for %s", tag)
		}
	}
	if len(dateStyles) != len(languages) {
		t.Errorf("%d date styles for %d languages", len(dateStyles), len(languages))
	}
}
