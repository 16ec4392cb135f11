package memstore

import (
	"strings"

	"github.com/google/btree"

	"github.com/liaisonhq/liaison/contacts"
)

// ScanContacts calls fn with a shallow copy of every contact of org, in ID
// order, without allocating per contact.
func (t *readTx) ScanContacts(org string, fn func(contacts.Contact) error) error {
	num, ok := t.num(org)
	if !ok {
		return nil
	}
	return t.scan(t.trees.byID, string(orgPrefix(num)), fn)
}

// scan calls fn with a shallow copy of the contact of each item of tree
// under prefix, in key order, until fn's first error, which it returns.
func (t *readTx) scan(tree *btree.BTreeG[citem], prefix string, fn func(contacts.Contact) error) error {
	if t.done {
		return errTxDone
	}
	var err error
	ascendPrefix(tree, prefix, func(it citem) bool {
		err = fn(*it.c)
		return err == nil
	})
	return err
}

// ScanGroupMembers calls fn with a shallow copy of every member of group
// in org, in ID order.
func (t *readTx) ScanGroupMembers(org, group string, fn func(contacts.Contact) error) error {
	num, ok := t.num(org)
	if !ok || strings.IndexByte(group, 0) >= 0 {
		return nil
	}
	return t.scan(t.trees.byMember, string(memberKey(num, memberGroup, group)), fn)
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
	if t.done {
		return nil, errTxDone
	}
	// A full page is the common case: one allocation for it.
	out := make([]contacts.Contact, 0, limit)
	prefix := string(orgPrefix(num))
	ascendFrom(t.trees.byDir, string(from), func(it citem) bool {
		switch c := it.c; {
		case len(out) == limit || !strings.HasPrefix(it.key, prefix):
			return false // a full page, or past org's run
		case q.Matches(*c):
			out = append(out, c.Clone())
		case q.Prefix && q.Text != "" && !strings.HasPrefix(it.key[len(prefix):], q.Text):
			return false // past the names with the prefix
		}
		return true
	})
	return out, nil
}
