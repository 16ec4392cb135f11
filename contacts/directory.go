package contacts

import (
	"context"
	"encoding/base64"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/liaisonhq/liaison/policy"
)

// DirectoryFilter narrows a directory search to a kind of contact.
type DirectoryFilter string

// The directory filters.
const (
	FilterAll              DirectoryFilter = "all"
	FilterInternal         DirectoryFilter = "internal"
	FilterTeams            DirectoryFilter = "teams"
	FilterClients          DirectoryFilter = "clients"
	FilterAvailableClients DirectoryFilter = "available_clients"
	FilterClientGroups     DirectoryFilter = "client_groups"
)

// DirectoryQuery asks the directory for one page of contacts.
type DirectoryQuery struct {
	// Text is searched case- and accent-insensitively: by default in names
	// and addresses, anywhere in them; with Prefix, at the start of names.
	// Empty lists everyone the filter admits.
	Text   string `json:"text,omitempty"`
	Prefix bool   `json:"prefix,omitempty"`
	// Filter defaults to all. Teams and client groups list members of any
	// team (or client group), or of Group alone when it is set.
	Filter DirectoryFilter `json:"filter,omitempty"`
	Group  string          `json:"group,omitempty"`
	// After is the cursor the previous page returned; Limit as for [Page].
	After string `json:"after,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

// DirectoryPage is one page of a directory search, sorted by name (then
// ID): stable, so a walk never skips or repeats a contact that stays in
// place while others are added or removed.
type DirectoryPage struct {
	Contacts []Contact `json:"contacts"`
	// Next is the cursor of the following page, or empty after the last.
	Next string `json:"next,omitempty"`
}

// ContactSearch is the search a [ReadTx] runs for the directory; the
// Service builds it from a [DirectoryQuery].
type ContactSearch struct {
	// Text is already folded with [FoldText]. A contact matches when its
	// folded name starts with Text (Prefix) or its folded name or email
	// contains Text (otherwise); empty matches everyone.
	Text   string
	Prefix bool
	// Kind, when set, admits only contacts of that kind.
	Kind Kind
	// Available admits only contacts whose availability is available.
	Available bool
	// Groups, when not nil, admits only members of at least one of them
	// (none at all when empty).
	Groups []string
	// After admits only contacts whose [DirectoryKey] sorts after it.
	After string
	Limit int
}

// FoldText is the form directory search compares: canonically decomposed,
// combining marks removed, case-folded and recomposed, so "Émile", "emile"
// and "EMILE" agree.
func FoldText(s string) string {
	if isASCII(s) {
		return strings.ToLower(s) // no marks to drop, and folding is lower-casing
	}
	d := norm.NFD.String(s)
	d = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
	return norm.NFC.String(cases.Fold().String(d))
}

// DirectoryKey is a contact's place in the directory's order: its folded
// name, the byte 0x01 (below every character a name may hold, and storable
// where a NUL is not), and its ID, so equal names sort by ID and a name
// sorts before its extensions.
func DirectoryKey(c Contact) string { return FoldText(c.Name) + "\x01" + c.ID }

// maxSearchText bounds a search text.
const maxSearchText = 100

// Directory searches org's directory. Any member with contacts.view may.
func (s *Service) Directory(ctx context.Context, actor Actor, org string, q DirectoryQuery) (DirectoryPage, error) {
	const op = "Directory"
	page, err := checkPage(Page{Limit: q.Limit})
	if err != nil {
		return DirectoryPage{}, &Error{Op: op, Item: "org " + org, Err: err}
	}
	search := ContactSearch{Text: FoldText(strings.TrimSpace(q.Text)), Prefix: q.Prefix, Limit: page.Limit}
	var v invalid
	if len(q.Text) > maxSearchText {
		v.add("/text", "must be at most %d bytes", maxSearchText)
	}
	if q.After != "" {
		raw, err := base64.RawURLEncoding.DecodeString(q.After)
		if err != nil || !strings.Contains(string(raw), "\x01") {
			v.add("/after", "is not a cursor this search returned")
		}
		search.After = string(raw)
	}
	switch q.Filter {
	case "", FilterAll, FilterTeams, FilterClientGroups:
	case FilterInternal:
		search.Kind = Internal
	case FilterClients:
		search.Kind = Client
	case FilterAvailableClients:
		search.Kind, search.Available = Client, true
	default:
		v.add("/filter", "must be one of all, internal, teams, clients, available_clients, client_groups")
	}
	if q.Group != "" && q.Filter != FilterTeams && q.Filter != FilterClientGroups {
		v.add("/group", "applies only to the teams and client_groups filters")
	}
	if err := v.err(); err != nil {
		return DirectoryPage{}, &Error{Op: op, Item: "org " + org, Err: err}
	}
	var out DirectoryPage
	err = s.view(ctx, op, "org "+org, actor, org, func(t *txn) error {
		if err := t.authorize(policy.ViewContacts, policy.Target{Org: org}); err != nil {
			return err
		}
		if q.Filter == FilterTeams || q.Filter == FilterClientGroups {
			kind := Team
			if q.Filter == FilterClientGroups {
				kind = ClientGroup
			}
			groups, err := t.groupsOf(kind, q.Group)
			if err != nil {
				return err
			}
			search.Groups = groups
		}
		probe := search
		probe.Limit = min(page.Limit+1, MaxPageSize)
		list, err := t.tx.SearchContacts(org, probe)
		if err != nil {
			return err
		}
		out.Contacts, out.Next = cutPage(list, page.Limit, func(c Contact) string {
			return base64.RawURLEncoding.EncodeToString([]byte(DirectoryKey(c)))
		})
		if out.Contacts == nil {
			out.Contacts = []Contact{}
		}
		return nil
	})
	return out, err
}

// groupsOf returns the IDs of the org's groups of kind, or just one of them.
func (t *txn) groupsOf(kind GroupKind, one string) ([]string, error) {
	if one != "" {
		g, err := t.tx.Group(t.org.ID, one)
		if isNotFound(err) || err == nil && g.Kind != kind {
			return nil, errInvalid("/group", "no %s %q in the org", kind, one)
		}
		if err != nil {
			return nil, err
		}
		return []string{g.ID}, nil
	}
	ids := []string{}
	page := Page{Limit: MaxPageSize}
	for {
		gs, err := t.tx.Groups(t.org.ID, page)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			if g.Kind == kind {
				ids = append(ids, g.ID)
			}
		}
		if len(gs) < page.Limit {
			return ids, nil
		}
		page.After = gs[len(gs)-1].ID
	}
}

// Matches reports whether c matches the search's text and filters (not
// its cursor): the rule every driver implements, here for drivers to use.
func (q ContactSearch) Matches(c Contact) bool {
	switch {
	case q.Kind != "" && c.Kind != q.Kind,
		q.Available && c.Availability != Available:
		return false
	}
	if q.Groups != nil {
		in := false
		for _, g := range q.Groups {
			if c.inGroup(g) {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	if q.Text == "" {
		return true
	}
	if q.Prefix {
		return foldedIndex(c.Name, q.Text, true) >= 0
	}
	return foldedIndex(c.Name, q.Text, false) >= 0 || foldedIndex(c.Email, q.Text, false) >= 0
}

// foldedIndex reports where the folded text occurs in FoldText(s) (at 0
// only, when prefix is set), or -1. ASCII s, the common case, is compared
// in place, without building its folded copy.
func foldedIndex(s, text string, prefix bool) int {
	if !isASCII(s) {
		if prefix {
			if strings.HasPrefix(FoldText(s), text) {
				return 0
			}
			return -1
		}
		return strings.Index(FoldText(s), text)
	}
	last := len(s) - len(text)
	if prefix {
		last = min(last, 0)
	}
	for i := 0; i <= last; i++ {
		j := 0
		for j < len(text) && lowerASCII(s[i+j]) == text[j] {
			j++
		}
		if j == len(text) {
			return i
		}
	}
	return -1
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func (c Contact) inGroup(g string) bool {
	for _, x := range c.Groups {
		if x == g {
			return true
		}
	}
	return false
}
