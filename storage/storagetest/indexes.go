package storagetest

import (
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

var indexTests = []test{
	{"ContactsWithRole", testContactsWithRole},
	{"GroupMembers", testGroupMembers},
}

// checkMembers checks that list returns exactly the contacts want (IDs of
// org, in ID order), equal to what Contact returns for each.
func checkMembers(t *testing.T, s contacts.Store, what string, list func(tx contacts.ReadTx) ([]contacts.Contact, error), want ...string) {
	t.Helper()
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := list(tx)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		diff(t, what, want, ids(got))
		for _, c := range got {
			stored, err := tx.Contact(c.Org, c.ID)
			if err != nil {
				t.Errorf("%s returned %s/%s, which Contact does not find: %v", what, c.Org, c.ID, err)
				continue
			}
			diff(t, what+" item "+c.ID, stored, c)
		}
		return nil
	})
}

func testContactsWithRole(t *testing.T, s contacts.Store) {
	// Role keys that prefix each other, and the same role in another org
	// whose ID the org's ID prefixes.
	insert(t, s, org("acme"), org("acme-eu"),
		contact("acme", "c5", "e@example.com", "admin"),
		contact("acme", "c2", "b@example.com", "admin", "owner"),
		contact("acme", "c4", "d@example.com", "admin_ro"),
		contact("acme", "c1", "a@example.com"),
		contact("acme", "c3", "c@example.com", "admin", "billing"),
		contact("acme-eu", "c0", "a@example.com", "admin"))
	role := func(org, key string) func(tx contacts.ReadTx) ([]contacts.Contact, error) {
		return func(tx contacts.ReadTx) ([]contacts.Contact, error) { return tx.ContactsWithRole(org, key) }
	}
	checkMembers(t, s, "admins of acme", role("acme", "admin"), "c2", "c3", "c5")
	checkMembers(t, s, "read-only admins of acme", role("acme", "admin_ro"), "c4")
	checkMembers(t, s, "owners of acme", role("acme", "owner"), "c2")
	checkMembers(t, s, "adm of acme", role("acme", "adm"))
	checkMembers(t, s, "admins of acme-eu", role("acme-eu", "admin"), "c0")

	// Roles granted and revoked, and a contact deleted.
	c1 := contact("acme", "c1", "a@example.com", "admin", "owner")
	c2 := contact("acme", "c2", "b@example.com", "billing")
	c1.Version, c2.Version = 2, 2
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.UpdateContact(c1, 1); err != nil {
			return err
		}
		if err := tx.UpdateContact(c2, 1); err != nil {
			return err
		}
		return tx.DeleteContact("acme", "c5", 1)
	})
	checkMembers(t, s, "admins of acme after the changes", role("acme", "admin"), "c1", "c3")
	checkMembers(t, s, "owners of acme after the changes", role("acme", "owner"), "c1")
	checkMembers(t, s, "billing of acme after the changes", role("acme", "billing"), "c2", "c3")
	checkMembers(t, s, "admins of acme-eu after the changes", role("acme-eu", "admin"), "c0")
}

func testGroupMembers(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"),
		group("acme", "g1"), group("acme", "g10"), group("acme", "g2"), group("acme-eu", "g1"),
		inGroups(contact("acme", "c3", "c@example.com"), "g1", "g2"),
		inGroups(contact("acme", "c1", "a@example.com"), "g1"),
		inGroups(contact("acme", "c2", "b@example.com"), "g10"),
		contact("acme", "c4", "d@example.com"),
		inGroups(contact("acme-eu", "c0", "a@example.com"), "g1"))
	members := func(org, g string) func(tx contacts.ReadTx) ([]contacts.Contact, error) {
		return func(tx contacts.ReadTx) ([]contacts.Contact, error) { return tx.GroupMembers(org, g) }
	}
	checkMembers(t, s, "members of acme/g1", members("acme", "g1"), "c1", "c3")
	checkMembers(t, s, "members of acme/g10", members("acme", "g10"), "c2")
	checkMembers(t, s, "members of acme/g2", members("acme", "g2"), "c3")
	checkMembers(t, s, "members of acme-eu/g1", members("acme-eu", "g1"), "c0")

	c3 := contact("acme", "c3", "c@example.com")
	c4 := inGroups(contact("acme", "c4", "d@example.com"), "g1", "g10")
	c3.Version, c4.Version = 2, 2
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.UpdateContact(c3, 1); err != nil {
			return err
		}
		if err := tx.UpdateContact(c4, 1); err != nil {
			return err
		}
		return tx.DeleteContact("acme", "c1", 1)
	})
	checkMembers(t, s, "members of acme/g1 after the changes", members("acme", "g1"), "c4")
	checkMembers(t, s, "members of acme/g10 after the changes", members("acme", "g10"), "c2", "c4")
	checkMembers(t, s, "members of acme/g2 after the changes", members("acme", "g2"))
}
