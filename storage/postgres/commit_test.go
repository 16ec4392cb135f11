package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/liaisonhq/liaison/contacts"
)

// countContacts counts org's contacts in the schema's table directly, as
// the DSN's user, past the driver and its row-level security.
func countContacts(t *testing.T, schema, org string) int {
	t.Helper()
	var n int
	err := admin(t).QueryRow(t.Context(), "select count(*) from "+pgx.Identifier{schema, "contacts"}.Sanitize()+" where org = $1", org).Scan(&n)
	if err != nil {
		t.Fatalf("counting contacts: %v", err)
	}
	return n
}

func insertOrg(t *testing.T, s *Store, id string) {
	t.Helper()
	if err := s.Update(t.Context(), func(tx contacts.Tx) error {
		return tx.InsertOrg(contacts.Org{ID: id, Name: id, Version: 1, Created: t0, Updated: t0})
	}); err != nil {
		t.Fatalf("InsertOrg: %v", err)
	}
}

// TestUpdate_ConnectionLostAfterCommit reproduces lib/pq #939 (RELIABILITY
// C3): the server commits and the connection dies before the driver hears
// so, as when the COMMIT is followed by pg_terminate_backend on the same
// connection. Update must say the outcome is unknown and must not run fn
// again: exactly one row, no duplicate.
func TestUpdate_ConnectionLostAfterCommit(t *testing.T) {
	s, schema := openStore(t)
	insertOrg(t, s, "acme")

	s.commitSQL = "commit; select pg_terminate_backend(pg_backend_pid())"
	calls := 0
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		calls++
		return tx.AppendAudit(contacts.AuditEvent{Org: "acme", Seq: 1, Time: t0, Actor: "vendor:test",
			Action: "contact.create", Target: "contact/c1", Hash: "h1"})
	})
	s.commitSQL = "commit"
	t.Logf("Update: %v", err)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("Update = %v, want an error matching ErrOutcomeUnknown", err)
	}
	if calls != 1 {
		t.Errorf("fn ran %d times, want once: an unknown outcome is never retried", calls)
	}
	var n int
	if err := admin(t).QueryRow(t.Context(), "select count(*) from "+pgx.Identifier{schema, "audit_events"}.Sanitize()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d audit events after the commit, want exactly 1", n)
	}
	// The store goes on, on another connection.
	if err := s.Update(t.Context(), func(tx contacts.Tx) error {
		return tx.InsertContact(testContact("acme", "c1", "ann@example.com"))
	}); err != nil {
		t.Fatalf("Update after the lost connection: %v", err)
	}
}

// terminate kills the backend of tx's connection, from inside tx. It drops
// liaison_app first: the DSN's user may signal its own backend, the
// application role may not.
func terminate(tx contacts.ReadTx) error {
	if _, err := rawQuery(tx, "acme", "reset role"); err != nil {
		return err
	}
	_, err := rawQuery(tx, "acme", "select pg_terminate_backend(pg_backend_pid())")
	return err
}

// TestUpdate_ConnectionLostBeforeCommit: fn's last statement kills its own
// connection, so COMMIT is never sent. The message that killed it had left
// the driver, which pgconn.SafeToRetry reports, so Update does not run fn
// again; it returns the connection error, which is no unknown outcome:
// nothing was committed.
func TestUpdate_ConnectionLostBeforeCommit(t *testing.T) {
	s, schema := openStore(t)
	insertOrg(t, s, "acme")
	calls := 0
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		calls++
		if err := tx.InsertContact(testContact("acme", "c1", "ann@example.com")); err != nil {
			return err
		}
		return terminate(tx)
	})
	t.Logf("Update: %v", err)
	switch {
	case err == nil:
		t.Fatal("Update succeeded on a connection that died before COMMIT")
	case errors.Is(err, ErrOutcomeUnknown):
		t.Errorf("Update = %v; the outcome is known: COMMIT was never sent", err)
	}
	if calls != 1 {
		t.Errorf("fn ran %d times, want once", calls)
	}
	if n := countContacts(t, schema, "acme"); n != 0 {
		t.Errorf("%d contacts, want none: the transaction never committed", n)
	}
	// A statement after the failure in the same fn is refused, not sent.
	err = s.Update(t.Context(), func(tx contacts.Tx) error {
		err := terminate(tx)
		if err == nil {
			t.Error("terminating the backend: no error")
		}
		if err := tx.InsertContact(testContact("acme", "c1", "ann@example.com")); err == nil {
			t.Error("InsertContact after the connection died: no error")
		}
		return nil
	})
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("Update whose fn ignored the lost connection = %v, want the connection error", err)
	}
	if n := countContacts(t, schema, "acme"); n != 0 {
		t.Errorf("%d contacts, want none", n)
	}
}

// TestUpdate_CancelledContext: a context cancelled while fn runs fails the
// transaction, and Update's error matches the context's.
func TestUpdate_CancelledContext(t *testing.T) {
	s, schema := openStore(t)
	insertOrg(t, s, "acme")
	ctx, cancel := context.WithCancel(t.Context())
	err := s.Update(ctx, func(tx contacts.Tx) error {
		if err := tx.InsertContact(testContact("acme", "c1", "ann@example.com")); err != nil {
			return err
		}
		cancel()
		return tx.InsertContact(testContact("acme", "c2", "bob@example.com"))
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update = %v, want an error matching context.Canceled", err)
	}
	if n := countContacts(t, schema, "acme"); n != 0 {
		t.Errorf("%d contacts, want none", n)
	}
}

// TestStore_Closed: after Close, View and Update fail with ErrClosed.
func TestStore_Closed(t *testing.T) {
	s, _ := openStore(t)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.View(t.Context(), func(contacts.ReadTx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("View after Close = %v, want ErrClosed", err)
	}
	if err := s.Update(t.Context(), func(contacts.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
