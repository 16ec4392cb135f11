package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

var crudTests = []test{
	{"Org", testOrgCRUD},
	{"Contact", testContactCRUD},
	{"Group", testGroupCRUD},
	{"ReadYourWrites", testReadYourWrites},
	{"ReadYourWritesInNewOrg", testReadYourWritesNewOrg},
}

func testOrgCRUD(t *testing.T, s contacts.Store) {
	o := org("acme")
	o.AllowedEmailDomains = []string{"acme.example", "acme.test"}
	o.ReviewedAt, o.InviteLink = t0.Add(time.Minute), tokenHash("link1")
	insert(t, s, o)
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.Org("acme")
		if err != nil {
			t.Fatalf("Org: %v", err)
		}
		diff(t, "Org after InsertOrg", o, got)
		return nil
	})

	o2 := o
	o2.Name, o2.Parent, o2.Version = "Acme Corp", "holding", 2
	o2.AllowedEmailDomains = []string{"acme.example"}
	o2.ConfirmedAt, o2.ClosedAt = t0.Add(time.Hour), t0.Add(2*time.Hour)
	o2.Updated = t0.Add(time.Hour)
	o2.InviteLink = tokenHash("link2")
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateOrg(o2, 1) })
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.Org("acme")
		if err != nil {
			t.Fatalf("Org: %v", err)
		}
		diff(t, "Org after UpdateOrg", o2, got)
		list, err := tx.Orgs(contacts.Page{})
		if err != nil {
			t.Fatalf("Orgs: %v", err)
		}
		diff(t, "Orgs", []contacts.Org{o2}, list)
		return nil
	})

	// Cleared: no sign-up link, no domains, no times but the required.
	o3 := o2.Clone()
	o3.AllowedEmailDomains, o3.InviteLink, o3.Version = nil, "", 3
	o3.ConfirmedAt, o3.ReviewedAt, o3.ClosedAt = time.Time{}, time.Time{}, time.Time{}
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateOrg(o3, 2) })
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.Org("acme")
		if err != nil {
			t.Fatalf("Org: %v", err)
		}
		diff(t, "Org after UpdateOrg clearing fields", o3, got)
		return nil
	})
}

func testContactCRUD(t *testing.T, s contacts.Store) {
	c := inGroups(contact("acme", "c1", "Ann@example.com", "admin", "owner"), "g1")
	c.Phone, c.Title, c.Kind = "+14155550100", "CTO", contacts.Internal
	c.Availability, c.AvailabilitySince = contacts.Busy, t0.Add(time.Minute)
	c.Consent = []contacts.ConsentState{{Purpose: "newsletter", Granted: true, At: t0}}
	insert(t, s, org("acme"), group("acme", "g1"), c)

	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.Contact("acme", "c1")
		if err != nil {
			t.Fatalf("Contact: %v", err)
		}
		diff(t, "Contact after InsertContact", c, got)
		got, err = tx.ContactByEmail("acme", contacts.EmailKey("Ann@example.com"))
		if err != nil {
			t.Fatalf("ContactByEmail: %v", err)
		}
		diff(t, "ContactByEmail after InsertContact", c, got)
		list, err := tx.Contacts("acme", contacts.Page{})
		if err != nil {
			t.Fatalf("Contacts: %v", err)
		}
		diff(t, "Contacts", []contacts.Contact{c}, list)
		return nil
	})

	c2 := c
	c2.Name, c2.Email, c2.Language, c2.Phone = "Ann Smith", "ann.smith@example.com", "pt-BR", ""
	c2.Roles, c2.Groups = []string{"normal"}, nil
	c2.Consent = []contacts.ConsentState{
		{Purpose: "newsletter", Granted: false, At: t0.Add(time.Hour)},
		{Purpose: "surveys", Granted: true, At: t0.Add(time.Minute)},
	}
	c2.Verification, c2.Status = contacts.Verified, contacts.Invited
	c2.ConfirmedAt, c2.Updated, c2.Version = t0.Add(time.Hour), t0.Add(time.Hour), 2
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateContact(c2, 1) })
	wantContact(t, s, c2)
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.ContactByEmail("acme", contacts.EmailKey("ann.smith@example.com"))
		if err != nil {
			t.Fatalf("ContactByEmail(new address): %v", err)
		}
		diff(t, "ContactByEmail after UpdateContact", c2, got)
		_, err = tx.ContactByEmail("acme", contacts.EmailKey("Ann@example.com"))
		wantErr(t, "ContactByEmail(old address)", err, contacts.ErrNotFound)
		return nil
	})

	update(t, s, func(tx contacts.Tx) error { return tx.DeleteContact("acme", "c1", 2) })
	_, err := readContact(t, s, "acme", "c1")
	wantErr(t, "Contact after DeleteContact", err, contacts.ErrNotFound)
	view(t, s, func(tx contacts.ReadTx) error {
		_, err := tx.ContactByEmail("acme", contacts.EmailKey("ann.smith@example.com"))
		wantErr(t, "ContactByEmail after DeleteContact", err, contacts.ErrNotFound)
		list, err := tx.Contacts("acme", contacts.Page{})
		if err != nil {
			t.Fatalf("Contacts: %v", err)
		}
		diff(t, "Contacts after DeleteContact", []contacts.Contact(nil), list)
		return nil
	})
}

func testGroupCRUD(t *testing.T, s contacts.Store) {
	g := group("acme", "g1")
	insert(t, s, org("acme"), g)
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.Group("acme", "g1")
		if err != nil {
			t.Fatalf("Group: %v", err)
		}
		diff(t, "Group after InsertGroup", g, got)
		return nil
	})

	g2 := g
	g2.Name, g2.Kind, g2.Version, g2.Updated = "Partners", contacts.ClientGroup, 2, t0.Add(time.Hour)
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateGroup(g2, 1) })
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.Group("acme", "g1")
		if err != nil {
			t.Fatalf("Group: %v", err)
		}
		diff(t, "Group after UpdateGroup", g2, got)
		list, err := tx.Groups("acme", contacts.Page{})
		if err != nil {
			t.Fatalf("Groups: %v", err)
		}
		diff(t, "Groups", []contacts.Group{g2}, list)
		return nil
	})

	update(t, s, func(tx contacts.Tx) error { return tx.DeleteGroup("acme", "g1", 2) })
	view(t, s, func(tx contacts.ReadTx) error {
		_, err := tx.Group("acme", "g1")
		wantErr(t, "Group after DeleteGroup", err, contacts.ErrNotFound)
		return nil
	})
}

// testReadYourWrites: a transaction reads its own writes, through every
// read method, before it commits.
func testReadYourWrites(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com", "admin"))
	update(t, s, func(tx contacts.Tx) error {
		c2 := inGroups(contact("acme", "c2", "bob@example.com", "admin"), "g1")
		if err := tx.InsertGroup(group("acme", "g1")); err != nil {
			return err
		}
		if err := tx.InsertContact(c2); err != nil {
			return err
		}
		if got, err := tx.Contact("acme", "c2"); err != nil {
			t.Errorf("Contact of a contact inserted in the transaction: %v", err)
		} else {
			diff(t, "Contact in the transaction", c2, got)
		}
		if _, err := tx.Group("acme", "g1"); err != nil {
			t.Errorf("Group of a group inserted in the transaction: %v", err)
		}
		c1 := contact("acme", "c1", "ann.new@example.com")
		c1.Version = 2
		if err := tx.UpdateContact(c1, 1); err != nil {
			return err
		}
		if got, err := tx.ContactByEmail("acme", "ann.new@example.com"); err != nil {
			t.Errorf("ContactByEmail of an address set in the transaction: %v", err)
		} else {
			diff(t, "ContactByEmail in the transaction", c1, got)
		}
		if _, err := tx.ContactByEmail("acme", "ann@example.com"); !errors.Is(err, contacts.ErrNotFound) {
			t.Errorf("ContactByEmail of an address dropped in the transaction: got %v, want not found", err)
		}
		admins, err := tx.ContactsWithRole("acme", "admin")
		if err != nil {
			return err
		}
		diff(t, "ContactsWithRole in the transaction", []string{"c2"}, ids(admins))
		members, err := tx.GroupMembers("acme", "g1")
		if err != nil {
			return err
		}
		diff(t, "GroupMembers in the transaction", []string{"c2"}, ids(members))
		list, err := tx.Contacts("acme", contacts.Page{})
		if err != nil {
			return err
		}
		diff(t, "Contacts in the transaction", []string{"c1", "c2"}, ids(list))
		if err := tx.DeleteContact("acme", "c2", 1); err != nil {
			return err
		}
		if _, err := tx.Contact("acme", "c2"); !errors.Is(err, contacts.ErrNotFound) {
			t.Errorf("Contact of a contact deleted in the transaction: got %v, want not found", err)
		}
		return nil
	})
}

// testReadYourWritesNewOrg: the same holds for an org the transaction
// creates, through the listings too.
func testReadYourWritesNewOrg(t *testing.T, s contacts.Store) {
	c := inGroups(contact("acme", "c1", "ann@example.com", "owner"), "g1")
	update(t, s, func(tx contacts.Tx) error {
		if err := errors.Join(
			tx.InsertOrg(org("acme")),
			tx.InsertGroup(group("acme", "g1")),
			tx.InsertContact(c),
			tx.AppendAudit(event("acme", 1)),
		); err != nil {
			return err
		}
		if _, err := tx.Org("acme"); err != nil {
			t.Errorf("Org: %v", err)
		}
		if got, err := tx.ContactByEmail("acme", "ann@example.com"); err != nil || got.ID != "c1" {
			t.Errorf("ContactByEmail = %q, %v; want c1", got.ID, err)
		}
		for what, list := range map[string]func() ([]contacts.Contact, error){
			"Contacts":         func() ([]contacts.Contact, error) { return tx.Contacts("acme", contacts.Page{}) },
			"ContactsWithRole": func() ([]contacts.Contact, error) { return tx.ContactsWithRole("acme", "owner") },
			"GroupMembers":     func() ([]contacts.Contact, error) { return tx.GroupMembers("acme", "g1") },
		} {
			got, err := list()
			if err != nil {
				return err
			}
			diff(t, what+" in the transaction", []contacts.Contact{c}, got)
		}
		groups, err := tx.Groups("acme", contacts.Page{})
		if err != nil {
			return err
		}
		diff(t, "Groups in the transaction", []string{"g1"}, ids(groups))
		events, err := tx.AuditEvents("acme", 0, 10)
		if err != nil {
			return err
		}
		diff(t, "AuditEvents in the transaction", []contacts.AuditEvent{event("acme", 1)}, events)
		head, err := tx.AuditHead("acme")
		diff(t, "AuditHead in the transaction", contacts.AuditHead{Seq: 1, Hash: hash("acme", 1)}, head)
		return err
	})
}
