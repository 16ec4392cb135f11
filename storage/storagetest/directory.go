package storagetest

import (
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

var directoryTests = []test{
	{"Search", testSearch},
	{"Paging", testSearchPaging},
}

// person returns a contact with a name, kind and availability.
func person(org, id, name, email string, kind contacts.Kind, avail contacts.Availability, groups ...string) contacts.Contact {
	c := contact(org, id, email)
	c.Name, c.Kind, c.Availability, c.Groups = name, kind, avail, groups
	return c
}

func testSearch(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"), group("acme", "g1"), group("acme", "g2"),
		person("acme", "c1", "Émile Zola", "emile@acme.example", contacts.Client, contacts.Available, "g1"),
		person("acme", "c2", "anne Smith", "anne@acme.example", contacts.Internal, contacts.Busy, "g2"),
		person("acme", "c3", "Bob Annan", "bob@annex.example", contacts.Client, contacts.Offline),
		person("acme", "c4", "ANNE Smith", "a.smith@acme.example", contacts.Client, contacts.Available, "g1", "g2"),
		person("acme", "c5", "Zoë Ward", "zoe@acme.example", "", ""),
		person("acme-eu", "c0", "Anne Other", "anne@eu.example", contacts.Client, contacts.Available))
	search := func(q contacts.ContactSearch) func(tx contacts.ReadTx) ([]contacts.Contact, error) {
		return func(tx contacts.ReadTx) ([]contacts.Contact, error) { return tx.SearchContacts("acme", q) }
	}
	// Directory order: folded names, then IDs ("anne smith" twice).
	checkMembers(t, s, "everyone", search(contacts.ContactSearch{}), "c2", "c4", "c3", "c1", "c5")
	checkMembers(t, s, "substring in names and addresses", search(contacts.ContactSearch{Text: "ann"}), "c2", "c4", "c3")
	checkMembers(t, s, "accents and case folded", search(contacts.ContactSearch{Text: "emile"}), "c1")
	checkMembers(t, s, "folded ë", search(contacts.ContactSearch{Text: "zoe"}), "c5")
	checkMembers(t, s, "in an address only", search(contacts.ContactSearch{Text: "annex"}), "c3")
	checkMembers(t, s, "prefix of names only", search(contacts.ContactSearch{Text: "ann", Prefix: true}), "c2", "c4")
	checkMembers(t, s, "LIKE wildcards are literal", search(contacts.ContactSearch{Text: "%"}))
	checkMembers(t, s, "underscore is literal", search(contacts.ContactSearch{Text: "_"}))
	checkMembers(t, s, "clients", search(contacts.ContactSearch{Kind: contacts.Client}), "c4", "c3", "c1")
	checkMembers(t, s, "available clients", search(contacts.ContactSearch{Kind: contacts.Client, Available: true}), "c4", "c1")
	checkMembers(t, s, "internal", search(contacts.ContactSearch{Kind: contacts.Internal}), "c2")
	checkMembers(t, s, "group g1", search(contacts.ContactSearch{Groups: []string{"g1"}}), "c4", "c1")
	checkMembers(t, s, "groups g1 or g2", search(contacts.ContactSearch{Groups: []string{"g1", "g2"}}), "c2", "c4", "c1")
	checkMembers(t, s, "no groups admits nobody", search(contacts.ContactSearch{Groups: []string{}}))
	checkMembers(t, s, "all filters at once", search(contacts.ContactSearch{Text: "smith", Kind: contacts.Client, Available: true, Groups: []string{"g2"}}), "c4")
	checkMembers(t, s, "a missing org", func(tx contacts.ReadTx) ([]contacts.Contact, error) {
		return tx.SearchContacts("nobody", contacts.ContactSearch{})
	})
	// A renamed contact moves, inside the transaction that renames it.
	update(t, s, func(tx contacts.Tx) error {
		c := person("acme", "c5", "Aaron Ward", "zoe@acme.example", "", "")
		c.Version = 2
		if err := tx.UpdateContact(c, 1); err != nil {
			return err
		}
		got, err := tx.SearchContacts("acme", contacts.ContactSearch{})
		if err != nil {
			return err
		}
		diff(t, "order after a rename, in the transaction", []string{"c5", "c2", "c4", "c3", "c1"}, ids(got))
		return nil
	})
}

func testSearchPaging(t *testing.T, s contacts.Store) {
	var items []any
	items = append(items, org("acme"))
	for _, id := range []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7"} {
		items = append(items, person("acme", id, "Same Name", id+"@acme.example", contacts.Client, ""))
	}
	insert(t, s, items...)
	var walked []string
	q := contacts.ContactSearch{Limit: 3}
	for range 5 {
		var page []contacts.Contact
		view(t, s, func(tx contacts.ReadTx) error {
			var err error
			page, err = tx.SearchContacts("acme", q)
			return err
		})
		walked = append(walked, ids(page)...)
		if len(page) < q.Limit {
			break
		}
		q.After = contacts.DirectoryKey(page[len(page)-1])
	}
	diff(t, "a walk by directory key", []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7"}, walked)
	view(t, s, func(tx contacts.ReadTx) error {
		if _, err := tx.SearchContacts("acme", contacts.ContactSearch{Limit: contacts.MaxPageSize + 1}); err == nil {
			t.Error("a limit above MaxPageSize was accepted")
		}
		return nil
	})
}
