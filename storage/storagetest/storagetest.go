package storagetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
)

// Run runs the conformance suite against the driver that open creates. Each
// subtest calls open for a fresh, empty store, which the suite closes when
// the subtest ends; open may register more cleanup with t.Cleanup, and may
// call t.Skip when its backend is not available.
func Run(t *testing.T, open func(t *testing.T) contacts.Store) {
	h := harness{open: open}
	for _, area := range []struct {
		name  string
		tests []test
	}{
		{"CRUD", crudTests},
		{"NotFound", notFoundTests},
		{"Isolation", isolationTests},
		{"Versions", versionTests},
		{"Uniqueness", uniquenessTests},
		{"Atomicity", atomicityTests},
		{"Snapshot", snapshotTests},
		{"Copies", copyTests},
		{"Order", orderTests},
		{"Indexes", indexTests},
		{"Scan", scanTests},
		{"Directory", directoryTests},
		{"Audit", auditTests},
		{"Slots", slotTests},
		{"Consent", consentTests},
		{"Tokens", tokenTests},
		{"ChangeSets", changeSetTests},
		{"Invitations", invitationTests},
		{"WebhookCursors", webhookTests},
		{"DeleteOrg", deleteOrgTests},
		{"Concurrency", concurrencyTests},
		{"Context", contextTests},
	} {
		t.Run(area.name, func(t *testing.T) {
			for _, tc := range area.tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, h.store(t)) })
			}
		})
	}
}

// A test is one subtest of an area; it gets a fresh, empty store.
type test struct {
	name string
	run  func(t *testing.T, s contacts.Store)
}

type harness struct {
	open func(t *testing.T) contacts.Store
}

func (h harness) store(t *testing.T) contacts.Store {
	t.Helper()
	s := h.open(t)
	if s == nil {
		t.Fatal("open returned a nil Store")
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// errBoom is the error the suite's transaction functions fail with.
var errBoom = errors.New("storagetest: boom")

// t0 is when every fixture was created: UTC, whole microseconds.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// org returns an org at version 1.
func org(id string) contacts.Org {
	return contacts.Org{ID: id, Name: "Org " + id, Version: 1, Created: t0, Updated: t0}
}

// contact returns a contact of org at version 1, with roles.
func contact(org, id, email string, roles ...string) contacts.Contact {
	return contacts.Contact{
		Org: org, ID: id, Name: "Contact " + id, Email: email, Language: "en",
		Roles: roles, Verification: contacts.Unverified, Status: contacts.Active,
		Version: 1, Created: t0, Updated: t0,
	}
}

// inGroups returns c with its Groups set.
func inGroups(c contacts.Contact, groups ...string) contacts.Contact {
	c.Groups = groups
	return c
}

// group returns a team of org at version 1.
func group(org, id string) contacts.Group {
	return contacts.Group{Org: org, ID: id, Name: "Group " + id, Kind: contacts.Team, Version: 1, Created: t0, Updated: t0}
}

// slot returns the holders record of org's slot key at version 1, held by
// the contacts ids, the first as the lead.
func slot(org, key string, ids ...string) contacts.SlotHolders {
	s := contacts.SlotHolders{Org: org, Slot: key, Version: 1, Updated: t0}
	for _, id := range ids {
		s.Holders = append(s.Holders, contacts.Holder{Kind: contacts.HolderContact, ID: id})
	}
	return s
}

// consentRecord returns a grant of the newsletter by contact itself, as
// record id of org.
func consentRecord(org, contact, id string) contacts.ConsentRecord {
	return contacts.ConsentRecord{
		Org: org, ID: id, Contact: contact, Purpose: "newsletter", Granted: true,
		Actor: contact, Self: true, Channel: contacts.ChannelWidget, LegalBasis: policy.Consent,
		ConfigVersion: "2025-03-01", TextHash: contacts.TextHash("Send me the newsletter."),
		Time: t0, RequestID: "req-" + id,
	}
}

// tokenNames are the secrets of the suite's tokens. [dump] reads the
// token of each, so a test whose tokens are among them has [fails] and
// [unchanged] check them too.
var tokenNames = []string{"t1", "t2", "t3"}

// tokenHash is the Hash of the token whose secret is name: like the
// Service's, the hex SHA-256 of the secret.
func tokenHash(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// token returns an unused verification token of contact of org, whose
// secret is name.
func token(org, contact, name string) contacts.Token {
	return contacts.Token{
		Hash: tokenHash(name), Kind: contacts.VerifyToken, Org: org, Contact: contact,
		EmailKey: "ann@example.com", Created: t0, Expires: t0.Add(7 * 24 * time.Hour),
	}
}

// hash is the (fake) hash of org's audit event seq: the store does not check
// hashes, only that each event names its predecessor's.
func hash(org string, seq uint64) string {
	if seq == 0 {
		return ""
	}
	return fmt.Sprintf("%s-%d", org, seq)
}

// event returns org's audit event seq, which follows event seq-1.
func event(org string, seq uint64) contacts.AuditEvent {
	return contacts.AuditEvent{
		Org: org, Seq: seq, Time: t0.Add(time.Duration(seq) * time.Second),
		Actor: "vendor:test", Action: "contact.update", Target: "contact/c1",
		Before: json.RawMessage(`{"name":"Ann"}`), After: json.RawMessage(`{"name":"Anna"}`),
		Salt: "00", DataDigest: "digest", Prev: hash(org, seq-1), Hash: hash(org, seq),
	}
}

// equate makes nil and empty slices equal: a driver may return either for
// no roles, no groups or an empty page.
var equate = cmpopts.EquateEmpty()

// diff reports a difference between want and got.
func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, equate); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// update runs fn in an Update that must succeed.
func update(t *testing.T, s contacts.Store, fn func(tx contacts.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View that must succeed.
func view(t *testing.T, s contacts.Store, fn func(tx contacts.ReadTx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// insert stores the items, each of type Org, Contact, Group, AuditEvent,
// SlotHolders (a new record: prev 0), ConsentRecord, Token, ChangeSet or
// Invitation, in one Update.
func insert(t *testing.T, s contacts.Store, items ...any) {
	t.Helper()
	update(t, s, func(tx contacts.Tx) error {
		for _, it := range items {
			var err error
			switch it := it.(type) {
			case contacts.Org:
				err = tx.InsertOrg(it)
			case contacts.Contact:
				err = tx.InsertContact(it)
			case contacts.Group:
				err = tx.InsertGroup(it)
			case contacts.AuditEvent:
				err = tx.AppendAudit(it)
			case contacts.SlotHolders:
				err = tx.PutSlotHolders(it, 0)
			case contacts.ConsentRecord:
				err = tx.AppendConsent(it)
			case contacts.Token:
				err = tx.InsertToken(it)
			case contacts.ChangeSet:
				err = tx.InsertChangeSet(it)
			case contacts.Invitation:
				err = tx.InsertInvitation(it)
			default:
				panic(fmt.Sprintf("storagetest: cannot insert %T", it))
			}
			if err != nil {
				return fmt.Errorf("inserting %+v: %w", it, err)
			}
		}
		return nil
	})
}

// readContact reads one contact in its own View.
func readContact(t *testing.T, s contacts.Store, org, id string) (contacts.Contact, error) {
	t.Helper()
	var c contacts.Contact
	var err error
	view(t, s, func(tx contacts.ReadTx) error {
		c, err = tx.Contact(org, id)
		return nil
	})
	return c, err
}

// wantContact checks that the stored contact equals want.
func wantContact(t *testing.T, s contacts.Store, want contacts.Contact) {
	t.Helper()
	got, err := readContact(t, s, want.Org, want.ID)
	if err != nil {
		t.Fatalf("Contact(%q, %q): %v", want.Org, want.ID, err)
	}
	diff(t, "Contact("+want.Org+", "+want.ID+")", want, got)
}

// wantErr checks that err matches target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want one matching %v", what, err, target)
	}
}

// state is everything a store holds for some orgs, as the read methods
// return it, and the tokens of [tokenNames], by name.
type state struct {
	Orgs   []contacts.Org
	Data   map[string]orgData
	Tokens map[string]contacts.Token
}

type orgData struct {
	Contacts []contacts.Contact
	Groups   []contacts.Group
	Audit    []contacts.AuditEvent
	Head     contacts.AuditHead
	Slots    []contacts.SlotHolders
	// Consent is the consent history of each contact in Contacts.
	Consent     map[string][]contacts.ConsentRecord
	ChangeSets  []contacts.ChangeSet
	Invitations []contacts.Invitation
	Cursors     []contacts.WebhookCursor
}

// dump reads the whole of the orgs in one View, all the orgs too, and the
// tokens of tokenNames.
func dump(t *testing.T, s contacts.Store, orgs ...string) state {
	t.Helper()
	st := state{Data: map[string]orgData{}}
	view(t, s, func(tx contacts.ReadTx) error {
		var err error
		if st.Orgs, err = tx.Orgs(contacts.Page{Limit: contacts.MaxPageSize}); err != nil {
			return err
		}
		for _, o := range orgs {
			var d orgData
			if d.Contacts, err = tx.Contacts(o, contacts.Page{Limit: contacts.MaxPageSize}); err != nil {
				return err
			}
			if d.Groups, err = tx.Groups(o, contacts.Page{Limit: contacts.MaxPageSize}); err != nil {
				return err
			}
			if d.Audit, err = tx.AuditEvents(o, 0, contacts.MaxPageSize); err != nil {
				return err
			}
			if d.Head, err = tx.AuditHead(o); err != nil {
				return err
			}
			if d.Slots, err = tx.OrgSlots(o); err != nil {
				return err
			}
			if d.ChangeSets, err = tx.ChangeSets(o, contacts.Page{Limit: contacts.MaxPageSize}); err != nil {
				return err
			}
			if d.Invitations, err = tx.Invitations(o, contacts.Page{Limit: contacts.MaxPageSize}); err != nil {
				return err
			}
			if d.Cursors, err = tx.WebhookCursors(o); err != nil {
				return err
			}
			d.Consent = map[string][]contacts.ConsentRecord{}
			for _, c := range d.Contacts {
				if d.Consent[c.ID], err = tx.ConsentHistory(o, c.ID); err != nil {
					return err
				}
			}
			st.Data[o] = d
		}
		st.Tokens = map[string]contacts.Token{}
		for _, name := range tokenNames {
			tok, err := tx.Token(tokenHash(name))
			switch {
			case err == nil:
				st.Tokens[name] = tok
			case !errors.Is(err, contacts.ErrNotFound):
				return err
			}
		}
		return nil
	})
	return st
}

// unchanged checks that the orgs hold what before recorded.
func unchanged(t *testing.T, s contacts.Store, before state) {
	t.Helper()
	orgs := make([]string, 0, len(before.Data))
	for o := range before.Data {
		orgs = append(orgs, o)
	}
	diff(t, "stored state", before, dump(t, s, orgs...))
}

// ids returns the IDs of contacts or groups, in order.
func ids[T contacts.Contact | contacts.Group | contacts.Org](items []T) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		switch it := any(it).(type) {
		case contacts.Contact:
			out = append(out, it.ID)
		case contacts.Group:
			out = append(out, it.ID)
		case contacts.Org:
			out = append(out, it.ID)
		}
	}
	return out
}
