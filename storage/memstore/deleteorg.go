package memstore

import (
	"fmt"

	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// orgTables are the tables whose primary keys start with the number of
// the org an item belongs to, so that one prefix holds all of an org's
// items. Tokens and orgs are keyed otherwise.
var orgTables = [...]string{tableGroups, tableSlots, tableConsent,
	tableChangeSets, tableInvitations, tableCursors}

// DeleteOrg removes the org whose stored Version is prev and everything
// stored under it.
func (t *writeTx) DeleteOrg(id string, prev int64) error {
	if err := t.live(); err != nil {
		return err
	}
	old, err := t.org(id)
	if err := atVersion(old, err, orgVersion, "org", id, prev); err != nil {
		return err
	}
	if !old.Closed() {
		return conflict("org %s is not closed", id)
	}
	num, _ := t.nums.writerLookup(id) // a stored org has one
	// The contacts go from the trees, and their keys from the index.
	for _, c := range t.writableTrees().removeOrg(num) {
		t.wroteContact(ckey{num, c.ID}, emailCKey(num, c), nil)
	}
	tokens, err := wipeOrg(t.txn, num, id)
	if err != nil {
		return err
	}
	t.record(opDeleteOrg, &itemRef{Org: id, ID: id})
	t.wroteOrg(id, nil)
	// Every key of the org changed: its point reads must see this
	// transaction, not the snapshot it began from.
	if t.wiped == nil {
		t.wiped = make(map[uint32]struct{})
	}
	t.wiped[num] = struct{}{}
	for _, hash := range tokens {
		t.wrote(globalNum, keyToken, []byte(hash))
	}
	t.wroteRun(num, nil)
	return nil
}

// wipeOrg deletes from txn the org id, numbered num, and all its items,
// and returns the hashes of the tokens it deleted. The org keeps its
// number: nothing is stored under it any more, and an org created later
// with the same ID reuses it.
func wipeOrg(txn *memdb.Txn, num uint32, id string) (tokens []string, err error) {
	prefix := string(orgPrefix(num))
	for _, table := range orgTables {
		if _, err := txn.DeletePrefix(table, indexIDPrefix, prefix); err != nil {
			return nil, fmt.Errorf("memstore: deleting the %s of org %s: %w", table, id, err)
		}
	}
	// Tokens are keyed by hash alone: few live at a time, so a scan
	// finds the org's.
	it, err := txn.LowerBound(tableTokens, indexID, []byte{})
	if err != nil {
		return nil, err
	}
	var doomed []*contacts.Token
	for raw := it.Next(); raw != nil; raw = it.Next() {
		if tok := raw.(*contacts.Token); tok.Org == id {
			doomed = append(doomed, tok)
		}
	}
	for _, tok := range doomed {
		if err := txn.Delete(tableTokens, tok); err != nil {
			return nil, fmt.Errorf("memstore: deleting a token of org %s: %w", id, err)
		}
		tokens = append(tokens, tok.Hash)
	}
	if _, err := txn.DeleteAll(tableOrgs, indexID, []byte(id)); err != nil {
		return nil, fmt.Errorf("memstore: deleting org %s: %w", id, err)
	}
	return tokens, nil
}
