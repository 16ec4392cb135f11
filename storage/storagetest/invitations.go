package storagetest

import (
	"fmt"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

// invitations are the invitations as a [record].
var invitations = record[contacts.Invitation]{
	what:   "Invitation",
	item:   invitation,
	change: changedInvitation,
	key:    func(inv contacts.Invitation) (string, string) { return inv.Org, inv.ID },
	get:    func(tx contacts.ReadTx, org, id string) (contacts.Invitation, error) { return tx.Invitation(org, id) },
	list: func(tx contacts.ReadTx, org string, p contacts.Page) ([]contacts.Invitation, error) {
		return tx.Invitations(org, p)
	},
	insert: func(tx contacts.Tx, inv contacts.Invitation) error { return tx.InsertInvitation(inv) },
	update: func(tx contacts.Tx, inv contacts.Invitation, prev int64) error { return tx.UpdateInvitation(inv, prev) },
}

// An invitation has no slices or pointers, so the copy tests of other
// items have nothing to change in it: the record tests are all.
var invitationTests = invitations.tests()

// invitation returns an accepted (and then revoked) invitation of org at
// version 1, with every field set.
func invitation(org, id string) contacts.Invitation {
	return contacts.Invitation{
		Org: org, ID: id, Contact: "c2", Role: "admin", Mode: contacts.InviteWorkspace, Workspace: "ws-eu",
		InvitedBy: "c1", TokenHash: tokenHash("invite-" + org + "-" + id),
		Created: t0, Expires: t0.Add(14 * 24 * time.Hour),
		Accepted: t0.Add(time.Hour), Revoked: t0.Add(2 * time.Hour), Version: 1,
	}
}

// changedInvitation returns inv at version: pending (never accepted or
// revoked, no role, no workspace) at even versions, and at odd ones
// changed in every field it has.
func changedInvitation(inv contacts.Invitation, version int64) contacts.Invitation {
	inv.Version = version
	if version%2 == 0 {
		inv.Role, inv.Mode, inv.Workspace, inv.Accepted, inv.Revoked = "", contacts.InviteQuiet, "", time.Time{}, time.Time{}
		return inv
	}
	n := fmt.Sprint(version)
	inv.Contact, inv.Role, inv.Mode, inv.Workspace = "c"+n, "normal", contacts.InviteContacts, "ws-"+n
	inv.InvitedBy, inv.TokenHash = "vendor:crm"+n, tokenHash("invite-"+n)
	d := time.Duration(version) * time.Minute
	inv.Created, inv.Expires, inv.Accepted, inv.Revoked = t0.Add(-d), t0.Add(d+time.Hour), t0.Add(d), t0.Add(2*d)
	return inv
}
