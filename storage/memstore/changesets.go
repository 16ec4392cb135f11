package memstore

import (
	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// Change sets and invitations are stored like groups: keyed by org number
// and ID, values immutable copies, reads returning clones.

func getChangeSet(txn *memdb.Txn, key []byte) (*contacts.ChangeSet, error) {
	raw, err := txn.First(tableChangeSets, indexID, key)
	if err != nil || raw == nil {
		return nil, err
	}
	return raw.(*contacts.ChangeSet), nil
}

func getInvitation(txn *memdb.Txn, key []byte) (*contacts.Invitation, error) {
	raw, err := txn.First(tableInvitations, indexID, key)
	if err != nil || raw == nil {
		return nil, err
	}
	return raw.(*contacts.Invitation), nil
}

// ChangeSet returns the change set id of org.
func (t *readTx) ChangeSet(org, id string) (contacts.ChangeSet, error) {
	num, ok := t.num(org)
	if !ok {
		return contacts.ChangeSet{}, contacts.ErrNotFound
	}
	cs, err := getChangeSet(t.mem(), itemKey(num, id))
	if err != nil {
		return contacts.ChangeSet{}, err
	}
	if cs == nil {
		return contacts.ChangeSet{}, contacts.ErrNotFound
	}
	return cs.Clone(), nil
}

// ChangeSets lists org's change sets ordered by ID.
func (t *readTx) ChangeSets(org string, page contacts.Page) ([]contacts.ChangeSet, error) {
	return listPage(t, tableChangeSets, org, page, func(x *contacts.ChangeSet) string { return x.Org },
		func(x *contacts.ChangeSet) contacts.ChangeSet { return x.Clone() })
}

// Invitation returns the invitation id of org.
func (t *readTx) Invitation(org, id string) (contacts.Invitation, error) {
	num, ok := t.num(org)
	if !ok {
		return contacts.Invitation{}, contacts.ErrNotFound
	}
	inv, err := getInvitation(t.mem(), itemKey(num, id))
	if err != nil {
		return contacts.Invitation{}, err
	}
	if inv == nil {
		return contacts.Invitation{}, contacts.ErrNotFound
	}
	return *inv, nil // an Invitation holds no slices or pointers
}

// Invitations lists org's invitations ordered by ID.
func (t *readTx) Invitations(org string, page contacts.Page) ([]contacts.Invitation, error) {
	return listPage(t, tableInvitations, org, page, func(x *contacts.Invitation) string { return x.Org },
		func(x *contacts.Invitation) contacts.Invitation { return *x })
}

func (t *writeTx) changeSet(num uint32, key []byte) (*contacts.ChangeSet, error) {
	txn, err := t.reader(num, keyChangeSet, key)
	if err != nil {
		return nil, err
	}
	return getChangeSet(txn, key)
}

func (t *writeTx) invitation(num uint32, key []byte) (*contacts.Invitation, error) {
	txn, err := t.reader(num, keyInvitation, key)
	if err != nil {
		return nil, err
	}
	return getInvitation(txn, key)
}

// InsertChangeSet stores a new change set.
func (t *writeTx) InsertChangeSet(cs contacts.ChangeSet) error {
	return insertItem(t, "change set", cs.Org, cs.ID, t.changeSet,
		func(num uint32, key []byte) error { return t.putChangeSet(num, key, cs) })
}

// UpdateChangeSet replaces the change set whose stored Version is prev.
func (t *writeTx) UpdateChangeSet(cs contacts.ChangeSet, prev int64) error {
	return updateItem(t, "change set", cs.Org, cs.ID, prev, func(old *contacts.ChangeSet) int64 { return old.Version },
		t.changeSet, func(num uint32, key []byte) error { return t.putChangeSet(num, key, cs) })
}

func (t *writeTx) putChangeSet(num uint32, key []byte, cs contacts.ChangeSet) error {
	stored := cs.Clone()
	if err := t.txn.Insert(tableChangeSets, &stored); err != nil {
		return err
	}
	t.record(opChangeSet, &stored)
	t.wrote(num, keyChangeSet, key)
	return nil
}

// InsertInvitation stores a new invitation.
func (t *writeTx) InsertInvitation(inv contacts.Invitation) error {
	return insertItem(t, "invitation", inv.Org, inv.ID, t.invitation,
		func(num uint32, key []byte) error { return t.putInvitation(num, key, inv) })
}

// UpdateInvitation replaces the invitation whose stored Version is prev.
func (t *writeTx) UpdateInvitation(inv contacts.Invitation, prev int64) error {
	return updateItem(t, "invitation", inv.Org, inv.ID, prev, func(old *contacts.Invitation) int64 { return old.Version },
		t.invitation, func(num uint32, key []byte) error { return t.putInvitation(num, key, inv) })
}

func (t *writeTx) putInvitation(num uint32, key []byte, inv contacts.Invitation) error {
	if err := t.txn.Insert(tableInvitations, &inv); err != nil {
		return err
	}
	t.record(opInvitation, &inv)
	t.wrote(num, keyInvitation, key)
	return nil
}
