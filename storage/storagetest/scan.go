package storagetest

import (
	"errors"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

var scanTests = []test{
	{"ScanContacts", testScanContacts},
	{"ScanGroupMembers", testScanGroupMembers},
	{"StopsAtError", testScanStops},
}

// collect turns a scan into a listing of deep copies.
func collect(scan func(fn func(contacts.Contact) error) error) ([]contacts.Contact, error) {
	var out []contacts.Contact
	err := scan(func(c contacts.Contact) error {
		out = append(out, c.Clone())
		return nil
	})
	return out, err
}

func testScanContacts(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"), org("b"),
		contact("acme", "c3", "c@example.com", "admin"),
		contact("acme", "c1", "a@example.com"),
		inGroups(contact("acme", "c2", "b@example.com"), "g1"),
		contact("acme-eu", "c0", "a@example.com"))
	scan := func(org string) func(tx contacts.ReadTx) ([]contacts.Contact, error) {
		return func(tx contacts.ReadTx) ([]contacts.Contact, error) {
			return collect(func(fn func(contacts.Contact) error) error { return tx.ScanContacts(org, fn) })
		}
	}
	checkMembers(t, s, "scan of acme", scan("acme"), "c1", "c2", "c3")
	checkMembers(t, s, "scan of acme-eu", scan("acme-eu"), "c0")
	checkMembers(t, s, "scan of b", scan("b"))
	checkMembers(t, s, "scan of a missing org", scan("nobody"))
	// Inside a transaction the scan sees the transaction's own writes.
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.InsertContact(contact("acme", "c0", "z@example.com")); err != nil {
			return err
		}
		if err := tx.DeleteContact("acme", "c3", 1); err != nil {
			return err
		}
		got, err := scan("acme")(tx)
		if err != nil {
			return err
		}
		diff(t, "scan inside the transaction", []string{"c0", "c1", "c2"}, ids(got))
		return nil
	})
}

func testScanGroupMembers(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"),
		group("acme", "g1"), group("acme", "g10"), group("acme-eu", "g1"),
		inGroups(contact("acme", "c3", "c@example.com"), "g1", "g10"),
		inGroups(contact("acme", "c1", "a@example.com"), "g1"),
		inGroups(contact("acme", "c2", "b@example.com"), "g10"),
		inGroups(contact("acme-eu", "c0", "a@example.com"), "g1"))
	scan := func(org, g string) func(tx contacts.ReadTx) ([]contacts.Contact, error) {
		return func(tx contacts.ReadTx) ([]contacts.Contact, error) {
			return collect(func(fn func(contacts.Contact) error) error { return tx.ScanGroupMembers(org, g, fn) })
		}
	}
	checkMembers(t, s, "scan of acme/g1", scan("acme", "g1"), "c1", "c3")
	checkMembers(t, s, "scan of acme/g10", scan("acme", "g10"), "c2", "c3")
	checkMembers(t, s, "scan of acme-eu/g1", scan("acme-eu", "g1"), "c0")
	checkMembers(t, s, "scan of a missing group", scan("acme", "g2"))
}

func testScanStops(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), group("acme", "g1"),
		inGroups(contact("acme", "c1", "a@example.com"), "g1"),
		inGroups(contact("acme", "c2", "b@example.com"), "g1"),
		inGroups(contact("acme", "c3", "c@example.com"), "g1"))
	stop := errors.New("stop here")
	view(t, s, func(tx contacts.ReadTx) error {
		for name, scan := range map[string]func(func(contacts.Contact) error) error{
			"ScanContacts":     func(fn func(contacts.Contact) error) error { return tx.ScanContacts("acme", fn) },
			"ScanGroupMembers": func(fn func(contacts.Contact) error) error { return tx.ScanGroupMembers("acme", "g1", fn) },
		} {
			calls := 0
			err := scan(func(contacts.Contact) error {
				calls++
				if calls == 2 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || calls != 2 {
				t.Errorf("%s: %d calls, error %v; want 2 calls and fn's error", name, calls, err)
			}
		}
		return nil
	})
}
