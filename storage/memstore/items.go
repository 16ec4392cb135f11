package memstore

import "github.com/liaisonhq/liaison/contacts"

// Groups, change sets, invitations and webhook cursors are plain items of
// one org: keyed by org number and ID (a cursor's endpoint), carrying a
// version. Their inserts and updates share these two steps; each type
// supplies how to read and how to store it.

// insertItem stores a new item what/id of org: the same ID in the org is a
// conflict.
func insertItem[T any](t *writeTx, what, org, id string,
	get func(num uint32, key []byte) (*T, error), put func(num uint32, key []byte) error) error {
	if err := t.live(); err != nil {
		return err
	}
	if err := checkIDs(what, org, id); err != nil {
		return err
	}
	num, err := t.nums.give(org)
	if err != nil {
		return err
	}
	key := itemKey(num, id)
	old, err := get(num, key)
	switch {
	case err != nil:
		return err
	case old != nil:
		return conflict("%s %s exists in org %s", what, id, org)
	}
	return put(num, key)
}

// updateItem replaces the item what/id of org whose stored version is prev:
// another version is a conflict, no item is not found.
func updateItem[T any](t *writeTx, what, org, id string, prev int64, version func(*T) int64,
	get func(num uint32, key []byte) (*T, error), put func(num uint32, key []byte) error) error {
	if err := t.live(); err != nil {
		return err
	}
	num, ok := t.nums.writerLookup(org)
	if !ok {
		return contacts.ErrNotFound
	}
	key := itemKey(num, id)
	old, err := get(num, key)
	if err := atVersion(old, err, version, what, id, prev); err != nil {
		return err
	}
	return put(num, key)
}

// atVersion turns the point read (old, err) of the item what/id that a
// write replaces or deletes into the contract's errors: the read's own
// error, not found for no item, a conflict for a stored version other
// than prev.
func atVersion[T any](old *T, err error, version func(*T) int64, what, id string, prev int64) error {
	switch {
	case err != nil:
		return err
	case old == nil:
		return contacts.ErrNotFound
	case version(old) != prev:
		return staleVersion(what, id, version(old), prev)
	}
	return nil
}

func orgVersion(o *contacts.Org) int64         { return o.Version }
func contactVersion(c *contacts.Contact) int64 { return c.Version }
func groupVersion(g *contacts.Group) int64     { return g.Version }
