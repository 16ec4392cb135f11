package memstore

import (
	"strings"
	"unsafe"

	"github.com/google/btree"

	"github.com/liaisonhq/liaison/contacts"
)

// Contacts are kept outside memdb, the one table that holds millions of
// items and takes most writes: memdb's radix trees copy some twenty-five
// nodes, each with a watch channel, per index a write touches, and keep
// a leaf with two channels per entry, some 360 bytes an index. The contact
// index (index.go) answers point reads; three copy-on-write B-trees
// (github.com/google/btree) keep the orders listings walk:
//
//   - byID: an org's contacts in ID order, under the org's number and the
//     ID (see [itemKey]);
//   - byDir: in directory order, under the org's number and
//     [contacts.DirectoryKey];
//   - byMember: one entry per role held and per group belonged to, under
//     [memberKey] and the contact's ID, so that a role's holders or a
//     group's members are one run in ID order.
//
// Each View reads the trees of its [view], which no one changes: a write
// transaction clones them (a constant-time, lazy copy) before its first
// contact write, and changes its clones, whose nodes it copies on first
// write and then changes in place. Its commit publishes the clones with the
// rest of its state; a failed transaction drops them.

// A citem is an entry of a contact tree: its key, and the contact.
type citem struct {
	key string
	c   *contacts.Contact
}

func citemLess(a, b citem) bool { return a.key < b.key }

// treeDegree is the trees' B-tree degree: nodes hold 15 to 31 items of 24
// bytes, so a write copies a few small nodes and a lookup touches a few
// cache lines per level.
const treeDegree = 16

// contactTrees are the three ordered indexes of contacts.
type contactTrees struct {
	byID, byDir, byMember *btree.BTreeG[citem]
}

func newContactTrees() *contactTrees {
	free := btree.NewFreeListG[citem](btree.DefaultFreeListSize)
	return &contactTrees{
		byID:     btree.NewWithFreeListG(treeDegree, citemLess, free),
		byDir:    btree.NewWithFreeListG(treeDegree, citemLess, free),
		byMember: btree.NewWithFreeListG(treeDegree, citemLess, free),
	}
}

// clone returns trees a writer may change while Views go on reading x.
func (x *contactTrees) clone() *contactTrees {
	return &contactTrees{byID: x.byID.Clone(), byDir: x.byDir.Clone(), byMember: x.byMember.Clone()}
}

// storedKeys are a stored contact's keys: in the byID and byDir trees, and
// its [contacts.EmailKey] for the address map.
type storedKeys struct{ id, dir, email string }

// pack returns the copy of c the store keeps, in the org numbered num, and
// its keys. The copy's strings and the keys are bytes of one block, which
// for all but long contacts is part of the copy's own allocation (see
// [packed]): a contact costs the garbage collector one object instead of
// eight, and a point read, which compares the key and then reads the
// contact, touches one page. Strings never change, so sharing their bytes
// is safe; the slices are copied as [contacts.Contact.Clone] copies them.
func pack(num uint32, c *contacts.Contact) (*contacts.Contact, storedKeys) {
	var digits [numLen]byte
	d := appendNum(digits[:0], uint64(num))
	fold := contacts.FoldText(c.Name)
	ek := contacts.EmailKey(c.Email)
	if ek == c.Email {
		ek = ""
	}
	n := 2*len(d) + 2*len(c.ID) + len(fold) + 1 + len(c.Email) + len(ek) + len(c.Name) + len(c.Title) + len(c.Phone)
	p, b := alloc(n)
	*p = c.Clone()
	// idKey, then dirKey (see dirKey), then the other strings.
	b = append(append(b, d...), c.ID...)
	b = append(append(append(append(b, d...), fold...), 1), c.ID...)
	for _, s := range [...]string{c.Email, ek, c.Name, c.Title, c.Phone} {
		b = append(b, s...)
	}
	// b is never written again: the strings may share its bytes.
	all := unsafe.String(unsafe.SliceData(b), len(b))
	next := func(n int) string {
		s := all[:n]
		all = all[n:]
		return s
	}
	var k storedKeys
	k.id = next(len(d) + len(c.ID))
	p.ID = k.id[len(d):]
	k.dir = next(len(d) + len(fold) + 1 + len(c.ID))
	p.Email = next(len(c.Email))
	k.email = p.Email
	if ek != "" {
		k.email = next(len(ek))
	}
	p.Name, p.Title, p.Phone = next(len(c.Name)), next(len(c.Title)), next(len(c.Phone))
	return p, k
}

// A packed is a stored contact with room for its strings after it, in
// one allocation. B is a byte array; its sizes below make the whole fill
// one of the allocator's size classes (a Contact is 352 bytes).
type packed[B any] struct {
	c contacts.Contact
	b B
}

// alloc returns a contact and an empty buffer of capacity n, in one
// allocation when n is small enough.
func alloc(n int) (*contacts.Contact, []byte) {
	switch {
	case n <= 96:
		x := new(packed[[96]byte])
		return &x.c, x.b[:0:n]
	case n <= 160:
		x := new(packed[[160]byte])
		return &x.c, x.b[:0:n]
	case n <= 288:
		x := new(packed[[288]byte])
		return &x.c, x.b[:0:n]
	}
	return new(contacts.Contact), make([]byte, 0, n)
}

// idKey, dirKey and memberKeys are c's keys in the trees, in the org
// numbered num.
func idKey(num uint32, c *contacts.Contact) string { return itemString(num, c.ID) }

func dirKey(num uint32, c *contacts.Contact) string {
	return itemString(num, contacts.DirectoryKey(*c))
}

// itemString is [itemKey] as a string, built in one allocation.
func itemString(num uint32, id string) string {
	var b strings.Builder
	b.Grow(numLen + len(id))
	var digits [numLen]byte
	b.Write(appendNum(digits[:0], uint64(num)))
	b.WriteString(id)
	return b.String()
}

// get returns the contact id of the org numbered num in x, or nil.
func (x *contactTrees) get(num uint32, id string) *contacts.Contact {
	it, ok := x.byID.Get(citem{key: itemString(num, id)})
	if !ok {
		return nil
	}
	return it.c
}

// put indexes c, a new contact of the org numbered num or the one that
// replaces old, under keys k (see [pack]).
func (x *contactTrees) put(num uint32, old, c *contacts.Contact, k storedKeys) {
	x.byID.ReplaceOrInsert(citem{k.id, c})
	dir := k.dir
	if old != nil {
		if od := dirKey(num, old); od != dir {
			x.byDir.Delete(citem{key: od})
		}
		for _, k := range memberKeys(num, old) {
			x.byMember.Delete(citem{key: string(k)})
		}
	}
	x.byDir.ReplaceOrInsert(citem{dir, c})
	for _, k := range memberKeys(num, c) {
		x.byMember.ReplaceOrInsert(citem{string(k), c})
	}
}

// remove drops c, a contact of the org numbered num, from x.
func (x *contactTrees) remove(num uint32, c *contacts.Contact) {
	x.byID.Delete(citem{key: idKey(num, c)})
	x.byDir.Delete(citem{key: dirKey(num, c)})
	for _, k := range memberKeys(num, c) {
		x.byMember.Delete(citem{key: string(k)})
	}
}

// removeOrg drops every contact of the org numbered num from x, and
// returns them.
func (x *contactTrees) removeOrg(num uint32) []*contacts.Contact {
	var gone []*contacts.Contact
	ascendPrefix(x.byID, string(orgPrefix(num)), func(it citem) bool {
		gone = append(gone, it.c)
		return true
	})
	for _, c := range gone {
		x.remove(num, c)
	}
	return gone
}

// ascendFrom calls fn with the items of tree from key on, in key order,
// until fn returns false.
func ascendFrom(tree *btree.BTreeG[citem], from string, fn func(citem) bool) {
	tree.AscendGreaterOrEqual(citem{key: from}, fn)
}

// ascendPrefix calls fn with the items of tree whose keys start with
// prefix, in key order, until fn returns false.
func ascendPrefix(tree *btree.BTreeG[citem], prefix string, fn func(citem) bool) {
	ascendFrom(tree, prefix, func(it citem) bool {
		return strings.HasPrefix(it.key, prefix) && fn(it)
	})
}
