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

// SearchContacts walks org's contacts in directory order from q.After,
// keeping those q matches, until it has q.Limit.
func (t *readTx) SearchContacts(org string, q contacts.ContactSearch) ([]contacts.Contact, error) {
	limit, err := pageLimit(q.Limit)
	num, ok := t.num(org)
	if err != nil || !ok {
		return nil, err
	}
	from := itemKey(num, q.After)
	if q.After != "" {
		from = append(from, 0) // the smallest key after the cursor
	} else if q.Prefix && q.Text != "" {
		// Keys are folded names first: start where the prefix would.
		from = itemKey(num, q.Text)
	}
	it, err := t.iter(tableContacts, indexDirectory, from, true)
	if err != nil {
		return nil, err
	}
	// A full page is the common case: one allocation for it.
	out := make([]contacts.Contact, 0, limit)
	for raw := it.Next(); raw != nil && len(out) < limit; raw = it.Next() {
		c := raw.(*contacts.Contact)
		if c.Org != org {
			break // past org's run
		}
		if q.Matches(*c) {
			out = append(out, c.Clone())
		} else if q.Prefix && q.Text != "" && !strings.HasPrefix(contacts.DirectoryKey(*c), q.Text) {
			break // past the names with the prefix
		}
	}
	return out, nil
}
