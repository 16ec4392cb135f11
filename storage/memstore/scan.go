package memstore

import (
	"strings"

	"github.com/liaisonhq/liaison/contacts"
)

// ScanContacts calls fn with a shallow copy of every contact of org, in ID
// order, without allocating per contact.
func (t *readTx) ScanContacts(org string, fn func(contacts.Contact) error) error {
	num, ok := t.num(org)
	if !ok {
		return nil
	}
	it, err := t.iter(tableContacts, indexID, afterKey(num, ""), true)
	if err != nil {
		return err
	}
	for raw := it.Next(); raw != nil; raw = it.Next() {
		c := raw.(*contacts.Contact)
		if c.Org != org {
			return nil // the lower bound walked past org's run
		}
		if err := fn(*c); err != nil {
			return err
		}
	}
	return nil
}

// ScanGroupMembers calls fn with a shallow copy of every member of group
// in org, in ID order.
func (t *readTx) ScanGroupMembers(org, group string, fn func(contacts.Contact) error) error {
	num, ok := t.num(org)
	if !ok || strings.IndexByte(group, 0) >= 0 {
		return nil
	}
	it, err := t.iter(tableContacts, indexMember, memberKey(num, memberGroup, group), false)
	if err != nil {
		return err
	}
	for raw := it.Next(); raw != nil; raw = it.Next() {
		if err := fn(*raw.(*contacts.Contact)); err != nil {
			return err
		}
	}
	return nil
}
