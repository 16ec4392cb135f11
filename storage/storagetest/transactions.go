package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

var atomicityTests = []test{
	{"CommitsEveryWrite", testCommitsEveryWrite},
	{"ErrorDropsEveryWrite", testErrorDropsWrites},
	{"ConflictDropsEveryWrite", testConflictDropsWrites},
	{"PanicDropsEveryWrite", testPanicDropsWrites},
	{"FailedWriteLeavesTransactionUsable", testFailedWriteKeepsTx},
}

var snapshotTests = []test{
	{"ViewSeesNoLaterCommit", testViewSnapshot},
	{"ViewSeesNoLaterContactWrites", testViewSnapshotPointReads},
	{"NoPartialBatch", testNoPartialBatch},
	{"NewOrgsWhole", testNewOrgsWhole},
}

var concurrencyTests = []test{
	{"SamePrevOneWins", testSamePrevOneWins},
	{"NoLostUpdates", testNoLostUpdates},
}

var contextTests = []test{
	{"Canceled", testCanceled},
}

// atomicityFixture is the state the atomicity tests start from.
func atomicityFixture(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com", "admin"), group("acme", "g1"), event("acme", 1))
}

// batch writes one of everything (a contact, a group, an audit event and
// a changed contact), as a change set would.
func batch(tx contacts.Tx) error {
	c1 := contact("acme", "c1", "ann@example.com", "owner")
	c1.Version = 2
	return errors.Join(
		tx.InsertContact(inGroups(contact("acme", "c2", "bob@example.com", "admin"), "g2")),
		tx.InsertGroup(group("acme", "g2")),
		tx.UpdateContact(c1, 1),
		tx.AppendAudit(event("acme", 2)),
	)
}

func testCommitsEveryWrite(t *testing.T, s contacts.Store) {
	atomicityFixture(t, s)
	update(t, s, batch)
	st := dump(t, s, "acme")
	d := st.Data["acme"]
	diff(t, "contacts", []string{"c1", "c2"}, ids(d.Contacts))
	diff(t, "groups", []string{"g1", "g2"}, ids(d.Groups))
	diff(t, "audit head", contacts.AuditHead{Seq: 2, Hash: hash("acme", 2)}, d.Head)
	view(t, s, func(tx contacts.ReadTx) error {
		owners, err := tx.ContactsWithRole("acme", "owner")
		if err != nil {
			return err
		}
		diff(t, "owners", []string{"c1"}, ids(owners))
		return nil
	})
}

// boomError is an error of the suite's own type, to check that Update hands
// fn's error back as it is.
type boomError struct{ n int }

func (e *boomError) Error() string { return fmt.Sprintf("boom %d", e.n) }
func (e *boomError) Unwrap() error { return errBoom }

func testErrorDropsWrites(t *testing.T, s contacts.Store) {
	atomicityFixture(t, s)
	before := dump(t, s, "acme")
	want := &boomError{n: 3}
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		if err := batch(tx); err != nil {
			t.Errorf("batch: %v", err)
		}
		return want
	})
	wantErr(t, "Update", err, errBoom)
	var got *boomError
	if !errors.As(err, &got) || got != want {
		t.Errorf("Update returned %v (%T), want fn's error unchanged", err, err)
	}
	unchanged(t, s, before)
}

// testConflictDropsWrites: a write that fails in the middle of fn, whose
// error fn returns, takes every earlier write of fn with it.
func testConflictDropsWrites(t *testing.T, s contacts.Store) {
	atomicityFixture(t, s)
	fails(t, s, "Update", contacts.ErrConflict, func(tx contacts.Tx) error {
		if err := batch(tx); err != nil {
			t.Errorf("batch: %v", err)
		}
		if err := tx.InsertContact(contact("acme", "c3", "ANN@example.com")); err != nil {
			return err
		}
		t.Errorf("InsertContact with a taken address: no error")
		return nil
	})
}

func testPanicDropsWrites(t *testing.T, s contacts.Store) {
	atomicityFixture(t, s)
	before := dump(t, s, "acme")
	func() {
		defer func() {
			if r := recover(); r != errBoom {
				t.Errorf("recovered %v, want Update to let fn's panic through", r)
			}
		}()
		_ = s.Update(t.Context(), func(tx contacts.Tx) error {
			if err := batch(tx); err != nil {
				t.Errorf("batch: %v", err)
			}
			panic(errBoom)
		})
	}()
	unchanged(t, s, before)
	// The store is still usable: the panic released what Update held.
	update(t, s, batch)
}

// testFailedWriteKeepsTx: a write that fails changes nothing and leaves the
// transaction usable, so fn may handle the error and go on.
func testFailedWriteKeepsTx(t *testing.T, s contacts.Store) {
	atomicityFixture(t, s)
	c3 := contact("acme", "c3", "carl@example.com")
	update(t, s, func(tx contacts.Tx) error {
		stale := contact("acme", "c1", "ann@example.com", "owner")
		stale.Version = 9
		for what, err := range map[string]error{
			"InsertContact(duplicate address)": tx.InsertContact(contact("acme", "c2", "ann@example.com")),
			"InsertContact(duplicate ID)":      tx.InsertContact(contact("acme", "c1", "other@example.com")),
			"UpdateContact(stale)":             tx.UpdateContact(stale, 8),
			"InsertGroup(duplicate)":           tx.InsertGroup(group("acme", "g1")),
			"AppendAudit(wrong seq)":           tx.AppendAudit(event("acme", 3)),
		} {
			wantErr(t, what, err, contacts.ErrConflict)
		}
		wantErr(t, "DeleteContact(missing)", tx.DeleteContact("acme", "nope", 1), contacts.ErrNotFound)
		return tx.InsertContact(c3)
	})
	wantContact(t, s, c3)
	wantContact(t, s, contact("acme", "c1", "ann@example.com", "admin"))
	st := dump(t, s, "acme")
	diff(t, "contacts", []string{"c1", "c3"}, ids(st.Data["acme"].Contacts))
	diff(t, "audit head", contacts.AuditHead{Seq: 1, Hash: hash("acme", 1)}, st.Data["acme"].Head)
}

// patience bounds how long a test waits for another goroutine before it
// reports a driver that blocks where it must not.
const patience = 10 * time.Second

// duringView runs check in a View, then each of writes in an Update of its
// own, each committing while the View is still open, then check again in
// the same View: check states what the View must see, which the commits
// must not change. check runs on another goroutine, so it reports with
// t.Errorf, never t.Fatal.
func duringView(t *testing.T, s contacts.Store, check func(tx contacts.ReadTx, when string), writes ...func(tx contacts.Tx) error) {
	t.Helper()
	steps := make([]func(), len(writes))
	for i, write := range writes {
		steps[i] = func() { update(t, s, write) }
	}
	duringViewSteps(t, s, check, steps...)
}

// duringViewSteps is duringView with steps of any kind in place of writes,
// run in order on the test's goroutine while the View is open.
func duringViewSteps(t *testing.T, s contacts.Store, check func(tx contacts.ReadTx, when string), steps ...func()) {
	t.Helper()
	started, committed, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		err := s.View(t.Context(), func(tx contacts.ReadTx) error {
			check(tx, "in a View")
			close(started)
			select {
			case <-committed:
			case <-time.After(patience):
				t.Errorf("Update did not commit within %v while a View was open", patience)
				return nil
			}
			check(tx, "in a View begun before a commit")
			return nil
		})
		if err != nil {
			t.Errorf("View: %v", err)
		}
	}()
	select {
	case <-started:
	case <-done:
		return
	}
	// Deferred, so that the View ends before the test does even when the
	// Update fails it.
	defer func() {
		close(committed)
		<-done
	}()
	for _, step := range steps {
		step()
	}
}

// testViewSnapshot: a View sees the state of when it began, however many
// commits happen while it runs.
func testViewSnapshot(t *testing.T, s contacts.Store) {
	c1 := contact("acme", "c1", "ann@example.com", "admin")
	insert(t, s, org("acme"), c1)

	started, committed, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		err := s.View(t.Context(), func(tx contacts.ReadTx) error {
			if _, err := tx.Contact("acme", "c1"); err != nil {
				return err
			}
			close(started)
			select {
			case <-committed:
			case <-time.After(patience):
				t.Errorf("Update did not commit within %v while a View was open", patience)
				return nil
			}
			got, err := tx.Contact("acme", "c1")
			if err != nil {
				return err
			}
			diff(t, "Contact in a View begun before the commit", c1, got)
			_, err = tx.Contact("acme", "c2")
			wantErr(t, "Contact inserted after the View began", err, contacts.ErrNotFound)
			_, err = tx.ContactByEmail("acme", "ann.new@example.com")
			wantErr(t, "ContactByEmail of an address set after the View began", err, contacts.ErrNotFound)
			list, err := tx.Contacts("acme", contacts.Page{})
			if err != nil {
				return err
			}
			diff(t, "Contacts in a View begun before the commit", []contacts.Contact{c1}, list)
			admins, err := tx.ContactsWithRole("acme", "admin")
			if err != nil {
				return err
			}
			diff(t, "ContactsWithRole in a View begun before the commit", []string{"c1"}, ids(admins))
			head, err := tx.AuditHead("acme")
			diff(t, "AuditHead in a View begun before the commit", contacts.AuditHead{}, head)
			return err
		})
		if err != nil {
			t.Errorf("View: %v", err)
		}
	}()

	select {
	case <-started:
	case <-done:
		return
	}
	c1v2 := contact("acme", "c1", "ann.new@example.com", "owner")
	c1v2.Version = 2
	update(t, s, func(tx contacts.Tx) error {
		return errors.Join(
			tx.UpdateContact(c1v2, 1),
			tx.InsertContact(contact("acme", "c2", "bob@example.com", "admin")),
			tx.AppendAudit(event("acme", 1)))
	})
	close(committed)
	<-done
	wantContact(t, s, c1v2)
}

// testViewSnapshotPointReads: a View's point reads of contacts, by ID and
// by address, stay those of when it began through several commits that
// change contacts, move them to new addresses, give a freed address to
// another contact and delete one; Views begun after them see the new state.
func testViewSnapshotPointReads(t *testing.T, s contacts.Store) {
	c1 := contact("acme", "c1", "ann@example.com", "admin")
	c2 := contact("acme", "c2", "bob@example.com")
	c3 := contact("acme", "c3", "cy@example.com")
	insert(t, s, org("acme"), c1, c2, c3)
	seen := func(tx contacts.ReadTx, when string, want []contacts.Contact, gone ...string) {
		for _, c := range want {
			got, err := tx.Contact("acme", c.ID)
			if err != nil {
				t.Errorf("Contact %s %s: %v", c.ID, when, err)
			}
			diff(t, "Contact "+c.ID+" "+when, c, got)
			got, err = tx.ContactByEmail("acme", contacts.EmailKey(c.Email))
			if err != nil {
				t.Errorf("ContactByEmail %s %s: %v", c.Email, when, err)
			}
			diff(t, "ContactByEmail "+c.Email+" "+when, c, got)
		}
		for _, email := range gone {
			_, err := tx.ContactByEmail("acme", email)
			wantErr(t, "ContactByEmail "+email+" "+when, err, contacts.ErrNotFound)
		}
	}
	c1v2 := contact("acme", "c1", "ann.new@example.com", "owner")
	c1v2.Version = 2
	c1v3 := c1v2
	c1v3.Name, c1v3.Version = "Ann Again", 3
	c2v2 := contact("acme", "c2", "ann@example.com")
	c2v2.Version = 2
	duringView(t, s, func(tx contacts.ReadTx, when string) {
		seen(tx, when, []contacts.Contact{c1, c2, c3}, "ann.new@example.com")
	}, func(tx contacts.Tx) error {
		return tx.UpdateContact(c1v2, 1) // frees ann@
	}, func(tx contacts.Tx) error {
		return tx.UpdateContact(c2v2, 1) // takes ann@, frees bob@
	}, func(tx contacts.Tx) error {
		return tx.DeleteContact("acme", "c3", 1)
	}, func(tx contacts.Tx) error {
		return tx.UpdateContact(c1v3, 2)
	})
	err := s.View(t.Context(), func(tx contacts.ReadTx) error {
		seen(tx, "in a View begun after the commits", []contacts.Contact{c1v3, c2v2}, "bob@example.com", "cy@example.com")
		_, err := tx.Contact("acme", "c3")
		wantErr(t, "Contact c3, deleted", err, contacts.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Errorf("View: %v", err)
	}
}

// testNoPartialBatch: readers running alongside a stream of two-write
// transactions (an ownership transfer) see the state before or after each,
// never between (RELIABILITY B4, C4).
func testNoPartialBatch(t *testing.T, s contacts.Store) {
	const transfers = 100
	insert(t, s, org("acme"),
		contact("acme", "c1", "ann@example.com", "owner"),
		contact("acme", "c2", "bob@example.com", "normal"))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(t.Context(), func(tx contacts.ReadTx) error {
					owners, err := tx.ContactsWithRole("acme", "owner")
					if err != nil {
						return err
					}
					if len(owners) != 1 {
						t.Errorf("a View saw owners %v, want exactly one", ids(owners))
					}
					c1, err1 := tx.Contact("acme", "c1")
					c2, err2 := tx.Contact("acme", "c2")
					if err := errors.Join(err1, err2); err != nil {
						return err
					}
					if c1.Version != c2.Version || c1.HasRole("owner") == c2.HasRole("owner") {
						t.Errorf("a View saw half a transfer: c1 v%d %v, c2 v%d %v", c1.Version, c1.Roles, c2.Version, c2.Roles)
					}
					return nil
				})
				if err != nil {
					t.Errorf("View: %v", err)
					return
				}
			}
		})
	}
	for v := int64(1); v <= transfers; v++ {
		update(t, s, func(tx contacts.Tx) error {
			from, to := "c1", "c2"
			if v%2 == 0 {
				from, to = to, from
			}
			a, err := tx.Contact("acme", from)
			if err != nil {
				return err
			}
			b, err := tx.Contact("acme", to)
			if err != nil {
				return err
			}
			a.Roles, b.Roles = []string{"normal"}, []string{"owner"}
			a.Version, b.Version = v+1, v+1
			// Grant first, then demote: an org always has an owner.
			return errors.Join(tx.UpdateContact(b, v), tx.UpdateContact(a, v))
		})
	}
	close(stop)
	wg.Wait()
}

// testNewOrgsWhole: readers running alongside transactions that each create
// an org with a contact, a group and an audit event see each org with all
// of them or not at all.
func testNewOrgsWhole(t *testing.T, s contacts.Store) {
	const orgs = 60
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(t.Context(), func(tx contacts.ReadTx) error {
					list, err := tx.Orgs(contacts.Page{Limit: contacts.MaxPageSize})
					if err != nil {
						return err
					}
					for _, o := range list {
						cs, err1 := tx.Contacts(o.ID, contacts.Page{})
						gs, err2 := tx.Groups(o.ID, contacts.Page{})
						head, err3 := tx.AuditHead(o.ID)
						_, err4 := tx.ContactByEmail(o.ID, "ann@example.com")
						if err := errors.Join(err1, err2, err3, err4); err != nil {
							return fmt.Errorf("org %s: %w", o.ID, err)
						}
						if len(cs) != 1 || len(gs) != 1 || head.Seq != 1 {
							t.Errorf("a View saw org %s with %d contacts, %d groups, audit head %d; want 1, 1, 1", o.ID, len(cs), len(gs), head.Seq)
						}
					}
					return nil
				})
				if err != nil {
					t.Errorf("View: %v", err)
					return
				}
			}
		})
	}
	for i := range orgs {
		id := fmt.Sprintf("org%02d", i)
		insert(t, s, org(id), contact(id, "c1", "ann@example.com"), group(id, "g1"), event(id, 1))
	}
	close(stop)
	wg.Wait()
}

// testSamePrevOneWins: of concurrent updates naming the same version, one
// wins and every other gets a conflict (RELIABILITY C1).
func testSamePrevOneWins(t *testing.T, s contacts.Store) {
	const writers = 8
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"))

	start := make(chan struct{})
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			c := contact("acme", "c1", "ann@example.com")
			c.Name, c.Version = fmt.Sprintf("writer %d", i), 2
			<-start
			errs[i] = s.Update(t.Context(), func(tx contacts.Tx) error { return tx.UpdateContact(c, 1) })
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both updated version 1", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, contacts.ErrConflict):
			t.Errorf("writer %d: got error %v, want a conflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer succeeded: %v", errs)
	}
	want := contact("acme", "c1", "ann@example.com")
	want.Name, want.Version = fmt.Sprintf("writer %d", winner), 2
	wantContact(t, s, want)
}

// testNoLostUpdates: concurrent read-modify-write transactions are
// serializable, so none of them sees a conflict and none is lost.
func testNoLostUpdates(t *testing.T, s contacts.Store) {
	const writers, rounds = 4, 10
	insert(t, s, org("acme"), contact("acme", "c1", "ann@example.com"))
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range rounds {
				err := s.Update(t.Context(), func(tx contacts.Tx) error {
					c, err := tx.Contact("acme", "c1")
					if err != nil {
						return err
					}
					c.Version++
					return tx.UpdateContact(c, c.Version-1)
				})
				if err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	c, err := readContact(t, s, "acme", "c1")
	if err != nil || c.Version != 1+writers*rounds {
		t.Errorf("after %d increments: version %d, %v; want %d", writers*rounds, c.Version, err, 1+writers*rounds)
	}
}

// testCanceled: a done context stops View and Update before they start.
func testCanceled(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	before := dump(t, s, "acme")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Update(ctx, func(tx contacts.Tx) error {
		return tx.InsertContact(contact("acme", "c1", "ann@example.com"))
	})
	wantErr(t, "Update(canceled)", err, context.Canceled)
	err = s.View(ctx, func(tx contacts.ReadTx) error {
		_, err := tx.Org("acme")
		return err
	})
	wantErr(t, "View(canceled)", err, context.Canceled)
	unchanged(t, s, before)
}
