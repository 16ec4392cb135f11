package contacts

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/policy"
)

// maxOrgDepth bounds parent chains, so a corrupt store cannot loop.
const maxOrgDepth = 16

// NewOrg is the input for creating an org with its first owner.
type NewOrg struct {
	// ID is the org's identifier, usually the host's own tenant ID; empty
	// means one is generated.
	ID     string `json:"id,omitempty"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	// AllowedEmailDomains restricts contact addresses (lower-case
	// A-labels); child orgs inherit it.
	AllowedEmailDomains []string `json:"allowed_email_domains,omitempty"`
	// Owner is the first contact; it receives the owner role. An org
	// always has at least one owner.
	Owner NewContact `json:"owner"`
}

// OrgPatch changes some settings of an org; a nil field is left as it is.
type OrgPatch struct {
	Name                *string   `json:"name,omitempty"`
	AllowedEmailDomains *[]string `json:"allowed_email_domains,omitempty"`
}

// rules returns the contact rules in force in org: the config's and every
// allowed-domain list up the parent chain.
func (t *txn) rules(org Org) (contactRules, error) {
	r := contactRules{cfg: t.s.cfg}
	if len(t.s.cfg.AllowedEmailDomains) > 0 {
		r.domains = append(r.domains, t.s.cfg.AllowedEmailDomains)
	}
	for depth := 0; ; depth++ {
		if len(org.AllowedEmailDomains) > 0 {
			r.domains = append(r.domains, org.AllowedEmailDomains)
		}
		if org.Parent == "" || depth == maxOrgDepth {
			return r, nil
		}
		parent, err := t.tx.Org(org.Parent)
		if errors.Is(err, ErrNotFound) {
			return r, nil
		}
		if err != nil {
			return r, err
		}
		org = parent
	}
}

func checkDomains(v *invalid, path string, domains []string) []string {
	out := make([]string, 0, len(domains))
	for i, d := range domains {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case !policy.ValidDomain(d):
			v.add(path+"/"+strconv.Itoa(i), "must be a domain name with a dot, such as example.com")
		case slices.Contains(out, d):
			v.add(path+"/"+strconv.Itoa(i), "%q is listed twice", d)
		}
		out = append(out, d)
	}
	return out
}

// CreateOrg creates an org with its first owner, in one step. Only a vendor
// actor may create orgs.
func (s *Service) CreateOrg(ctx context.Context, actor Actor, n NewOrg) (Org, Contact, error) {
	const op = "CreateOrg"
	item := "org " + n.ID
	if !actor.IsVendor() {
		return Org{}, Contact{}, &Error{Op: op, Item: item, Err: &ForbiddenError{Action: "orgs.create", Rule: RuleVendorOnly}}
	}
	now := s.clock()
	var v invalid
	o := Org{ID: n.ID, Name: checkText(&v, "/name", n.Name, true, maxNameLen), Parent: n.Parent, Version: 1, Created: now, Updated: now}
	if o.ID == "" {
		o.ID = newID(now)
	} else if !validID(o.ID) {
		v.add("/id", "must be 1 to 64 letters, digits, '-' or '_'")
	}
	if n.Parent != "" && n.Parent == o.ID {
		v.add("/parent", "an org cannot be its own parent")
	}
	if len(n.AllowedEmailDomains) > 0 {
		o.AllowedEmailDomains = checkDomains(&v, "/allowed_email_domains", n.AllowedEmailDomains)
	}
	item = "org " + o.ID
	var owner Contact
	var events []AuditEvent
	err := v.err()
	if err == nil {
		err = s.store.Update(ctx, func(tx Tx) error {
			t := &txn{s: s, tx: tx, w: tx, actor: actor, org: o, now: now}
			if o.Parent != "" {
				p, err := tx.Org(o.Parent)
				if errors.Is(err, ErrNotFound) {
					return errInvalid("/parent", "no org %q", o.Parent)
				}
				if err != nil {
					return err
				}
				if p.Closed() {
					return errInvalid("/parent", "org %q is closed", o.Parent)
				}
			}
			rules, err := t.rules(o)
			if err != nil {
				return err
			}
			c, err := rules.build(n.Owner)
			if err != nil {
				return prefixFields(err, "/owner")
			}
			c.Org, c.ID, c.Roles, c.Status = o.ID, newID(now), []string{s.policy.OwnerRole()}, Active
			c.Version, c.Created, c.Updated = 1, now, now
			if err := tx.InsertOrg(o); err != nil {
				if errors.Is(err, ErrConflict) {
					return conflictf("an org with ID %q exists", o.ID)
				}
				return err
			}
			if err := tx.InsertContact(c); err != nil {
				return err
			}
			if err := t.audit("org.create", "org/"+o.ID, nil, o); err != nil {
				return err
			}
			if err := t.audit("contact.create", "contact/"+c.ID, nil, c); err != nil {
				return err
			}
			owner, events = c, t.events
			return nil
		})
	}
	if err != nil {
		return Org{}, Contact{}, &Error{Op: op, Item: item, Err: err}
	}
	s.publish(events)
	return o, owner, nil
}

// prefixFields puts prefix before every field path of an InvalidError.
func prefixFields(err error, prefix string) error {
	ie, ok := errors.AsType[*InvalidError](err)
	if !ok {
		return err
	}
	out := &InvalidError{Fields: slices.Clone(ie.Fields)}
	for i := range out.Fields {
		out.Fields[i].Path = prefix + out.Fields[i].Path
	}
	return out
}

// Org returns the org; any member of it, and the vendor, may read it.
func (s *Service) Org(ctx context.Context, actor Actor, id string) (Org, error) {
	var o Org
	err := s.view(ctx, "Org", "org "+id, actor, id, func(t *txn) error {
		o = t.org
		return nil
	})
	return o, err
}

// UpdateOrg changes an org's settings. Only an owner (or the vendor) may,
// naming the org version it read.
func (s *Service) UpdateOrg(ctx context.Context, actor Actor, id string, version int64, p OrgPatch) (Org, error) {
	var out Org
	err := s.update(ctx, "UpdateOrg", "org "+id, actor, id, func(t *txn) error {
		if !t.subject.Owner {
			return &ForbiddenError{Action: "org.update", Rule: policy.RuleOwnerOnly}
		}
		if t.org.Version != version {
			return conflictf("org version %d is stale; the current version is %d", version, t.org.Version)
		}
		var v invalid
		o := t.org.Clone()
		if p.Name != nil {
			o.Name = checkText(&v, "/name", *p.Name, true, maxNameLen)
		}
		if p.AllowedEmailDomains != nil {
			o.AllowedEmailDomains = checkDomains(&v, "/allowed_email_domains", *p.AllowedEmailDomains)
			if len(o.AllowedEmailDomains) == 0 {
				o.AllowedEmailDomains = nil
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		o.Version, o.Updated = version+1, t.now
		if err := t.w.UpdateOrg(o, version); err != nil {
			return err
		}
		out = o
		return t.audit("org.update", "org/"+o.ID, t.org, o)
	})
	return out, err
}

// CloseOrg closes the org's account. Only an owner may; afterwards the org
// can be read but not changed.
func (s *Service) CloseOrg(ctx context.Context, actor Actor, id string, version int64) (Org, error) {
	var out Org
	err := s.update(ctx, "CloseOrg", "org "+id, actor, id, func(t *txn) error {
		if err := t.authorize(policy.CloseAccount, policy.Target{Org: id}); err != nil {
			return err
		}
		if t.org.Version != version {
			return conflictf("org version %d is stale; the current version is %d", version, t.org.Version)
		}
		o := t.org.Clone()
		o.ClosedAt, o.Version, o.Updated = t.now, version+1, t.now
		if err := t.w.UpdateOrg(o, version); err != nil {
			return err
		}
		out = o
		return t.audit("org.close", "org/"+o.ID, t.org, o)
	})
	return out, err
}

// DeleteOrg erases the org id and everything stored for it: contacts,
// groups, slots, consent records, tokens, change sets, invitations,
// webhook cursors and the audit trail. It is the erasure of a whole
// customer, so the guards are strict: only the vendor may, version must be
// the org's as read, the org must be closed first ([Service.CloseOrg],
// which leaves the org readable for export), and no other org may name it
// as its parent. A refusal removes nothing: a stale version is an
// [ErrConflict]; the other guards are [ErrForbidden], with the rule
// [RuleVendorOnly], [RuleAccountOpen] or [RuleHasChildOrgs].
//
// Nothing of the org remains afterwards, not even its audit chain. The
// Service's logger records the deletion, and in-process subscribers
// receive one last event, Action "org.delete" with Seq 0, which belongs to
// no chain. Since the audit chain is also the webhook outbox, events not
// yet delivered to an endpoint go with it, and no webhook announces the
// deletion: a host that must tell its endpoints waits for the webhook
// dispatcher's Backlog of the org to empty first and sends its own notice.
// Refusals by rule are recorded in the org's audit trail as denials.
func (s *Service) DeleteOrg(ctx context.Context, actor Actor, id string, version int64) error {
	const op = "DeleteOrg"
	item := "org " + id
	if actor.Org != id || id == "" {
		return &Error{Op: op, Item: item, Err: ErrNotFound} // as for every other org-scoped call
	}
	if !actor.IsVendor() {
		fe := &ForbiddenError{Action: "orgs.delete", Rule: RuleVendorOnly}
		s.recordDenial(ctx, op, item, actor, id, fe)
		return &Error{Op: op, Item: item, Err: fe}
	}
	now := s.clock()
	err := s.store.Update(ctx, func(tx Tx) error {
		o, err := tx.Org(id)
		switch {
		case err != nil:
			return err
		case o.Version != version:
			return conflictf("org version %d is stale; the current version is %d", version, o.Version)
		case !o.Closed():
			return &ForbiddenError{Action: "orgs.delete", Rule: RuleAccountOpen}
		}
		if child, err := childOrg(tx, id); err != nil {
			return err
		} else if child != "" {
			return &ForbiddenError{Action: "orgs.delete", Rule: RuleHasChildOrgs}
		}
		return tx.DeleteOrg(id, version)
	})
	if err != nil {
		if fe, ok := errors.AsType[*ForbiddenError](err); ok {
			s.recordDenial(ctx, op, item, actor, id, fe)
		}
		return &Error{Op: op, Item: item, Err: err}
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "liaison: org deleted", slog.String("org", id),
		slog.String("actor", actor.String()), slog.String("request_id", actor.RequestID))
	s.publish([]AuditEvent{{Org: id, Time: now, Actor: actor.String(), Action: "org.delete",
		Target: "org/" + id, RequestID: actor.RequestID}})
	return nil
}

// childOrg returns the ID of an org whose parent is id, or "".
func childOrg(tx ReadTx, id string) (string, error) {
	page := Page{Limit: MaxPageSize}
	for {
		list, err := tx.Orgs(page)
		if err != nil {
			return "", err
		}
		for _, o := range list {
			if o.Parent == id {
				return o.ID, nil
			}
		}
		if len(list) < page.Limit {
			return "", nil
		}
		page.After = list[len(list)-1].ID
	}
}

// Orgs lists every org in ID order, one page at a time; next is the cursor
// for the following page, empty after the last. Only a vendor actor may
// list orgs: members see their own org through [Service.Org].
func (s *Service) Orgs(ctx context.Context, actor Actor, page Page) (list []Org, next string, err error) {
	const op = "Orgs"
	if !actor.IsVendor() {
		return nil, "", &Error{Op: op, Err: &ForbiddenError{Action: "orgs.list", Rule: RuleVendorOnly}}
	}
	if page, err = checkPage(page); err != nil {
		return nil, "", &Error{Op: op, Err: err}
	}
	err = s.store.View(ctx, func(tx ReadTx) error {
		items, err := tx.Orgs(page.probe())
		list, next = cutPage(items, page.Limit, func(o Org) string { return o.ID })
		return err
	})
	if err != nil {
		return nil, "", &Error{Op: op, Err: err}
	}
	return list, next, nil
}
