package postgres

import (
	"errors"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

// TestUpdate_UnstorableText: text PostgreSQL cannot store (a NUL byte,
// invalid UTF-8) never reaches the server, where its error would abort the
// transaction: reads of it find nothing, writes of it are refused, and the
// transaction goes on.
func TestUpdate_UnstorableText(t *testing.T) {
	s, _ := openStore(t)
	insertOrg(t, s, "acme")
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		for _, id := range []string{"c\x001", "c\xff"} {
			if _, err := tx.Contact("acme", id); !errors.Is(err, contacts.ErrNotFound) {
				t.Errorf("Contact(%q) = %v, want not found", id, err)
			}
			if _, err := tx.Token(id); !errors.Is(err, contacts.ErrNotFound) {
				t.Errorf("Token(%q) = %v, want not found", id, err)
			}
			c := testContact("acme", id, "x@example.com")
			if err := tx.InsertContact(c); err == nil || errors.Is(err, contacts.ErrConflict) {
				t.Errorf("InsertContact(ID %q) = %v, want a refusal of its own", id, err)
			}
		}
		c := testContact("acme", "c1", "ann@example.com")
		c.Name = "Ann\x00"
		if err := tx.InsertContact(c); err == nil {
			t.Error("InsertContact(a name with a NUL byte): no error")
		}
		e := contacts.AuditEvent{Org: "acme", Seq: 1, Time: t0.Add(time.Nanosecond), Hash: "h"}
		if err := tx.AppendAudit(e); err == nil {
			t.Error("AppendAudit(a time finer than a microsecond): no error")
		}
		if err := tx.InsertContact(testContact("acme", "c1", "ann@example.com")); err != nil {
			return err
		}
		for _, after := range []string{"c\x00z", "c"} {
			list, err := tx.Contacts("acme", contacts.Page{After: after})
			if err != nil || len(list) != 1 {
				t.Errorf("Contacts(after %q) = %d contacts, %v; want c1", after, len(list), err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := s.View(t.Context(), func(tx contacts.ReadTx) error {
		_, err := tx.Contact("acme", "c1")
		return err
	}); err != nil {
		t.Errorf("Contact(c1) after the Update: %v", err)
	}
}
