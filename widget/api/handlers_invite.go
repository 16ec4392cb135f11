package api

import (
	"errors"
	"net/http"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/widget/wire"
)

// Invitations. The answers never say whether an address already belonged
// to a contact (RELIABILITY D6): an invitation and a sign-up answer 202
// without a body either way.

func (h *handler) listInvitations(c *call) error {
	items, next, err := listed(c, h.svc.Invitations, wireInvitation)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.InvitationPage{Items: items, Next: next})
}

func (h *handler) invite(c *call) error {
	in := c.in.(*wire.NewInvitation)
	return c.idempotently(func() error {
		err := h.svc.Invite(c.r.Context(), c.actor, c.org, contacts.InviteRequest{Contact: newContact(in.Contact),
			Role: in.Role, Mode: contacts.InvitationMode(in.Mode), Workspace: in.Workspace})
		if err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusAccepted)
		return nil
	})
}

// inviteGroup invites every member of a group who has not accepted yet.
func (h *handler) inviteGroup(c *call) error {
	in := c.in.(*wire.NewGroupInvitation)
	n, err := h.svc.InviteGroup(c.r.Context(), c.actor, c.org, c.path("id"), in.Role, contacts.InvitationMode(in.Mode), in.Workspace)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.GroupInvited{Sent: n})
}

// revokeInvitation withdraws a pending invitation. It takes no If-Match:
// revoking is one-way and final, so no update can be lost, and a second
// revocation answers 409.
func (h *handler) revokeInvitation(c *call) error {
	inv, err := h.svc.RevokeInvitation(c.r.Context(), c.actor, c.org, c.path("id"))
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireInvitation(inv), inv.Version)
}

// rotateInviteLink makes the org's new sign-up link, granting the role in
// the path to those who sign up through it, and kills the previous one.
func (h *handler) rotateInviteLink(c *call) error {
	link, err := h.svc.RotateInviteLink(c.r.Context(), c.actor, c.org, c.path("role"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.InviteLink{Link: link})
}

func (h *handler) acceptInvitation(c *call) error {
	in := c.in.(*wire.Token)
	ct, err := h.svc.AcceptInvitation(c.r.Context(), in.Token)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.Redeemed{Org: ct.Org, Contact: ct.ID, Result: "accepted"})
}

// signUp uses an org's shareable link. The Service names the new contact's
// fields at the top level; the body nests them under contact.
func (h *handler) signUp(c *call) error {
	in := c.in.(*wire.SignUp)
	if err := h.svc.SignUp(c.r.Context(), in.Token, newContact(in.Contact)); err != nil {
		return contactFields(err)
	}
	c.w.WriteHeader(http.StatusAccepted)
	return nil
}

// contactFields places the field paths of a sign-up's invalid input, all
// but the token's, under /contact.
func contactFields(err error) error {
	ie, ok := errors.AsType[*contacts.InvalidError](err)
	if !ok {
		return err
	}
	out := &contacts.InvalidError{Fields: make([]contacts.FieldError, 0, len(ie.Fields))}
	for _, f := range ie.Fields {
		if f.Path != "/token" {
			f.Path = "/contact" + f.Path
		}
		out.Fields = append(out.Fields, f)
	}
	return out
}
