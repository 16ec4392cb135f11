package contacts

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"
)

// maxLanguageLen caps a language tag before it reaches the parser. RFC 5646
// §4.4.1 asks implementations to hold at least 35 characters, enough for any
// language-extlang-script-region-variant tag; x/text has had parser bugs on
// hostile input (CVE-2021-38561, CVE-2022-32149).
const maxLanguageLen = 35

// NormalizeLanguage checks that s is a BCP 47 language tag (RFC 5646) in
// hyphen syntax and returns its canonical form, as x/text/language writes it:
// "en-us" becomes "en-US", the deprecated "iw" becomes "he".
//
// Refused are tags longer than 35 characters (checked before parsing), tags
// written with underscores ("en_US"), tags that do not name a language
// ("und", "und-US", private-use-only "x-…"), and anything the parser reports
// an error for, including well-formed tags with unknown subtags ("xx-YY"):
// the partial tag x/text returns alongside an error is never used.
//
// NormalizeLanguage is idempotent: normalising its result returns the result.
// Errors are [*FormatError] values.
func NormalizeLanguage(s string) (string, error) {
	if out, ok := languageCache.Load(s); ok {
		return out.(string), nil
	}
	out, err := normalizeLanguage(s)
	if err == nil && languageCacheSize.Load() < languageCacheMax {
		if _, loaded := languageCache.LoadOrStore(s, out); !loaded {
			languageCacheSize.Add(1)
		}
	}
	return out, err
}

// languageCache holds NormalizeLanguage's results for the first
// languageCacheMax inputs it accepted: a portal's contacts use a handful of
// tags, and parsing one costs a microsecond and some 400 bytes of garbage,
// which an import of a million contacts would pay a million times.
var (
	languageCache     sync.Map // input to result
	languageCacheSize atomic.Int64
)

const languageCacheMax = 1024

// normalizeLanguage is NormalizeLanguage without the cache.
func normalizeLanguage(s string) (string, error) {
	switch {
	case s == "":
		return "", formatErr("must not be empty", nil)
	case len(s) > maxLanguageLen:
		return "", formatErr("language tag longer than 35 characters", nil)
	case strings.Contains(s, "_"):
		return "", formatErr("must separate subtags with hyphens, not underscores", nil)
	}
	tag, err := language.Parse(s)
	if err != nil {
		if _, ok := errors.AsType[language.ValueError](err); ok {
			return "", formatErr("language tag has an unknown subtag", err)
		}
		return "", formatErr("must be a well-formed BCP 47 language tag", err)
	}
	if base, _, _ := tag.Raw(); base.String() == "und" {
		return "", formatErr("must name a language, not und", nil)
	}
	out := tag.String()
	// Canonicalisation can lengthen a tag ("sh" becomes "sr-Latn"), and the
	// result must pass the same checks to keep normalisation idempotent.
	if len(out) > maxLanguageLen {
		return "", formatErr("language tag longer than 35 characters", nil)
	}
	if again, err := language.Parse(out); err != nil || again.String() != out {
		return "", formatErr("language tag has no stable canonical form", err)
	}
	return out, nil
}
