package contacts

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// FormatError reports that a value does not have the form a normaliser
// ([NormalizeEmail], [NormalizeLanguage], [NormalizePhone]) accepts.
//
// Its message is the rule that was broken, such as "must not have a display
// name". It names no field, because the normaliser does not know which field
// it is checking: the caller wraps it with the field path. It does not repeat
// the value either, so the message can be logged or shown without copying an
// address or a phone number into logs. Err, when set, is the parser's own
// error; its text may quote the input, so do not show it to clients.
type FormatError struct {
	// Rule is the rule the value broke, phrased to follow a field name.
	Rule string
	// Err is the underlying parser error, or nil.
	Err error
}

// Error returns the broken rule.
func (e *FormatError) Error() string { return e.Rule }

// Unwrap returns the underlying parser error, if any.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(rule string, err error) error {
	return &FormatError{Rule: rule, Err: err}
}

// Limits from RFC 5321 §4.5.3.1: the local part holds at most 64 octets, and
// a path at most 256 octets including the angle brackets, so the address at
// most 254.
const (
	maxEmailLocal = 64
	maxEmailLen   = 254
)

// emailDomainProfile converts a domain to its A-label form. It is the UTS #46
// lookup profile (mapping of case, width and compatibility forms; STD3 ASCII
// rules; hyphen, joiner and Bidi checks; no transitional ß→ss mapping) with
// the DNS length limits enforced as well.
var emailDomainProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.VerifyDNSLength(true),
)

// NormalizeEmail checks that s is an email address in the narrow form
// Liaison stores, and returns its normalised form.
//
// Accepted is a bare addr-spec, local@domain, that net/mail parses back to
// exactly itself: no display name, comment, angle brackets or surrounding
// space, no quoted local part (net/mail would silently drop the quotes), and
// no domain literal such as [127.0.0.1]. Every character must be printable and
// not a space: control, format, private-use and unassigned code points, line
// breaks and all Unicode spaces are refused. The local part must not contain
// %, /, ? or #, which change the meaning of a mailto: URL (RFC 6068). The
// local part holds at most 64 octets and the address at most 254, checked on
// the input, on its NFC form and on the result.
//
// Normalisation applies Unicode NFC to the whole address and then validates
// it again, because NFC can turn an accepted character into a refused one
// (U+037E GREEK QUESTION MARK becomes ';'). The domain is converted to its
// lower-case IDNA A-label form (bücher.de becomes xn--bcher-kva.de); it must
// then contain a dot and must not end in an all-numeric label. The local part
// keeps its case, as typed: use [EmailKey] to compare addresses.
//
// NormalizeEmail is idempotent: normalising its result returns the result.
// Errors are [*FormatError] values.
func NormalizeEmail(s string) (string, error) {
	if out, ok := normalizeSimpleEmail(s); ok {
		return out, nil
	}
	return normalizeEmail(s)
}

// normalizeEmail is NormalizeEmail's general path, for every address.
func normalizeEmail(s string) (string, error) {
	if err := checkEmail(s); err != nil {
		return "", err
	}
	n := norm.NFC.String(s)
	if n != s {
		if err := checkEmail(n); err != nil {
			return "", err
		}
	}
	local, domain := splitEmail(n)
	ascii, err := emailDomainProfile.ToASCII(domain)
	if err != nil {
		return "", formatErr("domain is not a valid domain name", err)
	}
	ascii = strings.ToLower(ascii)
	if err := checkEmailDomain(ascii); err != nil {
		return "", err
	}
	out := local + "@" + ascii
	if err := checkEmail(out); err != nil {
		return "", err
	}
	return out, nil
}

// normalizeSimpleEmail normalises, without parsing, the addresses almost
// every contact has: ASCII, a dot-atom local part, and a host name of
// letters, digits and hyphens with at least two labels. It reports false
// for any other input, valid or not, which the general path then decides;
// for the input it takes, it returns what the general path would (a
// differential fuzz target checks that). Such an address is its own NFC
// form, round-trips through net/mail, and has an IDNA A-label domain that
// only lower-casing changes, so the result is the input with its domain
// lower-cased.
func normalizeSimpleEmail(s string) (string, bool) {
	if len(s) > maxEmailLen {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > maxEmailLocal || at == len(s)-1 {
		return "", false
	}
	// The local part: atoms of atext (RFC 5322) joined by single dots,
	// without %, /, ? and #, which the general path refuses.
	prev := byte('.')
	for i := range at {
		c := s[i]
		switch {
		case c == '.':
			if prev == '.' {
				return "", false
			}
		case !isSimpleAtext(c):
			return "", false
		}
		prev = c
	}
	if prev == '.' {
		return "", false
	}
	// The domain: labels of 1 to 63 letters, digits and hyphens, not
	// starting or ending with a hyphen, nor with hyphens third and fourth
	// (which IDNA reserves, as for xn-- labels); at least two labels, the
	// last not all digits. The length limit of the whole is that of the
	// address, which is stricter than DNS's.
	upper := false
	labels, start, digits := 0, at+1, true
	for i := at + 1; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i]
			switch {
			case 'a' <= c && c <= 'z' || c == '-':
				digits = false
			case 'A' <= c && c <= 'Z':
				upper, digits = true, false
			case '0' <= c && c <= '9':
			default:
				return "", false
			}
			continue
		}
		label := s[start:i]
		switch {
		case len(label) == 0 || len(label) > 63,
			label[0] == '-' || label[len(label)-1] == '-',
			len(label) >= 4 && label[2] == '-' && label[3] == '-':
			return "", false
		}
		labels++
		start = i + 1
		if i < len(s) {
			digits = true
		}
	}
	if labels < 2 || digits {
		return "", false
	}
	if upper {
		return s[:at+1] + strings.ToLower(s[at+1:]), true
	}
	return s, true
}

// isSimpleAtext reports whether c is an ASCII atext character that the
// general path accepts in a local part.
func isSimpleAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!$&'*+-=^_`{|}~", c) >= 0
}

// checkEmail applies the rules that hold for the input, its NFC form and the
// result alike.
func checkEmail(s string) error {
	switch {
	case s == "":
		return formatErr("must not be empty", nil)
	case len(s) > maxEmailLen:
		return formatErr("address longer than 254 octets", nil)
	case !utf8.ValidString(s):
		return formatErr("must be valid UTF-8", nil)
	}
	addr, err := mail.ParseAddress(s)
	switch {
	case err != nil && !allEmailRunes(s):
		return formatErr(ruleEmailRunes, nil)
	case err != nil:
		return formatErr("must be an address of the form local@domain", err)
	case addr.Name != "":
		return formatErr("must not have a display name or comment", nil)
	case addr.Address != s && strings.HasPrefix(s, `"`):
		return formatErr("must not have a quoted local part", nil)
	case addr.Address != s:
		return formatErr("must be a bare address, without angle brackets or comments", nil)
	case !allEmailRunes(s):
		return formatErr(ruleEmailRunes, nil)
	}
	// The address round-trips, so the local part is an unquoted dot-atom, which
	// cannot contain '@': the last '@' is the separator.
	local, domain := splitEmail(s)
	switch {
	case strings.HasPrefix(domain, "["):
		return formatErr("must not have a domain literal", nil)
	case len(local) > maxEmailLocal:
		return formatErr("local part longer than 64 octets", nil)
	case strings.ContainsAny(local, "%/?#"):
		return formatErr("local part must not contain %, /, ? or #", nil)
	}
	return nil
}

// checkEmailDomain applies the rules for an A-label domain.
func checkEmailDomain(domain string) error {
	if !strings.Contains(domain, ".") {
		return formatErr("domain must contain a dot", nil)
	}
	// A dotted quad is an IP address, not a host name; RFC 5321 only allows
	// addresses as domain literals, which are refused above.
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	if strings.Trim(tld, "0123456789") == "" {
		return formatErr("domain must not end in a numeric label", nil)
	}
	return nil
}

const ruleEmailRunes = "must not contain spaces, line breaks or control characters"

func allEmailRunes(s string) bool {
	for _, r := range s {
		if !isEmailRune(r) {
			return false
		}
	}
	return true
}

// isEmailRune reports whether r may appear in an address: letters, marks,
// numbers, punctuation and symbols, which excludes every space, control,
// format (bidi overrides, zero-width joiners), private-use, surrogate and
// unassigned code point.
func isEmailRune(r rune) bool {
	if r < utf8.RuneSelf {
		return '!' <= r && r <= '~'
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S)
}

// splitEmail splits s at its last '@'. Without an '@', local is s.
func splitEmail(s string) (local, domain string) {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s, ""
	}
	return s[:at], s[at+1:]
}

// EmailKey returns the key under which a normalised address (a result of
// [NormalizeEmail]) is unique within an org: two addresses denote the same
// contact when their keys are equal.
//
// The domain, already an A-label, is lower-cased. The local part is compared
// without case: each character of its canonical decomposition is replaced by
// the lower case of its upper case, and the result is composed again (NFC).
// So Ab@x.com and aB@x.com share a key, and so do ΟΔΟΣ, οδος and οδοσ,
// Ǆ and ǆ, and the Kelvin sign and k. This is simple case folding: ß and ss
// stay apart, as they are different strings to a mail server, while dotless ı
// and i share a key. EmailKey is idempotent.
func EmailKey(normalized string) string {
	if isASCII(normalized) {
		// Both parts lower-cased; no copy when they are already.
		return strings.ToLower(normalized)
	}
	local, domain := splitEmail(normalized)
	local = foldEmailLocal(local)
	if !strings.Contains(normalized, "@") {
		return local
	}
	return local + "@" + strings.ToLower(domain)
}

// foldEmailLocal folds the case of a local part for [EmailKey].
//
// x/text's cases.Fold is not used: it maps Cherokee capitals to small letters
// and small letters to capitals (U+13EA ↔ U+ABBA), so folding twice changes
// the key. Lower-casing alone misses the final sigma, whose upper case is Σ.
func foldEmailLocal(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	// Decomposing first lets the base letter of a precomposed character fold
	// (İ is I and a combining dot).
	folded := strings.Map(func(r rune) rune {
		return unicode.ToLower(unicode.ToUpper(r))
	}, norm.NFD.String(s))
	return norm.NFC.String(folded)
}

// EmailInDomains reports whether the domain of a normalised address (a result
// of [NormalizeEmail]) is one of domains or a subdomain of one. An empty list
// allows every domain. The domains are A-labels, such as "example.com" or
// "xn--bcher-kva.de"; they are compared without ASCII case.
func EmailInDomains(normalized string, domains []string) bool {
	if len(domains) == 0 {
		return true
	}
	if !strings.Contains(normalized, "@") {
		return false
	}
	_, domain := splitEmail(normalized)
	for _, d := range domains {
		if d == "" {
			continue
		}
		if strings.EqualFold(domain, d) {
			return true
		}
		// A subdomain: the domain ends with "." + d.
		if n := len(domain) - len(d); n > 1 && domain[n-1] == '.' && strings.EqualFold(domain[n:], d) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
