package postgres

import (
	"errors"
	"fmt"
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

// TestUpdate_UnstorableTextInNewFields: the same holds for the strings of
// change sets, however deep in their edits and comments (where jsonb would
// refuse a NUL's \u0000 and encoding/json would replace invalid UTF-8),
// for invitations, and for the new fields of tokens and orgs.
func TestUpdate_UnstorableTextInNewFields(t *testing.T) {
	s, _ := openStore(t)
	insertOrg(t, s, "acme")
	str := func(v string) *string { return &v }
	valid := contacts.ChangeSet{Org: "acme", ID: "cs1", State: contacts.Draft, Requester: "c1", Version: 1, Created: t0, Updated: t0,
		Edits: []contacts.Edit{{Kind: contacts.EditFields, Contact: "c1", Version: 1, Patch: &contacts.ContactPatch{Name: str("Ann")}}}}
	inv := contacts.Invitation{Org: "acme", ID: "i1", Contact: "c1", Mode: contacts.InviteQuiet, InvitedBy: "c1", TokenHash: "h",
		Created: t0, Expires: t0.Add(time.Hour), Version: 1}
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		for i, bad := range []string{"x\x00", "x\xff"} {
			if _, err := tx.ChangeSet("acme", bad); !errors.Is(err, contacts.ErrNotFound) {
				t.Errorf("ChangeSet(%q) = %v, want not found", bad, err)
			}
			if _, err := tx.Invitation("acme", bad); !errors.Is(err, contacts.ErrNotFound) {
				t.Errorf("Invitation(%q) = %v, want not found", bad, err)
			}
			if list, err := tx.ChangeSets("acme", contacts.Page{After: bad}); err == nil && len(list) != 0 {
				t.Errorf("ChangeSets(after %q) = %d change sets, want none", bad, len(list))
			}
			for what, change := range map[string]func(cs *contacts.ChangeSet){
				"patch value": func(cs *contacts.ChangeSet) { cs.Edits[0].Patch.Name = str(bad) },
				"new contact": func(cs *contacts.ChangeSet) { cs.Edits[0].New = &contacts.NewContact{Name: "Bob", Title: bad} },
				"holder": func(cs *contacts.ChangeSet) {
					cs.Edits[0].Holders = []contacts.Holder{{Kind: contacts.HolderContact, ID: bad}}
				},
				"comment":       func(cs *contacts.ChangeSet) { cs.Comments = []contacts.Comment{{Author: "c1", Text: bad, Time: t0}} },
				"created":       func(cs *contacts.ChangeSet) { cs.CreatedContacts = []string{bad} },
				"ticket":        func(cs *contacts.ChangeSet) { cs.Ticket = bad },
				"patch's kind":  func(cs *contacts.ChangeSet) { k := contacts.Kind(bad); cs.Edits[0].Patch.Kind = &k },
				"phone region":  func(cs *contacts.ChangeSet) { cs.Edits[0].Patch.PhoneRegion = bad },
				"edit's role":   func(cs *contacts.ChangeSet) { cs.Edits[0].Role = bad },
				"change set ID": func(cs *contacts.ChangeSet) { cs.ID = bad },
			} {
				cs := valid.Clone()
				change(&cs)
				if err := tx.InsertChangeSet(cs); err == nil || errors.Is(err, contacts.ErrConflict) {
					t.Errorf("InsertChangeSet(%s %q) = %v, want a refusal of its own", what, bad, err)
				}
			}
			badInv := inv
			badInv.Workspace = bad
			if err := tx.InsertInvitation(badInv); err == nil || errors.Is(err, contacts.ErrConflict) {
				t.Errorf("InsertInvitation(workspace %q) = %v, want a refusal of its own", bad, err)
			}
			tok := contacts.Token{Hash: fmt.Sprint("t", i), Kind: contacts.InviteToken, Org: "acme", Role: bad, Created: t0}
			if err := tx.InsertToken(tok); err == nil || errors.Is(err, contacts.ErrConflict) {
				t.Errorf("InsertToken(role %q) = %v, want a refusal of its own", bad, err)
			}
			o := contacts.Org{ID: "acme", Name: "acme", InviteLink: bad, Version: 2}
			if err := tx.UpdateOrg(o, 1); err == nil || errors.Is(err, contacts.ErrConflict) {
				t.Errorf("UpdateOrg(invite link %q) = %v, want a refusal of its own", bad, err)
			}
		}
		if err := errors.Join(tx.InsertChangeSet(valid), tx.InsertInvitation(inv)); err != nil {
			return err
		}
		cs := valid.Clone()
		cs.Edits[0].Patch.Title, cs.Version = str("a\x00"), 2
		if err := tx.UpdateChangeSet(cs, 1); err == nil || errors.Is(err, contacts.ErrConflict) {
			t.Errorf("UpdateChangeSet(a NUL in a patch) = %v, want a refusal of its own", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := s.View(t.Context(), func(tx contacts.ReadTx) error {
		_, err1 := tx.ChangeSet("acme", "cs1")
		_, err2 := tx.Invitation("acme", "i1")
		return errors.Join(err1, err2)
	}); err != nil {
		t.Errorf("reading after the Update: %v", err)
	}
}
