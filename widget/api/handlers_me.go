package api

import (
	"net/http"
	"slices"

	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/widget/wire"
)

// me answers who the viewer is in the org and what it may do there, so
// that a client shows only the controls that would be allowed. It asks the
// same policy the Service asks; the Service still decides every request.
func (h *handler) me(c *call) error {
	ctx := c.r.Context()
	o, err := h.svc.Org(ctx, c.actor, c.org)
	if err != nil {
		return err
	}
	out := wire.Me{Org: o.ID, Vendor: c.actor.IsVendor(), Roles: []string{},
		ChangeMode: string(h.changeMode), Closed: o.Closed(), ContactsConfirmed: !o.ConfirmedAt.IsZero()}
	var subject policy.Subject
	if c.actor.IsVendor() {
		subject = vendorSubject(h.pol, o.ID)
	} else {
		self, err := h.svc.Contact(ctx, c.actor, c.org, c.actor.Contact)
		if err != nil {
			return err
		}
		subject = h.pol.Subject(o.ID, self.ID, self.Roles)
		wc := wireContact(self)
		out.Contact = &wc
		out.Roles = slices.Clone(self.Roles)
		if out.Roles == nil {
			out.Roles = []string{}
		}
	}
	out.Rank, out.Owner = subject.Rank, subject.Owner
	out.Actions = orgActions(subject, c.actor.IsVendor(), o.Closed())
	out.GrantableRoles = grantableRoles(h.pol, subject, o.Closed())
	out.RoleInfo, out.Purposes = configInfo(h.pol)
	return c.reply(http.StatusOK, out)
}

// vendorSubject is the subject a vendor actor acts as: an owner of org, as
// the Service treats it.
func vendorSubject(pol *policy.Policy, org string) policy.Subject {
	owner := pol.OwnerRole()
	rank, _, _ := pol.Resolve([]string{owner})
	return policy.Subject{Org: org, Rank: rank, Owner: true, Perms: pol.Permissions(owner)}
}

// readOnlyActions are the actions a closed org still allows: reading,
// and the host's own matters the Service does not write.
var readOnlyActions = []policy.Action{policy.ViewContacts, policy.ViewAudit,
	policy.OpenSupport, policy.DiscussAccount, policy.ManageBilling}

// orgActions lists the actions subject may take on the org as a whole, by
// their policy names. A vendor makes no change sets and holds no ownership
// to transfer (the Service refuses both), and alone reviews change sets.
func orgActions(subject policy.Subject, vendor, closed bool) []string {
	out := []string{}
	for _, a := range policy.Actions() {
		switch {
		case closed && !slices.Contains(readOnlyActions, a),
			vendor && (a == policy.SubmitChanges || a == policy.TransferOwnership),
			!policy.Decide(subject, a, policy.Target{Org: subject.Org}).Allowed:
			continue
		}
		out = append(out, a.String())
	}
	if vendor && !closed {
		out = append(out, wire.ActionReviewChanges)
	}
	return out
}

// grantableRoles lists, highest first, the roles subject may grant to a
// contact it outranks and hand out in invitations: the check the Service
// makes for an invitation's role.
func grantableRoles(pol *policy.Policy, subject policy.Subject, closed bool) []string {
	out := []string{}
	if closed {
		return out
	}
	for _, key := range pol.RoleKeys() {
		info, _ := pol.Role(key)
		// A contact without roles, other than the subject.
		target := policy.Target{Org: subject.Org, Contact: "\x00invitee", Role: info}
		if policy.Decide(subject, policy.GrantRole, target).Allowed {
			out = append(out, key)
		}
	}
	return out
}

// configInfo lists the policy's roles, highest rank first, and its
// purposes, in configured order.
func configInfo(pol *policy.Policy) ([]wire.RoleInfo, []wire.Purpose) {
	cfg := pol.Config()
	roles := make([]wire.RoleInfo, 0, len(cfg.Roles))
	for _, r := range cfg.Roles {
		roles = append(roles, wire.RoleInfo{Key: r.Key, Name: r.Name, Rank: r.Rank})
	}
	slices.SortStableFunc(roles, func(a, b wire.RoleInfo) int { return b.Rank - a.Rank })
	purposes := make([]wire.Purpose, 0, len(cfg.Purposes))
	for _, p := range cfg.Purposes {
		purposes = append(purposes, wire.Purpose{Key: p.Key, Name: p.Name, LegalBasis: string(p.LegalBasis),
			Default: p.Default, DoubleOptIn: p.DoubleOptIn})
	}
	return roles, purposes
}
