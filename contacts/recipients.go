package contacts

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

// A Recipient is one person to contact about a slot, with the address and
// language to use and why they are included.
type Recipient struct {
	Org      string `json:"org"`
	Contact  string `json:"contact"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Language string `json:"language"`
	// Reasons say how the person came to be included: each is one way the
	// slot reaches them (in person, through a group, or both).
	Reasons []Reason `json:"reasons"`
}

// A Reason is one way a slot reaches a recipient.
type Reason struct {
	// Slot is the slot whose holder the person is: the slot asked about,
	// or "primary" when Fallback is set.
	Slot string `json:"slot"`
	// Position is the holder's place in the slot, 0 for the lead.
	Position int `json:"position"`
	// Group names the group through which the person holds the slot, or
	// is empty when they hold it in person.
	Group string `json:"group,omitempty"`
	// InheritedFrom is the ancestor org whose holder this is, when the org
	// asked about has none of its own.
	InheritedFrom string `json:"inherited_from,omitempty"`
	// Fallback says the slot had no holders and primary's answered.
	Fallback bool `json:"fallback,omitempty"`
}

// String describes the reason in English, for logs and explanations.
func (r Reason) String() string {
	var b strings.Builder
	if r.Group != "" {
		b.WriteString("member of group " + r.Group + ", ")
	}
	if r.Position == 0 {
		b.WriteString("lead holder of " + r.Slot)
	} else {
		b.WriteString("holder #" + strconv.Itoa(r.Position+1) + " of " + r.Slot)
	}
	if r.Fallback {
		b.WriteString(" (fallback)")
	}
	if r.InheritedFrom != "" {
		b.WriteString(", inherited from org " + r.InheritedFrom)
	}
	return b.String()
}

// An Exclusion is a person the slot reached who is not contacted, and why.
type Exclusion struct {
	Org     string `json:"org"`
	Contact string `json:"contact"`
	Name    string `json:"name"`
	Reason  string `json:"reason"`
}

// RecipientReport is the full answer to "whom do we contact": who is
// included and why, who is left out and why, and where the holders came from.
type RecipientReport struct {
	Org     string `json:"org"`
	Slot    string `json:"slot"`
	Purpose string `json:"purpose,omitempty"`
	// Source is the org whose holders answered: Org itself, or the
	// ancestor they were inherited from.
	Source string `json:"source"`
	// Fallback says the slot had no holders and the primary slot's
	// holders answered instead.
	Fallback   bool        `json:"fallback"`
	Recipients []Recipient `json:"recipients"`
	Excluded   []Exclusion `json:"excluded"`
	// Withheld counts the people of other orgs (holders inherited from an
	// ancestor) that [Service.SlotRecipients] left out of Recipients and
	// Excluded because the actor is a member of Org, not of theirs.
	Withheld int `json:"withheld,omitempty"`
}

// Recipients answers whom to contact in org about slot for purpose: the
// slot's active holders with groups expanded to their members, each person
// once; inherited from the nearest ancestor org when org has none; falling
// back to the primary slot where the config says so; filtered by consent for
// purpose (empty means the slot's own purpose, if any) and by address
// verification. This is the vendor's own read path, so it takes no actor:
// call it from trusted host code only. [Service.ExplainRecipients] also
// reports who was left out.
func (s *Service) Recipients(ctx context.Context, org, slot, purpose string) ([]Recipient, error) {
	r, err := s.ExplainRecipients(ctx, org, slot, purpose)
	return r.Recipients, err
}

// ExplainRecipients is [Service.Recipients] with the reasons: who was
// included and why, and who was excluded and why.
func (s *Service) ExplainRecipients(ctx context.Context, org, slot, purpose string) (RecipientReport, error) {
	var out RecipientReport
	err := s.store.View(ctx, func(tx ReadTx) error {
		r, err := s.recipients(tx, s.clock(), org, slot, purpose)
		out = r
		return err
	})
	if err != nil {
		return RecipientReport{}, &Error{Op: "Recipients", Item: "slot " + slot, Err: err}
	}
	return out, nil
}

// SlotRecipients is [Service.ExplainRecipients] for an actor: whom a slot
// of org reaches, and who is left out and why, as the points-of-contact
// board shows it. A member needs the slots.manage permission (the people
// who choose the holders see whom their choice reaches); a vendor actor
// may always. The answer is read in the snapshot the permission was
// checked in.
//
// Nothing crosses orgs for a member: when the holders are inherited from
// an ancestor org, its people are left out of Recipients and Excluded and
// only counted in Withheld; Source still names the ancestor.
func (s *Service) SlotRecipients(ctx context.Context, actor Actor, org, slot, purpose string) (RecipientReport, error) {
	var out RecipientReport
	err := s.view(ctx, "SlotRecipients", "slot "+slot, actor, org, func(t *txn) error {
		if err := t.authorize(policy.ManageSlots, policy.Target{Org: org}); err != nil {
			return err
		}
		r, err := s.recipients(t.tx, t.now, org, slot, purpose)
		if !actor.IsVendor() {
			r = r.withhold(org)
		}
		out = r
		return err
	})
	if err != nil {
		return RecipientReport{}, err
	}
	return out, nil
}

// withhold returns r without the people of orgs other than org, counted
// in Withheld instead.
func (r RecipientReport) withhold(org string) RecipientReport {
	before := len(r.Recipients) + len(r.Excluded)
	r.Recipients = slices.DeleteFunc(slices.Clone(r.Recipients), func(p Recipient) bool { return p.Org != org })
	r.Excluded = slices.DeleteFunc(slices.Clone(r.Excluded), func(e Exclusion) bool { return e.Org != org })
	r.Withheld = before - len(r.Recipients) - len(r.Excluded)
	return r
}

func (s *Service) recipients(tx ReadTx, now time.Time, org, slot, purpose string) (RecipientReport, error) {
	rep := RecipientReport{Org: org, Slot: slot, Purpose: purpose, Excluded: []Exclusion{}}
	cfg, ok := s.policy.Slot(slot)
	if !ok {
		return rep, errInvalid("/slot", "unknown slot %q", slot)
	}
	if purpose == "" {
		purpose = cfg.Purpose
		rep.Purpose = purpose
	}
	var p *policy.Purpose
	if purpose != "" {
		pu, ok := s.policy.Purpose(purpose)
		if !ok {
			return rep, errInvalid("/purpose", "unknown purpose %q", purpose)
		}
		p = &pu
	}
	o, err := tx.Org(org)
	if err != nil {
		return rep, err
	}
	t := &txn{s: s, tx: tx, org: o, now: now}
	source, holders, err := t.inheritedHolders(o, slot)
	if err != nil {
		return rep, err
	}
	held := slot
	if len(holders) == 0 && cfg.FallbackToPrimary {
		rep.Fallback, held = true, "primary"
		if source, holders, err = t.inheritedHolders(o, "primary"); err != nil {
			return rep, err
		}
	}
	rep.Source = source.ID
	base := Reason{Slot: held, Fallback: rep.Fallback}
	if source.ID != org {
		base.InheritedFrom = source.ID
	}
	// seen maps a contact ID to its place in Recipients, or -1 when the
	// contact was excluded.
	seen := make(map[string]int, 64)
	rep.Recipients = make([]Recipient, 0, 64)
	// Each recipient's first reason lives in one shared backing array (cap
	// 1 per recipient, so a second reason copies out): one allocation
	// instead of one per recipient.
	firsts := make([]Reason, 0, 64)
	err = t.expand(source.ID, holders, func(c Contact, pos int, group string) error {
		reason := base
		reason.Position, reason.Group = pos, group
		if i, ok := seen[c.ID]; ok {
			if i >= 0 {
				rep.Recipients[i].Reasons = append(rep.Recipients[i].Reasons, reason)
			}
			return nil
		}
		if why := exclusion(c, cfg, p, source); why != "" {
			seen[c.ID] = -1
			rep.Excluded = append(rep.Excluded, Exclusion{Org: c.Org, Contact: c.ID, Name: c.Name, Reason: why})
			return nil
		}
		seen[c.ID] = len(rep.Recipients)
		if len(firsts) == cap(firsts) {
			firsts = make([]Reason, 0, 2*cap(firsts))
		}
		firsts = append(firsts, reason)
		rep.Recipients = append(rep.Recipients, Recipient{Org: c.Org, Contact: c.ID, Name: c.Name, Email: c.Email,
			Language: c.Language, Reasons: firsts[len(firsts)-1 : len(firsts) : len(firsts)]})
		return nil
	})
	return rep, err
}

// exclusion says why c, reached through a slot, is not contacted, or "".
func exclusion(c Contact, cfg policy.Slot, p *policy.Purpose, o Org) string {
	switch {
	case c.Status != Active:
		return "has not accepted the invitation yet"
	case c.Verification == Invalid:
		return "the address bounced"
	case cfg.RequireVerified && c.Verification != Verified:
		return "slot " + cfg.Key + " requires a verified address"
	}
	if p != nil {
		if ok, why := ConsentInForce(*p, c, o); !ok {
			return why
		}
	}
	return ""
}

// inheritedHolders returns the active holders of slot in o, or of the
// nearest ancestor that has any, and the org they belong to.
func (t *txn) inheritedHolders(o Org, slot string) (Org, []Holder, error) {
	for depth := 0; ; depth++ {
		sh, err := t.tx.SlotHolders(o.ID, slot)
		if err != nil && !isNotFound(err) {
			return o, nil, err
		}
		if active := sh.Active(t.now); len(active) > 0 {
			return o, active, nil
		}
		if o.Parent == "" || depth == maxOrgDepth {
			return o, nil, nil
		}
		parent, err := t.tx.Org(o.Parent)
		if isNotFound(err) {
			return o, nil, nil
		}
		if err != nil {
			return o, nil, err
		}
		o = parent
	}
}
