package memstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

func TestSchema_Validate(t *testing.T) {
	if err := newSchema(newOrgNumbers()).Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestAppendNum checks the two properties the keys rely on: byte order is
// numeric order, and no number's form is a prefix of another's.
func TestAppendNum(t *testing.T) {
	nums := []uint64{0, 1, 9, 15, 16, 17, 255, 256, 4095, 4096, 65535, 65536, 1 << 32, math.MaxUint64 - 1, math.MaxUint64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		nums = append(nums, r.Uint64()>>r.IntN(64))
	}
	slices.Sort(nums)
	nums = slices.Compact(nums)
	for i := 1; i < len(nums); i++ {
		a, b := appendNum(nil, nums[i-1]), appendNum(nil, nums[i])
		if bytes.Compare(a, b) >= 0 {
			t.Errorf("appendNum(%d) = %x sorts at or after appendNum(%d) = %x", nums[i-1], a, nums[i], b)
		}
		if bytes.HasPrefix(b, a) || bytes.HasPrefix(a, b) {
			t.Errorf("appendNum(%d) = %x and appendNum(%d) = %x: one is a prefix of the other", nums[i-1], a, nums[i], b)
		}
	}
	if n := len(appendNum(nil, math.MaxUint32)); n != numLen {
		t.Errorf("appendNum(MaxUint32) takes %d bytes, numLen is %d", n, numLen)
	}
}

func TestOrgNumbers(t *testing.T) {
	n := newOrgNumbers()
	// Enough orgs, published one, then several, at a time, to fold the
	// recent numbers into the base map a few times.
	var want, discarded []string
	for round := range 40 {
		var given []string
		for i := range round%3 + 1 {
			org := fmt.Sprintf("org-%d-%d", round, i)
			num, _ := n.give(org)
			if got, _ := n.give(org); got != num {
				t.Fatalf("give(%q) = %d, then %d", org, num, got)
			}
			if _, ok := n.lookup(org); ok {
				t.Fatalf("lookup(%q) found a number before publish", org)
			}
			if got, ok := n.writerLookup(org); !ok || got != num {
				t.Fatalf("writerLookup(%q) = %d, %v; want %d", org, got, ok, num)
			}
			given = append(given, org)
		}
		if round%7 == 6 {
			n.discard()
			discarded = append(discarded, given...)
		} else {
			n.publish()
			want = append(want, given...)
		}
	}
	seen := map[uint32]string{}
	for _, org := range want {
		num, ok := n.lookup(org)
		if !ok {
			t.Fatalf("lookup(%q) found no number after publish", org)
		}
		if other, dup := seen[num]; dup {
			t.Fatalf("orgs %q and %q share number %d", org, other, num)
		}
		seen[num] = org
	}
	for _, org := range discarded {
		if _, ok := n.lookup(org); ok {
			t.Errorf("lookup(%q) found a discarded number", org)
		}
		if _, ok := n.writerLookup(org); ok {
			t.Errorf("writerLookup(%q) found a discarded number", org)
		}
	}
}

func TestStore_UseAfterEnd(t *testing.T) {
	s := New()
	ctx := context.Background()
	var leaked contacts.Tx
	if err := s.Update(ctx, func(tx contacts.Tx) error {
		leaked = tx
		return tx.InsertOrg(contacts.Org{ID: "acme", Version: 1})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := leaked.Org("acme"); !errors.Is(err, errTxDone) {
		t.Errorf("Org on a finished Tx: %v, want errTxDone", err)
	}
	if _, err := leaked.Contacts("acme", contacts.Page{}); !errors.Is(err, errTxDone) {
		t.Errorf("Contacts on a finished Tx: %v, want errTxDone", err)
	}
	if err := leaked.InsertOrg(contacts.Org{ID: "other", Version: 1}); !errors.Is(err, errTxDone) {
		t.Errorf("InsertOrg on a finished Tx: %v, want errTxDone", err)
	}
	for name, err := range map[string]error{
		"SlotHolders":    func() error { _, err := leaked.SlotHolders("acme", "billing"); return err }(),
		"OrgSlots":       func() error { _, err := leaked.OrgSlots("acme"); return err }(),
		"PutSlotHolders": leaked.PutSlotHolders(contacts.SlotHolders{Org: "acme", Slot: "billing", Version: 1}, 0),
		"ConsentHistory": func() error { _, err := leaked.ConsentHistory("acme", "c1"); return err }(),
		"AppendConsent":  leaked.AppendConsent(contacts.ConsentRecord{Org: "acme", ID: "r1", Contact: "c1"}),
		"Token":          func() error { _, err := leaked.Token("h"); return err }(),
		"InsertToken":    leaked.InsertToken(contacts.Token{Hash: "h"}),
		"UseToken":       leaked.UseToken("h", time.Now()),
	} {
		if !errors.Is(err, errTxDone) {
			t.Errorf("%s on a finished Tx: %v, want errTxDone", name, err)
		}
	}

	if err := s.View(ctx, func(tx contacts.ReadTx) error {
		if _, ok := tx.(contacts.Tx); ok {
			t.Errorf("a View's ReadTx is a Tx")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.View(ctx, func(contacts.ReadTx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("View after Close: %v, want ErrClosed", err)
	}
	if err := s.Update(ctx, func(contacts.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close: %v, want ErrClosed", err)
	}
}

// TestStore_RefusedInput: what the key encoding cannot hold is refused,
// and refused without a conflict or not-found error.
func TestStore_RefusedInput(t *testing.T) {
	s := New()
	ctx := context.Background()
	for name, fn := range map[string]func(tx contacts.Tx) error{
		"empty org ID": func(tx contacts.Tx) error { return tx.InsertOrg(contacts.Org{}) },
		"empty contact ID": func(tx contacts.Tx) error {
			return tx.InsertContact(contacts.Contact{Org: "acme", Email: "a@example.com"})
		},
		"contact of no org": func(tx contacts.Tx) error {
			return tx.InsertContact(contacts.Contact{ID: "c1", Email: "a@example.com"})
		},
		"role with NUL": func(tx contacts.Tx) error {
			return tx.InsertContact(contacts.Contact{Org: "acme", ID: "c1", Email: "a@example.com", Roles: []string{"a\x00b"}})
		},
		"empty group ID":        func(tx contacts.Tx) error { return tx.InsertGroup(contacts.Group{Org: "acme"}) },
		"audit event of no org": func(tx contacts.Tx) error { return tx.AppendAudit(contacts.AuditEvent{Seq: 1}) },
		"slot of no org": func(tx contacts.Tx) error {
			return tx.PutSlotHolders(contacts.SlotHolders{Slot: "billing", Version: 1}, 0)
		},
		"empty slot key": func(tx contacts.Tx) error {
			return tx.PutSlotHolders(contacts.SlotHolders{Org: "acme", Version: 1}, 0)
		},
		"consent record of no org": func(tx contacts.Tx) error {
			return tx.AppendConsent(contacts.ConsentRecord{ID: "r1", Contact: "c1"})
		},
		"empty consent record ID": func(tx contacts.Tx) error {
			return tx.AppendConsent(contacts.ConsentRecord{Org: "acme", Contact: "c1"})
		},
		"consent record of no contact": func(tx contacts.Tx) error {
			return tx.AppendConsent(contacts.ConsentRecord{Org: "acme", ID: "r1"})
		},
		"consent record of a contact ID with NUL": func(tx contacts.Tx) error {
			return tx.AppendConsent(contacts.ConsentRecord{Org: "acme", ID: "r1", Contact: "c\x001"})
		},
		"token with no hash": func(tx contacts.Tx) error { return tx.InsertToken(contacts.Token{Org: "acme"}) },
		"token used at the zero time": func(tx contacts.Tx) error {
			if err := tx.InsertToken(contacts.Token{Hash: "h", Org: "acme"}); err != nil {
				// Made a conflict, so that the check below reports it.
				return fmt.Errorf("%w: InsertToken: %v", contacts.ErrConflict, err)
			}
			return tx.UseToken("h", time.Time{})
		},
	} {
		err := s.Update(ctx, fn)
		if err == nil || errors.Is(err, contacts.ErrConflict) || errors.Is(err, contacts.ErrNotFound) {
			t.Errorf("%s: got %v, want an error of the store's own", name, err)
		}
	}
	if err := s.Update(ctx, func(tx contacts.Tx) error {
		_, err := tx.Contacts("acme", contacts.Page{Limit: -1})
		return err
	}); err == nil {
		t.Errorf("Contacts with a negative limit: no error")
	}
}
