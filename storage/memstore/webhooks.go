package memstore

import (
	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// Webhook cursors are items of one org, keyed by org number and endpoint
// ID, written like slot holders records: a new one with prev 0, else in
// place of the stored version prev. A cursor holds no slices or pointers,
// so a copy of the value is a deep copy.

func getCursor(txn *memdb.Txn, key []byte) (*contacts.WebhookCursor, error) {
	raw, err := txn.First(tableCursors, indexID, key)
	if err != nil || raw == nil {
		return nil, err
	}
	return raw.(*contacts.WebhookCursor), nil
}

// WebhookCursor returns the delivery cursor of endpoint in org.
func (t *readTx) WebhookCursor(org, endpoint string) (contacts.WebhookCursor, error) {
	if t.done {
		return contacts.WebhookCursor{}, errTxDone
	}
	num, ok := t.num(org)
	if !ok {
		return contacts.WebhookCursor{}, contacts.ErrNotFound
	}
	return copyCursor(getCursor(t.mem(), itemKey(num, endpoint)))
}

// WebhookCursors returns every delivery cursor of org, ordered by endpoint.
func (t *readTx) WebhookCursors(org string) ([]contacts.WebhookCursor, error) {
	num, ok := t.num(org)
	if !ok {
		return nil, nil
	}
	it, err := t.iter(tableCursors, indexID, orgPrefix(num), false)
	if err != nil {
		return nil, err
	}
	var out []contacts.WebhookCursor
	for raw := it.Next(); raw != nil; raw = it.Next() {
		out = append(out, *raw.(*contacts.WebhookCursor))
	}
	return out, nil
}

func copyCursor(c *contacts.WebhookCursor, err error) (contacts.WebhookCursor, error) {
	switch {
	case err != nil:
		return contacts.WebhookCursor{}, err
	case c == nil:
		return contacts.WebhookCursor{}, contacts.ErrNotFound
	}
	return *c, nil
}

func (t *writeTx) cursor(num uint32, key []byte) (*contacts.WebhookCursor, error) {
	txn, err := t.reader(num, keyCursor, key)
	if err != nil {
		return nil, err
	}
	return getCursor(txn, key)
}

// WebhookCursor returns the delivery cursor of endpoint in org, this
// transaction's writes included.
func (t *writeTx) WebhookCursor(org, endpoint string) (contacts.WebhookCursor, error) {
	if err := t.live(); err != nil {
		return contacts.WebhookCursor{}, err
	}
	num, ok := t.num(org)
	if !ok {
		return contacts.WebhookCursor{}, contacts.ErrNotFound
	}
	return copyCursor(t.cursor(num, itemKey(num, endpoint)))
}

// PutWebhookCursor stores c as the cursor of c.Endpoint in c.Org: a new one
// with prev 0, else in place of the one whose stored Version is prev.
func (t *writeTx) PutWebhookCursor(c contacts.WebhookCursor, prev int64) error {
	if err := checkIDs("webhook cursor", c.Org, c.Endpoint); err != nil {
		return err
	}
	put := func(num uint32, key []byte) error {
		// c is a copy, and holds no slices or pointers.
		if err := t.txn.Insert(tableCursors, &c); err != nil {
			return err
		}
		t.record(opCursor, &c)
		t.wrote(num, keyCursor, key)
		return nil
	}
	if prev == 0 {
		return insertItem(t, "webhook cursor", c.Org, c.Endpoint, t.cursor, put)
	}
	return updateItem(t, "webhook cursor", c.Org, c.Endpoint, prev,
		func(old *contacts.WebhookCursor) int64 { return old.Version }, t.cursor, put)
}
