package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

// changeSets are the change sets as a [record].
var changeSets = record[contacts.ChangeSet]{
	what:   "ChangeSet",
	item:   changeSet,
	change: changedSet,
	key:    func(cs contacts.ChangeSet) (string, string) { return cs.Org, cs.ID },
	get:    func(tx contacts.ReadTx, org, id string) (contacts.ChangeSet, error) { return tx.ChangeSet(org, id) },
	list: func(tx contacts.ReadTx, org string, p contacts.Page) ([]contacts.ChangeSet, error) {
		return tx.ChangeSets(org, p)
	},
	insert: func(tx contacts.Tx, cs contacts.ChangeSet) error { return tx.InsertChangeSet(cs) },
	update: func(tx contacts.Tx, cs contacts.ChangeSet, prev int64) error { return tx.UpdateChangeSet(cs, prev) },
}

var changeSetTests = append(changeSets.tests(),
	test{"ValuesPassedIn", testChangeSetCopiesIn},
	test{"ValuesHandedOut", testChangeSetCopiesOut},
	test{"CopiesWithinTransaction", testChangeSetCopiesInTx},
	test{"NilAndEmpty", testChangeSetNilAndEmpty},
)

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// changeSet returns an applied change set of org at version 1 with every
// field set, down to each field of a new contact and of a patch, and with
// one edit of each kind. The patch clears the phone (a pointer to ""),
// which is not the same as leaving it (nil).
func changeSet(org, id string) contacts.ChangeSet {
	return contacts.ChangeSet{
		Org: org, ID: id, State: contacts.Applied, Requester: "c1",
		Edits: []contacts.Edit{
			{Kind: contacts.EditAddContact, New: &contacts.NewContact{
				Name: "Bob", Email: "bob@example.com", Language: "de", Phone: "030 1234567", PhoneRegion: "DE",
				Title: "Buyer", Kind: contacts.Client, Availability: contacts.Offline}},
			{Kind: contacts.EditFields, Contact: "c2", Version: 3, Patch: &contacts.ContactPatch{
				Name: ptr("Ann Smith"), Email: ptr("ann.smith@example.com"), Language: ptr("pt-BR"), Phone: ptr(""),
				PhoneRegion: "US", Title: ptr("CTO"), Kind: ptr(contacts.Internal), Availability: ptr(contacts.Busy)}},
			{Kind: contacts.EditGrantRole, Contact: contacts.NewRef + "0", Role: "admin"},
			{Kind: contacts.EditRevokeRole, Contact: "c2", Version: 3, Role: "admin"},
			{Kind: contacts.EditAssignSlot, Slot: "billing", Version: 2, Holders: []contacts.Holder{
				{Kind: contacts.HolderContact, ID: contacts.NewRef + "0"},
				{Kind: contacts.HolderGroup, ID: "g1"},
				{Kind: contacts.HolderContact, ID: "c2", Until: t0.Add(48 * time.Hour)}}},
			{Kind: contacts.EditRemoveContact, Contact: "c3", Version: 1},
		},
		Comments: []contacts.Comment{
			{Author: "c1", Text: "Bob replaces Carl.", State: contacts.Submitted, Time: t0},
			{Author: "c9", Text: "Approved: \"ok\" ✓", State: contacts.Applied, Time: t0.Add(time.Hour)},
		},
		Ticket: "SUP-1234", CreatedContacts: []string{"c4"}, DecidedBy: "c9",
		Version: 1, Created: t0, Updated: t0.Add(time.Hour),
	}
}

// changedSet returns cs at version, sharing no memory with it: emptied
// (no edits, comments or created contacts; no ticket or decider) at even
// versions, and at odd ones changed in every field it has, its patch's
// pointers among them.
func changedSet(cs contacts.ChangeSet, version int64) contacts.ChangeSet {
	cs = cs.Clone()
	cs.Version, cs.Updated = version, t0.Add(time.Duration(version)*time.Hour)
	if version%2 == 0 {
		cs.State, cs.Edits, cs.Comments, cs.CreatedContacts, cs.Ticket, cs.DecidedBy = contacts.Draft, nil, nil, nil, "", ""
		return cs
	}
	n := fmt.Sprint(version)
	cs.State, cs.Requester, cs.Ticket, cs.DecidedBy = contacts.Queried, "c"+n, "SUP-"+n, "c9"+n
	cs.Created = t0.Add(-time.Duration(version) * time.Minute)
	cs.CreatedContacts = []string{"c4" + n, "c5" + n}
	cs.Edits = []contacts.Edit{
		{Kind: contacts.EditFields, Contact: "c2", Version: version, Patch: &contacts.ContactPatch{
			Name: ptr("Ann " + n), Phone: ptr("+1415555010" + n[len(n)-1:]), Title: ptr(""), Availability: ptr(contacts.Available)}},
		{Kind: contacts.EditAssignSlot, Slot: "tech", Version: version, Holders: []contacts.Holder{
			{Kind: contacts.HolderGroup, ID: "g" + n, Until: t0.Add(time.Duration(version) * time.Hour)}}},
		{Kind: contacts.EditAddContact, New: &contacts.NewContact{Name: "Dora " + n, Email: "dora" + n + "@example.com"}},
	}
	cs.Comments = append(cs.Comments, contacts.Comment{
		Author: "c9", Text: "Which Ann? (" + n + ")", State: contacts.Queried, Time: t0.Add(time.Duration(version) * time.Minute)})
	return cs
}

// testChangeSetCopiesIn: changing a change set after handing it to
// InsertChangeSet or UpdateChangeSet, down to the values its edits point
// to, changes nothing stored.
func testChangeSetCopiesIn(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	cs := changeSet("acme", "x1")
	want := cs.Clone()
	insert(t, s, cs)
	scribble(&cs)
	changeSets.want(t, s, "acme", want)

	cs2 := changedSet(want, 3)
	want2 := cs2.Clone()
	update(t, s, func(tx contacts.Tx) error { return tx.UpdateChangeSet(cs2, 1) })
	scribble(&cs2)
	changeSets.want(t, s, "acme", want2)
}

// testChangeSetCopiesOut: changing a change set a read returned, by
// ChangeSet or ChangeSets, changes nothing stored, nor what another read
// returned.
func testChangeSetCopiesOut(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), changeSet("acme", "x1"), changeSet("acme", "x2"))
	view(t, s, func(tx contacts.ReadTx) error {
		one, err := tx.ChangeSet("acme", "x1")
		if err != nil {
			return err
		}
		two, err := tx.ChangeSet("acme", "x1")
		if err != nil {
			return err
		}
		scribble(&one)
		diff(t, "ChangeSet after a change to another read of it", changeSet("acme", "x1"), two)
		list, err := tx.ChangeSets("acme", contacts.Page{})
		if err != nil {
			return err
		}
		for i := range list {
			scribble(&list[i])
		}
		return nil
	})
	changeSets.want(t, s, "acme", changeSet("acme", "x1"), changeSet("acme", "x2"))
}

// testChangeSetCopiesInTx: the same holds inside a transaction, before it
// commits, for change sets it inserted and replaced.
func testChangeSetCopiesInTx(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"))
	want1, want2 := changeSet("acme", "x1"), changedSet(changeSet("acme", "x2"), 3)
	update(t, s, func(tx contacts.Tx) error {
		cs := changeSet("acme", "x1")
		if err := tx.InsertChangeSet(cs); err != nil {
			return err
		}
		scribble(&cs)
		got, err := tx.ChangeSet("acme", "x1")
		if err != nil {
			return err
		}
		diff(t, "ChangeSet after a change to the change set inserted, in the transaction", want1, got)
		scribble(&got)

		cs2 := changeSet("acme", "x2")
		if err := tx.InsertChangeSet(cs2); err != nil {
			return err
		}
		cs2 = changedSet(cs2, 3)
		if err := tx.UpdateChangeSet(cs2, 1); err != nil {
			return err
		}
		scribble(&cs2)
		list, err := tx.ChangeSets("acme", contacts.Page{})
		if err != nil {
			return err
		}
		diff(t, "ChangeSets after changes to change sets written and read, in the transaction",
			[]contacts.ChangeSet{want1, want2}, list)
		for i := range list {
			scribble(&list[i])
		}
		return nil
	})
	changeSets.want(t, s, "acme", want1, want2)
}

// testChangeSetNilAndEmpty: a change set with nothing but its keys and
// version reads back as it was (nil and empty lists are the same), and a
// patch keeps the difference between a field left (nil) and a field
// cleared (a pointer to ""), for every field.
func testChangeSetNilAndEmpty(t *testing.T, s contacts.Store) {
	bare := contacts.ChangeSet{Org: "acme", ID: "x1", Version: 1}
	empty := contacts.ChangeSet{Org: "acme", ID: "x2", Version: 1,
		Edits: []contacts.Edit{}, Comments: []contacts.Comment{}, CreatedContacts: []string{}}
	clears := contacts.ChangeSet{Org: "acme", ID: "x3", Version: 1, Edits: []contacts.Edit{
		{Kind: contacts.EditFields, Contact: "c1", Version: 1, Patch: &contacts.ContactPatch{
			Name: ptr(""), Email: ptr(""), Language: ptr(""), Phone: ptr(""), Title: ptr(""),
			Kind: ptr(contacts.Kind("")), Availability: ptr(contacts.Availability(""))}},
		{Kind: contacts.EditFields, Contact: "c2", Version: 1, Patch: &contacts.ContactPatch{}},
		{Kind: contacts.EditAddContact, New: &contacts.NewContact{}},
		{Kind: contacts.EditAssignSlot, Slot: "billing", Holders: []contacts.Holder{}},
	}}
	insert(t, s, org("acme"), bare, empty, clears)
	changeSets.want(t, s, "acme", bare, empty, clears)
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := tx.ChangeSet("acme", "x3")
		if err != nil {
			return err
		}
		if len(got.Edits) != len(clears.Edits) || got.Edits[0].Patch == nil || got.Edits[0].Patch.Phone == nil ||
			got.Edits[1].Patch == nil || got.Edits[1].Patch.Phone != nil || got.Edits[2].New == nil {
			t.Errorf("ChangeSet(acme, x3) = %+v; want patches and the new contact kept, a cleared field as a pointer to \"\" and a field left as nil", got.Edits)
		}
		return nil
	})
}
