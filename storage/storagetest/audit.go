package storagetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

var auditTests = []test{
	{"Head", testAuditHead},
	{"WrongSeqOrPrev", testAuditWrongLink},
	{"Events", testAuditEvents},
	{"ViewSeesNoLaterAppend", testAuditSnapshot},
}

// testAuditSnapshot: a View's audit trail stays that of when it began while
// events are appended, including by an Update that fails after appending;
// the failed append leaves no trace, and the next one takes its place.
func testAuditSnapshot(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), event("acme", 1), event("acme", 2), event("acme", 3))
	want := []contacts.AuditEvent{event("acme", 1), event("acme", 2), event("acme", 3)}
	rolledBack := event("acme", 4)
	rolledBack.After = json.RawMessage(`{"name":"never"}`)
	duringViewSteps(t, s, func(tx contacts.ReadTx, when string) {
		head, err := tx.AuditHead("acme")
		if err != nil {
			t.Errorf("AuditHead %s: %v", when, err)
		}
		diff(t, "AuditHead "+when, contacts.AuditHead{Seq: 3, Hash: hash("acme", 3)}, head)
		got, err := tx.AuditEvents("acme", 0, 0)
		if err != nil {
			t.Errorf("AuditEvents %s: %v", when, err)
		}
		diff(t, "AuditEvents "+when, want, got)
	}, func() {
		err := s.Update(t.Context(), func(tx contacts.Tx) error {
			if err := tx.AppendAudit(rolledBack); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("a failing Update returned %v, want its own error", err)
		}
	}, func() {
		update(t, s, func(tx contacts.Tx) error { return tx.AppendAudit(event("acme", 4)) })
	}, func() {
		update(t, s, func(tx contacts.Tx) error { return tx.AppendAudit(event("acme", 5)) })
	})
	err := s.View(t.Context(), func(tx contacts.ReadTx) error {
		got, err := tx.AuditEvents("acme", 2, 0)
		diff(t, "AuditEvents after the appends", []contacts.AuditEvent{event("acme", 3), event("acme", 4), event("acme", 5)}, got)
		return err
	})
	if err != nil {
		t.Errorf("View: %v", err)
	}
}

func testAuditHead(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	headIs := func(want contacts.AuditHead) {
		t.Helper()
		view(t, s, func(tx contacts.ReadTx) error {
			got, err := tx.AuditHead("acme")
			if err != nil {
				t.Fatalf("AuditHead: %v", err)
			}
			diff(t, "AuditHead", want, got)
			return nil
		})
	}
	headIs(contacts.AuditHead{})
	insert(t, s, event("acme", 1))
	headIs(contacts.AuditHead{Seq: 1, Hash: hash("acme", 1)})
	insert(t, s, event("acme", 2), event("acme", 3))
	headIs(contacts.AuditHead{Seq: 3, Hash: hash("acme", 3)})
}

// testAuditWrongLink: an event that does not follow the head is a conflict
// and is not stored.
func testAuditWrongLink(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	cf := contacts.ErrConflict
	for _, c := range []struct {
		what string
		e    contacts.AuditEvent
	}{
		{"first event with seq 0", func() contacts.AuditEvent { e := event("acme", 1); e.Seq = 0; return e }()},
		{"first event with seq 2", func() contacts.AuditEvent { e := event("acme", 1); e.Seq = 2; return e }()},
		{"first event naming a previous hash", func() contacts.AuditEvent { e := event("acme", 1); e.Prev = "x"; return e }()},
	} {
		fails(t, s, "AppendAudit("+c.what+")", cf, func(tx contacts.Tx) error { return tx.AppendAudit(c.e) })
	}

	insert(t, s, event("acme", 1), event("acme", 2))
	for _, c := range []struct {
		what string
		e    contacts.AuditEvent
	}{
		{"event 2 again", event("acme", 2)},
		{"event 1 again", event("acme", 1)},
		{"event 4 after 2", func() contacts.AuditEvent { e := event("acme", 4); e.Prev = hash("acme", 2); return e }()},
		{"event 3 naming event 1's hash", func() contacts.AuditEvent { e := event("acme", 3); e.Prev = hash("acme", 1); return e }()},
		{"event 3 naming no hash", func() contacts.AuditEvent { e := event("acme", 3); e.Prev = ""; return e }()},
	} {
		fails(t, s, "AppendAudit("+c.what+")", cf, func(tx contacts.Tx) error { return tx.AppendAudit(c.e) })
	}
	insert(t, s, event("acme", 3))
}

// testAuditEvents: listings come in Seq order (past 255, so that a byte-wise
// or textual encoding of Seq shows up), after the cursor, at most limit,
// and scoped to the org.
func testAuditEvents(t *testing.T, s contacts.Store) {
	const n = 300
	insert(t, s, org("acme"), org("acme-eu"))
	var items []any
	for seq := uint64(1); seq <= n; seq++ {
		items = append(items, event("acme", seq))
		if seq <= 5 {
			items = append(items, event("acme-eu", seq))
		}
	}
	insert(t, s, items...)

	seqs := func(from, to uint64) []uint64 {
		var out []uint64
		for s := from; s <= to; s++ {
			out = append(out, s)
		}
		return out
	}
	view(t, s, func(tx contacts.ReadTx) error {
		all, err := tx.AuditEvents("acme", 0, contacts.MaxPageSize)
		if err != nil {
			t.Fatalf("AuditEvents: %v", err)
		}
		if len(all) != n {
			t.Fatalf("AuditEvents(acme, 0, max) = %d events, want %d", len(all), n)
		}
		for i, e := range all {
			diff(t, fmt.Sprintf("event %d", i+1), event("acme", uint64(i+1)), e)
		}
		for _, c := range []struct {
			org          string
			after        uint64
			limit        int
			wantFrom, to uint64
		}{
			{"acme", 0, 7, 1, 7},
			{"acme", 7, 7, 8, 14},
			{"acme", 250, 100, 251, n},
			{"acme", 255, 3, 256, 258},
			{"acme", n - 1, 10, n, n},
			{"acme", n, 10, 1, 0},
			{"acme", 1 << 40, 10, 1, 0},
			{"acme-eu", 0, 100, 1, 5},
			{"acme-eu", 3, 100, 4, 5},
		} {
			got, err := tx.AuditEvents(c.org, c.after, c.limit)
			if err != nil {
				t.Errorf("AuditEvents(%s, %d, %d): %v", c.org, c.after, c.limit, err)
				continue
			}
			var gotSeqs []uint64
			for _, e := range got {
				if e.Org != c.org {
					t.Errorf("AuditEvents(%s, %d, %d) returned an event of org %s", c.org, c.after, c.limit, e.Org)
				}
				gotSeqs = append(gotSeqs, e.Seq)
			}
			diff(t, fmt.Sprintf("AuditEvents(%s, %d, %d)", c.org, c.after, c.limit), seqs(c.wantFrom, c.to), gotSeqs)
		}

		var walked []uint64
		for after := uint64(0); ; {
			page, err := tx.AuditEvents("acme", after, 64)
			if err != nil {
				t.Fatalf("AuditEvents(after %d): %v", after, err)
			}
			if len(page) == 0 || len(walked) > n {
				break
			}
			for _, e := range page {
				walked = append(walked, e.Seq)
			}
			after = page[len(page)-1].Seq
		}
		diff(t, "AuditEvents walked in pages of 64", seqs(1, n), walked)

		head, err := tx.AuditHead("acme")
		diff(t, "AuditHead(acme)", contacts.AuditHead{Seq: n, Hash: hash("acme", n)}, head)
		return err
	})
}
