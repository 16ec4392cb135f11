package contacts

import (
	"context"
	"errors"
	"slices"

	"github.com/liaisonhq/liaison/policy"
)

// contact reads a contact of the transaction's org.
func (t *txn) contact(id string) (Contact, error) {
	return t.tx.Contact(t.org.ID, id)
}

// checkVersion compares the version a caller read with the stored one.
func checkVersion(kind string, read, stored int64) error {
	if read != stored {
		return conflictf("%s version %d is stale; the current version is %d", kind, read, stored)
	}
	return nil
}

// canView checks that the actor may read contact id: its own record, or any
// record with the view permission.
func (t *txn) canView(id string) error {
	if id != "" && id == t.subject.Contact {
		return nil
	}
	return t.authorize(policy.ViewContacts, policy.Target{Org: t.org.ID})
}

// emailFree checks that no other contact of the org uses e.
func (t *txn) emailFree(e, except string) error {
	other, err := t.tx.ContactByEmail(t.org.ID, EmailKey(e))
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return err
	case other.ID == except:
		return nil
	}
	return conflictf("/email: another contact of the org uses this address")
}

// CreateContact adds a contact to org. The actor needs the contacts.edit
// permission. The contact starts without roles, active and unverified.
func (s *Service) CreateContact(ctx context.Context, actor Actor, org string, n NewContact) (Contact, error) {
	var out Contact
	err := s.update(ctx, "CreateContact", "contact", actor, org, func(t *txn) (err error) {
		out, err = t.createContact(n)
		return err
	})
	return out, err
}

// createContact adds n to the transaction's org, as the actor.
func (t *txn) createContact(n NewContact) (Contact, error) {
	if err := t.authorize(policy.EditContact, policy.Target{Org: t.org.ID}); err != nil {
		return Contact{}, err
	}
	rules, err := t.rules(t.org)
	if err != nil {
		return Contact{}, err
	}
	c, err := rules.build(n)
	if err != nil {
		return Contact{}, err
	}
	if err := t.emailFree(c.Email, ""); err != nil {
		return Contact{}, err
	}
	c.Org, c.ID, c.Status = t.org.ID, newID(t.now), Active
	c.Version, c.Created, c.Updated = 1, t.now, t.now
	if c.Availability != "" {
		c.AvailabilitySince = t.now
	}
	if err := t.w.InsertContact(c); err != nil {
		return Contact{}, err
	}
	return c, t.audit("contact.create", "contact/"+c.ID, nil, c)
}

// Contact returns a contact of org. A contact may always read itself; others
// need the contacts.view permission.
func (s *Service) Contact(ctx context.Context, actor Actor, org, id string) (Contact, error) {
	c, err := s.readContact(ctx, actor, org, id, contactByID)
	if err != nil {
		return Contact{}, &Error{Op: "Contact", Item: "contact " + id, Err: err}
	}
	return c, nil
}

func contactByID(t *txn, id string) (Contact, error) {
	if err := t.canView(id); err != nil {
		return Contact{}, err
	}
	return t.contact(id)
}

// ContactByEmail returns the contact of org with the given address,
// compared after normalisation (case of the domain, Unicode form, case of
// the local part).
func (s *Service) ContactByEmail(ctx context.Context, actor Actor, org, email string) (Contact, error) {
	c, err := s.readContact(ctx, actor, org, email, contactByEmail)
	if err != nil {
		return Contact{}, &Error{Op: "ContactByEmail", Item: "contact", Err: err}
	}
	return c, nil
}

func contactByEmail(t *txn, email string) (Contact, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return Contact{}, errInvalid("/email", "%s", err.Error())
	}
	c, err := t.tx.ContactByEmail(t.org.ID, EmailKey(e))
	if err != nil {
		return Contact{}, err
	}
	if err := t.canView(c.ID); err != nil {
		return Contact{}, err
	}
	return c, nil
}

// Contacts lists org's contacts in ID order, one page at a time; next is the
// cursor for the following page, empty after the last.
func (s *Service) Contacts(ctx context.Context, actor Actor, org string, page Page) (list []Contact, next string, err error) {
	if page, err = checkPage(page); err != nil {
		return nil, "", &Error{Op: "Contacts", Item: "org " + org, Err: err}
	}
	err = s.view(ctx, "Contacts", "org "+org, actor, org, func(t *txn) error {
		if err := t.canView(""); err != nil {
			return err
		}
		// One more than asked tells whether a next page exists.
		items, err := t.tx.Contacts(org, page.probe())
		list, next = cutPage(items, page.Limit, func(c Contact) string { return c.ID })
		return err
	})
	return list, next, err
}

func checkPage(p Page) (Page, error) {
	switch {
	case p.Limit == 0:
		p.Limit = DefaultPageSize
	case p.Limit < 0 || p.Limit > MaxPageSize:
		return p, errInvalid("/limit", "must be between 1 and %d", MaxPageSize)
	}
	if p.After != "" && !validID(p.After) {
		return p, errInvalid("/after", "is not a cursor this listing returned")
	}
	return p, nil
}

// probe is the page to ask the store for: one item more than the caller
// wants, which tells whether another page follows — except at
// [MaxPageSize], the most a store hands out, where a full page is taken to
// have a successor (which may then turn out empty).
func (p Page) probe() Page {
	return Page{After: p.After, Limit: min(p.Limit+1, MaxPageSize)}
}

// cutPage trims what probe fetched to limit items and returns the cursor of
// the next page, or "" when there is none.
func cutPage[T any](items []T, limit int, key func(T) string) ([]T, string) {
	if len(items) < limit || len(items) == limit && limit < MaxPageSize {
		return items, ""
	}
	items = items[:limit]
	return items, key(items[limit-1])
}

// UpdateContact changes fields of a contact, naming the version the caller
// read. A contact may edit itself; others need contacts.edit and must be
// outranked by the actor (or the actor is an owner).
func (s *Service) UpdateContact(ctx context.Context, actor Actor, org, id string, version int64, p ContactPatch) (Contact, error) {
	var out, before Contact
	err := s.update(ctx, "UpdateContact", "contact "+id, actor, org, func(t *txn) (err error) {
		before, out, err = t.updateContact(id, version, p)
		return err
	})
	if err == nil && EmailKey(before.Email) != EmailKey(out.Email) {
		// The old address learns it was replaced: a hijacked account
		// cannot quietly redirect the org's mail.
		s.notify(ctx, Message{Kind: AddressChanged, Org: org, To: []Address{before.address()}})
	}
	return out, err
}

// updateContact applies p to contact id, as the actor.
func (t *txn) updateContact(id string, version int64, p ContactPatch) (before, after Contact, err error) {
	if before, err = t.contact(id); err != nil {
		return
	}
	if err = t.authorize(policy.EditContact, t.target(before)); err != nil {
		return
	}
	if err = checkVersion("contact", version, before.Version); err != nil {
		return
	}
	rules, err := t.rules(t.org)
	if err != nil {
		return
	}
	c, err := rules.apply(before, p, t.now)
	if err != nil {
		return
	}
	if err = t.emailFree(c.Email, c.ID); err != nil {
		return
	}
	c.Version, c.Updated = version+1, t.now
	if err = t.w.UpdateContact(c, version); err != nil {
		return
	}
	return before, c, t.audit("contact.update", "contact/"+id, before, c)
}

// DeleteContact removes a contact, naming the version the caller read. The
// org's last owner cannot be deleted.
func (s *Service) DeleteContact(ctx context.Context, actor Actor, org, id string, version int64) error {
	return s.update(ctx, "DeleteContact", "contact "+id, actor, org, func(t *txn) error {
		return t.deleteContact(id, version)
	})
}

// deleteContact removes contact id, as the actor.
func (t *txn) deleteContact(id string, version int64) error {
	before, err := t.contact(id)
	if err != nil {
		return err
	}
	if err := t.authorize(policy.EditContact, t.target(before)); err != nil {
		return err
	}
	if err := checkVersion("contact", version, before.Version); err != nil {
		return err
	}
	if t.s.policy.IsOwner(before.Roles) {
		if err := t.keepsOwner(1); err != nil {
			return err
		}
	}
	if err := t.dropHolder(HolderContact, id); err != nil {
		return err
	}
	if err := t.w.DeleteContact(t.org.ID, id, version); err != nil {
		return err
	}
	return t.audit("contact.delete", "contact/"+id, before, nil)
}

// keepsOwner refuses a change that removes `removing` owners when that would
// leave the org without one.
func (t *txn) keepsOwner(removing int) error {
	owners, err := t.tx.ContactsWithRole(t.org.ID, t.s.policy.OwnerRole())
	if err != nil {
		return err
	}
	if d := policy.LastOwner(len(owners) - removing); !d.Allowed {
		return &ForbiddenError{Action: "remove owner", Rule: d.Rule}
	}
	return nil
}

// GrantRole grants role to a contact, naming the contact version the caller
// read. The actor needs roles.grant, must outrank the contact (or be an
// owner), and may grant only roles at or below its own rank; only owners
// grant the owner role, and nobody raises their own rank.
func (s *Service) GrantRole(ctx context.Context, actor Actor, org, id string, version int64, role string) (Contact, error) {
	return s.changeRole(ctx, "GrantRole", policy.GrantRole, actor, org, id, version, role)
}

// RevokeRole revokes role from a contact, naming the contact version the
// caller read, under the same rules as [Service.GrantRole]. The org's last
// owner keeps the owner role.
func (s *Service) RevokeRole(ctx context.Context, actor Actor, org, id string, version int64, role string) (Contact, error) {
	return s.changeRole(ctx, "RevokeRole", policy.RevokeRole, actor, org, id, version, role)
}

func (s *Service) changeRole(ctx context.Context, op string, a policy.Action, actor Actor, org, id string, version int64, role string) (Contact, error) {
	var out Contact
	err := s.update(ctx, op, "contact "+id, actor, org, func(t *txn) (err error) {
		out, err = t.changeRole(a, id, version, role)
		return err
	})
	return out, err
}

// changeRole grants (a is GrantRole) or revokes role on contact id, as the
// actor.
func (t *txn) changeRole(a policy.Action, id string, version int64, role string) (Contact, error) {
	info, ok := t.s.policy.Role(role)
	if !ok {
		return Contact{}, errInvalid("/role", "unknown role %q (known: %v)", role, t.s.policy.RoleKeys())
	}
	before, err := t.contact(id)
	if err != nil {
		return Contact{}, err
	}
	target := t.target(before)
	target.Role = info
	if err := t.authorize(a, target); err != nil {
		return Contact{}, err
	}
	if err := checkVersion("contact", version, before.Version); err != nil {
		return Contact{}, err
	}
	c := before.Clone()
	switch {
	case a == policy.GrantRole && before.HasRole(role), a == policy.RevokeRole && !before.HasRole(role):
		return before, nil // already so: nothing to change, nothing to record
	case a == policy.GrantRole:
		c.Roles = append(c.Roles, role)
		slices.Sort(c.Roles)
	default:
		if info.Owner {
			if err := t.keepsOwner(1); err != nil {
				return Contact{}, err
			}
		}
		c.Roles = slices.DeleteFunc(c.Roles, func(r string) bool { return r == role })
	}
	if len(c.Roles) == 0 {
		c.Roles = nil
	}
	c.Version, c.Updated = version+1, t.now
	if err := t.w.UpdateContact(c, version); err != nil {
		return Contact{}, err
	}
	action := "role.grant"
	if a == policy.RevokeRole {
		action = "role.revoke"
	}
	return c, t.audit(action, "contact/"+id, before, c)
}

// TransferOwnership hands the actor's ownership to contact id in one atomic
// step, naming the version of id the caller read: id gains the owner role,
// and the actor gives it up, receiving the next-highest role instead. No
// reader ever sees the org without an owner.
func (s *Service) TransferOwnership(ctx context.Context, actor Actor, org, id string, version int64) (from, to Contact, err error) {
	err = s.update(ctx, "TransferOwnership", "contact "+id, actor, org, func(t *txn) error {
		if actor.IsVendor() {
			return errInvalid("/actor", "a vendor holds no ownership to transfer; grant the owner role instead")
		}
		next, err := t.contact(id)
		if err != nil {
			return err
		}
		if err := t.authorize(policy.TransferOwnership, t.target(next)); err != nil {
			return err
		}
		if err := checkVersion("contact", version, next.Version); err != nil {
			return err
		}
		if id == t.subject.Contact {
			return errInvalid("/contact", "the actor already owns the org")
		}
		if next.Status != Active {
			return errInvalid("/contact", "the new owner must be an active contact")
		}
		prev, err := t.contact(t.subject.Contact)
		if err != nil {
			return err
		}
		owner := s.policy.OwnerRole()
		keys := s.policy.RoleKeys() // highest first: keys[1] is the rank below owner
		to, from = next.Clone(), prev.Clone()
		if !to.HasRole(owner) {
			to.Roles = append(to.Roles, owner)
			slices.Sort(to.Roles)
		}
		from.Roles = slices.DeleteFunc(from.Roles, func(r string) bool { return r == owner })
		if len(keys) > 1 && !from.HasRole(keys[1]) {
			from.Roles = append(from.Roles, keys[1])
			slices.Sort(from.Roles)
		}
		if len(from.Roles) == 0 {
			from.Roles = nil
		}
		to.Version, to.Updated = next.Version+1, t.now
		from.Version, from.Updated = prev.Version+1, t.now
		if err := t.w.UpdateContact(to, next.Version); err != nil {
			return err
		}
		if err := t.w.UpdateContact(from, prev.Version); err != nil {
			return err
		}
		return t.audit("ownership.transfer", "contact/"+id,
			map[string]string{"owner": prev.ID}, map[string]string{"owner": next.ID})
	})
	if err == nil {
		s.notify(ctx, Message{Kind: OwnerChanged, Org: org, To: []Address{from.address()},
			Data: map[string]string{"new_owner": to.Name}})
	}
	return from, to, err
}
