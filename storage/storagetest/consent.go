package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
)

var consentTests = []test{
	{"AppendAndHistory", testConsentHistory},
	{"DuplicateID", testConsentDuplicateID},
	{"Isolation", testConsentIsolation},
	{"Copies", testConsentCopies},
	{"ReadYourWrites", testConsentReadYourWrites},
	{"ErrorDropsEveryWrite", testConsentErrorDropsWrites},
	{"ViewSeesNoLaterAppend", testConsentSnapshot},
}

// wantHistory checks that the consent history of contact of org is want,
// given in ID order.
func wantHistory(t *testing.T, s contacts.Store, org, contact string, want ...contacts.ConsentRecord) {
	t.Helper()
	view(t, s, func(tx contacts.ReadTx) error {
		checkHistory(t, tx, "", org, contact, want...)
		return nil
	})
}

// checkHistory is wantHistory within a transaction; when says which. It
// reports with t.Errorf only, so it may run on any goroutine.
func checkHistory(t *testing.T, tx contacts.ReadTx, when, org, contact string, want ...contacts.ConsentRecord) {
	t.Helper()
	if when != "" {
		when = " " + when
	}
	got, err := tx.ConsentHistory(org, contact)
	if err != nil {
		t.Errorf("ConsentHistory(%q, %q)%s: %v", org, contact, when, err)
		return
	}
	diff(t, "ConsentHistory("+org+", "+contact+")"+when, want, got)
}

// testConsentHistory: a contact's history is its records, in ID order
// (bytes) whatever the order they were appended in, with every field as
// appended; a contact whose ID prefixes another's does not get the
// other's records; no records is an empty history, not an error.
func testConsentHistory(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"),
		contact("acme", "c1", "ann@example.com"), contact("acme", "c10", "bob@example.com"),
		contact("acme", "c2", "carl@example.com"), contact("acme", "c3", "dora@example.com"))
	byID := map[string]contacts.ConsentRecord{}
	for i, id := range shuffled() {
		r := consentRecord("acme", "c1", id)
		r.Time = t0.Add(time.Duration(i) * time.Minute)
		if i%2 == 1 {
			r.Purpose, r.Granted, r.Self, r.Actor = "surveys", false, false, "c2"
			r.Channel, r.LegalBasis, r.RequestID = contacts.ChannelAPI, policy.LegitimateInterest, ""
		}
		byID[id] = r
		insert(t, s, r)
	}
	var c1 []contacts.ConsentRecord
	for _, id := range slices.Sorted(slices.Values(orderIDs)) {
		c1 = append(c1, byID[id])
	}
	c10 := []contacts.ConsentRecord{consentRecord("acme", "c10", "x1"), consentRecord("acme", "c10", "x2")}
	c2 := consentRecord("acme", "c2", "y1")
	c2.Channel, c2.Actor, c2.Self = contacts.ChannelImport, "vendor:crm", false
	insert(t, s, c10[1], c2, c10[0])

	wantHistory(t, s, "acme", "c1", c1...)
	wantHistory(t, s, "acme", "c10", c10...)
	wantHistory(t, s, "acme", "c2", c2)
	wantHistory(t, s, "acme", "c3")
	wantHistory(t, s, "acme", "nope")
	wantHistory(t, s, "nope", "c1")
}

// testConsentDuplicateID: record IDs are unique in an org, whichever
// contact the records are of, and not across orgs.
func testConsentDuplicateID(t *testing.T, s contacts.Store) {
	r1 := consentRecord("acme", "c1", "r1")
	insert(t, s, org("acme"), org("globex"),
		contact("acme", "c1", "ann@example.com"), contact("acme", "c2", "bob@example.com"),
		contact("globex", "c1", "ann@example.com"), r1)
	cf := contacts.ErrConflict
	fails(t, s, "AppendConsent(same record again)", cf, func(tx contacts.Tx) error { return tx.AppendConsent(r1) })
	fails(t, s, "AppendConsent(taken ID, another contact)", cf, func(tx contacts.Tx) error {
		r := consentRecord("acme", "c2", "r1")
		r.Purpose, r.Granted = "surveys", false
		return tx.AppendConsent(r)
	})

	// Another org's IDs are no conflict.
	g1 := consentRecord("globex", "c1", "r1")
	g1.Purpose = "surveys"
	insert(t, s, g1)

	// A refused append leaves the transaction usable.
	r2, r3 := consentRecord("acme", "c1", "r2"), consentRecord("acme", "c1", "r3")
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.AppendConsent(r2); err != nil {
			return err
		}
		wantErr(t, "AppendConsent(ID appended in the transaction)", tx.AppendConsent(consentRecord("acme", "c2", "r2")), cf)
		wantErr(t, "AppendConsent(committed ID)", tx.AppendConsent(consentRecord("acme", "c2", "r1")), cf)
		return tx.AppendConsent(r3)
	})
	wantHistory(t, s, "acme", "c1", r1, r2, r3)
	wantHistory(t, s, "acme", "c2")
	wantHistory(t, s, "globex", "c1", g1)
}

// testConsentIsolation: a history holds only the org's records, even beside
// an org whose ID the org's prefixes and whose contact has the same ID.
func testConsentIsolation(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"),
		contact("acme", "c1", "ann@example.com"), contact("acme-eu", "c1", "ann@example.com"),
		contact("acme-eu", "c9", "bob@example.com"),
		consentRecord("acme-eu", "c1", "r1"), consentRecord("acme-eu", "c1", "r2"),
		consentRecord("acme-eu", "c9", "r4"), consentRecord("acme", "c1", "r3"))
	wantHistory(t, s, "acme", "c1", consentRecord("acme", "c1", "r3"))
	wantHistory(t, s, "acme", "c9")
	wantHistory(t, s, "acme-eu", "c1", consentRecord("acme-eu", "c1", "r1"), consentRecord("acme-eu", "c1", "r2"))
}

// testConsentCopies: changing a history a read handed out, in a
// transaction or after, changes nothing stored.
func testConsentCopies(t *testing.T, s contacts.Store) {
	r1, r2 := consentRecord("acme", "c1", "r1"), consentRecord("acme", "c1", "r2")
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"), r1)
	scribbleAll := func(list []contacts.ConsentRecord) {
		for i := range list {
			list[i].Purpose, list[i].Granted, list[i].Contact = "scribbled", false, "scribbled"
		}
	}
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.AppendConsent(r2); err != nil {
			return err
		}
		list, err := tx.ConsentHistory("acme", "c1")
		if err != nil {
			return err
		}
		scribbleAll(list)
		checkHistory(t, tx, "in the transaction, after a change to a history read", "acme", "c1", r1, r2)
		return nil
	})
	view(t, s, func(tx contacts.ReadTx) error {
		list, err := tx.ConsentHistory("acme", "c1")
		scribbleAll(list)
		return err
	})
	wantHistory(t, s, "acme", "c1", r1, r2)
}

// testConsentReadYourWrites: a transaction reads the records it appended,
// in an org it creates too.
func testConsentReadYourWrites(t *testing.T, s contacts.Store) {
	r1 := consentRecord("acme", "c1", "r1")
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"), r1)
	r0, r2 := consentRecord("acme", "c1", "r0"), consentRecord("acme", "c1", "r2")
	g1 := consentRecord("globex", "c1", "r1")
	update(t, s, func(tx contacts.Tx) error {
		if err := errors.Join(tx.AppendConsent(r2), tx.AppendConsent(r0)); err != nil {
			return err
		}
		checkHistory(t, tx, "in the transaction", "acme", "c1", r0, r1, r2)
		if err := errors.Join(
			tx.InsertOrg(org("globex")),
			tx.InsertContact(contact("globex", "c1", "ann@example.com")),
			tx.AppendConsent(g1),
		); err != nil {
			return err
		}
		checkHistory(t, tx, "in the transaction that created the org", "globex", "c1", g1)
		return nil
	})
	wantHistory(t, s, "acme", "c1", r0, r1, r2)
	wantHistory(t, s, "globex", "c1", g1)
}

// testConsentErrorDropsWrites: the records of an Update whose function
// fails are dropped, and their IDs stay free.
func testConsentErrorDropsWrites(t *testing.T, s contacts.Store) {
	r1 := consentRecord("acme", "c1", "r1")
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"), r1)
	before := dump(t, s, "acme")
	appends := func(tx contacts.Tx) error {
		return errors.Join(tx.AppendConsent(consentRecord("acme", "c1", "r2")), tx.AppendConsent(consentRecord("acme", "c1", "r3")))
	}
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		if err := appends(tx); err != nil {
			t.Errorf("appends: %v", err)
		}
		return errBoom
	})
	wantErr(t, "Update", err, errBoom)
	unchanged(t, s, before)
	update(t, s, appends)
	wantHistory(t, s, "acme", "c1", r1, consentRecord("acme", "c1", "r2"), consentRecord("acme", "c1", "r3"))
}

// testConsentSnapshot: a View sees the history of when it began, whatever
// appends commit while it runs.
func testConsentSnapshot(t *testing.T, s contacts.Store) {
	r1 := consentRecord("acme", "c1", "r1")
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"), contact("acme", "c2", "bob@example.com"), r1)
	duringView(t, s, func(tx contacts.ReadTx, when string) {
		checkHistory(t, tx, when, "acme", "c1", r1)
		checkHistory(t, tx, when, "acme", "c2")
	}, func(tx contacts.Tx) error {
		return errors.Join(tx.AppendConsent(consentRecord("acme", "c1", "r0")), tx.AppendConsent(consentRecord("acme", "c2", "r2")))
	})
	wantHistory(t, s, "acme", "c1", consentRecord("acme", "c1", "r0"), r1)
}
