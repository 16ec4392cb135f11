package memstore_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// TestIndex_ViewsAgree runs Views alongside a writer that keeps moving
// contacts between addresses, deleting them and adding new ones (and, one
// Update in five, fails after writing, which must leave no trace), and
// checks in every View that the contact index's point reads, by ID and by
// address, agree with memdb's listing of the same View: the index keeps,
// for each View, the state of when it began. Then, once no View is left,
// that the index has trimmed every version no View can read.
func TestIndex_ViewsAgree(t *testing.T) {
	s := memstore.New()
	const people, addresses = 20, 30
	address := func(i int) string { return fmt.Sprintf("p%02d@example.com", i) }
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	newContact := func(id, email string) contacts.Contact {
		return contacts.Contact{Org: "acme", ID: id, Name: "Person " + id, Email: email,
			Language: "en", Verification: contacts.Unverified, Status: contacts.Active,
			Version: 1, Created: now, Updated: now}
	}
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		if err := tx.InsertOrg(contacts.Org{ID: "acme", Name: "Acme", Version: 1, Created: now, Updated: now}); err != nil {
			return err
		}
		for i := range people {
			if err := tx.InsertContact(newContact(fmt.Sprintf("c%03d", i), address(i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var views atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for !stop.Load() {
				err := s.View(t.Context(), func(tx contacts.ReadTx) error {
					views.Add(1)
					list, err := tx.Contacts("acme", contacts.Page{Limit: contacts.MaxPageSize})
					if err != nil {
						return err
					}
					held := map[string]contacts.Contact{}
					for _, c := range list {
						held[c.Email] = c
						got, err := tx.Contact("acme", c.ID)
						if err != nil || !cmp.Equal(c, got) {
							return fmt.Errorf("Contact %s: %v, %v; the listing has %+v", c.ID, got, err, c)
						}
					}
					for i := range addresses {
						got, err := tx.ContactByEmail("acme", address(i))
						want, ok := held[address(i)]
						switch {
						case ok && (err != nil || !cmp.Equal(want, got)):
							return fmt.Errorf("ContactByEmail %s: %v, %v; the listing has %+v", address(i), got, err, want)
						case !ok && err == nil:
							return fmt.Errorf("ContactByEmail %s: %+v, which the listing does not hold there", address(i), got)
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}

	r := rand.New(rand.NewPCG(1, 2))
	next := people
	errRolledBack := errors.New("rolled back")
	for range 3000 {
		fail := r.IntN(5) == 0 // an Update that writes, then fails
		err := s.Update(t.Context(), func(tx contacts.Tx) (err error) {
			if fail {
				defer func() {
					if err == nil {
						err = errRolledBack
					}
				}()
			}
			list, err := tx.Contacts("acme", contacts.Page{Limit: contacts.MaxPageSize})
			if err != nil {
				return err
			}
			free := map[string]bool{}
			for i := range addresses {
				free[address(i)] = true
			}
			for _, c := range list {
				free[c.Email] = false
			}
			c := list[r.IntN(len(list))]
			switch r.IntN(4) {
			case 0: // replaced by a new contact at the same address
				if err := tx.DeleteContact("acme", c.ID, c.Version); err != nil {
					return err
				}
				next++
				return tx.InsertContact(newContact(fmt.Sprintf("c%03d", next), c.Email))
			default: // moves to a free address, or stays and changes name
				for range addresses {
					if a := address(r.IntN(addresses)); free[a] {
						c.Email = a
						break
					}
				}
				c.Name += "."
				c.Version++
				return tx.UpdateContact(c, c.Version-1)
			}
		})
		if err != nil && !(fail && errors.Is(err, errRolledBack)) {
			stop.Store(true)
			wg.Wait()
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if views.Load() < 10 {
		t.Errorf("only %d Views ran alongside the writer", views.Load())
	}

	// Two commits with no View running trim what the last ones kept.
	for range 2 {
		if err := s.Update(t.Context(), func(tx contacts.Tx) error {
			c, err := tx.Contact("acme", "c000")
			if err != nil {
				return nil // deleted meanwhile
			}
			c.Version++
			return tx.UpdateContact(c, c.Version-1)
		}); err != nil {
			t.Fatal(err)
		}
	}
	ids, emails, versions := memstore.IndexSize(s)
	var n int
	err = s.View(t.Context(), func(tx contacts.ReadTx) error {
		list, err := tx.Contacts("acme", contacts.Page{Limit: contacts.MaxPageSize})
		n = len(list)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if ids != n || emails != n || versions > 2*n+2 {
		t.Errorf("the index holds %d IDs, %d addresses and %d versions for %d contacts", ids, emails, versions, n)
	}
}
