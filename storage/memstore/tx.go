package memstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// errTxDone is returned by a Tx used after its Update returned.
var errTxDone = errors.New("memstore: transaction used after its Update returned")

// readTx is the [contacts.ReadTx] of View, and the listing half of writeTx.
type readTx struct {
	// txn is the memdb transaction reads go to; a View makes it from db
	// on its first read of memdb (point reads of orgs and contacts need
	// none).
	txn   *memdb.Txn
	db    *memdb.MemDB
	nums  *orgNumbers
	index *contactIndex
	trees *contactTrees
	// gen is the gen a View reads the contact index at; in an Update, the
	// gen it will commit as, above every committed one, so that its reads
	// see the latest versions and its own.
	gen    uint64
	writer bool // in an Update, which sees the org numbers it gave
	done   bool // set when a write transaction ends
}

// mem returns the memdb transaction to read.
func (t *readTx) mem() *memdb.Txn {
	if t.txn == nil {
		t.txn = t.db.Txn(false)
	}
	return t.txn
}

// num returns org's number, if it has one this transaction may use.
func (t *readTx) num(org string) (uint32, bool) {
	if t.writer {
		return t.nums.writerLookup(org)
	}
	return t.nums.lookup(org)
}

var _ contacts.ReadTx = (*readTx)(nil)

// pageLimit returns how many items a page of limit holds.
func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return contacts.DefaultPageSize, nil
	case limit < 0 || limit > contacts.MaxPageSize:
		return 0, fmt.Errorf("memstore: page limit %d is outside 0 to %d", limit, contacts.MaxPageSize)
	}
	return limit, nil
}

// checkIDs refuses empty IDs.
func checkIDs(what string, ids ...string) error {
	for _, id := range ids {
		if id == "" {
			return fmt.Errorf("memstore: %s with an empty ID", what)
		}
	}
	return nil
}

// checkNames refuses role keys or group IDs with a NUL byte, which ends a
// name in the role and group index keys.
func checkNames(what string, names []string) error {
	for _, n := range names {
		if strings.IndexByte(n, 0) >= 0 {
			return fmt.Errorf("memstore: %s: a name with a NUL byte", what)
		}
	}
	return nil
}

// The point lookups, on any memdb transaction. Each returns the stored
// pointer, or nil when there is none; callers copy before handing it out.
// Orgs and contacts are read from the contact index instead.

func getGroup(txn *memdb.Txn, key []byte) (*contacts.Group, error) {
	raw, err := txn.First(tableGroups, indexID, key)
	if err != nil || raw == nil {
		return nil, err
	}
	return raw.(*contacts.Group), nil
}

func getSlot(txn *memdb.Txn, key []byte) (*contacts.SlotHolders, error) {
	raw, err := txn.First(tableSlots, indexID, key)
	if err != nil || raw == nil {
		return nil, err
	}
	return raw.(*contacts.SlotHolders), nil
}

func getConsent(txn *memdb.Txn, key []byte) (*contacts.ConsentRecord, error) {
	raw, err := txn.First(tableConsent, indexID, key)
	if err != nil || raw == nil {
		return nil, err
	}
	return raw.(*contacts.ConsentRecord), nil
}

func getToken(txn *memdb.Txn, hash string) (*contacts.Token, error) {
	raw, err := txn.First(tableTokens, indexID, []byte(hash))
	if err != nil || raw == nil {
		return nil, err
	}
	return raw.(*contacts.Token), nil
}

// An auditRun is an org's audit chain, one value per org in the contact
// index: its events in Seq order, event i having Seq i+1. An append stores
// a new run whose Events extend the last one's. The two may share an
// array, into which an append writes only past the end of every run stored
// before, so no View's run changes under it; a write that is rolled back
// leaves at most an element past every stored run's end, which the next
// append overwrites. Outside memdb, an append copies no radix nodes at all,
// where one event per memdb item cost a path down a tree of every event.
type auditRun struct {
	Org    string
	Events []*contacts.AuditEvent
}

// head returns the run's last Seq and Hash; r may be nil, an org with no
// events.
func (r *auditRun) head() contacts.AuditHead {
	if r == nil || len(r.Events) == 0 {
		return contacts.AuditHead{}
	}
	e := r.Events[len(r.Events)-1]
	return contacts.AuditHead{Seq: e.Seq, Hash: e.Hash}
}

// page returns copies of the run's events with Seq above after, at most
// limit of them, or nil.
func (r *auditRun) page(after uint64, limit int) []contacts.AuditEvent {
	if r == nil || after >= uint64(len(r.Events)) {
		return nil
	}
	evs := r.Events[after:]
	evs = evs[:min(len(evs), limit)]
	out := make([]contacts.AuditEvent, len(evs))
	for i, e := range evs {
		out[i] = e.Clone()
	}
	return out
}

// appended returns the run after r (which may be nil) with e appended.
func (r *auditRun) appended(e *contacts.AuditEvent) *auditRun {
	next := &auditRun{Org: e.Org}
	if r != nil {
		next.Events = append(r.Events, e)
	} else {
		next.Events = []*contacts.AuditEvent{e}
	}
	return next
}

// run returns the audit run of the org numbered num, or nil.
func (t *readTx) run(num uint32) *auditRun {
	return t.index.runs.at(runKey(num), t.gen)
}

// Org returns the org with the given ID.
func (t *readTx) Org(id string) (contacts.Org, error) {
	if t.done {
		return contacts.Org{}, errTxDone
	}
	return cloneOrg(t.index.orgs.at(orgKey(id), t.gen), nil)
}

// Contact returns the contact id of org.
func (t *readTx) Contact(org, id string) (contacts.Contact, error) {
	if t.done {
		return contacts.Contact{}, errTxDone
	}
	num, ok := t.num(org)
	if !ok {
		return contacts.Contact{}, contacts.ErrNotFound
	}
	return cloneContact(t.index.byID.at(ckey{num, id}, t.gen), nil)
}

// ContactByEmail returns the contact of org whose EmailKey is key.
func (t *readTx) ContactByEmail(org, key string) (contacts.Contact, error) {
	if t.done {
		return contacts.Contact{}, errTxDone
	}
	num, ok := t.num(org)
	if !ok {
		return contacts.Contact{}, contacts.ErrNotFound
	}
	return cloneContact(t.index.byEmail.at(ckey{num, key}, t.gen), nil)
}

// Group returns the group id of org.
func (t *readTx) Group(org, id string) (contacts.Group, error) {
	num, ok := t.num(org)
	if !ok {
		return contacts.Group{}, contacts.ErrNotFound
	}
	return cloneGroup(getGroup(t.mem(), itemKey(num, id)))
}

// SlotHolders returns the holders record of slot in org.
func (t *readTx) SlotHolders(org, slot string) (contacts.SlotHolders, error) {
	num, ok := t.num(org)
	if !ok {
		return contacts.SlotHolders{}, contacts.ErrNotFound
	}
	return cloneSlot(getSlot(t.mem(), itemKey(num, slot)))
}

// Token returns the token whose Hash is hash, in any org.
func (t *readTx) Token(hash string) (contacts.Token, error) {
	return copyToken(getToken(t.mem(), hash))
}

// AuditHead returns the last audit event's Seq and Hash in org.
func (t *readTx) AuditHead(org string) (contacts.AuditHead, error) {
	if t.done {
		return contacts.AuditHead{}, errTxDone
	}
	num, ok := t.num(org)
	if !ok {
		return contacts.AuditHead{}, nil
	}
	return t.run(num).head(), nil
}

func cloneOrg(o *contacts.Org, err error) (contacts.Org, error) {
	switch {
	case err != nil:
		return contacts.Org{}, err
	case o == nil:
		return contacts.Org{}, contacts.ErrNotFound
	}
	return o.Clone(), nil
}

func cloneContact(c *contacts.Contact, err error) (contacts.Contact, error) {
	switch {
	case err != nil:
		return contacts.Contact{}, err
	case c == nil:
		return contacts.Contact{}, contacts.ErrNotFound
	}
	return c.Clone(), nil
}

func cloneGroup(g *contacts.Group, err error) (contacts.Group, error) {
	switch {
	case err != nil:
		return contacts.Group{}, err
	case g == nil:
		return contacts.Group{}, contacts.ErrNotFound
	}
	return *g, nil // a Group holds no slices or pointers
}

func cloneSlot(s *contacts.SlotHolders, err error) (contacts.SlotHolders, error) {
	switch {
	case err != nil:
		return contacts.SlotHolders{}, err
	case s == nil:
		return contacts.SlotHolders{}, contacts.ErrNotFound
	}
	return s.Clone(), nil
}

func copyToken(tok *contacts.Token, err error) (contacts.Token, error) {
	switch {
	case err != nil:
		return contacts.Token{}, err
	case tok == nil:
		return contacts.Token{}, contacts.ErrNotFound
	}
	return *tok, nil // a Token holds no slices or pointers
}

// iter returns an iterator over table's index: the entries under prefix
// (with lower false), or the entries from key on (with lower true). In a
// write transaction it sees the transaction's own writes.
func (t *readTx) iter(table, index string, key []byte, lower bool) (memdb.ResultIterator, error) {
	if t.done {
		return nil, errTxDone
	}
	if lower {
		return t.mem().LowerBound(table, index, key)
	}
	return t.mem().Get(table, index, key)
}

// Orgs lists orgs ordered by ID.
func (t *readTx) Orgs(page contacts.Page) ([]contacts.Org, error) {
	limit, err := pageLimit(page.Limit)
	if err != nil {
		return nil, err
	}
	var from []byte
	if page.After != "" {
		// The smallest ID after page.After.
		from = append([]byte(page.After), 0)
	}
	it, err := t.iter(tableOrgs, indexID, from, true)
	if err != nil {
		return nil, err
	}
	var out []contacts.Org
	for raw := it.Next(); raw != nil && len(out) < limit; raw = it.Next() {
		out = append(out, raw.(*contacts.Org).Clone())
	}
	return out, nil
}

// Contacts lists org's contacts ordered by ID.
func (t *readTx) Contacts(org string, page contacts.Page) ([]contacts.Contact, error) {
	limit, err := pageLimit(page.Limit)
	num, ok := t.num(org)
	if err != nil || !ok {
		return nil, err
	}
	if t.done {
		return nil, errTxDone
	}
	var out []contacts.Contact
	prefix := string(orgPrefix(num))
	ascendFrom(t.trees.byID, string(afterKey(num, page.After)), func(it citem) bool {
		if len(out) == limit || !strings.HasPrefix(it.key, prefix) {
			return false
		}
		out = append(out, it.c.Clone())
		return true
	})
	return out, nil
}

// ContactsWithRole returns org's contacts holding role, ordered by ID.
func (t *readTx) ContactsWithRole(org, role string) ([]contacts.Contact, error) {
	return t.members(memberRole, org, role)
}

// GroupMembers returns org's contacts in group, ordered by ID.
func (t *readTx) GroupMembers(org, group string) ([]contacts.Contact, error) {
	return t.members(memberGroup, org, group)
}

func (t *readTx) members(kind byte, org, name string) ([]contacts.Contact, error) {
	num, ok := t.num(org)
	if !ok || strings.IndexByte(name, 0) >= 0 {
		return nil, nil
	}
	if t.done {
		return nil, errTxDone
	}
	var out []contacts.Contact
	ascendPrefix(t.trees.byMember, string(memberKey(num, kind, name)), func(it citem) bool {
		out = append(out, it.c.Clone())
		return true
	})
	return out, nil
}

// Groups lists org's groups ordered by ID.
func (t *readTx) Groups(org string, page contacts.Page) ([]contacts.Group, error) {
	return listPage(t, tableGroups, org, page, func(x *contacts.Group) string { return x.Org },
		func(x *contacts.Group) contacts.Group { return *x })
}

// AuditEvents lists org's audit events with Seq > after, in Seq order, at
// most limit; a limit of 0 means [contacts.DefaultPageSize], and one above
// [contacts.MaxPageSize] is refused, as for a [contacts.Page].
func (t *readTx) AuditEvents(org string, after uint64, limit int) ([]contacts.AuditEvent, error) {
	limit, err := pageLimit(limit)
	switch {
	case err != nil:
		return nil, err
	case t.done:
		return nil, errTxDone
	}
	num, ok := t.num(org)
	if !ok || after == ^uint64(0) {
		return nil, nil
	}
	return t.run(num).page(after, limit), nil
}

// OrgSlots returns every slot holders record of org, ordered by slot key.
func (t *readTx) OrgSlots(org string) ([]contacts.SlotHolders, error) {
	num, ok := t.num(org)
	if !ok {
		return nil, nil
	}
	it, err := t.iter(tableSlots, indexID, orgPrefix(num), false)
	if err != nil {
		return nil, err
	}
	var out []contacts.SlotHolders
	for raw := it.Next(); raw != nil; raw = it.Next() {
		out = append(out, raw.(*contacts.SlotHolders).Clone())
	}
	return out, nil
}

// ConsentHistory returns the consent records of contact in org, ordered
// by ID.
func (t *readTx) ConsentHistory(org, contact string) ([]contacts.ConsentRecord, error) {
	// None is an empty list, not nil: the contract says so, and a caller
	// that encodes it as JSON gets [] rather than null.
	out := []contacts.ConsentRecord{}
	num, ok := t.num(org)
	if !ok || strings.IndexByte(contact, 0) >= 0 {
		return out, nil // no record names such a contact
	}
	it, err := t.iter(tableConsent, indexHistory, historyKey(num, contact, ""), false)
	if err != nil {
		return nil, err
	}
	for raw := it.Next(); raw != nil; raw = it.Next() {
		out = append(out, *raw.(*contacts.ConsentRecord)) // no slices or pointers
	}
	return out, nil
}

// listPage lists a page of org's items of table in ID order, after
// page.After: orgOf names an item's org (the walk stops past org's run) and
// clone returns the copy to hand out.
func listPage[T any](t *readTx, table, org string, page contacts.Page, orgOf func(*T) string, clone func(*T) T) ([]T, error) {
	limit, err := pageLimit(page.Limit)
	num, ok := t.num(org)
	if err != nil || !ok {
		return nil, err
	}
	it, err := t.iter(table, indexID, afterKey(num, page.After), true)
	if err != nil {
		return nil, err
	}
	var out []T
	for raw := it.Next(); raw != nil && len(out) < limit; raw = it.Next() {
		item := raw.(*T)
		if orgOf(item) != org {
			break // the lower bound walked past org's run
		}
		out = append(out, clone(item))
	}
	return out, nil
}
