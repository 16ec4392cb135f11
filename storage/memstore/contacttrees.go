package memstore

import (
	"strings"

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
// replaces old.
func (x *contactTrees) put(num uint32, old, c *contacts.Contact) {
	x.byID.ReplaceOrInsert(citem{idKey(num, c), c})
	dir := dirKey(num, c)
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
