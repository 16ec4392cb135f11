package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

var webhookTests = []test{
	{"CRUD", testCursorsCRUD},
	{"Versions", testCursorVersions},
	{"Refused", testCursorRefused},
	{"Order", testCursorOrder},
	{"Isolation", testCursorIsolation},
	{"ReadYourWrites", testCursorsReadYourWrites},
	{"ErrorDropsEveryWrite", testCursorsErrorDropsWrites},
	{"ViewSeesNoLaterPut", testCursorsSnapshot},
}

// cursor returns the delivery cursor of endpoint in org at version 1, which
// has delivered event 3 and failed once at event 4: every field set.
func cursor(org, endpoint string) contacts.WebhookCursor {
	return contacts.WebhookCursor{
		Org: org, Endpoint: endpoint, Delivered: 3, Attempts: 1,
		NextAttempt: t0.Add(time.Minute), LastError: "status 503",
		Version: 1, Updated: t0,
	}
}

// wantCursors checks that org's cursors are want, given in endpoint order,
// through WebhookCursor and WebhookCursors.
func wantCursors(t *testing.T, s contacts.Store, org string, want ...contacts.WebhookCursor) {
	t.Helper()
	view(t, s, func(tx contacts.ReadTx) error {
		checkCursors(t, tx, "", org, want...)
		return nil
	})
}

// checkCursors is wantCursors within a transaction; when says which. It
// reports with t.Errorf only.
func checkCursors(t *testing.T, tx contacts.ReadTx, when, org string, want ...contacts.WebhookCursor) {
	t.Helper()
	checkKeyed(t, when, "WebhookCursor", "WebhookCursors", org, want,
		func(c contacts.WebhookCursor) string { return c.Endpoint }, tx.WebhookCursor, tx.WebhookCursors)
}

// noCursor checks that org has no cursor of endpoint.
func noCursor(t *testing.T, tx contacts.ReadTx, when, org, endpoint string) {
	t.Helper()
	noKeyed(t, when, "WebhookCursor", org, endpoint, tx.WebhookCursor)
}

// put runs PutWebhookCursor in an Update that must succeed.
func putCursor(t *testing.T, s contacts.Store, c contacts.WebhookCursor, prev int64) {
	t.Helper()
	update(t, s, func(tx contacts.Tx) error { return tx.PutWebhookCursor(c, prev) })
}

// testCursorsCRUD: a cursor reads back with every field as put, including
// a Delivered beyond 32 bits and zero times; a put with the stored version
// replaces it. A cursor needs no org: the dispatcher writes one for any org
// with audit events.
func testCursorsCRUD(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	crm := cursor("acme", "crm")
	putCursor(t, s, crm, 0)
	wantCursors(t, s, "acme", crm)
	view(t, s, func(tx contacts.ReadTx) error {
		noCursor(t, tx, "(never put)", "acme", "tickets")
		noCursor(t, tx, "(missing org)", "nope", "crm")
		if list, err := tx.WebhookCursors("nope"); err != nil || len(list) != 0 {
			t.Errorf("WebhookCursors(missing org) = %d cursors, %v; want none, no error", len(list), err)
		}
		return nil
	})

	// Delivered: the failure cleared, the times zero, Seq past 2^32.
	c2 := crm
	c2.Delivered, c2.Attempts, c2.NextAttempt, c2.LastError = 1<<40+7, 0, time.Time{}, ""
	c2.Version, c2.Updated = 2, t0.Add(time.Hour)
	putCursor(t, s, c2, 1)
	wantCursors(t, s, "acme", c2)

	// An org that does not exist, and a cursor with nothing delivered.
	fresh := contacts.WebhookCursor{Org: "ghost", Endpoint: "crm", Version: 1}
	putCursor(t, s, fresh, 0)
	wantCursors(t, s, "ghost", fresh)
}

// testCursorVersions: with prev 0 no cursor may exist; otherwise the stored
// Version must be prev. A cursor that does not exist, named with a prev
// above 0, is not found.
func testCursorVersions(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	putCursor(t, s, cursor("acme", "crm"), 0)
	c2 := cursor("acme", "crm")
	c2.Delivered, c2.Version = 4, 2
	putCursor(t, s, c2, 1)

	cf, nf := contacts.ErrConflict, contacts.ErrNotFound
	for _, prev := range []int64{0, 1, 3} {
		c := cursor("acme", "crm")
		c.Delivered, c.Version = 9, 4
		fails(t, s, "PutWebhookCursor(stale)", cf, func(tx contacts.Tx) error { return tx.PutWebhookCursor(c, prev) })
	}
	fails(t, s, "PutWebhookCursor(never put, prev 1)", nf, func(tx contacts.Tx) error {
		return tx.PutWebhookCursor(cursor("acme", "tickets"), 1)
	})
	fails(t, s, "PutWebhookCursor(missing org, prev 1)", nf, func(tx contacts.Tx) error {
		return tx.PutWebhookCursor(cursor("nope", "crm"), 1)
	})
	wantCursors(t, s, "acme", c2)

	// The store keeps the Version it is given and compares prev with it.
	c3 := c2
	c3.Version = 42
	putCursor(t, s, c3, 2)
	c3.Version, c3.Delivered = 43, 10
	putCursor(t, s, c3, 42)
	wantCursors(t, s, "acme", c3)
}

// testCursorRefused: a cursor with an empty org or endpoint is refused,
// changes nothing, and leaves the transaction usable.
func testCursorRefused(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	before := dump(t, s, "acme")
	for _, c := range []contacts.WebhookCursor{cursor("", "crm"), cursor("acme", "")} {
		update(t, s, func(tx contacts.Tx) error {
			if err := tx.PutWebhookCursor(c, 0); err == nil {
				t.Errorf("PutWebhookCursor(org %q, endpoint %q) = nil, want an error", c.Org, c.Endpoint)
			}
			return nil
		})
	}
	unchanged(t, s, before)
	update(t, s, func(tx contacts.Tx) error {
		_ = tx.PutWebhookCursor(cursor("acme", ""), 0)
		return tx.PutWebhookCursor(cursor("acme", "crm"), 0)
	})
	wantCursors(t, s, "acme", cursor("acme", "crm"))
}

// testCursorOrder: WebhookCursors lists an org's cursors by endpoint,
// compared as bytes, and only the org's, even beside an org whose ID the
// org's prefixes.
func testCursorOrder(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"))
	putCursor(t, s, cursor("acme-eu", "zz"), 0)
	for _, id := range shuffled() {
		putCursor(t, s, cursor("acme", id), 0)
	}
	putCursor(t, s, cursor("acme-eu", " "), 0)
	view(t, s, func(tx contacts.ReadTx) error {
		list, err := tx.WebhookCursors("acme")
		if err != nil {
			t.Fatalf("WebhookCursors: %v", err)
		}
		var ids []string
		for _, c := range list {
			ids = append(ids, c.Endpoint)
			if c.Org != "acme" {
				t.Errorf("WebhookCursors(acme) returned endpoint %s of org %q", c.Endpoint, c.Org)
			}
		}
		diff(t, "WebhookCursors(acme) ordered by endpoint", slices.Sorted(slices.Values(orderIDs)), ids)
		return nil
	})
	wantCursors(t, s, "acme-eu", cursor("acme-eu", " "), cursor("acme-eu", "zz"))
}

// testCursorIsolation: the same endpoint has a cursor of its own in each
// org; another org's is out of sight and not changed through the caller's.
func testCursorIsolation(t *testing.T, s contacts.Store) {
	eu := cursor("acme-eu", "crm")
	eu.Delivered, eu.Version = 70, 2
	insert(t, s, org("acme"), org("acme-eu"))
	putCursor(t, s, eu, 0)
	putCursor(t, s, cursor("acme", "tickets"), 0)
	view(t, s, func(tx contacts.ReadTx) error {
		noCursor(t, tx, "(another org's cursor)", "acme", "crm")
		return nil
	})
	for _, prev := range []int64{1, 2} {
		fails(t, s, "PutWebhookCursor(acme, another org's cursor)", contacts.ErrNotFound, func(tx contacts.Tx) error {
			c := cursor("acme", "crm")
			c.Version = 3
			return tx.PutWebhookCursor(c, prev)
		})
	}
	putCursor(t, s, cursor("acme", "crm"), 0)
	wantCursors(t, s, "acme", cursor("acme", "crm"), cursor("acme", "tickets"))
	wantCursors(t, s, "acme-eu", eu)
}

// testCursorsReadYourWrites: a transaction reads the cursors it put, and
// its version checks hold against them; a refused put leaves it usable.
func testCursorsReadYourWrites(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	putCursor(t, s, cursor("acme", "crm"), 0)
	tickets := cursor("acme", "tickets")
	c2, c3 := cursor("acme", "crm"), cursor("acme", "crm")
	c2.Delivered, c2.Version = 5, 2
	c3.Delivered, c3.Version = 6, 3
	update(t, s, func(tx contacts.Tx) error {
		if err := errors.Join(tx.PutWebhookCursor(tickets, 0), tx.PutWebhookCursor(c2, 1)); err != nil {
			return err
		}
		checkCursors(t, tx, "in the transaction", "acme", c2, tickets)
		wantErr(t, "PutWebhookCursor(prev 0, put in the transaction)", tx.PutWebhookCursor(cursor("acme", "tickets"), 0), contacts.ErrConflict)
		wantErr(t, "PutWebhookCursor(prev stale since the transaction's put)", tx.PutWebhookCursor(c3, 1), contacts.ErrConflict)
		checkCursors(t, tx, "after refused puts", "acme", c2, tickets)
		return tx.PutWebhookCursor(c3, 2)
	})
	wantCursors(t, s, "acme", c3, tickets)

	// The same in an org the transaction creates.
	g := cursor("globex", "crm")
	update(t, s, func(tx contacts.Tx) error {
		if err := errors.Join(tx.InsertOrg(org("globex")), tx.PutWebhookCursor(g, 0)); err != nil {
			return err
		}
		checkCursors(t, tx, "in the transaction that created the org", "globex", g)
		return nil
	})
	wantCursors(t, s, "globex", g)
}

// testCursorsErrorDropsWrites: the puts of an Update whose function fails
// are dropped, so the same puts succeed afterwards.
func testCursorsErrorDropsWrites(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	putCursor(t, s, cursor("acme", "crm"), 0)
	before := dump(t, s, "acme", "globex")
	c2 := cursor("acme", "crm")
	c2.Delivered, c2.Version = 4, 2
	puts := func(tx contacts.Tx) error {
		return errors.Join(
			tx.PutWebhookCursor(c2, 1),
			tx.PutWebhookCursor(cursor("acme", "tickets"), 0),
			tx.PutWebhookCursor(cursor("globex", "crm"), 0))
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
	wantCursors(t, s, "acme", c2, cursor("acme", "tickets"))
	wantCursors(t, s, "globex", cursor("globex", "crm"))
}

// testCursorsSnapshot: a View sees the cursors of when it began, whatever
// puts commit while it runs.
func testCursorsSnapshot(t *testing.T, s contacts.Store) {
	crm := cursor("acme", "crm")
	insert(t, s, org("acme"))
	putCursor(t, s, crm, 0)
	c2 := cursor("acme", "crm")
	c2.Delivered, c2.Version = 4, 2
	duringView(t, s, func(tx contacts.ReadTx, when string) {
		checkCursors(t, tx, when, "acme", crm)
		noCursor(t, tx, when, "acme", "tickets")
		noCursor(t, tx, when, "globex", "crm")
	}, func(tx contacts.Tx) error {
		return errors.Join(
			tx.PutWebhookCursor(c2, 1),
			tx.PutWebhookCursor(cursor("acme", "tickets"), 0),
			tx.PutWebhookCursor(cursor("globex", "crm"), 0))
	})
	wantCursors(t, s, "acme", c2, cursor("acme", "tickets"))
}
