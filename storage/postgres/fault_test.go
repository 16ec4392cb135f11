package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

// orgState is everything of org a fault could leave half-written, as
// JSON, for comparing.
func orgState(t *testing.T, s *Store, org string) (string, contacts.AuditHead) {
	t.Helper()
	var st struct {
		Org      contacts.Org
		Contacts []contacts.Contact
		Slots    []contacts.SlotHolders
		Head     contacts.AuditHead
	}
	err := s.View(t.Context(), func(tx contacts.ReadTx) error {
		var err error
		if st.Org, err = tx.Org(org); err != nil {
			return err
		}
		if st.Contacts, err = tx.Contacts(org, contacts.Page{Limit: contacts.MaxPageSize}); err != nil {
			return err
		}
		if st.Slots, err = tx.OrgSlots(org); err != nil {
			return err
		}
		st.Head, err = tx.AuditHead(org)
		return err
	})
	if err != nil {
		t.Fatalf("reading the state: %v", err)
	}
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw), st.Head
}

// TestFaults_ConnectionKilledAtAnyStatement: operations of the Service
// whose connection is killed from another session before a random
// statement (COMMIT included) are applied whole or not at all; an
// operation that reports failure changed nothing, one that reports
// success is there, and an unknown outcome is one of the two. Running the
// operation again converges, the audit chain verifies, and the org keeps
// its owner and its slot minimum (RELIABILITY C3, F3).
func TestFaults_ConnectionKilledAtAnyStatement(t *testing.T) {
	const iterations = 60
	svc, s := newService(t)
	ctx := t.Context()
	owner := newOrg(t, svc, "acme")
	var people []contacts.Contact
	for i := range 3 {
		c, err := svc.CreateContact(ctx, as(owner), "acme", contacts.NewContact{Name: fmt.Sprintf("P%d", i), Email: fmt.Sprintf("p%d@acme.example", i)})
		if err != nil {
			t.Fatalf("CreateContact: %v", err)
		}
		people = append(people, c)
	}
	if _, err := svc.AssignSlot(ctx, as(owner), "acme", "billing", 0, []contacts.Holder{{Kind: contacts.HolderContact, ID: owner.ID}}); err != nil {
		t.Fatalf("AssignSlot: %v", err)
	}
	vendorActor := contacts.Actor{Org: "acme", Vendor: "test"}
	current := func(id string) contacts.Contact {
		c, err := svc.Contact(ctx, vendorActor, "acme", id)
		if err != nil {
			t.Fatalf("Contact: %v", err)
		}
		return c
	}

	// Each operation reads what it needs first, so that running it again
	// after a failure is safe; done reports whether its effect is there.
	type op struct {
		name string
		run  func() error
		done func() bool
	}
	newOp := func(i int) op {
		p := people[rand.N(len(people))]
		switch rand.N(4) {
		case 0:
			email := fmt.Sprintf("new%d@acme.example", i)
			return op{"CreateContact", func() error {
				_, err := svc.CreateContact(ctx, as(owner), "acme", contacts.NewContact{Name: "New", Email: email})
				if errors.Is(err, contacts.ErrConflict) {
					return nil // created by an earlier run whose outcome was unknown: the address is the key
				}
				return err
			}, func() bool {
				_, err := svc.ContactByEmail(ctx, vendorActor, "acme", email)
				return err == nil
			}}
		case 1:
			role := []string{"admin", "business", "normal"}[rand.N(3)]
			return op{"GrantRole " + role, func() error {
				c := current(p.ID)
				_, err := svc.GrantRole(ctx, as(owner), "acme", c.ID, c.Version, role)
				return err
			}, func() bool { return current(p.ID).HasRole(role) }}
		case 2:
			name := fmt.Sprintf("Renamed %d", i)
			return op{"UpdateContact", func() error {
				c := current(p.ID)
				_, err := svc.UpdateContact(ctx, as(owner), "acme", c.ID, c.Version, contacts.ContactPatch{Name: &name})
				return err
			}, func() bool { return current(p.ID).Name == name }}
		default:
			holders := []contacts.Holder{{Kind: contacts.HolderContact, ID: p.ID}, {Kind: contacts.HolderContact, ID: owner.ID}}
			return op{"AssignSlot", func() error {
				cur, err := svc.SlotHolders(ctx, as(owner), "acme", "billing")
				if err != nil {
					return err
				}
				_, err = svc.AssignSlot(ctx, as(owner), "acme", "billing", cur.Version, holders)
				return err
			}, func() bool {
				cur, err := svc.SlotHolders(ctx, as(owner), "acme", "billing")
				return err == nil && slices.Equal(cur.Holders, holders)
			}}
		}
	}

	outcomes := map[string]int{}
	for i := range iterations {
		o := newOp(i)
		// Statement n of the first transaction the operation runs; the one
		// after its last is the COMMIT.
		at := rand.N(10)
		killed := false
		before, headBefore := orgState(t, s, "acme")
		s.onStatement = func(pid uint32, n int) {
			if n == at && !killed {
				killed = true
				killBackend(t, pid)
			}
		}
		err := o.run()
		s.onStatement = nil
		after, headAfter := orgState(t, s, "acme")
		switch {
		case !killed:
			outcomes["no kill"]++
		case err == nil:
			outcomes["applied"]++
			if headAfter.Seq <= headBefore.Seq {
				t.Errorf("%d: %s succeeded but the audit head stayed at %d", i, o.name, headAfter.Seq)
			}
		case errors.Is(err, ErrOutcomeUnknown):
			outcomes["unknown"]++
			if after != before && headAfter.Seq <= headBefore.Seq {
				t.Errorf("%d: %s: state changed without an audit event", i, o.name)
			}
		default:
			outcomes["failed"]++
			if after != before {
				t.Errorf("%d: %s failed (%v) but changed the state:\nbefore %s\nafter  %s", i, o.name, err, before, after)
			}
		}
		// Converge: run it again until it succeeds.
		for attempt := 0; err != nil; attempt++ {
			if attempt == 5 {
				t.Fatalf("%d: %s does not converge: %v", i, o.name, err)
			}
			err = o.run()
		}
		if !o.done() {
			t.Errorf("%d: %s converged but its effect is missing", i, o.name)
		}
	}
	t.Logf("outcomes: %v", outcomes)
	if outcomes["failed"] == 0 {
		t.Errorf("no operation failed: the kills missed")
	}
	if _, err := svc.VerifyAudit(ctx, vendorActor, "acme", nil); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	if got := owners(t, s, "acme"); len(got) == 0 {
		t.Error("the org lost its owner")
	}
	sh, err := svc.SlotHolders(ctx, as(owner), "acme", "billing")
	if err != nil || len(sh.Holders) == 0 {
		t.Errorf("billing holders %v, %v; want at least one", sh.Holders, err)
	}
}

// killBackend terminates the backend pid from another session and waits
// until it is gone (pg_terminate_backend's own wait polls every 100 ms).
func killBackend(t *testing.T, pid uint32) {
	t.Helper()
	ctx := t.Context()
	pool := admin(t)
	if _, err := pool.Exec(ctx, "select pg_terminate_backend($1)", int32(pid)); err != nil {
		t.Errorf("pg_terminate_backend: %v", err)
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var alive bool
		if err := pool.QueryRow(ctx, "select exists (select 1 from pg_stat_activity where pid = $1)", int32(pid)).Scan(&alive); err != nil {
			t.Errorf("pg_stat_activity: %v", err)
			return
		}
		if !alive {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Errorf("backend %d still alive 10 s after pg_terminate_backend", pid)
}
