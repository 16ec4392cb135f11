package memstore

import (
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// The contact index holds every org's contacts by org number and ID, and
// by org number and [contacts.EmailKey], in hash tables (table.go): a
// point read costs a few cache misses rather than the score of a walk down
// an ordered tree of a million keys. The contact trees (contacttrees.go)
// keep the orders listings walk: by ID, by directory key, by role and
// group.
//
// memdb gives each View the state of the store when the View began; the
// maps give the same by keeping versions. Every commit has a number, its
// gen, one more than the last commit's, and each View reads the state after
// some commit, the gen of its [view]. A map entry is a chain of versions,
// newest first, each a contact (nil for none) and the gen of the commit
// that stored it: a View of gen g reads the newest version at or below g.
// A write transaction, which will be commit gen, prepends a version of gen
// to the chain of each key it writes, at once: no View reads gen before the
// commit publishes it, and the transaction's own reads take the newest
// version. If the transaction fails, it puts back the chains it changed.
// A write also trims the older versions that no View can read any more
// (see [viewTracker]): a View that begins now reads the last published gen
// or a later one. The version a write replaces is still readable by Views
// of the gen before, which a View may begin with until the write is
// published; such chains go on a list, and a later commit trims them, once
// their gen is published and no View older than it is left.

// ckey is a key of the contact index: an org number and an ID or EmailKey.
type ckey struct {
	num uint32
	s   string
}

// A version is the value of a key from commit gen on: v, or none when v is
// nil. Versions are never changed once published: trimming a chain copies
// the part it keeps.
type version[T any] struct {
	v     *T
	gen   uint64
	older *version[T]
}

// at returns the value a View of gen g reads in the chain v heads.
func (v *version[T]) at(g uint64) *T {
	for ; v != nil; v = v.older {
		if v.gen <= g {
			return v.v
		}
	}
	return nil
}

// trim returns the part of the chain v heads that a View of gen keep or
// later can read, copied: the versions above keep, and the newest at or
// below it unless that is no contact, which reads as no version at all.
func trim[T any](v *version[T], keep uint64) *version[T] {
	switch {
	case v == nil:
		return nil
	case v.gen <= keep:
		if v.v == nil {
			return nil
		}
		return &version[T]{v: v.v, gen: v.gen}
	}
	return &version[T]{v: v.v, gen: v.gen, older: trim(v.older, keep)}
}

// indexShards is how many parts a map of the index is split into, each
// with its own lock, so that the writer publishing a commit and the Views
// reading seldom wait for each other.
const indexShards = 64

// An indexShard holds the keys of one part of a map: each key's newest
// version in m, and, only for the few keys that have any, the older ones in
// older. A value with no older versions, the usual case, costs a map slot
// and nothing more.
type indexShard[T any] struct {
	mu    sync.RWMutex
	m     table[T]
	older map[ckey]*version[T]
} // 64 bytes: shards seldom share a cache line

// head is the newest version of a key, whose older ones are in older.
type head[T any] struct {
	v   *T
	gen uint64
}

// A shardedMap is one map of the index.
type shardedMap[T any] struct {
	seed   maphash.Seed
	shards [indexShards]indexShard[T]
}

func (m *shardedMap[T]) init() {
	m.seed = maphash.MakeSeed()
	for i := range m.shards {
		m.shards[i].older = make(map[ckey]*version[T])
	}
}

// shard returns k's shard and hash: the top six bits pick the shard, the
// low ones the slot in its table.
func (m *shardedMap[T]) shard(k ckey) (*indexShard[T], uint64) {
	h := maphash.String(m.seed, k.s) + uint64(k.num)*0x9e3779b97f4a7c15
	return &m.shards[h>>58], h
}

// at returns the value a View of gen g reads under k, or nil.
func (m *shardedMap[T]) at(k ckey, g uint64) *T {
	sh, hash := m.shard(k)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	h, ok := sh.m.get(hash, k)
	switch {
	case !ok:
		return nil
	case h.gen <= g:
		return h.v
	}
	return sh.older[k].at(g)
}

// chain returns the versions of k, newest first, or nil. The caller holds
// sh.mu.
func (sh *indexShard[T]) chain(hash uint64, k ckey) *version[T] {
	h, ok := sh.m.get(hash, k)
	if !ok {
		return nil
	}
	return &version[T]{v: h.v, gen: h.gen, older: sh.older[k]}
}

// store makes v the versions of k, newest first; nil removes k. The caller
// holds sh.mu for writing.
func (sh *indexShard[T]) store(hash uint64, k ckey, v *version[T]) {
	switch {
	case v == nil:
		sh.m.remove(hash, k)
		delete(sh.older, k)
		return
	case v.older == nil:
		delete(sh.older, k)
	default:
		sh.older[k] = v.older
	}
	sh.m.put(hash, k, head[T]{v: v.v, gen: v.gen})
}

// undos is what a write transaction needs to put back the keys of a map
// it wrote: the keys it added, and what each other key held before its
// first write. A key it wrote twice has its first undo only, unless the
// transaction removed it in between: then it was added again.
type undos[T any] struct {
	added   []ckey
	changed []undo[T]
}

// An undo is what a key held before a write transaction first wrote it.
type undo[T any] struct {
	k     ckey
	head  head[T]
	older *version[T]
}

// set makes v (nil for none) the value of k from commit gen on, for the
// write transaction that will be commit gen, keeping of the older versions
// those a View of gen keep or later can read. The first time the
// transaction writes k, set notes in u what k held (u is nil when nothing
// need be put back); it reports whether it kept older versions.
func (m *shardedMap[T]) set(k ckey, v *T, gen, keep uint64, u *undos[T]) bool {
	sh, hash := m.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	h, had := sh.m.get(hash, k)
	if had && h.gen == gen {
		// Written already by this transaction, which no View reads.
		if v == nil && sh.older[k] == nil {
			sh.m.remove(hash, k)
		} else {
			sh.m.put(hash, k, head[T]{v: v, gen: gen})
		}
		return false
	}
	switch {
	case u == nil:
	case had:
		u.changed = append(u.changed, undo[T]{k: k, head: h, older: sh.older[k]})
	default:
		u.added = append(u.added, k)
	}
	older := trim(sh.chain(hash, k), keep)
	if v == nil && older == nil {
		sh.store(hash, k, nil)
		return false
	}
	sh.store(hash, k, &version[T]{v: v, gen: gen, older: older})
	return older != nil
}

// rollback puts back what u says the keys held.
func (m *shardedMap[T]) rollback(u *undos[T]) {
	for _, k := range u.added {
		sh, hash := m.shard(k)
		sh.mu.Lock()
		sh.m.remove(hash, k)
		delete(sh.older, k)
		sh.mu.Unlock()
	}
	for i := range u.changed {
		c := &u.changed[i]
		sh, hash := m.shard(c.k)
		sh.mu.Lock()
		sh.m.put(hash, c.k, c.head)
		if c.older != nil {
			sh.older[c.k] = c.older
		} else {
			delete(sh.older, c.k)
		}
		sh.mu.Unlock()
	}
}

// prune trims the versions of k for Views of gen keep or later.
func (m *shardedMap[T]) prune(k ckey, keep uint64) {
	sh, hash := m.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.older[k] == nil {
		return
	}
	sh.store(hash, k, trim(sh.chain(hash, k), keep))
}

// entries returns how many keys m holds, with how many versions in all.
func (m *shardedMap[T]) entries() (keys, versions int) {
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.RLock()
		keys += sh.m.len()
		versions += sh.m.len()
		for _, v := range sh.older {
			for ; v != nil; v = v.older {
				versions++
			}
		}
		sh.mu.RUnlock()
	}
	return keys, versions
}

// contactIndex is the contact index: contacts by ID and by address, orgs
// by ID (under org number 0), orgs' audit runs by org number (with an
// empty string), and the chains left to trim.
type contactIndex struct {
	byID, byEmail shardedMap[contacts.Contact]
	orgs          shardedMap[contacts.Org]
	runs          shardedMap[auditRun]

	// The writer's: keys whose chains keep versions for Views of a gen
	// before theirs, in the order of their gens.
	revisit []revisitKey
}

// The maps of the index, as revisitKey names them.
const (
	mapByID byte = iota
	mapByEmail
	mapOrgs
	mapRuns
)

type revisitKey struct {
	m   byte
	k   ckey
	gen uint64 // the commit that wrote the key
}

func newContactIndex() *contactIndex {
	x := new(contactIndex)
	x.byID.init()
	x.byEmail.init()
	x.orgs.init()
	x.runs.init()
	return x
}

// runKey is the key of the audit run of the org numbered num.
func runKey(num uint32) ckey { return ckey{num: num} }

// runsAt returns every org's audit run as a View of gen g reads them, in
// org order.
func (x *contactIndex) runsAt(g uint64) []*auditRun {
	var out []*auditRun
	for i := range x.runs.shards {
		sh := &x.runs.shards[i]
		sh.mu.RLock()
		for k, h := range sh.m.all() {
			r := h.v
			if h.gen > g {
				r = sh.older[k].at(g)
			}
			if r != nil {
				out = append(out, r)
			}
		}
		sh.mu.RUnlock()
	}
	slices.SortFunc(out, func(a, b *auditRun) int { return strings.Compare(a.Org, b.Org) })
	return out
}

// orgKey is the key of org id in the index's orgs.
func orgKey(id string) ckey { return ckey{s: id} }

// emailCKey returns the index key of c's address. It shares c.Email's
// bytes when the address is its own EmailKey, as it usually is.
func emailCKey(num uint32, c *contacts.Contact) ckey {
	ek := contacts.EmailKey(c.Email)
	if ek == c.Email {
		ek = c.Email
	}
	return ckey{num, ek}
}

// pruneBatch is how many chains a commit trims at most, so that a commit
// after a large one does not pay for all of its trimming.
const pruneBatch = 4096

// trimSome trims some of the chains that earlier commits left for older
// Views, now that keep is the oldest gen a View may read. The writer
// calls it as it commits.
func (x *contactIndex) trimSome(keep uint64) {
	n := 0
	for len(x.revisit) > n && n < pruneBatch && x.revisit[n].gen <= keep {
		switch r := x.revisit[n]; r.m {
		case mapByID:
			x.byID.prune(r.k, keep)
		case mapByEmail:
			x.byEmail.prune(r.k, keep)
		case mapOrgs:
			x.orgs.prune(r.k, keep)
		default:
			x.runs.prune(r.k, keep)
		}
		n++
	}
	if n > 0 {
		x.revisit = append(x.revisit[:0], x.revisit[n:]...)
	}
}

// kept notes that the chain of k in map m keeps versions for Views older
// than gen, for trimSome.
func (x *contactIndex) kept(m byte, k ckey, gen uint64) {
	x.revisit = append(x.revisit, revisitKey{m: m, k: k, gen: gen})
}

// load fills x with the orgs of db, the contacts of trees, and runs, at
// gen 0: the state Open loaded, before any View.
func (x *contactIndex) load(db *memdb.MemDB, trees *contactTrees, nums *orgNumbers, runs map[uint32]*auditRun) error {
	for num, r := range runs {
		x.runs.set(runKey(num), r, 0, 0, nil)
	}
	orgs, err := db.Txn(false).Get(tableOrgs, indexIDPrefix, []byte{})
	if err != nil {
		return err
	}
	for raw := orgs.Next(); raw != nil; raw = orgs.Next() {
		o := raw.(*contacts.Org)
		x.orgs.set(orgKey(o.ID), o, 0, 0, nil)
	}
	trees.byID.Ascend(func(it citem) bool {
		num, e := nums.of(it.c.Org)
		if err = e; err != nil {
			return false
		}
		x.byID.set(ckey{num, it.c.ID}, it.c, 0, 0, nil)
		x.byEmail.set(emailCKey(num, it.c), it.c, 0, 0, nil)
		return true
	})
	return err
}

// A view is a state of the store that Views read: memdb's, and the gen of
// the commit after which it is.
type view struct {
	db    *memdb.MemDB
	gen   uint64
	trees *contactTrees // never changed once published
}

// viewSlots is how many Views the tracker follows without a lock.
const viewSlots = 64

// viewTracker knows the gens of the Views that are running, so the writer
// can tell which versions of the contact index a View may still read.
//
// A View takes a slot, writing the gen of the view published at that
// moment; then it reads the published view again, which is the same or
// later, and reads that. The writer reads the published gen first, then
// the slots: a View whose slot it missed took it later, so reads a view no
// older than the gen the writer read. With every slot taken, a View counts
// itself in a map under a lock instead.
type viewTracker struct {
	slots [viewSlots]struct {
		gen atomic.Uint64 // the View's gen plus one; 0 when free
		_   [56]byte
	}
	extras atomic.Int64 // how many Views are in extra
	mu     sync.Mutex
	extra  map[uint64]int
}

// enter registers a View that reads gen g or later, and returns what to
// pass to leave.
func (t *viewTracker) enter(g uint64) int {
	start := rand.IntN(viewSlots)
	for i := range viewSlots {
		j := (start + i) % viewSlots
		if t.slots[j].gen.CompareAndSwap(0, g+1) {
			return j
		}
	}
	t.mu.Lock()
	if t.extra == nil {
		t.extra = make(map[uint64]int)
	}
	t.extra[g]++
	t.extras.Add(1)
	t.mu.Unlock()
	return -1 - int(g%(1<<62)) // leave finds g again from this
}

// leave unregisters the View enter returned slot for.
func (t *viewTracker) leave(slot int) {
	if slot >= 0 {
		t.slots[slot].gen.Store(0)
		return
	}
	g := uint64(-1 - slot)
	t.mu.Lock()
	if t.extra[g]--; t.extra[g] == 0 {
		delete(t.extra, g)
	}
	t.extras.Add(-1)
	t.mu.Unlock()
}

// oldest returns the oldest gen a running or starting View may read, given
// published, the gen of the view published before the call.
func (t *viewTracker) oldest(published uint64) uint64 {
	m := published
	for i := range t.slots {
		if v := t.slots[i].gen.Load(); v != 0 && v-1 < m {
			m = v - 1
		}
	}
	if t.extras.Load() > 0 {
		t.mu.Lock()
		for g := range t.extra {
			m = min(m, g)
		}
		t.mu.Unlock()
	}
	return m
}
