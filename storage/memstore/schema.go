package memstore

import (
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"math"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// The tables and their indexes.
//
// Every key of an org-scoped item starts with the org's number (see
// [appendNum]), which the store gives each org ID the first time a
// transaction writes an item of it (see [orgNumbers]). So an org's items
// form one contiguous run of each index, which a prefix scan or a lower
// bound walks without touching another org's items, and the org costs
// a few bytes of every key (four for the first 4095 orgs, five for the
// first 65535) rather than the length of its ID. Within the run, radix order is the byte order of the rest of
// the key, which for IDs is Go's string order: listings come out ordered
// by ID with no sort.
//
// Lookups pass the encoded key as the single argument of First, Get or
// LowerBound; the indexers' FromArgs hand it back unchanged. memdb's stock
// indexers instead reflect on the object and build a compound key from
// several strings on every call.
const (
	tableOrgs    = "orgs"
	tableGroups  = "groups"
	tableSlots   = "slots"
	tableConsent = "consent"
	tableTokens  = "tokens"

	tableChangeSets  = "change_sets"
	tableInvitations = "invitations"
	tableCursors     = "webhook_cursors"

	// indexID is memdb's mandatory unique primary index.
	indexID = "id"
	// indexIDPrefix asks memdb for a prefix scan of the primary index.
	indexIDPrefix = "id_prefix"
	// indexHistory maps org, contact and ID to a consent record (unique,
	// since IDs are).
	indexHistory = "history"
)

// orgNumbers gives each org ID a number for the keys of its items. A
// number is never taken back: if the Update that gave it fails, it stays
// unused. Numbers are never stored, so a durable store will hand them out
// afresh as it loads.
//
// Readers look numbers up without a lock or a transaction, first in an
// immutable map, then among the numbers published since that map was
// built. The Update that gives an org its number publishes it before its
// writes become visible, so a View that sees an item also finds its org's
// number. Rebuilding the map when the recent numbers reach half its size
// keeps the copying linear in the number of orgs.
type orgNumbers struct {
	base   atomic.Pointer[map[string]uint32]
	recent atomic.Pointer[sync.Map] // org ID to uint32, not in base
	// The writer's state: only the Update running touches it (memdb runs
	// one write transaction at a time).
	pending map[string]uint32 // numbers given since the last publish
	nrecent int               // how many numbers recent holds
	last    uint32            // the last number given
	// seed hashes the keys a write transaction wrote (see writeTx).
	seed maphash.Seed
}

func newOrgNumbers() *orgNumbers {
	n := &orgNumbers{seed: maphash.MakeSeed()}
	n.base.Store(&map[string]uint32{})
	n.recent.Store(new(sync.Map))
	return n
}

// lookup returns org's number, if it has one that a reader may use.
//
// The two loads are not one atomic step: publish may fold recent into a
// new base between them, and a reader that read the old base and then the
// new, empty recent would miss a number that was published all along. So
// a miss counts only if base is still the map the lookup began with.
func (n *orgNumbers) lookup(org string) (uint32, bool) {
	for {
		base := n.base.Load()
		if num, ok := (*base)[org]; ok {
			return num, true
		}
		if num, ok := n.recent.Load().Load(org); ok {
			return num.(uint32), true
		}
		if n.base.Load() == base {
			return 0, false
		}
	}
}

// writerLookup returns org's number, if it has one, for the writer: the
// numbers it gave and has not published yet included.
func (n *orgNumbers) writerLookup(org string) (uint32, bool) {
	if num, ok := n.lookup(org); ok {
		return num, true
	}
	num, ok := n.pending[org]
	return num, ok
}

// errTooManyOrgs is returned by a write that would give a number to the
// 2^32th org.
var errTooManyOrgs = errors.New("memstore: more than 2^32-1 orgs")

// give returns org's number, giving it one if it has none. Only the writer
// calls it.
func (n *orgNumbers) give(org string) (uint32, error) {
	if num, ok := n.writerLookup(org); ok {
		return num, nil
	}
	if n.last == math.MaxUint32 {
		return 0, errTooManyOrgs
	}
	n.last++
	if n.pending == nil {
		n.pending = make(map[string]uint32)
	}
	n.pending[org] = n.last
	return n.last, nil
}

// publish makes the numbers given since the last publish visible to
// readers. The writer calls it before it commits.
func (n *orgNumbers) publish() {
	if len(n.pending) == 0 {
		return
	}
	base := *n.base.Load()
	if n.nrecent+len(n.pending) <= len(base)/2+16 {
		recent := n.recent.Load()
		for org, num := range n.pending {
			recent.Store(org, num)
		}
		n.nrecent += len(n.pending)
	} else {
		// Fold the recent numbers into a new map. Readers find every
		// number throughout: in the old map or recent until the new map
		// is stored, in the new map after.
		m := maps.Clone(base)
		n.recent.Load().Range(func(org, num any) bool {
			m[org.(string)] = num.(uint32)
			return true
		})
		maps.Copy(m, n.pending)
		n.base.Store(&m)
		n.recent.Store(new(sync.Map))
		n.nrecent = 0
	}
	clear(n.pending)
}

// discard forgets the numbers given since the last publish: the Update
// that asked for them failed, so nothing is stored under them.
func (n *orgNumbers) discard() {
	clear(n.pending)
}

// of returns the number of org, which the org of an object being stored
// always has: the write methods give it one first. Only the writer indexes
// objects (memdb calls FromObject in Insert and Delete only).
func (n *orgNumbers) of(org string) (uint32, error) {
	num, ok := n.writerLookup(org)
	if !ok {
		return 0, fmt.Errorf("memstore: org %q of an object being indexed has no number", org)
	}
	return num, nil
}

// newSchema returns the database schema, whose indexers take org numbers
// from nums.
func newSchema(nums *orgNumbers) *memdb.DBSchema {
	return &memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
		tableOrgs: {
			Name: tableOrgs,
			Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: singleIndex(func(o *contacts.Org) ([]byte, error) {
					return []byte(o.ID), nil
				})},
			},
		},
		tableGroups: {
			Name: tableGroups,
			Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: singleIndex(func(g *contacts.Group) ([]byte, error) {
					num, err := nums.of(g.Org)
					return itemKey(num, g.ID), err
				})},
			},
		},
		tableSlots: {
			Name: tableSlots,
			Indexes: map[string]*memdb.IndexSchema{
				// The slot key after the org number: an org's run is in
				// slot-key order.
				indexID: {Name: indexID, Unique: true, Indexer: singleIndex(func(s *contacts.SlotHolders) ([]byte, error) {
					num, err := nums.of(s.Org)
					return itemKey(num, s.Slot), err
				})},
			},
		},
		tableConsent: {
			Name: tableConsent,
			Indexes: map[string]*memdb.IndexSchema{
				// By org and record ID, the unit of uniqueness, which an
				// append checks; the history index lists a contact's
				// records. Either way round takes two indexes, so the
				// primary one is the record's identity.
				indexID: {Name: indexID, Unique: true, Indexer: singleIndex(func(r *contacts.ConsentRecord) ([]byte, error) {
					num, err := nums.of(r.Org)
					return itemKey(num, r.ID), err
				})},
				// The contact's ID, a NUL byte (which contact IDs of
				// consent records never hold), then the record's ID: a
				// contact's records are one run, in ID order, not mixed
				// with those of a contact whose ID its own prefixes.
				indexHistory: {Name: indexHistory, Unique: true, Indexer: singleIndex(func(r *contacts.ConsentRecord) ([]byte, error) {
					num, err := nums.of(r.Org)
					return historyKey(num, r.Contact, r.ID), err
				})},
			},
		},
		tableChangeSets: {
			Name: tableChangeSets,
			Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: singleIndex(func(cs *contacts.ChangeSet) ([]byte, error) {
					num, err := nums.of(cs.Org)
					return itemKey(num, cs.ID), err
				})},
			},
		},
		tableInvitations: {
			Name: tableInvitations,
			Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: singleIndex(func(inv *contacts.Invitation) ([]byte, error) {
					num, err := nums.of(inv.Org)
					return itemKey(num, inv.ID), err
				})},
			},
		},
		tableCursors: {
			Name: tableCursors,
			Indexes: map[string]*memdb.IndexSchema{
				// The endpoint ID after the org number: an org's cursors
				// list in endpoint order.
				indexID: {Name: indexID, Unique: true, Indexer: singleIndex(func(c *contacts.WebhookCursor) ([]byte, error) {
					num, err := nums.of(c.Org)
					return itemKey(num, c.Endpoint), err
				})},
			},
		},
		tableTokens: {
			Name: tableTokens,
			Indexes: map[string]*memdb.IndexSchema{
				// Tokens are looked up by Hash alone, across orgs: the key
				// is the hash, with no org number.
				indexID: {Name: indexID, Unique: true, Indexer: singleIndex(func(t *contacts.Token) ([]byte, error) {
					return []byte(t.Hash), nil
				})},
			},
		},
	}}
}

// appendNum appends v to k in a form whose byte order is numeric order and
// in which no number's form is a prefix of another's: a byte holding the
// count of v's hexadecimal digits, then the digits, one byte each (0 to
// 15). Small digits keep the radix tree narrow: a node over a leading byte
// can have 256 children, and every write copies each node on its path, so
// a 16-way node costs a write a sixteenth as much to copy. Numbers below
// 4096 take four bytes.
func appendNum(k []byte, v uint64) []byte {
	n := 1
	for w := v >> 4; w > 0; w >>= 4 {
		n++
	}
	k = append(k, byte(n))
	for i := n - 1; i >= 0; i-- {
		k = append(k, byte(v>>(4*i))&15)
	}
	return k
}

// numLen is the length of appendNum's form of a number below 2^32, at most.
const numLen = 9

// orgPrefix is the prefix of every key of the org numbered num.
func orgPrefix(num uint32) []byte {
	return appendNum(make([]byte, 0, numLen), uint64(num))
}

// itemKey is the key of the item id of the org numbered num.
func itemKey(num uint32, id string) []byte {
	return append(appendNum(make([]byte, 0, numLen+len(id)), uint64(num)), id...)
}

// afterKey is the lower bound of the items of the org numbered num whose
// IDs come after the cursor after: the smallest string greater than after
// is after+"\x00".
func afterKey(num uint32, after string) []byte {
	k := appendNum(make([]byte, 0, numLen+len(after)+1), uint64(num))
	k = append(k, after...)
	return append(k, 0)
}

// The kinds of member index entry: a role held, a group belonged to.
const (
	memberRole  byte = 'r'
	memberGroup byte = 'g'
)

// memberKey is the prefix of the member index entries of role (or group)
// name in the org numbered num. Each entry adds a contact's ID.
func memberKey(num uint32, kind byte, name string) []byte {
	k := appendNum(make([]byte, 0, numLen+len(name)+2), uint64(num))
	k = append(k, kind)
	k = append(k, name...)
	return append(k, 0)
}

// memberKeys returns the keys of c's entries in the contact trees' byMember,
// one per role and group, or nil.
func memberKeys(num uint32, c *contacts.Contact) [][]byte {
	count := len(c.Roles) + len(c.Groups)
	if count == 0 {
		return nil
	}
	org := appendNum(make([]byte, 0, numLen), uint64(num))
	n := 0
	for _, names := range [][]string{c.Roles, c.Groups} {
		for _, name := range names {
			n += len(org) + len(name) + len(c.ID) + 2
		}
	}
	buf := make([]byte, 0, n)
	keys := make([][]byte, 0, count)
	for _, list := range []struct {
		kind  byte
		names []string
	}{{memberRole, c.Roles}, {memberGroup, c.Groups}} {
		for _, name := range list.names {
			start := len(buf)
			buf = append(buf, org...)
			buf = append(buf, list.kind)
			buf = append(buf, name...)
			buf = append(buf, 0)
			buf = append(buf, c.ID...)
			keys = append(keys, buf[start:len(buf):len(buf)])
		}
	}
	return keys
}

// historyKey is the key of consent record id of contact in the org
// numbered num in the history index; with id empty, the prefix of the
// contact's records.
func historyKey(num uint32, contact, id string) []byte {
	k := appendNum(make([]byte, 0, numLen+len(contact)+1+len(id)), uint64(num))
	k = append(k, contact...)
	k = append(k, 0)
	return append(k, id...)
}

// keyArgs is the FromArgs (and PrefixFromArgs) shared by the indexers: the
// one argument is the encoded key, which it returns unchanged.
func keyArgs(args ...any) ([]byte, error) {
	if len(args) == 1 {
		switch k := args[0].(type) {
		case []byte:
			return k, nil
		case string: // memdb's DeletePrefix passes its prefix so
			return []byte(k), nil
		}
	}
	return nil, fmt.Errorf("memstore: index lookups take one encoded key, not %d arguments", len(args))
}

// A singleIndexer indexes an object of type *T under one key.
type singleIndexer[T any] struct{ key func(*T) ([]byte, error) }

func singleIndex[T any](key func(*T) ([]byte, error)) *singleIndexer[T] {
	return &singleIndexer[T]{key: key}
}

func (x *singleIndexer[T]) FromObject(raw any) (bool, []byte, error) {
	obj, ok := raw.(*T)
	if !ok {
		return false, nil, fmt.Errorf("memstore: indexing %T, want %T", raw, obj)
	}
	key, err := x.key(obj)
	return err == nil, key, err
}

func (x *singleIndexer[T]) FromArgs(args ...any) ([]byte, error)       { return keyArgs(args...) }
func (x *singleIndexer[T]) PrefixFromArgs(args ...any) ([]byte, error) { return keyArgs(args...) }
