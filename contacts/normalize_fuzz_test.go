package contacts

import (
	"errors"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// The seed corpora live in testdata/fuzz/Fuzz*/; the f.Add seeds below are the
// shapes each normaliser is built for. Crashers found by fuzzing are added to
// testdata as regressions.

// checkRejection fails unless err is a *FormatError with a rule to show.
func checkRejection(t *testing.T, input string, err error) {
	t.Helper()
	fe, ok := errors.AsType[*FormatError](err)
	if !ok || fe.Rule == "" {
		t.Fatalf("%q: error %#v is not a *FormatError with a rule", input, err)
	}
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{
		"a@x.com",
		"First.Last+tag@Mail.Example.ORG",
		"user@bücher.de",
		"用户@例子.广告",
		`"a b"@x.com`,
		"Alice <a@x.com>",
		"a@x.com (c)",
		"a@[127.0.0.1]",
		"a@x.com\r\nBcc: b@y.com",
		"a\u037e@x.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizeEmail(s)
		if fast, ok := normalizeSimpleEmail(s); ok {
			if slow, err := normalizeEmail(s); err != nil || slow != fast {
				t.Fatalf("%q: the simple path gives %q, the general path %q, %v", s, fast, slow, err)
			}
		}
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		if !utf8.ValidString(out) || !norm.NFC.IsNormalString(out) {
			t.Fatalf("%q: result %q is not valid NFC UTF-8", s, out)
		}
		for _, r := range out {
			if r == '\r' || r == '\n' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
				t.Fatalf("%q: result %q contains %U", s, out, r)
			}
		}
		at := strings.LastIndexByte(out, '@')
		if at < 1 || len(out) > 254 || at > 64 {
			t.Fatalf("%q: result %q breaks the length limits", s, out)
		}
		if domain := out[at+1:]; domain != strings.ToLower(domain) || !isASCII(domain) || !strings.Contains(domain, ".") {
			t.Fatalf("%q: domain of %q is not a lower-case A-label name with a dot", s, out)
		}
		if addr, err := mail.ParseAddress(out); err != nil || addr.Name != "" || addr.Address != out {
			t.Fatalf("%q: result %q does not round-trip through net/mail: %v, %v", s, out, addr, err)
		}
		if again, err := NormalizeEmail(out); err != nil || again != out {
			t.Fatalf("%q: NormalizeEmail(%q) = (%q, %v), want it unchanged", s, out, again, err)
		}
		link := (&url.URL{Scheme: "mailto", Opaque: out}).String()
		u, err := url.Parse(link)
		if err != nil || u.Scheme != "mailto" || u.Opaque != out || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q: mailto link %q does not parse back to %q: %#v, %v", s, link, out, u, err)
		}
		key := EmailKey(out)
		if EmailKey(key) != key {
			t.Fatalf("%q: EmailKey(%q) = %q is not idempotent", s, out, key)
		}
		if upper := strings.ToUpper(out[:at]) + out[at:]; EmailKey(upper) != key {
			t.Fatalf("%q: EmailKey(%q) = %q, but EmailKey(%q) = %q", s, out, key, upper, EmailKey(upper))
		}
	})
}

func FuzzLanguage(f *testing.F) {
	for _, s := range []string{
		"en-us",
		"iw",
		"zh-hant-tw",
		"sh",
		"en_US",
		"und",
		"xx-YY",
		"en-",
		"de-DE-u-co-phonebk-x-aaaaaaaa",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizeLanguage(s)
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		if len(s) > 35 || len(out) > 35 || strings.Contains(out, "_") {
			t.Fatalf("%q: accepted as %q", s, out)
		}
		if tag, err := language.Parse(out); err != nil || tag.String() != out {
			t.Fatalf("%q: language.Parse(%q) = (%q, %v), want it unchanged", s, out, tag, err)
		}
		if again, err := NormalizeLanguage(out); err != nil || again != out {
			t.Fatalf("%q: NormalizeLanguage(%q) = (%q, %v), want it unchanged", s, out, again, err)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, seed := range []struct{ s, region string }{
		{"+1 650 253 0000", ""},
		{"(650) 253-0000", "US"},
		{"044 668 18 00", "CH"},
		{"02 1234 5678", "IT"},
		{"+1 650 253 0000 ext. 123", ""},
		{"00 41 44 668 18 00", "DE"},
		{"tel:+1-650-253-0000;phone-context=+1", "US"},
		{"１-８００-ＦＬＯＷＥＲＳ", "US"},
	} {
		f.Add(seed.s, seed.region)
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		out, err := NormalizePhone(s, region)
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		digits := strings.TrimPrefix(out, "+")
		if digits == out || digits == "" || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("(%q, %q): result %q is not E.164", s, region, out)
		}
		num, err := phonenumbers.Parse(out, "")
		if err != nil || phonenumbers.Format(num, phonenumbers.E164) != out {
			t.Fatalf("(%q, %q): %q does not re-parse to itself: %v", s, region, out, err)
		}
		for _, r := range []string{"", region} {
			if again, err := NormalizePhone(out, r); err != nil || again != out {
				t.Fatalf("(%q, %q): NormalizePhone(%q, %q) = (%q, %v), want it unchanged", s, region, out, r, again, err)
			}
		}
	})
}
