package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

var slotTests = []test{
	{"CRUD", testSlotsCRUD},
	{"Versions", testSlotVersions},
	{"Copies", testSlotCopies},
	{"OrgSlotsOrder", testOrgSlotsOrder},
	{"Isolation", testSlotIsolation},
	{"ReadYourWrites", testSlotsReadYourWrites},
	{"ErrorDropsEveryWrite", testSlotsErrorDropsWrites},
	{"ViewSeesNoLaterPut", testSlotsSnapshot},
}

// wantSlots checks that org's slot records are want, given in slot-key
// order, through SlotHolders and OrgSlots.
func wantSlots(t *testing.T, s contacts.Store, org string, want ...contacts.SlotHolders) {
	t.Helper()
	view(t, s, func(tx contacts.ReadTx) error {
		checkSlots(t, tx, "", org, want...)
		return nil
	})
}

// checkSlots is wantSlots within a transaction; when says which. It
// reports with t.Errorf only, so it may run on any goroutine.
func checkSlots(t *testing.T, tx contacts.ReadTx, when, org string, want ...contacts.SlotHolders) {
	t.Helper()
	checkKeyed(t, when, "SlotHolders", "OrgSlots", org, want,
		func(s contacts.SlotHolders) string { return s.Slot }, tx.SlotHolders, tx.OrgSlots)
}

// noSlot checks that org has no record of slot.
func noSlot(t *testing.T, tx contacts.ReadTx, when, org, slot string) {
	t.Helper()
	noKeyed(t, when, "SlotHolders", org, slot, tx.SlotHolders)
}

// checkKeyed checks the records of org that are read one by one by key
// (get, named getName) and all at once (list, named listName): each of
// want reads back as given, and the list is exactly want, in order. It
// reports with t.Errorf only; when says which transaction.
func checkKeyed[T any](t *testing.T, when, getName, listName, org string, want []T, key func(T) string,
	get func(org, key string) (T, error), list func(org string) ([]T, error)) {
	t.Helper()
	if when != "" {
		when = " " + when
	}
	for _, w := range want {
		k := key(w)
		got, err := get(org, k)
		if err != nil {
			t.Errorf("%s(%q, %q)%s: %v", getName, org, k, when, err)
			continue
		}
		diff(t, getName+"("+org+", "+k+")"+when, w, got)
	}
	all, err := list(org)
	if err != nil {
		t.Errorf("%s(%q)%s: %v", listName, org, when, err)
		return
	}
	diff(t, listName+"("+org+")"+when, want, all)
}

// noKeyed checks that get (named getName) finds no record of key in org.
func noKeyed[T any](t *testing.T, when, getName, org, key string, get func(org, key string) (T, error)) {
	t.Helper()
	got, err := get(org, key)
	if !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("%s(%q, %q) %s = %+v, %v; want not found", getName, org, key, when, got, err)
	}
}

func testSlotsCRUD(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"), contact("acme", "c2", "bob@example.com"),
		group("acme", "g1"))
	billing := slot("acme", "billing", "c1")
	billing.Holders = append(billing.Holders,
		contacts.Holder{Kind: contacts.HolderGroup, ID: "g1"},
		contacts.Holder{Kind: contacts.HolderContact, ID: "c2", Until: t0.Add(48 * time.Hour)})
	insert(t, s, billing)
	wantSlots(t, s, "acme", billing)
	view(t, s, func(tx contacts.ReadTx) error {
		noSlot(t, tx, "(never assigned)", "acme", "tech")
		noSlot(t, tx, "(missing org)", "nope", "billing")
		if list, err := tx.OrgSlots("nope"); err != nil || len(list) != 0 {
			t.Errorf("OrgSlots(missing org) = %d records, %v; want none, no error", len(list), err)
		}
		return nil
	})

	// Replaced: holders reordered, one dropped, the version the caller's.
	b2 := billing.Clone()
	b2.Holders = []contacts.Holder{billing.Holders[2], billing.Holders[0]}
	b2.Version, b2.Updated = 2, t0.Add(time.Hour)
	update(t, s, func(tx contacts.Tx) error { return tx.PutSlotHolders(b2, 1) })
	wantSlots(t, s, "acme", b2)

	// Emptied: the record stays, with no holders, and a second slot joins.
	b3 := b2.Clone()
	b3.Holders, b3.Version, b3.Updated = nil, 3, t0.Add(2*time.Hour)
	tech := slot("acme", "tech", "c2")
	update(t, s, func(tx contacts.Tx) error {
		return errors.Join(tx.PutSlotHolders(b3, 2), tx.PutSlotHolders(tech, 0))
	})
	wantSlots(t, s, "acme", b3, tech)
}

// testSlotVersions: with prev 0 no record may exist; otherwise the stored
// Version must be prev. A record that does not exist, named with a prev
// above 0, is not found, as for UpdateContact.
func testSlotVersions(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), slot("acme", "billing", "c1"))
	b2 := slot("acme", "billing", "c2")
	b2.Version = 2
	update(t, s, func(tx contacts.Tx) error { return tx.PutSlotHolders(b2, 1) })

	cf, nf := contacts.ErrConflict, contacts.ErrNotFound
	for _, prev := range []int64{0, 1, 3} {
		b := slot("acme", "billing", "c3")
		b.Version = 4
		fails(t, s, "PutSlotHolders(stale)", cf, func(tx contacts.Tx) error { return tx.PutSlotHolders(b, prev) })
	}
	fails(t, s, "PutSlotHolders(never assigned, prev 1)", nf, func(tx contacts.Tx) error {
		return tx.PutSlotHolders(slot("acme", "tech", "c1"), 1)
	})
	fails(t, s, "PutSlotHolders(missing org, prev 1)", nf, func(tx contacts.Tx) error {
		return tx.PutSlotHolders(slot("nope", "billing", "c1"), 1)
	})
	wantSlots(t, s, "acme", b2)

	// The store keeps the Version it is given and compares prev with it.
	tech := slot("acme", "tech", "c1")
	tech.Version = 7
	insert(t, s, tech)
	wantSlots(t, s, "acme", b2, tech)
	tech.Version = 42
	update(t, s, func(tx contacts.Tx) error { return tx.PutSlotHolders(tech, 7) })
	wantSlots(t, s, "acme", b2, tech)
}

// testSlotCopies: changing the Holders of a record handed to PutSlotHolders
// or handed out by a read, in a transaction or after, changes nothing
// stored.
func testSlotCopies(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	billing := slot("acme", "billing", "c1", "c2")
	want := billing.Clone()
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.PutSlotHolders(billing, 0); err != nil {
			return err
		}
		scribble(&billing)
		got, err := tx.SlotHolders("acme", "billing")
		if err != nil {
			return err
		}
		diff(t, "SlotHolders after a change to the record put, in the transaction", want, got)
		scribble(&got)
		list, err := tx.OrgSlots("acme")
		if err != nil {
			return err
		}
		diff(t, "OrgSlots after a change to a record read, in the transaction", []contacts.SlotHolders{want}, list)
		for i := range list {
			scribble(&list[i])
		}
		return nil
	})
	wantSlots(t, s, "acme", want)

	b2 := slot("acme", "billing", "c2", "c3")
	b2.Version = 2
	want2 := b2.Clone()
	update(t, s, func(tx contacts.Tx) error { return tx.PutSlotHolders(b2, 1) })
	scribble(&b2)
	wantSlots(t, s, "acme", want2)

	view(t, s, func(tx contacts.ReadTx) error {
		if got, err := tx.SlotHolders("acme", "billing"); err == nil {
			scribble(&got)
		}
		if list, err := tx.OrgSlots("acme"); err == nil {
			for i := range list {
				scribble(&list[i])
			}
		}
		return nil
	})
	wantSlots(t, s, "acme", want2)
}

// testOrgSlotsOrder: OrgSlots lists an org's records by slot key, compared
// as bytes, whatever the order they were put in, and only the org's, even
// beside an org whose ID the org's prefixes.
func testOrgSlotsOrder(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"), slot("acme-eu", "zz", "c9"), slot("acme-eu", " ", "c9"))
	for _, key := range shuffled() {
		insert(t, s, slot("acme", key, "c1"))
	}
	view(t, s, func(tx contacts.ReadTx) error {
		list, err := tx.OrgSlots("acme")
		if err != nil {
			t.Fatalf("OrgSlots: %v", err)
		}
		var keys []string
		for _, sh := range list {
			keys = append(keys, sh.Slot)
			if sh.Org != "acme" {
				t.Errorf("OrgSlots(acme) returned slot %s of org %q", sh.Slot, sh.Org)
			}
		}
		diff(t, "OrgSlots(acme) ordered by slot key", slices.Sorted(slices.Values(orderIDs)), keys)
		return nil
	})
	wantSlots(t, s, "acme-eu", slot("acme-eu", " ", "c9"), slot("acme-eu", "zz", "c9"))
}

// testSlotIsolation: another org's records are out of sight: not found,
// not listed, not a conflict, and not changed through the caller's org.
func testSlotIsolation(t *testing.T, s contacts.Store) {
	eu := slot("acme-eu", "billing", "c9", "c8")
	eu.Version = 2
	insert(t, s, org("acme"), org("acme-eu"), eu, slot("acme-eu", "security", "c9"), slot("acme", "tech", "c1"))
	view(t, s, func(tx contacts.ReadTx) error {
		noSlot(t, tx, "(another org's slot)", "acme", "billing")
		return nil
	})
	wantSlots(t, s, "acme", slot("acme", "tech", "c1"))
	for _, prev := range []int64{1, 2} {
		fails(t, s, "PutSlotHolders(acme, another org's slot)", contacts.ErrNotFound, func(tx contacts.Tx) error {
			b := slot("acme", "billing", "c1")
			b.Version = 3
			return tx.PutSlotHolders(b, prev)
		})
	}
	// The same slot key in the caller's org is a record of its own.
	insert(t, s, slot("acme", "billing", "c1"))
	wantSlots(t, s, "acme", slot("acme", "billing", "c1"), slot("acme", "tech", "c1"))
	wantSlots(t, s, "acme-eu", eu, slot("acme-eu", "security", "c9"))
}

// testSlotsReadYourWrites: a transaction reads the records it put, and its
// version checks hold against them; a refused put leaves it usable.
func testSlotsReadYourWrites(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), slot("acme", "billing", "c1"))
	tech := slot("acme", "tech", "c2")
	b2, b3 := slot("acme", "billing", "c2", "c1"), slot("acme", "billing", "c3")
	b2.Version, b3.Version = 2, 3
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.PutSlotHolders(tech, 0); err != nil {
			return err
		}
		if err := tx.PutSlotHolders(b2, 1); err != nil {
			return err
		}
		checkSlots(t, tx, "in the transaction", "acme", b2, tech)
		wantErr(t, "PutSlotHolders(prev 0, put in the transaction)", tx.PutSlotHolders(slot("acme", "tech", "c9"), 0), contacts.ErrConflict)
		wantErr(t, "PutSlotHolders(prev stale since the transaction's put)", tx.PutSlotHolders(b3, 1), contacts.ErrConflict)
		checkSlots(t, tx, "after refused puts", "acme", b2, tech)
		return tx.PutSlotHolders(b3, 2)
	})
	wantSlots(t, s, "acme", b3, tech)

	// The same in an org the transaction creates.
	g := slot("globex", "billing", "c1")
	update(t, s, func(tx contacts.Tx) error {
		if err := errors.Join(tx.InsertOrg(org("globex")), tx.PutSlotHolders(g, 0)); err != nil {
			return err
		}
		checkSlots(t, tx, "in the transaction that created the org", "globex", g)
		return nil
	})
	wantSlots(t, s, "globex", g)
}

// testSlotsErrorDropsWrites: the puts of an Update whose function fails are
// dropped, so the same puts succeed afterwards.
func testSlotsErrorDropsWrites(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), slot("acme", "billing", "c1"))
	before := dump(t, s, "acme", "globex")
	b2 := slot("acme", "billing", "c2")
	b2.Version = 2
	puts := func(tx contacts.Tx) error {
		return errors.Join(
			tx.PutSlotHolders(b2, 1),
			tx.PutSlotHolders(slot("acme", "tech", "c1"), 0),
			tx.PutSlotHolders(slot("globex", "billing", "c1"), 0))
	}
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		if err := puts(tx); err != nil {
			t.Errorf("puts: %v", err)
		}
		return errBoom
	})
	wantErr(t, "Update", err, errBoom)
	unchanged(t, s, before)
	update(t, s, puts)
	wantSlots(t, s, "acme", b2, slot("acme", "tech", "c1"))
	wantSlots(t, s, "globex", slot("globex", "billing", "c1"))
}

// testSlotsSnapshot: a View sees the records of when it began, whatever
// puts commit while it runs.
func testSlotsSnapshot(t *testing.T, s contacts.Store) {
	billing := slot("acme", "billing", "c1")
	insert(t, s, org("acme"), billing)
	b2 := slot("acme", "billing", "c2")
	b2.Version = 2
	duringView(t, s, func(tx contacts.ReadTx, when string) {
		checkSlots(t, tx, when, "acme", billing)
		noSlot(t, tx, when, "acme", "tech")
		noSlot(t, tx, when, "globex", "billing")
	}, func(tx contacts.Tx) error {
		return errors.Join(
			tx.PutSlotHolders(b2, 1),
			tx.PutSlotHolders(slot("acme", "tech", "c1"), 0),
			tx.InsertOrg(org("globex")),
			tx.PutSlotHolders(slot("globex", "billing", "c1"), 0))
	})
	wantSlots(t, s, "acme", b2, slot("acme", "tech", "c1"))
}
