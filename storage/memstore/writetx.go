package memstore

import (
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"time"

	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// writeTx is the [contacts.Tx] of Update. It is a separate type from readTx,
// so a View's ReadTx cannot be asserted to a Tx.
//
// Its listings read the memdb write transaction, which sees its own
// writes. Its point reads, which every write makes to check versions and
// uniqueness, avoid it where they can: a read through a memdb write
// transaction drops the transaction's cache of the index nodes it has
// already copied (iradix Txn.Clone), so a bulk insert that checked each
// contact that way would copy every node on its path again, each time:
// several times the work and the garbage. A point read of a key this
// transaction has not written reads instead the snapshot taken when it
// began, which holds the latest state of that key, since memdb admits one
// writer at a time; only a key it wrote (or one whose hash collides with
// such a key) is read through the write transaction.
type writeTx struct {
	readTx
	snap *memdb.Txn // a read transaction of the state before this one

	// written holds, per org number, the hashes of the keys this
	// transaction wrote, deleted ones included: groups, slot holders and
	// consent records by ID (orgs and contacts are written to the contact
	// index as they go); tokens, which belong to
	// no org's run, under [globalNum]. Keeping them per org keeps the lookups of a bulk load, which
	// goes org by org, in a small, cache-resident set.
	written map[uint32]map[uint64]struct{}
	lastNum uint32              // the org number of the last set used
	last    map[uint64]struct{} // written[lastNum]
	// wiped holds the numbers of the orgs this transaction deleted: every
	// key under them was written.
	wiped map[uint32]struct{}

	// The transaction writes versions of its gen (readTx.gen, the commit
	// it will be) into the contact index as it goes. keep is the oldest gen
	// a View may read, while it runs. The undos put the index back if it
	// fails.
	keep                  uint64
	ownTrees              bool // readTx.trees are this transaction's clones
	undoByID, undoByEmail undos[contacts.Contact]
	undoOrgs              undos[contacts.Org]
	undoRuns              undos[auditRun]

	// With logging (a store with a data directory), ops records every
	// write, in order: the transaction's log record.
	logging bool
	ops     []logOp
}

var _ contacts.Tx = (*writeTx)(nil)

func newWriteTx(txn, snap *memdb.Txn, nums *orgNumbers, index *contactIndex) *writeTx {
	return &writeTx{readTx: readTx{txn: txn, nums: nums, index: index, writer: true}, snap: snap}
}

// record adds a write to the transaction's log record.
func (t *writeTx) record(kind opKind, v any) {
	if t.logging {
		t.ops = append(t.ops, logOp{kind: kind, v: v})
	}
}

// live returns errTxDone once the transaction's Update has returned: memdb
// would panic on a finished write transaction.
func (t *writeTx) live() error {
	if t.done {
		return errTxDone
	}
	return nil
}

// The kinds of key in written, which tell apart equal keys of different
// indexes (a contact and a group may share an ID).
const (
	keyGroup byte = iota + 1
	keySlot
	keyConsent
	keyToken
	keyChangeSet
	keyInvitation
	keyCursor
)

// globalNum is the number under which written records the keys of the
// tables that are not split by org (tokens). No org has it: give hands out
// numbers from 1.
const globalNum uint32 = 0

func (t *writeTx) hash(kind byte, key []byte) uint64 {
	return maphash.Bytes(t.nums.seed, key) ^ uint64(kind)*0x9e3779b97f4a7c15
}

// writtenIn returns the set of keys written in the org numbered num,
// creating it if create.
func (t *writeTx) writtenIn(num uint32, create bool) map[uint64]struct{} {
	if t.last != nil && t.lastNum == num {
		return t.last
	}
	set, ok := t.written[num]
	if !ok {
		if !create {
			return nil
		}
		if t.written == nil {
			t.written = make(map[uint32]map[uint64]struct{})
		}
		set = make(map[uint64]struct{})
		t.written[num] = set
	}
	t.lastNum, t.last = num, set
	return set
}

// wrote records that this transaction wrote key in the org numbered num.
func (t *writeTx) wrote(num uint32, kind byte, key []byte) {
	t.writtenIn(num, true)[t.hash(kind, key)] = struct{}{}
}

// reader returns the transaction that holds the latest state of key.
func (t *writeTx) reader(num uint32, kind byte, key []byte) (*memdb.Txn, error) {
	if t.done {
		return nil, errTxDone
	}
	if _, ok := t.wiped[num]; ok {
		return t.txn, nil
	}
	if set := t.writtenIn(num, false); set != nil {
		if _, ok := set[t.hash(kind, key)]; ok {
			return t.txn, nil
		}
	}
	return t.snap, nil
}

// The point reads. Each takes an org number, which an org that has none
// does not need: nothing was ever stored under it.

func (t *writeTx) org(id string) (*contacts.Org, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.index.orgs.at(orgKey(id), t.gen), nil
}

// contactByID and contactByEmail return the contact stored under a key of
// the contact index, this transaction's writes included.
func (t *writeTx) contactByID(num uint32, id string) (*contacts.Contact, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.index.byID.at(ckey{num, id}, t.gen), nil
}

func (t *writeTx) contactByEmail(k ckey) (*contacts.Contact, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.index.byEmail.at(k, t.gen), nil
}

// wroteOrg writes o as org id into the contact index, or deletes it when o
// is nil.
func (t *writeTx) wroteOrg(id string, o *contacts.Org) {
	k := orgKey(id)
	if t.index.orgs.set(k, o, t.gen, t.keep, &t.undoOrgs) {
		t.index.kept(mapOrgs, k, t.gen)
	}
}

// wroteContact writes c (nil when the contact was deleted) into the
// contact index under the ID key id and the address key email.
func (t *writeTx) wroteContact(id, email ckey, c *contacts.Contact) {
	if t.index.byID.set(id, c, t.gen, t.keep, &t.undoByID) {
		t.index.kept(mapByID, id, t.gen)
	}
	t.holdEmail(email, c)
}

// holdEmail writes c (nil for none) as the holder of the address key
// email.
func (t *writeTx) holdEmail(email ckey, c *contacts.Contact) {
	if t.index.byEmail.set(email, c, t.gen, t.keep, &t.undoByEmail) {
		t.index.kept(mapByEmail, email, t.gen)
	}
}

// writableTrees returns the contact trees this transaction changes,
// cloning the committed ones before its first contact write.
func (t *writeTx) writableTrees() *contactTrees {
	if !t.ownTrees {
		t.trees, t.ownTrees = t.trees.clone(), true
	}
	return t.trees
}

// rollback puts the contact index back as it was before the transaction.
func (t *writeTx) rollback() {
	t.index.byID.rollback(&t.undoByID)
	t.index.byEmail.rollback(&t.undoByEmail)
	t.index.orgs.rollback(&t.undoOrgs)
	t.index.runs.rollback(&t.undoRuns)
}

func (t *writeTx) group(num uint32, key []byte) (*contacts.Group, error) {
	txn, err := t.reader(num, keyGroup, key)
	if err != nil {
		return nil, err
	}
	return getGroup(txn, key)
}

func (t *writeTx) slot(num uint32, key []byte) (*contacts.SlotHolders, error) {
	txn, err := t.reader(num, keySlot, key)
	if err != nil {
		return nil, err
	}
	return getSlot(txn, key)
}

func (t *writeTx) consent(num uint32, key []byte) (*contacts.ConsentRecord, error) {
	txn, err := t.reader(num, keyConsent, key)
	if err != nil {
		return nil, err
	}
	return getConsent(txn, key)
}

func (t *writeTx) token(hash string) (*contacts.Token, error) {
	txn, err := t.reader(globalNum, keyToken, []byte(hash))
	if err != nil {
		return nil, err
	}
	return getToken(txn, hash)
}

// auditRun returns the audit run of the org numbered num, or nil, this
// transaction's appends included.
func (t *writeTx) auditRun(num uint32) (*auditRun, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.index.runs.at(runKey(num), t.gen), nil
}

// wroteRun makes r (nil for none) the audit run of the org numbered num.
func (t *writeTx) wroteRun(num uint32, r *auditRun) {
	if t.index.runs.set(runKey(num), r, t.gen, t.keep, &t.undoRuns) {
		t.index.kept(mapRuns, runKey(num), t.gen)
	}
}

// Group returns the group id of org.
func (t *writeTx) Group(org, id string) (contacts.Group, error) {
	if err := t.live(); err != nil {
		return contacts.Group{}, err
	}
	num, ok := t.num(org)
	if !ok {
		return contacts.Group{}, contacts.ErrNotFound
	}
	return cloneGroup(t.group(num, itemKey(num, id)))
}

// SlotHolders returns the holders record of slot in org.
func (t *writeTx) SlotHolders(org, slot string) (contacts.SlotHolders, error) {
	if err := t.live(); err != nil {
		return contacts.SlotHolders{}, err
	}
	num, ok := t.num(org)
	if !ok {
		return contacts.SlotHolders{}, contacts.ErrNotFound
	}
	return cloneSlot(t.slot(num, itemKey(num, slot)))
}

// Token returns the token whose Hash is hash, in any org.
func (t *writeTx) Token(hash string) (contacts.Token, error) {
	if err := t.live(); err != nil {
		return contacts.Token{}, err
	}
	return copyToken(t.token(hash))
}

// conflict returns an error matching [contacts.ErrConflict] that says why.
// It names IDs, never an address.
func conflict(format string, args ...any) error {
	return fmt.Errorf("memstore: %w: %s", contacts.ErrConflict, fmt.Sprintf(format, args...))
}

// staleVersion is the conflict of a write naming a version that is not the
// stored one.
func staleVersion(what, id string, stored, prev int64) error {
	return conflict("%s %s: stored version is %d, not %d", what, id, stored, prev)
}

// InsertOrg stores a new org.
func (t *writeTx) InsertOrg(o contacts.Org) error {
	if err := t.live(); err != nil {
		return err
	}
	if err := checkIDs("org", o.ID); err != nil {
		return err
	}
	old, err := t.org(o.ID)
	switch {
	case err != nil:
		return err
	case old != nil:
		return conflict("org %s exists", o.ID)
	}
	return t.putOrg(o)
}

// UpdateOrg replaces the org whose stored Version is prev.
func (t *writeTx) UpdateOrg(o contacts.Org, prev int64) error {
	if err := t.live(); err != nil {
		return err
	}
	old, err := t.org(o.ID)
	if err := atVersion(old, err, orgVersion, "org", o.ID, prev); err != nil {
		return err
	}
	return t.putOrg(o)
}

func (t *writeTx) putOrg(o contacts.Org) error {
	if _, err := t.nums.give(o.ID); err != nil {
		return err
	}
	o = o.Clone()
	if err := t.txn.Insert(tableOrgs, &o); err != nil {
		return err
	}
	t.record(opOrg, &o)
	t.wroteOrg(o.ID, &o)
	return nil
}

// InsertContact stores a new contact.
func (t *writeTx) InsertContact(c contacts.Contact) error {
	if err := t.live(); err != nil {
		return err
	}
	if err := checkContact(c); err != nil {
		return err
	}
	num, err := t.nums.give(c.Org)
	if err != nil {
		return err
	}
	old, err := t.contactByID(num, c.ID)
	switch {
	case err != nil:
		return err
	case old != nil:
		return conflict("contact %s exists in org %s", c.ID, c.Org)
	}
	return t.putContact(num, nil, c)
}

// UpdateContact replaces the contact whose stored Version is prev.
func (t *writeTx) UpdateContact(c contacts.Contact, prev int64) error {
	if err := t.live(); err != nil {
		return err
	}
	num, ok := t.nums.writerLookup(c.Org)
	if !ok {
		return contacts.ErrNotFound
	}
	old, err := t.contactByID(num, c.ID)
	if err := atVersion(old, err, contactVersion, "contact", c.ID, prev); err != nil {
		return err
	}
	if err := checkContact(c); err != nil {
		return err
	}
	return t.putContact(num, old, c)
}

func checkContact(c contacts.Contact) error {
	if err := checkIDs("contact", c.Org, c.ID); err != nil {
		return err
	}
	if err := checkNames("contact roles", c.Roles); err != nil {
		return err
	}
	return checkNames("contact groups", c.Groups)
}

// putContact stores c in the org numbered num, replacing old (nil for a
// new contact), unless another contact of the org holds c's address.
func (t *writeTx) putContact(num uint32, old *contacts.Contact, c contacts.Contact) error {
	p, k := pack(num, &c)
	email := ckey{num, k.email}
	holder, err := t.contactByEmail(email)
	if err != nil {
		return err
	}
	if holder != nil && holder.ID != p.ID {
		return conflict("contact %s of org %s holds the address", holder.ID, p.Org)
	}
	t.writableTrees().put(num, old, p, k)
	t.record(opContact, p)
	t.wroteContact(ckey{num, p.ID}, email, p)
	if old != nil {
		if oldEmail := emailCKey(num, old); oldEmail != email {
			t.holdEmail(oldEmail, nil) // the address is free
		}
	}
	return nil
}

// DeleteContact removes the contact whose stored Version is prev.
func (t *writeTx) DeleteContact(org, id string, prev int64) error {
	if err := t.live(); err != nil {
		return err
	}
	num, ok := t.num(org)
	if !ok {
		return contacts.ErrNotFound
	}
	old, err := t.contactByID(num, id)
	if err := atVersion(old, err, contactVersion, "contact", id, prev); err != nil {
		return err
	}
	t.writableTrees().remove(num, old)
	t.record(opDeleteContact, &itemRef{Org: org, ID: id})
	t.wroteContact(ckey{num, id}, emailCKey(num, old), nil)
	return nil
}

// InsertGroup stores a new group.
func (t *writeTx) InsertGroup(g contacts.Group) error {
	return insertItem(t, "group", g.Org, g.ID, t.group, func(num uint32, key []byte) error { return t.putGroup(num, key, g) })
}

// UpdateGroup replaces the group whose stored Version is prev.
func (t *writeTx) UpdateGroup(g contacts.Group, prev int64) error {
	return updateItem(t, "group", g.Org, g.ID, prev, groupVersion,
		t.group, func(num uint32, key []byte) error { return t.putGroup(num, key, g) })
}

func (t *writeTx) putGroup(num uint32, key []byte, g contacts.Group) error {
	if err := t.txn.Insert(tableGroups, &g); err != nil {
		return err
	}
	t.record(opGroup, &g)
	t.wrote(num, keyGroup, key)
	return nil
}

// DeleteGroup removes the group whose stored Version is prev.
func (t *writeTx) DeleteGroup(org, id string, prev int64) error {
	if err := t.live(); err != nil {
		return err
	}
	num, ok := t.num(org)
	if !ok {
		return contacts.ErrNotFound
	}
	key := itemKey(num, id)
	old, err := t.group(num, key)
	if err := atVersion(old, err, groupVersion, "group", id, prev); err != nil {
		return err
	}
	if err := t.txn.Delete(tableGroups, old); err != nil {
		return err
	}
	t.record(opDeleteGroup, &itemRef{Org: org, ID: id})
	t.wrote(num, keyGroup, key)
	return nil
}

// PutSlotHolders stores s as the holders record of its org's slot: a new
// one with prev 0, else in place of the one whose stored Version is prev.
// With prev above 0 and no record, it returns an error matching
// [contacts.ErrNotFound], as UpdateContact does.
func (t *writeTx) PutSlotHolders(s contacts.SlotHolders, prev int64) error {
	if err := t.live(); err != nil {
		return err
	}
	if err := checkIDs("slot holders", s.Org, s.Slot); err != nil {
		return err
	}
	var num uint32
	if prev == 0 {
		n, err := t.nums.give(s.Org)
		if err != nil {
			return err
		}
		num = n
	} else {
		n, ok := t.nums.writerLookup(s.Org)
		if !ok {
			return contacts.ErrNotFound
		}
		num = n
	}
	key := itemKey(num, s.Slot)
	old, err := t.slot(num, key)
	switch {
	case err != nil:
		return err
	case prev == 0 && old != nil:
		return conflict("slot %s of org %s is assigned already, at version %d", s.Slot, s.Org, old.Version)
	case prev != 0 && old == nil:
		return contacts.ErrNotFound
	case prev != 0 && old.Version != prev:
		return staleVersion("slot", s.Slot, old.Version, prev)
	}
	s = s.Clone()
	if err := t.txn.Insert(tableSlots, &s); err != nil {
		return err
	}
	t.record(opSlot, &s)
	t.wrote(num, keySlot, key)
	return nil
}

// AppendConsent appends a consent record.
func (t *writeTx) AppendConsent(r contacts.ConsentRecord) error {
	if err := t.live(); err != nil {
		return err
	}
	if err := checkIDs("consent record", r.Org, r.ID, r.Contact); err != nil {
		return err
	}
	if strings.IndexByte(r.Contact, 0) >= 0 {
		// A NUL byte ends the contact's ID in the history index.
		return errors.New("memstore: consent record of a contact ID with a NUL byte")
	}
	num, err := t.nums.give(r.Org)
	if err != nil {
		return err
	}
	key := itemKey(num, r.ID)
	old, err := t.consent(num, key)
	switch {
	case err != nil:
		return err
	case old != nil:
		return conflict("consent record %s exists in org %s", r.ID, r.Org)
	}
	// r is a copy, and holds no slices or pointers.
	if err := t.txn.Insert(tableConsent, &r); err != nil {
		return err
	}
	t.record(opConsent, &r)
	t.wrote(num, keyConsent, key)
	return nil
}

// InsertToken stores a new token.
func (t *writeTx) InsertToken(tok contacts.Token) error {
	if err := t.live(); err != nil {
		return err
	}
	if tok.Hash == "" {
		return errors.New("memstore: token with an empty hash")
	}
	old, err := t.token(tok.Hash)
	switch {
	case err != nil:
		return err
	case old != nil:
		// The hash is not named: it is the key to another org's link.
		return conflict("a token of the same hash exists")
	}
	return t.putToken(tok)
}

// UseToken marks the token whose Hash is hash as used at time at. A zero
// at is refused: a zero Used means the token is unused.
func (t *writeTx) UseToken(hash string, at time.Time) error {
	if err := t.live(); err != nil {
		return err
	}
	if at.IsZero() {
		return errors.New("memstore: using a token at the zero time, which marks a token unused")
	}
	old, err := t.token(hash)
	switch {
	case err != nil:
		return err
	case old == nil:
		return contacts.ErrNotFound
	case !old.Used.IsZero():
		return conflict("the token was used already, at %s", old.Used.Format(time.RFC3339))
	}
	tok := *old
	tok.Used = at
	return t.putToken(tok)
}

func (t *writeTx) putToken(tok contacts.Token) error {
	// tok is a copy, and holds no slices or pointers.
	if err := t.txn.Insert(tableTokens, &tok); err != nil {
		return err
	}
	t.record(opToken, &tok)
	t.wrote(globalNum, keyToken, []byte(tok.Hash))
	return nil
}

// AppendAudit appends e to e.Org's audit chain.
func (t *writeTx) AppendAudit(e contacts.AuditEvent) error {
	if err := t.live(); err != nil {
		return err
	}
	if err := checkIDs("audit event of an org", e.Org); err != nil {
		return err
	}
	num, err := t.nums.give(e.Org)
	if err != nil {
		return err
	}
	run, err := t.auditRun(num)
	if err != nil {
		return err
	}
	if head := run.head(); e.Seq != head.Seq+1 || e.Prev != head.Hash {
		return conflict("audit event %d of org %s does not follow the head, event %d", e.Seq, e.Org, head.Seq)
	}
	e = e.Clone()
	t.wroteRun(num, run.appended(&e))
	t.record(opAudit, &e)
	return nil
}
