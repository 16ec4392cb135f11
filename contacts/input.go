package contacts

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/liaisonhq/liaison/policy"
)

// NewContact is the input for adding a contact. Only these fields can be
// set by a caller: roles, groups, status, verification and versions are
// the Service's to manage.
type NewContact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	// Language is a BCP 47 tag; empty means the config's default.
	Language string `json:"language,omitempty"`
	// Phone is E.164 ("+4930…"), or a national number with PhoneRegion.
	Phone string `json:"phone,omitempty"`
	// PhoneRegion is the ISO 3166 region a national Phone is dialled in.
	PhoneRegion  string       `json:"phone_region,omitempty"`
	Title        string       `json:"title,omitempty"`
	Kind         Kind         `json:"kind,omitempty"`
	Availability Availability `json:"availability,omitempty"`
}

// ContactPatch changes some fields of a contact; a nil field is left as it
// is, and an empty string clears an optional field.
type ContactPatch struct {
	Name         *string       `json:"name,omitempty"`
	Email        *string       `json:"email,omitempty"`
	Language     *string       `json:"language,omitempty"`
	Phone        *string       `json:"phone,omitempty"`
	PhoneRegion  string        `json:"phone_region,omitempty"`
	Title        *string       `json:"title,omitempty"`
	Kind         *Kind         `json:"kind,omitempty"`
	Availability *Availability `json:"availability,omitempty"`
}

const (
	maxNameLen  = 200
	maxTitleLen = 200
)

// checkText validates a free-text field: trimmed, bounded, printable.
func checkText(v *invalid, path, s string, required bool, maxLen int) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		v.add(path, "is required")
	case !utf8.ValidString(s):
		v.add(path, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > maxLen:
		v.add(path, "must be at most %d characters", maxLen)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }):
		v.add(path, "must not contain control characters or line breaks")
	}
	return s
}

// contactRules checks and normalises the fields of a contact; it is shared
// by creation and patching, so both hold fields to the same rules.
type contactRules struct {
	cfg     policy.Config
	domains [][]string // allowed domain lists: the config's, the org's and its ancestors'
}

func (r contactRules) email(v *invalid, s string) string {
	e, err := NormalizeEmail(strings.TrimSpace(s))
	if err != nil {
		v.addErr("/email", err)
		return ""
	}
	for _, list := range r.domains {
		if !EmailInDomains(e, list) {
			v.add("/email", "must be in one of the org's allowed domains (%s)", strings.Join(list, ", "))
			return ""
		}
	}
	return e
}

func (r contactRules) language(v *invalid, s string) string {
	if s == "" {
		s = r.cfg.Languages.Default
	}
	l, err := NormalizeLanguage(s)
	if err != nil {
		v.addErr("/language", err)
		return ""
	}
	if sup := r.cfg.Languages.Supported; len(sup) > 0 && !slices.Contains(sup, l) {
		v.add("/language", "must be one of the supported languages (%s)", strings.Join(sup, ", "))
		return ""
	}
	return l
}

func (r contactRules) phone(v *invalid, s, region string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	p, err := NormalizePhone(s, region)
	if err != nil {
		v.addErr("/phone", err)
	}
	return p
}

func checkKind(v *invalid, k Kind) {
	if k != "" && k != Internal && k != Client {
		v.add("/kind", "must be %q or %q", Internal, Client)
	}
}

func checkAvailability(v *invalid, a Availability) {
	if a != "" && a != Available && a != Busy && a != Offline {
		v.add("/availability", "must be %q, %q or %q", Available, Busy, Offline)
	}
}

// build validates n into a contact, or returns an [*InvalidError] listing
// every bad field.
func (r contactRules) build(n NewContact) (Contact, error) {
	var v invalid
	c := Contact{
		Name:         checkText(&v, "/name", n.Name, true, maxNameLen),
		Email:        r.email(&v, n.Email),
		Language:     r.language(&v, n.Language),
		Phone:        r.phone(&v, n.Phone, n.PhoneRegion),
		Title:        checkText(&v, "/title", n.Title, false, maxTitleLen),
		Kind:         n.Kind,
		Availability: n.Availability,
		Verification: Unverified,
	}
	checkKind(&v, n.Kind)
	checkAvailability(&v, n.Availability)
	return c, v.err()
}

// apply returns c with p applied, or an [*InvalidError].
func (r contactRules) apply(c Contact, p ContactPatch, now time.Time) (Contact, error) {
	var v invalid
	c = c.Clone()
	if p.Name != nil {
		c.Name = checkText(&v, "/name", *p.Name, true, maxNameLen)
	}
	if p.Email != nil {
		e := r.email(&v, *p.Email)
		if e != c.Email && EmailKey(e) != EmailKey(c.Email) {
			c.Verification = Unverified // a new address is not proven
		}
		c.Email = e
	}
	if p.Language != nil {
		if *p.Language == "" {
			v.add("/language", "is required")
		} else {
			c.Language = r.language(&v, *p.Language)
		}
	}
	if p.Phone != nil {
		c.Phone = r.phone(&v, *p.Phone, p.PhoneRegion)
	}
	if p.Title != nil {
		c.Title = checkText(&v, "/title", *p.Title, false, maxTitleLen)
	}
	if p.Kind != nil {
		checkKind(&v, *p.Kind)
		c.Kind = *p.Kind
	}
	if p.Availability != nil {
		checkAvailability(&v, *p.Availability)
		if *p.Availability != c.Availability {
			c.AvailabilitySince = now
		}
		c.Availability = *p.Availability
	}
	return c, v.err()
}
