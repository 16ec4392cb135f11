package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

var deleteOrgTests = []test{
	{"RemovesEverything", testDeleteOrgRemovesEverything},
	{"Refused", testDeleteOrgRefused},
	{"OpenOrgRefused", testDeleteOrgOpen},
	{"ReadYourWrites", testDeleteOrgReadYourWrites},
	{"ErrorDropsEveryWrite", testDeleteOrgErrorDropsWrites},
	{"ViewSeesNoLaterDelete", testDeleteOrgSnapshot},
}

// fullOrg stores one of everything in org: two contacts (roles, a group,
// addresses), the group, a slot, a consent record, a token named tok, a
// change set, an invitation, two audit events and a webhook cursor.
func fullOrg(t *testing.T, s contacts.Store, id, tok string) {
	t.Helper()
	o := org(id)
	o.ClosedAt = t0.Add(time.Hour) // only a closed org may be deleted
	insert(t, s, o,
		contact(id, "c1", "ann@"+id+".example", "owner"),
		inGroups(contact(id, "c2", "bob@"+id+".example", "admin"), "g1"),
		group(id, "g1"),
		slot(id, "billing", "c1", "c2"),
		consentRecord(id, "c1", "r1"),
		token(id, "c1", tok),
		changeSet(id, "cs1"),
		invitation(id, "i1"),
		event(id, 1), event(id, 2),
	)
	update(t, s, func(tx contacts.Tx) error { return tx.PutWebhookCursor(cursor(id, "crm"), 0) })
}

// gone checks that nothing of org is left.
func gone(t *testing.T, tx contacts.ReadTx, when, org string) {
	t.Helper()
	notFound := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, contacts.ErrNotFound) {
			t.Errorf("%s %s: got %v, want not found", what, when, err)
		}
	}
	empty := func(what string, n int, err error) {
		t.Helper()
		if err != nil || n != 0 {
			t.Errorf("%s %s: %d items, %v; want none", what, when, n, err)
		}
	}
	_, err := tx.Org(org)
	notFound("Org", err)
	_, err = tx.Contact(org, "c1")
	notFound("Contact", err)
	_, err = tx.ContactByEmail(org, "ann@"+org+".example")
	notFound("ContactByEmail", err)
	_, err = tx.Group(org, "g1")
	notFound("Group", err)
	_, err = tx.SlotHolders(org, "billing")
	notFound("SlotHolders", err)
	_, err = tx.ChangeSet(org, "cs1")
	notFound("ChangeSet", err)
	_, err = tx.Invitation(org, "i1")
	notFound("Invitation", err)
	_, err = tx.WebhookCursor(org, "crm")
	notFound("WebhookCursor", err)
	cs, err := tx.Contacts(org, contacts.Page{Limit: contacts.MaxPageSize})
	empty("Contacts", len(cs), err)
	cs, err = tx.ContactsWithRole(org, "owner")
	empty("ContactsWithRole", len(cs), err)
	cs, err = tx.GroupMembers(org, "g1")
	empty("GroupMembers", len(cs), err)
	gs, err := tx.Groups(org, contacts.Page{Limit: contacts.MaxPageSize})
	empty("Groups", len(gs), err)
	ss, err := tx.OrgSlots(org)
	empty("OrgSlots", len(ss), err)
	rs, err := tx.ConsentHistory(org, "c1")
	empty("ConsentHistory", len(rs), err)
	es, err := tx.AuditEvents(org, 0, contacts.MaxPageSize)
	empty("AuditEvents", len(es), err)
	if h, err := tx.AuditHead(org); err != nil || h != (contacts.AuditHead{}) {
		t.Errorf("AuditHead %s: %+v, %v; want the empty head", when, h, err)
	}
	sets, err := tx.ChangeSets(org, contacts.Page{Limit: contacts.MaxPageSize})
	empty("ChangeSets", len(sets), err)
	invs, err := tx.Invitations(org, contacts.Page{Limit: contacts.MaxPageSize})
	empty("Invitations", len(invs), err)
	curs, err := tx.WebhookCursors(org)
	empty("WebhookCursors", len(curs), err)
}

// testDeleteOrgRemovesEverything: DeleteOrg leaves nothing of the org,
// its token included, and nothing of another org changes.
func testDeleteOrgRemovesEverything(t *testing.T, s contacts.Store) {
	fullOrg(t, s, "acme", "t1")
	fullOrg(t, s, "globex", "t2")
	before := dump(t, s, "globex")
	// What should be left: everything but acme and its token.
	before.Orgs = slices.DeleteFunc(before.Orgs, func(o contacts.Org) bool { return o.ID == "acme" })
	delete(before.Tokens, "t1")
	update(t, s, func(tx contacts.Tx) error { return tx.DeleteOrg("acme", 1) })
	view(t, s, func(tx contacts.ReadTx) error {
		gone(t, tx, "after DeleteOrg", "acme")
		_, err := tx.Token(tokenHash("t1"))
		if !errors.Is(err, contacts.ErrNotFound) {
			t.Errorf("the deleted org's token: got %v, want not found", err)
		}
		return nil
	})
	unchanged(t, s, before)
}

// testDeleteOrgRefused: a stale version is a conflict, a missing org not
// found, and neither changes anything.
func testDeleteOrgRefused(t *testing.T, s contacts.Store) {
	fullOrg(t, s, "acme", "t1")
	fails(t, s, "DeleteOrg with a stale version", contacts.ErrConflict, func(tx contacts.Tx) error {
		return tx.DeleteOrg("acme", 2)
	})
	fails(t, s, "DeleteOrg of a missing org", contacts.ErrNotFound, func(tx contacts.Tx) error {
		return tx.DeleteOrg("nobody", 1)
	})
}

// testDeleteOrgOpen: an org that is not closed is a conflict and loses
// nothing.
func testDeleteOrgOpen(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), contact("acme", "c1", "ann@acme.example", "owner"), event("acme", 1))
	fails(t, s, "DeleteOrg of an open org", contacts.ErrConflict, func(tx contacts.Tx) error {
		return tx.DeleteOrg("acme", 1)
	})
}

// testDeleteOrgReadYourWrites: within the transaction that deleted it, the
// org is gone; an org created again under the same ID in that transaction
// starts empty, and its old addresses and IDs are free.
func testDeleteOrgReadYourWrites(t *testing.T, s contacts.Store) {
	fullOrg(t, s, "acme", "t1")
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.DeleteOrg("acme", 1); err != nil {
			return err
		}
		gone(t, tx, "in the deleting transaction", "acme")
		if _, err := tx.Token(tokenHash("t1")); !errors.Is(err, contacts.ErrNotFound) {
			t.Errorf("the deleted org's token in the deleting transaction: got %v, want not found", err)
		}
		if err := tx.InsertOrg(org("acme")); err != nil {
			return err
		}
		if err := tx.InsertContact(contact("acme", "c1", "ann@acme.example", "owner")); err != nil {
			return err
		}
		return tx.AppendAudit(event("acme", 1))
	})
	view(t, s, func(tx contacts.ReadTx) error {
		cs, err := tx.Contacts("acme", contacts.Page{Limit: contacts.MaxPageSize})
		if err != nil || len(cs) != 1 {
			t.Errorf("the org created again: %d contacts, %v; want 1", len(cs), err)
		}
		if h, err := tx.AuditHead("acme"); err != nil || h.Seq != 1 {
			t.Errorf("the org created again: audit head %+v, %v; want seq 1", h, err)
		}
		return nil
	})
}

// testDeleteOrgErrorDropsWrites: a transaction that deletes an org and
// then fails leaves the org whole.
func testDeleteOrgErrorDropsWrites(t *testing.T, s contacts.Store) {
	fullOrg(t, s, "acme", "t1")
	before := dump(t, s, "acme")
	boom := errors.New("boom")
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		if err := tx.DeleteOrg("acme", 1); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	unchanged(t, s, before)
}

// testDeleteOrgSnapshot: a View that began before the delete still sees
// the whole org.
func testDeleteOrgSnapshot(t *testing.T, s contacts.Store) {
	fullOrg(t, s, "acme", "t1")
	duringView(t, s, func(tx contacts.ReadTx, when string) {
		if _, err := tx.Contact("acme", "c2"); err != nil {
			t.Errorf("Contact %s: %v", when, err)
		}
		if h, err := tx.AuditHead("acme"); err != nil || h.Seq != 2 {
			t.Errorf("AuditHead %s: %+v, %v; want seq 2", when, h, err)
		}
	}, func(tx contacts.Tx) error { return tx.DeleteOrg("acme", 1) })
}
