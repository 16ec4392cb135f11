package contacts

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// checkNormalized compares a normaliser's result with a table row: wantErr is
// the rule the error must state, or "" for success.
func checkNormalized(t *testing.T, got string, err error, want, wantErr string) {
	t.Helper()
	if wantErr != "" {
		fe, ok := errors.AsType[*FormatError](err)
		if !ok {
			t.Fatalf("got (%q, %v), want a *FormatError %q", got, err, wantErr)
		}
		if diff := cmp.Diff(wantErr, fe.Rule); diff != "" {
			t.Errorf("rule mismatch (-want +got):\n%s", diff)
		}
		if got != "" {
			t.Errorf("got %q with an error, want \"\"", got)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result mismatch (-want +got):\n%s", diff)
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    string
		wantErr string
		reason  string
	}{
		{name: "plain", input: "a@x.com", want: "a@x.com"},
		{name: "dots and plus", input: "first.last+tag@mail.example.org", want: "first.last+tag@mail.example.org"},
		{name: "atext specials", input: "o'brien&co=x{1}|~!$*^`@x.com", want: "o'brien&co=x{1}|~!$*^`@x.com"},
		{name: "local case kept", input: "Alice.Smith@x.com", want: "Alice.Smith@x.com", reason: "the local part is stored as typed; EmailKey folds it"},
		{name: "uppercase domain lower-cased", input: "a@X.COM", want: "a@x.com"},
		{name: "IDNA domain", input: "user@bücher.de", want: "user@xn--bcher-kva.de"},
		{name: "IDNA uppercase", input: "user@BÜCHER.DE", want: "user@xn--bcher-kva.de"},
		{name: "A-label kept", input: "user@xn--bcher-kva.de", want: "user@xn--bcher-kva.de"},
		{name: "eszett not transitional", input: "a@straße.de", want: "a@xn--strae-oqa.de", reason: "IDNA2008 keeps ß; transitional mapping would give strasse.de"},
		{name: "fullwidth domain mapped", input: "a@ｘ.com", want: "a@x.com", reason: "UTS #46 maps width"},
		{name: "ideographic full stop mapped", input: "a@x\u3002com", want: "a@x.com"},
		{name: "UTF-8 local part", input: "用户@例子.广告", want: "用户@xn--fsqu00a.xn--4rr70v"},
		{name: "NFC applied to local part", input: "e\u0301@x.com", want: "\u00e9@x.com"},
		{name: "64-octet local part", input: strings.Repeat("a", 64) + "@x.com", want: strings.Repeat("a", 64) + "@x.com"},
		{name: "254-octet address", input: strings.Repeat("a", 64) + "@" + longDomain(189), want: strings.Repeat("a", 64) + "@" + longDomain(189)},

		// net/mail accepts these and changes them; E1 requires refusing them.
		{name: "quoted local part with space", input: `"a b"@x.com`, wantErr: "must not have a quoted local part", reason: `net/mail returns "a b@x.com", dropping the quotes`},
		{name: "quoted local part", input: `"ab"@x.com`, wantErr: "must not have a quoted local part"},
		{name: "display name", input: "Alice <a@x.com>", wantErr: "must not have a display name or comment"},
		{name: "quoted display name", input: `"Alice" <a@x.com>`, wantErr: "must not have a display name or comment"},
		{name: "trailing comment", input: "a@x.com (c)", wantErr: "must not have a display name or comment", reason: "net/mail turns the comment into the name"},
		{name: "angle brackets", input: "<a@x.com>", wantErr: "must be a bare address, without angle brackets or comments"},
		{name: "group", input: "g: a@x.com;", wantErr: "must be a bare address, without angle brackets or comments"},
		{name: "leading space", input: " a@x.com", wantErr: "must be a bare address, without angle brackets or comments"},
		{name: "empty comment", input: "a@x.com ()", wantErr: "must be a bare address, without angle brackets or comments"},

		{name: "empty", input: "", wantErr: "must not be empty"},
		{name: "no at", input: "a.x.com", wantErr: "must be an address of the form local@domain"},
		{name: "two ats", input: "a@b@x.com", wantErr: "must be an address of the form local@domain"},
		{name: "empty local part", input: "@x.com", wantErr: "must be an address of the form local@domain"},
		{name: "double dot", input: "a..b@x.com", wantErr: "must be an address of the form local@domain"},
		{name: "trailing dot in domain", input: "a@x.com.", wantErr: "must be an address of the form local@domain"},
		{name: "no dot in domain", input: "a@localhost", wantErr: "domain must contain a dot"},
		{name: "domain literal", input: "a@[127.0.0.1]", wantErr: "must not have a domain literal"},
		{name: "IPv6 domain literal", input: "a@[IPv6:::1]", wantErr: "must be an address of the form local@domain", reason: "net/mail itself refuses ':' in a domain literal"},
		{name: "bare IP address", input: "a@127.0.0.1", wantErr: "domain must not end in a numeric label"},
		{name: "65-octet local part", input: strings.Repeat("a", 65) + "@x.com", wantErr: "local part longer than 64 octets"},
		{name: "64 characters but 65 octets", input: strings.Repeat("a", 63) + "é@x.com", wantErr: "local part longer than 64 octets"},
		{name: "255-octet address", input: strings.Repeat("a", 64) + "@" + longDomain(190), wantErr: "address longer than 254 octets"},
		{name: "A-label pushes past 254 octets", input: strings.Repeat("a", 64) + "@" + strings.Repeat("ü", 4) + "." + longDomain(180), wantErr: "address longer than 254 octets", reason: "checked again after conversion: the input is 254 octets, its A-label form longer"},
		{name: "CRLF", input: "a@x.com\r\nBcc: b@y.com", wantErr: "must not contain spaces, line breaks or control characters"},
		{name: "LF in local part", input: "a\nb@x.com", wantErr: "must not contain spaces, line breaks or control characters"},
		{name: "NUL", input: "a\x00@x.com", wantErr: "must not contain spaces, line breaks or control characters"},
		{name: "C1 control", input: "a\u0085b@x.com", wantErr: "must not contain spaces, line breaks or control characters", reason: "net/mail accepts any non-ASCII rune"},
		{name: "no-break space", input: "a\u00a0b@x.com", wantErr: "must not contain spaces, line breaks or control characters"},
		{name: "line separator", input: "a\u2028b@x.com", wantErr: "must not contain spaces, line breaks or control characters"},
		{name: "bidi override", input: "a\u202eb@x.com", wantErr: "must not contain spaces, line breaks or control characters"},
		{name: "zero-width space", input: "a\u200bb@x.com", wantErr: "must not contain spaces, line breaks or control characters"},
		{name: "invalid UTF-8", input: "a\xffb@x.com", wantErr: "must be valid UTF-8"},
		{name: "question mark", input: "a?cc=victim@x.com", wantErr: "local part must not contain %, /, ? or #", reason: "mailto:a?cc=victim@x.com would be a query"},
		{name: "hash", input: "a#b@x.com", wantErr: "local part must not contain %, /, ? or #"},
		{name: "percent", input: "a%40evil.com@x.com", wantErr: "local part must not contain %, /, ? or #", reason: "a mailto: URL decodes %40 to @"},
		{name: "leading slash", input: "/a@x.com", wantErr: "local part must not contain %, /, ? or #", reason: "mailto:/a@x.com parses as a path, not an opaque address"},
		{name: "NFC creates a special", input: "a\u037e@x.com", wantErr: "must be an address of the form local@domain", reason: "U+037E GREEK QUESTION MARK is ';' after NFC"},
		{name: "underscore in domain", input: "a@x_y.com", wantErr: "domain is not a valid domain name"},
		{name: "leading hyphen in label", input: "a@-x.com", wantErr: "domain is not a valid domain name"},
		{name: "bad punycode", input: "a@xn--a.com", wantErr: "domain is not a valid domain name"},
		{name: "64-octet label", input: "a@" + strings.Repeat("b", 64) + ".com", wantErr: "domain is not a valid domain name"},
		{name: "fullwidth at sign in domain", input: "a@x\uff20y.com", wantErr: "domain is not a valid domain name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeEmail(tt.input)
			checkNormalized(t, got, err, tt.want, tt.wantErr)
			if tt.wantErr != "" {
				return
			}
			again, err := NormalizeEmail(got)
			if err != nil || again != got {
				t.Errorf("NormalizeEmail(%q) = (%q, %v), want it unchanged", got, again, err)
			}
		})
	}
}

// longDomain returns a domain name of exactly n octets made of short labels.
func longDomain(n int) string {
	var b strings.Builder
	for b.Len()+len("x.y.com") <= n {
		b.WriteString("x.")
	}
	b.WriteString(strings.Repeat("y", n-b.Len()-len(".com")))
	b.WriteString(".com")
	return b.String()
}

func TestLongDomain(t *testing.T) {
	for n := 5; n <= maxEmailLen-len("a@"); n++ {
		d := longDomain(n)
		if len(d) != n {
			t.Fatalf("longDomain(%d) has %d octets: %q", n, len(d), d)
		}
		if _, err := NormalizeEmail("a@" + d); err != nil {
			t.Fatalf("longDomain(%d) = %q: %v", n, d, err)
		}
	}
}

func TestFormatError(t *testing.T) {
	_, err := NormalizeEmail("Alice <alice@secret.example>")
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "alice") || strings.Contains(err.Error(), "email") {
		t.Errorf("error %q repeats the value or names a field", err)
	}
	_, err = NormalizeLanguage("xx-YY")
	fe, ok := errors.AsType[*FormatError](err)
	if !ok || fe.Err == nil || !errors.Is(err, fe.Err) {
		t.Errorf("NormalizeLanguage(xx-YY) error %#v does not wrap the parser error", err)
	}
}

func TestEmailKey(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		want   string
		reason string
	}{
		{name: "ASCII", input: "Alice.Smith@x.com", want: "alice.smith@x.com"},
		{name: "already folded", input: "alice@x.com", want: "alice@x.com"},
		{name: "domain lower-cased", input: "a@X.COM", want: "a@x.com"},
		{name: "non-ASCII upper case", input: "ÉLODIE@x.fr", want: "élodie@x.fr"},
		{name: "capital sharp s", input: "STRAẞE@x.de", want: "straße@x.de"},
		{name: "sharp s is not ss", input: "Straße@x.de", want: "straße@x.de", reason: "simple case folding; a mail server sees different strings"},
		{name: "Greek final sigma", input: "ΟΔΟΣ@x.gr", want: "οδοσ@x.gr"},
		{name: "Greek final sigma lower-case", input: "οδος@x.gr", want: "οδοσ@x.gr"},
		{name: "Kelvin sign", input: "\u212aelvin@x.com", want: "kelvin@x.com"},
		{name: "titlecase digraph", input: "ǅemal@x.ba", want: "ǆemal@x.ba"},
		{name: "Cherokee small letter", input: "\uabba@x.com", want: "\uabba@x.com", reason: "x/text cases.Fold maps it to U+13EA and back"},
		{name: "Cherokee capital letter", input: "\u13ea@x.com", want: "\uabba@x.com"},
		{name: "dotted capital I", input: "\u0130@x.tr", want: "i\u0307@x.tr"},
		{name: "dotless i", input: "k\u0131r@x.tr", want: "kir@x.tr"},
		{name: "decomposed input composed", input: "E\u0301@x.com", want: "\u00e9@x.com"},
		{name: "no at", input: "ABC", want: "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EmailKey(tt.input)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("EmailKey(%q) mismatch (-want +got):\n%s", tt.input, diff)
			}
			if again := EmailKey(got); again != got {
				t.Errorf("EmailKey(%q) = %q, want it unchanged", got, again)
			}
		})
	}
}

func TestEmailInDomains(t *testing.T) {
	tests := []struct {
		name    string
		email   string
		domains []string
		want    bool
	}{
		{name: "no restriction", email: "a@x.com", domains: nil, want: true},
		{name: "empty list", email: "a@x.com", domains: []string{}, want: true},
		{name: "equal", email: "a@x.com", domains: []string{"x.com"}, want: true},
		{name: "one of several", email: "a@y.org", domains: []string{"x.com", "y.org"}, want: true},
		{name: "subdomain", email: "a@mail.x.com", domains: []string{"x.com"}, want: true},
		{name: "deep subdomain", email: "a@a.b.x.com", domains: []string{"x.com"}, want: true},
		{name: "suffix without dot", email: "a@evilx.com", domains: []string{"x.com"}, want: false},
		{name: "parent of allowed", email: "a@x.com", domains: []string{"mail.x.com"}, want: false},
		{name: "other domain", email: "a@y.com", domains: []string{"x.com"}, want: false},
		{name: "domain in local part", email: "x.com@y.com", domains: []string{"x.com"}, want: false},
		{name: "A-label", email: "a@xn--bcher-kva.de", domains: []string{"xn--bcher-kva.de"}, want: true},
		{name: "list case ignored", email: "a@x.com", domains: []string{"X.COM"}, want: true},
		{name: "empty entry matches nothing", email: "a@x.com", domains: []string{""}, want: false},
		{name: "dot entry matches nothing", email: "a@x.com", domains: []string{"."}, want: false},
		{name: "no at", email: "x.com", domains: []string{"x.com"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EmailInDomains(tt.email, tt.domains); got != tt.want {
				t.Errorf("EmailInDomains(%q, %q) = %v, want %v", tt.email, tt.domains, got, tt.want)
			}
		})
	}
}

func BenchmarkNormalizeEmail(b *testing.B) {
	for _, bm := range []struct{ name, input string }{
		{"ASCII", "First.Last+tag@Mail.Example.org"},
		{"IDNA", "user@bücher.example.de"},
		{"UTF-8 local part", "Élodie.Dupré@exemple.fr"},
		{"rejected", "Alice <a@x.com>"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = NormalizeEmail(bm.input)
			}
		})
	}
}

func BenchmarkEmailKey(b *testing.B) {
	for _, bm := range []struct{ name, input string }{
		{"ASCII", "First.Last+tag@mail.example.org"},
		{"UTF-8", "Élodie.Dupré@exemple.fr"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = EmailKey(bm.input)
			}
		})
	}
}

// TestNormalizeSimpleEmail_sameAsGeneral generates addresses near the edge
// of what normalizeSimpleEmail takes (odd characters, dots and hyphens in
// every place, long labels, digits, upper case) and checks that whenever it
// takes one, the general path returns the same address; and that it takes
// most plain ones, so that the check is not empty.
func TestNormalizeSimpleEmail_sameAsGeneral(t *testing.T) {
	const clean = "aZz09_+-'" // for local parts; domains take "aZz09-"
	const nasty = ".-@_+!#$%&'*/=?^`{|}~\"()<>[]\\,;: é\x00\u200b"
	runs, taken := 0, 0
	rapid.Check(t, func(t *rapid.T) {
		runs++
		word := func(name, alphabet string, min, max int) string {
			return rapid.StringOfN(rapid.SampledFrom([]rune(alphabet)), min, max, -1).Draw(t, name)
		}
		var atoms, labels []string
		for range rapid.IntRange(1, 3).Draw(t, "atoms") {
			atoms = append(atoms, word("atom", clean, 1, 30))
		}
		for range rapid.IntRange(1, 4).Draw(t, "labels") {
			// A letter first, so top-level labels are not all digits; '-'
			// inside and at the end; lengths past 63 now and then.
			labels = append(labels, word("first", "aZz", 1, 1)+word("label", "aZz09-", 0, 65))
		}
		s := strings.Join(atoms, ".") + "@" + strings.Join(labels, ".")
		// Then, for half the inputs, a few odd characters anywhere: the
		// other half are mostly addresses the simple path takes.
		odd := 0
		if rapid.Bool().Draw(t, "spoil") {
			odd = rapid.IntRange(1, 2).Draw(t, "odd")
		}
		for range odd {
			i := rapid.IntRange(0, len(s)).Draw(t, "at")
			s = s[:i] + string(rapid.SampledFrom([]rune(nasty)).Draw(t, "char")) + s[i:]
		}
		fast, ok := normalizeSimpleEmail(s)
		if !ok {
			return
		}
		taken++
		if slow, err := normalizeEmail(s); err != nil || slow != fast {
			t.Fatalf("%q: the simple path gives %q, the general path %q, %v", s, fast, slow, err)
		}
	})
	for _, s := range []string{"a@x.com", "First.Last+tag@Mail.Example.ORG", "o'neil@x-y.co.uk", "p9@org0001.example"} {
		fast, ok := normalizeSimpleEmail(s)
		slow, err := normalizeEmail(s)
		if !ok || err != nil || fast != slow {
			t.Errorf("%q: simple path %q, %v; general path %q, %v", s, fast, ok, slow, err)
		}
	}
	for _, s := range []string{"a@xn--bcher-kva.de", "a@ab--c.de", "a@x.123", "a.@x.com", "a..b@x.com", "a%b@x.com", "a@-x.com", "a@x", "a@x.com.", "a@" + strings.Repeat("b", 64) + ".com"} {
		if _, ok := normalizeSimpleEmail(s); ok {
			t.Errorf("%q: the simple path took it", s)
		}
	}
	t.Logf("the simple path took %d of %d generated addresses", taken, runs)
	if taken < runs/10 {
		t.Errorf("the simple path took %d of %d generated addresses: too few to check it", taken, runs)
	}
}
