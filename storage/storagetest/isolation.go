package storagetest

import (
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

var isolationTests = []test{
	{"ReadsThroughAnotherOrg", testIsolationReads},
	{"WritesThroughAnotherOrg", testIsolationWrites},
	{"Listings", testIsolationListings},
}

// isolationFixture fills two orgs whose IDs share a prefix, so that a driver
// scanning keys by the org's prefix alone ("acme" also prefixes "acme-eu")
// shows up. Both have a group g1 and a role admin; only acme-eu has audit
// events, contacts c9 and g9, and the address bob@example.com.
func isolationFixture(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"),
		group("acme", "g1"), group("acme-eu", "g1"), group("acme-eu", "g9"),
		inGroups(contact("acme", "c1", "ann@example.com", "admin"), "g1"),
		inGroups(contact("acme-eu", "c2", "ann@example.com", "admin"), "g1"),
		inGroups(contact("acme-eu", "c9", "bob@example.com", "admin", "owner"), "g1", "g9"),
		event("acme-eu", 1), event("acme-eu", 2))
}

func testIsolationReads(t *testing.T, s contacts.Store) {
	isolationFixture(t, s)
	view(t, s, func(tx contacts.ReadTx) error {
		_, err := tx.Contact("acme", "c9")
		wantErr(t, "Contact(acme, another org's contact)", err, contacts.ErrNotFound)
		_, err = tx.ContactByEmail("acme", "bob@example.com")
		wantErr(t, "ContactByEmail(acme, another org's address)", err, contacts.ErrNotFound)
		_, err = tx.Group("acme", "g9")
		wantErr(t, "Group(acme, another org's group)", err, contacts.ErrNotFound)
		if head, err := tx.AuditHead("acme"); err != nil || head != (contacts.AuditHead{}) {
			t.Errorf("AuditHead(acme) = %+v, %v; want the zero head (only acme-eu has events)", head, err)
		}
		if events, err := tx.AuditEvents("acme", 0, 10); err != nil || len(events) != 0 {
			t.Errorf("AuditEvents(acme) = %d events, %v; want none", len(events), err)
		}
		got, err := tx.ContactByEmail("acme", "ann@example.com")
		if err != nil || got.Org != "acme" || got.ID != "c1" {
			t.Errorf("ContactByEmail(acme, shared address) = %s/%s, %v; want acme/c1", got.Org, got.ID, err)
		}
		return nil
	})
}

// testIsolationWrites: writes naming another org's items, through the
// caller's org, find nothing and change nothing, whatever version they name.
func testIsolationWrites(t *testing.T, s contacts.Store) {
	isolationFixture(t, s)
	nf := contacts.ErrNotFound
	for _, prev := range []int64{1, 2} {
		fails(t, s, "UpdateContact(acme, another org's contact)", nf, func(tx contacts.Tx) error {
			return tx.UpdateContact(contact("acme", "c9", "mallory@example.com", "owner"), prev)
		})
		fails(t, s, "DeleteContact(acme, another org's contact)", nf, func(tx contacts.Tx) error {
			return tx.DeleteContact("acme", "c9", prev)
		})
		fails(t, s, "UpdateGroup(acme, another org's group)", nf, func(tx contacts.Tx) error {
			return tx.UpdateGroup(group("acme", "g9"), prev)
		})
		fails(t, s, "DeleteGroup(acme, another org's group)", nf, func(tx contacts.Tx) error {
			return tx.DeleteGroup("acme", "g9", prev)
		})
	}
	// Taking another org's address, or its IDs, is no conflict.
	insert(t, s, contact("acme", "c9", "bob@example.com"), group("acme", "g9"), event("acme", 1))
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.Contact("acme-eu", "c9")
		if err != nil || got.Email != "bob@example.com" || len(got.Roles) != 2 {
			t.Errorf("Contact(acme-eu, c9) = %+v, %v; want it unchanged", got, err)
		}
		if head, err := tx.AuditHead("acme-eu"); err != nil || head.Seq != 2 {
			t.Errorf("AuditHead(acme-eu) = %+v, %v; want event 2", head, err)
		}
		return nil
	})
}

func testIsolationListings(t *testing.T, s contacts.Store) {
	isolationFixture(t, s)
	view(t, s, func(tx contacts.ReadTx) error {
		for _, c := range []struct {
			what, org string
			list      func() ([]contacts.Contact, error)
			want      []string
		}{
			{"Contacts", "acme", func() ([]contacts.Contact, error) { return tx.Contacts("acme", contacts.Page{}) }, []string{"c1"}},
			{"Contacts after c1", "acme", func() ([]contacts.Contact, error) {
				return tx.Contacts("acme", contacts.Page{After: "c1"})
			}, nil},
			{"Contacts", "acme-eu", func() ([]contacts.Contact, error) { return tx.Contacts("acme-eu", contacts.Page{}) }, []string{"c2", "c9"}},
			{"ContactsWithRole admin", "acme", func() ([]contacts.Contact, error) { return tx.ContactsWithRole("acme", "admin") }, []string{"c1"}},
			{"ContactsWithRole owner", "acme", func() ([]contacts.Contact, error) { return tx.ContactsWithRole("acme", "owner") }, nil},
			{"GroupMembers g1", "acme", func() ([]contacts.Contact, error) { return tx.GroupMembers("acme", "g1") }, []string{"c1"}},
			{"GroupMembers g9", "acme", func() ([]contacts.Contact, error) { return tx.GroupMembers("acme", "g9") }, nil},
		} {
			what := c.what + " of " + c.org
			got, err := c.list()
			if err != nil {
				t.Errorf("%s: %v", what, err)
				continue
			}
			diff(t, what, c.want, ids(got))
			for _, x := range got {
				if x.Org != c.org {
					t.Errorf("%s: contact %s of org %q", what, x.ID, x.Org)
				}
			}
		}
		groups, err := tx.Groups("acme", contacts.Page{})
		if err != nil {
			return err
		}
		diff(t, "Groups of acme", []string{"g1"}, ids(groups))
		return nil
	})
}
