package contacts

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

// invitationTTL is how long an invitation link stays valid.
const invitationTTL = 14 * 24 * time.Hour

// The token kinds of invitations.
const (
	// InviteToken accepts one invitation.
	InviteToken TokenKind = "invite"
	// InviteLinkToken is an org's shareable sign-up link: usable by
	// anyone who has it, until it is rotated.
	InviteLinkToken TokenKind = "invite_link"
)

// WithWorkspaceHook makes the Service call hook to add a contact to a
// workspace the host names, when someone is invited in workspace mode.
// Without a hook, workspace invitations are refused.
func WithWorkspaceHook(hook func(ctx context.Context, org, workspace string, c Contact) error) Option {
	return func(s *Service) { s.workspaceHook = hook }
}

// checkInviteRole checks that the actor may hand out role: at most its own
// rank, owner only by owners (the grant rules, on a contact without roles).
func (t *txn) checkInviteRole(role string) error {
	if role == "" {
		return nil
	}
	info, ok := t.s.policy.Role(role)
	if !ok {
		return errInvalid("/role", "unknown role %q (known: %v)", role, t.s.policy.RoleKeys())
	}
	target := policy.Target{Org: t.org.ID, Contact: "invitee", Role: info}
	return t.authorize(policy.GrantRole, target)
}

// invite creates an invitation for contact c and returns it with the
// message to send (nil in quiet mode).
func (t *txn) invite(c Contact, role string, mode InvitationMode, workspace string) (*Message, error) {
	secret, hash := newSecret()
	inv := Invitation{Org: t.org.ID, ID: newID(t.now), Contact: c.ID, Role: role, Mode: mode, Workspace: workspace,
		InvitedBy: t.actor.String(), TokenHash: hash, Created: t.now, Expires: t.now.Add(invitationTTL), Version: 1}
	tok := Token{Hash: hash, Kind: InviteToken, Org: t.org.ID, Contact: c.ID, EmailKey: EmailKey(c.Email),
		Role: role, Invitation: inv.ID, Created: t.now, Expires: inv.Expires}
	if err := t.w.InsertToken(tok); err != nil {
		return nil, err
	}
	if err := t.w.InsertInvitation(inv); err != nil {
		return nil, err
	}
	if err := t.audit("invitation.create", "contact/"+c.ID, nil, map[string]any{"invitation": inv.ID, "role": role, "mode": mode}); err != nil {
		return nil, err
	}
	data := map[string]string{"link": t.s.link(InviteToken, secret), "expires": inv.Expires.Format(time.RFC3339)}
	if !t.actor.IsVendor() {
		if me, err := t.contact(t.actor.Contact); err == nil {
			data["inviter"] = me.Name
		}
	}
	return &Message{Kind: InvitationMessage, Org: t.org.ID, OrgName: t.org.Name, To: []Address{c.address()}, Data: data}, nil
}

func checkMode(mode InvitationMode, workspace string, hook bool) error {
	switch mode {
	case InviteContacts, InviteQuiet:
		if workspace != "" {
			return errInvalid("/workspace", "applies only to mode %q", InviteWorkspace)
		}
	case InviteWorkspace:
		switch {
		case workspace == "":
			return errInvalid("/workspace", "is required in mode %q", InviteWorkspace)
		case !hook:
			return errInvalid("/mode", "workspace invitations need a workspace hook (WithWorkspaceHook)")
		}
	default:
		return errInvalid("/mode", "must be %q, %q or %q", InviteWorkspace, InviteContacts, InviteQuiet)
	}
	return nil
}

// Invite invites one person into org: in contacts mode it adds them as an
// invited contact and sends an invitation with a single-use, expiring link;
// in workspace mode it also adds them to the host's workspace; in quiet mode
// it adds them as an active contact and sends nothing. The actor needs
// invitations.send, and a role to grant on acceptance must be within the
// actor's own rank (checked again at acceptance). The result does not say
// whether the address already belonged to a contact (RELIABILITY D6): an
// invited contact is sent a fresh link, an active one nothing.
func (s *Service) Invite(ctx context.Context, actor Actor, org string, req InviteRequest) error {
	var (
		msg     *Message
		invitee Contact
	)
	err := s.update(ctx, "Invite", "invitation", actor, org, func(t *txn) error {
		if err := t.authorize(policy.SendInvitations, policy.Target{Org: org}); err != nil {
			return err
		}
		if err := t.checkInviteRole(req.Role); err != nil {
			return err
		}
		if err := checkMode(req.Mode, req.Workspace, s.workspaceHook != nil); err != nil {
			return err
		}
		rules, err := t.rules(t.org)
		if err != nil {
			return err
		}
		c, err := rules.build(req.Contact)
		if err != nil {
			return prefixFields(err, "/contact")
		}
		existing, err := t.tx.ContactByEmail(org, EmailKey(c.Email))
		switch {
		case err == nil && existing.Status == Active:
			return nil // nothing to do, and nothing to tell
		case err == nil:
			c = existing // still invited: send a fresh link
		case !isNotFound(err):
			return err
		default:
			c.Org, c.ID, c.Status = org, newID(t.now), Invited
			if req.Mode == InviteQuiet {
				c.Status = Active
			}
			c.Version, c.Created, c.Updated = 1, t.now, t.now
			if err := t.w.InsertContact(c); err != nil {
				return err
			}
			if err := t.audit("contact.create", "contact/"+c.ID, nil, c); err != nil {
				return err
			}
			if req.Mode == InviteQuiet && req.Role != "" {
				if c, err = t.changeRole(policy.GrantRole, c.ID, c.Version, req.Role); err != nil {
					return err
				}
			}
		}
		invitee = c
		if req.Mode == InviteQuiet {
			return nil
		}
		msg, err = t.invite(c, req.Role, req.Mode, req.Workspace)
		return err
	})
	if err != nil {
		return err
	}
	if req.Mode == InviteWorkspace && invitee.ID != "" {
		if err := s.workspaceHook(ctx, org, req.Workspace, invitee); err != nil {
			return &Error{Op: "Invite", Item: "workspace " + req.Workspace, Err: err}
		}
	}
	if msg != nil {
		s.notify(ctx, *msg)
	}
	return nil
}

// InviteGroup invites every member of a group who has not accepted yet,
// with a fresh link each, and in workspace mode adds every member to the
// workspace. It returns how many invitations it sent.
func (s *Service) InviteGroup(ctx context.Context, actor Actor, org, group, role string, mode InvitationMode, workspace string) (int, error) {
	var (
		msgs    []Message
		members []Contact
	)
	err := s.update(ctx, "InviteGroup", "group "+group, actor, org, func(t *txn) error {
		if err := t.authorize(policy.SendInvitations, policy.Target{Org: org}); err != nil {
			return err
		}
		if err := t.checkInviteRole(role); err != nil {
			return err
		}
		if mode == InviteQuiet {
			return errInvalid("/mode", "a group is invited in mode %q or %q", InviteContacts, InviteWorkspace)
		}
		if err := checkMode(mode, workspace, s.workspaceHook != nil); err != nil {
			return err
		}
		if _, err := t.tx.Group(org, group); err != nil {
			return err
		}
		ms, err := t.tx.GroupMembers(org, group)
		if err != nil {
			return err
		}
		members = ms
		for _, c := range ms {
			if c.Status == Active {
				continue
			}
			m, err := t.invite(c, role, mode, workspace)
			if err != nil {
				return err
			}
			msgs = append(msgs, *m)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if mode == InviteWorkspace {
		for _, c := range members {
			if err := s.workspaceHook(ctx, org, workspace, c); err != nil {
				return len(msgs), &Error{Op: "InviteGroup", Item: "workspace " + workspace, Err: err}
			}
		}
	}
	for _, m := range msgs {
		s.notify(ctx, m)
	}
	return len(msgs), nil
}

// AcceptInvitation accepts an invitation with the secret from its link:
// once, before it expires, while the contact still has the address it was
// sent to. The role it carries is granted only if the inviter still holds
// the rank to grant it (RELIABILITY D6); otherwise acceptance is refused with
// the rule, and nothing changes. Accepting activates the contact.
func (s *Service) AcceptInvitation(ctx context.Context, secret string) (Contact, error) {
	var out Contact
	var events []AuditEvent
	err := s.store.Update(ctx, func(tx Tx) error {
		tok, c, t, err := s.redeem(tx, secret, InviteToken)
		if err != nil {
			return err
		}
		inv, err := tx.Invitation(tok.Org, tok.Invitation)
		if err != nil {
			return err
		}
		if !inv.Revoked.IsZero() {
			return errInvalid("/token", "the link is unknown, expired or already used")
		}
		if tok.Role != "" {
			// Re-check the grant as the inviter stands now.
			inviter := Actor{Org: tok.Org, Contact: inv.InvitedBy}
			if v, ok := vendorName(inv.InvitedBy); ok {
				inviter = Actor{Org: tok.Org, Vendor: v}
			}
			it, err := s.begin(tx, tx, inviter, tok.Org)
			if err != nil {
				return err
			}
			if err := it.checkInviteRole(tok.Role); err != nil {
				return err
			}
		}
		next := c.Clone()
		next.Status, next.Version, next.Updated = Active, c.Version+1, t.now
		if tok.Role != "" && !next.HasRole(tok.Role) {
			next.Roles = append(next.Roles, tok.Role)
			slices.Sort(next.Roles)
		}
		if err := tx.UpdateContact(next, c.Version); err != nil {
			return err
		}
		inv.Accepted, inv.Version = t.now, inv.Version+1
		if err := tx.UpdateInvitation(inv, inv.Version-1); err != nil {
			return err
		}
		if err := t.audit("invitation.accept", "contact/"+c.ID, c, next); err != nil {
			return err
		}
		out, events = next, t.events
		return nil
	})
	if err != nil {
		return Contact{}, &Error{Op: "AcceptInvitation", Item: "token", Err: err}
	}
	s.publish(events)
	return out, nil
}

func vendorName(actor string) (string, bool) {
	const p = "vendor:"
	if len(actor) > len(p) && actor[:len(p)] == p {
		return actor[len(p):], true
	}
	return "", false
}

// RevokeInvitation withdraws a pending invitation; its link stops working.
func (s *Service) RevokeInvitation(ctx context.Context, actor Actor, org, id string) (Invitation, error) {
	var out Invitation
	err := s.update(ctx, "RevokeInvitation", "invitation "+id, actor, org, func(t *txn) error {
		if err := t.authorize(policy.SendInvitations, policy.Target{Org: org}); err != nil {
			return err
		}
		inv, err := t.tx.Invitation(org, id)
		if err != nil {
			return err
		}
		if !inv.Pending(t.now) {
			return conflictf("the invitation is no longer pending")
		}
		if err := t.w.UseToken(inv.TokenHash, t.now); err != nil && !errors.Is(err, ErrConflict) {
			return err
		}
		inv.Revoked, inv.Version = t.now, inv.Version+1
		if err := t.w.UpdateInvitation(inv, inv.Version-1); err != nil {
			return err
		}
		out = inv
		return t.audit("invitation.revoke", "contact/"+inv.Contact, nil, map[string]any{"invitation": id})
	})
	return out, err
}

// Invitations lists org's invitations in ID (creation) order.
func (s *Service) Invitations(ctx context.Context, actor Actor, org string, page Page) (list []Invitation, next string, err error) {
	if page, err = checkPage(page); err != nil {
		return nil, "", &Error{Op: "Invitations", Item: "org " + org, Err: err}
	}
	err = s.view(ctx, "Invitations", "org "+org, actor, org, func(t *txn) error {
		if err := t.authorize(policy.SendInvitations, policy.Target{Org: org}); err != nil {
			return err
		}
		items, err := t.tx.Invitations(org, page.probe())
		list, next = cutPage(items, page.Limit, func(inv Invitation) string { return inv.ID })
		return err
	})
	return list, next, err
}

// RotateInviteLink makes a new shareable sign-up link for org, granting role
// (within the actor's rank) to those who sign up through it, and kills the
// previous link. It returns the new link.
func (s *Service) RotateInviteLink(ctx context.Context, actor Actor, org, role string) (string, error) {
	var link string
	err := s.update(ctx, "RotateInviteLink", "org "+org, actor, org, func(t *txn) error {
		if err := t.authorize(policy.SendInvitations, policy.Target{Org: org}); err != nil {
			return err
		}
		if err := t.checkInviteRole(role); err != nil {
			return err
		}
		if t.org.InviteLink != "" {
			if err := t.w.UseToken(t.org.InviteLink, t.now); err != nil && !errors.Is(err, ErrConflict) && !isNotFound(err) {
				return err
			}
		}
		secret, hash := newSecret()
		tok := Token{Hash: hash, Kind: InviteLinkToken, Org: org, Role: role, Created: t.now, Expires: t.now.AddDate(100, 0, 0)}
		if err := t.w.InsertToken(tok); err != nil {
			return err
		}
		o := t.org.Clone()
		o.InviteLink, o.Version, o.Updated = hash, t.org.Version+1, t.now
		if err := t.w.UpdateOrg(o, t.org.Version); err != nil {
			return err
		}
		link = s.link(InviteLinkToken, secret)
		return t.audit("invitation.link", "org/"+org, nil, map[string]any{"role": role})
	})
	return link, err
}

// SignUp uses an org's shareable link: it adds the person as an invited
// contact and sends them an invitation, whose acceptance proves the address
// and activates them with the link's role. The answer is the same whether or
// not the address already belonged to a contact, and a dead link answers
// [ErrInvalid].
func (s *Service) SignUp(ctx context.Context, secret string, n NewContact) error {
	var msg *Message
	var events []AuditEvent
	err := s.store.Update(ctx, func(tx Tx) error {
		bad := errInvalid("/token", "the link is unknown, expired or already used")
		if len(secret) > 128 {
			return bad
		}
		tok, err := tx.Token(hashSecret(secret))
		switch {
		case isNotFound(err):
			return bad
		case err != nil:
			return err
		case tok.Kind != InviteLinkToken || !tok.Used.IsZero() || !s.clock().Before(tok.Expires):
			return bad
		}
		o, err := tx.Org(tok.Org)
		if err != nil {
			return err
		}
		t := &txn{s: s, tx: tx, w: tx, actor: Actor{Org: o.ID, Vendor: "signup"}, org: o, now: s.clock()}
		rules, err := t.rules(o)
		if err != nil {
			return err
		}
		c, err := rules.build(n)
		if err != nil {
			return err
		}
		if _, err := tx.ContactByEmail(o.ID, EmailKey(c.Email)); err == nil {
			return nil // already known: say nothing either way
		} else if !isNotFound(err) {
			return err
		}
		c.Org, c.ID, c.Status = o.ID, newID(t.now), Invited
		c.Version, c.Created, c.Updated = 1, t.now, t.now
		if err := tx.InsertContact(c); err != nil {
			return err
		}
		if err := t.audit("contact.signup", "contact/"+c.ID, nil, c); err != nil {
			return err
		}
		msg, err = t.invite(c, tok.Role, InviteContacts, "")
		events = t.events
		return err
	})
	if err != nil {
		return &Error{Op: "SignUp", Item: "link", Err: err}
	}
	s.publish(events)
	if msg != nil {
		s.notify(ctx, *msg)
	}
	return nil
}

// inviteCreated sends the welcome invitation to contacts an applied change
// set added. Failures are logged: the change set stands.
func (s *Service) inviteCreated(ctx context.Context, actor Actor, org string, created []string) {
	if len(created) == 0 {
		return
	}
	var msgs []Message
	err := s.update(ctx, "InviteCreated", "org "+org, actor, org, func(t *txn) error {
		for _, id := range created {
			c, err := t.contact(id)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			m, err := t.invite(c, "", InviteContacts, "")
			if err != nil {
				return err
			}
			msgs = append(msgs, *m)
		}
		return nil
	})
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "liaison: inviting the contacts a change set added failed", slog.String("org", org), slog.Any("error", err))
		return
	}
	for _, m := range msgs {
		s.notify(ctx, m)
	}
}
