package contacts

import (
	"context"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

// RuleConsentBySelf denies granting a consent-basis purpose on someone
// else's behalf: consent must be the person's own affirmative act.
const RuleConsentBySelf policy.Rule = "consent-by-self"

// consentTokenTTL is how long a double opt-in link stays valid.
const consentTokenTTL = 7 * 24 * time.Hour

func (s *Service) checkChannel(ch Channel) error {
	switch ch {
	case ChannelWidget, ChannelAPI, ChannelImport, ChannelInvitation:
		return nil
	}
	return errInvalid("/channel", "must be %q, %q, %q or %q", ChannelWidget, ChannelAPI, ChannelImport, ChannelInvitation)
}

// SetConsent records a contact's choice about a purpose: granted or
// withdrawn. A contact may always decide for itself; others need
// consent.manage and must outrank it. A purpose whose legal basis is consent
// is granted only by the contact itself, and where the config asks for a
// double opt-in the grant takes effect only once the contact confirms it
// through a link sent to its address ([Service.ConfirmConsent]); SetConsent
// then returns the contact unchanged. Withdrawal always takes effect at once
// (RELIABILITY D4). Every choice appends an immutable [ConsentRecord].
func (s *Service) SetConsent(ctx context.Context, actor Actor, org, id, purpose string, granted bool, ch Channel) (Contact, error) {
	var (
		out     Contact
		pending *Message
	)
	err := s.update(ctx, "SetConsent", "contact "+id, actor, org, func(t *txn) error {
		p, ok := s.policy.Purpose(purpose)
		if !ok {
			return errInvalid("/purpose", "unknown purpose %q", purpose)
		}
		if err := s.checkChannel(ch); err != nil {
			return err
		}
		c, err := t.contact(id)
		if err != nil {
			return err
		}
		if err := t.authorize(policy.ManageConsent, t.target(c)); err != nil {
			return err
		}
		self := id == t.subject.Contact
		if granted && p.LegalBasis == policy.Consent && !self {
			return &ForbiddenError{Action: "consent.grant", Rule: RuleConsentBySelf}
		}
		if granted && p.DoubleOptIn {
			secret, hash := newSecret()
			tok := Token{Hash: hash, Kind: ConsentToken, Org: org, Contact: id, EmailKey: EmailKey(c.Email), Purpose: purpose,
				Created: t.now, Expires: t.now.Add(consentTokenTTL)}
			if err := t.w.InsertToken(tok); err != nil {
				return err
			}
			out = c
			pending = &Message{Kind: VerificationMessage, Org: org, OrgName: t.org.Name, To: []Address{c.address()},
				Data: map[string]string{"link": s.link(ConsentToken, secret), "expires": tok.Expires.Format(time.RFC3339), "purpose": purpose}}
			return t.audit("consent.requested", "contact/"+id, nil, map[string]string{"purpose": purpose})
		}
		out, err = t.recordConsent(c, p, granted, ch, self)
		return err
	})
	if err == nil && pending != nil {
		s.notify(ctx, *pending)
	}
	return out, err
}

// recordConsent stores a choice on the contact and appends its record.
func (t *txn) recordConsent(c Contact, p policy.Purpose, granted bool, ch Channel, self bool) (Contact, error) {
	next := c.Clone()
	next.Consent = c.withConsent(p.Key, granted, t.now)
	next.Version, next.Updated = c.Version+1, t.now
	if err := t.w.UpdateContact(next, c.Version); err != nil {
		return Contact{}, err
	}
	rec := ConsentRecord{
		Org: t.org.ID, ID: newID(t.now), Contact: c.ID, Purpose: p.Key, Granted: granted,
		Actor: t.actor.String(), Self: self, Channel: ch, LegalBasis: p.LegalBasis,
		ConfigVersion: t.s.cfg.Version, TextHash: TextHash(p.Text), Time: t.now, RequestID: t.actor.RequestID,
	}
	if err := t.w.AppendConsent(rec); err != nil {
		return Contact{}, err
	}
	action := "consent.withdraw"
	if granted {
		action = "consent.grant"
	}
	return next, t.audit(action, "contact/"+c.ID, map[string]any{"purpose": p.Key}, map[string]any{"purpose": p.Key, "granted": granted, "channel": ch})
}

// ConfirmConsent completes a double opt-in: the secret from the link sent by
// [Service.SetConsent] grants the purpose, once, before it expires, and only
// while the contact still has the address the link went to. Expired, used
// and unknown links all fail with [ErrInvalid] and change nothing.
func (s *Service) ConfirmConsent(ctx context.Context, secret string) (Contact, error) {
	var out Contact
	var events []AuditEvent
	err := s.store.Update(ctx, func(tx Tx) error {
		tok, c, t, err := s.redeem(tx, secret, ConsentToken)
		if err != nil {
			return err
		}
		p, ok := s.policy.Purpose(tok.Purpose)
		if !ok {
			return errInvalid("/token", "the purpose of this link no longer exists")
		}
		out, err = t.recordConsent(c, p, true, ChannelWidget, true)
		events = t.events
		return err
	})
	if err != nil {
		return Contact{}, &Error{Op: "ConfirmConsent", Item: "token", Err: err}
	}
	s.publish(events)
	return out, nil
}

// redeem looks up an unexpired, unused token of kind by its secret, marks
// it used, and returns it with its contact and a transaction state acting
// as that contact.
func (s *Service) redeem(tx Tx, secret string, kind TokenKind) (Token, Contact, *txn, error) {
	now := s.clock()
	bad := errInvalid("/token", "the link is unknown, expired or already used")
	if len(secret) > 128 {
		return Token{}, Contact{}, nil, bad
	}
	tok, err := tx.Token(hashSecret(secret))
	switch {
	case isNotFound(err):
		return Token{}, Contact{}, nil, bad
	case err != nil:
		return Token{}, Contact{}, nil, err
	case tok.Kind != kind || !tok.Used.IsZero() || !now.Before(tok.Expires):
		return Token{}, Contact{}, nil, bad
	}
	o, err := tx.Org(tok.Org)
	if err != nil {
		return Token{}, Contact{}, nil, err
	}
	c, err := tx.Contact(tok.Org, tok.Contact)
	if isNotFound(err) || err == nil && EmailKey(c.Email) != tok.EmailKey {
		return Token{}, Contact{}, nil, bad
	}
	if err != nil {
		return Token{}, Contact{}, nil, err
	}
	if err := tx.UseToken(tok.Hash, now); err != nil {
		return Token{}, Contact{}, nil, err
	}
	t := &txn{s: s, tx: tx, w: tx, actor: Actor{Org: tok.Org, Contact: c.ID}, org: o, now: now,
		subject: s.policy.Subject(tok.Org, c.ID, c.Roles)}
	return tok, c, t, nil
}

// ConsentHistory returns every consent record of a contact, oldest first.
// A contact may read its own; others need consent.manage over it.
func (s *Service) ConsentHistory(ctx context.Context, actor Actor, org, id string) ([]ConsentRecord, error) {
	var out []ConsentRecord
	err := s.view(ctx, "ConsentHistory", "contact "+id, actor, org, func(t *txn) error {
		c, err := t.contact(id)
		if err != nil {
			return err
		}
		if err := t.authorize(policy.ManageConsent, t.target(c)); err != nil {
			return err
		}
		out, err = t.tx.ConsentHistory(org, id)
		return err
	})
	return out, err
}
