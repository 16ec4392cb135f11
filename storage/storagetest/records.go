package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

// A record is a kind of item the contract keeps under the groups' rules,
// without the deletes: change sets and invitations. An ID is unique in its
// org, an update names the stored version, a missing item is not found,
// and listings come by ID, in pages. Its tests (record.tests) are the same
// for each kind; changesets.go and invitations.go add what is particular
// to theirs.
type record[T any] struct {
	what string // "ChangeSet": the read method, for messages
	// item returns a new item of org at version 1, with every field set.
	item func(org, id string) T
	// change returns a copy of v, changed in every field it can be and at
	// version, sharing no memory with v.
	change func(v T, version int64) T
	key    func(v T) (org, id string)
	get    func(tx contacts.ReadTx, org, id string) (T, error)
	list   func(tx contacts.ReadTx, org string, p contacts.Page) ([]T, error)
	insert func(tx contacts.Tx, v T) error
	update func(tx contacts.Tx, v T, prev int64) error
}

func (r record[T]) tests() []test {
	return []test{
		{"CRUD", r.testCRUD},
		{"NotFound", r.testNotFound},
		{"Isolation", r.testIsolation},
		{"DuplicateID", r.testDuplicateID},
		{"StaleVersion", r.testStale},
		{"VersionStoredAsGiven", r.testVersionAsGiven},
		{"Order", r.testOrder},
		{"ReadYourWrites", r.testReadYourWrites},
		{"ErrorDropsEveryWrite", r.testErrorDropsWrites},
		{"ViewSeesNoLaterWrite", r.testSnapshot},
		{"SamePrevOneWins", r.testSamePrevOneWins},
	}
}

// at returns v changed, at version: r.change, for brevity.
func (r record[T]) at(v T, version int64) T { return r.change(v, version) }

// put stores items in one Update.
func (r record[T]) put(t *testing.T, s contacts.Store, items ...T) {
	t.Helper()
	update(t, s, func(tx contacts.Tx) error {
		for _, v := range items {
			if err := r.insert(tx, v); err != nil {
				org, id := r.key(v)
				return fmt.Errorf("inserting %s %s of %s: %w", r.what, id, org, err)
			}
		}
		return nil
	})
}

// want checks that org's items are want, given in ID order, through the
// read of one and the listing.
func (r record[T]) want(t *testing.T, s contacts.Store, org string, want ...T) {
	t.Helper()
	view(t, s, func(tx contacts.ReadTx) error {
		r.check(t, tx, "", org, want...)
		return nil
	})
}

// check is want within a transaction; when says which. It reports with
// t.Errorf only, so it may run on any goroutine.
func (r record[T]) check(t *testing.T, tx contacts.ReadTx, when, org string, want ...T) {
	t.Helper()
	if when != "" {
		when = " " + when
	}
	for _, w := range want {
		_, id := r.key(w)
		got, err := r.get(tx, org, id)
		if err != nil {
			t.Errorf("%s(%q, %q)%s: %v", r.what, org, id, when, err)
			continue
		}
		diff(t, fmt.Sprintf("%s(%s, %s)%s", r.what, org, id, when), w, got)
	}
	list, err := r.list(tx, org, contacts.Page{Limit: contacts.MaxPageSize})
	if err != nil {
		t.Errorf("%ss(%q)%s: %v", r.what, org, when, err)
		return
	}
	diff(t, r.what+"s("+org+")"+when, want, list)
}

// none checks that org has no item id.
func (r record[T]) none(t *testing.T, tx contacts.ReadTx, when, org, id string) {
	t.Helper()
	got, err := r.get(tx, org, id)
	if !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("%s(%q, %q) %s = %+v, %v; want not found", r.what, org, id, when, got, err)
	}
}

// ids returns the IDs of items, in order.
func (r record[T]) ids(items []T) []string {
	out := make([]string, 0, len(items))
	for _, v := range items {
		_, id := r.key(v)
		out = append(out, id)
	}
	return out
}

// testCRUD: an item reads back with every field as inserted, and as
// replaced: emptied, then filled again.
func (r record[T]) testCRUD(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	a, b := r.item("acme", "x1"), r.item("acme", "x2")
	r.put(t, s, b, a)
	r.want(t, s, "acme", a, b)
	for v := int64(2); v <= 3; v++ {
		next := r.at(a, v)
		update(t, s, func(tx contacts.Tx) error { return r.update(tx, next, v-1) })
		r.want(t, s, "acme", next, b)
	}
}

// testNotFound: a missing item, or one of a missing org, is not found, to
// read and to update; a listing of an org with none is empty, not an error.
func (r record[T]) testNotFound(t *testing.T, s contacts.Store) {
	x1 := r.item("acme", "x1")
	insert(t, s, org("acme"), group("acme", "g1"))
	r.put(t, s, x1)
	view(t, s, func(tx contacts.ReadTx) error {
		r.none(t, tx, "(missing)", "acme", "nope")
		r.none(t, tx, "(missing org)", "nope", "x1")
		r.none(t, tx, "(a group's ID)", "acme", "g1")
		r.none(t, tx, "(empty ID)", "acme", "")
		for _, c := range []struct {
			org  string
			page contacts.Page
		}{{"nope", contacts.Page{}}, {"acme", contacts.Page{After: "x1"}}} {
			if l, err := r.list(tx, c.org, c.page); err != nil || len(l) != 0 {
				t.Errorf("%ss(%q, %+v) = %d items, %v; want none, no error", r.what, c.org, c.page, len(l), err)
			}
		}
		return nil
	})
	nf := contacts.ErrNotFound
	fails(t, s, "Update"+r.what+"(missing)", nf, func(tx contacts.Tx) error {
		return r.update(tx, r.at(r.item("acme", "nope"), 2), 1)
	})
	fails(t, s, "Update"+r.what+"(missing org)", nf, func(tx contacts.Tx) error {
		return r.update(tx, r.at(r.item("nope", "x1"), 2), 1)
	})
	r.want(t, s, "acme", x1)
}

// testIsolation: another org's items are out of sight, even beside an org
// whose ID the org's prefixes: not found, not listed, not changed through
// the caller's org, and no conflict for an item of the same ID.
func (r record[T]) testIsolation(t *testing.T, s contacts.Store) {
	eu1, eu9 := r.item("acme-eu", "x1"), r.at(r.item("acme-eu", "x9"), 2)
	a1 := r.item("acme", "x1")
	insert(t, s, org("acme"), org("acme-eu"))
	r.put(t, s, eu9, eu1, a1)
	view(t, s, func(tx contacts.ReadTx) error {
		r.none(t, tx, "(another org's)", "acme", "x9")
		return nil
	})
	r.want(t, s, "acme", a1)
	r.want(t, s, "acme-eu", eu1, eu9)
	for _, prev := range []int64{1, 2} {
		fails(t, s, "Update"+r.what+"(acme, another org's)", contacts.ErrNotFound, func(tx contacts.Tx) error {
			return r.update(tx, r.at(r.item("acme", "x9"), 3), prev)
		})
	}
	a9 := r.item("acme", "x9")
	r.put(t, s, a9)
	r.want(t, s, "acme", a1, a9)
	r.want(t, s, "acme-eu", eu1, eu9)
}

// testDuplicateID: an ID already used in the org is a conflict, whether
// committed or inserted earlier in the transaction, and the refused insert
// leaves the transaction usable.
func (r record[T]) testDuplicateID(t *testing.T, s contacts.Store) {
	x1 := r.item("acme", "x1")
	insert(t, s, org("acme"))
	r.put(t, s, x1)
	cf := contacts.ErrConflict
	fails(t, s, "Insert"+r.what+"(same ID)", cf, func(tx contacts.Tx) error { return r.insert(tx, r.at(x1, 1)) })
	x2 := r.item("acme", "x2")
	update(t, s, func(tx contacts.Tx) error {
		if err := r.insert(tx, x2); err != nil {
			return err
		}
		wantErr(t, "Insert"+r.what+"(ID inserted in the transaction)", r.insert(tx, r.at(x2, 1)), cf)
		wantErr(t, "Insert"+r.what+"(committed ID)", r.insert(tx, x1), cf)
		r.check(t, tx, "after refused inserts", "acme", x1, x2)
		return nil
	})
	r.want(t, s, "acme", x1, x2)
}

// testStale: an update naming another version than the stored one, older
// or newer, is a conflict and changes nothing.
func (r record[T]) testStale(t *testing.T, s contacts.Store) {
	x1 := r.item("acme", "x1")
	insert(t, s, org("acme"))
	r.put(t, s, x1)
	v2 := r.at(x1, 2)
	update(t, s, func(tx contacts.Tx) error { return r.update(tx, v2, 1) })
	for _, prev := range []int64{0, 1, 3} {
		fails(t, s, fmt.Sprintf("Update%s(prev %d, stored 2)", r.what, prev), contacts.ErrConflict, func(tx contacts.Tx) error {
			return r.update(tx, r.at(x1, 4), prev)
		})
	}
	r.want(t, s, "acme", v2)
}

// testVersionAsGiven: the store keeps the Version it is given and
// compares prev with it.
func (r record[T]) testVersionAsGiven(t *testing.T, s contacts.Store) {
	x1 := r.at(r.item("acme", "x1"), 7)
	insert(t, s, org("acme"))
	r.put(t, s, x1)
	r.want(t, s, "acme", x1)
	x42 := r.at(x1, 42)
	update(t, s, func(tx contacts.Tx) error { return r.update(tx, x42, 7) })
	r.want(t, s, "acme", x42)
}

// testOrder: the listing is by ID, compared as bytes, and pages by cursor;
// a neighbouring org's items stay out of it.
func (r record[T]) testOrder(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"))
	r.put(t, s, r.item("acme-eu", "0"))
	for _, id := range shuffled() {
		r.put(t, s, r.item("acme", id))
	}
	checkListing(t, s, r.what+"s", func(tx contacts.ReadTx, p contacts.Page) ([]string, error) {
		l, err := r.list(tx, "acme", p)
		return r.ids(l), err
	})
	view(t, s, func(tx contacts.ReadTx) error {
		if l, err := r.list(tx, "acme", contacts.Page{Limit: -1}); err == nil {
			t.Errorf("%ss(limit -1) = %v, want an error", r.what, r.ids(l))
		}
		return nil
	})
}

// testReadYourWrites: a transaction reads the items it inserted and
// replaced, listings included, and its version checks hold against them;
// the same in an org it creates.
func (r record[T]) testReadYourWrites(t *testing.T, s contacts.Store) {
	x1 := r.item("acme", "x1")
	insert(t, s, org("acme"))
	r.put(t, s, x1)
	x2, x1v2, x1v3 := r.item("acme", "x2"), r.at(x1, 2), r.at(x1, 3)
	update(t, s, func(tx contacts.Tx) error {
		if err := r.insert(tx, x2); err != nil {
			return err
		}
		r.check(t, tx, "after an insert in the transaction", "acme", x1, x2)
		if err := r.update(tx, x1v2, 1); err != nil {
			return err
		}
		r.check(t, tx, "after an update in the transaction", "acme", x1v2, x2)
		wantErr(t, "Update"+r.what+"(prev stale since the transaction's update)", r.update(tx, x1v3, 1), contacts.ErrConflict)
		r.check(t, tx, "after a refused update", "acme", x1v2, x2)
		return r.update(tx, x1v3, 2)
	})
	r.want(t, s, "acme", x1v3, x2)

	g1 := r.item("globex", "x1")
	update(t, s, func(tx contacts.Tx) error {
		if err := errors.Join(tx.InsertOrg(org("globex")), r.insert(tx, g1)); err != nil {
			return err
		}
		r.check(t, tx, "in the transaction that created the org", "globex", g1)
		return nil
	})
	r.want(t, s, "globex", g1)
}

// testErrorDropsWrites: the inserts and updates of an Update whose
// function fails are dropped, so the same writes succeed afterwards.
func (r record[T]) testErrorDropsWrites(t *testing.T, s contacts.Store) {
	x1 := r.item("acme", "x1")
	insert(t, s, org("acme"))
	r.put(t, s, x1)
	before := dump(t, s, "acme", "globex")
	x1v2, x2, g1 := r.at(x1, 2), r.item("acme", "x2"), r.item("globex", "x1")
	writes := func(tx contacts.Tx) error {
		return errors.Join(r.update(tx, x1v2, 1), r.insert(tx, x2), tx.InsertOrg(org("globex")), r.insert(tx, g1))
	}
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		if err := writes(tx); err != nil {
			t.Errorf("writes: %v", err)
		}
		return errBoom
	})
	wantErr(t, "Update", err, errBoom)
	unchanged(t, s, before)
	update(t, s, writes)
	r.want(t, s, "acme", x1v2, x2)
	r.want(t, s, "globex", g1)
}

// testSnapshot: a View sees the items of when it began, whatever inserts
// and updates commit while it runs.
func (r record[T]) testSnapshot(t *testing.T, s contacts.Store) {
	x1 := r.item("acme", "x1")
	insert(t, s, org("acme"))
	r.put(t, s, x1)
	x1v2, x2 := r.at(x1, 2), r.item("acme", "x2")
	duringView(t, s, func(tx contacts.ReadTx, when string) {
		r.check(t, tx, when, "acme", x1)
		r.none(t, tx, when, "acme", "x2")
		r.none(t, tx, when, "globex", "x1")
	}, func(tx contacts.Tx) error {
		return errors.Join(r.update(tx, x1v2, 1), r.insert(tx, x2), tx.InsertOrg(org("globex")), r.insert(tx, r.item("globex", "x1")))
	})
	r.want(t, s, "acme", x1v2, x2)
}

// testSamePrevOneWins: of concurrent updates naming the same version (two
// reviewers deciding one change set), one wins and every other gets a
// conflict.
func (r record[T]) testSamePrevOneWins(t *testing.T, s contacts.Store) {
	const writers = 8
	x1 := r.item("acme", "x1")
	insert(t, s, org("acme"))
	r.put(t, s, x1)
	// Writer i writes version 2+i, so the stored version names the winner.
	start := make(chan struct{})
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		next := r.at(x1, int64(2+i))
		wg.Go(func() {
			<-start
			errs[i] = s.Update(t.Context(), func(tx contacts.Tx) error { return r.update(tx, next, 1) })
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both updated version 1", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, contacts.ErrConflict):
			t.Errorf("writer %d: got error %v, want a conflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer succeeded: %v", errs)
	}
	r.want(t, s, "acme", r.at(x1, int64(2+winner)))
}
