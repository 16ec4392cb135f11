package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// A Problem is one violation found in a config: where (a JSON pointer into
// the document, such as "/roles/2/rank") and what rule it breaks.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// String formats the problem as "path: message".
func (p Problem) String() string { return p.Path + ": " + p.Message }

// Problems is every violation found in one config. It is returned as an
// error by [Config.Validate] and [New].
type Problems []Problem

// Error lists every problem, one per line after the first.
func (ps Problems) Error() string {
	if len(ps) == 1 {
		return "invalid config: " + ps[0].String()
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("invalid config: %d problems:\n\t%s", len(ps), strings.Join(lines, "\n\t"))
}

func (ps *Problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Pointer builds a JSON pointer (RFC 6901) from reference tokens.
func Pointer(tokens ...any) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		s := fmt.Sprint(t)
		s = strings.ReplaceAll(s, "~", "~0")
		s = strings.ReplaceAll(s, "/", "~1")
		b.WriteString(s)
	}
	return b.String()
}

var (
	keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	// langPattern is BCP 47's shape in hyphen syntax; the contacts package
	// checks tags fully with x/text/language.
	langPattern   = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)
	domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// versionPattern is the schema's: printable, no leading or trailing
	// white space.
	versionPattern = regexp.MustCompile(`^\S(.*\S)?$`)
)

// KeyPattern is the pattern every role, slot and purpose key matches.
const KeyPattern = `^[a-z][a-z0-9_]{0,39}$`

// Bounds on config numbers, shared with the JSON Schema.
const (
	MaxRank      = 1_000_000
	MaxSlotCount = 1000
	maxDomainLen = 253
)

// Validate checks the rules a JSON Schema cannot express, and the basic
// shape too, so a Config built in Go is held to the same rules as one read
// from a file. It returns nil or a [Problems] listing every violation.
func (c Config) Validate() error {
	var ps Problems
	switch {
	case c.Version == "":
		ps.add("/version", "is required")
	case len(c.Version) > 100 || !versionPattern.MatchString(c.Version):
		ps.add("/version", "must be 1 to 100 characters without leading or trailing white space")
	}
	c.validateRoles(&ps)
	purposes := c.validatePurposes(&ps)
	c.validateSlots(&ps, purposes)
	if c.ReviewInterval.IsZero() {
		ps.add("/review_interval", "must be a positive ISO 8601 duration such as P3M")
	}
	switch c.ChangeMode {
	case Direct, Review:
	default:
		ps.add("/change_mode", "must be %q or %q, not %q", Direct, Review, c.ChangeMode)
	}
	c.validateLanguages(&ps)
	seenDomain := map[string]bool{}
	for i, d := range c.AllowedEmailDomains {
		switch {
		case !ValidDomain(d):
			ps.add(Pointer("allowed_email_domains", i), "%q must be a lower-case domain name with a dot, such as example.com", d)
		case seenDomain[d]:
			ps.add(Pointer("allowed_email_domains", i), "%q is listed twice", d)
		}
		seenDomain[d] = true
	}
	seenField := map[Field]bool{}
	for i, f := range c.MandatoryFields {
		switch {
		case f != FieldPhone && f != FieldTitle && f != FieldKind:
			ps.add(Pointer("mandatory_fields", i), "unknown field %q (known: phone, title, kind)", f)
		case seenField[f]:
			ps.add(Pointer("mandatory_fields", i), "%q is listed twice", f)
		}
		seenField[f] = true
	}
	if len(ps) == 0 {
		return nil
	}
	return ps
}

func (c Config) validateRoles(ps *Problems) {
	if len(c.Roles) == 0 {
		ps.add("/roles", "must list at least one role")
		return
	}
	byKey := map[string]int{}
	for i, r := range c.Roles {
		if !keyPattern.MatchString(r.Key) {
			ps.add(Pointer("roles", i, "key"), "%q must match %s", r.Key, KeyPattern)
		}
		if j, dup := byKey[r.Key]; dup {
			ps.add(Pointer("roles", i, "key"), "duplicate role key %q (also /roles/%d)", r.Key, j)
			continue
		}
		byKey[r.Key] = i
		if r.Rank < 1 || r.Rank > MaxRank {
			ps.add(Pointer("roles", i, "rank"), "must be between 1 and %d, not %d", MaxRank, r.Rank)
		}
		seenPerm := map[Action]bool{}
		for k, a := range r.Permissions {
			if a == 0 || a > maxAction {
				ps.add(Pointer("roles", i, "permissions", k), "unknown action %d", a)
			} else if seenPerm[a] {
				ps.add(Pointer("roles", i, "permissions", k), "%q is listed twice", a)
			}
			seenPerm[a] = true
		}
	}
	// Exactly one role holds the top rank: it is the owner role.
	top, tops := 0, 0
	for _, r := range c.Roles {
		switch {
		case r.Rank > top:
			top, tops = r.Rank, 1
		case r.Rank == top:
			tops++
		}
	}
	if tops > 1 {
		var keys []string
		for _, r := range c.Roles {
			if r.Rank == top {
				keys = append(keys, r.Key)
			}
		}
		ps.add("/roles", "exactly one role must hold the top rank %d; %s share it", top, strings.Join(keys, ", "))
	}
	for i, r := range c.Roles {
		if byKey[r.Key] != i {
			continue // a duplicate key, reported above
		}
		seenParent := make(map[string]bool, len(r.Inherits))
		for k, parent := range r.Inherits {
			j, ok := byKey[parent]
			path := Pointer("roles", i, "inherits", k)
			dup := seenParent[parent]
			seenParent[parent] = true
			switch {
			case !ok:
				ps.add(path, "unknown role %q", parent)
			case parent == r.Key:
				ps.add(path, "role %q cannot inherit itself", r.Key)
			case c.Roles[j].Rank > r.Rank:
				ps.add(path, "role %q (rank %d) cannot inherit %q of higher rank %d", r.Key, r.Rank, parent, c.Roles[j].Rank)
			case dup:
				ps.add(path, "%q is listed twice", parent)
			}
		}
	}
	if cycle := inheritanceCycle(c.Roles, byKey); cycle != nil {
		ps.add(Pointer("roles", byKey[cycle[0]], "inherits"), "inheritance cycle %s", strings.Join(cycle, " → "))
	}
	seenPair := map[[2]string]int{}
	for i, pair := range c.SeparationOfDuties {
		for k, key := range pair.Roles {
			if _, ok := byKey[key]; !ok {
				ps.add(Pointer("separation_of_duties", i, "roles", k), "unknown role %q", key)
			}
		}
		if pair.Roles[0] == pair.Roles[1] {
			ps.add(Pointer("separation_of_duties", i, "roles"), "a pair needs two different roles, not %q twice", pair.Roles[0])
		}
		norm := pair.Roles
		if norm[0] > norm[1] {
			norm[0], norm[1] = norm[1], norm[0]
		}
		if j, dup := seenPair[norm]; dup {
			ps.add(Pointer("separation_of_duties", i), "pair %s/%s is listed twice (also /separation_of_duties/%d)", norm[0], norm[1], j)
		}
		seenPair[norm] = i
	}
}

// inheritanceCycle returns one cycle in the inherits graph, first key
// repeated at the end, or nil when the graph is acyclic.
func inheritanceCycle(roles []Role, byKey map[string]int) []string {
	const (
		unseen = iota
		open
		done
	)
	state := make(map[string]int, len(roles))
	var stack []string
	var visit func(key string) []string
	visit = func(key string) []string {
		state[key] = open
		stack = append(stack, key)
		for _, parent := range roles[byKey[key]].Inherits {
			if _, ok := byKey[parent]; !ok {
				continue
			}
			switch state[parent] {
			case open:
				i := slices.Index(stack, parent)
				return append(slices.Clone(stack[i:]), parent)
			case unseen:
				if c := visit(parent); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[key] = done
		return nil
	}
	for _, r := range roles {
		if state[r.Key] == unseen {
			if _, ok := byKey[r.Key]; ok {
				if c := visit(r.Key); c != nil {
					return c
				}
			}
		}
	}
	return nil
}

func (c Config) validatePurposes(ps *Problems) map[string]bool {
	keys := map[string]bool{}
	for i, p := range c.Purposes {
		if !keyPattern.MatchString(p.Key) {
			ps.add(Pointer("purposes", i, "key"), "%q must match %s", p.Key, KeyPattern)
		}
		if keys[p.Key] {
			ps.add(Pointer("purposes", i, "key"), "duplicate purpose key %q", p.Key)
		}
		keys[p.Key] = true
		switch p.LegalBasis {
		case LegitimateInterest, Contract:
			if p.DoubleOptIn {
				ps.add(Pointer("purposes", i, "double_opt_in"), "applies only to purposes whose legal_basis is %q", Consent)
			}
		case Consent:
			if p.Default {
				ps.add(Pointer("purposes", i, "default"), "a purpose whose legal_basis is %q cannot default to granted (a pre-ticked box is not consent)", Consent)
			}
		default:
			ps.add(Pointer("purposes", i, "legal_basis"), "must be %q, %q or %q, not %q", LegitimateInterest, Contract, Consent, p.LegalBasis)
		}
	}
	return keys
}

func (c Config) validateSlots(ps *Problems, purposes map[string]bool) {
	keys := map[string]bool{}
	for _, s := range c.Slots {
		keys[s.Key] = true
	}
	if len(c.Slots) == 0 {
		ps.add("/slots", "must list at least one slot")
	}
	seen := map[string]bool{}
	for i, s := range c.Slots {
		if !keyPattern.MatchString(s.Key) {
			ps.add(Pointer("slots", i, "key"), "%q must match %s", s.Key, KeyPattern)
		}
		if seen[s.Key] {
			ps.add(Pointer("slots", i, "key"), "duplicate slot key %q", s.Key)
		}
		seen[s.Key] = true
		if s.Kind != PointOfContact && s.Kind != TopicSection {
			ps.add(Pointer("slots", i, "kind"), "must be %q or %q, not %q", PointOfContact, TopicSection, s.Kind)
		}
		if s.Min < 0 || s.Min > MaxSlotCount {
			ps.add(Pointer("slots", i, "min"), "must be between 0 and %d, is %d", MaxSlotCount, s.Min)
		}
		if s.Max < 0 || s.Max > MaxSlotCount {
			ps.add(Pointer("slots", i, "max"), "must be between 0 and %d, is %d (0 means no cap)", MaxSlotCount, s.Max)
		} else if s.Max > 0 && s.Min > s.Max {
			ps.add(Pointer("slots", i, "min"), "min %d exceeds max %d", s.Min, s.Max)
		}
		if s.Purpose != "" && !purposes[s.Purpose] {
			ps.add(Pointer("slots", i, "purpose"), "unknown purpose %q", s.Purpose)
		}
		if s.FallbackToPrimary {
			switch {
			case s.Key == "primary":
				ps.add(Pointer("slots", i, "fallback_to_primary"), "the primary slot cannot fall back to itself")
			case !keys["primary"]:
				ps.add(Pointer("slots", i, "fallback_to_primary"), "needs a slot with key \"primary\"")
			}
		}
	}
}

func (c Config) validateLanguages(ps *Problems) {
	l := c.Languages
	checkTag := func(path, tag string) bool {
		switch {
		case strings.Contains(tag, "_"):
			ps.add(path, "%q must use hyphens, not underscores (BCP 47, such as pt-BR)", tag)
		case strings.EqualFold(tag, "und"):
			ps.add(path, "%q is not a language", tag)
		case len(tag) > 35 || !langPattern.MatchString(tag):
			ps.add(path, "%q is not a BCP 47 language tag", tag)
		default:
			return true
		}
		return false
	}
	if l.Default == "" {
		ps.add("/languages/default", "is required")
	} else {
		checkTag("/languages/default", l.Default)
	}
	seen := make(map[string]bool, len(l.Supported))
	for i, tag := range l.Supported {
		if checkTag(Pointer("languages", "supported", i), tag) && seen[tag] {
			ps.add(Pointer("languages", "supported", i), "%q is listed twice", tag)
		}
		seen[tag] = true
	}
	if l.Default != "" && len(l.Supported) > 0 && !slices.Contains(l.Supported, l.Default) {
		ps.add("/languages/default", "%q must be one of the supported languages", l.Default)
	}
}

// ValidDomain reports whether d is a lower-case domain name with a dot, the
// form allowed email domains take.
func ValidDomain(d string) bool { return len(d) <= maxDomainLen && domainPattern.MatchString(d) }
