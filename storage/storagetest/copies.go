package storagetest

import (
	"slices"
	"sync"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

var copyTests = []test{
	{"ValuesPassedIn", testCopiesIn},
	{"ValuesHandedOut", testCopiesOut},
	{"WithinTransaction", testCopiesInTx},
	{"ConcurrentReaders", testCopiesConcurrent},
}

// scribble changes every element of the slices a value holds, in place, as
// a careless caller would.
func scribble[T contacts.Contact | contacts.Org | contacts.AuditEvent | contacts.SlotHolders | contacts.ChangeSet](v *T) {
	switch v := any(v).(type) {
	case *contacts.Contact:
		for i := range v.Roles {
			v.Roles[i] = "scribbled"
		}
		for i := range v.Groups {
			v.Groups[i] = "scribbled"
		}
		for i := range v.Consent {
			v.Consent[i].Purpose, v.Consent[i].Granted = "scribbled", !v.Consent[i].Granted
		}
	case *contacts.SlotHolders:
		for i := range v.Holders {
			v.Holders[i] = contacts.Holder{Kind: "scribbled", ID: "scribbled", Until: t0}
		}
	case *contacts.Org:
		for i := range v.AllowedEmailDomains {
			v.AllowedEmailDomains[i] = "scribbled"
		}
	case *contacts.ChangeSet:
		// Through every slice and pointer, down to the strings a patch's
		// fields point to.
		for i := range v.Edits {
			e := &v.Edits[i]
			e.Kind, e.Contact, e.Version, e.Role, e.Slot = "scribbled", "scribbled", -1, "scribbled", "scribbled"
			if e.New != nil {
				e.New.Name, e.New.Email, e.New.Kind = "scribbled", "scribbled", "scribbled"
			}
			if p := e.Patch; p != nil {
				for _, f := range []*string{p.Name, p.Email, p.Language, p.Phone, p.Title} {
					if f != nil {
						*f = "scribbled"
					}
				}
				if p.Kind != nil {
					*p.Kind = "scribbled"
				}
				if p.Availability != nil {
					*p.Availability = "scribbled"
				}
				p.PhoneRegion = "scribbled"
			}
			for j := range e.Holders {
				e.Holders[j] = contacts.Holder{Kind: "scribbled", ID: "scribbled", Until: t0}
			}
		}
		for i := range v.Comments {
			v.Comments[i] = contacts.Comment{Author: "scribbled", Text: "scribbled", State: "scribbled", Time: t0}
		}
		for i := range v.CreatedContacts {
			v.CreatedContacts[i] = "scribbled"
		}
	case *contacts.AuditEvent:
		for i := range v.Before {
			v.Before[i] = 'x'
		}
		for i := range v.After {
			v.After[i] = 'x'
		}
	}
}

// copyFixture returns an org, a contact and an audit event with slices.
func copyFixture() (contacts.Org, contacts.Contact, contacts.AuditEvent) {
	o := org("acme")
	o.AllowedEmailDomains = []string{"example.com"}
	c := inGroups(contact("acme", "c1", "ann@example.com", "admin", "owner"), "g1")
	c.Consent = []contacts.ConsentState{{Purpose: "newsletter", Granted: true, At: t0}}
	return o, c, event("acme", 1)
}

// testCopiesIn: changing a value after handing it to Insert or Update
// changes nothing stored.
func testCopiesIn(t *testing.T, s contacts.Store) {
	o, c, e := copyFixture()
	wantO, wantC, wantE := o.Clone(), c.Clone(), e.Clone()
	insert(t, s, o, group("acme", "g1"), c, e)
	scribble(&o)
	scribble(&c)
	scribble(&e)
	checkCopies(t, s, wantO, wantC, wantE)

	c2 := wantC.Clone()
	c2.Version = 2
	c2.Roles = []string{"normal"}
	wantC2 := c2.Clone()
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateContact(c2, 1) })
	scribble(&c2)
	wantContact(t, s, wantC2)
}

// checkCopies checks that the stored org, contact and event are the given
// ones, through every read method that returns them.
func checkCopies(t *testing.T, s contacts.Store, o contacts.Org, c contacts.Contact, e contacts.AuditEvent) {
	t.Helper()
	st := dump(t, s, "acme")
	diff(t, "Orgs", []contacts.Org{o}, st.Orgs)
	diff(t, "Contacts", []contacts.Contact{c}, st.Data["acme"].Contacts)
	diff(t, "AuditEvents", []contacts.AuditEvent{e}, st.Data["acme"].Audit)
}

// testCopiesOut: changing a value a read returned changes nothing stored,
// whichever method returned it.
func testCopiesOut(t *testing.T, s contacts.Store) {
	o, c, e := copyFixture()
	insert(t, s, o, group("acme", "g1"), c, e)
	view(t, s, func(tx contacts.ReadTx) error {
		var got []contacts.Contact
		for _, read := range []func() ([]contacts.Contact, error){
			func() ([]contacts.Contact, error) {
				c, err := tx.Contact("acme", "c1")
				return []contacts.Contact{c}, err
			},
			func() ([]contacts.Contact, error) {
				c, err := tx.ContactByEmail("acme", "ann@example.com")
				return []contacts.Contact{c}, err
			},
			func() ([]contacts.Contact, error) { return tx.Contacts("acme", contacts.Page{}) },
			func() ([]contacts.Contact, error) { return tx.ContactsWithRole("acme", "admin") },
			func() ([]contacts.Contact, error) { return tx.GroupMembers("acme", "g1") },
		} {
			list, err := read()
			if err != nil {
				return err
			}
			got = append(got, list...)
		}
		for i := range got {
			scribble(&got[i])
		}
		if got, err := tx.Org("acme"); err == nil {
			scribble(&got)
		}
		if list, err := tx.Orgs(contacts.Page{}); err == nil {
			for i := range list {
				scribble(&list[i])
			}
		}
		if list, err := tx.AuditEvents("acme", 0, 10); err == nil {
			for i := range list {
				scribble(&list[i])
			}
		}
		return nil
	})
	_, c, e = copyFixture()
	checkCopies(t, s, o, c, e)
}

// testCopiesInTx: the same holds inside a transaction, before it commits.
func testCopiesInTx(t *testing.T, s contacts.Store) {
	o, c, e := copyFixture()
	insert(t, s, o, group("acme", "g1"))
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.InsertContact(c); err != nil {
			return err
		}
		scribble(&c)
		got, err := tx.Contact("acme", "c1")
		if err != nil {
			return err
		}
		scribble(&got)
		return tx.AppendAudit(e)
	})
	_, c, e = copyFixture()
	checkCopies(t, s, o, c, e)
}

// testCopiesConcurrent: readers that change what they read, while a writer
// replaces it, share no memory with the store or with each other; run with
// -race to check that.
func testCopiesConcurrent(t *testing.T, s contacts.Store) {
	const readers, writes = 4, 50
	_, c, _ := copyFixture()
	insert(t, s, org("acme"), group("acme", "g1"), c)
	valid := [][]string{{"admin", "owner"}, {"normal", "owner"}}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(t.Context(), func(tx contacts.ReadTx) error {
					got, err := tx.Contact("acme", "c1")
					if err != nil {
						return err
					}
					if !slices.ContainsFunc(valid, func(v []string) bool { return slices.Equal(v, got.Roles) }) {
						t.Errorf("read roles %v, want one of %v", got.Roles, valid)
					}
					scribble(&got)
					list, err := tx.ContactsWithRole("acme", "owner")
					for i := range list {
						scribble(&list[i])
					}
					return err
				})
				if err != nil {
					t.Errorf("View: %v", err)
					return
				}
			}
		})
	}
	for v := int64(1); v <= writes; v++ {
		update(t, s, func(tx contacts.Tx) error {
			next, err := tx.Contact("acme", "c1")
			if err != nil {
				return err
			}
			next.Roles = valid[v%2]
			next.Version = v + 1
			return tx.UpdateContact(next, v)
		})
	}
	close(stop)
	wg.Wait()
	want := c.Clone()
	want.Roles, want.Version = valid[writes%2], writes+1
	wantContact(t, s, want)
}
