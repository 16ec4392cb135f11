package contacts

import (
	"strings"
	"testing"
)

func TestNormalizeLanguage(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    string
		wantErr string
		reason  string
	}{
		{name: "language", input: "en", want: "en"},
		{name: "region case", input: "en-us", want: "en-US"},
		{name: "language case", input: "EN-GB", want: "en-GB"},
		{name: "script case", input: "zh-hant-tw", want: "zh-Hant-TW"},
		{name: "pt-BR", input: "pt-BR", want: "pt-BR"},
		{name: "numeric region", input: "es-419", want: "es-419"},
		{name: "deprecated code", input: "iw", want: "he", reason: "x/text replaces deprecated subtags"},
		{name: "deprecated code with region", input: "in-ID", want: "id-ID"},
		{name: "legacy tag", input: "sh", want: "sr-Latn"},
		{name: "grandfathered tag", input: "i-klingon", want: "tlh"},
		{name: "variant", input: "de-CH-1996", want: "de-CH-1996"},
		{name: "unicode extension", input: "de-DE-u-co-phonebk", want: "de-DE-u-co-phonebk"},
		{name: "private-use region", input: "en-qq", want: "en-QQ", reason: "BCP 47 reserves QM-QZ for private use"},
		{name: "private use suffix", input: "en-x-custom", want: "en-x-custom"},
		{name: "35 characters", input: "en-Latn-US-u-ca-gregory-nu-latn-x-a", want: "en-Latn-US-u-ca-gregory-nu-latn-x-a"},

		{name: "empty", input: "", wantErr: "must not be empty"},
		{name: "36 characters", input: "en-Latn-US-u-ca-gregory-nu-latn-x-ab", wantErr: "language tag longer than 35 characters"},
		{name: "long garbage", input: strings.Repeat("a-", 1000), wantErr: "language tag longer than 35 characters", reason: "refused before the parser sees it"},
		{name: "underscore", input: "en_US", wantErr: "must separate subtags with hyphens, not underscores", reason: "x/text accepts en_US as en-US"},
		{name: "und", input: "und", wantErr: "must name a language, not und"},
		{name: "und with region", input: "und-US", wantErr: "must name a language, not und"},
		{name: "root", input: "root", wantErr: "must name a language, not und", reason: "x/text reads root as und"},
		{name: "private use only", input: "x-klingon", wantErr: "must name a language, not und"},
		{name: "unknown language", input: "xx-YY", wantErr: "language tag has an unknown subtag", reason: "x/text returns und with a ValueError"},
		{name: "unknown region", input: "en-JJ", wantErr: "language tag has an unknown subtag"},
		{name: "trailing hyphen", input: "en-", wantErr: "must be a well-formed BCP 47 language tag", reason: "x/text returns en with the error"},
		{name: "leading hyphen", input: "-en", wantErr: "must be a well-formed BCP 47 language tag"},
		{name: "space", input: "en US", wantErr: "must be a well-formed BCP 47 language tag"},
		{name: "surrounding space", input: " en", wantErr: "must be a well-formed BCP 47 language tag"},
		{name: "too-long subtag", input: "en-abcdefghi", wantErr: "must be a well-formed BCP 47 language tag"},
		{name: "non-ASCII", input: "én", wantErr: "must be a well-formed BCP 47 language tag"},
		{name: "NUL", input: "en\x00", wantErr: "must be a well-formed BCP 47 language tag"},
		{name: "Accept-Language header", input: "en-US,en;q=0.9", wantErr: "must be a well-formed BCP 47 language tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeLanguage(tt.input)
			checkNormalized(t, got, err, tt.want, tt.wantErr)
			if tt.wantErr != "" {
				return
			}
			again, err := NormalizeLanguage(got)
			if err != nil || again != got {
				t.Errorf("NormalizeLanguage(%q) = (%q, %v), want it unchanged", got, again, err)
			}
		})
	}
}

func BenchmarkNormalizeLanguage(b *testing.B) {
	for _, bm := range []struct{ name, input string }{
		{"canonical", "en-US"},
		{"lower-case", "zh-hant-tw"},
		{"deprecated", "iw"},
		{"rejected", "xx-YY"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = NormalizeLanguage(bm.input)
			}
		})
	}
}

// TestNormalizeLanguage_cache checks that a cached result is the parser's,
// and that refused input is refused again rather than cached.
func TestNormalizeLanguage_cache(t *testing.T) {
	for _, s := range []string{"EN-us", "pt-br", "sh", "zh-hant-tw", "de"} {
		want, err := normalizeLanguage(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		for range 2 {
			if got, err := NormalizeLanguage(s); got != want || err != nil {
				t.Errorf("%q: got %q, %v; want %q", s, got, err, want)
			}
		}
	}
	for range 2 {
		if _, err := NormalizeLanguage("en_US"); err == nil {
			t.Error(`"en_US" accepted`)
		}
	}
}
