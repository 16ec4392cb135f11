package contacts

import (
	"context"
	"fmt"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

// Severity ranks a completeness finding.
type Severity string

// The severities.
const (
	// SeverityError: something required is missing; the vendor cannot
	// rely on the org's answers until it is fixed.
	SeverityError Severity = "error"
	// SeverityWarning: something should be fixed soon.
	SeverityWarning Severity = "warning"
	// SeverityInfo: worth a look.
	SeverityInfo Severity = "info"
)

// FindingKind names what a completeness finding is about.
type FindingKind string

// The finding kinds.
const (
	SlotBelowMin       FindingKind = "slot_below_min"
	SlotUnreachable    FindingKind = "slot_unreachable"
	MissingField       FindingKind = "missing_field"
	ReviewOverdue      FindingKind = "review_overdue"
	StaleContact       FindingKind = "stale_contact"
	TooFewAdmins       FindingKind = "too_few_admins"
	SeparationOfDuties FindingKind = "separation_of_duties"
	NeverConfirmed     FindingKind = "never_confirmed"
)

// A Finding is one thing an org still has to do.
type Finding struct {
	Kind     FindingKind `json:"kind"`
	Severity Severity    `json:"severity"`
	// Slot, Contact and Field name what the finding concerns, where it
	// concerns one.
	Slot    string `json:"slot,omitempty"`
	Contact string `json:"contact,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Completeness lists what org still has to do: required slots below their
// minimum or unreachable for their purpose, contacts missing mandatory
// fields, an overdue review, stale contacts, fewer than two admins, and
// separation-of-duties conflicts. Any member of the org may read it; the
// widget shows it as a banner while anything is open. An empty list means
// nothing is open.
func (s *Service) Completeness(ctx context.Context, actor Actor, org string) ([]Finding, error) {
	var out []Finding
	err := s.view(ctx, "Completeness", "org "+org, actor, org, func(t *txn) error {
		if err := t.canView(""); err != nil {
			return err
		}
		f, err := t.completeness()
		out = f
		return err
	})
	return out, err
}

func (t *txn) completeness() ([]Finding, error) {
	var out []Finding
	cfg, o, now := t.s.cfg, t.org, t.now
	for _, slot := range cfg.Slots {
		_, holders, err := t.inheritedHolders(o, slot.Key)
		if err != nil {
			return nil, err
		}
		if len(holders) < slot.Min {
			out = append(out, Finding{Kind: SlotBelowMin, Severity: SeverityError, Slot: slot.Key,
				Message: fmt.Sprintf("%s needs at least %d holder(s), has %d", or(slot.Name, slot.Key), slot.Min, len(holders))})
			continue
		}
		if slot.Min > 0 && (slot.Purpose != "" || slot.RequireVerified) {
			rep, err := t.s.recipients(t.tx, now, o.ID, slot.Key, "")
			if err != nil {
				return nil, err
			}
			if len(rep.Recipients) == 0 {
				out = append(out, Finding{Kind: SlotUnreachable, Severity: SeverityWarning, Slot: slot.Key,
					Message: fmt.Sprintf("nobody holding %s may currently be contacted (consent or verification)", or(slot.Name, slot.Key))})
			}
		}
	}
	if o.ConfirmedAt.IsZero() {
		out = append(out, Finding{Kind: NeverConfirmed, Severity: SeverityWarning,
			Message: "the org has not confirmed its contacts yet; default-on consent is not in force until it does"})
	}
	reviewed := o.ReviewedAt
	if reviewed.IsZero() {
		reviewed = o.Created
	}
	due := cfg.ReviewInterval.AddTo(reviewed)
	if !now.Before(due) {
		out = append(out, Finding{Kind: ReviewOverdue, Severity: SeverityWarning,
			Message: "the contacts review was due on " + due.Format(time.DateOnly)})
	}
	admins := 0
	// Contacts saved together share their last time: remember the last
	// answer rather than doing calendar arithmetic 10,000 times.
	var lastSeen time.Time
	lastStale := false
	err := t.tx.ScanContacts(o.ID, func(c Contact) error {
		for _, f := range cfg.MandatoryFields {
			if missing(c, f) {
				out = append(out, Finding{Kind: MissingField, Severity: SeverityWarning, Contact: c.ID, Field: string(f),
					Message: fmt.Sprintf("%s has no %s", c.Name, f)})
			}
		}
		if len(c.Roles) > 0 {
			if t.s.policy.IsAdmin(c.Roles) && c.Status == Active {
				admins++
			}
			for _, pair := range t.s.policy.Conflicts(c.Roles) {
				out = append(out, Finding{Kind: SeparationOfDuties, Severity: SeverityWarning, Contact: c.ID,
					Message: fmt.Sprintf("%s holds both %s and %s%s", c.Name, pair.Roles[0], pair.Roles[1], reasonSuffix(pair.Reason))})
			}
		}
		last := latest(c.Updated, c.ConfirmedAt, o.ReviewedAt)
		if !last.Equal(lastSeen) {
			lastSeen, lastStale = last, !now.Before(cfg.ReviewInterval.AddTo(last))
		}
		if lastStale {
			out = append(out, Finding{Kind: StaleContact, Severity: SeverityInfo, Contact: c.ID,
				Message: fmt.Sprintf("%s has not been confirmed since %s", c.Name, last.Format(time.DateOnly))})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if policy.TooFewAdmins(admins) {
		out = append(out, Finding{Kind: TooFewAdmins, Severity: SeverityWarning,
			Message: fmt.Sprintf("the org has %d admin(s); at least %d keep it manageable when someone is away", admins, policy.MinAdmins)})
	}
	return out, nil
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return " (" + r + ")"
}

func missing(c Contact, f policy.Field) bool {
	switch f {
	case policy.FieldPhone:
		return c.Phone == ""
	case policy.FieldTitle:
		return c.Title == ""
	case policy.FieldKind:
		return c.Kind == ""
	}
	return false
}

func latest(a, b, c time.Time) time.Time {
	if b.After(a) {
		a = b
	}
	if c.After(a) {
		a = c
	}
	return a
}
