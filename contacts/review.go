package contacts

import (
	"context"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

// ConfirmReview records that the org's contacts are current, without
// changing any: "no change" in one step. It also counts as the org's first
// save, after which default-on consent is in force. The actor needs
// review.confirm.
func (s *Service) ConfirmReview(ctx context.Context, actor Actor, org string) (Org, error) {
	var out Org
	err := s.update(ctx, "ConfirmReview", "org "+org, actor, org, func(t *txn) error {
		if err := t.authorize(policy.ConfirmReview, policy.Target{Org: org}); err != nil {
			return err
		}
		o := t.org.Clone()
		o.ReviewedAt, o.ConfirmedAt = t.now, t.now
		o.Version, o.Updated = t.org.Version+1, t.now
		if err := t.w.UpdateOrg(o, t.org.Version); err != nil {
			return err
		}
		out = o
		return t.audit("org.review", "org/"+org, t.org, o)
	})
	return out, err
}

// A Reminder says an org's review is due and whom to remind.
type Reminder struct {
	Org Org `json:"org"`
	// Due is when the review fell due.
	Due time.Time `json:"due"`
	// Admins are the org's active admins and owners, the people to remind.
	Admins []Address `json:"admins"`
}

// DueReminders lists the open orgs whose review is due at now (their last
// review, or their creation, is a review interval or more ago), each with
// the admins to remind. It reads every org; the vendor's scheduler calls it
// (RemindDue sends the messages).
func (s *Service) DueReminders(ctx context.Context, now time.Time) ([]Reminder, error) {
	var out []Reminder
	err := s.store.View(ctx, func(tx ReadTx) error {
		page := Page{Limit: MaxPageSize}
		for {
			orgs, err := tx.Orgs(page)
			if err != nil {
				return err
			}
			for _, o := range orgs {
				if o.Closed() {
					continue
				}
				last := o.ReviewedAt
				if last.IsZero() {
					last = o.Created
				}
				due := s.cfg.ReviewInterval.AddTo(last)
				if now.Before(due) {
					continue
				}
				admins, err := s.admins(tx, o.ID)
				if err != nil {
					return err
				}
				out = append(out, Reminder{Org: o, Due: due, Admins: admins})
			}
			if len(orgs) < page.Limit {
				return nil
			}
			page.After = orgs[len(orgs)-1].ID
		}
	})
	if err != nil {
		return nil, &Error{Op: "DueReminders", Err: err}
	}
	return out, nil
}

// admins returns the addresses of org's active contacts that count as
// admins, in ID order, each once.
func (s *Service) admins(tx ReadTx, org string) ([]Address, error) {
	var out []Address
	seen := map[string]bool{}
	for _, role := range s.policy.RoleKeys() {
		if !s.policy.IsAdmin([]string{role}) {
			continue
		}
		holders, err := tx.ContactsWithRole(org, role)
		if err != nil {
			return nil, err
		}
		for _, c := range holders {
			if !seen[c.ID] && c.Status == Active {
				seen[c.ID] = true
				out = append(out, c.address())
			}
		}
	}
	return out, nil
}

// RemindDue sends a review reminder to the admins of every org whose review
// is due at now, through the Service's notifier, and returns the reminders
// sent. Delivery failures are joined into the error; the others are sent.
func (s *Service) RemindDue(ctx context.Context, now time.Time) ([]Reminder, error) {
	due, err := s.DueReminders(ctx, now)
	if err != nil {
		return nil, err
	}
	if s.notifier == nil {
		return nil, &Error{Op: "RemindDue", Err: errNoNotifier}
	}
	var errs []error
	for _, r := range due {
		if len(r.Admins) == 0 {
			continue
		}
		m := Message{Kind: ReviewReminder, Org: r.Org.ID, OrgName: r.Org.Name, To: r.Admins,
			Data: map[string]string{"due": r.Due.Format(time.DateOnly)}}
		if err := s.notifier.Notify(ctx, m); err != nil {
			errs = append(errs, &Error{Op: "RemindDue", Item: "org " + r.Org.ID, Err: err})
		}
	}
	return due, joinErrors(errs)
}
