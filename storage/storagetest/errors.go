package storagetest

import (
	"errors"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

var notFoundTests = []test{
	{"Reads", testNotFoundReads},
	{"Writes", testNotFoundWrites},
}

var versionTests = []test{
	{"Stale", testStaleVersions},
	{"StoredAsGiven", testVersionStoredAsGiven},
}

var uniquenessTests = []test{
	{"DuplicateID", testDuplicateID},
	{"SameIDInTwoOrgs", testSameIDInTwoOrgs},
	{"IDsAreCaseSensitive", testIDCase},
	{"Email", testDuplicateEmail},
	{"EmailInTwoOrgs", testEmailInTwoOrgs},
	{"UpdateEmail", testUpdateEmail},
	{"EmailFreedInTransaction", testEmailFreedInTransaction},
}

// fails runs op in an Update whose function returns op's error, and checks
// that Update returns an error matching target and that nothing changed.
func fails(t *testing.T, s contacts.Store, what string, target error, op func(tx contacts.Tx) error) {
	t.Helper()
	before := dump(t, s, "acme", "acme-eu", "globex")
	err := s.Update(t.Context(), op)
	wantErr(t, what, err, target)
	unchanged(t, s, before)
}

func testNotFoundReads(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"), group("acme", "g1"))
	view(t, s, func(tx contacts.ReadTx) error {
		_, err := tx.Org("nope")
		wantErr(t, "Org(missing)", err, contacts.ErrNotFound)
		_, err = tx.Contact("acme", "nope")
		wantErr(t, "Contact(missing)", err, contacts.ErrNotFound)
		_, err = tx.Contact("nope", "c1")
		wantErr(t, "Contact(missing org)", err, contacts.ErrNotFound)
		_, err = tx.ContactByEmail("acme", "nope@example.com")
		wantErr(t, "ContactByEmail(missing)", err, contacts.ErrNotFound)
		_, err = tx.Group("acme", "nope")
		wantErr(t, "Group(missing)", err, contacts.ErrNotFound)
		_, err = tx.Group("acme", "c1")
		wantErr(t, "Group(a contact's ID)", err, contacts.ErrNotFound)
		_, err = tx.Contact("acme", "g1")
		wantErr(t, "Contact(a group's ID)", err, contacts.ErrNotFound)

		// Empty results are not errors.
		for name, list := range map[string]func() (int, error){
			"Contacts(missing org)":     func() (int, error) { l, err := tx.Contacts("nope", contacts.Page{}); return len(l), err },
			"Groups(missing org)":       func() (int, error) { l, err := tx.Groups("nope", contacts.Page{}); return len(l), err },
			"ContactsWithRole(missing)": func() (int, error) { l, err := tx.ContactsWithRole("acme", "nope"); return len(l), err },
			"GroupMembers(missing)":     func() (int, error) { l, err := tx.GroupMembers("acme", "nope"); return len(l), err },
			"AuditEvents(missing org)":  func() (int, error) { l, err := tx.AuditEvents("nope", 0, 10); return len(l), err },
		} {
			if n, err := list(); err != nil || n != 0 {
				t.Errorf("%s = %d items, %v; want none, no error", name, n, err)
			}
		}
		if h, err := tx.AuditHead("nope"); err != nil || h != (contacts.AuditHead{}) {
			t.Errorf("AuditHead(missing org) = %+v, %v; want the zero head", h, err)
		}
		return nil
	})
}

func testNotFoundWrites(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	nf := contacts.ErrNotFound
	fails(t, s, "UpdateOrg(missing)", nf, func(tx contacts.Tx) error { return tx.UpdateOrg(org("nope"), 1) })
	fails(t, s, "UpdateContact(missing)", nf, func(tx contacts.Tx) error {
		return tx.UpdateContact(contact("acme", "nope", "nope@example.com"), 1)
	})
	fails(t, s, "DeleteContact(missing)", nf, func(tx contacts.Tx) error { return tx.DeleteContact("acme", "nope", 1) })
	fails(t, s, "UpdateGroup(missing)", nf, func(tx contacts.Tx) error { return tx.UpdateGroup(group("acme", "nope"), 1) })
	fails(t, s, "DeleteGroup(missing)", nf, func(tx contacts.Tx) error { return tx.DeleteGroup("acme", "nope", 1) })
}

func testStaleVersions(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"), group("acme", "g1"))
	// Move everything to version 2, so that both an older and a newer prev
	// are stale.
	o, c, g := org("acme"), contact("acme", "c1", "ann@example.com"), group("acme", "g1")
	o.Version, c.Version, g.Version = 2, 2, 2
	update(t, s, func(tx contacts.Tx) error {
		return errors.Join(tx.UpdateOrg(o, 1), tx.UpdateContact(c, 1), tx.UpdateGroup(g, 1))
	})

	cf := contacts.ErrConflict
	for _, prev := range []int64{1, 3} {
		o3, c3, g3 := o, c, g
		o3.Name, c3.Name, g3.Name = "changed", "changed", "changed"
		o3.Version, c3.Version, g3.Version = 4, 4, 4
		fails(t, s, "UpdateOrg(stale)", cf, func(tx contacts.Tx) error { return tx.UpdateOrg(o3, prev) })
		fails(t, s, "UpdateContact(stale)", cf, func(tx contacts.Tx) error { return tx.UpdateContact(c3, prev) })
		fails(t, s, "DeleteContact(stale)", cf, func(tx contacts.Tx) error { return tx.DeleteContact("acme", "c1", prev) })
		fails(t, s, "UpdateGroup(stale)", cf, func(tx contacts.Tx) error { return tx.UpdateGroup(g3, prev) })
		fails(t, s, "DeleteGroup(stale)", cf, func(tx contacts.Tx) error { return tx.DeleteGroup("acme", "g1", prev) })
	}
	wantContact(t, s, c)
}

// testVersionStoredAsGiven: bumping versions is the caller's job; the store
// keeps the Version it is given and compares prev with it.
func testVersionStoredAsGiven(t *testing.T, s contacts.Store) {
	c := contact("acme", "c1", "ann@example.com")
	c.Version = 7
	insert(t, s, org("acme"), c)
	wantContact(t, s, c)
	c.Version = 42
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateContact(c, 7) })
	wantContact(t, s, c)
	update(t, s, func(tx contacts.Tx) error { return tx.DeleteContact("acme", "c1", 42) })
}

func testDuplicateID(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"), group("acme", "g1"))
	cf := contacts.ErrConflict
	fails(t, s, "InsertOrg(duplicate)", cf, func(tx contacts.Tx) error {
		o := org("acme")
		o.Name = "other"
		return tx.InsertOrg(o)
	})
	fails(t, s, "InsertContact(duplicate ID)", cf, func(tx contacts.Tx) error {
		return tx.InsertContact(contact("acme", "c1", "bob@example.com"))
	})
	fails(t, s, "InsertGroup(duplicate)", cf, func(tx contacts.Tx) error {
		g := group("acme", "g1")
		g.Name = "other"
		return tx.InsertGroup(g)
	})
}

// testSameIDInTwoOrgs: IDs are unique within an org. Refusing an ID because
// another org uses it would tell an org that the other's item exists.
func testSameIDInTwoOrgs(t *testing.T, s contacts.Store) {
	a, b := contact("acme", "c1", "ann@example.com"), contact("globex", "c1", "bob@example.com")
	b.Name = "Bob"
	insert(t, s, org("acme"), org("globex"), a, group("acme", "g1"))
	insert(t, s, b, group("globex", "g1"))
	wantContact(t, s, a)
	wantContact(t, s, b)
}

// testIDCase: IDs compare as bytes, so IDs that differ only in case are
// different items.
func testIDCase(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("ACME"),
		contact("acme", "c1", "ann@example.com"), contact("acme", "C1", "bob@example.com"),
		group("acme", "g1"), group("acme", "G1"))
	view(t, s, func(tx contacts.ReadTx) error {
		list, err := tx.Contacts("acme", contacts.Page{})
		if err != nil {
			return err
		}
		diff(t, "Contacts", []string{"C1", "c1"}, ids(list))
		groups, err := tx.Groups("acme", contacts.Page{})
		if err != nil {
			return err
		}
		diff(t, "Groups", []string{"G1", "g1"}, ids(groups))
		orgs, err := tx.Orgs(contacts.Page{})
		if err != nil {
			return err
		}
		diff(t, "Orgs", []string{"ACME", "acme"}, ids(orgs))
		if list, err := tx.Contacts("ACME", contacts.Page{}); err != nil || len(list) != 0 {
			t.Errorf(`Contacts("ACME") = %v, %v; want none`, ids(list), err)
		}
		return nil
	})
}

// testDuplicateEmail: addresses are unique in an org by EmailKey, which
// folds the case of non-ASCII letters too. The suite asks EmailKey which
// addresses are the same rather than deciding it: a driver compares keys,
// not addresses.
func testDuplicateEmail(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"),
		contact("acme", "c1", "Ann@Example.com"),
		contact("acme", "c2", "Ärger@example.de"),
		contact("acme", "c3", "Straße@example.de"))
	holders := map[string]string{} // EmailKey to the ID holding it
	for _, c := range []struct{ id, email string }{{"c1", "Ann@Example.com"}, {"c2", "Ärger@example.de"}, {"c3", "Straße@example.de"}} {
		holders[contacts.EmailKey(c.email)] = c.id
	}
	for _, email := range []string{
		"Ann@Example.com", "ann@example.com", "ANN@EXAMPLE.COM", "ärger@example.de", "ÄRGER@example.de",
		"STRASSE@example.de", "ann@example.org", "anna@example.com",
	} {
		holder, taken := holders[contacts.EmailKey(email)]
		c := contact("acme", "c9", email)
		if taken {
			fails(t, s, "InsertContact(email "+email+")", contacts.ErrConflict, func(tx contacts.Tx) error {
				return tx.InsertContact(c)
			})
		} else {
			// Free: insert it and take it away again.
			update(t, s, func(tx contacts.Tx) error { return tx.InsertContact(c) })
			update(t, s, func(tx contacts.Tx) error { return tx.DeleteContact("acme", "c9", 1) })
		}
		view(t, s, func(tx contacts.ReadTx) error {
			got, err := tx.ContactByEmail("acme", contacts.EmailKey(email))
			switch {
			case taken && (err != nil || got.ID != holder):
				t.Errorf("ContactByEmail(EmailKey(%q)) = %q, %v; want %s", email, got.ID, err, holder)
			case !taken && !errors.Is(err, contacts.ErrNotFound):
				t.Errorf("ContactByEmail(EmailKey(%q)) = %q, %v; want not found", email, got.ID, err)
			}
			return nil
		})
	}
}

func testEmailInTwoOrgs(t *testing.T, s contacts.Store) {
	a, b := contact("acme", "c1", "ann@example.com"), contact("globex", "c2", "Ann@example.com")
	insert(t, s, org("acme"), org("globex"), a, b)
	view(t, s, func(tx contacts.ReadTx) error {
		for _, want := range []contacts.Contact{a, b} {
			got, err := tx.ContactByEmail(want.Org, contacts.EmailKey(want.Email))
			if err != nil {
				t.Fatalf("ContactByEmail(%q): %v", want.Org, err)
			}
			diff(t, "ContactByEmail("+want.Org+")", want, got)
		}
		return nil
	})
}

func testUpdateEmail(t *testing.T, s contacts.Store) {
	ann, bob := contact("acme", "c1", "ann@example.com"), contact("acme", "c2", "bob@example.com")
	insert(t, s, org("acme"), ann, bob)

	taken := bob
	taken.Email, taken.Version = "ANN@example.com", 2
	fails(t, s, "UpdateContact(email of another contact)", contacts.ErrConflict, func(tx contacts.Tx) error {
		return tx.UpdateContact(taken, 1)
	})

	// Changing the case of one's own address is no conflict.
	ann2 := ann
	ann2.Email, ann2.Version = "Ann@example.com", 2
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateContact(ann2, 1) })
	wantContact(t, s, ann2)
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.ContactByEmail("acme", contacts.EmailKey("ann@example.com"))
		if err != nil {
			t.Fatalf("ContactByEmail: %v", err)
		}
		diff(t, "ContactByEmail after a change of case", ann2, got)
		return nil
	})

	// An address given up is free for another contact.
	ann3 := ann2
	ann3.Email, ann3.Version = "ann@new.example", 3
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateContact(ann3, 2) })
	bob2 := bob
	bob2.Email, bob2.Version = "ann@example.com", 2
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateContact(bob2, 1) })
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.ContactByEmail("acme", contacts.EmailKey("ann@example.com"))
		if err != nil || got.ID != "c2" {
			t.Errorf("ContactByEmail(given-up address) = %q, %v; want c2", got.ID, err)
		}
		return nil
	})
}

// testEmailFreedInTransaction: uniqueness holds for the state a transaction
// has written so far, so two contacts can swap addresses in one transaction
// through a third, and a deleted contact's address can be reused at once.
func testEmailFreedInTransaction(t *testing.T, s contacts.Store) {
	ann, bob := contact("acme", "c1", "ann@example.com"), contact("acme", "c2", "bob@example.com")
	insert(t, s, org("acme"), ann, bob)
	ann2, bob2 := ann, bob
	ann2.Email, ann2.Version = "bob@example.com", 3
	bob2.Email, bob2.Version = "ann@example.com", 2
	update(t, s, func(tx contacts.Tx) error {
		tmp := ann
		tmp.Email, tmp.Version = "swap@example.com", 2
		return errors.Join(tx.UpdateContact(tmp, 1), tx.UpdateContact(bob2, 1), tx.UpdateContact(ann2, 2))
	})
	wantContact(t, s, ann2)
	wantContact(t, s, bob2)

	carl := contact("acme", "c3", "ann@example.com")
	update(t, s, func(tx contacts.Tx) error {
		return errors.Join(tx.DeleteContact("acme", "c2", 2), tx.InsertContact(carl))
	})
	wantContact(t, s, carl)
}
