package contacts

import (
	"context"
	"errors"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

// verifyTokenTTL is how long an address verification link stays valid.
const verifyTokenTTL = 72 * time.Hour

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// RequestVerification sends a contact a single-use, expiring link that
// proves the address works. A contact may ask for itself; others need
// contacts.edit over it.
func (s *Service) RequestVerification(ctx context.Context, actor Actor, org, id string) error {
	var m Message
	err := s.update(ctx, "RequestVerification", "contact "+id, actor, org, func(t *txn) error {
		c, err := t.contact(id)
		if err != nil {
			return err
		}
		if err := t.authorize(policy.EditContact, t.target(c)); err != nil {
			return err
		}
		secret, hash := newSecret()
		tok := Token{Hash: hash, Kind: VerifyToken, Org: org, Contact: id, EmailKey: EmailKey(c.Email),
			Created: t.now, Expires: t.now.Add(verifyTokenTTL)}
		if err := t.w.InsertToken(tok); err != nil {
			return err
		}
		m = Message{Kind: VerificationMessage, Org: org, OrgName: t.org.Name, To: []Address{c.address()},
			Data: map[string]string{"link": s.link(VerifyToken, secret), "expires": tok.Expires.Format(time.RFC3339)}}
		return t.audit("verification.request", "contact/"+id, nil, nil)
	})
	if err == nil {
		s.notify(ctx, m)
	}
	return err
}

// VerifyAddress completes a verification: the secret from the link marks
// the contact's address verified, once, before it expires, and only while
// the contact still has the address the link went to. Expired, used and
// unknown links all fail alike with [ErrInvalid] and change nothing.
func (s *Service) VerifyAddress(ctx context.Context, secret string) (Contact, error) {
	var out Contact
	var events []AuditEvent
	err := s.store.Update(ctx, func(tx Tx) error {
		_, c, t, err := s.redeem(tx, secret, VerifyToken)
		if err != nil {
			return err
		}
		out, err = t.setVerification(c, Verified)
		events = t.events
		return err
	})
	if err != nil {
		return Contact{}, &Error{Op: "VerifyAddress", Item: "token", Err: err}
	}
	s.publish(events)
	return out, nil
}

func (t *txn) setVerification(c Contact, v Verification) (Contact, error) {
	if c.Verification == v {
		return c, nil
	}
	next := c.Clone()
	next.Verification, next.Version, next.Updated = v, c.Version+1, t.now
	if err := t.w.UpdateContact(next, c.Version); err != nil {
		return Contact{}, err
	}
	return next, t.audit("contact.verification", "contact/"+c.ID, c, next)
}

// ReportBounce marks the address of the org's contact email invalid, as the
// host's mail system reported a bounce. Only the vendor reports bounces.
func (s *Service) ReportBounce(ctx context.Context, actor Actor, org, email string) (Contact, error) {
	var out Contact
	err := s.update(ctx, "ReportBounce", "contact", actor, org, func(t *txn) error {
		if !actor.IsVendor() {
			return &ForbiddenError{Action: "verification.bounce", Rule: RuleVendorOnly}
		}
		e, err := NormalizeEmail(email)
		if err != nil {
			return errInvalid("/email", "%s", err.Error())
		}
		c, err := t.tx.ContactByEmail(org, EmailKey(e))
		if err != nil {
			return err
		}
		out, err = t.setVerification(c, Invalid)
		return err
	})
	return out, err
}

// SendTestMessage sends a test message to every current holder of slot in
// org (groups expanded, lapsed holders left out, no consent filter: it
// checks reachability, not permission). The actor needs slots.manage. It
// returns the addresses written to.
func (s *Service) SendTestMessage(ctx context.Context, actor Actor, org, slot string) ([]Address, error) {
	var m Message
	err := s.view(ctx, "SendTestMessage", "slot "+slot, actor, org, func(t *txn) error {
		cfg, ok := s.policy.Slot(slot)
		if !ok {
			return errInvalid("/slot", "unknown slot %q", slot)
		}
		if err := t.authorize(policy.ManageSlots, policy.Target{Org: org}); err != nil {
			return err
		}
		sh, err := t.slotHolders(slot)
		if err != nil {
			return err
		}
		m = Message{Kind: TestMessage, Org: org, OrgName: t.org.Name, Data: map[string]string{"slot": slot, "slot_name": or(cfg.Name, slot)}}
		seen := map[string]bool{}
		return t.expand(org, sh.Active(t.now), func(c Contact, _ int, _ string) error {
			if !seen[c.ID] {
				seen[c.ID] = true
				m.To = append(m.To, c.address())
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if len(m.To) > 0 {
		if s.notifier == nil {
			return nil, &Error{Op: "SendTestMessage", Item: "slot " + slot, Err: errors.New("no notifier configured")}
		}
		if err := s.notifier.Notify(ctx, m); err != nil {
			return nil, &Error{Op: "SendTestMessage", Item: "slot " + slot, Err: err}
		}
	}
	return m.To, nil
}

// expand calls fn for every contact among holders, groups expanded to
// their members in order. fn gets the holder's position (0 is the lead) and,
// for a group member, the group's name. Contacts arrive as shallow copies
// (see [ReadTx.ScanContacts]): fn must clone what it keeps.
func (t *txn) expand(org string, holders []Holder, fn func(c Contact, pos int, group string) error) error {
	for i, h := range holders {
		switch h.Kind {
		case HolderContact:
			c, err := t.tx.Contact(org, h.ID)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if err := fn(c, i, ""); err != nil {
				return err
			}
		case HolderGroup:
			g, err := t.tx.Group(org, h.ID)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			err = t.tx.ScanGroupMembers(org, h.ID, func(c Contact) error { return fn(c, i, g.Name) })
			if err != nil {
				return err
			}
		}
	}
	return nil
}
